//! `/api/alerts/subscriptions`: alert subscriptions and their deliveries
//! (admins; SPEC section 7).

pub mod create;
pub mod deliveries;
pub mod list;
pub mod remove;

use storewatch_db::Database;

use crate::app::AppState;
use crate::server::error::ApiError;

/// A subscription id from the path: 32 hexadecimal digits, and one that
/// exists (404 otherwise).
async fn existing<D: Database>(state: &AppState<D>, id: &str) -> Result<String, ApiError> {
    let id = id.trim().to_ascii_lowercase();
    let missing = || ApiError::not_found(format!("no alert subscription {id:?}"));
    if !storewatch_core::hex::is_id(&id) {
        return Err(missing());
    }
    if !state.db.subscriptions().await?.iter().any(|s| s.id == id) {
        return Err(missing());
    }
    Ok(id)
}
