//! A web page the user visits must not be able to use the service through
//! the user's browser: no cross-site write (CSRF), no DNS rebinding of the
//! open service on loopback, headers that keep pages from being framed or
//! sniffed. Each check here failed on the service before these defences.

use reqwest::Method;
use storewatch::app::Settings;
use storewatch_db::{DataStore, Role};

use crate::common::client::Sent;
use crate::common::server::{key, spawn_app};

async fn timezones(app: &crate::common::server::TestApp) -> u64 {
    app.db.counts().await.unwrap().timezones
}

/// The attack of the issue: a page POSTs a header-only body as text/plain
/// (no preflight needed) and the whole time-zone snapshot is replaced.
#[tokio::test]
async fn a_body_a_page_could_send_without_asking_is_refused() {
    let app = spawn_app(Settings::default()).await;
    let (status, body) = app
        .push("timezones", "store_id,timezone_str\n1,Asia/Tokyo\n")
        .await;
    assert_eq!(status, 200, "{body}");
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let mut req = app
            .request(Method::POST, "/api/ingest/timezones")
            .body("store_id,timezone_str\n");
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let r = req.sent().await;
        assert_eq!(r.status(), 415, "{content_type:?}");
        let error = r.json::<serde_json::Value>().await.unwrap()["error"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(error.contains("text/csv"), "{error}");
        assert_eq!(
            timezones(&app).await,
            1,
            "{content_type:?} changed the data"
        );
    }
    // A JSON body must say it is JSON.
    for content_type in [Some("text/plain"), None] {
        let mut req = app
            .request(Method::POST, "/trigger_report")
            .body(r#"{"as_of": "2023-01-25 12:00:00 UTC"}"#);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let r = req.sent().await;
        assert_eq!(r.status(), 415, "{content_type:?}");
    }
    // Gzip-compressed CSV may say so.
    let gz = crate::common::server::gzip(b"store_id,timezone_str\n1,Asia/Tokyo\n2,UTC\n");
    for ct in ["application/gzip", "application/octet-stream"] {
        let r = app
            .request(Method::POST, "/api/ingest/timezones")
            .header("content-type", ct)
            .body(gz.clone())
            .sent()
            .await;
        assert_eq!(r.status(), 200, "{ct}");
    }
    assert_eq!(timezones(&app).await, 2);
}

/// A request that changes something and that the browser marks as coming
/// from another site (another port of the same host is same-site), or from
/// an origin that is not the service's, is refused whatever its
/// credentials; without those headers (curl, pollers) it goes through.
#[tokio::test]
async fn writes_from_another_sites_page_are_refused_even_with_the_cookie() {
    let app = spawn_app(Settings::default()).await;
    let admin = key(&app, "admin", Role::Admin, None).await;
    let ours = app.base.clone();
    let other_port = ours.replace(&ours[ours.rfind(':').unwrap()..], ":9");
    let cookie = format!("storewatch_key={admin}");
    let refused: [&[(&str, &str)]; 5] = [
        &[("sec-fetch-site", "cross-site")],
        &[("sec-fetch-site", "same-site"), ("origin", &other_port)],
        &[("origin", "http://evil.example.com")],
        &[("origin", &other_port)],
        &[("origin", "null")],
    ];
    for headers in refused {
        for (method, path) in [
            (Method::POST, "/trigger_report"),
            (Method::POST, "/api/ingest/timezones"),
            (Method::DELETE, "/api/polls?store_id=1"),
            (Method::POST, "/logout"),
        ] {
            let mut req = app
                .client
                .request(method.clone(), app.url(path))
                .header("cookie", &cookie)
                .header("content-type", "text/csv")
                .body("store_id,timezone_str\n");
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            let r = req.sent().await;
            assert_eq!(r.status(), 403, "{method} {path} {headers:?}");
            let body: serde_json::Value = r.json().await.unwrap();
            assert!(body["error"].as_str().unwrap().contains("may"), "{body}");
        }
    }
    // The service's own pages (same origin) and clients that send neither
    // header go through.
    for headers in [
        &[("sec-fetch-site", "same-origin"), ("origin", ours.as_str())][..],
        &[("sec-fetch-site", "none")],
        &[],
    ] {
        let mut req = app
            .client
            .post(app.url("/trigger_report"))
            .header("cookie", &cookie);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.sent().await;
        assert_eq!(r.status(), 200, "{headers:?}");
    }
    // Reading stays possible cross-site (the answer is the browser's to
    // withhold): a GET with the headers is not refused by this check.
    let r = app
        .client
        .get(app.url("/api/reports"))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .sent()
        .await;
    assert_eq!(r.status(), 200);
}

/// DNS rebinding: a name the attacker controls, resolved to 127.0.0.1,
/// reaches the open service with its own name in `Host`. Refused (421);
/// loopback names and addresses are served.
#[tokio::test]
async fn the_open_service_answers_only_to_loopback_names() {
    let app = spawn_app(Settings::default()).await;
    let port = app.base.rsplit(':').next().unwrap().to_string();
    for host in [
        "rebind.evil.example.com".to_string(),
        format!("rebind.evil.example.com:{port}"),
        format!("10.0.0.1:{port}"),
    ] {
        for path in ["/api/reports", "/healthz", "/"] {
            let r = app
                .client
                .get(app.url(path))
                .header("host", &host)
                .sent()
                .await;
            assert_eq!(r.status(), 421, "{host} {path}");
        }
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "localhost".to_string(),
    ] {
        let r = app
            .client
            .get(app.url("/api/reports"))
            .header("host", &host)
            .sent()
            .await;
        assert_eq!(r.status(), 200, "{host}");
    }
    // Once a key exists the key guards it: any Host, 401 without a key.
    let viewer = key(&app, "v", Role::Viewer, None).await;
    let r = app
        .client
        .get(app.url("/api/reports"))
        .header("host", "rebind.evil.example.com")
        .sent()
        .await;
    assert_eq!(r.status(), 401);
    let r = app
        .client
        .get(app.url("/api/reports"))
        .header("host", "storewatch.internal")
        .bearer_auth(&viewer)
        .sent()
        .await;
    assert_eq!(r.status(), 200);
}

/// Behind a proxy: `--public-url` names the address users reach; its host
/// and origin are accepted, and over https the login cookie is Secure.
#[tokio::test]
async fn a_public_url_sets_the_accepted_origin_and_a_secure_cookie() {
    let app = spawn_app(Settings {
        public_url: Some("https://storewatch.example.com".parse().unwrap()),
        ..Settings::default()
    })
    .await;
    let r = app
        .client
        .post(app.url("/trigger_report"))
        .header("host", "storewatch.example.com")
        .header("origin", "https://storewatch.example.com")
        .header("sec-fetch-site", "same-origin")
        .sent()
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // Its origin only: the direct address's is another site's now.
    let r = app
        .client
        .post(app.url("/trigger_report"))
        .header("origin", app.base.as_str())
        .sent()
        .await;
    assert_eq!(r.status(), 403);

    let admin = key(&app, "admin", Role::Admin, None).await;
    let client = crate::common::http_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("key={admin}&next=%2F"))
        .sent()
        .await;
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(cookie.ends_with("; Secure"), "{cookie}");

    // Without a public https address the cookie cannot be Secure (the
    // service is reached over plain http on loopback).
    let plain = spawn_app(Settings::default()).await;
    let admin = key(&plain, "admin", Role::Admin, None).await;
    let r = client
        .post(plain.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("key={admin}&next=%2F"))
        .sent()
        .await;
    assert!(
        !r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Secure")
    );
}

/// Every answer carries a policy that allows this service's own scripts
/// only and no framing, with nosniff and a same-origin referrer policy.
#[tokio::test]
async fn pages_carry_a_content_security_policy() {
    let app = spawn_app(Settings::default()).await;
    for path in ["/", "/api/docs", "/login", "/api/reports", "/nope"] {
        let r = app.client.get(app.url(path)).sent().await;
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-eval") && !csp.contains("script-src 'self' 'unsafe-inline'"));
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
    }
    // The pages hold no inline script for the policy to block.
    for path in ["/", "/api/docs", "/login"] {
        let html = app.get_text(path).await.1;
        for (i, _) in html.match_indices("<script") {
            assert!(
                html[i..].starts_with("<script src=\"/assets/"),
                "{path}: inline script at {i}"
            );
        }
    }
}
