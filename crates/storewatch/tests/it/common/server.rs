//! `spawn_app()`: the real service on 127.0.0.1:0 over a real SQLite file,
//! and a client for it.

use storewatch::app::Settings;
use storewatch::app::access::KeyRequest;
use storewatch::service::{self, Running};
use storewatch_core::generate::{GenerateOptions, generate, generate_with_special_hours};
use storewatch_core::report::{Columns, to_csv_string};
use storewatch_db::{Role, Scope};
use storewatch_sqlite::SqliteDatabase;

use super::client::ApiClient;

pub struct TestApp {
    /// The API client: `app.trigger(…)`, `app.url(…)` and so on.
    pub api: ApiClient,
    pub db: SqliteDatabase,
    pub database_url: String,
    pub running: Option<Running>,
    pub dir: tempfile::TempDir,
}

pub async fn spawn_app(settings: Settings) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("storewatch.db").display());
    spawn_app_on(dir, database_url, settings).await
}

/// Starts the service on an existing database (for restarts).
pub async fn spawn_app_on(
    dir: tempfile::TempDir,
    database_url: String,
    settings: Settings,
) -> TestApp {
    let db = SqliteDatabase::connect(&database_url).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = service::start(db.clone(), settings, listener)
        .await
        .unwrap();
    TestApp {
        api: ApiClient::new(format!("http://{}", running.addr)),
        db,
        database_url,
        running: Some(running),
        dir,
    }
}

impl std::ops::Deref for TestApp {
    type Target = ApiClient;

    fn deref(&self) -> &ApiClient {
        &self.api
    }
}

impl TestApp {
    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await.unwrap();
        }
    }

    /// The report computed directly from the database, as `storewatch report` does.
    pub async fn direct_csv(&self, as_of: Option<&str>) -> String {
        self.direct_csv_with(as_of, Columns::Standard).await
    }

    /// Like [`TestServer::direct_csv`], with the given columns.
    pub async fn direct_csv_with(&self, as_of: Option<&str>, columns: Columns) -> String {
        let as_of = as_of.map(|t| storewatch_core::domain::parse_timestamp(t).unwrap());
        let report =
            storewatch::app::report::compute_report(&self.db, as_of, storewatch_db::Stores::All)
                .await
                .unwrap();
        to_csv_string(&report, columns)
    }
}

fn options(stores: usize, days: u32, seed: u64) -> GenerateOptions {
    GenerateOptions {
        stores,
        days,
        seed,
        end: storewatch_core::domain::parse_timestamp("2023-01-25 18:13:22.47922 UTC").unwrap(),
    }
}

/// Generated CSVs (polls, hours, zones) for `stores` stores over `days` days.
pub fn generated(stores: usize, days: u32, seed: u64) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let (mut p, mut h, mut z) = (Vec::new(), Vec::new(), Vec::new());
    generate(&options(stores, days, seed), &mut p, &mut h, &mut z).unwrap();
    (p, h, z)
}

/// The special-hours CSV that goes with [`generated`]'s files.
pub fn generated_special_hours(stores: usize, days: u32, seed: u64) -> Vec<u8> {
    let mut s = Vec::new();
    let sink = std::io::sink;
    generate_with_special_hours(&options(stores, days, seed), sink(), sink(), sink(), &mut s)
        .unwrap();
    s
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Loads generated data through the HTTP API.
pub async fn load_generated(app: &TestApp, stores: usize, days: u32) {
    let (p, h, z) = generated(stores, days, 7);
    let (status, body) = app.push("polls", gzip(&p)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.push("business_hours", h).await.0, 200);
    assert_eq!(app.push("timezones", z).await.0, 200);
    let special = generated_special_hours(stores, days, 7);
    let (status, body) = app.push("special_hours", special).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["rows"].as_u64().unwrap() > 0, "{body}");
}

/// Pushes the files of one of the SPEC's worked examples
/// (`../shared/examples/NAME`) and returns its report time; `None` (having
/// said why) where the shared folder is absent.
pub async fn load_example(app: &ApiClient, name: &str) -> Option<String> {
    let dir = crate::common::shared_dir()?.join("examples").join(name);
    for (source, file) in [
        ("polls", "store_status.csv"),
        ("business_hours", "business_hours.csv"),
        ("timezones", "timezones.csv"),
        ("special_hours", "special_hours.csv"),
    ] {
        let path = dir.join(file);
        if !path.exists() {
            continue;
        }
        let (status, body) = app.push(source, std::fs::read(path).unwrap()).await;
        assert_eq!(status, 200, "{file}: {body}");
    }
    let as_of = std::fs::read_to_string(dir.join("as_of.txt")).unwrap();
    Some(format!("{} UTC", as_of.trim()))
}

/// The service on the PostgreSQL database at `url`, and a client for it.
pub async fn serve_on_postgres(url: &str) -> (service::Running, ApiClient) {
    let pg = storewatch_postgres::PostgresDatabase::connect(url)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = service::start(pg, Settings::default(), listener)
        .await
        .unwrap();
    let api = ApiClient::new(format!("http://{}", running.addr));
    (running, api)
}

/// Creates a key straight in the app's database (over `stores`, if given);
/// returns its secret.
pub async fn key(app: &TestApp, name: &str, role: Role, stores: Option<&[&str]>) -> String {
    let scope = stores.map(|s| Scope::new(s).unwrap());
    KeyRequest::new(name, role, scope)
        .unwrap()
        .create(&app.db, storewatch::clock::now_micros())
        .await
        .unwrap()
        .reveal()
}

/// Waits (up to two minutes) until a service answers `/healthz` at `base`.
pub async fn wait_until_up(base: &str) {
    let client = crate::common::http_client();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "the server at {base} did not come up"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Writes generated data (the four files, as `--data-dir` reads them) to
/// `dir`.
pub fn write_generated(dir: &std::path::Path, stores: usize, days: u32, seed: u64) {
    let (p, h, z) = generated(stores, days, seed);
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("store_status.csv"), p).unwrap();
    std::fs::write(dir.join("business_hours.csv"), h).unwrap();
    std::fs::write(dir.join("timezones.csv"), z).unwrap();
    std::fs::write(
        dir.join("special_hours.csv"),
        generated_special_hours(stores, days, seed),
    )
    .unwrap();
}

/// Queues report `id` straight in the database, as a service would, with no
/// cap: a test then plays the worker that takes it.
pub async fn queue_directly(
    db: &impl storewatch_db::ReportQueue,
    id: &str,
    columns: Columns,
    now: storewatch_core::domain::Micros,
) {
    let request = storewatch_db::NewReport {
        columns,
        ..Default::default()
    };
    let id = storewatch_db::ReportId::parse(id).unwrap();
    assert!(
        db.create_report(&id, &request, u32::MAX, now)
            .await
            .unwrap()
    );
}

/// Claims the oldest queued report for `worker`, leased for `lease_micros`.
pub async fn claim_directly(
    db: &impl storewatch_db::ReportQueue,
    worker: &str,
    now: storewatch_core::domain::Micros,
    lease_micros: i64,
) -> Option<storewatch_db::ClaimedReport> {
    let lease = storewatch_db::Lease {
        worker: worker.into(),
        until: now + lease_micros,
    };
    db.claim_report(&lease, now, 3).await.unwrap()
}
