//! Stores: finding them, and one store's week.

pub mod list;
pub mod timeline;
