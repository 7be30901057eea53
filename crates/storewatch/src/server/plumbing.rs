//! HTTP plumbing around every route: a request id on every request (in every
//! log line of it and returned as `x-request-id`), gzip compression, a
//! timeout, and internal failures (errors and panics) answered with a
//! generic JSON 500 that names the request id, the detail going to the log.

use std::any::Any;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tower_http::request_id::{MakeRequestId, RequestId};

use crate::app::metrics::Metrics;

/// The header carrying the request id, both ways.
pub const REQUEST_ID: &str = "x-request-id";

/// Request ids: 128 random bits in hex, unless the client sent one.
#[derive(Clone, Copy, Default)]
pub struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let id = crate::clock::random_id().ok()?;
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// The span every request's log lines belong to.
pub fn request_span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
}

/// A panic in a handler: logged with its message, answered as a 500.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic");
    tracing::error!(panic = what, "request handler panicked");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// Every 500 leaves as the same generic JSON naming the request id; what
/// went wrong was logged once, inside the request's span, by whoever failed.
/// Every other error axum answered in plain text leaves as JSON too
/// ([`json_rejection`]).
pub async fn generic_internal_errors(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    let response = next.run(req).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return json_rejection(response).await;
    }
    let body = json!({
        "error": format!("internal error; the server log has the details under request id {id}"),
        "request_id": id,
    });
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}

/// The largest plain-text error body turned into JSON: axum's own
/// rejections (a path segment that is not UTF-8, a body over the limit)
/// are a line.
const REJECTION_BYTES: usize = 4096;

/// An error axum answered itself, in plain text (an extractor's rejection:
/// a path segment that is not UTF-8, a body over the limit), answered as
/// the API's JSON error instead, with the same status and text.
async fn json_rejection(response: Response) -> Response {
    let status = response.status();
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = match axum::body::to_bytes(body, REJECTION_BYTES).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_string(),
        Err(_) => status.canonical_reason().unwrap_or("error").to_string(),
    };
    let mut answer = (status, Json(json!({ "error": text }))).into_response();
    for (name, value) in &parts.headers {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            answer.headers_mut().insert(name.clone(), value.clone());
        }
    }
    answer
}

/// How long a request may take, uploads excepted (see the router).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Answers 503 in JSON when a request takes longer than [`REQUEST_TIMEOUT`].
pub async fn timeout(req: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(seconds = REQUEST_TIMEOUT.as_secs(), "request timed out");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"error": "the request took too long; try again"})),
            )
                .into_response()
        }
    }
}

/// Middleware: counts and times every request, labelled by route template
/// (not the raw path, which would make a label per report id).
pub async fn track_requests(
    State(metrics): State<Arc<Metrics>>,
    req: Request,
    next: Next,
) -> Response {
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let start = Instant::now();
    let response = next.run(req).await;
    let seconds = start.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    metrics.request(method.as_str(), &route, status, seconds);
    tracing::debug!(%method, route, status, ms = seconds * 1000.0, "request");
    response
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;
    use tower_http::catch_panic::CatchPanicLayer;

    use super::*;

    #[tokio::test]
    async fn a_panicking_handler_answers_a_generic_json_500() {
        async fn boom() -> &'static str {
            panic!("secret detail")
        }
        let app = Router::new()
            .route("/boom", get(boom))
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(axum::middleware::from_fn(generic_internal_errors));
        let req = axum::http::Request::get("/boom")
            .header(REQUEST_ID, "r-1")
            .body(Body::empty())
            .unwrap();
        let res = app.oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["request_id"], "r-1");
        assert!(!body.to_string().contains("secret"), "{body}");
    }
}
