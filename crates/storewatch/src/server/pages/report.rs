//! `/reports/{id}?sort=COLUMN&dir=asc|desc&store=TEXT&limit=N`: a report as
//! a table, sortable by any column (the header links), filtered by store
//! id, the stores with the most downtime in the week first by default; each
//! store links to its page. Drawn by the server, no script.

use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use storewatch_db::{Database, Include, ReportId, ReportState};

use maud::html;
use storewatch_core::domain::format_timestamp;
use storewatch_core::report::{PeriodSpec, ReportSpec};

use super::format::utc_time;
use super::{error_page, internal_error_page, page, page_query};
use crate::app::AppState;
use crate::app::access::Caller;
use crate::server::percent::percent_encode;

#[derive(Debug, Default, Deserialize)]
pub struct TableParams {
    sort: Option<String>,
    dir: Option<String>,
    store: Option<String>,
    limit: Option<usize>,
}

/// The sort when none is asked for: the week's downtime, or a period's.
const DEFAULT_SORTS: [&str; 2] = ["downtime_last_week", "downtime_hours"];
const DEFAULT_ROWS: usize = 500;
/// The most rows one page shows (the CSV download has them all).
const MAX_ROWS: usize = 5_000;

/// A row of the table, ordered as the table is sorted.
struct Row {
    /// The sort column: a number, or text for the store id.
    key: Key,
    descending: bool,
    /// Its place in the CSV (by store, then date or hour): the last tie-break,
    /// so the first rows of a page are the first rows of a longer one.
    index: usize,
    fields: csv::StringRecord,
}

#[derive(PartialEq, PartialOrd)]
enum Key {
    Number(f64),
    Text(String),
    /// An empty cell (a downtime percent with nothing observed): unknown,
    /// so last whichever way the column is sorted.
    Empty,
}

impl Row {
    fn id(&self) -> &str {
        self.fields.get(0).unwrap_or("")
    }
}

impl Ord for Row {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let order = match (&self.key, &other.key) {
            (Key::Empty, Key::Empty) => Equal,
            (Key::Empty, _) => Greater,
            (_, Key::Empty) => Less,
            (a, b) => {
                let order = match (a, b) {
                    (Key::Number(a), Key::Number(b)) => a.total_cmp(b),
                    (Key::Text(a), Key::Text(b)) => a.cmp(b),
                    (Key::Number(_), _) => Less,
                    _ => Greater,
                };
                if self.descending {
                    order.reverse()
                } else {
                    order
                }
            }
        };
        order
            .then_with(|| self.id().cmp(other.id()))
            .then_with(|| self.index.cmp(&other.index))
    }
}

impl PartialOrd for Row {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Row {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Row {}

/// The first `limit` rows of the CSV whose store id contains `filter`,
/// sorted by `column`, and how many rows matched: read row by row keeping
/// only `limit` (a heap whose top is the last kept), so a report of a
/// million stores costs a page's memory, not the report's rows parsed.
fn first_rows(
    csv: &str,
    column: usize,
    descending: bool,
    filter: &str,
    limit: usize,
) -> (Vec<csv::StringRecord>, usize) {
    let mut kept = std::collections::BinaryHeap::with_capacity(limit + 1);
    let mut total = 0;
    // Store ids may hold commas (quoted): read the rows as CSV.
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let mut fields = csv::StringRecord::new();
    while reader.read_record(&mut fields).unwrap_or(false) {
        let id = fields.get(0).unwrap_or("");
        if !filter.is_empty() && !id.to_ascii_lowercase().contains(filter) {
            continue;
        }
        let cell = fields.get(column).unwrap_or("");
        let key = match cell.parse::<f64>() {
            Ok(x) if column > 0 => Key::Number(x),
            _ if cell.is_empty() => Key::Empty,
            _ => Key::Text(cell.to_string()),
        };
        kept.push(Row {
            key,
            descending,
            index: total,
            fields: fields.clone(),
        });
        total += 1;
        if kept.len() > limit {
            kept.pop();
        }
    }
    let rows = kept
        .into_sorted_vec()
        .into_iter()
        .map(|r| r.fields)
        .collect();
    (rows, total)
}

pub async fn show<D: Database>(
    State(state): State<AppState<D>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    query: Result<Query<TableParams>, QueryRejection>,
) -> Response {
    let q = match page_query(&caller, query) {
        Ok(q) => q,
        Err(page) => return page,
    };
    let not_found = || {
        error_page(
            Some(&caller),
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
            return internal_error_page(&caller, "report", e);
        }
    };
    match record.state {
        ReportState::Complete => {}
        ReportState::Failed => {
            let error = record.error.as_deref().unwrap_or("");
            return error_page(Some(&caller), StatusCode::OK, "This report failed", error);
        }
        _ => {
            let body = html! { h1 { "Report" } p { "Still running: reload in a moment." } };
            return page("Report", Some(&caller), body);
        }
    }
    // Stored with every column: read in place, not copied.
    let csv = record.csv.as_deref().unwrap_or_default();

    let mut header: Vec<&str> = csv.lines().next().unwrap_or("").split(',').collect();
    // Stored with every column; shown with those the report was asked for.
    if record.spec == ReportSpec::Week {
        header.truncate(record.columns.header().len());
    }
    let filter = q.store.as_deref().unwrap_or("").trim().to_ascii_lowercase();
    // Most downtime first unless told: the week's, or the period's.
    let default_sort = DEFAULT_SORTS
        .iter()
        .find(|c| header.contains(c))
        .copied()
        .unwrap_or("store_id");
    let sort = q
        .sort
        .as_deref()
        .filter(|s| header.contains(s))
        .unwrap_or(default_sort);
    let column = header.iter().position(|h| *h == sort).unwrap_or(0);
    let descending = q.dir.as_deref().map_or(sort != "store_id", |d| d != "asc");
    let limit = q.limit.unwrap_or(DEFAULT_ROWS).clamp(1, MAX_ROWS);
    let (rows, total) = first_rows(csv, column, descending, &filter, limit);
    let as_of = record.as_of.map(format_timestamp).unwrap_or_default();
    // A store's page over the report's own period.
    let period = match record.spec {
        ReportSpec::Week => String::new(),
        ReportSpec::Period {
            span: PeriodSpec::Days(d),
            ..
        } => format!("&days={d}"),
        ReportSpec::Period {
            span: PeriodSpec::From(f),
            ..
        } => {
            format!("&from={}", percent_encode(&format_timestamp(f), false))
        }
    };
    let store_link = |id: &str| {
        format!(
            "/stores/{}?as_of={}{period}",
            percent_encode(id, false),
            percent_encode(&as_of, false)
        )
    };
    let keep_limit = q.limit.map(|n| format!("&limit={n}")).unwrap_or_default();
    let column_link = |h: &str| {
        let dir = if h == sort && descending {
            "asc"
        } else {
            "desc"
        };
        format!(
            "?sort={h}&dir={dir}&store={}{keep_limit}",
            percent_encode(&filter, false)
        )
    };
    let body = html! {
        h1 { "Report: " (record.spec.kind().as_str()) }
        p {
            "Report time " (record.as_of.map(utc_time).unwrap_or_default()) ". "
            (total) " rows"
            @if total > limit { ", the first " (limit) " shown" }
            ". " a href=(format!("/api/reports/{id}?format=csv")) { "Download the CSV" }
        }
        form.inline method="get" {
            label { "Store id contains " input name="store" value=(filter); }
            input type="hidden" name="sort" value=(sort);
            input type="hidden" name="dir" value=(if descending { "desc" } else { "asc" });
            @if let Some(n) = q.limit { input type="hidden" name="limit" value=(n); }
            " " button { "Filter" }
        }
        div.scroll {
            table.report {
                tr {
                    @for h in &header {
                        th class=[(column_is_number(h)).then_some("num")] {
                            a href=(column_link(h)) {
                                (h)
                                @if *h == sort { @if descending { " ▼" } @else { " ▲" } }
                            }
                        }
                    }
                }
                @for r in &rows {
                    tr {
                        td { a href=(store_link(r.get(0).unwrap_or(""))) { (r.get(0).unwrap_or("")) } }
                        @for (h, v) in header.iter().zip(r.iter()).skip(1) {
                            td class=[(column_is_number(h)).then_some("num")] { (v) }
                        }
                    }
                }
            }
        }
    };
    page(&format!("Report {id}"), Some(&caller), body)
}

/// Columns that hold numbers (right-aligned): all but the store and date.
fn column_is_number(name: &str) -> bool {
    !matches!(name, "store_id" | "date")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str =
        "store_id,up,down\nb,1.00,2.00\na,3.00,2.00\n\"c,1\",0.50,9.00\nd,2.00,0.00\n";

    fn ids(rows: &[csv::StringRecord]) -> Vec<&str> {
        rows.iter().map(|r| r.get(0).unwrap()).collect()
    }

    #[test]
    fn the_first_rows_in_the_sort_order_and_the_matching_count() {
        // Most downtime first, ties by id.
        let (rows, total) = first_rows(CSV, 2, true, "", 3);
        assert_eq!((ids(&rows), total), (vec!["c,1", "a", "b"], 4));
        let (rows, _) = first_rows(CSV, 1, false, "", 10);
        assert_eq!(ids(&rows), ["c,1", "b", "d", "a"]);
        let (rows, _) = first_rows(CSV, 0, true, "", 2);
        assert_eq!(ids(&rows), ["d", "c,1"]);
        let (rows, total) = first_rows(CSV, 2, true, "c", 10);
        assert_eq!((ids(&rows), total), (vec!["c,1"], 1));
    }

    #[test]
    fn ties_keep_the_csv_order_and_unknown_cells_come_last_either_way() {
        // A daily report: one store, many dates with the same downtime.
        let daily = "store_id,date,down\ns,2023-01-01,1.00\ns,2023-01-02,1.00\n\
                     s,2023-01-03,2.00\ns,2023-01-04,1.00\ns,2023-01-05,1.00\n";
        let dates = |rows: &[csv::StringRecord]| -> Vec<String> {
            rows.iter().map(|r| r[1].to_string()).collect()
        };
        let (three, _) = first_rows(daily, 2, false, "", 3);
        let (all, _) = first_rows(daily, 2, false, "", 10);
        assert_eq!(dates(&three), ["2023-01-01", "2023-01-02", "2023-01-04"]);
        assert_eq!(dates(&three), dates(&all)[..3]);
        // A period report: the unobserved store has no percent.
        let period = "store_id,pct\na,10.00\nb,\nc,90.00\n";
        assert_eq!(ids(&first_rows(period, 1, true, "", 10).0), ["c", "a", "b"]);
        assert_eq!(
            ids(&first_rows(period, 1, false, "", 10).0),
            ["a", "c", "b"]
        );
    }
}
