//! The pages' scripts, served from files of their own (the
//! Content-Security-Policy allows no inline script). Compiled in: the
//! binary is the whole service.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

const START_JS: &str = include_str!("assets/start.js");
const DOCS_JS: &str = include_str!("assets/docs.js");

/// `GET /assets/{name}`.
pub async fn show(Path(name): Path<String>) -> Response {
    let body = match name.as_str() {
        "start.js" => START_JS,
        "docs.js" => DOCS_JS,
        _ => return ApiError::not_found(format!("no asset {name:?}")).into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}
