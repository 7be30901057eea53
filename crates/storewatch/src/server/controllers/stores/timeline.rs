//! `GET /api/stores/{id}/timeline?as_of=TS`: one store's week (open time,
//! polls, up and down bands, incidents) and its report row. An owner's key
//! sees only its stores: any other is 404, like a store with no poll.

use axum::Extension;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use storewatch_core::domain::parse_timestamp;
use storewatch_db::Database;

use crate::app::AppState;
use crate::app::access::Caller;
use crate::app::timeline::store_timeline;
use crate::server::error::ApiError;
use crate::server::views::Timeline;
use storewatch_core::domain::StoreId;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineParams {
    as_of: Option<String>,
}

pub async fn show<D: Database>(
    State(state): State<AppState<D>>,
    Extension(caller): Extension<Caller>,
    Path(store_id): Path<String>,
    query: Result<Query<TimelineParams>, QueryRejection>,
) -> Result<Json<Timeline>, ApiError> {
    let Query(params) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let as_of = params
        .as_of
        .as_deref()
        .map(parse_timestamp)
        .transpose()
        .map_err(|e| ApiError::bad_request(format!("as_of: {e}")))?;
    // Text that is not a store id names no store.
    let found = match store_id.parse::<StoreId>() {
        Ok(id) => store_timeline(&state.db, &id, as_of, caller.scope.as_ref())
            .await
            .map_err(ApiError::internal)?,
        Err(_) => None,
    };
    match found {
        Some(t) => Ok(Json(Timeline::from(&t))),
        None => Err(ApiError::not_found(format!(
            "no store {store_id:?}: it has no poll (or is not one of this key's stores)"
        ))),
    }
}
