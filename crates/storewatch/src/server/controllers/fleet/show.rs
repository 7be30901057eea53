//! `GET /api/fleet`: as heavy as a report (every store's period), so one at
//! a time per process: callers asking again and again wait their turn
//! instead of taking every core from the reports (a waiting request ends at
//! the request timeout).

use axum::Extension;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::Deserialize;
use storewatch_core::domain::{Micros, format_timestamp, parse_timestamp};
use storewatch_core::report::{MAX_PERIOD_DAYS, PeriodSpec};
use storewatch_db::Database;
use tokio::sync::Semaphore;

use super::view::FleetView;
use crate::app::AppState;
use crate::app::access::Caller;
use crate::app::report::compute_fleet;
use crate::server::error::ApiError;

/// Whose turn it is to work out a fleet.
static FLEET_TURN: Semaphore = Semaphore::const_new(1);

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetParams {
    days: Option<String>,
    from: Option<String>,
    as_of: Option<String>,
}

/// The period `days` or `from` names (default 28 days).
fn span(params: &FleetParams) -> Result<PeriodSpec, ApiError> {
    let days = params
        .days
        .as_deref()
        .map(|d| {
            d.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_PERIOD_DAYS).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "days {d:?}: expected a whole number from 1 to {MAX_PERIOD_DAYS}"
                    ))
                })
        })
        .transpose()?;
    let from = params
        .from
        .as_deref()
        .map(|f| parse_timestamp(f).map_err(|e| ApiError::bad_request(format!("from: {e}"))))
        .transpose()?;
    match (days, from) {
        (Some(_), Some(_)) => Err(ApiError::bad_request(
            "days and from: give one of them, not both",
        )),
        (Some(d), None) => Ok(PeriodSpec::Days(d)),
        (None, Some(f)) => Ok(PeriodSpec::From(f)),
        (None, None) => Ok(PeriodSpec::default()),
    }
}

pub async fn show<D: Database>(
    State(state): State<AppState<D>>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<FleetParams>, QueryRejection>,
) -> Result<Json<FleetView>, ApiError> {
    let Query(params) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let span = span(&params)?;
    let as_of: Option<Micros> = params
        .as_of
        .as_deref()
        .map(|t| parse_timestamp(t).map_err(|e| ApiError::bad_request(format!("as_of: {e}"))))
        .transpose()?;
    let t = match as_of {
        Some(t) => Some(t),
        None => state.db.newest_poll().await?,
    };
    let Some(t) = t else {
        return Ok(Json(FleetView::empty()));
    };
    span.ending_at(t).map_err(|e| {
        let which = if matches!(span, PeriodSpec::From(_)) {
            "from"
        } else {
            "days"
        };
        ApiError::bad_request(format!("{which}: {e} ({})", format_timestamp(t)))
    })?;
    let _turn = FLEET_TURN.acquire().await.map_err(ApiError::internal)?;
    let fleet = compute_fleet(&state.db, Some(t), span, caller.scope.as_ref().into())
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(
        fleet.map_or_else(FleetView::empty, |f| FleetView::of(&f)),
    ))
}
