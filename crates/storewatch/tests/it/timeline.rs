//! A store's timeline (`GET /api/stores/{id}/timeline`) agrees with the
//! report: its `figures` are the report's row, on generated stores and on
//! the SPEC's worked examples, and its incidents and bands are there.

use serde_json::Value;
use storewatch::app::Settings;

use crate::common::client::Sent;
use crate::common::server::{TestApp, load_example, load_generated, spawn_app};
use crate::common::shared_dir;

async fn timeline(app: &TestApp, store: &str, as_of: &str) -> (u16, Value) {
    let r = app
        .client
        .get(app.url(&format!("/api/stores/{store}/timeline")))
        .query(&[("as_of", as_of)])
        .sent()
        .await;
    (r.status().as_u16(), r.json().await.unwrap())
}

/// Every row of `csv` (extended columns) equals the timeline's figures.
async fn figures_match_the_report(app: &TestApp, csv: &str, as_of: &str) -> usize {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut checked = 0;
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let (status, t) = timeline(app, cells[0], as_of).await;
        assert_eq!(status, 200, "{t}");
        assert_eq!(t["store_id"], cells[0]);
        let figures = t["figures"].as_object().unwrap();
        assert_eq!(figures.len(), header.len(), "{t}");
        for (name, cell) in header.iter().zip(&cells) {
            let got = &figures[*name];
            if *name == "store_id" {
                assert_eq!(got, cell);
            } else {
                assert_eq!(
                    got.as_f64(),
                    cell.parse::<f64>().ok(),
                    "store {}, {name}: report {cell}, timeline {got}",
                    cells[0]
                );
            }
        }
        checked += 1;
    }
    checked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_figures_are_the_report_row_for_every_generated_store() {
    let app = spawn_app(Settings::default()).await;
    load_generated(&app, 40, 8).await;
    for as_of in ["2023-01-25 12:00:00 UTC", "2023-01-22 03:30:00 UTC"] {
        let r = app
            .client
            .post(app.url("/trigger_report"))
            .query(&[("as_of", as_of), ("columns", "extended")])
            .sent()
            .await;
        let id = r.json::<Value>().await.unwrap()["report_id"]
            .as_str()
            .unwrap()
            .to_string();
        let done = app.wait_for(&id).await;
        let csv = done["csv"].as_str().unwrap();
        assert_eq!(figures_match_the_report(&app, csv, as_of).await, 40);
    }
}

/// The SPEC's special-hours example, against its expected extended CSV (the
/// SPEC's own numbers, not ours): every store's figures, and store K's
/// incident and bands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spec_example_timelines_give_the_expected_rows() {
    let app = spawn_app(Settings::default()).await;
    let Some(as_of) = load_example(&app, "special-hours-2023-01-23").await else {
        return;
    };
    let dir = shared_dir()
        .unwrap()
        .join("examples/special-hours-2023-01-23");
    let expected = std::fs::read_to_string(dir.join("expected-extended.csv")).unwrap();
    let stores = expected.lines().count() - 1;
    assert_eq!(
        figures_match_the_report(&app, &expected, &as_of).await,
        stores
    );

    // K: one incident of 135 h in the week, and bands that add up to it.
    let (_, k) = timeline(&app, "K", &as_of).await;
    let incidents = k["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{k}");
    assert_eq!(incidents[0]["downtime_hours"], 135.0, "{k}");
    let down: f64 = k["segments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "down")
        .map(|s| {
            let at = |f: &str| {
                storewatch_core::domain::parse_timestamp(s[f].as_str().unwrap()).unwrap() as f64
            };
            (at("end") - at("start")) / 3.6e9
        })
        .sum();
    assert!((down - 135.0).abs() < 0.01, "down bands {down} h: {k}");
    assert!(k["polls"].as_array().unwrap().len() >= 2, "{k}");
    // J is closed on the report date by special hours: it is listed.
    let (_, j) = timeline(&app, "J", &as_of).await;
    assert!(
        j["special_hours"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["date"] == "2023-01-23" && s["closed"] == true),
        "{j}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_store_is_404_and_a_bad_as_of_400() {
    let app = spawn_app(Settings::default()).await;
    load_generated(&app, 5, 8).await;
    let (status, body) = timeline(&app, "nobody", "2023-01-25 12:00:00 UTC").await;
    assert_eq!(status, 404, "{body}");
    assert!(body["error"].as_str().unwrap().contains("nobody"), "{body}");
    let (status, body) = timeline(&app, "nobody", "yesterday").await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"].as_str().unwrap().starts_with("as_of"),
        "{body}"
    );
}

/// `GET /api/stores`: found by part of the id; offline now is exactly the
/// stores open at the newest poll whose last poll is inactive; an owner
/// finds only its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stores_are_found_and_those_offline_now_listed() {
    let app = spawn_app(Settings::default()).await;
    // No hours: open around the clock. The newest poll is 12:00.
    let polls = "store_id,status,timestamp_utc\n\
        down-1,active,2023-01-25 10:00:00 UTC\n\
        down-1,inactive,2023-01-25 11:00:00 UTC\n\
        down-2,inactive,2023-01-25 12:00:00 UTC\n\
        up-1,inactive,2023-01-25 10:00:00 UTC\n\
        up-1,active,2023-01-25 11:30:00 UTC\n";
    assert_eq!(app.push("polls", polls).await.0, 200);
    let get = |path: &str| {
        let client = app.client.clone();
        let url = app.url(path);
        async move {
            let r = client.get(url).sent().await;
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let ids = |v: &Value| -> Vec<String> {
        v["stores"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["store_id"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, all) = get("/api/stores").await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(ids(&all), ["down-1", "down-2", "up-1"]);
    assert_eq!(
        ids(&get("/api/stores?query=DOWN").await.1),
        ["down-1", "down-2"]
    );
    let (_, offline) = get("/api/stores?offline_now=true").await;
    assert_eq!(offline["as_of"], "2023-01-25T12:00:00Z", "{offline}");
    // down-1 since the midpoint of 10:00 and 11:00; down-2 since the week began.
    assert_eq!(ids(&offline), ["down-2", "down-1"], "{offline}");
    assert_eq!(
        offline["stores"][1]["offline_since"],
        "2023-01-25T10:30:00Z"
    );
    assert_eq!(offline["stores"][1]["inactive_polls"], 1);
    assert_eq!(
        ids(&get("/api/stores?offline_now=true&query=-1").await.1),
        ["down-1"]
    );
}

/// The offline list is read a range of stores at a time; however small
/// the ranges, the list is the one read whole, for everyone and for an
/// owner, with the first `limit` of it as the first page.
#[tokio::test]
async fn the_offline_list_read_in_ranges_is_the_list_read_whole() {
    use storewatch::app::stores::offline_now;
    let app = spawn_app(Settings::default()).await;
    load_generated(&app, 600, 8).await;
    let mine_ids: Vec<String> = storewatch_db::DataStore::find_stores(&app.db, "", 1000)
        .await
        .unwrap()
        .into_iter()
        .step_by(2)
        .collect();
    let mine = storewatch_db::Scope::new(mine_ids.iter().map(String::as_str)).unwrap();
    let list = |found: storewatch::app::stores::Found| -> Vec<(String, i64)> {
        found
            .stores
            .into_iter()
            .map(|(id, o)| (id, o.unwrap().since))
            .collect()
    };
    for scope in [None, Some(&mine)] {
        let whole = list(
            offline_now(&app.db, "", scope, 1000, 1_000_000)
                .await
                .unwrap(),
        );
        assert!(whole.len() >= 3, "some stores are offline: {whole:?}");
        for per in [1, 7, 130] {
            let ranged = list(offline_now(&app.db, "", scope, 1000, per).await.unwrap());
            assert_eq!(ranged, whole, "ranges of {per}");
            let page = list(offline_now(&app.db, "", scope, 2, per).await.unwrap());
            assert_eq!(page, whole[..2], "the first page, ranges of {per}");
        }
    }
}

/// The metric `storewatch_stores{status}` counts every store's live status
/// at the newest poll, as the fleet's `live` does, and follows a push.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_status_gauges_count_the_stores_and_follow_a_push() {
    let app = spawn_app(Settings::default()).await;
    load_generated(&app, 60, 8).await;
    let gauge = |text: &str, status: &str| -> Option<u64> {
        let name = format!("storewatch_stores{{status=\"{status}\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(&name))
            .map(|v| v.parse().unwrap())
    };
    let statuses = ["offline", "online", "outside_hours", "no_observation"];
    // Waits until the gauges equal the fleet's live counts at the newest poll.
    let agree = || async {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let fleet = app.get_json("/api/fleet?days=1").await;
            let text = app
                .client
                .get(app.url("/metrics"))
                .sent()
                .await
                .text()
                .await
                .unwrap();
            let got: Vec<Option<u64>> = statuses.iter().map(|s| gauge(&text, s)).collect();
            let want: Vec<Option<u64>> =
                statuses.iter().map(|s| fleet["live"][s].as_u64()).collect();
            if got == want {
                return want;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{got:?} != {want:?}\n{text}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    };
    let before = agree().await;
    assert_eq!(before.iter().map(|n| n.unwrap()).sum::<u64>(), 60);
    // A new store open around the clock, inactive at a new newest poll.
    let fleet = app.get_json("/api/fleet?days=1").await;
    let t = storewatch_core::domain::parse_timestamp(fleet["as_of"].as_str().unwrap()).unwrap();
    let later = storewatch_core::domain::format_timestamp(t + 60_000_000);
    let csv = format!("store_id,status,timestamp_utc\nnew-one,inactive,{later}\n");
    assert_eq!(app.push("polls", csv).await.0, 200);
    let after = agree().await;
    assert_eq!(after.iter().map(|n| n.unwrap()).sum::<u64>(), 61);
    assert!(
        after[0].unwrap() >= 1,
        "the new store is offline: {after:?}"
    );
}
