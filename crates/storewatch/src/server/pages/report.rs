//! `/reports/{id}?sort=COLUMN&dir=asc|desc&store=TEXT&limit=N`: a report as
//! a table, sortable by any column (the header links), filtered by store
//! id, the stores with the most downtime in the week first by default; each
//! store links to its page. Drawn by the server, no script.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use storewatch_core::report::Columns;
use storewatch_db::{Database, Include, ReportId, ReportState};

use super::{error_page, escape, internal_error_page, page, percent_encode};
use crate::app::AppState;
use crate::app::access::Caller;
use crate::server::controllers::reports::csv_for;

#[derive(Debug, Default, Deserialize)]
pub struct TableParams {
    sort: Option<String>,
    dir: Option<String>,
    store: Option<String>,
    limit: Option<usize>,
}

const DEFAULT_SORT: &str = "downtime_last_week";
const DEFAULT_ROWS: usize = 500;

pub async fn show<D: Database>(
    State(state): State<AppState<D>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(q): Query<TableParams>,
) -> Response {
    let not_found = || {
        error_page(
            StatusCode::NOT_FOUND,
            "No such report",
            &format!("There is no report {id:?}."),
        )
    };
    let Ok(report_id) = ReportId::parse(&id) else {
        return not_found();
    };
    let record = match state.db.report(&report_id, Include::Csv).await {
        Ok(Some(r)) if caller.sees(&r) => r,
        Ok(_) => return not_found(),
        Err(e) => {
            return internal_error_page("report", e);
        }
    };
    match record.state {
        ReportState::Complete => {}
        ReportState::Failed => {
            let error = record.error.as_deref().unwrap_or("");
            return error_page(StatusCode::OK, "This report failed", error);
        }
        _ => {
            return page(
                "Report",
                "<h1>Report</h1><p>Still running: reload in a moment.</p>",
            );
        }
    }
    // csv_for has logged its failure already (ApiError::internal).
    let Ok(csv) = csv_for(&record, Columns::Extended) else {
        return error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "The server log has the details.",
        );
    };

    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let filter = q.store.as_deref().unwrap_or("").trim().to_ascii_lowercase();
    // Store ids may hold commas (quoted): read the rows as CSV.
    let mut rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .from_reader(csv.as_bytes())
        .records()
        .filter_map(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect::<Vec<_>>())
        .filter(|r: &Vec<String>| filter.is_empty() || r[0].to_ascii_lowercase().contains(&filter))
        .collect();
    let sort = q
        .sort
        .as_deref()
        .filter(|s| header.contains(s))
        .unwrap_or(DEFAULT_SORT);
    let column = header.iter().position(|h| *h == sort).unwrap_or(0);
    let descending = q.dir.as_deref().map_or(sort != "store_id", |d| d != "asc");
    rows.sort_by(|a, b| {
        let order = match (a[column].parse::<f64>(), b[column].parse::<f64>()) {
            (Ok(x), Ok(y)) if column > 0 => x.total_cmp(&y),
            _ => a[column].cmp(&b[column]),
        };
        let order = if descending { order.reverse() } else { order };
        order.then_with(|| a[0].cmp(&b[0]))
    });
    let total = rows.len();
    let limit = q.limit.unwrap_or(DEFAULT_ROWS).clamp(1, 100_000);
    let as_of = record
        .as_of
        .map(storewatch_core::domain::format_timestamp)
        .unwrap_or_default();
    let mut body = format!(
        "<h1>Report at {as_of}</h1><p>{total} stores{}. <a href=\"/api/reports/{id}?format=csv\">Download the CSV</a></p>\
         <form method=get>Store id contains <input name=store value=\"{}\"> \
         <input type=hidden name=sort value=\"{sort}\"><button>Filter</button></form>",
        if total > limit {
            format!(", the first {limit} shown")
        } else {
            String::new()
        },
        escape(&filter),
    );
    body.push_str("<div style=overflow-x:auto><table class=report><tr>");
    for h in &header {
        let dir = if *h == sort && descending {
            "asc"
        } else {
            "desc"
        };
        let mark = if *h == sort {
            if descending { " ▼" } else { " ▲" }
        } else {
            ""
        };
        body.push_str(&format!(
            "<th><a href=\"?sort={h}&amp;dir={dir}&amp;store={}\">{h}{mark}</a></th>",
            escape(&percent_encode(&filter, false))
        ));
    }
    body.push_str("</tr>");
    for r in rows.iter().take(limit) {
        body.push_str(&format!(
            "<tr><td><a href=\"/stores/{}?as_of={}\">{}</a></td>",
            escape(&percent_encode(&r[0], false)),
            escape(&as_of),
            escape(&r[0])
        ));
        for v in &r[1..] {
            body.push_str(&format!("<td>{}</td>", escape(v)));
        }
        body.push_str("</tr>");
    }
    body.push_str("</table></div>");
    page(&format!("Report {id}"), &body)
}
