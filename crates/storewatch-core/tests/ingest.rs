//! CSV parsing and validation: what is accepted, and what each kind of bad
//! input is told.

use storewatch_core::domain::{Status, TimeOfDay, parse_timestamp};
use storewatch_core::ingest::{
    IngestError, Mode, NewestAllowed, parse_hours, parse_polls, parse_timezones, reader_from_bytes,
};

fn src(name: &str, text: &str) -> storewatch_core::ingest::Source {
    reader_from_bytes(name, text.as_bytes().to_vec()).unwrap()
}

fn strict_error(result: Result<impl std::fmt::Debug, IngestError>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn polls_columns_in_any_order_and_every_timestamp_form() {
    let text = "timestamp_utc,store_id,status\n\
                2023-01-22 12:09:39.388884 UTC,8419537941919820732,active\n\
                2023-01-22 12:09:39 UTC,8419537941919820732,inactive\n\
                2023-01-22T12:09:40Z,b5d0a65d-6d54-47aa-95e9-9312f0353326,active\n\
                2023-01-22T12:09:41+00:00,b5d0a65d-6d54-47aa-95e9-9312f0353326,Inactive\n";
    let file = parse_polls(
        src("store_status.csv", text),
        Mode::Strict,
        NewestAllowed::ANY,
    )
    .unwrap();
    assert_eq!(
        file.store_ids,
        vec![
            "8419537941919820732",
            "b5d0a65d-6d54-47aa-95e9-9312f0353326"
        ]
    );
    assert_eq!(file.rows_read, 4);
    // Sorted by (store, time): the first store's two polls, then the second's.
    let polls = file.polls.into_sorted_vec().unwrap();
    assert_eq!(
        polls[0].1.ts,
        parse_timestamp("2023-01-22T12:09:39Z").unwrap()
    );
    assert_eq!(
        polls[1].1.ts,
        parse_timestamp("2023-01-22T12:09:39.388884Z").unwrap()
    );
    assert_eq!(polls[3].1.status, Status::Inactive);
    assert_eq!(polls[3].0, 1);
}

#[test]
fn hours_accept_day_or_day_of_week_and_hh_mm() {
    for header in [
        "store_id,day,start_time_local,end_time_local",
        "store_id,dayOfWeek,start_time_local,end_time_local",
    ] {
        let text = format!("{header}\ns1,0,09:00,23:59:59\ns1,6,22:00:00,02:00:00\n");
        let file = parse_hours(src("business_hours.csv", &text), Mode::Strict).unwrap();
        assert_eq!(file.rows.len(), 2);
        assert_eq!(file.rows[0].1.start.seconds(), 9 * 3600);
        assert_eq!(file.rows[0].1.end, TimeOfDay::END_OF_DAY);
        assert_eq!(file.rows[1].1.day.index(), 6);
    }
}

#[test]
fn a_bom_and_surrounding_spaces_are_ignored() {
    let text = "\u{feff}store_id, timezone_str\ns1 , America/Denver\n";
    let file = parse_timezones(src("timezones.csv", text), Mode::Strict).unwrap();
    assert_eq!(
        file.rows,
        [("s1".to_string(), "America/Denver".to_string())]
    );
}

#[test]
fn bad_status_names_file_line_column_and_reason() {
    let text = "store_id,status,timestamp_utc\ns1,active,2023-01-22 12:00:00 UTC\ns1,actve,2023-01-22 13:00:00 UTC\n";
    let err = strict_error(parse_polls(
        src("store_status.csv", text),
        Mode::Strict,
        NewestAllowed::ANY,
    ));
    assert!(
        err.starts_with("store_status.csv:3: status \"actve\" is not active or inactive"),
        "{err}"
    );
    assert!(
        err.contains("1 invalid row; nothing from this file was applied"),
        "{err}"
    );
}

#[test]
fn bad_timestamp() {
    let text = "store_id,status,timestamp_utc\ns1,active,2023-02-30 12:00:00 UTC\n";
    let err = strict_error(parse_polls(
        src("store_status.csv", text),
        Mode::Strict,
        NewestAllowed::ANY,
    ));
    assert!(
        err.starts_with(
            "store_status.csv:2: timestamp_utc \"2023-02-30 12:00:00 UTC\" is not a timestamp like"
        ),
        "{err}"
    );
}

#[test]
fn bad_day_is_named_as_the_header_spells_it() {
    let text = "store_id,day,start_time_local,end_time_local\ns1,7,09:00:00,12:00:00\n";
    let err = strict_error(parse_hours(src("business_hours.csv", text), Mode::Strict));
    assert!(
        err.starts_with(
            "business_hours.csv:2: day \"7\" is not a weekday 0 (Monday) to 6 (Sunday)"
        ),
        "{err}"
    );
}

#[test]
fn bad_time() {
    let text = "store_id,dayOfWeek,start_time_local,end_time_local\ns1,1,9am,12:00:00\n";
    let err = strict_error(parse_hours(src("menu_hours.csv", text), Mode::Strict));
    assert!(
        err.starts_with("menu_hours.csv:2: start_time_local \"9am\" is not a time of day"),
        "{err}"
    );
}

#[test]
fn bad_zone() {
    let text = "store_id,timezone_str\ns1,America/Gotham\n";
    let err = strict_error(parse_timezones(src("timezones.csv", text), Mode::Strict));
    assert!(
        err.starts_with(
            "timezones.csv:2: timezone_str \"America/Gotham\" is not a known IANA time zone"
        ),
        "{err}"
    );
}

#[test]
fn contradicting_zones_for_one_store() {
    let text = "store_id,timezone_str\ns1,America/Denver\ns1,America/Denver\ns1,Asia/Tokyo\n";
    let err = strict_error(parse_timezones(src("timezones.csv", text), Mode::Strict));
    assert!(
        err.starts_with(
            "timezones.csv:4: timezone_str \"Asia/Tokyo\" contradicts \"America/Denver\""
        ),
        "{err}"
    );
}

#[test]
fn missing_column_is_named() {
    let text = "store_id,timestamp_utc\ns1,2023-01-22 12:00:00 UTC\n";
    let err = strict_error(parse_polls(
        src("store_status.csv", text),
        Mode::Strict,
        NewestAllowed::ANY,
    ));
    assert_eq!(
        err,
        "store_status.csv:1: missing column \"status\" (the header has: store_id, timestamp_utc)"
    );
}

#[test]
fn ragged_row() {
    let text = "store_id,status,timestamp_utc\ns1,active\n";
    let err = strict_error(parse_polls(
        src("store_status.csv", text),
        Mode::Strict,
        NewestAllowed::ANY,
    ));
    assert!(
        err.starts_with("store_status.csv:2: expected 3 fields like the header, found 2"),
        "{err}"
    );
}

#[test]
fn empty_file() {
    let err = strict_error(parse_polls(
        src("store_status.csv", ""),
        Mode::Strict,
        NewestAllowed::ANY,
    ));
    assert_eq!(
        err,
        "store_status.csv: the file is empty; expected a header row with store_id, status, timestamp_utc"
    );
}

#[test]
fn empty_store_id() {
    let text = "store_id,status,timestamp_utc\n,active,2023-01-22 12:00:00 UTC\n";
    let err = strict_error(parse_polls(
        src("store_status.csv", text),
        Mode::Strict,
        NewestAllowed::ANY,
    ));
    assert!(
        err.starts_with("store_status.csv:2: store_id is empty"),
        "{err}"
    );
}

#[test]
fn strict_mode_lists_many_errors_and_counts_the_rest() {
    let mut text = String::from("store_id,status,timestamp_utc\n");
    for i in 0..30 {
        text.push_str(&format!("s{i},maybe,2023-01-22 12:00:00 UTC\n"));
    }
    let IngestError::InvalidRows { errors, total, .. } = parse_polls(
        src("store_status.csv", &text),
        Mode::Strict,
        NewestAllowed::ANY,
    )
    .unwrap_err() else {
        panic!("expected invalid rows");
    };
    assert_eq!((errors.len(), total), (20, 30));
    assert_eq!(errors[19].line, 21);
}

#[test]
fn lenient_mode_skips_and_returns_bad_rows() {
    let text = "store_id,status,timestamp_utc\ns1,active,2023-01-22 12:00:00 UTC\ns2,actve,2023-01-22 12:00:00 UTC\ns3,active\n";
    let file = parse_polls(
        src("store_status.csv", text),
        Mode::Lenient,
        NewestAllowed::ANY,
    )
    .unwrap();
    assert_eq!(file.polls.len(), 1);
    assert_eq!(file.rows_read, 3);
    assert_eq!(file.skipped.len(), 2);
    assert_eq!(file.skipped[0].line, 3);
    assert_eq!(file.skipped[0].column.as_deref(), Some("status"));
    assert_eq!(file.skipped[0].record, "s2,actve,2023-01-22 12:00:00 UTC");
    assert_eq!(file.skipped[1].column, None);
}

#[test]
fn dedup_keeps_the_last_row_of_a_key() {
    let text = "store_id,status,timestamp_utc\n\
                s,active,2023-01-22 12:00:00 UTC\n\
                s,inactive,2023-01-22 11:00:00 UTC\n\
                s,inactive,2023-01-22 12:00:00 UTC\n";
    let file = parse_polls(
        src("store_status.csv", text),
        Mode::Strict,
        NewestAllowed::ANY,
    )
    .unwrap();
    assert_eq!(file.polls.len(), 3);
    let polls = file.polls.into_sorted_vec().unwrap();
    assert_eq!(polls.len(), 2);
    assert_eq!(polls[1].1.status, Status::Inactive);
    assert_eq!(
        polls[1].1.ts,
        parse_timestamp("2023-01-22 12:00:00 UTC").unwrap()
    );
}

#[test]
fn lenient_mode_keeps_a_bounded_number_of_skipped_rows_and_counts_all() {
    let mut text = String::from("store_id,status,timestamp_utc\n");
    for i in 0..2_000 {
        text.push_str(&format!("s{i},actve,2023-01-22 12:00:00 UTC\n"));
    }
    text.push_str("ok,active,2023-01-22 12:00:00 UTC\n");
    let file = parse_polls(src("p.csv", &text), Mode::Lenient, NewestAllowed::ANY).unwrap();
    assert_eq!(file.skipped_total, 2_000);
    assert_eq!(
        file.skipped.len(),
        storewatch_core::ingest::MAX_KEPT_SKIPPED
    );
    assert_eq!(file.polls.len(), 1);
}

#[test]
fn a_huge_field_is_refused_without_being_echoed() {
    let huge = "x".repeat(100_000);
    let text = format!("store_id,status,timestamp_utc\n{huge},active,2023-01-22 12:00:00 UTC\n");
    let err = strict_error(parse_polls(
        src("p.csv", &text),
        Mode::Strict,
        NewestAllowed::ANY,
    ));
    assert!(
        err.contains("p.csv:2: store_id is 100000 bytes long"),
        "{err}"
    );
    assert!(err.len() < 1_000, "the error is {} bytes", err.len());
    let file = parse_polls(src("p.csv", &text), Mode::Lenient, NewestAllowed::ANY).unwrap();
    assert!(file.skipped[0].record.chars().count() <= 201);
}

#[test]
fn store_ids_must_be_safe_to_store_and_to_open_in_a_spreadsheet() {
    for (id, why) in [
        ("=HYPERLINK(\"x\")", "formula"),
        ("@SUM(1)", "formula"),
        ("a\u{1}b", "control character"),
    ] {
        let text = format!("store_id,timezone_str\n\"{id}\",UTC\n");
        let err = strict_error(parse_timezones(src("tz.csv", &text), Mode::Strict));
        assert!(
            err.contains("tz.csv:2: store_id") && err.contains(why),
            "{err}"
        );
    }
    let long = "9".repeat(129);
    let err = strict_error(parse_timezones(
        src("tz.csv", &format!("store_id,timezone_str\n{long},UTC\n")),
        Mode::Strict,
    ));
    assert!(err.contains("at most 128"), "{err}");
}

#[test]
fn zones_match_without_regard_to_case_and_are_stored_canonically() {
    let file = parse_timezones(
        src(
            "tz.csv",
            "store_id,timezone_str\na,america/new_york\nb,UTC\nc,EUROPE/BERLIN\n",
        ),
        Mode::Strict,
    )
    .unwrap();
    let zones: Vec<&str> = file.rows.iter().map(|(_, z)| z.as_str()).collect();
    assert_eq!(zones, ["America/New_York", "UTC", "Europe/Berlin"]);
    for host in ["localtime", "posixrules", "Factory"] {
        let text = format!("store_id,timezone_str\na,{host}\n");
        let err = strict_error(parse_timezones(src("tz.csv", &text), Mode::Strict));
        assert!(err.contains("is not a known IANA time zone"), "{err}");
    }
}

/// A file of many batches (the rows are checked on one thread and interned
/// on another, 16 Ki rows at a time): ids are numbered in order of first
/// appearance, every row is counted, and of a key written twice, even
/// batches apart, the row that came last wins.
#[test]
fn a_file_of_many_batches_is_read_as_written() {
    let stores = 997;
    let rows = 70_001;
    let mut text = String::from("store_id,status,timestamp_utc\n");
    let mut want: std::collections::BTreeMap<(String, i64), Status> = Default::default();
    let mut first_seen: Vec<String> = Vec::new();
    for n in 0..rows {
        // Ids in a scrambled order; every 5th row repeats an earlier key
        // (store and time) with a flipped status, up to 3 batches later.
        let store = format!("s{}", (n * 7919) % stores);
        let hour = n / stores;
        let (store, hour, status) = if n % 5 == 0 && n >= 50_000 {
            let m = n - 49_999;
            (
                format!("s{}", (m * 7919) % stores),
                m / stores,
                Status::Inactive,
            )
        } else {
            (store, hour, Status::Active)
        };
        let ts = parse_timestamp("2023-01-01T00:00:00Z").unwrap() + hour as i64 * 3_600_000_000;
        if !first_seen.contains(&store) {
            first_seen.push(store.clone());
        }
        let word = if status == Status::Active {
            "active"
        } else {
            "inactive"
        };
        text.push_str(&format!(
            "{store},{word},{}\n",
            storewatch_core::domain::format_timestamp(ts)
        ));
        want.insert((store, ts), status);
    }
    let file = parse_polls(src("many.csv", &text), Mode::Strict, NewestAllowed::ANY).unwrap();
    assert_eq!(file.rows_read, rows);
    assert_eq!(file.store_ids, first_seen);
    let got: std::collections::BTreeMap<(String, i64), Status> = file
        .polls
        .into_sorted_vec()
        .unwrap()
        .into_iter()
        .map(|(i, p)| ((file.store_ids.get(i as usize).to_string(), p.ts), p.status))
        .collect();
    assert_eq!(got.len(), want.len());
    assert!(got == want, "a poll differs from the last row of its key");
}

#[test]
fn a_poll_from_the_future_is_an_invalid_row() {
    let now = parse_timestamp("2023-01-25 18:00:00 UTC").unwrap();
    let newest = NewestAllowed {
        now,
        tolerance: 3_600_000_000,
    };
    // Up to the clock plus the tolerance is fine, to the microsecond.
    let text = "store_id,status,timestamp_utc\n\
                s1,active,2023-01-25 18:00:00 UTC\n\
                s1,active,2023-01-25 19:00:00 UTC\n";
    let file = parse_polls(src("store_status.csv", text), Mode::Strict, newest).unwrap();
    assert_eq!(file.rows_read, 2);
    // One microsecond later, or a poll dated 2200, is not.
    let text = "store_id,status,timestamp_utc\n\
                s1,active,2023-01-25 19:00:00.000001 UTC\n\
                s2,inactive,2200-01-01 00:00:00 UTC\n";
    let err = strict_error(parse_polls(
        src("store_status.csv", text),
        Mode::Strict,
        newest,
    ));
    assert!(
        err.starts_with(
            "store_status.csv:2: timestamp_utc \"2023-01-25 19:00:00.000001 UTC\" is in the future: \
             later than this machine's clock (2023-01-25 18:00:00.000000 UTC) plus the tolerance of 1h (--max-future)"
        ),
        "{err}"
    );
    assert!(
        err.contains("store_status.csv:3: timestamp_utc \"2200-01-01"),
        "{err}"
    );
    // Lenient mode skips them and keeps the rest.
    let text = "store_id,status,timestamp_utc\n\
                s1,active,2023-01-25 17:00:00 UTC\n\
                s2,inactive,2200-01-01 00:00:00 UTC\n";
    let file = parse_polls(src("store_status.csv", text), Mode::Lenient, newest).unwrap();
    assert_eq!((file.store_ids.len(), file.skipped_total), (1, 1));
}
