//! Access control (issue 8) against the real service: every route for every
//! kind of caller, owners who see only their stores, the queue cap, the
//! listing, retention, and the keys commands and start-up rules of the binary.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;
use storewatch::app::access::KeyRequest;
use storewatch::app::{AppState, Metrics, Settings};
use storewatch_db::{
    KeyStore, Lease, NewReport, ReportId, ReportOutcome, ReportOwner, ReportQueue, Role,
};

use crate::common::Workspace;
use crate::common::client::ApiClient;
use crate::common::client::Sent;
use crate::common::server::{generated, key, load_generated, spawn_app, spawn_app_on};

const AS_OF: &str = "2023-01-25 18:00:00 UTC";

/// The store ids of the generated data set.
fn store_ids(stores: usize) -> Vec<String> {
    let (_, _, zones) = generated(stores, 8, 7);
    String::from_utf8(zones)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect()
}

/// A CSV's rows keyed by their first column (the store id), header apart.
fn rows_by_store(csv: &str) -> (String, Vec<(String, String)>) {
    let mut lines = csv.lines();
    let header = lines.next().unwrap_or_default().to_string();
    let rows = lines
        .map(|l| (l.split(',').next().unwrap().to_string(), l.to_string()))
        .collect();
    (header, rows)
}

async fn send(
    client: &ApiClient,
    method: &Method,
    path: &str,
    body: Option<&str>,
) -> reqwest::Response {
    let mut req = client.request(method.clone(), path);
    if let Some(body) = body {
        let content_type = if body.starts_with('{') {
            "application/json"
        } else {
            "text/csv"
        };
        req = req
            .header("content-type", content_type)
            .body(body.to_string());
    }
    req.sent().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_each_kind_of_caller_as_its_role_allows() {
    let app = spawn_app(Settings::default()).await;
    load_generated(&app, 20, 8).await;
    let ids = store_ids(20);
    let admin = app.with_key(&key(&app, "admin", Role::Admin, None).await);
    let ingest = app.with_key(&key(&app, "poller", Role::Ingest, None).await);
    let viewer = app.with_key(&key(&app, "ops", Role::Viewer, None).await);
    let owner = app.with_key(&key(&app, "owner", Role::Viewer, Some(&[&ids[0], &ids[1]])).await);
    let revoked = app.with_key(&key(&app, "gone", Role::Admin, None).await);
    app.db
        .revoke_key("gone", storewatch::clock::now_micros())
        .await
        .unwrap();
    let nobody = app.api.clone();
    let forged = app.with_key(&format!("sw_{}_{}", "0".repeat(16), "0".repeat(64)));

    // A report of every store, made by the admin: not the owner's scope.
    let report = admin.trigger(Some(AS_OF)).await;
    admin.wait_for(&report).await;
    let (_, _, zones) = generated(20, 8, 7);
    let zones = String::from_utf8(zones).unwrap();
    let get_body = format!(r#"{{"report_id": "{report}"}}"#);

    //            method, path, body,                          none revoked ingest viewer owner admin
    let table: Vec<(Method, String, Option<&str>, [u16; 6])> = vec![
        (
            Method::DELETE,
            "/api/polls?store_id=nobody".into(),
            None,
            [401, 401, 403, 403, 403, 200],
        ),
        (
            Method::GET,
            "/healthz".into(),
            None,
            [200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/healthz".into(),
            None,
            [200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/metrics".into(),
            None,
            [200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/openapi.json".into(),
            None,
            [200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/docs".into(),
            None,
            [200, 200, 200, 200, 200, 200],
        ),
        // The start page: without a key the login page (after a redirect),
        // a poller's key may not see reports.
        (
            Method::GET,
            "/".into(),
            None,
            [200, 200, 403, 200, 200, 200],
        ),
        (
            Method::POST,
            "/trigger_report".into(),
            None,
            [401, 401, 403, 200, 200, 200],
        ),
        (
            Method::POST,
            "/api/trigger_report".into(),
            None,
            [401, 401, 403, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/get_report?report_id={report}"),
            None,
            [401, 401, 403, 200, 404, 200],
        ),
        (
            Method::GET,
            format!("/api/get_report?report_id={report}"),
            None,
            [401, 401, 403, 200, 404, 200],
        ),
        (
            Method::POST,
            "/get_report".into(),
            Some(&get_body),
            [401, 401, 403, 200, 404, 200],
        ),
        (
            Method::GET,
            format!("/api/reports/{report}"),
            None,
            [401, 401, 403, 200, 404, 200],
        ),
        (
            Method::GET,
            "/api/reports".into(),
            None,
            [401, 401, 403, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/ingests".into(),
            None,
            [401, 401, 403, 403, 403, 200],
        ),
        (
            Method::GET,
            format!("/api/stores/{}/timeline", ids[0]),
            None,
            [401, 401, 403, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/stores?offline_now=true".into(),
            None,
            [401, 401, 403, 200, 200, 200],
        ),
        // Not one of the owner's stores: as if it did not exist.
        (
            Method::GET,
            format!("/api/stores/{}/timeline", ids[5]),
            None,
            [401, 401, 403, 200, 404, 200],
        ),
        (
            Method::POST,
            "/api/ingest/timezones".into(),
            Some(&zones),
            [401, 401, 200, 403, 403, 200],
        ),
    ];
    let callers = [
        ("no key", &nobody),
        ("revoked", &revoked),
        ("ingest", &ingest),
        ("viewer", &viewer),
        ("owner", &owner),
        ("admin", &admin),
    ];
    for (method, path, body, expected) in &table {
        for ((who, client), want) in callers.iter().zip(expected) {
            let r = send(client, method, path, *body).await;
            let status = r.status().as_u16();
            let challenge = r.headers().get("www-authenticate").cloned();
            let text = r.text().await.unwrap();
            assert_eq!(status, *want, "{method} {path} as {who}: {text}");
            if status == 401 {
                assert!(challenge.unwrap().to_str().unwrap().starts_with("Bearer"));
                let json: Value = serde_json::from_str(&text).unwrap();
                assert!(json["error"].as_str().unwrap().contains("key"), "{text}");
            }
        }
    }
    // A forged token of the right shape is no key either.
    let r = send(&forged, &Method::GET, "/api/reports", None).await;
    assert_eq!(r.status(), 401);
    // Revoking takes effect at once, for a key that was just working.
    let r = send(&viewer, &Method::GET, "/api/reports", None).await;
    assert_eq!(r.status(), 200);
    app.db
        .revoke_key("ops", storewatch::clock::now_micros())
        .await
        .unwrap();
    let r = send(&viewer, &Method::GET, "/api/reports", None).await;
    assert_eq!(r.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_sees_exactly_its_stores_and_only_its_own_reports() {
    let app = spawn_app(Settings::default()).await;
    load_generated(&app, 40, 8).await;
    let ids = store_ids(40);
    let mine: Vec<&str> = vec![&ids[3], &ids[17], &ids[31], "not-a-store-of-ours"];
    let admin = app.with_key(&key(&app, "admin", Role::Admin, None).await);
    let owner = app.with_key(&key(&app, "owner-a", Role::Viewer, Some(&mine)).await);
    let other = app.with_key(&key(&app, "owner-b", Role::Viewer, Some(&[&ids[5]])).await);
    // The same stores in another order: the same scope.
    let twin = app.with_key(
        &key(
            &app,
            "owner-a2",
            Role::Viewer,
            Some(&[&ids[31], &ids[3], &ids[17], "not-a-store-of-ours"]),
        )
        .await,
    );

    let full_id = admin.trigger(Some(AS_OF)).await;
    let full = admin.wait_for(&full_id).await;
    let own_id = owner.trigger(Some(AS_OF)).await;
    let own = owner.wait_for(&own_id).await;
    assert_eq!(own["status"], "Complete", "{own}");
    let (full_header, full_rows) = rows_by_store(full["csv"].as_str().unwrap());
    let (own_header, own_rows) = rows_by_store(own["csv"].as_str().unwrap());
    assert_eq!(own_header, full_header);
    let wanted: Vec<(String, String)> = full_rows
        .iter()
        .filter(|(id, _)| mine.contains(&id.as_str()))
        .cloned()
        .collect();
    assert_eq!(
        wanted.len(),
        3,
        "the three real stores are in the full report"
    );
    let mut got = own_rows.clone();
    got.sort();
    let mut wanted_sorted = wanted.clone();
    wanted_sorted.sort();
    assert_eq!(
        got, wanted_sorted,
        "the owner's rows are the full report's rows of its stores"
    );

    // No other store id appears anywhere the owner can read.
    let others: BTreeSet<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|id| !mine.contains(id))
        .collect();
    let extended = owner
        .request(Method::GET, &format!("/api/reports/{own_id}"))
        .query(&[("columns", "extended"), ("format", "csv")])
        .sent()
        .await
        .text()
        .await
        .unwrap();
    let listing = owner.get_text("/api/reports").await.1;
    for text in [own.to_string(), extended.clone(), listing.clone()] {
        for id in &others {
            assert!(!text.contains(id), "{id} leaked into {text}");
        }
    }
    assert_eq!(rows_by_store(&extended).1.len(), 3);

    // The owner cannot see the full report, nor another scope's; a key of
    // the same scope can; admins see everything.
    let status = |client: &ApiClient, id: &str| {
        let r = client.request(Method::GET, &format!("/api/reports/{id}"));
        async move { r.sent().await.status().as_u16() }
    };
    assert_eq!(status(&owner, &full_id).await, 404);
    assert_eq!(status(&other, &own_id).await, 404);
    assert_eq!(status(&twin, &own_id).await, 200);
    assert_eq!(status(&admin, &own_id).await, 200);
    let listed = |text: &str| -> Vec<String> {
        let v: Value = serde_json::from_str(text).unwrap();
        v["reports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["report_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(listed(&listing), std::slice::from_ref(&own_id));
    let other_listing = other.get_text("/api/reports").await.1;
    assert!(listed(&other_listing).is_empty());
    let admin_listing = admin.get_text("/api/reports").await.1;
    assert_eq!(listed(&admin_listing), [own_id.clone(), full_id.clone()]);
    // Paging by another scope's report is refused like a missing one.
    let r = owner
        .request(Method::GET, "/api/reports")
        .query(&[("before", &full_id)])
        .sent()
        .await;
    assert_eq!(r.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_past_its_queue_cap_is_told_to_retry_later() {
    let settings = Settings {
        max_queued_reports: 2,
        ..Settings::default()
    };
    // Two reports of the busy key, held by a worker elsewhere under a long
    // lease: unfinished, and no worker of the service will take them. Set
    // up before the service starts, so none of its workers races the claims.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("storewatch.db").display());
    let db = storewatch_sqlite::SqliteDatabase::connect(&url)
        .await
        .unwrap();
    let now = storewatch::clock::now_micros();
    let new_key = |name: &str| KeyRequest::new(name, Role::Viewer, None).unwrap();
    let busy_token = new_key("busy").create(&db, now).await.unwrap();
    let calm_token = new_key("calm").create(&db, now).await.unwrap();
    let lease = Lease {
        worker: "elsewhere".into(),
        until: now + 3_600_000_000,
    };
    for n in 0..2 {
        let id = ReportId::from_bytes([n; 16]);
        let request = NewReport {
            owner: ReportOwner {
                key_id: Some(busy_token.id().to_string()),
                scope: None,
            },
            ..Default::default()
        };
        assert!(db.create_report(&id, &request, 2, now).await.unwrap());
        db.claim_report(&lease, now, 3).await.unwrap().unwrap();
    }
    let app = spawn_app_on(dir, url, settings).await;
    let busy = app.with_key(&busy_token.reveal());
    let calm = app.with_key(&calm_token.reveal());
    let r = busy.request(Method::POST, "/trigger_report").sent().await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "5");
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("queued or running"),
        "{body}"
    );
    // Another key is not held back by it.
    let other = calm.trigger(None).await;
    assert_eq!(calm.wait_for(&other).await["status"], "Complete");
    // One finishing frees a place.
    let first = ReportId::from_bytes([0; 16]);
    let outcome = ReportOutcome::Failed {
        error: "stopped".into(),
    };
    assert!(
        app.db
            .finish_report(&first, &lease, outcome, now)
            .await
            .unwrap()
    );
    let r = busy.request(Method::POST, "/trigger_report").sent().await;
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listing_pages_newest_first() {
    let app = spawn_app(Settings::default()).await;
    let viewer = app.with_key(&key(&app, "viewer", Role::Viewer, None).await);
    let mut made = Vec::new();
    for _ in 0..5 {
        made.push(viewer.trigger(None).await);
        // Distinct creation times, so "newest first" has one answer.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    made.reverse();
    let mut seen = Vec::new();
    let mut before: Option<String> = None;
    for _ in 0..3 {
        let mut req = viewer
            .request(Method::GET, "/api/reports")
            .query(&[("limit", "2")]);
        if let Some(b) = &before {
            req = req.query(&[("before", b)]);
        }
        let page: Value = req.sent_json().await;
        for r in page["reports"].as_array().unwrap() {
            seen.push(r["report_id"].as_str().unwrap().to_string());
            assert!(r.get("csv").is_none(), "listings carry no CSV");
        }
        before = page["next_before"].as_str().map(str::to_string);
    }
    assert_eq!(seen, made);
    assert_eq!(before, None, "the last page says there is no next one");
    for bad in ["0", "501", "x"] {
        let r = viewer
            .request(Method::GET, "/api/reports")
            .query(&[("limit", bad)])
            .sent()
            .await;
        assert_eq!(r.status(), 400, "limit={bad}");
    }
    let r = viewer
        .request(Method::GET, "/api/reports")
        .query(&[("before", "yesterday")])
        .sent()
        .await;
    assert_eq!(r.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_deletes_old_finished_reports_and_keeps_the_rest() {
    // The database alone: a running service's own retention pass would race this one.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("storewatch.db").display());
    let db = storewatch_sqlite::SqliteDatabase::connect(&url)
        .await
        .unwrap();
    let day = 86_400_000_000_i64;
    let now = storewatch::clock::now_micros();
    let lease = Lease {
        worker: "test".into(),
        until: now + day,
    };
    // (id byte, finished how many days ago; None: still running)
    for (n, age) in [(1u8, Some(31)), (2, Some(29)), (3, None)] {
        let id = ReportId::from_bytes([n; 16]);
        db.create_report(&id, &NewReport::default(), u32::MAX, now - 40 * day)
            .await
            .unwrap();
        let claimed = db.claim_report(&lease, now - 40 * day, 3).await.unwrap();
        assert_eq!(claimed.map(|c| c.id), Some(id.clone()));
        if let Some(days) = age {
            let done = ReportOutcome::Complete {
                as_of: None,
                rows: 0,
                csv: "h\n".into(),
            };
            assert!(
                db.finish_report(&id, &lease, done, now - days * day)
                    .await
                    .unwrap()
            );
        }
    }
    let state = AppState {
        db: db.clone(),
        report_queued: Arc::default(),
        metrics: Arc::new(Metrics::default()),
        settings: Arc::new(Settings::default()),
        gate: Arc::default(),
        changes: Arc::default(),
        fleets: Arc::default(),
        alerts: Arc::new(storewatch::app::Alerts::from_settings(&Settings::default()).unwrap()),
    };
    assert_eq!(storewatch::jobs::retention::tick(&state).await.unwrap(), 1);
    let exists = |n: u8| {
        let db = db.clone();
        async move {
            db.report(
                &ReportId::from_bytes([n; 16]),
                storewatch_db::Include::StatusOnly,
            )
            .await
            .unwrap()
            .is_some()
        }
    };
    assert!(!exists(1).await, "finished 31 days ago: deleted");
    assert!(exists(2).await, "finished 29 days ago: kept");
    assert!(exists(3).await, "unfinished: kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_are_recorded_with_the_key_that_sent_them() {
    let app = spawn_app(Settings::default()).await;
    let poller = app.with_key(&key(&app, "poller", Role::Ingest, None).await);
    let admin = app.with_key(&key(&app, "admin", Role::Admin, None).await);
    let body = "store_id,timezone_str\n1,Asia/Tokyo\n2,Europe/Paris\n";
    let (status, _) = poller.push("timezones", body).await;
    assert_eq!(status, 200);
    let log: Value = serde_json::from_str(&admin.get_text("/api/ingests").await.1).unwrap();
    let entry = &log["ingests"][0];
    assert_eq!(entry["by"], "key poller");
    assert_eq!(entry["source"], "timezones");
    assert_eq!(entry["label"], "request body");
    assert_eq!(entry["rows"], 2);
    assert_eq!(
        entry["sha256"],
        storewatch::app::digest::sha256_hex(body.as_bytes())
    );
    // An invalid push changes nothing, and is not in the log.
    let (status, _) = poller
        .push("timezones", "store_id,timezone_str\n1,Mars/Olympus\n")
        .await;
    assert_eq!(status, 422);
    let log: Value = serde_json::from_str(&admin.get_text("/api/ingests").await.1).unwrap();
    assert_eq!(log["ingests"].as_array().unwrap().len(), 1);
}

// --- The binary: keys commands and start-up rules ---------------------------

/// Starts `storewatch serve` and waits until it says it listens, or exits.
/// Returns (whether it listened, what it printed on stderr).
fn serve(ws: &Workspace, args: &[&str]) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_storewatch"))
        .arg("--database-url")
        .arg(ws.database_url())
        .arg("serve")
        .args(args)
        .current_dir(ws.dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut printed = String::new();
    let mut listening = false;
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                printed.push_str(&line);
                printed.push('\n');
                if line.contains("storewatch is listening") {
                    listening = true;
                    break;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    while let Ok(line) = rx.try_recv() {
        printed.push_str(&line);
        printed.push('\n');
    }
    (listening, printed)
}

#[test]
fn serve_refuses_a_non_loopback_address_without_keys_unless_told() {
    let ws = Workspace::new();
    let (listening, printed) = serve(&ws, &["--listen", "0.0.0.0:0"]);
    assert!(!listening, "{printed}");
    assert!(
        printed.contains("refusing to serve") && printed.contains("storewatch keys create"),
        "{printed}"
    );
    let (listening, printed) = serve(&ws, &["--listen", "0.0.0.0:0", "--no-auth"]);
    assert!(listening, "{printed}");
    let (listening, printed) = serve(&ws, &["--listen", "127.0.0.1:0"]);
    assert!(listening, "loopback stays open for a newcomer: {printed}");
    assert!(printed.contains("open"), "and says so: {printed}");
    ws.ok(&["keys", "create", "--name", "admin", "--role", "admin"]);
    let (listening, printed) = serve(&ws, &["--listen", "0.0.0.0:0"]);
    assert!(listening, "with a key it starts: {printed}");
}

#[test]
fn keys_are_created_listed_and_revoked_from_the_command_line() {
    let ws = Workspace::new();
    let out = ws.run(&[
        "keys", "create", "--name", "owner", "--role", "viewer", "--stores", "42,7",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let secret = stdout.trim();
    assert_eq!(
        stdout.lines().count(),
        1,
        "only the secret on stdout: {stdout}"
    );
    assert!(
        storewatch::app::access::Token::parse(secret).is_some(),
        "{secret}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("shown only this once") && !stderr.contains(secret));

    ws.write("owners.txt", "store_id\n9\n\n10\n");
    let secret2 = ws.ok(&[
        "keys",
        "create",
        "--name",
        "owner2",
        "--role",
        "viewer",
        "--stores-file",
        "owners.txt",
    ]);
    let listing = ws.ok(&["keys", "list"]);
    assert!(
        listing.contains("owner\tviewer\t42,7\t") && listing.contains("owner2\tviewer\t10,9\t"),
        "{listing}"
    );
    assert!(!listing.contains(secret) && !listing.contains(secret2.trim()));
    // A live name is unique; a scope only for viewers; bad ids are named.
    for (args, says) in [
        (vec!["--name", "owner", "--role", "admin"], "exists already"),
        (
            vec!["--name", "x", "--role", "ingest", "--stores", "1"],
            "only viewer keys",
        ),
        (
            vec!["--name", "x", "--role", "viewer", "--stores", "=cmd"],
            "store id",
        ),
        (
            vec!["--name", "x", "--role", "root"],
            "expected admin, ingest or viewer",
        ),
    ] {
        let out = ws.run(&[&["keys", "create"][..], &args].concat());
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty());
    }
    ws.ok(&["keys", "revoke", "owner"]);
    let out = ws.run(&["keys", "revoke", "owner"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no live key named"));
    let listing = ws.ok(&["keys", "list"]);
    let owner_line = listing.lines().find(|l| l.starts_with("owner\t")).unwrap();
    assert!(
        !owner_line.ends_with("\t-"),
        "revoked time shown: {owner_line}"
    );
}

/// An owner finds only its stores, and sees only their timelines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_finds_only_its_stores() {
    let app = spawn_app(Settings::default()).await;
    load_generated(&app, 20, 8).await;
    let ids = store_ids(20);
    let owner = app.with_key(&key(&app, "owner", Role::Viewer, Some(&[&ids[3], &ids[7]])).await);
    let viewer = app.with_key(&key(&app, "ops", Role::Viewer, None).await);
    let found = |client: crate::common::client::ApiClient, path: &'static str| async move {
        let r = client.request(Method::GET, path).sent().await;
        assert_eq!(r.status(), 200);
        let body: serde_json::Value = r.json().await.unwrap();
        body["stores"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["store_id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let mut mine = vec![ids[3].clone(), ids[7].clone()];
    mine.sort();
    assert_eq!(found(owner.clone(), "/api/stores?limit=500").await, mine);
    assert_eq!(
        found(viewer.clone(), "/api/stores?limit=500").await.len(),
        20
    );
    for s in found(owner.clone(), "/api/stores?offline_now=true").await {
        assert!(mine.contains(&s), "{s} is not the owner's");
    }
}
