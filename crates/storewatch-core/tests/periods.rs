//! SPEC section 6: the period reports of every example folder of
//! `../shared/examples/` (worked out independently) against the core's, and
//! the section's worked examples written out here, so the math is checked
//! even where the shared folder is absent.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use storewatch_core::domain::{HoursRow, Poll, SpecialHoursRow, parse_timestamp};
use storewatch_core::ingest::{
    Mode, NewestAllowed, open_path, parse_hours, parse_polls, parse_special_hours, parse_timezones,
};
use storewatch_core::report::{
    Columns, Header, Period, PeriodBuilder, PeriodKind, ReportInput, StoreInput, compute,
    to_csv_string,
};

fn shared_examples() -> Option<PathBuf> {
    let dir = std::env::var_os("STOREWATCH_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    if dir.join("examples").is_dir() {
        return Some(dir.join("examples"));
    }
    if std::env::var_os("STOREWATCH_REQUIRE_SHARED").is_some() {
        panic!(
            "STOREWATCH_REQUIRE_SHARED is set but {} is missing",
            dir.display()
        );
    }
    eprintln!("SKIPPED: no shared examples at {}", dir.display());
    None
}

/// The stores of an example folder, as a report reads them, and its T.
fn load(dir: &Path) -> (i64, Vec<StoreInput>) {
    let as_of = std::fs::read_to_string(dir.join("as_of.txt")).unwrap();
    let as_of = parse_timestamp(as_of.trim()).unwrap();
    let polls = parse_polls(
        open_path(&dir.join("store_status.csv")).unwrap(),
        Mode::Strict,
        NewestAllowed::ANY,
    )
    .unwrap();
    let mut stores: HashMap<String, StoreInput> = HashMap::new();
    for (i, poll) in polls.polls.into_sorted_vec().unwrap() {
        let id = polls.store_ids.get(i as usize).to_string();
        stores
            .entry(id.clone())
            .or_insert_with(|| StoreInput {
                store_id: id,
                ..StoreInput::default()
            })
            .polls
            .push(poll);
    }
    let hours: Vec<(storewatch_core::domain::SharedId, HoursRow)> = parse_hours(
        open_path(&dir.join("business_hours.csv")).unwrap(),
        Mode::Strict,
    )
    .unwrap()
    .rows;
    for (id, row) in hours {
        if let Some(s) = stores.get_mut(&*id) {
            s.hours.push(row);
        }
    }
    let zones = parse_timezones(open_path(&dir.join("timezones.csv")).unwrap(), Mode::Strict)
        .unwrap()
        .rows;
    for (id, zone) in zones {
        if let Some(s) = stores.get_mut(&id) {
            s.timezone = Some(zone);
        }
    }
    let special_file = dir.join("special_hours.csv");
    if special_file.exists() {
        let special: Vec<(String, SpecialHoursRow)> =
            parse_special_hours(open_path(&special_file).unwrap(), Mode::Strict)
                .unwrap()
                .rows;
        for (id, row) in special {
            if let Some(s) = stores.get_mut(&id) {
                s.special.push(row);
            }
        }
    }
    (as_of, stores.into_values().collect())
}

fn period_csv(stores: &[StoreInput], period: Period, kind: PeriodKind) -> String {
    let mut b = PeriodBuilder::new(period, kind);
    // In two batches, the second first: the order must not matter.
    let (a, z) = stores.split_at(stores.len() / 2);
    b.add(z.to_vec()).unwrap();
    b.add(a.to_vec()).unwrap();
    b.finish().to_csv_string(Header::Write)
}

/// Compares two CSVs line by line (the expected files end lines with CRLF,
/// as the csv crate's default does not): every field to the digit.
fn assert_same_csv(got: &str, want: &str, what: &str) {
    let got: Vec<&str> = got.lines().collect();
    let want: Vec<&str> = want.lines().collect();
    assert_eq!(got, want, "{what}");
}

#[test]
fn every_example_folder_gives_its_expected_period_reports() {
    let Some(examples) = shared_examples() else {
        return;
    };
    let mut checked = 0;
    for entry in std::fs::read_dir(&examples).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("as_of.txt").exists() {
            continue;
        }
        let (as_of, stores) = load(&dir);
        for (file, kind, days) in [
            ("expected-period-7d.csv", PeriodKind::Period, 7),
            ("expected-daily-7d.csv", PeriodKind::Daily, 7),
            ("expected-daily-3d.csv", PeriodKind::Daily, 3),
            ("expected-hourly-7d.csv", PeriodKind::Hourly, 7),
        ] {
            let Ok(want) = std::fs::read_to_string(dir.join(file)) else {
                continue;
            };
            let got = period_csv(&stores, Period::days_before(as_of, days).unwrap(), kind);
            assert_same_csv(&got, &want, &format!("{}/{file}", dir.display()));
            checked += 1;
        }
    }
    assert!(checked >= 16, "only {checked} expected files found");
}

/// A 7-day period is the week: its up, down, open, polls, incidents and
/// longest incident are the week report's extended columns, to the digit.
#[test]
fn a_seven_day_period_is_the_week_of_every_example() {
    let Some(examples) = shared_examples() else {
        return;
    };
    for entry in std::fs::read_dir(&examples).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("as_of.txt").exists() {
            continue;
        }
        let (as_of, stores) = load(&dir);
        let week = to_csv_string(
            &compute(ReportInput {
                as_of: Some(as_of),
                stores: stores.clone(),
            })
            .unwrap(),
            Columns::Extended,
        );
        let period = period_csv(
            &stores,
            Period::days_before(as_of, 7).unwrap(),
            PeriodKind::Period,
        );
        for (w, p) in week.lines().skip(1).zip(period.lines().skip(1)) {
            let w: Vec<&str> = w.split(',').collect();
            let p: Vec<&str> = p.split(',').collect();
            // store, up, down ↔ store, up, down; open, polls, incidents, longest.
            assert_eq!(
                [w[0], w[3], w[6], w[7], w[8], w[9], w[10]],
                [p[0], p[2], p[3], p[1], p[5], p[6], p[7]],
                "{}",
                dir.display()
            );
        }
    }
}

fn poll(t: &str, active: bool) -> Poll {
    use storewatch_core::domain::Status;
    Poll {
        ts: parse_timestamp(t).unwrap(),
        status: Status::from_active(active),
    }
}

/// Section 6's example H: New York, Sunday 00:00–03:00, T = 2024-11-03
/// 12:00 UTC, one active poll at 05:30 UTC: hour 1 gets two hours (01:00–02:00
/// twice on the fall-back night).
#[test]
fn h_the_repeated_hour_counts_twice_for_its_hour_of_the_day() {
    use storewatch_core::domain::{TimeOfDay, Weekday};
    let store = StoreInput {
        store_id: "H".into(),
        timezone: Some("America/New_York".into()),
        hours: vec![HoursRow {
            day: Weekday::new(6).unwrap(),
            start: TimeOfDay::parse("00:00").unwrap(),
            end: TimeOfDay::parse("03:00").unwrap(),
        }],
        special: Vec::new(),
        polls: vec![poll("2024-11-03 05:30:00", true)],
    };
    let t = parse_timestamp("2024-11-03 12:00:00").unwrap();
    let csv = period_csv(
        &[store],
        Period::days_before(t, 7).unwrap(),
        PeriodKind::Hourly,
    );
    let rows: Vec<&str> = csv.lines().skip(1).take(4).collect();
    assert_eq!(
        rows,
        [
            "H,0,1.00,1.00,0.00",
            "H,1,2.00,2.00,0.00",
            "H,2,1.00,1.00,0.00",
            "H,3,0.00,0.00,0.00"
        ]
    );
}
