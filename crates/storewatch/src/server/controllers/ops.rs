//! For operators: health and metrics.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use storewatch_db::{Database, HealthPart};

use crate::app::AppState;
use crate::server::views::Health;

/// `GET /healthz`: 200 when the database answers, has this build's schema
/// (migrating it again if it lost it), is still the one opened and takes a
/// write; 503 otherwise, saying which part failed (the database's own
/// message goes to the log).
pub async fn health<D: Database>(State(state): State<AppState<D>>) -> Response {
    match state.db.health(crate::clock::now_micros()).await {
        Ok(()) => Json(Health {
            status: "ok",
            failed: None,
            error: None,
        })
        .into_response(),
        Err(e) => {
            tracing::error!(part = %e.part, error = %e.error, "health check failed");
            let error = match e.part {
                HealthPart::Schema => {
                    "the database schema is missing or out of date, and migrating it failed"
                }
                HealthPart::File => {
                    "the database file was deleted or replaced since the service opened it; restart the service"
                }
                HealthPart::Write => {
                    "the database does not take writes (read-only, or out of space?)"
                }
                HealthPart::Database => "the database does not answer",
            };
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    failed: Some(e.part.as_str()),
                    error: Some(error),
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
