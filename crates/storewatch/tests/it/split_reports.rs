//! Reports split into shards (issue 11): for any shard size the CSV is the
//! whole report's byte for byte; two `serve` processes on one PostgreSQL
//! database share the shards of one report, each shard run once; and a
//! SIGKILL of one of them mid-report still ends Complete.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use storewatch::app::Settings;
use storewatch_db::{DataStore, Include, ReportId, ReportQueue, Role};
use storewatch_postgres::PostgresDatabase;
use storewatch_postgres::testing::scratch;

use crate::common::Workspace;
use crate::common::client::ApiClient;
use crate::common::client::Sent;
use crate::common::server::{TestApp, key, load_generated, wait_until_up, write_generated};
use crate::common::server::{spawn_app, spawn_app_on};

const AS_OF: &str = "2023-01-25 18:00:00 UTC";
const STORES: usize = 300;

/// What a case asks for: the extended week, or a period report.
const EXTENDED: &[(&str, &str)] = &[("columns", "extended")];
const DAILY_3: &[(&str, &str)] = &[("kind", "daily"), ("days", "3")];
const HOURLY_7: &[(&str, &str)] = &[("kind", "hourly"), ("days", "7")];
const PERIOD_FROM: &[(&str, &str)] = &[("kind", "period"), ("from", "2023-01-20T06:30:00Z")];

/// Triggers a report as `client` and waits for it: its CSV, and into how
/// many parts it was split.
async fn report(
    app: &TestApp,
    client: &ApiClient,
    as_of: Option<&str>,
    query: &[(&str, &str)],
) -> (String, Option<u32>) {
    let mut req = client
        .request(reqwest::Method::POST, "/trigger_report")
        .query(query);
    if let Some(t) = as_of {
        req = req.query(&[("as_of", t)]);
    }
    let r: Value = req.sent_json().await;
    let id = r["report_id"].as_str().unwrap().to_string();
    let done = client.wait_for(&id).await;
    assert_eq!(done["status"], "Complete", "{done}");
    let record = app
        .db
        .report(&ReportId::parse(&id).unwrap(), Include::StatusOnly)
        .await
        .unwrap()
        .unwrap();
    (done["csv"].as_str().unwrap().to_string(), record.parts)
}

fn random_below(n: u64) -> u64 {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    u64::from_le_bytes(bytes) % n
}

/// Shard sizes from one store to all of them, a few drawn at random: every
/// report (all stores at a given time, all at the newest poll, an owner's
/// scope) is the whole report byte for byte, split into as many parts as
/// the sizes say.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn split_reports_equal_the_whole_report_for_any_shard_size() {
    let whole = Settings {
        report_shard_stores: 1_000_000,
        ..Settings::default()
    };
    let mut app = spawn_app(whole.clone()).await;
    load_generated(&app, STORES, 8).await;
    let admin_key = key(&app, "admin", Role::Admin, None).await;
    let ids: Vec<String> = app
        .db
        .report_input(None, storewatch_db::Stores::All)
        .await
        .unwrap()
        .stores
        .into_iter()
        .map(|s| s.store_id)
        .collect();
    // Every third store, and one that does not exist.
    let mine: Vec<&str> = ids
        .iter()
        .step_by(3)
        .map(String::as_str)
        .chain(["not-a-store"])
        .collect();
    let scoped = mine.len();
    let owner_key = key(&app, "owner", Role::Viewer, Some(&mine)).await;

    // Every kind: the week, and the period reports (an owner's too).
    let cases = |all: usize, scoped: usize| {
        [
            (&admin_key, Some(AS_OF), EXTENDED, all),
            (&admin_key, None, EXTENDED, all),
            (&owner_key, Some(AS_OF), EXTENDED, scoped),
            (&admin_key, Some(AS_OF), DAILY_3, all),
            (&admin_key, None, HOURLY_7, all),
            (&owner_key, Some(AS_OF), PERIOD_FROM, scoped),
        ]
    };
    let mut want = Vec::new();
    for (who, as_of, query, _) in cases(STORES, scoped) {
        let (csv, parts) = report(&app, &app.with_key(who), as_of, query).await;
        assert_eq!(parts, None, "computed whole");
        want.push(csv);
    }
    assert_eq!(
        select(&want[0]),
        app.direct_csv(Some(AS_OF)).await,
        "the service's whole report is the direct one"
    );
    assert_eq!(
        want[2].lines().count(),
        scoped,
        "header and the owner's stores"
    );
    // An owner's period report is the full one's rows of its stores.
    let full_period = report(&app, &app.with_key(&admin_key), Some(AS_OF), PERIOD_FROM)
        .await
        .0;
    let of_mine: Vec<&str> = full_period
        .lines()
        .enumerate()
        .filter(|(i, l)| *i == 0 || mine.iter().any(|m| l.split(',').next() == Some(m)))
        .map(|(_, l)| l)
        .collect();
    assert_eq!(want[5].lines().collect::<Vec<_>>(), of_mine);
    assert_eq!(
        want[3].lines().count(),
        1 + 4 * STORES,
        "four local dates each"
    );
    assert_eq!(want[4].lines().count(), 1 + 24 * STORES, "24 hours each");

    let mut sizes = vec![1, 2, STORES as u32 - 1, STORES as u32];
    for _ in 0..3 {
        sizes.push(1 + random_below(STORES as u64) as u32);
    }
    eprintln!("shard sizes: {sizes:?}");
    for per in sizes {
        app.stop().await;
        let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
        let settings = Settings {
            report_shard_stores: per,
            ..whole.clone()
        };
        app = spawn_app_on(dir, app.database_url.clone(), settings).await;
        for (i, (who, as_of, query, stores)) in cases(STORES, scoped).into_iter().enumerate() {
            let (csv, parts) = report(&app, &app.with_key(who), as_of, query).await;
            let expected_parts =
                (stores > per as usize).then(|| stores.div_ceil(per as usize) as u32);
            assert_eq!(parts, expected_parts, "shards of {per} stores, case {i}");
            assert!(
                csv == want[i],
                "shards of {per} stores, case {i}: the CSV differs"
            );
        }
    }
}

/// The standard columns of an extended CSV.
fn select(csv: &str) -> String {
    storewatch_core::report::select_columns(csv, storewatch_core::report::Columns::Standard)
        .unwrap()
}

/// `storewatch serve` on PostgreSQL as a child process with JSON logs in a
/// file; SIGKILLed when dropped.
struct Instance {
    child: Child,
    base: String,
    log: std::path::PathBuf,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Instance {
    async fn start(ws: &Workspace, url: &str, name: &str, lease: &str) -> Instance {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = ws.path(&format!("{name}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_storewatch"))
            .args(["--database-url", url, "--log-format", "json", "serve"])
            .args(["--report-workers", "1", "--report-shard-stores", "100"])
            .args(["--report-lease", lease])
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let instance = Instance {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        wait_until_up(&instance.base).await;
        // Up is not yet listening: work queued before would wake it only at
        // its next idle poll.
        for _ in 0..1500 {
            let log = std::fs::read_to_string(&instance.log).unwrap_or_default();
            if log.contains("listening for report work") {
                return instance;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("{name} never listened for report work");
    }

    /// The parts of `report` this instance logged as `message`.
    fn parts(&self, report: &str, message: &str) -> Vec<u64> {
        logged_parts(&self.log, report, message)
    }

    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

fn logged_parts(log: &Path, report: &str, message: &str) -> Vec<u64> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|v| v["fields"]["message"] == message && v["fields"]["report_id"] == report)
        .filter_map(|v| v["fields"]["part"].as_u64())
        .collect()
}

/// 3,000 generated stores on a fresh PostgreSQL database, and their whole
/// report at [`AS_OF`] as `storewatch report` computes it.
fn postgres_with_data(ws: &Workspace, url: &str) -> String {
    write_generated(&ws.path("data"), 3_000, 8, 11);
    ws.ok(&["--database-url", url, "ingest", "--data-dir", "data"]);
    ws.ok(&["--database-url", url, "report", "--as-of", AS_OF])
}

async fn trigger(base: &str) -> String {
    let r: Value = crate::common::http_client()
        .post(format!("{base}/trigger_report"))
        .query(&[("as_of", AS_OF)])
        .sent_json()
        .await;
    r["report_id"].as_str().unwrap().to_string()
}

async fn wait_for(base: &str, id: &str) -> Value {
    ApiClient::new(base).wait_for(id).await
}

async fn parts_of(url: &str, id: &str) -> (storewatch_db::ReportState, Option<u32>) {
    let db = PostgresDatabase::connect(url).await.unwrap();
    let r = db
        .report(&ReportId::parse(id).unwrap(), Include::StatusOnly)
        .await
        .unwrap()
        .unwrap();
    db.pool().close().await;
    (r.state, r.parts)
}

/// Counts each part's appearances in the logs.
fn tally(lists: &[Vec<u64>]) -> BTreeMap<u64, usize> {
    let mut out = BTreeMap::new();
    for list in lists {
        for p in list {
            *out.entry(*p).or_insert(0) += 1;
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_serve_processes_share_the_shards_of_one_report() {
    let Some(db) = scratch().await else { return };
    let ws = Workspace::new();
    let whole = postgres_with_data(&ws, &db.url);
    let a = Instance::start(&ws, &db.url, "a", "15s").await;
    let b = Instance::start(&ws, &db.url, "b", "15s").await;

    let id = trigger(&a.base).await;
    let done = wait_for(&b.base, &id).await;
    assert_eq!(done["status"], "Complete", "{done}");
    assert!(
        done["csv"].as_str().unwrap() == whole,
        "the CSV differs from the whole report"
    );
    assert_eq!(parts_of(&db.url, &id).await.1, Some(30));

    let started = [
        a.parts(&id, "report part started"),
        b.parts(&id, "report part started"),
    ];
    let finished = [
        a.parts(&id, "report part finished"),
        b.parts(&id, "report part finished"),
    ];
    eprintln!(
        "parts started by a: {:?}, by b: {:?}",
        started[0], started[1]
    );
    let expected: BTreeMap<u64, usize> = (0..30).map(|p| (p, 1)).collect();
    assert_eq!(tally(&started), expected, "each part run once");
    assert_eq!(tally(&finished), expected, "each part finished once");
    assert!(
        !started[0].is_empty() && !started[1].is_empty(),
        "both instances ran parts: {started:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serve_process_killed_mid_report_leaves_it_to_the_other() {
    let Some(db) = scratch().await else { return };
    let ws = Workspace::new();
    let whole = postgres_with_data(&ws, &db.url);
    let mut a = Instance::start(&ws, &db.url, "a", "1s").await;
    let b = Instance::start(&ws, &db.url, "b", "1s").await;

    let id = trigger(&a.base).await;
    // Kill a as soon as it works on a part of the report.
    let deadline = Instant::now() + Duration::from_secs(60);
    while a.parts(&id, "report part started").is_empty() {
        assert!(Instant::now() < deadline, "a never took a part");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    a.kill();
    let (state, parts) = parts_of(&db.url, &id).await;
    assert_eq!(
        state,
        storewatch_db::ReportState::Running,
        "killed mid-report (else this proves nothing)"
    );
    assert_eq!(parts, Some(30));

    let done = wait_for(&b.base, &id).await;
    assert_eq!(done["status"], "Complete", "{done}");
    assert!(
        done["csv"].as_str().unwrap() == whole,
        "the CSV differs from the whole report"
    );
    let finished = tally(&[
        a.parts(&id, "report part finished"),
        b.parts(&id, "report part finished"),
    ]);
    let expected: BTreeMap<u64, usize> = (0..30).map(|p| (p, 1)).collect();
    assert_eq!(finished, expected, "each part stored once");
    let cut_short: Vec<u64> = a
        .parts(&id, "report part started")
        .into_iter()
        .filter(|p| !a.parts(&id, "report part finished").contains(p))
        .collect();
    eprintln!("a was killed in part(s) {cut_short:?}");
    for p in &cut_short {
        assert!(
            b.parts(&id, "report part started").contains(p),
            "b took over part {p}"
        );
    }
}
