//! The OpenAPI document and a docs page that renders it with no outside
//! resources (it works offline: no CDN).

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The API description, hand-written and kept honest by a test that calls
/// every path it lists.
pub const OPENAPI: &str = include_str!("openapi.json");
const PAGE: &str = include_str!("docs.html");

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

pub async fn page() -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE).into_response()
}
