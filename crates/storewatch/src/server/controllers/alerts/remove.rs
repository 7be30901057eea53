//! `DELETE /api/alerts/subscriptions/{id}`: 204; its pending events are
//! not sent.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use storewatch_db::Database;

use super::existing;
use crate::app::AppState;
use crate::server::error::ApiError;

pub async fn handle<D: Database>(
    State(state): State<AppState<D>>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = existing(&state, &id).await?;
    if !state.db.remove_subscription(&id).await? {
        return Err(ApiError::not_found(format!("no alert subscription {id:?}")));
    }
    Ok(StatusCode::NO_CONTENT)
}
