//! Issue 11: ingest in bounded memory (polls set aside in sorted runs on
//! disk), and retention, on both backends.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::common::Workspace;
use crate::common::server::generated;
use storewatch::app::polls::retain_polls;
use storewatch::backend::{Open, WithDatabase, launch};
use storewatch_core::domain::{format_timestamp, parse_timestamp};
use storewatch_core::ingest::{Mode, NewestAllowed, parse_polls, reader_from_bytes};
use storewatch_db::Database;
use storewatch_postgres::testing::scratch;

/// The SQLite database of `ws`, and a PostgreSQL scratch database where a
/// server is reachable (kept alive by the returned guard).
fn both_backends(ws: &Workspace) -> (Vec<String>, Option<storewatch_postgres::testing::Scratch>) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let pg = rt.block_on(scratch());
    let mut urls = vec![ws.database_url()];
    urls.extend(pg.as_ref().map(|p| p.url.clone()));
    (urls, pg)
}

/// One retention pass on the database at `url`, as `serve --retain-polls`
/// runs it; returns how many polls went.
async fn retain_on(url: &str, retain: Duration) -> u64 {
    struct Pass(Duration, Arc<AtomicU64>);
    impl WithDatabase for Pass {
        async fn run<D: Database>(self, db: D) -> anyhow::Result<()> {
            let now = parse_timestamp("2026-12-01 00:00:00 UTC").unwrap();
            let deleted = retain_polls(&db, self.0, now).await?;
            self.1.store(deleted, Ordering::SeqCst);
            db.close().await;
            Ok(())
        }
    }
    let deleted = Arc::new(AtomicU64::new(u64::MAX));
    launch(url, Open::MustExist, Pass(retain, deleted.clone()))
        .await
        .unwrap();
    deleted.load(Ordering::SeqCst)
}

/// A million valid polls, then one invalid row: nothing is applied, and the
/// error names the last line. Runs of 100,000 polls, so the valid rows went
/// to disk before the invalid one was found.
#[test]
fn an_invalid_last_row_after_a_million_valid_rows_applies_nothing() {
    let ws = Workspace::new();
    let (urls, _pg) = both_backends(&ws);
    let big = ws.path("big.csv");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        writeln!(w, "store_id,status,timestamp_utc").unwrap();
        let start = parse_timestamp("2023-01-01 00:00:00 UTC").unwrap();
        for i in 0..1_000_000i64 {
            let ts = start + (i / 200) * 3_600_000_000 + i % 200;
            let status = if i % 9 == 0 { "inactive" } else { "active" };
            writeln!(w, "s{},{status},{}", i % 200, format_timestamp(ts)).unwrap();
        }
        writeln!(w, "s1,actve,2023-06-01 00:00:00 UTC").unwrap();
    }
    ws.write(
        "small.csv",
        "store_id,status,timestamp_utc\ns1,active,2023-01-01 10:00:00 UTC\ns2,inactive,2023-01-01 11:00:00 UTC\n",
    );
    for url in &urls {
        ws.ok(&["--database-url", url, "ingest", "--status", "small.csv"]);
        let before = ws.ok(&["--database-url", url, "report", "--extended"]);
        let out = ws.run(&[
            "--database-url",
            url,
            "--sort-run-polls",
            "100000",
            "ingest",
            "--status",
            "big.csv",
        ]);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("big.csv:1000002: status \"actve\" is not active or inactive"),
            "{stderr}"
        );
        assert!(stderr.contains("nothing was ingested"), "{stderr}");
        let after = ws.ok(&["--database-url", url, "report", "--extended"]);
        assert_eq!(before, after, "{url}");
        assert_eq!(after.lines().count(), 3);
    }
}

/// The generated files as `ingest` takes them.
const GENERATED_FILES: [&str; 6] = [
    "--status",
    "p.csv",
    "--hours",
    "h.csv",
    "--timezones",
    "z.csv",
];

/// The report with extended columns as of `as_of`, from the database at `url`.
fn extended_report(ws: &Workspace, url: &str, as_of: &str) -> String {
    ws.ok(&[
        "--database-url",
        url,
        "report",
        "--extended",
        "--as-of",
        as_of,
    ])
}

/// A file checked in many sorted runs on disk is stored exactly as the
/// same file held in memory: the same report, and ingesting it again
/// changes nothing.
#[test]
fn a_file_sorted_in_runs_on_disk_is_stored_as_in_memory() {
    let ws = Workspace::new();
    let (polls, hours, zones) = generated(300, 8, 11);
    ws.write("p.csv", std::str::from_utf8(&polls).unwrap());
    ws.write("h.csv", std::str::from_utf8(&hours).unwrap());
    ws.write("z.csv", std::str::from_utf8(&zones).unwrap());
    let in_memory = format!("sqlite://{}", ws.path("memory.db").display());
    let on_disk = format!("sqlite://{}", ws.path("disk.db").display());
    let ingest = |url: &str, run: &str| {
        let mut args = vec!["--database-url", url, "--sort-run-polls", run, "ingest"];
        args.extend(GENERATED_FILES);
        ws.ok(&args)
    };
    ingest(&in_memory, "1000000000");
    let first = ingest(&on_disk, "1000");
    assert!(first.contains("new or changed"), "{first}");
    let again = ingest(&on_disk, "1000");
    assert!(again.contains(" 0 new or changed"), "{again}");
    for as_of in ["2023-01-25 18:00:00 UTC", "2023-01-21 06:30:00 UTC"] {
        let a = extended_report(&ws, &in_memory, as_of);
        assert_eq!(a.lines().count(), 301);
        assert_eq!(a, extended_report(&ws, &on_disk, as_of), "as of {as_of}");
    }
}

/// Retention deletes exactly the polls older than its cutoff, and every
/// report whose week lies inside the retained history is unchanged.
#[test]
fn retention_keeps_reports_inside_the_retained_window_equal() {
    let ws = Workspace::new();
    let (urls, _pg) = both_backends(&ws);
    let (polls, hours, zones) = generated(200, 20, 5);
    ws.write("p.csv", std::str::from_utf8(&polls).unwrap());
    ws.write("h.csv", std::str::from_utf8(&hours).unwrap());
    ws.write("z.csv", std::str::from_utf8(&zones).unwrap());
    // What the file holds, one poll per key.
    let file = parse_polls(
        reader_from_bytes("p.csv", polls).unwrap(),
        Mode::Strict,
        NewestAllowed::ANY,
    )
    .unwrap();
    let stored = file.polls.into_sorted_vec().unwrap();
    let newest = stored.iter().map(|(_, p)| p.ts).max().unwrap();
    let day = 86_400_000_000i64;
    let retain = Duration::from_secs(10 * 86_400);
    // The data is from 2023: counted back from its newest poll.
    let cutoff = newest - 10 * day;
    let kept = stored.iter().filter(|(_, p)| p.ts >= cutoff).count() as u64;
    assert!(kept < stored.len() as u64 && kept > 0);
    let rt = tokio::runtime::Runtime::new().unwrap();
    for url in &urls {
        let mut args = vec!["--database-url", url.as_str(), "ingest"];
        args.extend(GENERATED_FILES);
        ws.ok(&args);
        let report = |as_of: i64| extended_report(&ws, url, &format_timestamp(as_of));
        let times = [newest, newest - day / 3, cutoff + 7 * day];
        let before: Vec<String> = times.iter().map(|&t| report(t)).collect();
        let too_early = report(cutoff + 6 * day);
        let deleted = rt.block_on(retain_on(url, retain));
        assert_eq!(deleted, stored.len() as u64 - kept, "{url}");
        for (t, want) in times.iter().zip(&before) {
            assert_eq!(&report(*t), want, "{url} as of {t}");
        }
        // A week reaching before the cutoff did lose polls.
        assert_ne!(report(cutoff + 6 * day), too_early);
        // A second pass finds nothing more.
        let again = rt.block_on(retain_on(url, retain));
        assert_eq!(again, 0);
    }
}
