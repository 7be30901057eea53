//! One module per resource, one function per action (crates.io style).

pub mod docs;
pub mod fleet;
pub mod ingest;
pub mod ingests;
pub mod ops;
pub mod polls;
pub mod reports;
pub mod stores;

use axum::body::Bytes;
use axum::http::HeaderMap;

use crate::server::error::ApiError;

/// An optional JSON object body: empty is fine, anything else must be JSON
/// and say so (`Content-Type: application/json`, which no page elsewhere
/// can send without the browser asking first).
pub fn json_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Option<T>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let ct = headers
        .get(axum::http::header::CONTENT_TYPE)
        .map(|ct| ct.to_str().unwrap_or("").to_ascii_lowercase());
    let essence = ct
        .as_deref()
        .map(|ct| ct.split(';').next().unwrap_or("").trim());
    if essence != Some("application/json") {
        let got = ct.map_or("no Content-Type".to_string(), |ct| format!("{ct:?}"));
        return Err(ApiError::unsupported_media_type(format!(
            "the body must be JSON sent as Content-Type: application/json; got {got}"
        )));
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
