//! The dashboard's pages, drawn by the server: plain HTML with an inline
//! SVG, no script needed to read them and nothing fetched from elsewhere.

pub mod login;
pub mod report;
pub mod start;
pub mod store;
mod week_svg;

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

/// `text` safe inside HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}\
header{background:#1d2330;color:#fff;padding:.6em 1.2em;display:flex;gap:1.5em;align-items:center}\
header a{color:#cfe0ff;text-decoration:none}main{padding:1em 1.2em;max-width:1100px}\
table{border-collapse:collapse;background:#fff;margin:.5em 0 1.2em}th,td{border:1px solid #d8dce3;padding:.25em .6em;text-align:right}\
th{background:#eef1f5}td:first-child,th:first-child{text-align:left}.note{background:#fff6d6;border:1px solid #f0d98a;padding:.4em .8em;display:inline-block}\
.error{background:#fde8e8;border:1px solid #f3b4b4;padding:.4em .8em}svg{background:#fff;border:1px solid #d8dce3}\
.legend span{display:inline-block;margin-right:1.2em}.sw{display:inline-block;width:1em;height:.8em;vertical-align:middle;margin-right:.3em}";

/// A page saying what went wrong, with `status`.
pub fn error_page(status: axum::http::StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<h1>{}</h1><p class=error>{}</p>",
        escape(title),
        escape(message)
    );
    let mut response = page(title, &body);
    *response.status_mut() = status;
    response
}

/// The page for our own failure: the detail goes to the log, once; the
/// person is told where it went.
pub fn internal_error_page(page_name: &str, error: impl std::fmt::Display) -> Response {
    tracing::error!(error = %error, page = page_name, "page failed");
    error_page(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The server log has the details.",
    )
}

/// A whole page: title, navigation and `body` (already HTML).
pub fn page(title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8>\
         <meta name=viewport content=\"width=device-width,initial-scale=1\">\
         <title>{title} · storewatch</title><style>{STYLE}</style></head><body>\
         <header><a href=\"/\"><strong>storewatch</strong></a><a href=\"/api/docs\">API docs</a>\
         <form method=post action=\"/logout\" style=\"margin-left:auto\"><button>Log out</button></form></header>\
         <main>{body}</main></body></html>",
        title = escape(title),
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}
