//! SPEC section 3's worked examples, stores A to M, one test each, with the
//! extended columns (step 9) after the six figures. Inputs are written out
//! here (not read from ../shared) so the math is checked even where the
//! shared folder is absent.

use storewatch_core::domain::resolve_zone;
use storewatch_core::domain::{
    HoursRow, Poll, SpecialHoursRow, Status, TimeOfDay, Weekday, parse_local_date, parse_timestamp,
};
use storewatch_core::report::{
    Columns, ReportInput, StoreInput, Window, analyze, compute, segments, tally_of, to_csv_string,
};

fn ts(s: &str) -> i64 {
    parse_timestamp(s).unwrap()
}

fn hours(rows: &[(u8, &str, &str)]) -> Vec<HoursRow> {
    rows.iter()
        .map(|&(day, start, end)| HoursRow {
            day: Weekday::new(day).unwrap(),
            start: TimeOfDay::parse(start).unwrap(),
            end: TimeOfDay::parse_end(end).unwrap(),
        })
        .collect()
}

fn polls(rows: &[(&str, Status)]) -> Vec<Poll> {
    rows.iter()
        .map(|&(t, status)| Poll { ts: ts(t), status })
        .collect()
}

/// Special rows: (date, None) is a closed date.
fn special(rows: &[(&str, Option<(&str, &str)>)]) -> Vec<SpecialHoursRow> {
    rows.iter()
        .map(|&(date, hours)| SpecialHoursRow {
            date: parse_local_date(date).unwrap(),
            hours: hours.map(|(a, b)| {
                (
                    TimeOfDay::parse(a).unwrap(),
                    TimeOfDay::parse_end(b).unwrap(),
                )
            }),
        })
        .collect()
}

/// The store's extended CSV row (without the id) at `as_of`; the standard
/// row must be its first six fields.
fn row_with_special(
    as_of: &str,
    zone: Option<&str>,
    h: &[(u8, &str, &str)],
    s: &[(&str, Option<(&str, &str)>)],
    p: &[(&str, Status)],
) -> String {
    let input = ReportInput {
        as_of: Some(ts(as_of)),
        stores: vec![StoreInput {
            store_id: "X".into(),
            timezone: zone.map(str::to_string),
            hours: hours(h),
            special: special(s),
            polls: polls(p),
        }],
    };
    let report = compute(input.clone()).unwrap();
    // A store page's bands, summed over each window, are the figures; its
    // incidents are the report's.
    let store = &input.stores[0];
    let mut sorted = store.polls.clone();
    sorted.sort_by_key(|p| p.ts);
    let tz = resolve_zone(store.timezone.as_deref()).unwrap();
    let as_of = ts(as_of);
    let a = analyze(&store.hours, &store.special, &sorted, &tz, as_of).unwrap();
    let bands = segments(&a.open, &a.candidates, Window::Week.ending_at(as_of));
    for w in Window::ALL {
        assert_eq!(
            tally_of(&bands, w.ending_at(as_of)),
            report.rows[0].figures.get(w),
            "{w:?}"
        );
    }
    assert!(
        bands.windows(2).all(|b| b[0].end <= b[1].start),
        "bands in time order"
    );
    let line = |columns| {
        let csv = to_csv_string(&report, columns);
        let line = csv.lines().nth(1).unwrap().to_string();
        line.strip_prefix("X,").unwrap().to_string()
    };
    let (standard, extended) = (line(Columns::Standard), line(Columns::Extended));
    let six: Vec<&str> = extended.split(',').take(6).collect();
    assert_eq!(standard, six.join(","));
    extended
}

fn row(as_of: &str, zone: Option<&str>, h: &[(u8, &str, &str)], p: &[(&str, Status)]) -> String {
    row_with_special(as_of, zone, h, &[], p)
}

const MONDAY: &str = "2023-01-23 18:00:00 UTC";
use Status::{Active, Inactive};

#[test]
fn a_split_at_the_midpoint_in_chicago() {
    let got = row(
        MONDAY,
        None,
        &[(0, "09:00:00", "12:00:00")],
        &[
            ("2023-01-23 16:14:00 UTC", Inactive),
            ("2023-01-23 17:15:00 UTC", Active),
        ],
    );
    assert_eq!(got, "60.00,1.26,1.26,0.00,1.74,1.74,3.00,2,1,1.74");
}

#[test]
fn b_no_hours_means_24x7() {
    let got = row(
        MONDAY,
        None,
        &[],
        &[
            ("2023-01-23 10:30:00 UTC", Active),
            ("2023-01-23 14:30:00 UTC", Inactive),
            ("2023-01-23 16:30:00 UTC", Active),
        ],
    );
    assert_eq!(got, "60.00,21.00,165.00,0.00,3.00,3.00,168.00,3,1,3.00");
}

#[test]
fn c_overnight_shift_in_new_york() {
    let got = row(
        MONDAY,
        Some("America/New_York"),
        &[(4, "22:00:00", "02:00:00")],
        &[
            ("2023-01-20 20:00:00 UTC", Active),
            ("2023-01-21 03:30:00 UTC", Inactive),
            ("2023-01-21 06:00:00 UTC", Active),
        ],
    );
    assert_eq!(got, "0.00,0.00,2.25,0.00,0.00,1.75,4.00,2,1,1.75");
}

#[test]
fn d_no_candidate_poll_gives_zeros_but_a_row() {
    let got = row(
        MONDAY,
        Some("America/Los_Angeles"),
        &[(0, "11:00:00", "14:00:00"), (0, "17:00:00", "21:00:00")],
        &[
            ("2023-01-20 12:00:00 UTC", Active),
            ("2023-01-22 12:00:00 UTC", Inactive),
        ],
    );
    assert_eq!(got, "0.00,0.00,0.00,0.00,0.00,0.00,7.00,0,0,0.00");
}

#[test]
fn e_end_23_59_59_is_end_of_day_in_kolkata() {
    let got = row(
        MONDAY,
        Some("Asia/Kolkata"),
        &[(0, "00:00:00", "23:59:59")],
        &[(MONDAY, Active)],
    );
    assert_eq!(got, "60.00,23.50,24.00,0.00,0.00,0.00,24.00,1,0,0.00");
}

#[test]
fn f_poll_outside_hours_is_ignored_in_denver() {
    let got = row(
        MONDAY,
        Some("America/Denver"),
        &[(0, "10:00:00", "18:00:00")],
        &[
            ("2023-01-23 15:00:00 UTC", Active),
            ("2023-01-23 17:40:00 UTC", Inactive),
        ],
    );
    assert_eq!(got, "0.00,0.00,0.00,60.00,1.00,8.00,8.00,1,1,8.00");
}

#[test]
fn g_spring_forward_day_is_two_hours() {
    let every_day: Vec<_> = (0..7).map(|d| (d, "01:00:00", "04:00:00")).collect();
    let got = row(
        "2024-03-10 12:00:00 UTC",
        Some("America/New_York"),
        &every_day,
        &[
            ("2024-03-10 06:30:00 UTC", Inactive),
            ("2024-03-10 07:30:00 UTC", Active),
        ],
    );
    assert_eq!(got, "0.00,1.00,1.00,0.00,1.00,19.00,20.00,2,1,19.00");
}

#[test]
fn h_fall_back_day_is_four_hours() {
    let got = row(
        "2024-11-03 12:00:00 UTC",
        Some("America/New_York"),
        &[(6, "00:00:00", "03:00:00")],
        &[("2024-11-03 05:30:00 UTC", Active)],
    );
    assert_eq!(got, "0.00,4.00,4.00,0.00,0.00,0.00,4.00,1,0,0.00");
}

#[test]
fn i_a_start_in_the_gap_moves_forward() {
    let got = row(
        "2024-03-10 12:00:00 UTC",
        Some("America/New_York"),
        &[(6, "02:30:00", "05:00:00")],
        &[("2024-03-10 08:00:00 UTC", Active)],
    );
    assert_eq!(got, "0.00,1.50,1.50,0.00,0.00,0.00,1.50,1,0,0.00");
}

#[test]
fn j_a_closed_special_date_is_not_downtime() {
    let got = row_with_special(
        MONDAY,
        None,
        &[(0, "09:00:00", "17:00:00")],
        &[("2023-01-23", None)],
        &[
            ("2023-01-16 20:00:00 UTC", Active),
            ("2023-01-23 16:00:00 UTC", Inactive),
        ],
    );
    assert_eq!(got, "0.00,0.00,5.00,0.00,0.00,0.00,5.00,1,0,0.00");
}

#[test]
fn k_special_hours_open_a_24x7_store_short_and_the_midpoint_falls_in_closed_time() {
    let got = row_with_special(
        MONDAY,
        Some("America/New_York"),
        &[],
        &[("2023-01-22", Some(("10:00:00", "14:00:00")))],
        &[
            ("2023-01-22 16:00:00 UTC", Inactive),
            ("2023-01-23 17:00:00 UTC", Active),
        ],
    );
    assert_eq!(got, "60.00,13.00,13.00,0.00,1.00,135.00,148.00,2,1,135.00");
}

#[test]
fn l_the_friday_shift_belongs_to_friday_even_into_a_closed_saturday() {
    let got = row_with_special(
        MONDAY,
        Some("America/New_York"),
        &[(4, "22:00:00", "02:00:00")],
        &[("2023-01-21", None)],
        &[
            ("2023-01-20 20:00:00 UTC", Active),
            ("2023-01-21 03:30:00 UTC", Inactive),
            ("2023-01-21 06:00:00 UTC", Active),
        ],
    );
    assert_eq!(got, "0.00,0.00,2.25,0.00,0.00,1.75,4.00,2,1,1.75");
}

#[test]
fn m_a_special_row_with_end_equal_to_start_is_open_around_the_clock() {
    let got = row_with_special(
        MONDAY,
        None,
        &[(0, "09:00:00", "17:00:00")],
        &[("2023-01-23", Some(("10:00:00", "10:00:00")))],
        &[("2023-01-23 17:00:00 UTC", Inactive)],
    );
    assert_eq!(got, "0.00,0.00,0.00,60.00,2.00,7.00,7.00,1,1,7.00");
}

#[test]
fn n_around_the_clock_every_day_has_no_gap_on_the_fall_back_night() {
    let every_day: Vec<_> = (0..7).map(|d| (d, "05:00:00", "05:00:00")).collect();
    let got = row(
        "2024-11-03 12:00:00 UTC",
        Some("America/New_York"),
        &every_day,
        &[("2024-11-03 11:00:00 UTC", Active)],
    );
    assert_eq!(got, "60.00,24.00,168.00,0.00,0.00,0.00,168.00,1,0,0.00");
}

#[test]
fn rows_are_sorted_by_store_id_bytes_and_ids_kept_exactly() {
    let store = |id: &str| StoreInput {
        store_id: id.into(),
        polls: polls(&[(MONDAY, Active)]),
        ..Default::default()
    };
    let input = ReportInput {
        as_of: Some(ts(MONDAY)),
        stores: vec![
            store("b"),
            store("8419537941919820732"),
            store("B"),
            store("10"),
        ],
    };
    let csv = to_csv_string(&compute(input).unwrap(), Columns::Standard);
    let ids: Vec<_> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, ["10", "8419537941919820732", "B", "b"]);
}

#[test]
fn an_unknown_zone_fails_the_report_naming_the_store() {
    let input = ReportInput {
        as_of: Some(ts(MONDAY)),
        stores: vec![StoreInput {
            store_id: "s1".into(),
            timezone: Some("Mars/Olympus".into()),
            ..Default::default()
        }],
    };
    let err = compute(input).unwrap_err().to_string();
    assert!(
        err.contains("store s1") && err.contains("Mars/Olympus"),
        "{err}"
    );
}

#[test]
fn a_report_time_beyond_the_zone_database_fails_naming_the_store_instead_of_panicking() {
    // Year 9999: parse_timestamp refuses it, but a database written by an
    // older version may still hold such a poll.
    let as_of = jiff::Timestamp::MAX.as_microsecond();
    let input = ReportInput {
        as_of: Some(as_of),
        stores: vec![StoreInput {
            store_id: "s9".into(),
            timezone: Some("America/New_York".into()),
            hours: hours(&[(0, "09:00:00", "17:00:00")]),
            polls: vec![Poll {
                ts: as_of,
                status: Active,
            }],
            ..Default::default()
        }],
    };
    let err = compute(input).unwrap_err().to_string();
    assert!(err.starts_with("store s9: "), "{err}");
}
