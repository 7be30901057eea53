//! Background work: reports survive a crash, many run at once without loss,
//! a concurrent ingest never tears a report, and the data directory is
//! re-ingested when (and only when) a file changed.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::client::Sent;
use crate::common::free_port;
use crate::common::server::{
    claim_directly, generated, load_generated, queue_directly, spawn_app, spawn_app_on,
    wait_until_up,
};
use futures_util::future::join_all;
use serde_json::Value;
use storewatch::app::Settings;
use storewatch_db::{ReportQueue, ReportState};

const AS_OF: &str = "2023-01-25 12:00:00 UTC";

fn short_lease() -> Settings {
    Settings {
        report_lease: Duration::from_millis(600),
        ..Settings::default()
    }
}

/// The state a crash leaves: a report "running" under a worker that no longer
/// exists. After a restart it is taken over and completed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_running_when_the_server_died_completes_after_restart() {
    let mut app = spawn_app(short_lease()).await;
    load_generated(&app, 100, 8).await;
    app.stop().await;
    let now = storewatch::clock::now_micros();
    let id = "feedfacefeedfacefeedfacefeedface";
    queue_directly(&app.db, id, storewatch_core::report::Columns::Standard, now).await;
    // Claimed by the process that then died: its lease runs out in 300 ms.
    claim_directly(&app.db, "pid-that-died", now, 300_000)
        .await
        .unwrap();
    assert_eq!(
        app.db
            .report(
                &storewatch_db::ReportId::parse(id).unwrap(),
                storewatch_db::Include::StatusOnly
            )
            .await
            .unwrap()
            .unwrap()
            .state,
        ReportState::Running
    );

    let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    let app = spawn_app_on(dir, app.database_url.clone(), short_lease()).await;
    let done = app.wait_for(id).await;
    assert_eq!(done["status"], "Complete", "{done}");
    assert_eq!(done["csv"].as_str().unwrap(), app.direct_csv(None).await);
    let record = app
        .db
        .report(
            &storewatch_db::ReportId::parse(id).unwrap(),
            storewatch_db::Include::StatusOnly,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.attempts, 2, "taken over once");
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start_binary(url: &str, port: u16) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_storewatch"))
        .args([
            "--database-url",
            url,
            "serve",
            "--demo",
            "--report-lease",
            "1s",
            "--listen",
        ])
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    wait_until_up(&format!("http://127.0.0.1:{port}")).await;
    server
}

/// The real binary, killed with SIGKILL right after a trigger (the report is
/// queued or being computed), then started again on the same database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_finishes_its_reports_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("storewatch.db").display());
    let port = free_port();
    let client = crate::common::http_client();
    let base = format!("http://127.0.0.1:{port}");

    let mut server = start_binary(&url, port).await;
    let r: Value = client
        .post(format!("{base}/trigger_report"))
        .sent_json()
        .await;
    let id = r["report_id"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(30)).await;
    server.0.kill().unwrap();
    server.0.wait().unwrap();

    let _server = start_binary(&url, port).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    let done = loop {
        let r: Value = client
            .get(format!("{base}/get_report?report_id={id}"))
            .sent_json()
            .await;
        if r["status"] != "Running" {
            break r;
        }
        assert!(
            Instant::now() < deadline,
            "still running after restart: {r}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(done["status"], "Complete", "{done}");
    assert_eq!(done["rows"], 14_092);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_triggers_at_once_all_complete_identically() {
    let app = spawn_app(Settings::default()).await;
    load_generated(&app, 300, 8).await;
    let ids = join_all((0..20).map(|_| app.trigger(Some(AS_OF)))).await;
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 20, "distinct ids");
    let want = app.direct_csv(Some(AS_OF)).await;
    for id in &ids {
        let done = app.wait_for(id).await;
        assert_eq!(done["status"], "Complete", "{done}");
        assert_eq!(done["csv"].as_str().unwrap(), want, "report {id}");
    }
}

/// Reports run while an ingest rewrites every poll's status: each report is
/// wholly before or wholly after it, never a mix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ingest_pushed_during_reports_does_not_tear_them() {
    let app = spawn_app(Settings::default()).await;
    let (polls, hours, zones) = generated(2000, 8, 11);
    assert_eq!(app.push("polls", polls.clone()).await.0, 200);
    assert_eq!(app.push("business_hours", hours).await.0, 200);
    assert_eq!(app.push("timezones", zones).await.0, 200);
    let before = app.direct_csv(Some(AS_OF)).await;

    // Every poll with its status flipped: same keys, so each is replaced.
    let flipped: String = String::from_utf8(polls)
        .unwrap()
        .lines()
        .map(|l| {
            if l.contains(",active,") {
                l.replacen(",active,", ",inactive,", 1)
            } else {
                l.replacen(",inactive,", ",active,", 1)
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let ids = join_all((0..6).map(|_| app.trigger(Some(AS_OF)))).await;
    let (status, body) = app.push("polls", flipped).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["written"].as_u64().unwrap() > 100_000);
    let more = join_all((0..2).map(|_| app.trigger(Some(AS_OF)))).await;
    let after = app.direct_csv(Some(AS_OF)).await;
    assert_ne!(before, after);

    let (mut saw_before, mut saw_after) = (0, 0);
    for id in ids.iter().chain(&more) {
        let done = app.wait_for(id).await;
        let csv = done["csv"].as_str().unwrap();
        if csv == before {
            saw_before += 1;
        } else if csv == after {
            saw_after += 1;
        } else {
            panic!("report {id} is neither the data before nor after the ingest");
        }
    }
    assert!(saw_after >= 2, "reports triggered after the ingest see it");
    assert_eq!(saw_before + saw_after, 8);
}

fn metric(text: &str, line_start: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(line_start))
        .map_or(0, |v| v.trim().parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_dir_is_reingested_when_a_file_changes() {
    let data = tempfile::tempdir().unwrap();
    let polls = data.path().join("store_status.csv");
    std::fs::write(
        &polls,
        "store_id,status,timestamp_utc\ns1,active,2023-01-25 12:00:00 UTC\n",
    )
    .unwrap();
    std::fs::write(
        data.path().join("timezones.csv"),
        "store_id,timezone_str\ns1,America/Denver\n",
    )
    .unwrap();
    let settings = Settings {
        data_dir: Some(data.path().to_path_buf()),
        ingest_every: Duration::from_millis(150),
        ..Settings::default()
    };
    let app = spawn_app(settings).await;
    let metrics = || async {
        app.client
            .get(app.url("/metrics"))
            .sent()
            .await
            .text()
            .await
            .unwrap()
    };
    let applied = "storewatch_ingest_files_total{source=\"polls\",outcome=\"applied\"}";
    let unchanged = "storewatch_ingest_files_total{source=\"polls\",outcome=\"unchanged\"}";

    let wait_until = |what: &'static str, check: Box<dyn Fn(&str) -> bool + Send>| async move {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = metrics().await;
            if check(&text) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}:\n{text}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    // Ingested at start, then skipped on the following ticks.
    let text = wait_until(
        "two unchanged ticks",
        Box::new(move |t| metric(t, unchanged) >= 2),
    )
    .await;
    assert_eq!(metric(&text, applied), 1);
    assert_eq!(app.direct_csv(None).await.lines().count(), 2);

    // A changed file is picked up on the next tick.
    std::fs::write(
        &polls,
        "store_id,status,timestamp_utc\ns1,active,2023-01-25 12:00:00 UTC\ns2,inactive,2023-01-25 12:30:00 UTC\n",
    )
    .unwrap();
    wait_until(
        "the changed file",
        Box::new(move |t| metric(t, applied) == 2),
    )
    .await;
    let csv = app.direct_csv(None).await;
    assert!(
        csv.contains("\ns2,0.00,0.00,0.00,60.00,24.00,168.00"),
        "{csv}"
    );

    // An invalid file is rejected whole and changes nothing.
    std::fs::write(
        &polls,
        "store_id,status,timestamp_utc\ns3,actve,2023-01-25 13:00:00 UTC\n",
    )
    .unwrap();
    wait_until(
        "the rejection",
        Box::new(|t| {
            t.contains("storewatch_ingest_files_total{source=\"polls\",outcome=\"rejected\"}")
        }),
    )
    .await;
    assert_eq!(app.direct_csv(None).await, csv);
}
