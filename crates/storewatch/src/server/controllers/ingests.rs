//! `GET /api/ingests?limit=&before=`: the ingest log, newest first (admins).

use axum::Json;
use axum::extract::{Query, State};
use storewatch_db::Database;

use crate::app::AppState;
use crate::server::controllers::{PageParams, parse_limit};
use crate::server::error::ApiError;
use crate::server::views::{IngestEntry, IngestList};

pub async fn list<D: Database>(
    State(state): State<AppState<D>>,
    query: Result<Query<PageParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<IngestList>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let limit = parse_limit(q.limit.as_deref())?;
    let before = q
        .before
        .as_deref()
        .map(|text| {
            text.trim().parse::<i64>().map_err(|_| {
                ApiError::bad_request(format!(
                    "before {text:?}: expected an ingest id (a whole number)"
                ))
            })
        })
        .transpose()?;
    let records = state.db.ingests(limit, before).await?;
    let next_before = (records.len() == limit as usize)
        .then(|| records.last().map(|r| r.id))
        .flatten();
    Ok(Json(IngestList {
        ingests: records.iter().map(IngestEntry::of).collect(),
        next_before,
    }))
}
