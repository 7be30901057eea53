//! `/`: the fleet at a glance, then the reports. Tiles (downtime percent
//! and hours, stores offline now, stores unobserved), the downtime percent
//! by day and by hour of the day, the peak day, the worst and best five
//! stores, a period picker; the stores offline now (fetched after the
//! page); the report trigger for every kind and the earlier reports.

use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use storewatch_core::report::{Fleet, PeriodSpec, Ranked, ReportError, ReportSpec};
use storewatch_db::alerts::{EventRecord, Subscription};
use storewatch_db::{Database, ReportPage, ReportRecord, ReportState, Role};

use super::format::{day, hours, percent_of, utc_time};
use super::picker::period_field;
use super::picker::{Chosen, PeriodQuery, chosen_period, given, picker};
use super::{charts, page, tile, time_tiles, with_status};
use crate::app::AppState;
use crate::app::access::Caller;
use crate::app::fleet_cache::cached_fleet;
use crate::server::percent::percent_encode;

pub async fn show<D: Database>(
    State(state): State<AppState<D>>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<PeriodQuery>, QueryRejection>,
) -> Response {
    let (query, chosen) = match chosen_period(&caller, query) {
        Ok(both) => both,
        Err(page) => return page,
    };
    let worked_out = cached_fleet(
        &state.db,
        &state.fleets,
        &state.changes,
        caller.scope.as_ref(),
        chosen.span,
        chosen.as_of,
    )
    .await;
    let fleet = match worked_out {
        Ok(f) => Ok(f),
        Err(e) => match e.downcast_ref::<ReportError>() {
            Some(ReportError::Period(p)) => Err(Wrong::Period(p.to_string())),
            _ => {
                tracing::error!(error = %e, "fleet page: the fleet failed");
                Err(Wrong::Ours(
                    "the fleet could not be worked out (the server log has the details)",
                ))
            }
        },
    };
    let listing = ReportPage {
        scope_id: caller.scope.as_ref().map(|s| s.id()),
        before: None,
        limit: 20,
    };
    let reports = state.db.reports(&listing).await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "fleet page: listing reports failed");
        Vec::new()
    });
    let alerts = if caller.role == Role::Admin {
        Some(alert_lines(&state.db).await)
    } else {
        None
    };
    let body = html! {
        h1 { "Fleet" }
        (picker("/", &chosen, given(&query.as_of)))
        @match fleet.as_ref().map(|f| f.as_ref().as_ref()) {
            Err(Wrong::Period(message)) => p.error { (period_field(chosen.span)) ": " (message) }
            Err(Wrong::Ours(message)) => p.error { (message) }
            Ok(None) => p.note { "No polls yet: push or ingest some, then come back." }
            Ok(Some(f)) => (overview(f, &chosen)),
        }
        h2 { "Offline now" span #offline-at {} }
        p {
            "Stores inside business hours at the newest poll whose nearest poll then is inactive, longest first."
            @if chosen.as_of.is_some() { " (At the newest poll, not at the report time chosen above.)" }
        }
        ul #offline { li { "Working it out…" } }
        h2 { "Reports" }
        (trigger_form())
        p #progress aria-live="polite" {}
        h3 { "Earlier reports" }
        (earlier(&reports))
        @if let Some(alerts) = &alerts { (alerts_section(alerts)) }
        script src="/assets/fleet.js" {}
    };
    let status = match fleet {
        Err(Wrong::Period(_)) => StatusCode::BAD_REQUEST,
        Err(Wrong::Ours(_)) => StatusCode::INTERNAL_SERVER_ERROR,
        Ok(_) => StatusCode::OK,
    };
    with_status(page("Fleet", Some(&caller), body), status)
}

/// Deliveries shown per subscription on the start page.
const LATEST_DELIVERIES: u32 = 5;

/// Each subscription with its latest deliveries (admins only); empty, with
/// the failure logged, if the database does not answer.
async fn alert_lines<D: Database>(db: &D) -> Vec<(Subscription, Vec<EventRecord>)> {
    let subscriptions = db.subscriptions().await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "fleet page: listing alert subscriptions failed");
        Vec::new()
    });
    let mut lines = Vec::with_capacity(subscriptions.len());
    for s in subscriptions {
        let events = db
            .events(&s.id, LATEST_DELIVERIES, None)
            .await
            .unwrap_or_default();
        lines.push((s, events));
    }
    lines
}

fn alerts_section(lines: &[(Subscription, Vec<EventRecord>)]) -> Markup {
    html! {
        h2 #alerts { "Alert subscriptions" }
        @if lines.is_empty() {
            p.note { "None: POST /api/alerts/subscriptions or storewatch alerts add (README, Alerts)." }
        }
        @for (s, events) in lines {
            h3 { (s.url) }
            p {
                @match &s.stores { Some(st) => { (st.len()) " stores" } None => { "every store" } }
                ", after " (s.after / 60_000_000) " min. Latest deliveries:"
            }
            @if events.is_empty() { p.note { "No event yet." } } @else {
                table.deliveries {
                    thead { tr { th { "event" } th { "store" } th { "made" } th { "attempts" } th { "last answer" } th { "state" } } }
                    tbody {
                        @for e in events {
                            tr {
                                td { (e.kind) } td { (e.store_id) } td { (utc_time(e.created_at)) }
                                td { (e.attempts) } td { (e.last_answer.as_deref().unwrap_or("-")) }
                                td {
                                    @if e.delivered_at.is_some() { "delivered" }
                                    @else if e.failed_at.is_some() { "failed" }
                                    @else { "pending" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Why the fleet is not shown: the period asked for, or our failure.
enum Wrong {
    Period(String),
    Ours(&'static str),
}

fn overview(f: &Fleet, chosen: &Chosen) -> Markup {
    let Some(period) = f.period else {
        return html! {};
    };
    let days: Vec<_> = f.daily.iter().map(|(d, t)| (*d, t)).collect();
    let stores = f.observed + f.unobserved;
    html! {
        p.period {
            (period_words(chosen.span)) ": " (utc_time(period.from)) " to " (utc_time(period.to))
            ", each store's dates and hours on its own wall clock."
        }
        div.tiles {
            (time_tiles(&f.total))
            (tile("tile-offline", "offline now", f.live.offline, html! {
                "of " (stores) " stores: " (f.live.online) " online, " (f.live.outside_hours) " closed"
                @if f.live.no_observation > 0 { ", " (f.live.no_observation) " not polled this week" }
            }))
            (tile("tile-unobserved", "unobserved", f.unobserved, html! { "stores with no poll in their hours in the period" }))
        }
        h2 { "Downtime by day" }
        (charts::by_day(&days))
        p #peak-day {
            @match f.peak_day {
                Some((d, down)) => { "Peak day: " strong { (day(d)) } ", " (hours(down)) " down across the fleet." }
                None => { "No downtime on any day of the period." }
            }
        }
        h2 { "By hour of the day" }
        (charts::by_hour(&f.hourly))
        div.pair {
            div { h2 { "Worst five" } (ranked("worst", &f.worst)) }
            div { h2 { "Best five" } (ranked("best", &f.best)) }
        }
    }
}

/// How the period's line starts: `The 28 days`, or `The period` (from a
/// start time, written after it).
fn period_words(span: PeriodSpec) -> String {
    match span {
        PeriodSpec::Days(d) => format!("The {d} days"),
        PeriodSpec::From(_) => "The period".to_string(),
    }
}

fn ranked(class: &str, stores: &[Ranked]) -> Markup {
    html! {
        @if stores.is_empty() {
            p { "No store was observed." }
        } @else {
            table class=(format!("ranked {class}")) {
                tr { th { "store" } th.num { "downtime" } th.num { "down" } }
                @for r in stores {
                    tr {
                        td { a href=(format!("/stores/{}", percent_encode(&r.store_id, false))) { (r.store_id) } }
                        td.num { (percent_of(r.up, r.down)) }
                        td.num { (hours(r.down)) }
                    }
                }
            }
        }
    }
}

fn trigger_form() -> Markup {
    html! {
        form #trigger {
            label { "Kind "
                select name="kind" {
                    option value="week" selected { "week (last hour, day and week)" }
                    option value="period" { "period (totals)" }
                    option value="daily" { "daily (a row per store and date)" }
                    option value="hourly" { "hourly (a row per store and hour of the day)" }
                }
            }
            " "
            label.period-only { "days " input name="days" size="4" inputmode="numeric" placeholder="28"; }
            " "
            label.period-only { "or from " input name="from" size="22" placeholder="2023-01-01 00:00:00 UTC"; }
            br;
            label { "Report time " input name="as_of" size="28" placeholder="newest poll (default)"; }
            " "
            label.week-only { input type="checkbox" name="extended"; " extended columns" }
            " "
            button { "Trigger a report" }
        }
    }
}

fn kind_words(spec: ReportSpec) -> String {
    let kind = spec.kind().as_str();
    match spec {
        ReportSpec::Week => kind.to_string(),
        ReportSpec::Period { span, .. } => match span {
            PeriodSpec::Days(d) => format!("{kind}, {d} days"),
            PeriodSpec::From(f) => format!("{kind}, from {}", utc_time(f)),
        },
    }
}

fn earlier(reports: &[ReportRecord]) -> Markup {
    html! {
        @if reports.is_empty() {
            p { "None yet." }
        } @else {
            table.reports {
                tr { th { "created" } th { "kind" } th { "report time" } th { "status" } th.num { "took" } th.num { "rows" } th {} }
                @for r in reports {
                    tr {
                        td { (utc_time(r.created_at)) }
                        td { (kind_words(r.spec)) }
                        td { @if let Some(t) = r.as_of { (utc_time(t)) } }
                        td {
                            @match r.state {
                                ReportState::Failed => { "failed: " (r.error.as_deref().unwrap_or("")) }
                                s => { (s.as_str()) }
                            }
                        }
                        td.num {
                            @if let (Some(a), Some(b)) = (r.started_at, r.finished_at) {
                                (format!("{:.2} s", (b - a) as f64 / 1e6))
                            }
                        }
                        td.num { @if let Some(n) = r.rows { (n) } }
                        td {
                            @if r.state == ReportState::Complete {
                                a href=(format!("/reports/{}", r.id)) { "open" }
                                " · "
                                a href=(format!("/api/reports/{}?format=csv", r.id)) { "CSV" }
                            }
                        }
                    }
                }
            }
        }
    }
}
