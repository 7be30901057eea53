//! `GET /get_report?report_id=ID` and `POST /get_report {"report_id": ID}`:
//! the status, or with `format=csv` / `Accept: text/csv` the CSV itself.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use storewatch_db::{Database, Include, ReportState};

use super::{csv_for, parse_columns, parse_report_id};
use crate::app::AppState;
use crate::app::access::Caller;
use crate::server::controllers::json_body;
use crate::server::error::ApiError;
use crate::server::views::ReportStatus;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GetParams {
    report_id: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<String>,
    /// `standard` or `extended`; default the columns the report was triggered with.
    columns: Option<String>,
}

type QueryResult = Result<Query<GetParams>, axum::extract::rejection::QueryRejection>;

pub async fn by_query<D: Database>(
    State(state): State<AppState<D>>,
    Extension(caller): Extension<Caller>,
    query: QueryResult,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    respond(&state, &caller, &q, &headers).await
}

/// `GET /api/reports/{id}`: the resource path REST clients expect; answers
/// as `get_report` does (`format` and `columns` in the query).
pub async fn by_path<D: Database>(
    State(state): State<AppState<D>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    query: QueryResult,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if q.report_id.is_some() {
        return Err(ApiError::bad_request(
            "the report id is in the path; report_id in the query is not needed",
        ));
    }
    let params = GetParams {
        report_id: Some(id),
        ..q
    };
    respond(&state, &caller, &params, &headers).await
}

pub async fn by_body<D: Database>(
    State(state): State<AppState<D>>,
    Extension(caller): Extension<Caller>,
    query: QueryResult,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let b: GetParams = json_body(&headers, &body)?.unwrap_or_default();
    let params = GetParams {
        report_id: b.report_id.or(q.report_id),
        format: b.format.or(q.format),
        columns: b.columns.or(q.columns),
    };
    respond(&state, &caller, &params, &headers).await
}

async fn respond<D: Database>(
    state: &AppState<D>,
    caller: &Caller,
    params: &GetParams,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_report_id(params.report_id.as_deref())?;
    let asked_columns = parse_columns(params.columns.as_deref())?;
    let wants_csv = match params.format.as_deref() {
        Some("csv") => true,
        Some("json") => false,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "format {other:?}: expected csv or json"
            )));
        }
        None => headers
            .get(header::ACCEPT)
            .and_then(|a| a.to_str().ok())
            .is_some_and(|a| a.to_ascii_lowercase().contains("text/csv")),
    };
    // Another scope's report does not exist, as far as an owner can tell.
    let Some(record) = state
        .db
        .report(&id, Include::Csv)
        .await?
        .filter(|r| caller.sees(r))
    else {
        return Err(ApiError::not_found(format!("no report {id}")));
    };
    let columns = asked_columns.unwrap_or(record.columns);
    let csv = match record.state {
        ReportState::Complete => Some(csv_for(&record, columns)?),
        _ => None,
    };
    if wants_csv && let Some(csv) = csv {
        let disposition = format!("attachment; filename=\"storewatch-report-{id}.csv\"");
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            csv,
        )
            .into_response());
    }
    let json = ReportStatus::of(&record, csv);
    Ok(match (record.state, wants_csv) {
        // Asked for the file, which does not exist yet: "accepted, not done".
        (ReportState::Queued | ReportState::Running, true) => {
            (StatusCode::ACCEPTED, Json(json)).into_response()
        }
        // Asked for the file of a failed report: there will never be one.
        (ReportState::Failed, true) => (StatusCode::CONFLICT, Json(json)).into_response(),
        (ReportState::Complete, true) | (_, false) => Json(json).into_response(),
    })
}
