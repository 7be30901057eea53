//! `/`: the start page. Trigger a report (optionally for an `as_of`, with
//! the extended columns), watch it, download it; the earlier reports; and
//! the stores offline now (fetched after the page, as heavy as a report).

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use storewatch_core::domain::format_timestamp;
use storewatch_db::{Database, ReportPage, ReportState};

use super::{escape, page};
use crate::app::AppState;
use crate::app::access::Caller;

pub async fn show<D: Database>(
    State(state): State<AppState<D>>,
    Extension(caller): Extension<Caller>,
) -> Response {
    let listing = ReportPage {
        scope_id: caller.scope.as_ref().map(|s| s.id()),
        before: None,
        limit: 20,
    };
    let reports = match state.db.reports(&listing).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "start page: listing reports failed");
            Vec::new()
        }
    };
    let mut body = String::from(
        "<h1>Reports</h1><form id=trigger>Report time <input name=as_of size=28 \
         placeholder=\"newest poll (default)\"> <label><input type=checkbox name=extended> \
         extended columns</label> <button>Trigger a report</button></form>\
         <p id=progress aria-live=polite></p><h2>Earlier reports</h2>",
    );
    if reports.is_empty() {
        body.push_str("<p>None yet.</p>");
    } else {
        body.push_str(
            "<table class=reports><tr><th>created</th><th>as_of</th><th>status</th>\
             <th>duration</th><th>rows</th><th></th></tr>",
        );
        for r in &reports {
            let duration = match (r.started_at, r.finished_at) {
                (Some(a), Some(b)) => format!("{:.2} s", (b - a) as f64 / 1e6),
                _ => String::new(),
            };
            let status = match r.state {
                ReportState::Queued => "queued".to_string(),
                ReportState::Running => "running".to_string(),
                ReportState::Complete => "complete".to_string(),
                ReportState::Failed => format!("failed: {}", r.error.as_deref().unwrap_or("")),
            };
            let link = if r.state == ReportState::Complete {
                format!(
                    "<a href=\"/reports/{0}\">open</a> · <a href=\"/api/reports/{0}?format=csv\">CSV</a>",
                    r.id
                )
            } else {
                String::new()
            };
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{duration}</td><td>{}</td><td>{link}</td></tr>",
                format_timestamp(r.created_at),
                r.as_of.map(format_timestamp).unwrap_or_default(),
                escape(&status),
                r.rows.map(|n| n.to_string()).unwrap_or_default(),
            ));
        }
        body.push_str("</table>");
    }
    body.push_str(
        "<h2>Offline now<span id=offline-at></span></h2><p>Stores inside business hours at \
         the newest poll whose nearest poll then is inactive, longest first.</p>\
         <ul id=offline><li>Working it out…</li></ul>",
    );
    body.push_str("<script src=\"/assets/start.js\"></script>");
    page("Reports", &body)
}
