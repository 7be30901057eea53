use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use storewatch_db::Database;

use axum::http::HeaderName;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use super::auth;
use super::browser;
use super::controllers::{alerts, docs, fleet, ingest, ingests, ops, polls, reports, stores};
use super::error::{method_not_allowed, not_found};
use super::pages;
use super::plumbing;
use super::plumbing::track_requests;
use crate::app::AppState;
use crate::app::access::Access;

/// Every route of the service. The report, health and metrics routes exist
/// at the root (as the platform and operators call them) and under `/api/`.
/// Each group of routes names the access it needs (see [`auth::require`]);
/// health, metrics and the API docs need none.
pub fn router<D: Database>(state: AppState<D>) -> Router {
    let guard = |access: Access| {
        middleware::from_fn_with_state((state.clone(), access), auth::require::<D>)
    };
    let page_guard = |access: Access| {
        middleware::from_fn_with_state((state.clone(), access), auth::require_page::<D>)
    };
    let pages = Router::new()
        .route("/", get(pages::fleet::show::<D>))
        .route("/reports/{id}", get(pages::report::show::<D>))
        .route("/stores/{id}", get(pages::store::show::<D>))
        .route_layer(page_guard(Access::Reports))
        .route(
            "/login",
            get(pages::login::show).post(pages::login::submit::<D>),
        )
        .route("/logout", post(pages::login::logout::<D>))
        .route("/assets/{name}", get(super::assets::show));
    let report_routes = || {
        Router::new()
            .route("/trigger_report", post(reports::trigger::handle::<D>))
            .route(
                "/get_report",
                get(reports::get::by_query::<D>).post(reports::get::by_body::<D>),
            )
            .route_layer(guard(Access::Reports))
            .method_not_allowed_fallback(method_not_allowed)
    };
    let ops_routes = || {
        Router::new()
            .route("/healthz", get(ops::health::<D>))
            .route("/metrics", get(ops::metrics::<D>))
    };
    // Uploads take as long as the body takes to arrive; everything else
    // answers within the timeout.
    let api = report_routes()
        .merge(
            Router::new()
                .route("/reports", get(reports::list::handle::<D>))
                .route("/reports/{id}", get(reports::get::by_path::<D>))
                .route("/stores", get(stores::list::list::<D>))
                .route("/fleet", get(fleet::show::<D>))
                .route("/stores/{id}/history", get(stores::history::show::<D>))
                .route("/stores/{id}/timeline", get(stores::timeline::show::<D>))
                .route_layer(guard(Access::Reports)),
        )
        .merge(
            Router::new()
                .route("/ingests", get(ingests::list::<D>))
                .route("/polls", axum::routing::delete(polls::delete::<D>))
                .route(
                    "/alerts/subscriptions",
                    get(alerts::list::handle::<D>).post(alerts::create::handle::<D>),
                )
                .route(
                    "/alerts/subscriptions/{id}",
                    axum::routing::delete(alerts::remove::handle::<D>),
                )
                .route(
                    "/alerts/subscriptions/{id}/deliveries",
                    get(alerts::deliveries::handle::<D>),
                )
                .route_layer(guard(Access::Admin)),
        )
        .merge(ops_routes())
        .route("/openapi.json", get(docs::openapi))
        .route("/docs", get(docs::page))
        .layer(middleware::from_fn(plumbing::timeout))
        .merge(
            Router::new()
                .route("/ingest/{source}", post(ingest::push::<D>))
                .route_layer(guard(Access::PushData)),
        )
        .method_not_allowed_fallback(method_not_allowed);
    let request_id = HeaderName::from_static(plumbing::REQUEST_ID);
    Router::new()
        .merge(report_routes())
        .merge(ops_routes())
        .merge(pages)
        .layer(middleware::from_fn(plumbing::timeout))
        .nest("/api", api)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.settings.max_body_bytes))
        .layer(CatchPanicLayer::custom(plumbing::panic_response))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            browser::guard::<D>,
        ))
        .layer(middleware::from_fn(plumbing::generic_internal_errors))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            track_requests,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(plumbing::request_span))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(
            request_id,
            plumbing::RandomRequestId,
        ))
        .with_state(state)
}
