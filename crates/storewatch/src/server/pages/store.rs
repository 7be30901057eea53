//! `GET /stores/{id}?days=&from=&as_of=`: a store as a person looks at it.
//! Its past over the chosen period (tiles, a calendar of its days coloured
//! by downtime percent, its hours of the day, the incidents), then its week
//! before the report time: the picture, the report's figures, the week's
//! incidents, and a note when special hours apply today. Built from the
//! same data as the history and timeline JSON.

use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::tz::TimeZone;
use maud::{Markup, html};
use storewatch_core::domain::StoreId;
use storewatch_core::report::{Incident, ReportError, to_micros};
use storewatch_db::Database;

use super::format::{hours, utc_time, wall_time};
use super::picker::{PeriodQuery, chosen_period, given, period_field, picker};
use super::{
    charts, error_page, internal_error_page, page, tile, time_tiles, week_svg, with_status,
};
use crate::app::AppState;
use crate::app::access::Caller;
use crate::app::history::{StoreHistory, store_history};
use crate::app::timeline::{StoreTimeline, store_timeline};
use crate::server::percent::percent_encode;

pub async fn show<D: Database>(
    State(state): State<AppState<D>>,
    Extension(caller): Extension<Caller>,
    Path(store_id): Path<String>,
    query: Result<Query<PeriodQuery>, QueryRejection>,
) -> Response {
    let (query, chosen) = match chosen_period(&caller, query) {
        Ok(both) => both,
        Err(page) => return page,
    };
    let no_store = || {
        error_page(
            Some(&caller),
            StatusCode::NOT_FOUND,
            "No such store",
            &format!(
                "There is no store {store_id:?} with a poll (or it is not one of this key's stores)."
            ),
        )
    };
    // Text that is not a store id names no store.
    let Ok(id) = store_id.parse::<StoreId>() else {
        return no_store();
    };
    let scope = caller.scope.as_ref();
    let t = match store_timeline(&state.db, &id, chosen.as_of, scope).await {
        Ok(Some(t)) => t,
        Ok(None) => return no_store(),
        Err(e) => return internal_error_page(&caller, "store", e),
    };
    let history = match store_history(&state.db, &id, chosen.as_of, chosen.span, scope).await {
        Ok(h) => Ok(h),
        Err(e) => match e.downcast_ref::<ReportError>() {
            Some(ReportError::Period(p)) => Err(p.to_string()),
            _ => return internal_error_page(&caller, "store", e),
        },
    };
    let path = format!("/stores/{}", percent_encode(&t.store_id, false));
    let as_of_text = given(&query.as_of);
    let body = html! {
        h1 { "Store " span.store-id { (t.store_id) } }
        p {
            "Local time " strong { (wall_time(&t.tz, t.as_of)) } " (" (t.timezone)
            @if !t.timezone_given { ", the default zone: none was given" }
            "), report time " (utc_time(t.as_of)) "."
        }
        (picker(&path, &chosen, as_of_text))
        @match &history {
            Err(message) => p.error { (period_field(chosen.span)) ": " (message) }
            Ok(None) => p.note { "No poll in this period." }
            Ok(Some(h)) => (past(h, &t.tz)),
        }
        h2 { "The week before the report time" }
        form.inline method="get" action=(path) {
            label { "Report time " input name="as_of" placeholder="2023-01-25 12:00:00 UTC" size="28" value=[as_of_text]; }
            @if let Some(days) = given(&query.days) {
                input type="hidden" name="days" value=(days);
            }
            @if let Some(from) = given(&query.from) {
                input type="hidden" name="from" value=(from);
            }
            " " button { "Show" }
        }
        (week(&t))
    };
    let status = if history.is_err() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    with_status(
        page(&format!("Store {}", t.store_id), Some(&caller), body),
        status,
    )
}

/// The chosen period: tiles, calendar, hours of the day, incidents.
fn past(h: &StoreHistory, tz: &TimeZone) -> Markup {
    let a = &h.analysis;
    let days: Vec<_> = h
        .dates
        .iter()
        .copied()
        .zip(a.days.iter().map(|d| &d.times))
        .collect();
    html! {
        p.period { "From " (utc_time(h.period.from)) " to " (utc_time(h.period.to)) ", dates and hours in " (h.timezone) "." }
        div.tiles {
            (time_tiles(&a.total))
            (tile("tile-incidents", "incidents", a.incidents.len(), html! { "longest " (hours(a.longest_incident())) }))
            (tile("tile-polls", "polls in hours", a.polls, html! {}))
        }
        h2 { "Days" }
        (charts::calendar(&days))
        (charts::calendar_legend())
        h2 { "By hour of the day" }
        (charts::by_hour(&a.hours))
        h2 { "Incidents of the period" }
        @if a.incidents.is_empty() {
            p { "None in this period." }
        } @else {
            (incident_table("period-incidents", &a.incidents, tz))
        }
    }
}

/// The week before the report time, as the week report counts it.
fn week(t: &StoreTimeline) -> Markup {
    let today =
        t.tz.to_datetime(jiff::Timestamp::from_microsecond(t.as_of).unwrap_or_default())
            .date();
    let special_today = t.special.iter().find(|s| s.date == today);
    html! {
        @if let Some(s) = special_today {
            p.note {
                @match s.hours {
                    None => "Closed today (special hours).",
                    Some((a, b)) => { "Special hours today: " (a) "–" (b) "." }
                }
            }
        }
        @if t.polls.iter().all(|(_, candidate)| !candidate) {
            p.note { "No observations: no poll inside business hours this week." }
        }
        p.legend {
            span { i.sw.open-swatch {} "business hours" }
            span { i.sw.up-swatch {} "counted up" }
            span { i.sw.down-swatch {} "counted down" }
            span { "● poll in hours (green active, red inactive) · ○ outside hours" }
        }
        div.scroll { (week_svg::draw(t)) }
        h3 { "Figures" }
        div.scroll {
            table.figures {
                tr { @for (name, _) in &t.figures { th { (name) } } }
                tr { @for (_, value) in &t.figures { td.num { (value) } } }
            }
        }
        h3 { "Incidents of the week" }
        @if t.incidents.is_empty() {
            p { "None this week." }
        } @else {
            (incident_table("incidents", &t.incidents, &t.tz))
        }
    }
}

/// Incidents as a table: local start and end with the UTC start beside
/// them, downtime, inactive polls, and whether it is still going on.
fn incident_table(class: &str, incidents: &[Incident], tz: &TimeZone) -> Markup {
    html! {
        table class=(class) {
            tr {
                th { "start (local)" } th { "end (local)" } th { "start (UTC)" }
                th.num { "downtime" } th.num { "inactive polls" } th {}
            }
            @for i in incidents {
                tr {
                    td { (wall_time(tz, to_micros(i.start))) }
                    td { (wall_time(tz, to_micros(i.end))) }
                    td { (utc_time(to_micros(i.start))) }
                    td.num { (hours(i.downtime)) }
                    td.num { (i.inactive_polls) }
                    td { @if i.ongoing { "ongoing" } }
                }
            }
        }
    }
}
