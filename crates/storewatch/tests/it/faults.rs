//! Storage faults (issue 9): the service survives them, loses nothing it
//! acknowledged, and recovers by itself once the cause is gone.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use storewatch::app::Settings;

use crate::common::client::Sent;
use crate::common::server::{generated, gzip, load_generated, spawn_app_on};

/// A small tmpfs, unmounted on drop; `None` (with the reason printed) where
/// mounting is not allowed, unless STOREWATCH_REQUIRE_MOUNT is set (CI runs
/// as root and sets it).
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(mib: u32) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(dir.path())
            .output();
        match out {
            Ok(o) if o.status.success() => Some(SmallDisk { dir }),
            other => {
                let why = match other {
                    Ok(o) => String::from_utf8_lossy(&o.stderr).into_owned(),
                    Err(e) => e.to_string(),
                };
                if std::env::var_os("STOREWATCH_REQUIRE_MOUNT").is_some() {
                    panic!("STOREWATCH_REQUIRE_MOUNT is set but mounting a tmpfs failed: {why}");
                }
                eprintln!("SKIPPED: this test mounts a small tmpfs, which failed here: {why}");
                None
            }
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills what is left with a file; returns it (delete it to free the space).
    fn fill(&self) -> PathBuf {
        let path = self.path().join("filler");
        let mut f = std::fs::File::create(&path).unwrap();
        let block = vec![0u8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        let small = [0u8; 512];
        while f.write_all(&small).is_ok() {}
        let _ = f.flush();
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_fails_requests_cleanly_and_everything_recovers_after() {
    let Some(disk) = SmallDisk::mount(24) else {
        return;
    };
    let url = format!("sqlite://{}", disk.path().join("storewatch.db").display());
    let app = spawn_app_on(tempfile::tempdir().unwrap(), url, Settings::default()).await;
    load_generated(&app, 30, 8).await;
    let before = app.trigger(Some("2023-01-25 12:00:00 UTC")).await;
    let before = app.wait_for(&before).await;
    assert_eq!(before["status"], "Complete", "{before}");

    let filler = disk.fill();
    // More polls than fit: refused, nothing applied.
    let (polls, _, _) = generated(3000, 8, 11);
    let (status, body) = app.push("polls", gzip(&polls)).await;
    assert_eq!(status, 500, "{body}");
    let (status, body) = health(&app).await;
    assert_eq!(status, 503, "a full disk takes no write: {body}");
    assert_eq!(body["failed"], "write", "{body}");
    assert!(!body.to_string().contains("full"), "no SQLite text: {body}");
    for _ in 0..3 {
        let r = app
            .client
            .post(app.url("/api/ingest/timezones"))
            .header("content-type", "text/csv")
            .body("store_id,timezone_str\n1,Asia/Tokyo\n")
            .sent()
            .await;
        assert!(r.status().is_server_error() || r.status().is_success());
    }

    // Space is back: every kind of work goes through again, without a restart.
    std::fs::remove_file(filler).unwrap();
    let (_, hours, zones) = generated(30, 8, 7);
    for (source, body) in [("business_hours", hours), ("timezones", zones)] {
        let (status, answer) = app.push(source, body).await;
        assert_eq!(
            status, 200,
            "{source} after the disk had room again: {answer}"
        );
    }
    let (status, answer) = app.push("polls", gzip(&generated(30, 8, 7).0)).await;
    assert_eq!(status, 200, "{answer}");
    let after = app.trigger(Some("2023-01-25 12:00:00 UTC")).await;
    let after = app.wait_for(&after).await;
    assert_eq!(after["status"], "Complete", "{after}");
    assert_eq!(
        after["csv"], before["csv"],
        "the refused ingest applied nothing"
    );
    let (status, body) = health(&app).await;
    assert_eq!(status, 200, "{body}");
}

async fn health(app: &crate::common::server::TestApp) -> (u16, serde_json::Value) {
    let r = app.client.get(app.url("/healthz")).sent().await;
    (r.status().as_u16(), r.json().await.unwrap())
}

/// A database file replaced underneath the running service: `/healthz`
/// says so, and writes are refused instead of acknowledged and lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replaced_database_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("storewatch.db");
    let url = format!("sqlite://{}", path.display());
    let app = spawn_app_on(tempfile::tempdir().unwrap(), url, Settings::default()).await;
    assert_eq!(health(&app).await.0, 200);
    std::fs::rename(&path, dir.path().join("moved-away.db")).unwrap();
    std::fs::write(&path, b"").unwrap();
    let (status, body) = health(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["failed"], "file", "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("restart"),
        "{body}"
    );
    // Nor is anything acknowledged that would be lost at the next start.
    let (status, body) = app
        .push("timezones", "store_id,timezone_str\n1,Asia/Tokyo\n")
        .await;
    assert_eq!(status, 500, "{body}");
    let r = app.client.post(app.url("/trigger_report")).sent().await;
    assert_eq!(r.status(), 500);
}

/// `storewatch serve` as a child process, killed (SIGKILL) when dropped, so
/// a failing test leaves no server behind.
struct Serve {
    child: std::process::Child,
    url: String,
}

impl Serve {
    fn start(database_url: &str) -> Serve {
        Serve::start_with(database_url, &[], &[])
    }

    /// With more global flags (before `serve`) and environment variables.
    fn start_with(database_url: &str, flags: &[&str], env: &[(&str, &str)]) -> Serve {
        let (child, url) = start_serve(database_url, flags, env);
        Serve { child, url }
    }

    /// kill -9, and wait until it is gone.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `storewatch serve` as a child process on `url`, and its base URL once it
/// says it listens.
fn start_serve(url: &str, flags: &[&str], env: &[(&str, &str)]) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_storewatch"))
        .args(flags)
        .args([
            "--log",
            "info",
            "--database-url",
            url,
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("serve stopped before it listened")
            .unwrap();
        if let Some(rest) = line.split("storewatch is listening on ").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    // Keep reading its log so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

/// Polls of `stores` stores of their own (ids `r{round}-{n}`), one a day for
/// a week: each round's rows can be told apart from every other's.
fn round_polls(round: usize, stores: usize) -> (String, u64) {
    let mut csv = String::from("store_id,status,timestamp_utc\n");
    let mut n = 0;
    for store in 0..stores {
        for day in 18..25 {
            csv.push_str(&format!(
                "r{round}-{store},active,2023-01-{day} 12:00:00 UTC\n"
            ));
            n += 1;
        }
    }
    (csv, n)
}

/// kill -9 of the service while it ingests, again and again: after each
/// restart the database is intact (`PRAGMA integrity_check`), every push it
/// had acknowledged is there, and the push it was killed in is there whole
/// or not at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_ingests_loses_nothing_acknowledged_and_applies_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("storewatch.db").display());
    let client = crate::common::http_client();
    // Rows acknowledged so far, and rows a killed push may or may not have added.
    let mut acknowledged = 0u64;
    let mut outcomes = Vec::new();
    for round in 0..8 {
        let server = Serve::start(&url);
        let addr = server.url.clone();
        // One push acknowledged, then one the kill interrupts.
        let (ack_csv, ack_rows) = round_polls(2 * round, 50);
        let r = client
            .post(format!("{addr}/api/ingest/polls"))
            .header("content-type", "text/csv")
            .body(ack_csv)
            .sent()
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        acknowledged += ack_rows;
        let (csv, rows) = round_polls(2 * round + 1, 20_000);
        let push = tokio::spawn(
            client
                .post(format!("{addr}/api/ingest/polls"))
                .header("content-type", "text/csv")
                .body(csv)
                .send(),
        );
        // From at once to well into the push (a different moment each round).
        tokio::time::sleep(std::time::Duration::from_millis(40 * round as u64)).await;
        server.kill();
        let answered_ok = matches!(push.await.unwrap(), Ok(r) if r.status() == 200);

        let db = rusqlite::Connection::open(dir.path().join("storewatch.db")).unwrap();
        let check: String = db
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "round {round}");
        // Polls are stored a day per row, 8 bytes each.
        let stored: i64 = db
            .query_row(
                "SELECT coalesce(sum(length(polls)), 0) / 8 FROM poll_days",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let stored = stored as u64;
        drop(db);
        if answered_ok {
            assert_eq!(
                stored,
                acknowledged + rows,
                "round {round}: acknowledged, then lost"
            );
        } else {
            assert!(
                stored == acknowledged || stored == acknowledged + rows,
                "round {round}: {stored} rows, neither {acknowledged} nor {}",
                acknowledged + rows
            );
        }
        outcomes.push(match (answered_ok, stored == acknowledged) {
            (true, _) => "answered",
            (false, true) => "killed, rolled back",
            (false, false) => "killed after the commit",
        });
        acknowledged = stored;
    }
    eprintln!("kill -9 rounds: {outcomes:?}");
    assert!(
        outcomes.contains(&"killed, rolled back"),
        "no kill landed during a push: {outcomes:?}"
    );
    // And the service starts on it and reports.
    let (mut child, addr) = start_serve(&url, &[], &[]);
    let r = client.get(format!("{addr}/healthz")).sent().await;
    assert_eq!(r.status(), 200);
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A database file that cannot be written (made immutable with `chattr +i`,
/// which stops root too; file modes do not, and CI runs as root):
/// `/healthz` says the database takes no writes, an ingest is refused
/// (nothing acknowledged), and once the file is writable again everything
/// works without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_database_file_is_reported_and_recovered_from() {
    let ws = crate::common::Workspace::new();
    let tz = ws.write("tz.csv", "store_id,timezone_str\n1,Asia/Tokyo\n");
    ws.ok(&["ingest", "--timezones", &tz.display().to_string()]);
    let db = ws.path("storewatch.db");
    let Some(_immutable) = Immutable::set(&db) else {
        return;
    };
    let server = Serve::start(&ws.database_url());
    let client = crate::common::http_client();
    let health = || async {
        let r = client.get(format!("{}/healthz", server.url)).sent().await;
        (
            r.status().as_u16(),
            r.json::<serde_json::Value>().await.unwrap(),
        )
    };
    let push = |zone: &'static str| {
        client
            .post(format!("{}/api/ingest/timezones", server.url))
            .header("content-type", "text/csv")
            .body(format!("store_id,timezone_str\n1,{zone}\n"))
            .send()
    };
    let (status, body) = health().await;
    assert_eq!(
        (status, &body["failed"]),
        (503, &serde_json::json!("write")),
        "{body}"
    );
    assert!(
        !body.to_string().contains("readonly"),
        "no SQLite text: {body}"
    );
    let r = push("Europe/Paris").await.unwrap();
    assert_eq!(r.status(), 500);
    drop(_immutable);
    // Writable again: the failed connections were closed, new ones write.
    let mut last = (0, serde_json::Value::Null);
    for _ in 0..5 {
        last = health().await;
        if last.0 == 200 {
            break;
        }
    }
    assert_eq!(last.0, 200, "{}", last.1);
    let r = push("Europe/Paris").await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

/// `chattr +i` on a file until dropped; `None` (saying why) where it cannot
/// be done, unless STOREWATCH_REQUIRE_MOUNT is set (CI, as root on ext4).
struct Immutable(PathBuf);

impl Immutable {
    fn set(path: &Path) -> Option<Immutable> {
        match Command::new("chattr").arg("+i").arg(path).output() {
            Ok(o) if o.status.success() => Some(Immutable(path.to_path_buf())),
            other => {
                let why = match other {
                    Ok(o) => String::from_utf8_lossy(&o.stderr).into_owned(),
                    Err(e) => e.to_string(),
                };
                if std::env::var_os("STOREWATCH_REQUIRE_MOUNT").is_some() {
                    panic!("STOREWATCH_REQUIRE_MOUNT is set but chattr +i failed: {why}");
                }
                eprintln!(
                    "SKIPPED: this test makes a file immutable (root, ext4), which failed: {why}"
                );
                None
            }
        }
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
    }
}

/// Valid rows that cannot be set aside while a pushed file is checked (the
/// temporary directory is gone) are the server's fault: 500 with a request
/// id and no detail of the machine, nothing applied, and the service takes
/// the next push.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_that_cannot_be_set_aside_are_a_server_error_not_the_clients() {
    let ws = crate::common::Workspace::new();
    let server = Serve::start_with(
        &ws.database_url(),
        &["--sort-run-polls", "1000"],
        &[("TMPDIR", "/nonexistent/storewatch-test")],
    );
    let client = crate::common::http_client();
    let push = |body: String| {
        client
            .post(format!("{}/api/ingest/polls", server.url))
            .header("content-type", "text/csv")
            .body(body)
            .send()
    };
    let (big, _) = round_polls(1, 3_000);
    let r = push(big).await.unwrap();
    assert_eq!(r.status(), 500);
    let text = r.text().await.unwrap();
    assert!(text.contains("request id"), "{text}");
    assert!(
        !text.contains("nonexistent") && !text.contains("No such file"),
        "{text}"
    );
    // Fewer polls than a run: nothing to set aside, so it goes through.
    let (small, rows) = round_polls(2, 50);
    let r = push(small).await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let report = ws.ok(&["report"]);
    assert_eq!(report.lines().count() as u64, 1 + rows / 7, "{report}");
}

/// The API keys live in the jobs file beside the data; an operator who
/// deletes that "queue" file must not reopen the service. The data file
/// remembers that keys were made: `serve` refuses to start, saying why,
/// until a new key is made, and then the service is closed as before.
#[test]
fn a_lost_jobs_file_does_not_reopen_the_service() {
    let ws = crate::common::Workspace::new();
    let data = ws.path("data");
    crate::common::server::write_generated(&data, 20, 2, 3);
    ws.ok(&["ingest", "--data-dir", data.to_str().unwrap()]);
    ws.ok(&["keys", "create", "--name", "admin", "--role", "admin"]);
    for file in [
        "storewatch.jobs.db",
        "storewatch.jobs.db-wal",
        "storewatch.jobs.db-shm",
    ] {
        let _ = std::fs::remove_file(ws.path(file));
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_storewatch"))
        .args([
            "--database-url",
            &ws.database_url(),
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve started on a database whose keys were lost");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        err.contains("says API keys were made") && err.contains("storewatch.jobs.db"),
        "{err}"
    );
    // A new key: the service starts, closed.
    let key = ws.ok(&["keys", "create", "--name", "admin", "--role", "admin"]);
    let server = Serve::start(&ws.database_url());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let client = crate::common::http_client();
        let url = format!("{}/api/reports", server.url);
        assert_eq!(client.get(&url).sent().await.status(), 401);
        let r = client.get(&url).bearer_auth(key.trim()).sent().await;
        assert_eq!(r.status(), 200);
    });
}

/// A bug that panics while a file is checked is ours, not the database's:
/// the ingest says so (before, it was reported as a database error), and
/// nothing is applied.
#[tokio::test]
async fn a_panicking_parser_is_an_internal_error_not_a_database_one() {
    use storewatch::app::ingest::{IngestFailure, IngestRequest, Input, Origin, ingest};
    use storewatch_core::ingest::{Mode, SourceKind};
    use storewatch_db::DataStore;

    struct Panics;
    impl std::io::Read for Panics {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            panic!("a parser bug")
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("storewatch.db").display());
    let db = storewatch_sqlite::SqliteDatabase::connect(&url)
        .await
        .unwrap();
    let request = IngestRequest {
        inputs: vec![(
            SourceKind::Polls,
            Input::Stream {
                label: "request body".into(),
                reader: Box::new(Panics),
                max_inflated: u64::MAX,
            },
        )],
        mode: Mode::Strict,
        origin: Origin::keyless(storewatch_db::Actor::CommandLine),
        fingerprints: Vec::new(),
        max_future: std::time::Duration::from_secs(3600),
        rejected_dir: None,
    };
    match ingest(&db, request, None).await {
        Err(IngestFailure::Panicked(why)) => assert!(why.contains("a parser bug"), "{why}"),
        Err(other) => panic!("expected a panic reported as ours, got {other:?}"),
        Ok(_) => panic!("expected a failure"),
    }
    assert_eq!(db.counts().await.unwrap().polls, 0);
}
