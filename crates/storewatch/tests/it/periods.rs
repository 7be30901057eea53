//! SPEC section 6 end to end: every example folder's four period files
//! through the binary (SQLite and PostgreSQL) and through the HTTP API,
//! and the period parameters' mistakes.

use serde_json::Value;
use storewatch::app::Settings;

use crate::common::client::ApiClient;
use crate::common::client::Sent;
use crate::common::server::{load_example, serve_on_postgres, spawn_app};
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
        check_http(&app, &dir).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn example_folders_give_their_period_files_over_http_on_postgres() {
    for dir in example_dirs() {
        let Some(db) = storewatch_postgres::testing::scratch().await else {
            return;
        };
        let (running, api) = serve_on_postgres(&db.url).await;
        check_http(&api, &dir).await;
        running.stop().await.unwrap();
    }
}

/// Pushes the example in `dir` to the service behind `app`, triggers the
/// four period reports (by query and by JSON body) and compares each with
/// its expected file, as JSON and as the download; the listing names their
/// kinds.
async fn check_http(app: &ApiClient, dir: &std::path::Path) {
    let name = dir.file_name().unwrap().to_str().unwrap();
    let as_of = load_example(app, name).await.unwrap();
    for (i, (file, kind, days)) in FILES.into_iter().enumerate() {
        // Query and JSON body alike.
        let id = if i % 2 == 0 {
            app.trigger_with(&[("as_of", as_of.as_str()), ("kind", kind), ("days", days)])
                .await
        } else {
            let r = app
                .client
                .post(app.url("/api/trigger_report"))
                .json(&serde_json::json!({
                    "as_of": as_of, "kind": kind, "days": days.parse::<u32>().unwrap()
                }))
                .sent()
                .await;
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()["report_id"]
                .as_str()
                .unwrap()
                .to_string()
        };
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
            .sent()
            .await;
        assert_eq!(r.status(), 200);
        assert_eq!(lines(&r.text().await.unwrap()), lines(&want));
    }
    // The listing names each report's kind and period.
    let list: Value = app.get_json("/api/reports").await;
    let kinds: Vec<&str> = list["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["hourly", "daily", "daily", "period"]);
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
            .sent()
            .await;
        assert_eq!(r.status(), 400, "{query}");
        let error = r.json::<Value>().await.unwrap()["error"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(error.starts_with(says), "{query}: {error}");
    }
    // A good one with `from` and the default T.
    let done = app
        .report_with(&[("kind", "period"), ("from", "2023-01-25T00:00:00Z")])
        .await;
    assert_eq!(
        done["csv"],
        "store_id,open_hours,uptime_hours,downtime_hours,downtime_percent,polls,incidents,longest_incident_hours\n\
         1,12.00,12.00,0.00,0.00,1,0,0.00\n"
    );
    assert_eq!(done["period"]["from"], "2023-01-25T00:00:00Z");
}

/// The fleet (SPEC section 6, step 4) is the period report summed: its
/// totals are the rows' (to the rounding of each row), its observed stores
/// those with a percent, its worst and best five the rows ranked by percent
/// (ties by id), its peak day the daily report's busiest date summed over
/// stores, and its offline count the offline list's.
#[tokio::test]
async fn the_fleet_is_the_period_report_summed() {
    let app = spawn_app(Settings::default()).await;
    crate::common::server::load_generated(&app, 200, 8).await;
    let get = |path: String| {
        let (client, url) = (app.client.clone(), app.url(&path));
        async move {
            let r = client.get(url).sent().await;
            assert_eq!(r.status(), 200, "{path}");
            r.json::<Value>().await.unwrap()
        }
    };
    let fleet = get("/api/fleet?days=7".into()).await;
    let as_of = fleet["as_of"].as_str().unwrap().to_string();
    let report = |kind: &'static str| {
        let (app, as_of) = (&app, as_of.clone());
        async move {
            let q = [("as_of", as_of.as_str()), ("kind", kind), ("days", "7")];
            app.report_with(&q).await["csv"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let period = report("period").await;
    let rows: Vec<Vec<String>> = period
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let sum = |col: usize| {
        rows.iter()
            .map(|r| r[col].parse::<f64>().unwrap())
            .sum::<f64>()
    };
    let slack = 0.005 * rows.len() as f64 + 0.006;
    for (col, name) in [
        (1, "open_hours"),
        (2, "uptime_hours"),
        (3, "downtime_hours"),
    ] {
        let f = fleet[name].as_f64().unwrap();
        assert!((f - sum(col)).abs() <= slack, "{name}: {f} vs {}", sum(col));
    }
    let observed: Vec<&Vec<String>> = rows.iter().filter(|r| !r[4].is_empty()).collect();
    assert_eq!(fleet["stores_observed"], observed.len());
    assert_eq!(fleet["stores_unobserved"], rows.len() - observed.len());
    let pct = |r: &Vec<String>| r[4].parse::<f64>().unwrap();
    let mut worst = observed.clone();
    worst.sort_by(|a, b| pct(b).total_cmp(&pct(a)).then(a[0].cmp(&b[0])));
    let mut best = observed.clone();
    best.sort_by(|a, b| pct(a).total_cmp(&pct(b)).then(a[0].cmp(&b[0])));
    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s["store_id"].as_str().unwrap().to_string())
            .collect()
    };
    let first5 =
        |v: &[&Vec<String>]| -> Vec<String> { v.iter().take(5).map(|r| r[0].clone()).collect() };
    assert_eq!(ids(&fleet["worst"]), first5(&worst));
    assert_eq!(ids(&fleet["best"]), first5(&best));
    assert_eq!(
        fleet["worst"][0]["downtime_percent"].as_f64().unwrap(),
        pct(worst[0])
    );
    // By date: the daily report's rows summed per date; the peak day is the
    // date with the most downtime, the earliest on a tie.
    let daily = report("daily").await;
    let mut by_date: std::collections::BTreeMap<String, f64> = Default::default();
    for line in daily.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        *by_date.entry(f[1].to_string()).or_default() += f[4].parse::<f64>().unwrap();
    }
    let dates: Vec<String> = fleet["daily"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(dates, by_date.keys().cloned().collect::<Vec<_>>());
    let peak = fleet["peak_day"]["date"].as_str().unwrap();
    let most = by_date.values().cloned().fold(0.0, f64::max);
    assert!((by_date[peak] - most).abs() <= slack, "{peak}: {by_date:?}");
    assert_eq!(fleet["hourly"].as_array().unwrap().len(), 24);
    // Live: the offline count is the offline list's length.
    let offline = get("/api/stores?offline_now=true&limit=500".into()).await;
    assert_eq!(
        fleet["live"]["offline"],
        offline["stores"].as_array().unwrap().len()
    );
    let live = &fleet["live"];
    let total: u64 = ["offline", "online", "outside_hours", "no_observation"]
        .iter()
        .map(|k| live[k].as_u64().unwrap())
        .sum();
    assert_eq!(total, rows.len() as u64);
    // An owner's fleet is its stores; a bad period is a 400.
    let (ids_all, mine): (Vec<String>, Vec<String>) = (
        rows.iter().map(|r| r[0].clone()).collect(),
        rows.iter().map(|r| r[0].clone()).take(3).collect(),
    );
    assert_eq!(ids_all.len(), 200);
    let owner = crate::common::server::key(
        &app,
        "owner",
        storewatch_db::Role::Viewer,
        Some(&mine.iter().map(String::as_str).collect::<Vec<_>>()),
    )
    .await;
    let r: Value = app
        .client
        .get(app.url(&format!("/api/fleet?days=7&as_of={as_of}")))
        .bearer_auth(&owner)
        .sent_json()
        .await;
    assert_eq!(
        r["stores_observed"].as_u64().unwrap() + r["stores_unobserved"].as_u64().unwrap(),
        3
    );
    for bad in [
        "days=0",
        "days=7&from=2023-01-20T00:00:00Z",
        "from=2030-01-01T00:00:00Z",
        "weeks=2",
    ] {
        let r = app
            .client
            .get(app.url(&format!("/api/fleet?{bad}")))
            .bearer_auth(&owner)
            .sent()
            .await;
        assert_eq!(r.status(), 400, "{bad}");
    }
}

/// One store's history is its rows of the period reports: the totals its
/// `period` row, the dates its `daily` rows, the hours its `hourly` rows;
/// its incidents add up to the row's count and longest.
#[tokio::test]
async fn a_stores_history_is_its_rows_of_the_period_reports() {
    for dir in example_dirs() {
        let app = spawn_app(Settings::default()).await;
        let name = dir.file_name().unwrap().to_str().unwrap();
        let as_of = load_example(&app, name).await.unwrap();
        let period = std::fs::read_to_string(dir.join("expected-period-7d.csv")).unwrap();
        let daily = std::fs::read_to_string(dir.join("expected-daily-7d.csv")).unwrap();
        let hourly = std::fs::read_to_string(dir.join("expected-hourly-7d.csv")).unwrap();
        for row in period.lines().skip(1) {
            let f: Vec<&str> = row.split(',').collect();
            let store = f[0];
            let r = app
                .client
                .get(app.url(&format!("/api/stores/{store}/history")))
                .query(&[("as_of", as_of.as_str()), ("days", "7")])
                .sent()
                .await;
            assert_eq!(r.status(), 200, "{name}/{store}");
            let h: Value = r.json().await.unwrap();
            let num = |v: &Value| format!("{:.2}", v.as_f64().unwrap());
            let pct = if h["downtime_percent"].is_null() {
                String::new()
            } else {
                num(&h["downtime_percent"])
            };
            let got = [
                store.to_string(),
                num(&h["open_hours"]),
                num(&h["uptime_hours"]),
                num(&h["downtime_hours"]),
                pct,
                h["polls"].to_string(),
                h["incidents"].to_string(),
                num(&h["longest_incident_hours"]),
            ]
            .join(",");
            assert_eq!(got, row.trim_end(), "{name}");
            assert_eq!(
                h["incident_list"].as_array().unwrap().len().to_string(),
                f[6]
            );
            let days: Vec<String> = h["daily"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    format!(
                        "{store},{},{},{},{},{},{}",
                        d["date"].as_str().unwrap(),
                        num(&d["open_hours"]),
                        num(&d["uptime_hours"]),
                        num(&d["downtime_hours"]),
                        d["polls"],
                        d["incidents"]
                    )
                })
                .collect();
            let want: Vec<&str> = daily
                .lines()
                .filter(|l| l.split(',').next() == Some(store))
                .collect();
            assert_eq!(days, want, "{name}/{store} daily");
            let hours: Vec<String> = h["hourly"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    format!(
                        "{store},{},{},{},{}",
                        d["hour"],
                        num(&d["open_hours"]),
                        num(&d["uptime_hours"]),
                        num(&d["downtime_hours"])
                    )
                })
                .collect();
            let want: Vec<&str> = hourly
                .lines()
                .filter(|l| l.split(',').next() == Some(store))
                .collect();
            assert_eq!(hours, want, "{name}/{store} hourly");
        }
    }
}
