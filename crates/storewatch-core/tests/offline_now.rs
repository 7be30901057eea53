//! Who is offline now: inside business hours at the report time, with the
//! nearest candidate poll inactive.

use storewatch_core::domain::{
    HoursRow, Poll, Status, TimeOfDay, Weekday, format_timestamp, parse_timestamp,
};
use storewatch_core::report::{OfflineList, ReportInput, StoreInput, offline_now};

fn ts(s: &str) -> i64 {
    parse_timestamp(s).unwrap()
}

fn store(id: &str, hours: Vec<HoursRow>, polls: &[(&str, Status)]) -> StoreInput {
    StoreInput {
        store_id: id.into(),
        timezone: Some("UTC".into()),
        hours,
        special: Vec::new(),
        polls: polls
            .iter()
            .map(|&(t, status)| Poll { ts: ts(t), status })
            .collect(),
    }
}

/// Open 09:00–17:00 UTC every day.
fn nine_to_five() -> Vec<HoursRow> {
    (0..7)
        .map(|d| HoursRow {
            day: Weekday::new(d).unwrap(),
            start: TimeOfDay::parse("09:00:00").unwrap(),
            end: TimeOfDay::parse("17:00:00").unwrap(),
        })
        .collect()
}

#[test]
fn only_open_stores_whose_last_candidate_is_inactive_are_offline_since_their_incident_began() {
    use Status::{Active, Inactive};
    let input = ReportInput {
        // A Wednesday, 12:00 UTC.
        as_of: Some(ts("2023-01-25 12:00:00 UTC")),
        stores: vec![
            // Around the clock; active at 10:00, inactive at 11:00 and 11:50:
            // down since the midpoint 10:30.
            store(
                "down",
                Vec::new(),
                &[
                    ("2023-01-25 10:00:00 UTC", Active),
                    ("2023-01-25 11:00:00 UTC", Inactive),
                    ("2023-01-25 11:50:00 UTC", Inactive),
                ],
            ),
            // Its last poll is active.
            store(
                "up",
                Vec::new(),
                &[
                    ("2023-01-25 11:00:00 UTC", Inactive),
                    ("2023-01-25 11:30:00 UTC", Active),
                ],
            ),
            // Open 09–17 and inactive at its only poll, a day ago.
            store(
                "all-week-down",
                nine_to_five(),
                &[("2023-01-24 10:00:00 UTC", Inactive)],
            ),
            // Inactive, but its hours are over at the report time.
            store(
                "closed-now",
                vec![HoursRow {
                    day: Weekday::new(2).unwrap(), // Wednesday
                    start: TimeOfDay::parse("06:00:00").unwrap(),
                    end: TimeOfDay::parse("11:00:00").unwrap(),
                }],
                &[("2023-01-25 10:00:00 UTC", Inactive)],
            ),
            // No candidate at all in the week: unknown, not offline.
            store(
                "silent",
                Vec::new(),
                &[("2023-01-10 10:00:00 UTC", Inactive)],
            ),
        ],
    };
    let got: Vec<(String, String, u32)> = offline_now(input)
        .unwrap()
        .into_iter()
        .map(|o| (o.store_id, format_timestamp(o.since / 2), o.inactive_polls))
        .collect();
    assert_eq!(
        got,
        vec![
            // Its only poll colours the whole week: down from the week's start.
            (
                "all-week-down".to_string(),
                "2023-01-18T12:00:00Z".to_string(),
                1
            ),
            ("down".to_string(), "2023-01-25T10:30:00Z".to_string(), 2),
        ]
    );
}

/// The first page of the list, found batch by batch keeping only `limit`,
/// is the first `limit` of the whole list, in the same order, whatever the
/// batches; ties on `since` go by store id.
#[test]
fn a_bounded_list_over_batches_is_the_first_page_of_the_whole() {
    use Status::{Active, Inactive};
    let as_of = ts("2023-01-25 12:00:00 UTC");
    // Store i went down at 11:00 − (i mod 7) minutes; a third of them are up.
    let stores: Vec<StoreInput> = (0..60)
        .map(|i| {
            let down = format!("2023-01-25 10:{:02}:00 UTC", 50 - i % 7);
            let last = if i % 3 == 0 { Active } else { Inactive };
            store(
                &format!("s{i:02}"),
                Vec::new(),
                &[
                    ("2023-01-25 09:00:00 UTC", Active),
                    (down.as_str(), Inactive),
                    ("2023-01-25 11:59:00 UTC", last),
                ],
            )
        })
        .collect();
    let whole = offline_now(ReportInput {
        as_of: Some(as_of),
        stores: stores.clone(),
    })
    .unwrap();
    assert_eq!(whole.len(), 40);
    for (limit, batch) in [(1, 7), (5, 1), (12, 13), (40, 60), (100, 9)] {
        let mut list = OfflineList::new(as_of, limit);
        for chunk in stores.chunks(batch) {
            list.add(chunk.to_vec(), |_| true).unwrap();
        }
        assert_eq!(list.total(), 40);
        let page = list.finish();
        assert_eq!(
            page,
            whole[..limit.min(40)],
            "limit {limit}, batches of {batch}"
        );
    }
    // A filter keeps only the ids it accepts.
    let mut list = OfflineList::new(as_of, 100);
    list.add(stores, |id| id.ends_with('1')).unwrap();
    let ids: Vec<String> = list.finish().into_iter().map(|o| o.store_id).collect();
    let want: Vec<String> = whole
        .iter()
        .map(|o| o.store_id.clone())
        .filter(|id| id.ends_with('1'))
        .collect();
    assert_eq!(ids, want);
}
