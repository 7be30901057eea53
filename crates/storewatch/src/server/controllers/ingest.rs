//! `POST /api/ingest/{polls,business_hours,timezones,special_hours}`: a CSV body (plain or
//! gzip), validated like a file: by default one invalid row rejects the whole
//! body and nothing is applied; `?lenient=true` skips invalid rows and lists them.

use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use serde_json::json;
use storewatch_core::ingest::{IngestError, Mode, SourceKind};
use storewatch_db::Database;

use crate::app::AppState;
use crate::app::access::Caller;
use crate::app::ingest::{IngestFailure, IngestRequest, Input, Origin, ingest};
use crate::server::error::ApiError;
use crate::server::views::{Ingested, InvalidRow};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushParams {
    #[serde(default)]
    lenient: bool,
}

/// Content types a CSV body may come as. No type at all is accepted too.
const CSV_TYPES: &[&str] = &[
    "text/csv",
    "application/csv",
    "text/plain",
    "application/gzip",
    "application/x-gzip",
    "application/octet-stream",
];

fn source_kind(name: &str) -> Result<SourceKind, ApiError> {
    SourceKind::from_name(name).ok_or_else(|| {
        ApiError::not_found(format!(
            "no source {name:?}: expected polls, business_hours, timezones or special_hours"
        ))
    })
}

pub async fn push<D: Database>(
    State(state): State<AppState<D>>,
    Extension(caller): Extension<Caller>,
    Path(source): Path<String>,
    query: Result<Query<PushParams>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Ingested>, ApiError> {
    let kind = source_kind(&source)?;
    let Query(params) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
        let essence = ct.split(';').next().unwrap_or("").trim();
        if !CSV_TYPES.contains(&essence) {
            return Err(ApiError::unsupported_media_type(format!(
                "the body must be CSV (text/csv), optionally gzip-compressed; got {ct:?}"
            )));
        }
    }
    let body = body.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    let mode = if params.lenient {
        Mode::Lenient
    } else {
        Mode::Strict
    };
    // Errors name what the client sent: `request body:12: …`.
    let input = Input::Bytes {
        label: "request body".to_string(),
        bytes: body.to_vec(),
        max_inflated: state.settings.max_inflated_bytes,
    };
    let request = IngestRequest {
        inputs: vec![(kind, input)],
        mode,
        origin: Origin {
            by: caller.label(),
            key_id: caller.key.map(|k| k.id),
        },
        fingerprints: Vec::new(),
    };
    let done = match ingest(&state.db, request, Some(&state.metrics)).await {
        Ok(done) => done,
        Err(IngestFailure::Rejected(rejected)) if rejected.too_large() => {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the body inflates to more than {} MiB (--max-inflated-mib); nothing was ingested",
                    state.settings.max_inflated_bytes / (1024 * 1024)
                ),
            ));
        }
        Err(IngestFailure::Rejected(rejected)) => {
            let rows: Vec<InvalidRow> = rejected
                .errors
                .iter()
                .flat_map(|(_, e)| match e {
                    IngestError::InvalidRows { errors, .. } => {
                        errors.iter().map(InvalidRow::from).collect()
                    }
                    _ => Vec::new(),
                })
                .collect();
            let invalid = rejected.invalid_rows();
            return Err(ApiError::unprocessable(rejected.to_string())
                .with("invalid_rows", json!(invalid))
                .with("errors", json!(rows)));
        }
        Err(IngestFailure::Storage(e)) => return Err(e.into()),
    };
    let skipped_rows: Vec<InvalidRow> = done
        .skipped
        .iter()
        .flat_map(|s| s.rows.iter().map(InvalidRow::from))
        .collect();
    let skipped = done.skipped.iter().map(|s| s.total).sum();
    let polls = done.applied.polls;
    Ok(Json(Ingested {
        source: kind.name(),
        rows_read: done.rows_read,
        rows: done.applied.rows_by_kind().first().map_or(0, |(_, n)| *n),
        written: polls.map(|p| p.written),
        unchanged: polls.map(|p| p.unchanged),
        replaced: polls.is_none().then_some(true),
        skipped,
        skipped_rows,
    }))
}
