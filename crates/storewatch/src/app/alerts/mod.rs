//! Alerts (SPEC section 7): subscriptions ([`subscription`]), their secrets
//! sealed ([`secrets`]), the events a change of the data makes
//! ([`evaluate`]), and sending them ([`deliver`]) to checked addresses only
//! ([`target`]). The rules themselves are the core's
//! (`storewatch_core::alerts`); the storage is the database's
//! (`storewatch_db::alerts`).

pub mod deliver;
pub mod evaluate;
pub mod secrets;
pub mod subscription;
pub mod target;

pub use evaluate::evaluate;
pub use secrets::AlertKey;
