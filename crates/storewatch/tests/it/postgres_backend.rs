//! PostgreSQL through the real binary and the real service: the same answers
//! as SQLite, and several instances sharing one database.

use std::time::{Duration, Instant};

use crate::common::client::Sent;
use crate::common::server::{generated, serve_on_postgres, write_generated};
use crate::common::{Workspace, shared_dir};
use serde_json::Value;
use storewatch::app::Settings;
use storewatch::service;
use storewatch_postgres::PostgresDatabase;
use storewatch_postgres::testing::scratch;

#[test]
fn spec_examples_on_postgres_give_the_expected_csv() {
    let Some(shared) = shared_dir() else { return };
    let rt = tokio::runtime::Runtime::new().unwrap();
    for entry in std::fs::read_dir(shared.join("examples")).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("expected.csv").is_file() {
            continue;
        }
        let Some(db) = rt.block_on(scratch()) else {
            return;
        };
        let ws = Workspace::new();
        let url = db.url.as_str();
        ws.ok(&[
            "--database-url",
            url,
            "ingest",
            "--data-dir",
            dir.to_str().unwrap(),
        ]);
        let as_of = std::fs::read_to_string(dir.join("as_of.txt")).unwrap();
        let got = ws.ok(&["--database-url", url, "report", "--as-of", as_of.trim()]);
        assert_eq!(
            got,
            std::fs::read_to_string(dir.join("expected.csv")).unwrap(),
            "{}",
            dir.display()
        );
        let got = ws.ok(&[
            "--database-url",
            url,
            "report",
            "--as-of",
            as_of.trim(),
            "--extended",
        ]);
        assert_eq!(
            got,
            std::fs::read_to_string(dir.join("expected-extended.csv")).unwrap(),
            "{} (extended)",
            dir.display()
        );
    }
}

#[test]
fn postgres_and_sqlite_report_the_same() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(scratch()) else {
        return;
    };
    let ws = Workspace::new();
    write_generated(&ws.path("data"), 400, 8, 3);
    let sqlite = ws.database_url();
    for url in [sqlite.as_str(), db.url.as_str()] {
        let out = ws.ok(&["--database-url", url, "ingest", "--data-dir", "data"]);
        assert!(out.contains("new or changed"), "{out}");
        // Idempotent on both.
        let again = ws.ok(&["--database-url", url, "ingest", "--data-dir", "data"]);
        assert!(again.contains(" 0 new or changed"), "{again}");
    }
    for as_of in [
        None,
        Some("2023-01-25 12:00:00 UTC"),
        Some("2023-01-22T03:30:00Z"),
    ] {
        let report = |url: &str| {
            let mut args = vec!["--database-url", url, "report"];
            if let Some(t) = as_of {
                args.extend(["--as-of", t]);
            }
            ws.ok(&args)
        };
        let a = report(&sqlite);
        assert_eq!(a.lines().count(), 401);
        assert_eq!(a, report(&db.url), "as_of {as_of:?}");
    }
}

/// Two service instances on one PostgreSQL database: reports triggered on
/// either are all completed, each by exactly one worker, identically.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_database() {
    let Some(db_scratch) = scratch().await else {
        return;
    };
    let db = PostgresDatabase::connect(&db_scratch.url).await.unwrap();
    let mut instances = Vec::new();
    for _ in 0..2 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let db = PostgresDatabase::connect(&db_scratch.url).await.unwrap();
        instances.push(
            service::start(db, Settings::default(), listener)
                .await
                .unwrap(),
        );
    }
    let bases: Vec<String> = instances
        .iter()
        .map(|r| format!("http://{}", r.addr))
        .collect();
    let client = crate::common::http_client();
    let (p, h, z) = generated(200, 8, 5);
    for (source, body) in [("polls", p), ("business_hours", h), ("timezones", z)] {
        let r = client
            .post(format!("{}/api/ingest/{source}", bases[0]))
            .header("content-type", "text/csv")
            .body(body)
            .sent()
            .await;
        assert_eq!(r.status(), 200);
    }
    let mut ids = Vec::new();
    for i in 0..12 {
        let r: Value = client
            .post(format!(
                "{}/trigger_report?as_of=2023-01-25T12:00:00Z",
                bases[i % 2]
            ))
            .sent_json()
            .await;
        ids.push(r["report_id"].as_str().unwrap().to_string());
    }
    let mut csvs = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            // Asked of the other instance than the one that queued it.
            let r: Value = client
                .get(format!("{}/get_report?report_id={id}", bases[(i + 1) % 2]))
                .sent_json()
                .await;
            if r["status"] == "Complete" {
                csvs.push(r["csv"].as_str().unwrap().to_string());
                break;
            }
            assert_eq!(r["status"], "Running", "{r}");
            assert!(Instant::now() < deadline, "{id} did not complete");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        use storewatch_db::ReportQueue;
        assert_eq!(
            db.report(
                &storewatch_db::ReportId::parse(id).unwrap(),
                storewatch_db::Include::StatusOnly
            )
            .await
            .unwrap()
            .unwrap()
            .attempts,
            1,
            "computed exactly once"
        );
    }
    assert!(csvs.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(csvs[0].lines().count(), 201);
    for i in instances {
        i.stop().await.unwrap();
    }
    db.pool().close().await;
}

/// A loopback listener that speaks just enough of PostgreSQL's protocol to
/// refuse TLS, as a server without TLS does: it answers the SSLRequest 'N'.
async fn server_without_tls() -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 8];
                if socket.read_exact(&mut request).await.is_ok() {
                    let _ = socket.write_all(b"N").await;
                    let mut rest = Vec::new();
                    let _ = socket.read_to_end(&mut rest).await;
                }
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sslmode_require_refuses_a_server_without_tls_clearly() {
    let addr = server_without_tls().await;
    let url = format!("postgres://postgres@{addr}/postgres?sslmode=require");
    let error = PostgresDatabase::connect(&url)
        .await
        .unwrap_err()
        .to_string();
    // Said by a build that has TLS: one without says "built without TLS support".
    assert!(error.contains("server does not support TLS"), "{error}");
    let ws = Workspace::new();
    let out = ws.run(&["--database-url", &url, "report"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("server does not support TLS").count(),
        1,
        "said once: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sslmode_require_encrypts_the_connection_when_the_server_has_tls() {
    let Some(db) = scratch().await else { return };
    let plain = PostgresDatabase::connect(&db.url).await.unwrap();
    let ssl: String = sqlx::query_scalar("SHOW ssl")
        .fetch_one(plain.pool())
        .await
        .unwrap();
    if ssl != "on" {
        eprintln!("skipped: the test server has ssl = {ssl}");
        return;
    }
    let separator = if db.url.contains('?') { '&' } else { '?' };
    let tls = PostgresDatabase::connect(&format!("{}{separator}sslmode=require", db.url))
        .await
        .unwrap();
    let encrypted: bool =
        sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_one(tls.pool())
            .await
            .unwrap();
    assert!(encrypted, "sslmode=require gave an unencrypted connection");
}

/// A wrong port: the real reason, at once and once (it was "pool timed out
/// while waiting for an open connection", after 30 s).
#[test]
fn a_wrong_postgres_port_is_named_at_once() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // The port was free a moment ago and nothing listens on it now.
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let ws = Workspace::new();
    let out = ws.run(&["--database-url", &url, "report"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refused"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
}

/// A server that accepts and never answers: given up after 5 s, saying so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_that_never_answers_is_given_up_on_after_five_seconds() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let url = format!("postgres://postgres@{addr}/postgres");
    let error = PostgresDatabase::connect(&url)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(&format!(
            "PostgreSQL at 127.0.0.1:{} did not answer within 5 s",
            addr.port()
        )),
        "{error}"
    );
}

/// The database dropped and recreated empty under a running service: the
/// next health check migrates it again, and the service works on without a
/// restart (every route answered 500 until a restart before).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recreated_empty_database_is_migrated_again_by_the_health_check() {
    use sqlx::Connection;
    let Some(db) = scratch().await else { return };
    let (running, api) = serve_on_postgres(&db.url).await;
    let (status, _) = api
        .push("timezones", "store_id,timezone_str\n1,Asia/Tokyo\n")
        .await;
    assert_eq!(status, 200);
    let mut admin = sqlx::PgConnection::connect(&storewatch_postgres::testing::admin_url())
        .await
        .unwrap();
    for sql in [
        format!("DROP DATABASE {} WITH (FORCE)", db.name),
        format!("CREATE DATABASE {}", db.name),
    ] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut admin)
            .await
            .unwrap();
    }
    // The pool's connections were closed by the drop; the first check may
    // still meet one of them, so allow it a few tries.
    let mut last = (0, Value::Null);
    for _ in 0..5 {
        let r = api.client.get(api.url("/healthz")).sent().await;
        last = (r.status().as_u16(), r.json().await.unwrap());
        if last.0 == 200 {
            break;
        }
    }
    assert_eq!(last.0, 200, "{}", last.1);
    let (status, body) = api
        .push(
            "polls",
            "store_id,status,timestamp_utc\n1,active,2023-01-25 12:00:00 UTC\n",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    running.stop().await.unwrap();
}

/// A transaction whose COMMIT fails (here a deferred constraint trigger
/// refuses it; in life a full disk or a lost connection) leaves no
/// connection of the pool stuck in it: every later request goes through, on
/// whichever pooled connection it gets, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_commit_leaves_every_pooled_connection_usable() {
    use sqlx::Connection;
    let Some(db) = scratch().await else { return };
    let (running, api) = serve_on_postgres(&db.url).await;
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    sqlx::raw_sql(
        "CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$;
         CREATE CONSTRAINT TRIGGER refuse_tokyo AFTER INSERT ON timezones
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
             WHEN (NEW.timezone = 'Asia/Tokyo') EXECUTE FUNCTION refuse_at_commit();",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    // Failures and successes interleaved, more than the pool has connections.
    for round in 0..12 {
        let (status, body) = api
            .push("timezones", "store_id,timezone_str\n1,Asia/Tokyo\n")
            .await;
        assert_eq!(status, 500, "round {round}: {body}");
        assert!(!body.to_string().contains("refused at commit"), "{body}");
        let (status, body) = api
            .push("timezones", "store_id,timezone_str\n1,Europe/Paris\n")
            .await;
        assert_eq!(status, 200, "round {round}, after a failed commit: {body}");
        let (status, body) = api
            .push(
                "polls",
                format!(
                    "store_id,status,timestamp_utc\n1,active,2023-01-25 12:{round:02}:00 UTC\n"
                ),
            )
            .await;
        assert_eq!(status, 200, "round {round}: {body}");
    }
    let id = api.trigger(Some("2023-01-25 13:00:00 UTC")).await;
    let done = api.wait_for(&id).await;
    assert_eq!(done["status"], "Complete", "{done}");
    let zone: String = sqlx::query_scalar("SELECT timezone FROM timezones WHERE store_id = '1'")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(zone, "Europe/Paris", "the refused ingests applied nothing");
    running.stop().await.unwrap();
}
