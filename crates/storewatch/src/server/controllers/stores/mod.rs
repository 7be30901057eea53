//! Stores: finding them, one store's week, and its history over a period.

pub mod history;
pub mod list;
pub mod timeline;
