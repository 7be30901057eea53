//! What keeps a web page from using the service through a visitor's
//! browser: a page elsewhere may make the browser send requests here
//! (with the login cookie, or to the open service on loopback), and a DNS
//! name rebound to 127.0.0.1 may even read the answers. So:
//!
//! * a state-changing request (POST, PUT, PATCH, DELETE) that the browser
//!   marks as coming from another site (`Sec-Fetch-Site: cross-site` or
//!   `same-site`; another port of the same host is same-site), or whose
//!   `Origin` is not this service's, is refused with 403, whatever its
//!   credentials. Requests without those headers (curl, pollers) pass;
//! * the open service (no key yet) on loopback answers only requests whose
//!   `Host` is a loopback name or address, or the `--public-url`'s host
//!   (421 otherwise);
//! * every answer carries a Content-Security-Policy (scripts from this
//!   service only, no framing), `nosniff` and `Referrer-Policy: same-origin`.
//!
//! Request bodies are accepted only with their own content types (the
//! controllers check): a page can send `text/plain` or a form without
//! asking first, never `text/csv` or `application/json`.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use storewatch_db::Database;

use crate::app::{AppState, Settings};
use crate::server::error::ApiError;

/// Pages load scripts and styles from this service only; inline style
/// attributes (the SVG charts) are allowed, inline scripts are not.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Middleware: the checks above, before anything else reads the request.
pub async fn guard<D: Database>(
    State(state): State<AppState<D>>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()))
        .unwrap_or("")
        .to_string();
    if state.settings.loopback && !accepted_host(&state.settings, &host) {
        match state.gate.is_closed(&state.db).await {
            Ok(true) => {}
            Ok(false) => {
                return ApiError::new(
                    StatusCode::MISDIRECTED_REQUEST,
                    format!(
                        "this open service answers requests to localhost only, not to {host:?}; \
                         create an API key, or give --public-url for the name it is reached by"
                    ),
                )
                .into_response();
            }
            Err(e) => return ApiError::from(e).into_response(),
        }
    }
    if changes_state(request.method())
        && let Err(why) = same_origin(headers, &host, &state.settings)
    {
        tracing::warn!(why, "cross-site request refused");
        return ApiError::new(StatusCode::FORBIDDEN, why).into_response();
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A loopback name or address (with any port), or the public address's host.
fn accepted_host(settings: &Settings, host: &str) -> bool {
    if settings
        .public_url
        .as_ref()
        .is_some_and(|u| u.is_host(host))
    {
        return true;
    }
    is_loopback_host(host)
}

/// `localhost`, `*.localhost`, `127.x.x.x` or `[::1]`, with or without a port.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let name = if let Some(rest) = host.strip_prefix('[') {
        // [IPv6]:port
        match rest.split_once(']') {
            Some((ip, "")) => ip.to_string(),
            Some((ip, port)) if port.strip_prefix(':').is_some_and(valid_port) => ip.to_string(),
            _ => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if valid_port(port) => name.to_string(),
            Some(_) => return false,
            None => host.clone(),
        }
    };
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    name.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

fn valid_port(port: &str) -> bool {
    !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().is_ok()
}

/// Whether the browser (if a browser sent it) sent this request from this
/// service's own pages. `Err` says why not.
fn same_origin(headers: &HeaderMap, host: &str, settings: &Settings) -> Result<(), String> {
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or("").to_ascii_lowercase();
        if site == "cross-site" || site == "same-site" {
            return Err(format!(
                "a request that changes something may not come from another site's page (Sec-Fetch-Site: {site})"
            ));
        }
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("").to_ascii_lowercase();
    let ours = match &settings.public_url {
        Some(url) => origin == url.origin(),
        None => {
            let host = host.to_ascii_lowercase();
            !host.is_empty()
                && (origin == format!("http://{host}") || origin == format!("https://{host}"))
        }
    };
    if ours {
        Ok(())
    } else {
        Err(format!(
            "a request that changes something may come only from this service's own pages, not from {origin:?}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for good in [
            "localhost",
            "localhost:8080",
            "LOCALHOST:1",
            "app.localhost:80",
            "127.0.0.1",
            "127.0.0.1:8080",
            "127.1.2.3:9",
            "[::1]",
            "[::1]:8080",
        ] {
            assert!(is_loopback_host(good), "{good}");
        }
        for bad in [
            "",
            "evil.example.com",
            "localhost.evil.com",
            "127.0.0.1.nip.io",
            "10.0.0.1:8080",
            "[::2]:80",
            "localhost:99999",
            "localhost:",
            "127.0.0.1:80:80",
            "[::1]x",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_this_services_pages_may_change_things() {
        let open = Settings::default();
        let host = "127.0.0.1:8080";
        // curl and pollers send neither header.
        assert!(same_origin(&headers(&[]), host, &open).is_ok());
        assert!(
            same_origin(
                &headers(&[
                    ("origin", "http://127.0.0.1:8080"),
                    ("sec-fetch-site", "same-origin")
                ]),
                host,
                &open
            )
            .is_ok()
        );
        assert!(same_origin(&headers(&[("sec-fetch-site", "none")]), host, &open).is_ok());
        for bad in [
            &[("sec-fetch-site", "cross-site")][..],
            &[("sec-fetch-site", "same-site")],
            &[("origin", "http://127.0.0.1:9999")],
            &[("origin", "http://evil.example.com")],
            &[("origin", "null")],
        ] {
            assert!(same_origin(&headers(bad), host, &open).is_err(), "{bad:?}");
        }
        let public = Settings {
            public_url: Some("https://storewatch.example.com".parse().unwrap()),
            ..Settings::default()
        };
        let origin = [("origin", "https://storewatch.example.com")];
        assert!(same_origin(&headers(&origin), "10.0.0.5:8080", &public).is_ok());
        let direct = [("origin", "http://10.0.0.5:8080")];
        assert!(same_origin(&headers(&direct), "10.0.0.5:8080", &public).is_err());
    }
}
