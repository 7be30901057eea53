//! `GET /api/stores?query=&offline_now=true&limit=`: stores by part of
//! their id, or those offline now (longest first), with since when.

use axum::Extension;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::Deserialize;
use storewatch_db::Database;

use crate::app::AppState;
use crate::app::access::Caller;
use crate::app::stores::find_stores;
use crate::server::controllers::parse_limit;
use crate::server::error::ApiError;
use crate::server::views::StoreList;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    #[serde(default)]
    query: String,
    #[serde(default)]
    offline_now: bool,
    limit: Option<String>,
}

pub async fn list<D: Database>(
    State(state): State<AppState<D>>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<StoreList>, ApiError> {
    let Query(params) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let limit = parse_limit(params.limit.as_deref())?;
    let found = find_stores(
        &state.db,
        params.query.trim(),
        params.offline_now,
        caller.scope.as_ref(),
        limit,
    )
    .await
    .map_err(ApiError::internal)?;
    Ok(Json(StoreList::from(found)))
}
