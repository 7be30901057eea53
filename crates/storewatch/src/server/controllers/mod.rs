//! One module per resource, one function per action (crates.io style).

pub mod docs;
pub mod ingest;
pub mod ingests;
pub mod ops;
pub mod polls;
pub mod reports;
pub mod stores;

use axum::body::Bytes;
use axum::http::HeaderMap;

use crate::server::error::ApiError;

/// An optional JSON object body: empty is fine, anything else must be JSON.
pub fn json_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Option<T>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if let Some(ct) = headers.get(axum::http::header::CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
        if !ct.starts_with("application/json") {
            return Err(ApiError::unsupported_media_type(format!(
                "the body must be JSON (Content-Type: application/json), not {ct:?}"
            )));
        }
    }
    serde_json::from_slice(body)
        .map(Some)
        .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
}

/// `?limit=&before=` of the listings.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    pub limit: Option<String>,
    pub before: Option<String>,
}

/// Entries a listing gives when not told.
pub const DEFAULT_LIMIT: u32 = 50;
/// The most entries a listing gives at once.
pub const MAX_LIMIT: u32 = 500;

/// `limit`: 1 to [`MAX_LIMIT`], default [`DEFAULT_LIMIT`].
pub fn parse_limit(text: Option<&str>) -> Result<u32, ApiError> {
    let Some(text) = text else {
        return Ok(DEFAULT_LIMIT);
    };
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_LIMIT).contains(n))
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "limit {text:?}: expected a whole number from 1 to {MAX_LIMIT}"
            ))
        })
}
