//! `GET /stores/{id}?as_of=TS`: a store's week as a person would look at
//! it: the picture, the report's figures, the incidents, and a note when
//! special hours apply today. Built from the same data as the timeline JSON.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use storewatch_core::domain::{MICROS_PER_HOUR, format_timestamp, parse_timestamp};
use storewatch_core::report::{hundredths, to_micros};
use storewatch_db::Database;

use super::{error_page, escape, internal_error_page, page, week_svg};
use crate::app::AppState;
use crate::app::access::Caller;
use crate::app::timeline::{local, store_timeline};
use storewatch_core::domain::StoreId;

#[derive(Debug, Default, Deserialize)]
pub struct StoreParams {
    as_of: Option<String>,
}

pub async fn show<D: Database>(
    State(state): State<AppState<D>>,
    Extension(caller): Extension<Caller>,
    Path(store_id): Path<String>,
    Query(params): Query<StoreParams>,
) -> Response {
    let as_of = match params
        .as_of
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(parse_timestamp)
        .transpose()
    {
        Ok(t) => t,
        Err(e) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "Not a report time",
                &format!("as_of: {e}"),
            );
        }
    };
    // Text that is not a store id names no store.
    let found = match store_id.parse::<StoreId>() {
        Ok(id) => store_timeline(&state.db, &id, as_of, caller.scope.as_ref()).await,
        Err(_) => Ok(None),
    };
    let t = match found {
        Ok(Some(t)) => t,
        Ok(None) => {
            return error_page(
                StatusCode::NOT_FOUND,
                "No such store",
                &format!(
                    "There is no store {store_id:?} with a poll (or it is not one of this key's stores)."
                ),
            );
        }
        Err(e) => {
            return internal_error_page("store", e);
        }
    };
    let mut body = format!(
        "<h1>Store {}</h1><p>Week before <strong>{}</strong> (UTC), local time <strong>{}</strong> ({}{}). \
         <form style=display:inline method=get>Another report time: <input name=as_of placeholder=\"2023-01-25 12:00:00 UTC\" size=28> <button>Show</button></form></p>",
        escape(&t.store_id),
        format_timestamp(t.as_of),
        escape(&local(&t.tz, t.as_of)),
        escape(&t.timezone),
        if t.timezone_given {
            ""
        } else {
            ", the default zone: none was given"
        },
    );
    let today =
        t.tz.to_datetime(jiff::Timestamp::from_microsecond(t.as_of).unwrap_or_default())
            .date();
    if let Some(s) = t.special.iter().find(|s| s.date == today) {
        let note = match s.hours {
            None => "Closed today (special hours).".to_string(),
            Some((a, b)) => format!("Special hours today: {a}–{b}."),
        };
        body.push_str(&format!("<p class=note>{note}</p>"));
    }
    if t.polls.iter().all(|(_, candidate)| !candidate) {
        body.push_str(
            "<p class=note>No observations: no poll inside business hours this week.</p>",
        );
    }
    body.push_str("<p class=legend><span><i class=sw style=background:#dfe7f3></i>business hours</span>\
        <span><i class=sw style=background:#2e9d5b></i>counted up</span><span><i class=sw style=background:#d64545></i>counted down</span>\
        <span>● poll in hours (green active, red inactive) · ○ outside hours</span></p>");
    body.push_str(&week_svg::draw(&t));
    body.push_str("<h2>Figures</h2><div style=overflow-x:auto><table class=figures><tr>");
    for (name, _) in &t.figures {
        body.push_str(&format!("<th>{}</th>", escape(name)));
    }
    body.push_str("</tr><tr>");
    for (_, value) in &t.figures {
        body.push_str(&format!("<td>{}</td>", escape(value)));
    }
    body.push_str("</tr></table></div><h2>Incidents</h2>");
    if t.incidents.is_empty() {
        body.push_str("<p>None this week.</p>");
    } else {
        body.push_str("<table class=incidents><tr><th>start (local)</th><th>end (local)</th><th>downtime (h)</th><th>inactive polls</th><th>ongoing</th></tr>");
        for i in &t.incidents {
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{:.2}</td><td>{}</td><td>{}</td></tr>",
                escape(&local(&t.tz, to_micros(i.start))),
                escape(&local(&t.tz, to_micros(i.end))),
                hundredths(i.downtime, MICROS_PER_HOUR) as f64 / 100.0,
                i.inactive_polls,
                if i.ongoing { "yes" } else { "no" },
            ));
        }
        body.push_str("</table>");
    }
    page(&format!("Store {}", t.store_id), &body).into_response()
}
