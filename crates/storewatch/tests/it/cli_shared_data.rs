//! End to end through the binary on the shared folder: the SPEC's example
//! files must give their expected CSV, and the real data set must ingest and
//! report every store.

use crate::common::{Workspace, shared_dir};
use storewatch_core::ingest::{Mode, NewestAllowed, open_path, parse_polls};

#[test]
fn spec_example_folders_give_the_expected_csv() {
    let Some(shared) = shared_dir() else { return };
    let mut seen = 0;
    for entry in std::fs::read_dir(shared.join("examples")).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("expected.csv").is_file() {
            continue;
        }
        let ws = Workspace::new();
        ws.ok(&["ingest", "--data-dir", dir.to_str().unwrap()]);
        let as_of = std::fs::read_to_string(dir.join("as_of.txt")).unwrap();
        let got = ws.ok(&["report", "--as-of", as_of.trim()]);
        let want = std::fs::read_to_string(dir.join("expected.csv")).unwrap();
        assert_eq!(got, want, "{}", dir.display());
        let got = ws.ok(&["report", "--as-of", as_of.trim(), "--extended"]);
        let want = std::fs::read_to_string(dir.join("expected-extended.csv")).unwrap();
        assert_eq!(got, want, "{} (extended)", dir.display());
        seen += 1;
    }
    assert!(seen >= 4, "expected the four example folders, found {seen}");
}

#[test]
fn real_2023_data_reports_every_store() {
    let Some(shared) = shared_dir() else { return };
    let data = shared.join("data/loop-2023");
    let ws = Workspace::new();
    let out = ws.ok(&[
        "ingest",
        "--hours",
        data.join("business_hours.csv").to_str().unwrap(),
        "--timezones",
        data.join("timezones.csv").to_str().unwrap(),
        "--status",
        data.join("store_status.csv.gz").to_str().unwrap(),
    ]);
    assert!(
        out.contains("1,822,080 polls, 1,822,080 new or changed"),
        "{out}"
    );
    assert!(out.contains("86,198 business-hours rows"), "{out}");
    assert!(out.contains("13,559 time zones"), "{out}");

    // Again: the log is idempotent.
    let again = ws.ok(&[
        "ingest",
        "--status",
        data.join("store_status.csv.gz").to_str().unwrap(),
    ]);
    assert!(
        again.contains("0 new or changed, 1,822,080 already stored"),
        "{again}"
    );

    ws.ok(&["report", "--out", "report.csv"]);
    let csv = std::fs::read_to_string(ws.path("report.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "store_id,uptime_last_hour,uptime_last_day,uptime_last_week,downtime_last_hour,downtime_last_day,downtime_last_week"
        )
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 14_092);
    for row in &rows {
        assert_eq!(row.len(), 7);
        // Ids come out as they went in: 19-digit-or-shorter integers, never floats.
        assert!(row[0].bytes().all(|b| b.is_ascii_digit()), "{row:?}");
        let v: Vec<f64> = row[1..].iter().map(|x| x.parse().unwrap()).collect();
        assert!(
            row[1..]
                .iter()
                .all(|x| x.split('.').nth(1).map(str::len) == Some(2)),
            "{row:?}"
        );
        // Up + down fits in the window.
        assert!(v[0] + v[3] <= 60.0 + 0.011, "{row:?}");
        assert!(v[1] + v[4] <= 24.0 + 0.011, "{row:?}");
        assert!(v[2] + v[5] <= 168.0 + 0.011, "{row:?}");
    }
    // Exactly the stores of the polls file, each once, sorted by id bytes.
    let source = open_path(&data.join("store_status.csv.gz")).unwrap();
    let ids = parse_polls(source, Mode::Strict, NewestAllowed::ANY)
        .unwrap()
        .store_ids;
    let mut ids: Vec<&str> = ids.iter().collect();
    ids.sort();
    let got: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(got, ids);
}

#[test]
fn the_2024_edition_with_bom_and_uuids_ingests() {
    let Some(shared) = shared_dir() else { return };
    let data = shared.join("data/loop-2024");
    let ws = Workspace::new();
    let out = ws.ok(&[
        "ingest",
        "--hours",
        data.join("menu_hours.csv").to_str().unwrap(),
        "--timezones",
        data.join("timezones.csv").to_str().unwrap(),
        "--status",
        data.join("store_status_sample.csv").to_str().unwrap(),
    ]);
    assert!(out.contains("364 polls"), "{out}");
    let csv = ws.ok(&["report"]);
    let sample = std::fs::read_to_string(data.join("store_status_sample.csv")).unwrap();
    let mut ids: Vec<&str> = sample
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    let got: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        got, ids,
        "every store of the sample, by id, with no BOM in the first id"
    );
    assert!(
        got.iter()
            .all(|id| id.len() == 36 && id.matches('-').count() == 4)
    );
}
