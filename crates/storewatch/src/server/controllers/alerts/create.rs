//! `POST /api/alerts/subscriptions` with `{"url", "secret", "stores",
//! "after"}`: 201 with the subscription (its secret never shown again).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use storewatch_db::Database;

use crate::app::AppState;
use crate::app::alerts::subscription::{CreateError, NewSubscription, create};
use crate::app::alerts::target::TargetError;
use crate::clock::now_micros;
use crate::server::controllers::json_body;
use crate::server::error::ApiError;
use crate::server::views::SubscriptionView;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    url: String,
    secret: String,
    stores: Option<Vec<String>>,
    /// A duration (`30m`, `1h`), or seconds as a number.
    after: Option<serde_json::Value>,
}

pub async fn handle<D: Database>(
    State(state): State<AppState<D>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<SubscriptionView>), ApiError> {
    let body: CreateBody = json_body(&headers, &body)?.ok_or_else(|| {
        ApiError::bad_request(
            "the body must be a JSON object: {\"url\": …, \"secret\": …, \"stores\": […] (optional), \"after\": \"30m\" (optional)}",
        )
    })?;
    let after = body.after.as_ref().map(|a| match a {
        serde_json::Value::Number(n) => format!("{n}s"),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let new = NewSubscription::parse(
        &body.url,
        &body.secret,
        body.stores.as_deref(),
        after.as_deref(),
    )
    .map_err(ApiError::bad_request)?;
    let key = state
        .alerts
        .key
        .as_ref()
        .map_err(|why| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, why.clone()))?;
    let allow_private = state.settings.allow_private_webhooks;
    match create(&state.db, key, new, allow_private, now_micros()).await {
        Ok(s) => Ok((StatusCode::CREATED, Json(SubscriptionView::of(&s)))),
        Err(CreateError::Target(
            e @ (TargetError::Private { .. } | TargetError::Unresolved { .. }),
        )) => Err(ApiError::unprocessable(e.to_string())),
        Err(CreateError::Target(e)) => Err(ApiError::bad_request(e.to_string())),
        Err(e @ CreateError::TooMany) => Err(ApiError::new(StatusCode::CONFLICT, e.to_string())),
        Err(e) => Err(ApiError::internal(e)),
    }
}
