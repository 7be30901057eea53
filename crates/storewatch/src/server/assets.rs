//! The pages' scripts and style sheet, served from files of their own (the
//! Content-Security-Policy allows no inline script). Compiled in: the
//! binary is the whole service.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

const FLEET_JS: &str = include_str!("assets/fleet.js");
const DOCS_JS: &str = include_str!("assets/docs.js");
const STYLE_CSS: &str = include_str!("assets/style.css");

/// `GET /assets/{name}`.
pub async fn show(Path(name): Path<String>) -> Response {
    const SCRIPT: &str = "text/javascript; charset=utf-8";
    let (body, content_type) = match name.as_str() {
        "fleet.js" => (FLEET_JS, SCRIPT),
        "docs.js" => (DOCS_JS, SCRIPT),
        "style.css" => (STYLE_CSS, "text/css; charset=utf-8"),
        _ => return ApiError::not_found(format!("no asset {name:?}")).into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}
