//! For operators: health and metrics.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use storewatch_db::Database;

use crate::app::AppState;
use crate::server::views::Health;

/// `GET /healthz`: 200 when the database answers, 503 when it does not
/// (saying which part failed; the database's own message goes to the log).
pub async fn health<D: Database>(State(state): State<AppState<D>>) -> Response {
    match state.db.ping().await {
        Ok(()) => Json(Health {
            status: "ok",
            failed: None,
            error: None,
        })
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    failed: Some("database"),
                    error: Some("the database does not answer"),
                }),
            )
                .into_response()
        }
    }
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics<D: Database>(State(state): State<AppState<D>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}
