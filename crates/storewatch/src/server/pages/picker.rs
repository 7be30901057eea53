//! The period picker of the fleet and store pages: 7, 28 or 84 days before
//! the report time, or from a date; the report time itself kept as it is.

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use storewatch_core::domain::Micros;
use storewatch_core::report::PeriodSpec;

use super::{error_page, page_query};
use crate::app::access::Caller;
use crate::server::controllers::{parse_as_of, parse_period};
use crate::server::percent::percent_encode;

/// `?days=&from=&as_of=` of a page. `from` may be a date alone (what a date
/// field sends): it then means that date's midnight, UTC.
#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    pub days: Option<String>,
    pub from: Option<String>,
    pub as_of: Option<String>,
}

/// What a page shows: the period and the report time, if one was asked for.
#[derive(Debug, Clone, Copy)]
pub struct Chosen {
    pub span: PeriodSpec,
    pub as_of: Option<Micros>,
}

/// A field's text, unless it is missing or blank.
pub fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl PeriodQuery {
    /// The period (default 28 days) and report time, or what is wrong with
    /// them, naming the field. Empty fields count as not given.
    pub fn parse(&self) -> Result<Chosen, String> {
        let from = given(&self.from).map(|f| {
            if f.len() == 10 && f.as_bytes()[4] == b'-' {
                format!("{f} 00:00:00 UTC")
            } else {
                f.to_string()
            }
        });
        let span = parse_period(given(&self.days), from.as_deref())
            .map_err(|e| e.message)?
            .unwrap_or_default();
        let as_of = parse_as_of(given(&self.as_of)).map_err(|e| e.message)?;
        Ok(Chosen { span, as_of })
    }
}

/// A page's period query and what it chooses, or the 400 page saying what
/// is wrong with it.
#[allow(clippy::result_large_err)] // the page is the handler's answer
pub fn chosen_period(
    caller: &Caller,
    query: Result<Query<PeriodQuery>, QueryRejection>,
) -> Result<(PeriodQuery, Chosen), Response> {
    let query = page_query(caller, query)?;
    match query.parse() {
        Ok(chosen) => Ok((query, chosen)),
        Err(e) => Err(error_page(
            Some(caller),
            StatusCode::BAD_REQUEST,
            "Not a period",
            &e,
        )),
    }
}

/// The parameter a period came from, to name it in an error.
pub fn period_field(span: PeriodSpec) -> &'static str {
    match span {
        PeriodSpec::Days(_) => "days",
        PeriodSpec::From(_) => "from",
    }
}

/// The picker, for the page at `path` (already percent-encoded).
pub fn picker(path: &str, chosen: &Chosen, as_of_text: Option<&str>) -> Markup {
    let keep = as_of_text
        .map(|t| format!("&as_of={}", percent_encode(t, false)))
        .unwrap_or_default();
    let from_date = match chosen.span {
        PeriodSpec::From(f) => storewatch_core::domain::format_timestamp(f)
            .get(..10)
            .unwrap_or("")
            .to_string(),
        PeriodSpec::Days(_) => String::new(),
    };
    html! {
        nav.picker aria-label="period" {
            "Period: "
            @for days in [7, 28, 84] {
                @if matches!(chosen.span, PeriodSpec::Days(d) if d == days) {
                    strong.current { (days) " days" }
                } @else {
                    a href=(format!("{path}?days={days}{keep}")) { (days) " days" }
                }
                " · "
            }
            form.inline method="get" action=(path) {
                label { "from " input type="date" name="from" value=(from_date); " (midnight UTC)" }
                @if let Some(t) = as_of_text { input type="hidden" name="as_of" value=(t); }
                " " button { "Show" }
            }
        }
    }
}
