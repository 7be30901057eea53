//! `GET /login`, `POST /login`, `POST /logout`: the dashboard asks for a
//! key once and keeps it in an HttpOnly, SameSite=Strict cookie, which the
//! API then accepts like a bearer token (pages and their scripts never see
//! the key).

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use storewatch_db::{Database, Role};

use maud::html;

use super::page;
use crate::app::AppState;
use crate::clock::now_micros;
use crate::server::auth::KEY_COOKIE;

#[derive(Debug, Default, Deserialize)]
pub struct Next {
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Login {
    key: String,
    next: Option<String>,
}

/// Where to go after logging in: a path of this service only.
fn local_path(next: Option<&str>) -> String {
    match next {
        // Visible ASCII only: it goes into a Location header.
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && p.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            p.to_string()
        }
        _ => "/".to_string(),
    }
}

fn form(next: &str, error: Option<&str>) -> Response {
    let body = html! {
        h1 { "Log in" }
        @if let Some(e) = error { p.error { (e) } }
        p {
            "Paste the API key you were given (" code { "sw_…" } "). It is kept in a cookie "
            "this browser sends back to this service only."
        }
        form method="post" action="/login" {
            input type="password" name="key" size="70" autofocus required aria-label="API key";
            input type="hidden" name="next" value=(next);
            " " button { "Log in" }
        }
    };
    page("Log in", None, body)
}

pub async fn show(Query(q): Query<Next>) -> Response {
    form(&local_path(q.next.as_deref()), None)
}

pub async fn submit<D: Database>(
    State(state): State<AppState<D>>,
    Form(login): Form<Login>,
) -> Response {
    let next = local_path(login.next.as_deref());
    let key = login.key.trim();
    // A key is letters, digits and `_`: nothing that could end the cookie.
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        let mut response = form(&next, Some("that is not an API key (sw_…)"));
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        return response;
    }
    let bearer = format!("Bearer {key}");
    match state
        .gate
        .authenticate(&state.db, Some(&bearer), now_micros())
        .await
    {
        // A poller's key reads nothing: logging in with it would lead to
        // pages that all refuse it.
        Ok(caller) if caller.role == Role::Ingest => {
            let mut response = form(
                &next,
                Some(
                    "this is an ingest key: it can push data, not use the dashboard (use a viewer or admin key)",
                ),
            );
            *response.status_mut() = StatusCode::FORBIDDEN;
            response
        }
        Ok(_) => {
            let cookie = format!(
                "{KEY_COOKIE}={key}; HttpOnly; SameSite=Strict; Path=/{}",
                secure(&state)
            );
            let mut response = Redirect::to(&next).into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, v);
            }
            response
        }
        Err(e) => {
            let mut response = form(&next, Some(&format!("{e}")));
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            response
        }
    }
}

/// `; Secure` when people reach the service over https (`--public-url`):
/// the browser then never sends the key over plain http.
fn secure<D>(state: &AppState<D>) -> &'static str {
    match &state.settings.public_url {
        Some(url) if url.is_https() => "; Secure",
        _ => "",
    }
}

pub async fn logout<D: Database>(State(state): State<AppState<D>>) -> Response {
    let mut response = Redirect::to("/login").into_response();
    let expired = format!(
        "{KEY_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{}",
        secure(&state)
    );
    if let Ok(v) = HeaderValue::from_str(&expired) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}
