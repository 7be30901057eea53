//! Every error path answers JSON `{"error": …}` with a fitting status, and
//! the OpenAPI document describes routes that exist.

use crate::common::client::Sent;
use crate::common::server::{TestApp, claim_directly, queue_directly, spawn_app};
use serde_json::Value;
use storewatch::app::Settings;

struct Case {
    method: &'static str,
    path: &'static str,
    content_type: Option<&'static str>,
    body: &'static str,
    status: u16,
    error: &'static str,
}

const fn case(method: &'static str, path: &'static str, status: u16, error: &'static str) -> Case {
    Case {
        method,
        path,
        content_type: None,
        body: "",
        status,
        error,
    }
}

const fn with_body(
    method: &'static str,
    path: &'static str,
    content_type: &'static str,
    body: &'static str,
    status: u16,
    error: &'static str,
) -> Case {
    Case {
        method,
        path,
        content_type: Some(content_type),
        body,
        status,
        error,
    }
}

const CASES: &[Case] = &[
    // axum's own rejections, answered as JSON too.
    case("GET", "/api/reports/%FF", 400, "Invalid UTF-8"),
    case(
        "GET",
        "/api/alerts/subscriptions/%FF/deliveries",
        400,
        "Invalid UTF-8",
    ),
    case(
        "POST",
        "/trigger_report?as_of=9999-12-31T23:59:59Z",
        400,
        "is outside the years 1970 to 2200",
    ),
    case("GET", "/get_report", 400, "missing report_id"),
    case(
        "GET",
        "/api/get_report?report_id=",
        400,
        "missing report_id",
    ),
    case(
        "GET",
        "/get_report?report_id=abc",
        400,
        "malformed report_id \"abc\"",
    ),
    case(
        "GET",
        "/get_report?report_id=0000000000000000000000000000000g",
        400,
        "malformed report_id",
    ),
    case(
        "GET",
        "/get_report?report_id=00000000000000000000000000000000",
        404,
        "no report 00000000000000000000000000000000",
    ),
    case(
        "GET",
        "/get_report?report_id=00000000000000000000000000000000&format=xml",
        400,
        "format \"xml\": expected csv or json",
    ),
    case(
        "GET",
        "/get_report?id=00000000000000000000000000000000",
        400,
        "unknown field `id`",
    ),
    with_body(
        "POST",
        "/get_report",
        "application/json",
        "{}",
        400,
        "missing report_id",
    ),
    with_body(
        "POST",
        "/get_report",
        "application/json",
        "{\"report_id\": 7}",
        400,
        "invalid JSON body",
    ),
    with_body(
        "POST",
        "/get_report",
        "text/plain",
        "report_id=x",
        415,
        "must be JSON",
    ),
    case(
        "GET",
        "/trigger_report",
        405,
        "GET is not allowed on /trigger_report",
    ),
    case(
        "DELETE",
        "/api/get_report",
        405,
        "DELETE is not allowed on /api/get_report",
    ),
    case("GET", "/api/ingest/polls", 405, "GET is not allowed"),
    case(
        "POST",
        "/trigger_report?as_of=yesterday",
        400,
        "as_of: \"yesterday\" is not a timestamp",
    ),
    with_body(
        "POST",
        "/trigger_report",
        "application/json",
        "{\"as_of\": ",
        400,
        "invalid JSON body",
    ),
    with_body(
        "POST",
        "/trigger_report",
        "application/json",
        "{\"asof\": \"2023-01-25\"}",
        400,
        "unknown field `asof`",
    ),
    with_body(
        "POST",
        "/trigger_report",
        "text/csv",
        "a,b",
        415,
        "the body must be JSON",
    ),
    with_body(
        "POST",
        "/trigger_report?as_of=2023-01-25T00:00:00Z",
        "application/json",
        "{\"as_of\": \"2023-01-24T00:00:00Z\"}",
        400,
        "as_of given twice",
    ),
    case("GET", "/nope", 404, "no route /nope"),
    case("GET", "/api/nope", 404, "no route /api/nope"),
    case("POST", "/api/ingest/orders", 404, "no source \"orders\""),
    with_body(
        "POST",
        "/api/ingest/polls",
        "application/json",
        "{}",
        415,
        "the body must be CSV",
    ),
    with_body(
        "POST",
        "/api/ingest/polls",
        "text/csv",
        "",
        422,
        "request body: the file is empty",
    ),
    with_body(
        "POST",
        "/api/ingest/polls",
        "text/csv",
        "store_id,status,timestamp_utc\ns1,actve,2023-01-25 12:00:00 UTC\n",
        422,
        "request body:2: status \"actve\" is not active or inactive",
    ),
    with_body(
        "POST",
        "/api/ingest/timezones",
        "text/csv",
        "store_id,zone\ns1,UTC\n",
        422,
        "missing column \"timezone_str\"",
    ),
    with_body(
        "POST",
        "/api/ingest/polls?lenient=maybe",
        "text/csv",
        "",
        400,
        "lenient",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_is_json_with_a_fitting_status() {
    let app = spawn_app(Settings::default()).await;
    for c in CASES {
        let mut req = app
            .client
            .request(c.method.parse().unwrap(), app.url(c.path));
        if let Some(ct) = c.content_type {
            req = req.header("content-type", ct).body(c.body);
        }
        let r = req.sent().await;
        let status = r.status().as_u16();
        let ct = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string());
        let text = r.text().await.unwrap();
        assert_eq!(status, c.status, "{} {}: {text}", c.method, c.path);
        assert_eq!(
            ct.as_deref(),
            Some("application/json"),
            "{} {}",
            c.method,
            c.path
        );
        let body: Value = serde_json::from_str(&text).unwrap();
        let error = body["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{} {}: no error field in {text}", c.method, c.path));
        assert!(
            error.contains(c.error),
            "{} {}: {error:?} lacks {:?}",
            c.method,
            c.path,
            c.error
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_push_lists_row_errors_and_changes_nothing() {
    let app = spawn_app(Settings::default()).await;
    let (status, _) = app
        .push(
            "polls",
            "store_id,status,timestamp_utc\ns1,active,2023-01-25 12:00:00 UTC\n",
        )
        .await;
    assert_eq!(status, 200);
    let before = app.direct_csv(None).await;
    let bad = "store_id,status,timestamp_utc\ns2,active,2023-01-25 13:00:00 UTC\ns3,actve,2023-01-25 13:00:00 UTC\ns4,active,13:00\n";
    let (status, body) = app.push("polls", bad).await;
    assert_eq!(status, 422);
    assert_eq!(body["invalid_rows"], 2);
    assert_eq!(body["errors"][0]["line"], 3);
    assert_eq!(body["errors"][0]["column"], "status");
    assert_eq!(body["errors"][1]["column"], "timestamp_utc");
    assert_eq!(app.direct_csv(None).await, before, "nothing applied");

    // Lenient: the good row goes in, the bad ones come back.
    let r = app
        .client
        .post(app.url("/api/ingest/polls?lenient=true"))
        .header("content-type", "text/csv")
        .body(bad)
        .sent()
        .await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (body["rows"].as_u64(), body["skipped"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        body["skipped_rows"][0]["row"],
        "s3,actve,2023-01-25 13:00:00 UTC"
    );
    assert!(app.direct_csv(None).await.contains("\ns2,"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_413() {
    let app = spawn_app(Settings {
        max_body_bytes: 1024,
        ..Settings::default()
    })
    .await;
    let big = format!(
        "store_id,status,timestamp_utc\n{}",
        "s1,active,2023-01-25 12:00:00 UTC\n".repeat(100)
    );
    let (status, body) = app.push("polls", big).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(
        body["error"],
        "the body is larger than 1024 bytes (--max-body-mib); nothing was ingested"
    );
    // A JSON body over the limit: axum's own 413, in JSON too.
    let r = app
        .client
        .post(app.url("/api/alerts/subscriptions"))
        .header("content-type", "application/json")
        .body(format!("{{\"url\": \"{}\"}}", "x".repeat(2000)))
        .sent()
        .await;
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers()["content-type"], "application/json");
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("length limit"),
        "{body}"
    );
}

/// Sends a push by hand with a chunked body (no length announced), each
/// chunk as its own write, and returns the status and the answer's text.
async fn push_chunked(
    app: &crate::common::server::TestApp,
    source: &str,
    chunks: Vec<Vec<u8>>,
    then_wait: bool,
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.api.base.trim_start_matches("http://");
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/ingest/{source} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    for chunk in chunks {
        let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
        frame.extend_from_slice(&chunk);
        frame.extend_from_slice(b"\r\n");
        // The service may answer (and stop reading) before the end.
        if conn.write_all(&frame).await.is_err() {
            break;
        }
        conn.flush().await.unwrap();
    }
    if !then_wait {
        let _ = conn.write_all(b"0\r\n\r\n").await;
    }
    let mut answer = Vec::new();
    let _ = conn.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"));
    (status, answer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_body_over_the_limit_is_413_and_changes_nothing() {
    let app = spawn_app(Settings {
        max_body_bytes: 1024,
        ..Settings::default()
    })
    .await;
    let mut chunks = vec![b"store_id,status,timestamp_utc\n".to_vec()];
    chunks.extend((0..100).map(|_| b"s1,active,2023-01-25 12:00:00 UTC\n".to_vec()));
    let (status, answer) = push_chunked(&app, "polls", chunks, false).await;
    refused_and_nothing_kept(
        &app,
        (status, answer),
        413,
        "the body is larger than 1024 bytes (--max-body-mib)",
    )
    .await;
}

/// The push got `status` with `message` in its answer, and no poll was kept.
async fn refused_and_nothing_kept(
    app: &TestApp,
    answer: (u16, String),
    status: u16,
    message: &str,
) {
    use storewatch_db::DataStore;
    assert_eq!(answer.0, status, "{}", answer.1);
    assert!(answer.1.contains(message), "{}", answer.1);
    assert_eq!(app.db.counts().await.unwrap().polls, 0, "nothing ingested");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_sent_a_byte_at_a_time_is_read_whole_even_gzip() {
    let app = spawn_app(Settings::default()).await;
    let csv = "store_id,status,timestamp_utc\ns1,active,2023-01-25 12:00:00 UTC\n";
    let gz = crate::common::server::gzip(format!("\u{feff}{csv}").as_bytes());
    let chunks = gz.iter().map(|b| vec![*b]).collect();
    let (status, answer) = push_chunked(&app, "polls", chunks, false).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains(r#""rows":1"#), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stops_coming_is_408_and_changes_nothing() {
    let app = spawn_app(Settings {
        body_stall: std::time::Duration::from_secs(1),
        ..Settings::default()
    })
    .await;
    let chunks =
        vec![b"store_id,status,timestamp_utc\ns1,active,2023-01-25 12:00:00 UTC\n".to_vec()];
    let (status, answer) = push_chunked(&app, "polls", chunks, true).await;
    refused_and_nothing_kept(
        &app,
        (status, answer),
        408,
        "no byte of the body came for 1 s",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gzip_body_inflating_past_the_cap_is_413_and_changes_nothing() {
    let app = spawn_app(Settings {
        max_inflated_bytes: 100_000,
        ..Settings::default()
    })
    .await;
    let rows = "s1,active,2023-01-25 12:00:00 UTC\n".repeat(10_000);
    let big = format!("store_id,status,timestamp_utc\n{rows}");
    let body = crate::common::server::gzip(big.as_bytes());
    assert!(body.len() < 10_000, "a small body: {} bytes", body.len());
    let (status, answer) = app.push("polls", body).await;
    assert_eq!(status, 413, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("inflates to more than"),
        "{answer}"
    );
    use storewatch_db::DataStore;
    assert_eq!(app.db.counts().await.unwrap().polls, 0);
    // Under the cap, a compressed body is fine.
    let one_row = rows.len() / 10_000;
    let small = format!("store_id,status,timestamp_utc\n{}", &rows[..100 * one_row]);
    let (status, answer) = app
        .push("polls", crate::common::server::gzip(small.as_bytes()))
        .await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_metrics_and_docs_answer() {
    let app = spawn_app(Settings::default()).await;
    let health: Value = app.get_json("/healthz").await;
    assert_eq!(health["status"], "ok");
    app.client.get(app.url("/nope")).sent().await;
    let metrics = app.client.get(app.url("/metrics")).sent().await;
    assert_eq!(
        metrics.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains(
            "storewatch_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "storewatch_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1"
        ),
        "{text}"
    );
    let page = app.client.get(app.url("/api/docs")).sent().await;
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let html = page.text().await.unwrap();
    let script = app.client.get(app.url("/assets/docs.js")).sent().await;
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    let script = script.text().await.unwrap();
    assert!(
        html.contains("<script src=\"/assets/docs.js\">")
            && script.contains("/api/openapi.json")
            && !html.contains("https://")
            && !script.contains("https://"),
        "the page loads nothing from outside"
    );
    let root = app.client.get(app.url("/")).sent().await;
    let html = root.text().await.unwrap();
    assert!(
        html.contains("Trigger a report") && html.contains("/api/docs"),
        "the start page links the docs"
    );
}

/// Every path and method the OpenAPI document lists is served (a request to
/// it reaches a handler, not the 404/405 fallbacks), and every `$ref` in it
/// resolves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_matches_the_routes() {
    let app = spawn_app(Settings::default()).await;
    let doc: Value = app.get_json("/api/openapi.json").await;
    assert_eq!(doc["openapi"], "3.1.0");
    let mut seen = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let concrete = path
                .replace("{source}", "polls")
                .replace("{id}", "0123456789abcdef0123456789abcdef");
            let (status, text) = app.call(method, &concrete).await;
            assert_ne!(status, 405, "{method} {path}: {text}");
            assert!(
                !text.contains("no route"),
                "{method} {path} is documented but not served: {text}"
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 25, "documented operations");

    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r);
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 20);
    for r in all {
        let pointer = r.strip_prefix('#').unwrap();
        assert!(doc.pointer(pointer).is_some(), "dangling $ref {r}");
    }
}

/// Every route the service serves is documented. Each path written in
/// routes.rs is tried at the root and under `/api` with GET, POST and
/// DELETE: whatever reaches a handler (not the 404 and 405 fallbacks) must
/// be an operation of the OpenAPI document, or one of the pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_served_route_is_documented() {
    const PAGES: [&str; 6] = [
        "/",
        "/reports/{id}",
        "/stores/{id}",
        "/login",
        "/logout",
        "/assets/{name}",
    ];
    let app = spawn_app(Settings::default()).await;
    let doc: Value = app.get_json("/api/openapi.json").await;
    let source = include_str!("../../src/server/routes.rs");
    let paths: Vec<&str> = source
        .split(".route(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(paths.len() >= 15, "{paths:?}");
    let mut served = 0;
    for path in paths {
        for prefix in ["", "/api"] {
            let full = format!("{prefix}{path}");
            let full = full.trim_end_matches('/');
            let full = if full.is_empty() { "/" } else { full };
            for method in ["get", "post", "delete"] {
                let concrete = full
                    .replace("{source}", "polls")
                    .replace("{name}", "fleet.js")
                    .replace("{id}", "0123456789abcdef0123456789abcdef");
                let (status, text) = app.call(method, &concrete).await;
                if status == 405 || text.contains("no route") {
                    continue;
                }
                served += 1;
                let documented = doc["paths"][full][method].is_object();
                let page = prefix.is_empty() && PAGES.contains(&path);
                assert!(
                    documented || page,
                    "{method} {full} is served ({status}) but not documented"
                );
            }
        }
    }
    assert!(served > 20, "{served}");
}

/// Every response carries a request id (the client's, if it sent one), large
/// answers are compressed for clients that accept it, and a failure on the
/// server's side answers a generic 500 naming the request id: nothing of the
/// database's own message reaches the client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_ids_compression_and_internal_errors_that_leak_nothing() {
    let app = spawn_app(Settings::default()).await;
    let r = app.client.get(app.url("/healthz")).sent().await;
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 32, "{id}");
    let r = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "client-chosen-7")
        .sent()
        .await;
    assert_eq!(r.headers()["x-request-id"], "client-chosen-7");
    for path in ["/api/healthz", "/api/metrics"] {
        let r = app.client.get(app.url(path)).sent().await;
        assert_eq!(r.status(), 200, "{path}");
    }

    let r = app
        .client
        .get(app.url("/api/openapi.json"))
        .header("accept-encoding", "gzip")
        .sent()
        .await;
    assert_eq!(r.headers()["content-encoding"], "gzip");

    // Break the database under the service: the next write fails inside it.
    app.db
        .execute_batch_for_tests("DROP TABLE business_hours")
        .await
        .unwrap();
    let r = app
        .client
        .post(app.url("/api/ingest/business_hours"))
        .header("content-type", "text/csv")
        .body("store_id,dayOfWeek,start_time_local,end_time_local\ns1,0,09:00,17:00\n")
        .sent()
        .await;
    assert_eq!(r.status(), 500);
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["request_id"], id.as_str());
    let text = body["error"].as_str().unwrap();
    assert!(text.contains(&id), "{text}");
    let lower = body.to_string().to_lowercase();
    for leak in [
        "sqlite",
        "no such table",
        "business_hours",
        "database error",
    ] {
        assert!(!lower.contains(leak), "{leak} leaked: {body}");
    }
}

/// The JSON schema the OpenAPI document gives for `method path` answering
/// `status` (following `$ref`s to shared responses).
fn response_schema(doc: &Value, method: &str, path: &str, status: u16) -> Value {
    let op = &doc["paths"][path][method.to_ascii_lowercase()];
    assert!(op.is_object(), "{method} {path} is not documented");
    let mut response = &op["responses"][status.to_string()];
    if let Some(r) = response["$ref"].as_str() {
        response = doc.pointer(&r[1..]).unwrap();
    }
    let schema = response["content"]["application/json"]["schema"].clone();
    assert!(
        !schema.is_null(),
        "{method} {path} {status}: no JSON schema documented"
    );
    schema
}

/// Every documented operation, called for real in its documented outcomes:
/// each JSON answer must validate against the schema for its status (the
/// schemas forbid undocumented fields, so a new field must be documented).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_answers_match_the_openapi_schemas() {
    use crate::common::server::load_generated;
    use storewatch_core::report::Columns;
    use storewatch_db::{ReportOutcome, ReportQueue};

    let key_dir = tempfile::tempdir().unwrap();
    let app = spawn_app(Settings {
        alert_key_file: Some(key_dir.path().join("alert.key")),
        ..Settings::default()
    })
    .await;
    load_generated(&app, 40, 8).await;
    let doc: Value =
        serde_json::from_str(include_str!("../../src/server/controllers/openapi.json")).unwrap();
    // A public address, for a store that does not exist: never sent to.
    let quiet =
        serde_json::json!({"url": "http://8.8.8.8:9/hook", "secret": "x", "stores": ["none-such"]});
    let subscription: Value = app
        .client
        .post(app.url("/api/alerts/subscriptions"))
        .json(&quiet)
        .sent_json()
        .await;
    let subscription = subscription["id"].as_str().unwrap().to_string();

    // A complete report, one held running by another worker, a failed one.
    let complete = app.trigger(Some("2023-01-25 12:00:00 UTC")).await;
    app.wait_for(&complete).await;
    let now = storewatch::clock::now_micros();
    let (running, failed) = (
        "0123456789abcdef0123456789abcdef",
        "fedcba9876543210fedcba9876543210",
    );
    for id in [running, failed] {
        queue_directly(&app.db, id, Columns::Extended, now).await;
    }
    let mut claimed = 0;
    while claimed < 2 {
        // The service's own workers may take one first; claim until both are held.
        if let Some(job) = claim_directly(&app.db, "elsewhere", now, 3_600_000_000).await {
            if job.id.as_str() == failed {
                let outcome = ReportOutcome::Failed {
                    error: "store s1: \"Mars/Olympus\" is not a known IANA time zone".into(),
                };
                assert!(
                    app.db
                        .finish_report(
                            &job.id,
                            &storewatch_db::Lease {
                                worker: "elsewhere".into(),
                                until: 0
                            },
                            outcome,
                            now
                        )
                        .await
                        .unwrap()
                );
            }
            claimed += 1;
        }
    }

    let csv_body = "store_id,status,timestamp_utc\ns1,active,2023-01-25 12:00:00 UTC\n";
    let bad_csv = "store_id,status,timestamp_utc\ns1,actve,2023-01-25 12:00:00 UTC\n";
    // (method, documented path, real path and query, JSON body, CSV body, status)
    type Case<'a> = (
        &'a str,
        &'a str,
        String,
        Option<Value>,
        Option<&'a str>,
        u16,
    );
    let mut cases: Vec<Case> = Vec::new();
    // A GET with no body.
    fn read<'a>(route: &'a str, path: String, status: u16) -> Case<'a> {
        ("GET", route, path, None, None, status)
    }
    for prefix in ["", "/api"] {
        let trigger = format!("{prefix}/trigger_report");
        let get = format!("{prefix}/get_report");
        let (t, g): (&str, &str) = if prefix.is_empty() {
            ("/trigger_report", "/get_report")
        } else {
            ("/api/trigger_report", "/api/get_report")
        };
        cases.push(("POST", t, trigger.clone(), None, None, 200));
        cases.push((
            "POST",
            t,
            format!("{trigger}?columns=extended"),
            None,
            None,
            200,
        ));
        cases.push(("POST", t, format!("{trigger}?as_of=never"), None, None, 400));
        for (id, status) in [(complete.as_str(), 200), (running, 200), (failed, 200)] {
            cases.push(read(g, format!("{get}?report_id={id}"), status));
            cases.push((
                "POST",
                g,
                get.clone(),
                Some(serde_json::json!({"report_id": id})),
                None,
                status,
            ));
        }
        cases.push(read(
            g,
            format!("{get}?report_id={running}&format=csv"),
            202,
        ));
        cases.push(read(g, format!("{get}?report_id={failed}&format=csv"), 409));
        cases.push(read(
            g,
            format!("{get}?report_id=0000000000000000000000000000000f"),
            404,
        ));
        cases.push(read(g, format!("{get}?report_id=xyz"), 400));
        cases.push((
            "POST",
            g,
            get.clone(),
            Some(serde_json::json!({"report_id": 7})),
            None,
            400,
        ));
    }
    cases.push((
        "POST",
        "/api/ingest/{source}",
        "/api/ingest/polls".into(),
        None,
        Some(csv_body),
        200,
    ));
    cases.push((
        "POST",
        "/api/ingest/{source}",
        "/api/ingest/polls?lenient=true".into(),
        None,
        Some(bad_csv),
        200,
    ));
    cases.push((
        "POST",
        "/api/ingest/{source}",
        "/api/ingest/polls".into(),
        None,
        Some(bad_csv),
        422,
    ));
    cases.push((
        "POST",
        "/api/ingest/{source}",
        "/api/ingest/nothing".into(),
        None,
        Some(csv_body),
        404,
    ));
    cases.push(read("/healthz", "/healthz".into(), 200));
    cases.push(read("/api/healthz", "/api/healthz".into(), 200));
    let timeline = "/api/stores/{id}/timeline";
    let (_, _, zones) = crate::common::server::generated(40, 8, 7);
    let zones = String::from_utf8(zones).unwrap();
    let store = zones.lines().nth(1).unwrap().split(',').next().unwrap();
    for (query, status) in [
        ("", 200),
        ("?as_of=2023-01-22 09:30:00 UTC", 200),
        ("?as_of=never", 400),
        ("?when=now", 400),
    ] {
        let path = format!("/api/stores/{store}/timeline{query}");
        cases.push(read(timeline, path, status));
    }
    for (query, status) in [
        ("", 200),
        ("?days=3&as_of=2023-01-22 09:30:00 UTC", 200),
        ("?from=2023-01-20T00:00:00Z", 200),
        ("?days=400", 400),
        ("?days=2&from=2023-01-20T00:00:00Z", 400),
    ] {
        let path = format!("/api/stores/{store}/history{query}");
        cases.push(read("/api/stores/{id}/history", path, status));
    }
    cases.push(read(
        "/api/stores/{id}/history",
        "/api/stores/nobody/history".into(),
        404,
    ));
    for (query, status) in [
        ("", 200),
        ("?query=1&limit=3", 200),
        ("?offline_now=true", 200),
        ("?offline_now=maybe", 400),
        ("?limit=0", 400),
    ] {
        let path = format!("/api/stores{query}");
        cases.push(read("/api/stores", path, status));
    }
    cases.push(read(timeline, "/api/stores/nobody/timeline".into(), 404));
    let by_id = "/api/reports/{id}";
    for (id, status) in [(complete.as_str(), 200), (running, 200), (failed, 200)] {
        cases.push(read(by_id, format!("/api/reports/{id}"), status));
    }
    cases.push(read(
        by_id,
        format!("/api/reports/{running}?format=csv"),
        202,
    ));
    cases.push(read(by_id, "/api/reports/xyz".into(), 400));
    cases.push(read("/api/reports", "/api/reports".into(), 200));
    cases.push(read("/api/reports", "/api/reports?limit=1".into(), 200));
    cases.push(read("/api/reports", "/api/reports?limit=0".into(), 400));
    cases.push(read("/api/ingests", "/api/ingests".into(), 200));
    cases.push(read("/api/ingests", "/api/ingests?before=x".into(), 400));
    cases.push((
        "DELETE",
        "/api/polls",
        "/api/polls?store_id=nobody".into(),
        None,
        None,
        200,
    ));
    cases.push(("DELETE", "/api/polls", "/api/polls".into(), None, None, 400));
    cases.push(read("/api/fleet", "/api/fleet?days=7".into(), 200));
    cases.push(read("/api/fleet", "/api/fleet?days=0".into(), 400));
    let subscriptions = "/api/alerts/subscriptions";
    cases.push(read(subscriptions, subscriptions.into(), 200));
    for (body, status) in [
        (quiet.clone(), 201),
        (
            serde_json::json!({"url": "http://127.0.0.1:9/", "secret": "x"}),
            422,
        ),
        (
            serde_json::json!({"url": "http://8.8.8.8/", "secret": ""}),
            400,
        ),
    ] {
        cases.push((
            "POST",
            subscriptions,
            subscriptions.into(),
            Some(body),
            None,
            status,
        ));
    }
    let deliveries = "/api/alerts/subscriptions/{id}/deliveries";
    for (query, status) in [("", 200), ("?limit=0", 400), ("?before=x", 400)] {
        let path = format!("/api/alerts/subscriptions/{subscription}/deliveries{query}");
        cases.push(read(deliveries, path, status));
    }
    cases.push(read(
        deliveries,
        "/api/alerts/subscriptions/0123456789abcdef0123456789abcdef/deliveries".into(),
        404,
    ));
    cases.push((
        "DELETE",
        "/api/alerts/subscriptions/{id}",
        "/api/alerts/subscriptions/0123456789abcdef0123456789abcdef".into(),
        None,
        None,
        404,
    ));

    let mut covered = std::collections::BTreeSet::new();
    for (method, documented, real, json, csv, status) in cases {
        let mut req = app.client.request(method.parse().unwrap(), app.url(&real));
        if let Some(j) = &json {
            req = req.json(j);
        }
        if let Some(c) = csv {
            req = req.header("content-type", "text/csv").body(c);
        }
        let r = req.sent().await;
        assert_eq!(r.status().as_u16(), status, "{method} {real}");
        let body: Value = r.json().await.unwrap();
        let mut root =
            serde_json::json!({"allOf": [response_schema(&doc, method, documented, status)]});
        root["components"] = doc["components"].clone();
        let validator = jsonschema::validator_for(&root).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .map(|e| e.to_string())
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {real} → {status}: {errors:?}\n{body}"
        );
        covered.insert(
            doc["paths"][documented][method.to_ascii_lowercase()]["operationId"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    // Every operation that answers JSON was called (the docs page, the
    // metrics and the document itself are not JSON answers of this kind).
    for (_, ops) in doc["paths"].as_object().unwrap() {
        for (_, op) in ops.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            if !["docs", "metrics", "metricsApi", "openapi"].contains(&id) {
                assert!(covered.contains(id), "{id} was not checked");
            }
        }
    }
}

/// A pushed poll later than the clock plus `max_future` is an invalid row
/// (422, naming its line), as from the command line: a poller with a wrong
/// clock cannot move every report's default time. A deletion of such polls
/// brings the default time back.
#[tokio::test]
async fn a_pushed_poll_from_the_future_is_refused() {
    let app = spawn_app(Settings::default()).await;
    let (status, body) = app
        .push(
            "polls",
            "store_id,status,timestamp_utc\n1,active,2023-01-25 12:00:00 UTC\n1,inactive,2200-01-01 00:00:00 UTC\n",
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["line"], 3, "{body}");
    assert!(
        body["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("is in the future"),
        "{body}"
    );
    // Let in by a tolerance as wide (an operator's choice), then deleted.
    let lax = spawn_app(Settings {
        max_future: std::time::Duration::from_secs(200 * 366 * 86_400),
        ..Settings::default()
    })
    .await;
    let (status, body) = lax
        .push(
            "polls",
            "store_id,status,timestamp_utc\n1,active,2023-01-25 12:00:00 UTC\n1,inactive,2200-01-01 00:00:00 UTC\n",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let r = lax
        .request(
            reqwest::Method::DELETE,
            "/api/polls?from=2100-01-01T00:00:00Z",
        )
        .sent()
        .await;
    assert_eq!(r.status(), 200);
    let id = lax.trigger(None).await;
    let done = lax.wait_for(&id).await;
    assert_eq!(done["as_of"], "2023-01-25T12:00:00Z", "{done}");
}
