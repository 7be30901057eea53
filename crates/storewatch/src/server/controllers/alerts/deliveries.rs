//! `GET /api/alerts/subscriptions/{id}/deliveries?limit=&before=`: the
//! subscription's events, newest first, with how their delivery went.

use axum::Json;
use axum::extract::{Path, Query, State};
use storewatch_db::Database;

use super::existing;
use crate::app::AppState;
use crate::server::controllers::{PageParams, parse_limit};
use crate::server::error::ApiError;
use crate::server::views::{DeliveryList, DeliveryView};

pub async fn handle<D: Database>(
    State(state): State<AppState<D>>,
    Path(id): Path<String>,
    query: Result<Query<PageParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<DeliveryList>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let id = existing(&state, &id).await?;
    let limit = parse_limit(q.limit.as_deref())?;
    let before = q.before.as_deref().map(|b| b.trim().to_ascii_lowercase());
    if let Some(b) = &before
        && !storewatch_core::hex::is_id(b)
    {
        return Err(ApiError::bad_request(format!(
            "before {b:?}: expected an event id (32 hexadecimal digits) from an earlier page"
        )));
    }
    let events = state.db.events(&id, limit, before.as_deref()).await?;
    let next_before = (events.len() == limit as usize)
        .then(|| events.last().map(|e| e.id.clone()))
        .flatten();
    Ok(Json(DeliveryList {
        deliveries: events.iter().map(DeliveryView::of).collect(),
        next_before,
    }))
}
