use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use storewatch_db::Database;

use super::AppState;
use super::controllers::{docs, ingest, ops, reports};
use super::error::{method_not_allowed, not_found};
use super::metrics::track_requests;

/// Every route of the service. The report, health and metrics routes exist
/// at the root (as the platform and operators call them) and under `/api/`.
pub fn router<D: Database>(state: AppState<D>) -> Router {
    let report_routes = || {
        Router::new()
            .route("/trigger_report", post(reports::trigger::handle::<D>))
            .route(
                "/get_report",
                get(reports::get::by_query::<D>).post(reports::get::by_body::<D>),
            )
            .method_not_allowed_fallback(method_not_allowed)
    };
    let ops_routes = || {
        Router::new()
            .route("/healthz", get(ops::health::<D>))
            .route("/metrics", get(ops::metrics::<D>))
    };
    let api = report_routes()
        .merge(ops_routes())
        .route("/ingest/{source}", post(ingest::push::<D>))
        .route("/openapi.json", get(docs::openapi))
        .route("/docs", get(docs::page))
        .method_not_allowed_fallback(method_not_allowed);
    Router::new()
        .merge(report_routes())
        .nest("/api", api)
        .merge(ops_routes())
        .route("/", get(docs::root))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.settings.max_body_bytes))
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            track_requests,
        ))
        .with_state(state)
}
