//! One module per resource, one function per action (crates.io style).

pub mod alerts;
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

use storewatch_core::domain::{Micros, format_timestamp, parse_timestamp};
use storewatch_core::report::{MAX_PERIOD_DAYS, PeriodError, PeriodSpec};

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

/// The period of `days` (1 to 366) or `from` (a time), at most one of them;
/// `None` when neither is given. Errors name the parameter.
pub fn parse_period(
    days: Option<&str>,
    from: Option<&str>,
) -> Result<Option<PeriodSpec>, ApiError> {
    let days = days
        .map(|d| {
            d.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_PERIOD_DAYS).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "days {d:?}: expected a whole number from 1 to {MAX_PERIOD_DAYS}"
                    ))
                })
        })
        .transpose()?;
    let from = from
        .map(|f| parse_timestamp(f).map_err(|e| ApiError::bad_request(format!("from: {e}"))))
        .transpose()?;
    match (days, from) {
        (Some(_), Some(_)) => Err(ApiError::bad_request(
            "days and from: give one of them, not both",
        )),
        (Some(d), None) => Ok(Some(PeriodSpec::Days(d))),
        (None, Some(f)) => Ok(Some(PeriodSpec::From(f))),
        (None, None) => Ok(None),
    }
}

/// A period that does not fit its report time `t`, naming the parameter.
pub fn period_misfit(span: PeriodSpec, e: PeriodError, t: Micros) -> ApiError {
    let which = match span {
        PeriodSpec::From(_) => "from",
        PeriodSpec::Days(_) => "days",
    };
    ApiError::bad_request(format!(
        "{which}: {e} (report time {})",
        format_timestamp(t)
    ))
}

/// `?days=&from=&as_of=` of the fleet and a store's history.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodParams {
    pub days: Option<String>,
    pub from: Option<String>,
    pub as_of: Option<String>,
}

impl PeriodParams {
    /// The period (default 28 days) and the report time, if given.
    pub fn parse(&self) -> Result<(PeriodSpec, Option<Micros>), ApiError> {
        let span = parse_period(self.days.as_deref(), self.from.as_deref())?.unwrap_or_default();
        Ok((span, parse_as_of(self.as_of.as_deref())?))
    }
}

/// `as_of`, if given.
pub fn parse_as_of(text: Option<&str>) -> Result<Option<Micros>, ApiError> {
    text.map(|t| parse_timestamp(t).map_err(|e| ApiError::bad_request(format!("as_of: {e}"))))
        .transpose()
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
