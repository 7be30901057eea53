//! `POST /api/ingest/{polls,business_hours,timezones,special_hours}`: a CSV body (plain or
//! gzip), validated like a file: by default one invalid row rejects the whole
//! body and nothing is applied; `?lenient=true` skips invalid rows and lists them.

use std::io;
use std::time::Duration;

use axum::Extension;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use serde_json::json;
use storewatch_core::ingest::{IngestError, Mode, SourceKind};
use storewatch_db::Database;

use crate::app::access::Caller;
use crate::app::ingest::{IngestFailure, IngestRequest, Input, Origin, ingest};
use crate::app::{AppState, Settings};
use crate::server::body::{BodyReader, BodyTooLarge};
use crate::server::error::ApiError;
use crate::server::views::{Ingested, InvalidRow};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushParams {
    #[serde(default)]
    lenient: bool,
}

/// Content types a CSV body may come as. None of them is one a web page may
/// send without the browser asking first (as it may `text/plain` or a form,
/// or no type at all), so no page elsewhere can push data through a
/// visitor's browser.
const CSV_TYPES: &[&str] = &["text/csv", "application/gzip", "application/octet-stream"];

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
    body: Body,
) -> Result<Json<Ingested>, ApiError> {
    let kind = source_kind(&source)?;
    let Query(params) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .map(|ct| ct.to_str().unwrap_or("").to_ascii_lowercase());
    let essence = ct
        .as_deref()
        .map(|ct| ct.split(';').next().unwrap_or("").trim());
    if !essence.is_some_and(|e| CSV_TYPES.contains(&e)) {
        let got = ct.map_or("no Content-Type".to_string(), |ct| format!("{ct:?}"));
        return Err(ApiError::unsupported_media_type(format!(
            "the body must be CSV, sent as Content-Type: text/csv (application/gzip or \
             application/octet-stream when gzip-compressed); got {got}"
        )));
    }
    let Caps {
        body: max_body,
        inflated: max_inflated,
    } = Caps::of(kind, &state.settings);
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_body) {
        return Err(body_too_large(kind, max_body));
    }
    let mode = if params.lenient {
        Mode::Lenient
    } else {
        Mode::Strict
    };
    // Parsed as it arrives: the body is never held whole. Errors name what
    // the client sent: `request body:12: …`.
    let input = Input::Stream {
        label: "request body".to_string(),
        reader: Box::new(BodyReader::spawn(body, max_body, state.settings.body_stall)),
        max_inflated,
    };
    let request = IngestRequest {
        inputs: vec![(kind, input)],
        mode,
        origin: Origin {
            by: caller.actor(),
            key_id: caller.key.map(|k| k.id),
        },
        rejected_dir: None,
        fingerprints: Vec::new(),
        max_future: state.settings.max_future,
    };
    let done = match ingest(&state.db, request, Some(&state.metrics)).await {
        Ok(done) => {
            state.data_changed().await?;
            done
        }
        Err(IngestFailure::Rejected(rejected)) => {
            let stall = state.settings.body_stall;
            if let Some(answer) = rejected
                .read_error()
                .and_then(|e| cut_off(e, kind, max_body, max_inflated, stall))
            {
                return Err(answer);
            }
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
        Err(e @ IngestFailure::Panicked(_)) => return Err(ApiError::internal(e)),
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

/// How large one pushed source may be, as sent and inflated.
struct Caps {
    body: u64,
    inflated: u64,
}

impl Caps {
    /// Polls take the flags' sizes; the other sources a quarter of them.
    /// Their rows are shorter and each holds more in memory until the file
    /// is checked (a time-zones row costs about six times its bytes, a poll
    /// 1.3), so the same size would break the memory bound. Real ones are
    /// far smaller: 3.4 MB of business hours for 14,092 stores.
    const REFERENCE_SHARE: u64 = 4;

    fn of(kind: SourceKind, settings: &Settings) -> Caps {
        let share = match kind {
            SourceKind::Polls => 1,
            _ => Caps::REFERENCE_SHARE,
        };
        Caps {
            body: settings.max_body_bytes as u64 / share,
            inflated: settings.max_inflated_bytes / share,
        }
    }

    /// The flag behind a cap, as the error names it.
    fn flag(kind: SourceKind, flag: &str) -> String {
        match kind {
            SourceKind::Polls => flag.to_string(),
            _ => format!("a quarter of {flag} for {}", kind.name()),
        }
    }
}

fn body_too_large(kind: SourceKind, limit: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the body is larger than {} ({}); nothing was ingested",
            size(limit),
            Caps::flag(kind, "--max-body-mib")
        ),
    )
}

/// A size as the flags give it (MiB), or in bytes if it is not whole MiB.
fn size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// The answer for a body cut off before its end for being too large or too
/// slow; `None` for other read errors (a corrupt gzip stream is invalid
/// content, 422 like any).
fn cut_off(
    e: &io::Error,
    kind: SourceKind,
    max_body: u64,
    max_inflated: u64,
    stall: Duration,
) -> Option<ApiError> {
    Some(match e.kind() {
        io::ErrorKind::FileTooLarge if e.get_ref().is_some_and(|e| e.is::<BodyTooLarge>()) => {
            body_too_large(kind, max_body)
        }
        io::ErrorKind::FileTooLarge => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the body inflates to more than {} ({}); nothing was ingested",
                size(max_inflated),
                Caps::flag(kind, "--max-inflated-mib")
            ),
        ),
        io::ErrorKind::TimedOut => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "no byte of the body came for {} s; nothing was ingested",
                stall.as_secs()
            ),
        ),
        _ => return None,
    })
}
