//! SPEC section 6 end to end: every example folder's four period files
//! through the binary (SQLite and PostgreSQL) and through the HTTP API,
//! and the period parameters' mistakes.

use serde_json::Value;
use storewatch::app::Settings;

use crate::common::server::{load_example, spawn_app};
use crate::common::{Workspace, shared_dir};

/// (file, kind, days) of every expected period file.
const FILES: [(&str, &str, &str); 4] = [
    ("expected-period-7d.csv", "period", "7"),
    ("expected-daily-7d.csv", "daily", "7"),
    ("expected-daily-3d.csv", "daily", "3"),
    ("expected-hourly-7d.csv", "hourly", "7"),
];

/// The expected files end lines with CRLF, the service with LF: the same
/// records either way.
fn lines(csv: &str) -> Vec<&str> {
    csv.lines().collect()
}

fn example_dirs() -> Vec<std::path::PathBuf> {
    let Some(shared) = shared_dir() else {
        return Vec::new();
    };
    let mut dirs: Vec<_> = std::fs::read_dir(shared.join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|d| d.join("expected-period-7d.csv").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 4, "expected the four example folders");
    dirs
}

fn check_cli(ws: &Workspace, db: &[&str], dir: &std::path::Path) {
    let mut ingest = db.to_vec();
    ingest.extend(["ingest", "--data-dir", dir.to_str().unwrap()]);
    ws.ok(&ingest);
    let as_of = std::fs::read_to_string(dir.join("as_of.txt")).unwrap();
    for (file, kind, days) in FILES {
        let mut report = db.to_vec();
        report.extend([
            "report",
            "--as-of",
            as_of.trim(),
            "--kind",
            kind,
            "--days",
            days,
        ]);
        let got = ws.ok(&report);
        let want = std::fs::read_to_string(dir.join(file)).unwrap();
        assert_eq!(lines(&got), lines(&want), "{}/{file}", dir.display());
    }
}

#[test]
fn example_folders_give_their_period_files_from_the_command_line() {
    for dir in example_dirs() {
        check_cli(&Workspace::new(), &[], &dir);
    }
}

#[test]
fn example_folders_give_their_period_files_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for dir in example_dirs() {
        let Some(db) = rt.block_on(storewatch_postgres::testing::scratch()) else {
            return;
        };
        check_cli(&Workspace::new(), &["--database-url", &db.url], &dir);
    }
}

#[tokio::test]
async fn example_folders_give_their_period_files_over_http() {
    for dir in example_dirs() {
        let app = spawn_app(Settings::default()).await;
        let name = dir.file_name().unwrap().to_str().unwrap();
        let as_of = load_example(&app, name).await.unwrap();
        for (i, (file, kind, days)) in FILES.into_iter().enumerate() {
            // Query and JSON body alike.
            let r = if i % 2 == 0 {
                app.client
                    .post(app.url("/trigger_report"))
                    .query(&[("as_of", as_of.as_str()), ("kind", kind), ("days", days)])
                    .send()
                    .await
                    .unwrap()
            } else {
                app.client
                    .post(app.url("/api/trigger_report"))
                    .json(&serde_json::json!({
                        "as_of": as_of, "kind": kind, "days": days.parse::<u32>().unwrap()
                    }))
                    .send()
                    .await
                    .unwrap()
            };
            assert_eq!(r.status(), 200);
            let id = r.json::<Value>().await.unwrap()["report_id"]
                .as_str()
                .unwrap()
                .to_string();
            let done = app.wait_for(&id).await;
            assert_eq!(done["status"], "Complete", "{done}");
            assert_eq!(done["kind"], kind);
            assert_eq!(done["period"]["days"], days.parse::<u32>().unwrap());
            let want = std::fs::read_to_string(dir.join(file)).unwrap();
            assert_eq!(
                lines(done["csv"].as_str().unwrap()),
                lines(&want),
                "{name}/{file}"
            );
            // The download, whatever `columns` says (the week's parameter).
            let r = app
                .client
                .get(app.url(&format!("/api/reports/{id}?format=csv&columns=standard")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            assert_eq!(lines(&r.text().await.unwrap()), lines(&want));
        }
        // The listing names each report's kind and period.
        let list: Value = app
            .client
            .get(app.url("/api/reports"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let kinds: Vec<&str> = list["reports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["hourly", "daily", "daily", "period"]);
    }
}

/// A bad combination is a 400 naming the parameter; from the command line,
/// exit 2.
#[tokio::test]
async fn period_parameters_are_checked() {
    let app = spawn_app(Settings::default()).await;
    let (status, body) = app
        .push(
            "polls",
            "store_id,status,timestamp_utc\n1,active,2023-01-25 12:00:00 UTC\n",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for (query, says) in [
        ("kind=monthly", "kind"),
        ("days=7", "days"),
        ("kind=week&from=2023-01-01T00:00:00Z", "from"),
        ("kind=daily&days=0", "days"),
        ("kind=daily&days=367", "days"),
        ("kind=daily&days=x", "days"),
        (
            "kind=daily&days=7&from=2023-01-20T00:00:00Z",
            "days and from",
        ),
        ("kind=daily&from=yesterday", "from"),
        ("kind=daily&from=2023-01-26T00:00:00Z", "from"),
        ("kind=daily&from=2021-01-01T00:00:00Z", "from"),
        (
            "kind=daily&from=2023-01-20T00:00:00Z&as_of=2023-01-19T00:00:00Z",
            "from",
        ),
        ("kind=period&columns=extended", "columns"),
    ] {
        let r = app
            .client
            .post(app.url(&format!("/trigger_report?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{query}");
        let error = r.json::<Value>().await.unwrap()["error"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(error.starts_with(says), "{query}: {error}");
    }
    // A good one with `from` and the default T.
    let r = app
        .client
        .post(app.url("/trigger_report?kind=period&from=2023-01-25T00:00:00Z"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let id = r.json::<Value>().await.unwrap()["report_id"]
        .as_str()
        .unwrap()
        .to_string();
    let done = app.wait_for(&id).await;
    assert_eq!(
        done["csv"],
        "store_id,open_hours,uptime_hours,downtime_hours,downtime_percent,polls,incidents,longest_incident_hours\n\
         1,12.00,12.00,0.00,0.00,1,0,0.00\n"
    );
    assert_eq!(done["period"]["from"], "2023-01-25T00:00:00Z");
}
