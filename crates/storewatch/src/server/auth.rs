//! The gate in front of every route but health, metrics and the API docs:
//! finds the caller from the `Authorization` header (see
//! [`crate::app::access`]) and lets it through only with a role the route
//! allows. Handlers read the caller from the request's extensions.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use storewatch_db::Database;

use crate::app::AppState;
use crate::app::access::{Access, AuthError};
use crate::clock::now_micros;
use crate::server::error::ApiError;

/// Middleware: 401 without a valid key, 403 with a key of the wrong role.
pub async fn require<D: Database>(
    State((state, access)): State<(AppState<D>, Access)>,
    mut request: Request,
    next: Next,
) -> Response {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or(""));
    let caller = match state
        .gate
        .authenticate(&state.db, authorization, now_micros())
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
                "a {} key may not use this route; it needs an {} key",
                caller.role,
                access.roles()
            ),
        )
        .into_response();
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}
