//! The gate in front of every route but health, metrics and the API docs:
//! finds the caller from the `Authorization` header, or else from the
//! dashboard's key cookie (see [`crate::app::access`]), and lets it through
//! only with a role the route allows. Handlers read the caller from the
//! request's extensions. A page sends a caller without a key to the login
//! page instead of answering 401.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use storewatch_db::Database;

use crate::app::AppState;
use crate::app::access::{Access, AuthError};
use crate::clock::now_micros;
use crate::server::error::ApiError;
use crate::server::percent::percent_encode;

/// The cookie the dashboard keeps the key in (HttpOnly, SameSite=Strict).
pub const KEY_COOKIE: &str = "storewatch_key";

/// The credentials of a request: its `Authorization` header, else the key
/// cookie as if it were a bearer token.
fn credentials(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers.get(header::AUTHORIZATION) {
        return Some(v.to_str().unwrap_or("").to_string());
    }
    cookie(headers, KEY_COOKIE).map(|key| format!("Bearer {key}"))
}

/// The value of cookie `name`, if the request sends it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Middleware for pages: as [`require`], but a caller without a valid key
/// is sent to the login page (which comes back here after).
pub async fn require_page<D: Database>(
    State((state, access)): State<(AppState<D>, Access)>,
    request: Request,
    next: Next,
) -> Response {
    let found = state
        .gate
        .authenticate(
            &state.db,
            credentials(request.headers()).as_deref(),
            now_micros(),
        )
        .await;
    if matches!(found, Err(AuthError::Missing | AuthError::Invalid)) {
        let back = request.uri().path_and_query().map_or("/", |p| p.as_str());
        let to = format!("/login?next={}", percent_encode(back, true));
        return axum::response::Redirect::to(&to).into_response();
    }
    require(State((state, access)), request, next).await
}

/// Middleware: 401 without a valid key, 403 with a key of the wrong role.
pub async fn require<D: Database>(
    State((state, access)): State<(AppState<D>, Access)>,
    mut request: Request,
    next: Next,
) -> Response {
    let authorization = credentials(request.headers());
    let caller = match state
        .gate
        .authenticate(&state.db, authorization.as_deref(), now_micros())
        .await
    {
        Ok(caller) => caller,
        Err(AuthError::Storage(e)) => return ApiError::from(e).into_response(),
        Err(e @ (AuthError::Missing | AuthError::Invalid)) => {
            let challenge = match e {
                AuthError::Missing => "Bearer",
                _ => "Bearer error=\"invalid_token\"",
            };
            return ApiError::new(StatusCode::UNAUTHORIZED, e.to_string())
                .with_header(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(challenge),
                )
                .into_response();
        }
    };
    if !access.allows(caller.role) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "this {} key may not use this route; it needs an {} key",
                caller.role,
                access.roles()
            ),
        )
        .into_response();
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}
