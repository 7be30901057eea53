//! The dashboard's pages, drawn by the server with maud (which escapes every
//! value it writes): plain HTML with inline SVG charts, the style and the
//! scripts served from files of their own, nothing fetched from elsewhere.

pub mod charts;
pub mod format;
pub mod login;
mod picker;
pub mod report;
pub mod start;
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

/// A page saying what went wrong, with `status`.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = html! {
        h1 { (title) }
        p.error { (message) }
    };
    let mut response = page(title, None, body);
    *response.status_mut() = status;
    response
}

/// The page for our own failure: the detail goes to the log, once; the
/// person is told where it went.
pub fn internal_error_page(page_name: &str, error: impl std::fmt::Display) -> Response {
    tracing::error!(error = %error, page = page_name, "page failed");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The server log has the details.",
    )
}
