//! `GET /api/stores/{id}/history?days=&from=&as_of=`: one store's period
//! (SPEC section 6): totals (a `period` report's row), its local dates (the
//! `daily` rows), its hours of the day (the `hourly` rows) and its
//! incidents. An owner's key sees only its stores: any other is 404.

use axum::Extension;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::Serialize;
use storewatch_core::domain::format_timestamp;
use storewatch_core::report::{HalfMicros, ReportError, to_micros};
use storewatch_db::Database;

use crate::app::AppState;
use crate::app::access::Caller;
use crate::app::history::{StoreHistory, store_history};
use crate::server::controllers::PeriodParams;
use crate::server::error::ApiError;
use crate::server::views::{HourView, TimesView, hours_number as hours};
use storewatch_core::domain::StoreId;

pub async fn show<D: Database>(
    State(state): State<AppState<D>>,
    Extension(caller): Extension<Caller>,
    Path(store_id): Path<String>,
    query: Result<Query<PeriodParams>, QueryRejection>,
) -> Result<Json<History>, ApiError> {
    let Query(params) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let (span, as_of) = params.parse()?;
    // Text that is not a store id names no store.
    let found = match store_id.parse::<StoreId>() {
        Ok(id) => store_history(&state.db, &id, as_of, span, caller.scope.as_ref()).await,
        Err(_) => Ok(None),
    };
    match found {
        Ok(Some(h)) => Ok(Json(History::from(&h))),
        Ok(None) => Err(ApiError::not_found(format!(
            "no store {store_id:?}: it has no poll (or is not one of this key's stores)"
        ))),
        Err(e) => match e.downcast_ref::<ReportError>() {
            Some(ReportError::Period(p)) => {
                let which = if params.from.is_some() {
                    "from"
                } else {
                    "days"
                };
                Err(ApiError::bad_request(format!("{which}: {p}")))
            }
            _ => Err(ApiError::internal(e)),
        },
    }
}

#[derive(Debug, Serialize)]
pub struct History {
    pub store_id: String,
    pub timezone: String,
    pub as_of: String,
    pub from: String,
    #[serde(flatten)]
    pub times: TimesView,
    pub polls: u32,
    pub incidents: u32,
    pub longest_incident_hours: f64,
    pub daily: Vec<HistoryDay>,
    pub hourly: Vec<HourView>,
    pub incident_list: Vec<HistoryIncident>,
}

#[derive(Debug, Serialize)]
pub struct HistoryDay {
    pub date: String,
    #[serde(flatten)]
    pub times: TimesView,
    pub polls: u32,
    pub incidents: u32,
}

#[derive(Debug, Serialize)]
pub struct HistoryIncident {
    /// Its first instant of downtime and just after its last (UTC, to the
    /// microsecond: its edges are midpoints between polls).
    pub start: String,
    pub end: String,
    pub downtime_hours: f64,
    pub inactive_polls: u32,
    /// Its last poll is the store's last candidate: not over at T.
    pub ongoing: bool,
}

impl From<&StoreHistory> for History {
    fn from(h: &StoreHistory) -> History {
        let a = &h.analysis;
        let half = |t: HalfMicros| format_timestamp(to_micros(t));
        History {
            store_id: h.store_id.clone(),
            timezone: h.timezone.clone(),
            as_of: format_timestamp(h.period.to),
            from: format_timestamp(h.period.from),
            times: (&a.total).into(),
            polls: a.polls,
            incidents: u32::try_from(a.incidents.len()).unwrap_or(u32::MAX),
            longest_incident_hours: hours(a.longest_incident()),
            daily: h
                .dates
                .iter()
                .zip(&a.days)
                .map(|(date, d)| HistoryDay {
                    date: date.to_string(),
                    times: (&d.times).into(),
                    polls: d.polls,
                    incidents: d.incidents,
                })
                .collect(),
            hourly: HourView::all(&a.hours),
            incident_list: a
                .incidents
                .iter()
                .map(|i| HistoryIncident {
                    start: half(i.start),
                    end: half(i.end),
                    downtime_hours: hours(i.downtime),
                    inactive_polls: i.inactive_polls,
                    ongoing: i.ongoing,
                })
                .collect(),
        }
    }
}
