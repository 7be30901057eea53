//! `DELETE /api/polls?store_id=&from=&to=`: delete polls (admins).

use axum::extract::{Query, State};
use axum::{Extension, Json};
use serde::Deserialize;
use storewatch_core::domain::parse_timestamp;
use storewatch_db::Database;

use crate::app::AppState;
use crate::app::access::Caller;
use crate::app::ingest::Origin;
use crate::app::polls::{delete_polls, deletion};
use crate::clock::now_micros;
use crate::server::error::ApiError;
use crate::server::views::PollsDeleted;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteParams {
    store_id: Option<String>,
    /// Inclusive.
    from: Option<String>,
    /// Exclusive.
    to: Option<String>,
}

pub async fn delete<D: Database>(
    State(state): State<AppState<D>>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<DeleteParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PollsDeleted>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let time = |name: &str, text: Option<&str>| {
        text.map(parse_timestamp)
            .transpose()
            .map_err(|e| ApiError::bad_request(format!("{name}: {e}")))
    };
    let from = time("from", q.from.as_deref())?;
    let to = time("to", q.to.as_deref())?;
    let origin = Origin {
        by: caller.actor(),
        key_id: caller.key.map(|k| k.id),
    };
    let deletion = deletion(q.store_id.as_deref(), from, to, origin, now_micros())
        .map_err(ApiError::bad_request)?;
    let deleted = delete_polls(&state.db, &deletion).await?;
    state.data_changed().await?;
    Ok(Json(PollsDeleted { deleted }))
}
