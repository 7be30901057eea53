//! Behaviour every [`Database`] must show. Backend crates call these from their
//! tests against a real, empty database; each check panics with a message on
//! failure.

use storewatch_core::domain::{HoursRow, Poll, Status, TimeOfDay, Weekday, parse_timestamp};
use storewatch_core::ingest::PollFile;

use crate::{Database, IngestBatch, PollsApplied};

trait Shorthand: Database {
    async fn ingest_polls(&self, polls: PollFile) -> Result<PollsApplied, crate::DbError> {
        let applied = self
            .ingest(IngestBatch {
                polls: Some(polls),
                ..Default::default()
            })
            .await?;
        Ok(applied.polls.expect("polls were given"))
    }
    async fn replace_business_hours(
        &self,
        rows: Vec<(String, HoursRow)>,
    ) -> Result<u64, crate::DbError> {
        let applied = self
            .ingest(IngestBatch {
                business_hours: Some(rows),
                ..Default::default()
            })
            .await?;
        Ok(applied.business_hours.expect("hours were given"))
    }
    async fn replace_timezones(&self, rows: Vec<(String, String)>) -> Result<u64, crate::DbError> {
        let applied = self
            .ingest(IngestBatch {
                timezones: Some(rows),
                ..Default::default()
            })
            .await?;
        Ok(applied.timezones.expect("zones were given"))
    }
}
impl<D: Database> Shorthand for D {}

fn ts(s: &str) -> i64 {
    parse_timestamp(s).expect("test timestamps are valid")
}

fn polls(rows: &[(&str, &str, Status)]) -> PollFile {
    let mut file = PollFile::default();
    for (id, when, status) in rows {
        let idx = match file.store_ids.iter().position(|s| s == id) {
            Some(i) => i,
            None => {
                file.store_ids.push(id.to_string());
                file.store_ids.len() - 1
            }
        };
        file.polls.push((
            idx as u32,
            Poll {
                ts: ts(when),
                status: *status,
            },
        ));
    }
    file.rows_read = rows.len();
    file
}

/// Polls are keyed by (store, time): the same file twice changes nothing, a
/// changed status replaces the old one, and ids come back byte for byte.
pub async fn polls_are_an_idempotent_log<D: Database>(db: &D) {
    use Status::*;
    let big = "8419537941919820732";
    let file = || {
        polls(&[
            (big, "2023-01-23T10:00:00Z", Active),
            (big, "2023-01-23T11:00:00Z", Inactive),
            (
                "b5d0a65d-6d54-47aa-95e9-9312f0353326",
                "2023-01-23T10:30:00Z",
                Active,
            ),
        ])
    };
    let first = db.ingest_polls(file()).await.unwrap();
    assert_eq!(
        first,
        PollsApplied {
            rows: 3,
            written: 3,
            unchanged: 0
        }
    );
    let again = db.ingest_polls(file()).await.unwrap();
    assert_eq!(
        again,
        PollsApplied {
            rows: 3,
            written: 0,
            unchanged: 3
        }
    );

    let changed = db
        .ingest_polls(polls(&[(big, "2023-01-23T11:00:00Z", Active)]))
        .await
        .unwrap();
    assert_eq!(
        changed,
        PollsApplied {
            rows: 1,
            written: 1,
            unchanged: 0
        }
    );

    let counts = db.counts().await.unwrap();
    assert_eq!((counts.stores, counts.polls), (2, 3));
    assert_eq!(counts.newest_poll, Some(ts("2023-01-23T11:00:00Z")));

    let input = db.report_input(None).await.unwrap();
    assert_eq!(input.as_of, Some(ts("2023-01-23T11:00:00Z")));
    let mut ids: Vec<_> = input.stores.iter().map(|s| s.store_id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, [big, "b5d0a65d-6d54-47aa-95e9-9312f0353326"]);
    let store = input.stores.iter().find(|s| s.store_id == big).unwrap();
    let mut got = store.polls.clone();
    got.sort();
    assert_eq!(
        got,
        [
            Poll {
                ts: ts("2023-01-23T10:00:00Z"),
                status: Active
            },
            Poll {
                ts: ts("2023-01-23T11:00:00Z"),
                status: Active
            },
        ]
    );
}

/// Within one file, the last row of a key wins.
pub async fn the_last_row_of_a_key_wins<D: Database>(db: &D) {
    use Status::*;
    let file = polls(&[
        ("s", "2023-01-23T10:00:00Z", Active),
        ("s", "2023-01-23T10:00:00Z", Inactive),
    ]);
    let applied = db.ingest_polls(file).await.unwrap();
    assert_eq!(
        applied,
        PollsApplied {
            rows: 2,
            written: 1,
            unchanged: 0
        }
    );
    let input = db.report_input(None).await.unwrap();
    assert_eq!(
        input.stores[0].polls,
        [Poll {
            ts: ts("2023-01-23T10:00:00Z"),
            status: Inactive
        }]
    );
}

/// Hours and zones are snapshots: each ingest replaces the previous set, and
/// a store missing from the new set falls back to the defaults.
pub async fn hours_and_zones_are_snapshots<D: Database>(db: &D) {
    let row = |day: u8, start: &str, end: &str| HoursRow {
        day: Weekday::new(day).unwrap(),
        start: TimeOfDay::parse(start).unwrap(),
        end: TimeOfDay::parse_end(end).unwrap(),
    };
    db.ingest_polls(polls(&[
        ("a", "2023-01-23T10:00:00Z", Status::Active),
        ("b", "2023-01-23T10:00:00Z", Status::Active),
    ]))
    .await
    .unwrap();
    let n = db
        .replace_business_hours(vec![
            ("a".into(), row(0, "09:00", "12:00")),
            ("a".into(), row(0, "13:00", "23:59:59")),
            ("b".into(), row(3, "22:00", "02:00")),
        ])
        .await
        .unwrap();
    assert_eq!(n, 3);
    db.replace_timezones(vec![
        ("a".into(), "Asia/Kolkata".into()),
        ("b".into(), "America/Denver".into()),
    ])
    .await
    .unwrap();

    let input = db
        .report_input(Some(ts("2023-01-23T12:00:00Z")))
        .await
        .unwrap();
    let a = input.stores.iter().find(|s| s.store_id == "a").unwrap();
    assert_eq!(a.timezone.as_deref(), Some("Asia/Kolkata"));
    let mut hours = a.hours.clone();
    hours.sort_by_key(|h| h.start);
    assert_eq!(
        hours,
        [row(0, "09:00", "12:00"), row(0, "13:00", "23:59:59")]
    );

    // The next snapshot forgets b entirely.
    db.replace_business_hours(vec![("a".into(), row(1, "10:00", "11:00"))])
        .await
        .unwrap();
    db.replace_timezones(vec![("a".into(), "America/New_York".into())])
        .await
        .unwrap();
    let input = db
        .report_input(Some(ts("2023-01-23T12:00:00Z")))
        .await
        .unwrap();
    let b = input.stores.iter().find(|s| s.store_id == "b").unwrap();
    assert!(b.hours.is_empty(), "b has no hours now: open 24x7");
    assert_eq!(b.timezone, None, "b has no zone now: the default");
    let counts = db.counts().await.unwrap();
    assert_eq!((counts.business_hours, counts.timezones), (1, 1));
}

/// A report reads the polls of its week, and lists stores whose polls are all
/// outside it (they get zeros, but a row).
pub async fn report_input_covers_the_week<D: Database>(db: &D) {
    use Status::*;
    db.ingest_polls(polls(&[
        ("old", "2023-01-01T00:00:00Z", Active),
        ("new", "2023-01-16T12:00:00Z", Inactive),
        ("new", "2023-01-20T12:00:00Z", Active),
        ("new", "2023-01-23T12:00:00Z", Active),
        ("new", "2023-01-24T12:00:00Z", Active),
    ]))
    .await
    .unwrap();
    let input = db
        .report_input(Some(ts("2023-01-23T12:00:00Z")))
        .await
        .unwrap();
    assert_eq!(input.as_of, Some(ts("2023-01-23T12:00:00Z")));
    assert_eq!(input.stores.len(), 2);
    let new = input.stores.iter().find(|s| s.store_id == "new").unwrap();
    let inside = new
        .polls
        .iter()
        .filter(|p| p.ts >= ts("2023-01-16T12:00:00Z") && p.ts <= ts("2023-01-23T12:00:00Z"))
        .count();
    assert_eq!(inside, 3, "the week's three polls, ends included");
}

/// An empty database reports nothing, without error.
pub async fn an_empty_database_has_no_report_time<D: Database>(db: &D) {
    let input = db.report_input(None).await.unwrap();
    assert_eq!(input.as_of, None);
    assert!(input.stores.is_empty());
}

/// A batch with all three sources lands together.
pub async fn a_batch_is_applied_whole<D: Database>(db: &D) {
    let batch = IngestBatch {
        polls: Some(polls(&[("a", "2023-01-23T10:00:00Z", Status::Active)])),
        business_hours: Some(vec![(
            "a".into(),
            HoursRow {
                day: Weekday::new(0).unwrap(),
                start: TimeOfDay::MIDNIGHT,
                end: TimeOfDay::END_OF_DAY,
            },
        )]),
        timezones: Some(vec![("a".into(), "Europe/Berlin".into())]),
    };
    let applied = db.ingest(batch).await.unwrap();
    assert_eq!(
        applied.polls,
        Some(PollsApplied {
            rows: 1,
            written: 1,
            unchanged: 0
        })
    );
    assert_eq!(
        (applied.business_hours, applied.timezones),
        (Some(1), Some(1))
    );
    let input = db.report_input(None).await.unwrap();
    assert_eq!(input.stores[0].timezone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(input.stores[0].hours.len(), 1);
}
