//! The dashboard's pages, drawn by the server with maud (which escapes every
//! value it writes): plain HTML with inline SVG charts, the style and the
//! scripts served from files of their own, nothing fetched from elsewhere.

pub mod charts;
pub mod fleet;
pub mod format;
pub mod login;
mod picker;
pub mod report;
pub mod store;
mod week_svg;

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use crate::app::access::Caller;

/// A whole page: title, navigation and `body`. The "Log out" button shows
/// only to a caller who logged in with a key (an open service has nothing
/// to log out of).
pub fn page(title: &str, caller: Option<&Caller>, body: Markup) -> Response {
    let logged_in = caller.is_some_and(|c| c.key.is_some());
    let html = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { (title) " · storewatch" }
                link rel="stylesheet" href="/assets/style.css";
            }
            body {
                header {
                    a href="/" { strong { "storewatch" } }
                    a href="/api/docs" { "API docs" }
                    @if logged_in {
                        form.logout method="post" action="/logout" { button { "Log out" } }
                    }
                }
                main { (body) }
            }
        }
    };
    (
        [(header::CACHE_CONTROL, "no-store")],
        Html(html.into_string()),
    )
        .into_response()
}

/// A page's query, or the HTML page saying what is wrong with it (400).
// The page is what the handler returns at once: no gain in boxing it.
#[allow(clippy::result_large_err)]
pub fn page_query<T>(
    caller: &Caller,
    query: Result<axum::extract::Query<T>, axum::extract::rejection::QueryRejection>,
) -> Result<T, Response> {
    query.map(|axum::extract::Query(q)| q).map_err(|e| {
        error_page(
            Some(caller),
            StatusCode::BAD_REQUEST,
            "Not a query this page takes",
            &e.body_text(),
        )
    })
}

/// `response` with `status`: a page drawn whole that still says the
/// request was wrong (a period that does not fit its report time).
pub fn with_status(mut response: Response, status: StatusCode) -> Response {
    *response.status_mut() = status;
    response
}

/// A figure in a box: what it is, its value (right-aligned, with its
/// unit), and a line under it. `id` names it for tests and links.
pub fn tile(id: &str, label: &str, value: impl maud::Render, sub: Markup) -> Markup {
    html! {
        div.tile id=(id) {
            span.label { (label) }
            span.value { (value) }
            span.sub { (sub) }
        }
    }
}

/// The open, up and down time of a period as the first two tiles.
pub fn time_tiles(t: &storewatch_core::report::Times) -> Markup {
    html! {
        (tile("tile-percent", "downtime", format::percent(t), html! { "of the observed open time" }))
        (tile("tile-hours", "downtime hours", format::hours(t.down), html! { "of " (format::hours(t.open)) " open" }))
    }
}

/// A page saying what went wrong, with `status`, for `caller` (if known:
/// the page then has its "Log out").
pub fn error_page(
    caller: Option<&Caller>,
    status: StatusCode,
    title: &str,
    message: &str,
) -> Response {
    let body = html! {
        h1 { (title) }
        p.error { (message) }
    };
    let mut response = page(title, caller, body);
    *response.status_mut() = status;
    response
}

/// The page for our own failure: the detail goes to the log, once; the
/// person is told where it went.
pub fn internal_error_page(
    caller: &Caller,
    page_name: &str,
    error: impl std::fmt::Display,
) -> Response {
    tracing::error!(error = %error, page = page_name, "page failed");
    error_page(
        Some(caller),
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The server log has the details.",
    )
}
