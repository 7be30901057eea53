//! The HTTP API: routes, controllers, errors, plumbing, API docs. Started
//! beside the background jobs by [`crate::service::start`].

pub mod assets;
pub mod auth;
pub mod body;
pub mod browser;
pub mod connections;
pub mod controllers;
pub mod error;
pub mod pages;
pub mod percent;
pub mod plumbing;
mod routes;
pub mod views;

pub use routes::router;
