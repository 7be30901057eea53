//! `POST /trigger_report`: queue a report and answer at once.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::{Extension, Json};
use serde::Deserialize;
use storewatch_core::domain::{Micros, format_timestamp};
use storewatch_core::report::{Columns, PeriodSpec, ReportKind, ReportSpec};
use storewatch_db::{Database, NewReport};

use super::{new_report_id, parse_columns};
use crate::app::AppState;
use crate::app::access::Caller;
use crate::clock::now_micros;
use crate::server::controllers::{json_body, parse_as_of, parse_period, period_misfit};
use crate::server::error::ApiError;
use crate::server::views::Triggered;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerParams {
    /// The report time T; default the newest poll in the database.
    as_of: Option<String>,
    /// `standard` (default) or `extended`: the CSV's columns (week only).
    columns: Option<String>,
    /// `week` (default), `period`, `daily` or `hourly` (SPEC section 6).
    kind: Option<String>,
    /// The period: this many days before T (1 to 366; default 28).
    days: Option<serde_json::Value>,
    /// The period: from this time to T.
    from: Option<String>,
}

/// The same parameter from the query and the body: at most one, or both the same.
fn one<T: PartialEq>(name: &str, query: Option<T>, body: Option<T>) -> Result<Option<T>, ApiError> {
    match (query, body) {
        (Some(q), Some(b)) if q != b => Err(ApiError::bad_request(format!(
            "{name} given twice, differently, in the query and the body"
        ))),
        (q, b) => Ok(q.or(b)),
    }
}

/// What the report is to hold, from `kind`, `days` and `from`; checked
/// against `as_of` when given (else the newest poll, when the report runs).
fn report_spec(
    kind: Option<&str>,
    days: Option<&serde_json::Value>,
    from: Option<&str>,
    as_of: Option<Micros>,
) -> Result<ReportSpec, ApiError> {
    let kind: ReportKind = kind
        .map(|k| k.trim().parse().map_err(ApiError::bad_request))
        .transpose()?
        .unwrap_or_default();
    let days = days.map(|d| match d {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let span = parse_period(days.as_deref(), from)?;
    let Some(kind) = kind.period() else {
        if let Some(span) = span {
            let which = match span {
                PeriodSpec::Days(_) => "days",
                PeriodSpec::From(_) => "from",
            };
            return Err(ApiError::bad_request(format!(
                "{which}: a period is for the kinds period, daily and hourly, not week"
            )));
        }
        return Ok(ReportSpec::Week);
    };
    let span = span.unwrap_or_default();
    if let (Some(t), PeriodSpec::From(_)) = (as_of, span) {
        span.ending_at(t).map_err(|e| period_misfit(span, e, t))?;
    }
    Ok(ReportSpec::Period { kind, span })
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
    let as_of = parse_as_of(one("as_of", query.as_of, body.as_of)?.as_deref())?;
    let columns =
        parse_columns(one("columns", query.columns, body.columns)?.as_deref())?.unwrap_or_default();
    let kind = one("kind", query.kind, body.kind)?;
    let days = one("days", query.days, body.days)?;
    let from = one("from", query.from, body.from)?;
    let spec = report_spec(kind.as_deref(), days.as_ref(), from.as_deref(), as_of)?;
    if spec != ReportSpec::Week && columns == Columns::Extended {
        return Err(ApiError::bad_request(
            "columns: extended is for the week report; a period report has its own columns",
        ));
    }
    if let (None, Some(span)) = (as_of, spec.span())
        && let Some(t) = state.db.newest_poll().await?
    {
        // Known now: a start at or after the newest poll would only fail later.
        span.ending_at(t).map_err(|e| period_misfit(span, e, t))?;
    }
    let id = new_report_id()?;
    let request = NewReport {
        requested_as_of: as_of,
        columns,
        spec,
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
    tracing::info!(report_id = %id, as_of = %as_of_text, columns = columns.as_str(), kind = %spec.to_db(), "report queued");
    Ok(Json(Triggered {
        report_id: id.to_string(),
    }))
}
