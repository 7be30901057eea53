//! `GET /api/reports?limit=&before=`: reports, newest first, so a lost
//! `report_id` can be found again. An owner sees only its own scope's.

use axum::extract::{Query, State};
use axum::{Extension, Json};
use storewatch_core::domain::parse_timestamp;
use storewatch_db::{Database, Include, ReportId, ReportPage};

use crate::app::AppState;
use crate::app::access::Caller;
use crate::server::controllers::{PageParams, parse_limit};
use crate::server::error::ApiError;
use crate::server::views::{ReportList, ReportSummary};

pub async fn handle<D: Database>(
    State(state): State<AppState<D>>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<PageParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ReportList>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let limit = parse_limit(q.limit.as_deref())?;
    // `before`: the last report id of the previous page, or a time.
    let before = match q.before.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) if storewatch_core::hex::is_id(text) => {
            let id = ReportId::parse(text).map_err(ApiError::bad_request)?;
            let cursor = state
                .db
                .report(&id, Include::StatusOnly)
                .await?
                .filter(|r| caller.sees(r))
                .ok_or_else(|| ApiError::bad_request(format!("before: no report {id}")))?;
            Some((cursor.created_at, cursor.id.to_string()))
        }
        Some(text) => {
            let at = parse_timestamp(text).map_err(|e| {
                ApiError::bad_request(format!(
                    "before {text:?}: neither a report id (32 hexadecimal digits) nor a time: {e}"
                ))
            })?;
            Some((at, String::new()))
        }
    };
    let page = ReportPage {
        scope_id: caller.scope.as_ref().map(|s| s.id()),
        before,
        limit,
    };
    let records = state.db.reports(&page).await?;
    let next_before = (records.len() == limit as usize)
        .then(|| records.last().map(|r| r.id.to_string()))
        .flatten();
    Ok(Json(ReportList {
        reports: records.iter().map(ReportSummary::of).collect(),
        next_before,
    }))
}
