//! `POST /trigger_report`: queue a report and answer at once.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::{Extension, Json};
use serde::Deserialize;
use storewatch_core::domain::{Micros, format_timestamp, parse_timestamp};
use storewatch_db::{Database, NewReport};

use super::{new_report_id, parse_columns};
use crate::app::AppState;
use crate::app::access::Caller;
use crate::clock::now_micros;
use crate::server::controllers::json_body;
use crate::server::error::ApiError;
use crate::server::views::Triggered;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerParams {
    /// The report time T; default the newest poll in the database.
    as_of: Option<String>,
    /// `standard` (default) or `extended`: the CSV's columns.
    columns: Option<String>,
}

/// How many reports the callers of an open service (no keys: on loopback, or
/// `--no-auth`) may have queued at once, together: a backstop, not a quota.
pub const OPEN_QUEUE_CAP: u32 = 1024;

/// What a caller told to wait is told to wait, in seconds.
const RETRY_AFTER_SECONDS: &str = "5";

pub async fn handle<D: Database>(
    State(state): State<AppState<D>>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<TriggerParams>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Triggered>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let body: TriggerParams = json_body(&headers, &body)?.unwrap_or_default();
    let as_of = match (query.as_of, body.as_of) {
        (Some(q), Some(b)) if q != b => {
            return Err(ApiError::bad_request(
                "as_of given twice, differently, in the query and the body",
            ));
        }
        (q, b) => q.or(b),
    };
    let as_of: Option<Micros> = as_of
        .as_deref()
        .map(parse_timestamp)
        .transpose()
        .map_err(|e| ApiError::bad_request(format!("as_of: {e}")))?;
    let columns = match (query.columns, body.columns) {
        (Some(q), Some(b)) if q != b => {
            return Err(ApiError::bad_request(
                "columns given twice, differently, in the query and the body",
            ));
        }
        (q, b) => parse_columns(q.or(b).as_deref())?.unwrap_or_default(),
    };
    let id = new_report_id()?;
    let request = NewReport {
        requested_as_of: as_of,
        columns,
        owner: caller.owner(),
    };
    let cap = match caller.key {
        Some(_) => state.settings.max_queued_reports,
        None => OPEN_QUEUE_CAP,
    };
    if !state
        .db
        .create_report(&id, &request, cap, now_micros())
        .await?
    {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "{cap} reports of this key are queued or running already; wait for one to finish"
            ),
        )
        .with_header(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECONDS),
        ));
    }
    state.report_queued.notify_one();
    let as_of_text = as_of.map_or_else(|| "newest poll".to_string(), format_timestamp);
    tracing::info!(report_id = %id, as_of = %as_of_text, columns = columns.as_str(), "report queued");
    Ok(Json(Triggered {
        report_id: id.to_string(),
    }))
}
