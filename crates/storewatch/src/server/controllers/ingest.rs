//! `POST /api/ingest/{polls,business_hours,timezones,special_hours}`: a CSV body (plain or
//! gzip), validated like a file: by default one invalid row rejects the whole
//! body and nothing is applied; `?lenient=true` skips invalid rows and lists them.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use serde::Deserialize;
use serde_json::{Value, json};
use storewatch_core::ingest::{IngestError, Mode, RowError, SourceKind, reader_from_bytes};
use storewatch_db::Database;

use crate::commands::ingest::parse_source;
use crate::server::AppState;
use crate::server::error::ApiError;

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

fn row_json(e: &RowError) -> Value {
    json!({"line": e.line, "column": e.column, "reason": e.reason, "row": e.record})
}

pub async fn push<D: Database>(
    State(state): State<AppState<D>>,
    Path(source): Path<String>,
    query: Result<Query<PushParams>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
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
    let label = "request body";
    let parsed = tokio::task::spawn_blocking(move || {
        let source = reader_from_bytes(label, body.to_vec()).map_err(|e| IngestError::Io {
            file: label.to_string(),
            source: e,
        })?;
        parse_source(kind, source, mode)
    })
    .await
    .map_err(ApiError::internal)?;
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => {
            let (invalid, rows) = match &e {
                IngestError::InvalidRows { errors, total, .. } => {
                    (*total, errors.iter().map(row_json).collect())
                }
                _ => (0, Vec::new()),
            };
            state
                .metrics
                .ingest(kind.name(), "rejected", 0, invalid as u64);
            return Err(
                ApiError::unprocessable(format!("{e}\nnothing was ingested"))
                    .with("invalid_rows", json!(invalid))
                    .with("errors", Value::Array(rows)),
            );
        }
    };
    let mut parsed = parsed;
    let skipped: Vec<Value> = parsed
        .take_skipped()
        .iter()
        .flatten()
        .map(row_json)
        .collect();
    let rows_read = parsed.rows_read();
    let applied = state.db.ingest(parsed.into_batch()).await?;
    let mut out = json!({
        "source": kind.name(),
        "rows_read": rows_read,
        "skipped": skipped.len(),
        "skipped_rows": skipped,
    });
    let stored = if let Some(p) = applied.polls {
        out["rows"] = json!(p.rows);
        out["written"] = json!(p.written);
        out["unchanged"] = json!(p.unchanged);
        p.rows
    } else {
        let n = applied
            .business_hours
            .or(applied.timezones)
            .or(applied.special_hours)
            .unwrap_or(0);
        out["rows"] = json!(n);
        out["replaced"] = json!(true);
        n
    };
    state
        .metrics
        .ingest(kind.name(), "applied", stored, skipped.len() as u64);
    tracing::info!(
        source = kind.name(),
        rows = stored,
        skipped = skipped.len(),
        "ingest pushed"
    );
    Ok(Json(out))
}
