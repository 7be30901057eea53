//! `GET /api/fleet`: the fleet of the caller's stores over a period (SPEC
//! section 6, step 4), worked out one at a time per process and kept a
//! while (see [`cached_fleet`]).

use axum::Extension;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use storewatch_db::Database;

use super::view::FleetView;
use crate::app::AppState;
use crate::app::access::Caller;
use crate::app::fleet_cache::cached_fleet;
use crate::server::controllers::{PeriodParams, period_misfit};
use crate::server::error::ApiError;

pub async fn show<D: Database>(
    State(state): State<AppState<D>>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<PeriodParams>, QueryRejection>,
) -> Result<Json<FleetView>, ApiError> {
    let Query(params) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let (span, as_of) = params.parse()?;
    let t = match as_of {
        Some(t) => Some(t),
        None => state.db.newest_poll().await?,
    };
    let Some(t) = t else {
        return Ok(Json(FleetView::empty()));
    };
    span.ending_at(t).map_err(|e| period_misfit(span, e, t))?;
    let fleet = cached_fleet(
        &state.db,
        &state.fleets,
        &state.changes,
        caller.scope.as_ref(),
        span,
        Some(t),
    )
    .await
    .map_err(ApiError::internal)?;
    Ok(Json(
        fleet
            .as_ref()
            .as_ref()
            .map_or_else(FleetView::empty, FleetView::of),
    ))
}
