//! The API keys (see [`KeyStore`]).

use std::future::Future;

use storewatch_core::domain::Micros;

use crate::error::DbError;
use crate::keys::{KeyRecord, NewKey, Revoked};

/// The API keys.
pub trait KeyStore: Clone + Send + Sync + 'static {
    /// Stores a new key; `false` if a key that is not revoked has its name.
    fn create_key(&self, key: &NewKey) -> impl Future<Output = Result<bool, DbError>> + Send;

    /// Every key, revoked ones too, oldest first.
    fn keys(&self) -> impl Future<Output = Result<Vec<KeyRecord>, DbError>> + Send;

    /// A key by its id (the public part of its token).
    fn key(&self, id: &str) -> impl Future<Output = Result<Option<KeyRecord>, DbError>> + Send;

    /// Revokes the key named `name` that is not revoked yet.
    fn revoke_key(
        &self,
        name: &str,
        now: Micros,
    ) -> impl Future<Output = Result<Revoked, DbError>> + Send;

    /// Writes down that a key was used at `now`.
    fn touch_key(&self, id: &str, now: Micros) -> impl Future<Output = Result<(), DbError>> + Send;

    /// Whether any key was ever created (revoked ones count: revoking the
    /// last key must not open the service; nor does losing the keys, where
    /// they are kept apart from the data: see [`KeyStore::keys_lost`]).
    fn any_keys(&self) -> impl Future<Output = Result<bool, DbError>> + Send;

    /// Why the keys are missing although the data says keys were made (a
    /// backend that keeps them in a file of their own, whose file was
    /// deleted or replaced); `None` when they are all there. `serve` refuses
    /// to start on such a database: it would be closed to everyone, or,
    /// worse, taken for one that never had a key.
    fn keys_lost(&self) -> impl Future<Output = Result<Option<String>, DbError>> + Send {
        async { Ok(None) }
    }
}
