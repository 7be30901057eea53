//! Behaviour every [`Database`] must show. Backend crates call these from their
//! tests against a real, empty database; each check panics with a message on
//! failure.

use storewatch_core::domain::{
    HoursRow, Poll, SpecialHoursRow, Status, TimeOfDay, Weekday, parse_local_date, parse_timestamp,
};
use storewatch_core::ingest::{PollFile, SourceKind};
use storewatch_core::report::Columns;

use crate::{Database, Include, IngestBatch, Lease, PollsApplied, ReportId, Stores};

mod alerts;
mod batches;
mod shards;
pub use alerts::*;
pub use batches::*;
pub use shards::*;

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
    /// What a report of the week before `as_of` reads, for every store.
    async fn input_at(&self, as_of: &str) -> storewatch_core::report::ReportInput {
        self.report_input(Some(ts(as_of)), Stores::All)
            .await
            .unwrap()
    }
    /// Ingests these polls (store, time, status), which must succeed.
    async fn add_polls(&self, rows: &[(&str, &str, Status)]) -> PollsApplied {
        self.ingest_polls(polls(rows)).await.unwrap()
    }
    async fn replace_business_hours(
        &self,
        rows: Vec<(String, HoursRow)>,
    ) -> Result<u64, crate::DbError> {
        let applied = self
            .ingest(IngestBatch {
                business_hours: Some(rows.into_iter().map(|(id, r)| (id.into(), r)).collect()),
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
    /// Queues a report with no owner and no cap.
    async fn queue(
        &self,
        id: &ReportId,
        requested_as_of: Option<i64>,
        columns: Columns,
        now: i64,
    ) -> Result<(), crate::DbError> {
        let request = crate::NewReport {
            requested_as_of,
            columns,
            spec: storewatch_core::report::ReportSpec::Week,
            owner: crate::ReportOwner::default(),
        };
        assert!(self.create_report(id, &request, u32::MAX, now).await?);
        Ok(())
    }
}
impl<D: Database> Shorthand for D {}

fn ts(s: &str) -> i64 {
    parse_timestamp(s).expect("test timestamps are valid")
}

/// Open Mondays 09:00 to 17:00 local.
fn monday_nine_to_five(id: &str) -> (storewatch_core::domain::SharedId, HoursRow) {
    let t = |s: &str| TimeOfDay::parse(s).unwrap();
    let row = HoursRow {
        day: Weekday::new(0).unwrap(),
        start: t("09:00"),
        end: t("17:00"),
    };
    (id.into(), row)
}

fn polls(rows: &[(&str, &str, Status)]) -> PollFile {
    let mut file = PollFile::default();
    for (id, when, status) in rows {
        let idx = file.store_ids.intern(id);
        file.polls
            .push(
                idx,
                Poll {
                    ts: ts(when),
                    status: *status,
                },
            )
            .expect("in memory");
    }
    file.rows_read = rows.len();
    file
}

/// Store ids get their keys some thousands at a time: a file of more stores
/// than one go, new and known ones mixed and in another order than stored,
/// puts every poll on its own store.
pub async fn many_stores_get_their_own_keys<D: Database>(db: &D) {
    const STORES: u32 = 2 * crate::batch::STORE_KEYS_AT_ONCE as u32 + 500;
    let at = ts("2023-01-23T10:00:00Z");
    let status = |s: u32, second: bool| {
        if s.is_multiple_of(3) ^ second {
            Status::Inactive
        } else {
            Status::Active
        }
    };
    let mut first = PollFile::default();
    for s in (0..STORES).filter(|s| s % 2 == 0) {
        let i = first.store_ids.intern(&format!("id-{s:05}"));
        first
            .polls
            .push(
                i,
                Poll {
                    ts: at,
                    status: status(s, false),
                },
            )
            .unwrap();
    }
    db.ingest_polls(first).await.unwrap();
    let mut second = PollFile::default();
    for s in (0..STORES).rev() {
        let i = second.store_ids.intern(&format!("id-{s:05}"));
        let poll = Poll {
            ts: at + 3_600_000_000,
            status: status(s, true),
        };
        second.polls.push(i, poll).unwrap();
    }
    let applied = db.ingest_polls(second).await.unwrap();
    assert_eq!(applied.written, u64::from(STORES));
    let input = db.report_input(None, Stores::All).await.unwrap();
    assert_eq!(input.stores.len(), STORES as usize);
    for store in &input.stores {
        let s: u32 = store.store_id["id-".len()..].parse().unwrap();
        let mut polls = store.polls.clone();
        polls.sort();
        let mut want = vec![Poll {
            ts: at + 3_600_000_000,
            status: status(s, true),
        }];
        if s.is_multiple_of(2) {
            want.insert(
                0,
                Poll {
                    ts: at,
                    status: status(s, false),
                },
            );
        }
        assert_eq!(polls, want, "{}", store.store_id);
    }
}

/// Runs two futures at once (this crate has no runtime of its own).
async fn both<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    use std::task::Poll as Ready;
    let (mut a, mut b) = (std::pin::pin!(a), std::pin::pin!(b));
    let (mut out_a, mut out_b) = (None, None);
    std::future::poll_fn(|cx| {
        if out_a.is_none()
            && let Ready::Ready(v) = a.as_mut().poll(cx)
        {
            out_a = Some(v);
        }
        if out_b.is_none()
            && let Ready::Ready(v) = b.as_mut().poll(cx)
        {
            out_b = Some(v);
        }
        if out_a.is_some() && out_b.is_some() {
            Ready::Ready(())
        } else {
            Ready::Pending
        }
    })
    .await;
    (out_a.expect("ready"), out_b.expect("ready"))
}

/// Two ingests of the same polls at once: each answers the counts of its own
/// transaction, so one wrote every poll and the other none, never both all.
pub async fn concurrent_ingests_count_their_own_writes<D: Database>(db: &D) {
    let file = || {
        let mut file = PollFile::default();
        for s in 0..50u32 {
            file.store_ids.intern(&format!("store-{s}"));
            for h in 0..200i64 {
                let poll = Poll {
                    ts: ts("2023-01-01T00:00:00Z") + h * 3_600_000_000,
                    status: if h % 7 == 0 {
                        Status::Inactive
                    } else {
                        Status::Active
                    },
                };
                file.polls.push(s, poll).expect("in memory");
            }
        }
        file.rows_read = 10_000;
        file
    };
    let (a, b) = both(db.ingest_polls(file()), db.ingest_polls(file())).await;
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.written + b.written, 10_000, "{a:?} {b:?}");
    assert_eq!(a.unchanged + b.unchanged, 10_000, "{a:?} {b:?}");
    assert!(a.written == 0 || b.written == 0, "{a:?} {b:?}");
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

    let input = db.report_input(None, Stores::All).await.unwrap();
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
    let input = db.report_input(None, Stores::All).await.unwrap();
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
    db.add_polls(&[
        ("a", "2023-01-23T10:00:00Z", Status::Active),
        ("b", "2023-01-23T10:00:00Z", Status::Active),
    ])
    .await;
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

    let input = db.input_at("2023-01-23T12:00:00Z").await;
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
    let input = db.input_at("2023-01-23T12:00:00Z").await;
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
    db.add_polls(&[
        ("old", "2023-01-01T00:00:00Z", Active),
        ("new", "2023-01-16T12:00:00Z", Inactive),
        ("new", "2023-01-20T12:00:00Z", Active),
        ("new", "2023-01-23T12:00:00Z", Active),
        ("new", "2023-01-24T12:00:00Z", Active),
    ])
    .await;
    let input = db.input_at("2023-01-23T12:00:00Z").await;
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
    let input = db.report_input(None, Stores::All).await.unwrap();
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
        special_hours: Some(vec![(
            "a".into(),
            SpecialHoursRow::closed(parse_local_date("2023-01-22").unwrap()),
        )]),
        fingerprints: Vec::new(),
        provenance: None,
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
        (
            applied.business_hours,
            applied.timezones,
            applied.special_hours
        ),
        (Some(1), Some(1), Some(1))
    );
    let input = db.report_input(None, Stores::All).await.unwrap();
    assert_eq!(input.stores[0].timezone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(input.stores[0].hours.len(), 1);
    assert_eq!(input.stores[0].special.len(), 1);
}

/// Special hours are a snapshot too, closed dates come back closed, and a
/// report reads the dates around its week (and not ones far from it).
pub async fn special_hours_are_a_snapshot<D: Database>(db: &D) {
    let date = |d: &str| parse_local_date(d).unwrap();
    let t = |s: &str| TimeOfDay::parse(s).unwrap();
    let end = |s: &str| TimeOfDay::parse_end(s).unwrap();
    db.add_polls(&[
        ("a", "2023-01-23T10:00:00Z", Status::Active),
        ("b", "2023-01-23T10:00:00Z", Status::Active),
    ])
    .await;
    let rows = vec![
        ("a".to_string(), SpecialHoursRow::closed(date("2023-01-22"))),
        (
            "a".to_string(),
            SpecialHoursRow::open(date("2023-01-16"), t("10:00"), end("23:59:59")),
        ),
        (
            "a".to_string(),
            SpecialHoursRow::open(date("2023-01-16"), t("22:00"), end("02:00")),
        ),
        // Far from the week: not needed by a report on the 23rd.
        ("a".to_string(), SpecialHoursRow::closed(date("2023-12-25"))),
        ("b".to_string(), SpecialHoursRow::closed(date("2023-01-20"))),
    ];
    let applied = db
        .ingest(IngestBatch {
            special_hours: Some(rows),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(applied.special_hours, Some(5));
    let input = db.input_at("2023-01-23T12:00:00Z").await;
    let a = input.stores.iter().find(|s| s.store_id == "a").unwrap();
    let mut special = a.special.clone();
    special.sort();
    assert_eq!(
        special,
        [
            SpecialHoursRow::open(date("2023-01-16"), t("10:00"), end("23:59:59")),
            SpecialHoursRow::open(date("2023-01-16"), t("22:00"), end("02:00")),
            SpecialHoursRow::closed(date("2023-01-22")),
        ]
    );

    // The next snapshot forgets b's.
    db.ingest(IngestBatch {
        special_hours: Some(vec![(
            "a".to_string(),
            SpecialHoursRow::closed(date("2023-01-22")),
        )]),
        ..Default::default()
    })
    .await
    .unwrap();
    let input = db.input_at("2023-01-23T12:00:00Z").await;
    let b = input.stores.iter().find(|s| s.store_id == "b").unwrap();
    assert!(b.special.is_empty());
    assert_eq!(db.counts().await.unwrap().special_hours, 1);
}

/// A scoped read brings exactly the scope's stores that exist, each with
/// all of its own data, and nothing of any other store.
pub async fn a_scoped_read_sees_only_its_stores<D: Database>(db: &D) {
    let date = |d: &str| parse_local_date(d).unwrap();
    db.add_polls(&[
        ("a", "2023-01-23T10:00:00Z", Status::Active),
        ("b", "2023-01-23T10:00:00Z", Status::Inactive),
        ("c\"q", "2023-01-23T11:00:00Z", Status::Active),
        ("c\"q", "2023-01-20T11:00:00Z", Status::Inactive),
    ])
    .await;
    let hours = monday_nine_to_five;
    db.ingest(IngestBatch {
        business_hours: Some(vec![hours("a"), hours("b"), hours("c\"q")]),
        timezones: Some(vec![
            ("a".into(), "Asia/Tokyo".into()),
            ("b".into(), "Europe/Paris".into()),
            ("c\"q".into(), "America/Denver".into()),
        ]),
        special_hours: Some(vec![
            ("b".into(), SpecialHoursRow::closed(date("2023-01-22"))),
            ("c\"q".into(), SpecialHoursRow::closed(date("2023-01-21"))),
        ]),
        ..Default::default()
    })
    .await
    .unwrap();
    let scope = crate::Scope::new(["c\"q", "a", "not-a-store"]).unwrap();
    let input = db
        .report_input(Some(ts("2023-01-23T12:00:00Z")), Stores::Scope(&scope))
        .await
        .unwrap();
    let mut ids: Vec<&str> = input.stores.iter().map(|s| s.store_id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["a", "c\"q"]);
    let full = db.input_at("2023-01-23T12:00:00Z").await;
    for store in &input.stores {
        let mut mine = store.clone();
        let mut theirs = full
            .stores
            .iter()
            .find(|s| s.store_id == store.store_id)
            .unwrap()
            .clone();
        for s in [&mut mine, &mut theirs] {
            s.polls.sort_by_key(|p| p.ts);
            s.special.sort();
        }
        assert_eq!(mine, theirs, "store {}", store.store_id);
    }
    let c = input.stores.iter().find(|s| s.store_id == "c\"q").unwrap();
    assert_eq!(c.polls.len(), 2);
    assert_eq!(c.timezone.as_deref(), Some("America/Denver"));
    assert_eq!(c.special, [SpecialHoursRow::closed(date("2023-01-21"))]);
}

/// Deleting polls: by store, by time, both; a store left without polls
/// leaves the reports; the newest poll time follows; the log records it.
pub async fn polls_are_deleted_by_store_and_time<D: Database>(db: &D) {
    use crate::PollDeletion;
    db.add_polls(&[
        ("a", "2023-01-23T10:00:00Z", Status::Active),
        ("a", "2023-01-23T11:00:00Z", Status::Active),
        ("b", "2023-01-23T10:00:00Z", Status::Inactive),
        ("b", "2199-12-31T23:59:59Z", Status::Active),
    ])
    .await;
    assert_eq!(
        db.newest_poll().await.unwrap(),
        Some(ts("2199-12-31T23:59:59Z"))
    );
    let deletion = |store: Option<&str>, from: Option<&str>, to: Option<&str>| PollDeletion {
        store_id: store.map(|s| s.parse().unwrap()),
        from: from.map(ts),
        to: to.map(ts),
        at: 9 * SECOND,
        by: crate::Actor::Key("admin".into()),
        key_id: Some("k1".into()),
    };
    // The poll from far in the future, by time alone.
    let d = deletion(None, Some("2100-01-01T00:00:00Z"), None);
    assert_eq!(db.delete_polls(&d).await.unwrap(), 1);
    assert_eq!(
        db.newest_poll().await.unwrap(),
        Some(ts("2023-01-23T11:00:00Z"))
    );
    // One of a's, by store and range (the end is excluded).
    let d = deletion(
        Some("a"),
        Some("2023-01-23T10:00:00Z"),
        Some("2023-01-23T11:00:00Z"),
    );
    assert_eq!(db.delete_polls(&d).await.unwrap(), 1);
    // All of b's: b leaves the report.
    assert_eq!(
        db.delete_polls(&deletion(Some("b"), None, None))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        db.delete_polls(&deletion(Some("nobody"), None, None))
            .await
            .unwrap(),
        0
    );
    let input = db.report_input(None, Stores::All).await.unwrap();
    assert_eq!(input.as_of, Some(ts("2023-01-23T11:00:00Z")));
    let ids: Vec<&str> = input.stores.iter().map(|s| s.store_id.as_str()).collect();
    assert_eq!(ids, ["a"]);
    assert_eq!(input.stores[0].polls.len(), 1);
    let log = db.ingests(10, None).await.unwrap();
    assert_eq!(log.len(), 4, "each deletion is recorded");
    assert_eq!(log[1].label, "delete polls of store b");
    assert_eq!(
        (log[1].rows, log[1].by.as_str(), log[1].source),
        (1, "key admin", SourceKind::Polls)
    );
    assert_eq!(log[3].label, "delete polls from 2100-01-01T00:00:00Z");
}

/// A file larger than an ingest's chunk, over many days, comes back whole:
/// days split between chunks are merged, and a second file adding to and
/// changing stored days merges into them.
pub async fn many_polls_over_many_days_come_back_whole<D: Database>(db: &D) {
    const STORES: u32 = 130;
    const HOURS: i64 = 24 * 40;
    let start = ts("2023-01-01T00:17:00Z");
    let hour = 3_600_000_000;
    // Every store polled hourly for 40 days: 124,800 polls, more than one chunk.
    let status = |s: u32, h: i64| {
        if (i64::from(s) + h) % 7 == 0 {
            Status::Inactive
        } else {
            Status::Active
        }
    };
    let mut file = PollFile::default();
    for s in 0..STORES {
        file.store_ids.intern(&format!("store-{s}"));
    }
    // In time order, the stores interleaved, as a poller writes them.
    for h in 0..HOURS {
        for s in 0..STORES {
            let poll = Poll {
                ts: start + h * hour,
                status: status(s, h),
            };
            file.polls.push(s, poll).unwrap();
        }
    }
    file.rows_read = (i64::from(STORES) * HOURS) as usize;
    let applied = db.ingest_polls(file).await.unwrap();
    assert_eq!(applied.written, u64::from(STORES) * HOURS as u64);
    // A second file: each store's last 10 days again, every 5th hour flipped,
    // and a half-hour poll added after each of those hours.
    let mut second = PollFile {
        store_ids: (0..STORES).map(|s| format!("store-{s}")).collect(),
        ..PollFile::default()
    };
    let flipped = |s: u32, h: i64| {
        if h % 5 == 0 {
            match status(s, h) {
                Status::Active => Status::Inactive,
                Status::Inactive => Status::Active,
            }
        } else {
            status(s, h)
        }
    };
    for s in 0..STORES {
        for h in HOURS - 240..HOURS {
            let at = |t| Poll {
                ts: t,
                status: flipped(s, h),
            };
            second.polls.push(s, at(start + h * hour)).unwrap();
            if h % 5 == 0 {
                second
                    .polls
                    .push(s, at(start + h * hour + hour / 2))
                    .unwrap();
            }
        }
    }
    let applied = db.ingest_polls(second).await.unwrap();
    let per_store_changed = 240 / 5 * 2;
    assert_eq!(applied.written, u64::from(STORES) * per_store_changed);
    let total = u64::from(STORES) * (HOURS as u64 + 240 / 5);
    assert_eq!(db.counts().await.unwrap().polls, total);
    // Every store's week, at two report times, is exactly what was sent.
    for as_of in [
        start + (HOURS - 1) * hour,
        start + 20 * 24 * hour + hour / 3,
    ] {
        let input = db.report_input(Some(as_of), Stores::All).await.unwrap();
        assert_eq!(input.stores.len(), STORES as usize);
        for store in &input.stores {
            let s: u32 = store.store_id["store-".len()..].parse().unwrap();
            let mut want = Vec::new();
            for h in 0..HOURS {
                let t = start + h * hour;
                let changed = h >= HOURS - 240;
                let st = if changed { flipped(s, h) } else { status(s, h) };
                want.push(Poll { ts: t, status: st });
                if changed && h % 5 == 0 {
                    want.push(Poll {
                        ts: t + hour / 2,
                        status: st,
                    });
                }
            }
            want.retain(|p| p.ts >= as_of - 7 * 24 * hour && p.ts <= as_of);
            let mut got = store.polls.clone();
            got.sort_by_key(|p| p.ts);
            assert_eq!(got, want, "store {s} at {as_of}");
        }
    }
}

/// Retention deletes exactly the polls older than its cutoff, step by step,
/// keeps every store known (one whose polls all went has an empty week), and
/// leaves the newest poll.
pub async fn retention_deletes_exactly_the_old_polls<D: Database>(db: &D) {
    use crate::RetentionCursor;
    let rows = [
        ("a", "2023-01-10T10:00:00Z"),
        ("a", "2023-01-11T23:59:59Z"),
        ("a", "2023-01-12T05:00:00Z"),
        ("a", "2023-01-12T06:00:00Z"),
        ("a", "2023-01-12T07:00:00Z"),
        ("a", "2023-01-20T07:00:00Z"),
        ("b", "2023-01-12T05:59:59.999999Z"),
        ("b", "2023-01-12T06:00:00Z"),
        ("b", "2023-01-19T06:00:00Z"),
        ("c", "2023-01-01T00:00:00Z"),
        ("c", "2023-01-02T00:00:00Z"),
    ];
    let rows: Vec<(&str, &str, Status)> = rows
        .iter()
        .map(|&(id, t)| (id, t, Status::Active))
        .collect();
    db.ingest_polls(polls(&rows)).await.unwrap();
    let cutoff = ts("2023-01-12T06:00:00Z");
    // One stored day per step: many steps.
    let (mut at, mut deleted, mut steps) = (RetentionCursor::OldDays, 0, 0);
    while at != RetentionCursor::Done {
        let step = db.retention_step(cutoff, at, 1).await.unwrap();
        deleted += step.deleted;
        at = step.next;
        steps += 1;
        assert!(steps < 100, "retention must end");
    }
    assert_eq!(deleted, 6);
    let counts = db.counts().await.unwrap();
    assert_eq!((counts.stores, counts.polls), (3, 5));
    assert_eq!(counts.newest_poll, Some(ts("2023-01-20T07:00:00Z")));
    let input = db.input_at("2023-01-20T12:00:00Z").await;
    let mut got: Vec<(String, Vec<i64>)> = input
        .stores
        .iter()
        .map(|s| {
            let mut t: Vec<i64> = s.polls.iter().map(|p| p.ts).collect();
            t.sort();
            (s.store_id.clone(), t)
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("a".to_string(), vec![ts("2023-01-20T07:00:00Z")]),
            ("b".to_string(), vec![ts("2023-01-19T06:00:00Z")]),
            ("c".to_string(), vec![]),
        ]
    );
    // Inside the retained days: everything from the cutoff on is there.
    let input = db.input_at("2023-01-12T07:00:00Z").await;
    let a = input.stores.iter().find(|s| s.store_id == "a").unwrap();
    let mut a_ts: Vec<i64> = a.polls.iter().map(|p| p.ts).collect();
    a_ts.sort();
    assert_eq!(
        a_ts,
        [ts("2023-01-12T06:00:00Z"), ts("2023-01-12T07:00:00Z")]
    );
    // A second pass finds nothing more.
    let step = db
        .retention_step(cutoff, RetentionCursor::OldDays, 100)
        .await
        .unwrap();
    assert_eq!(step.deleted, 0);
    let step = db.retention_step(cutoff, step.next, 100).await.unwrap();
    assert_eq!((step.deleted, step.next), (0, RetentionCursor::Done));
}

/// Polls of 3 stores over 10 days, some a microsecond either side of
/// midnight, as (store id, time, active): what each backend's migration test
/// writes in the layout of a row per poll, before issue 11.
pub fn polls_for_a_migration() -> Vec<(String, i64, bool)> {
    let day = 86_400_000_000i64;
    let mut polls = Vec::new();
    for s in 0..3i64 {
        for i in 0..240i64 {
            let ts = 19_370 * day + i * 3_600_000_000 + s * 7 + (i % 3) - 1 + day / 24;
            polls.push((format!("store-{s}"), ts, (i + s) % 4 != 0));
        }
        polls.push((format!("store-{s}"), 19_380 * day - 1, true));
        polls.push((format!("store-{s}"), 19_380 * day, false));
    }
    polls
}

/// After the migration, `db` holds exactly [`polls_for_a_migration`]: as
/// many polls, and every one in the report reads of two weeks that cover them.
pub async fn migrated_polls_are_all_there<D: Database>(db: &D) {
    let mut want = polls_for_a_migration();
    let counts = db.counts().await.unwrap();
    assert_eq!((counts.stores, counts.polls), (3, want.len() as u64));
    want.sort();
    let day = 86_400_000_000i64;
    for as_of in [19_381 * day, 19_374 * day + 5] {
        let input = db.report_input(Some(as_of), Stores::All).await.unwrap();
        let mut got: Vec<(String, i64, bool)> = Vec::new();
        for store in &input.stores {
            for p in &store.polls {
                got.push((store.store_id.clone(), p.ts, p.status.is_active()));
            }
        }
        got.sort();
        let week: Vec<_> = want
            .iter()
            .filter(|w| (as_of - 7 * day..=as_of).contains(&w.1))
            .cloned()
            .collect();
        assert!(week.len() > 100);
        assert_eq!(got, week);
    }
}

// --- API keys, report owners, retention, provenance -------------------------

fn new_key(id: &str, name: &str, role: crate::Role, scope: Option<&[&str]>) -> crate::NewKey {
    crate::NewKey {
        id: id.into(),
        name: name.into(),
        role,
        scope: scope.map(|s| crate::Scope::new(s).unwrap()),
        secret_sha256: format!("{:0>64}", id),
        created_at: 5 * SECOND,
    }
}

/// Keys are stored with their role and scope; a live name is unique; revoking
/// is by name, keeps the row, and frees the name.
pub async fn api_keys_are_created_listed_and_revoked<D: Database>(db: &D) {
    use crate::{Revoked, Role};
    assert!(!db.any_keys().await.unwrap());
    assert!(
        db.create_key(&new_key("k1", "ops", Role::Admin, None))
            .await
            .unwrap()
    );
    assert!(db.any_keys().await.unwrap());
    assert!(
        !db.create_key(&new_key("k2", "ops", Role::Viewer, None))
            .await
            .unwrap(),
        "a live key already has that name"
    );
    let owner = new_key("k3", "owner", Role::Viewer, Some(&["s2", "s1"]));
    assert!(db.create_key(&owner).await.unwrap());
    let got = db.key("k3").await.unwrap().unwrap();
    assert_eq!(
        (
            got.key.name.as_str(),
            got.key.role,
            got.key.scope,
            got.key.secret_sha256,
            got.last_used_at
        ),
        (
            "owner",
            Role::Viewer,
            owner.scope.clone(),
            owner.secret_sha256.clone(),
            None
        )
    );
    db.touch_key("k3", 60 * SECOND).await.unwrap();
    db.touch_key("k3", 30 * SECOND).await.unwrap();
    assert_eq!(
        db.key("k3").await.unwrap().unwrap().last_used_at,
        Some(60 * SECOND)
    );
    assert_eq!(db.key("nope").await.unwrap(), None);

    assert_eq!(
        db.revoke_key("ops", 70 * SECOND).await.unwrap(),
        Revoked::Now
    );
    assert_eq!(
        db.revoke_key("ops", 71 * SECOND).await.unwrap(),
        Revoked::NoSuchKey
    );
    assert_eq!(
        db.revoke_key("ghost", 71 * SECOND).await.unwrap(),
        Revoked::NoSuchKey
    );
    assert_eq!(
        db.key("k1").await.unwrap().unwrap().revoked_at,
        Some(70 * SECOND)
    );
    assert!(
        db.create_key(&new_key("k4", "ops", Role::Admin, None))
            .await
            .unwrap()
    );
    let names: Vec<(String, bool)> = db
        .keys()
        .await
        .unwrap()
        .into_iter()
        .map(|k| (k.key.name, k.revoked_at.is_some()))
        .collect();
    assert_eq!(names.len(), 3);
    assert!(names.contains(&("ops".into(), true)) && names.contains(&("ops".into(), false)));
}

/// A key queues at most its cap of unfinished reports; others are not
/// affected; a finished report frees a place.
pub async fn the_queue_is_capped_per_key<D: Database>(db: &D) {
    use crate::{NewReport, ReportOutcome, ReportOwner};
    let by = |key: Option<&str>| NewReport {
        owner: ReportOwner {
            key_id: key.map(str::to_string),
            scope: None,
        },
        ..Default::default()
    };
    assert!(
        db.create_report(&rid("a1"), &by(Some("ka")), 2, SECOND)
            .await
            .unwrap()
    );
    assert!(
        db.create_report(&rid("a2"), &by(Some("ka")), 2, SECOND)
            .await
            .unwrap()
    );
    assert!(
        !db.create_report(&rid("a3"), &by(Some("ka")), 2, SECOND)
            .await
            .unwrap()
    );
    assert_eq!(
        db.report(&rid("a3"), Include::StatusOnly).await.unwrap(),
        None
    );
    assert!(
        db.create_report(&rid("b1"), &by(Some("kb")), 2, SECOND)
            .await
            .unwrap()
    );
    assert!(
        db.create_report(&rid("n1"), &by(None), 1, SECOND)
            .await
            .unwrap()
    );
    assert!(
        !db.create_report(&rid("n2"), &by(None), 1, SECOND)
            .await
            .unwrap()
    );
    // Finishing one of ka's frees a place.
    let l = lease("w", 100 * SECOND);
    let claimed = db.claim_report(&l, 2 * SECOND, 3).await.unwrap().unwrap();
    assert!(
        db.finish_report(
            &claimed.id,
            &l,
            ReportOutcome::Failed { error: "x".into() },
            3 * SECOND
        )
        .await
        .unwrap()
    );
    let freed = db
        .report(&claimed.id, Include::StatusOnly)
        .await
        .unwrap()
        .unwrap();
    if freed.key_id.as_deref() == Some("ka") {
        assert!(
            db.create_report(&rid("a4"), &by(Some("ka")), 2, SECOND)
                .await
                .unwrap()
        );
    }
}

/// Reports remember their scope; the listing is newest first, by scope, in
/// pages; retention deletes only finished reports older than the cutoff.
pub async fn reports_are_listed_and_expire<D: Database>(db: &D) {
    use crate::{NewReport, ReportOutcome, ReportOwner, ReportPage, ReportState};
    let scope = crate::Scope::new(["s1", "s2"]).unwrap();
    let request = |scoped: bool| NewReport {
        owner: ReportOwner {
            key_id: Some("k".into()),
            scope: scoped.then(|| scope.clone()),
        },
        ..Default::default()
    };
    for (i, scoped) in [false, true, false, true, true].into_iter().enumerate() {
        let id = rid(&format!("r{i}"));
        assert!(
            db.create_report(&id, &request(scoped), 100, (i as i64 + 1) * SECOND)
                .await
                .unwrap()
        );
    }
    let claimed = db
        .claim_report(&lease("w", 50 * SECOND), 6 * SECOND, 3)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, rid("r0"));
    assert_eq!(claimed.scope, None);
    let claimed = db
        .claim_report(&lease("w", 50 * SECOND), 6 * SECOND, 3)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, rid("r1"));
    assert_eq!(claimed.scope.as_ref(), Some(&scope));

    let page = |scope_id: Option<String>, before: Option<(i64, String)>, limit| ReportPage {
        scope_id,
        before,
        limit,
    };
    let ids = |records: Vec<crate::ReportRecord>| -> Vec<ReportId> {
        records.into_iter().map(|r| r.id).collect()
    };
    let all = db.reports(&page(None, None, 10)).await.unwrap();
    assert!(all.iter().all(|r| r.csv.is_none()));
    assert_eq!(ids(all), ["r4", "r3", "r2", "r1", "r0"].map(rid));
    let first = db.reports(&page(Some(scope.id()), None, 2)).await.unwrap();
    assert_eq!(
        first.iter().map(|r| r.scope_id.clone()).collect::<Vec<_>>(),
        [Some(scope.id()), Some(scope.id())]
    );
    let last = first.last().unwrap();
    let cursor = (last.created_at, last.id.to_string());
    assert_eq!(ids(first), [rid("r4"), rid("r3")]);
    let next = db
        .reports(&page(Some(scope.id()), Some(cursor), 2))
        .await
        .unwrap();
    assert_eq!(ids(next), [rid("r1")]);
    let before_time = db
        .reports(&page(None, Some((3 * SECOND, String::new())), 10))
        .await
        .unwrap();
    assert_eq!(ids(before_time), [rid("r1"), rid("r0")]);

    // r0 finishes at 10 s, r1 at 20 s; the others are still queued.
    for (id, at) in [(rid("r0"), 10), (rid("r1"), 20)] {
        assert!(
            db.finish_report(
                &id,
                &lease("w", 50 * SECOND),
                ReportOutcome::Complete {
                    as_of: None,
                    rows: 0,
                    csv: "x".into()
                },
                at * SECOND
            )
            .await
            .unwrap()
        );
    }
    assert_eq!(
        db.delete_reports_finished_before(15 * SECOND)
            .await
            .unwrap(),
        1
    );
    assert_eq!(db.report(&rid("r0"), Include::Csv).await.unwrap(), None);
    let kept = db.report(&rid("r1"), Include::Csv).await.unwrap().unwrap();
    assert_eq!(kept.state, ReportState::Complete);
    // Unfinished reports are never deleted, however old.
    assert_eq!(
        db.delete_reports_finished_before(i64::MAX).await.unwrap(),
        1
    );
    assert_eq!(db.reports(&page(None, None, 10)).await.unwrap().len(), 3);
}

/// Every applied source of an ingest is recorded with who sent it, in the
/// same transaction; the listing is newest first and pages by id.
pub async fn ingests_are_recorded_with_their_provenance<D: Database>(db: &D) {
    use crate::{Provenance, SourceContent};
    let provenance = |by: crate::Actor, kinds: &[SourceKind]| Provenance {
        at: 7 * SECOND,
        by,
        key_id: Some("k9".into()),
        sources: kinds
            .iter()
            .map(|&kind| SourceContent {
                kind,
                label: "request body".into(),
                sha256: format!("{}-sha", kind.name()),
            })
            .collect(),
    };
    db.ingest(IngestBatch {
        polls: Some(polls(&[
            ("a", "2023-01-23T10:00:00Z", Status::Active),
            ("a", "2023-01-23T11:00:00Z", Status::Active),
        ])),
        timezones: Some(vec![("a".into(), "Asia/Tokyo".into())]),
        provenance: Some(provenance(
            crate::Actor::Key("poller".into()),
            &[SourceKind::Polls, SourceKind::Timezones],
        )),
        ..Default::default()
    })
    .await
    .unwrap();
    db.ingest(IngestBatch {
        timezones: Some(vec![]),
        provenance: Some(provenance(
            crate::Actor::CommandLine,
            &[SourceKind::Timezones],
        )),
        ..Default::default()
    })
    .await
    .unwrap();
    let all = db.ingests(10, None).await.unwrap();
    let seen: Vec<(&str, SourceKind, u64)> = all
        .iter()
        .map(|r| (r.by.as_str(), r.source, r.rows))
        .collect();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0], ("command line", SourceKind::Timezones, 0));
    assert!(seen[1..].contains(&("key poller", SourceKind::Polls, 2)));
    assert!(seen[1..].contains(&("key poller", SourceKind::Timezones, 1)));
    assert!(all.windows(2).all(|w| w[0].id > w[1].id));
    let polls_row = all.iter().find(|r| r.source == SourceKind::Polls).unwrap();
    assert_eq!(
        (
            polls_row.at,
            polls_row.key_id.as_deref(),
            polls_row.sha256.as_str(),
            polls_row.label.as_str()
        ),
        (7 * SECOND, Some("k9"), "polls-sha", "request body")
    );
    let older = db.ingests(10, Some(all[0].id)).await.unwrap();
    assert_eq!(older.len(), 2);
    assert_eq!(db.ingests(1, None).await.unwrap().len(), 1);
}

// --- Report jobs -------------------------------------------------------------

const SECOND: i64 = 1_000_000;

/// A well-formed report id standing for a short test name.
fn rid(name: &str) -> ReportId {
    let hex: String = storewatch_core::hex::encode(name.as_bytes());
    ReportId::parse(&format!("{hex:0>32}")).unwrap()
}

fn lease(worker: &str, until: i64) -> Lease {
    Lease {
        worker: worker.to_string(),
        until,
    }
}

/// A job goes queued → running → complete, and its CSV is kept.
pub async fn a_report_job_runs_to_completion<D: Database>(db: &D) {
    use crate::{ReportOutcome, ReportState};
    assert_eq!(
        db.report(&rid("r1"), Include::StatusOnly).await.unwrap(),
        None
    );
    db.queue(
        &rid("r1"),
        Some(ts("2023-01-23T18:00:00Z")),
        Columns::Extended,
        100 * SECOND,
    )
    .await
    .unwrap();
    let queued = db.report(&rid("r1"), Include::Csv).await.unwrap().unwrap();
    assert_eq!(
        (queued.state, queued.attempts, queued.created_at),
        (ReportState::Queued, 0, 100 * SECOND)
    );
    assert_eq!(queued.requested_as_of, Some(ts("2023-01-23T18:00:00Z")));
    assert_eq!(queued.columns, Columns::Extended);

    let claimed = db
        .claim_report(&lease("w1", 131 * SECOND), 101 * SECOND, 3)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((claimed.id, claimed.attempts), (rid("r1"), 1));
    assert_eq!(claimed.requested_as_of, Some(ts("2023-01-23T18:00:00Z")));
    assert_eq!(
        db.claim_report(&lease("w2", 132 * SECOND), 102 * SECOND, 3)
            .await
            .unwrap(),
        None,
        "leased to w1"
    );
    let running = db.report(&rid("r1"), Include::Csv).await.unwrap().unwrap();
    assert_eq!(
        (running.state, running.started_at),
        (ReportState::Running, Some(101 * SECOND))
    );

    assert!(
        db.renew_report_lease(&rid("r1"), &lease("w1", 160 * SECOND))
            .await
            .unwrap()
    );
    let outcome = ReportOutcome::Complete {
        as_of: Some(ts("2023-01-23T18:00:00Z")),
        rows: 2,
        csv: "a,b\n".into(),
    };
    assert!(
        db.finish_report(&rid("r1"), &lease("w1", 0), outcome, 150 * SECOND)
            .await
            .unwrap()
    );
    let done = db.report(&rid("r1"), Include::Csv).await.unwrap().unwrap();
    assert_eq!((done.state, done.parts), (ReportState::Complete, None));
    assert_eq!(
        (done.rows, done.csv.as_deref(), done.finished_at),
        (Some(2), Some("a,b\n"), Some(150 * SECOND))
    );
    assert_eq!(
        db.report(&rid("r1"), Include::StatusOnly)
            .await
            .unwrap()
            .unwrap()
            .csv,
        None,
        "the CSV only when asked for"
    );
    assert_eq!(
        db.claim_report(&lease("w2", 1030 * SECOND), 1000 * SECOND, 3)
            .await
            .unwrap(),
        None,
        "nothing left"
    );
}

/// Jobs are taken oldest first.
pub async fn report_jobs_are_claimed_oldest_first<D: Database>(db: &D) {
    db.queue(&rid("b"), None, Columns::Standard, 2 * SECOND)
        .await
        .unwrap();
    db.queue(&rid("a"), None, Columns::Standard, 3 * SECOND)
        .await
        .unwrap();
    db.queue(&rid("c"), None, Columns::Standard, SECOND)
        .await
        .unwrap();
    let mut order = Vec::new();
    while let Some(c) = db
        .claim_report(&lease("w", 40 * SECOND), 10 * SECOND, 3)
        .await
        .unwrap()
    {
        order.push(c.id);
    }
    assert_eq!(order, [rid("c"), rid("b"), rid("a")]);
}

/// Any number of attempts is taken as given: one past `i32::MAX` must not
/// wrap around (to -1, which failed every abandoned job at once).
pub async fn attempts_beyond_i32_do_not_wrap<D: Database>(db: &D) {
    db.queue(&rid("r"), None, Columns::Standard, 0)
        .await
        .unwrap();
    db.claim_report(&lease("dead", 31 * SECOND), SECOND, u32::MAX)
        .await
        .unwrap()
        .unwrap();
    let again = db
        .claim_report(&lease("w2", 62 * SECOND), 32 * SECOND, u32::MAX)
        .await
        .unwrap()
        .expect("the abandoned job is taken over, not failed");
    assert_eq!((again.id, again.attempts), (rid("r"), 2));
}

/// A job whose worker died (its lease ran out) is taken over; the dead
/// worker can no longer renew or finish it; after too many attempts it fails.
pub async fn an_abandoned_report_is_retried_then_failed<D: Database>(db: &D) {
    use crate::{ReportOutcome, ReportState};
    db.queue(&rid("r"), None, Columns::Standard, 0)
        .await
        .unwrap();
    db.claim_report(&lease("dead", 31 * SECOND), SECOND, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        db.claim_report(&lease("w2", 60 * SECOND), 30 * SECOND, 2)
            .await
            .unwrap(),
        None,
        "lease still valid"
    );

    let again = db
        .claim_report(&lease("w2", 62 * SECOND), 32 * SECOND, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.id, again.attempts), (rid("r"), 2));
    assert!(
        !db.renew_report_lease(&rid("r"), &lease("dead", 100 * SECOND))
            .await
            .unwrap()
    );
    let late = ReportOutcome::Complete {
        as_of: None,
        rows: 0,
        csv: String::new(),
    };
    assert!(
        !db.finish_report(&rid("r"), &lease("dead", 0), late, 40 * SECOND)
            .await
            .unwrap()
    );
    assert_eq!(
        db.report(&rid("r"), Include::StatusOnly)
            .await
            .unwrap()
            .unwrap()
            .state,
        ReportState::Running
    );

    // w2 dies too: two attempts were allowed, so the job fails.
    assert_eq!(
        db.claim_report(&lease("w3", 93 * SECOND), 63 * SECOND, 2)
            .await
            .unwrap(),
        None
    );
    let failed = db
        .report(&rid("r"), Include::StatusOnly)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.state, ReportState::Failed);
    assert!(
        failed.error.as_deref().unwrap().contains("2 attempts"),
        "{:?}",
        failed.error
    );
    assert_eq!(failed.finished_at, Some(63 * SECOND));
}

/// A failed outcome is stored with its error.
pub async fn a_failed_report_keeps_its_error<D: Database>(db: &D) {
    use crate::{ReportOutcome, ReportState};
    db.queue(&rid("f"), None, Columns::Standard, 0)
        .await
        .unwrap();
    db.claim_report(&lease("w", 31 * SECOND), SECOND, 3)
        .await
        .unwrap()
        .unwrap();
    let outcome = ReportOutcome::Failed {
        error: "store s1: \"Mars/Olympus\" is not a known IANA time zone".into(),
    };
    assert!(
        db.finish_report(&rid("f"), &lease("w", 0), outcome, 2 * SECOND)
            .await
            .unwrap()
    );
    let r = db.report(&rid("f"), Include::Csv).await.unwrap().unwrap();
    assert_eq!(r.state, ReportState::Failed);
    assert_eq!(
        r.error.as_deref(),
        Some("store s1: \"Mars/Olympus\" is not a known IANA time zone")
    );
    assert_eq!(r.csv, None);
}

/// Fingerprints are stored with the batch and replaced by later ones.
pub async fn source_fingerprints_are_kept_per_kind<D: Database>(db: &D) {
    use crate::SourceFingerprint;
    assert_eq!(
        db.source_fingerprint(SourceKind::Polls).await.unwrap(),
        None
    );
    let fp = |sha: &str, at: i64| SourceFingerprint {
        kind: SourceKind::Polls,
        path: "/data/store_status.csv".into(),
        sha256: sha.into(),
        ingested_at: at,
    };
    let batch = IngestBatch {
        fingerprints: vec![fp("aa", 1)],
        ..Default::default()
    };
    db.ingest(batch).await.unwrap();
    assert_eq!(
        db.source_fingerprint(SourceKind::Polls).await.unwrap(),
        Some(fp("aa", 1))
    );
    db.ingest(IngestBatch {
        fingerprints: vec![fp("bb", 2)],
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(
        db.source_fingerprint(SourceKind::Polls).await.unwrap(),
        Some(fp("bb", 2))
    );
    assert_eq!(
        db.source_fingerprint(SourceKind::Timezones).await.unwrap(),
        None
    );
    db.health(SECOND).await.unwrap();
}

pub async fn stores_are_found_by_part_of_their_id<D: Database>(db: &D) {
    db.add_polls(&[
        ("Alpha-1", "2023-01-23T10:00:00Z", Status::Active),
        ("beta%_2", "2023-01-23T10:00:00Z", Status::Active),
        ("alphabet", "2023-01-23T11:00:00Z", Status::Inactive),
        ("Zulu", "2023-01-23T11:00:00Z", Status::Inactive),
    ])
    .await;
    assert_eq!(
        db.find_stores("alpha", 10).await.unwrap(),
        vec!["Alpha-1".to_string(), "alphabet".to_string()],
        "any case, in byte order"
    );
    assert_eq!(db.find_stores("alpha", 1).await.unwrap(), vec!["Alpha-1"]);
    // `%` and `_` are characters, not patterns.
    assert_eq!(db.find_stores("%_", 10).await.unwrap(), vec!["beta%_2"]);
    assert_eq!(db.find_stores("_", 10).await.unwrap(), vec!["beta%_2"]);
    assert_eq!(db.find_stores("", 10).await.unwrap().len(), 4);
    assert!(db.find_stores("nothing", 10).await.unwrap().is_empty());
}

/// Declares one `#[tokio::test]` per conformance check, each on a fresh
/// database from `$fresh` (an async block yielding `Option<(guard, db)>`;
/// `None` skips, e.g. when no server is reachable). Backends invoke this
/// once, so a new check runs on every backend without anyone listing it.
#[macro_export]
macro_rules! conformance_suite {
    ($fresh:expr) => {
        $crate::conformance_suite!(@tests $fresh;
            polls_are_an_idempotent_log,
            concurrent_ingests_count_their_own_writes,
            many_stores_get_their_own_keys,
            the_last_row_of_a_key_wins,
            hours_and_zones_are_snapshots,
            report_input_covers_the_week,
            report_batches_hold_what_the_whole_read_holds,
            an_empty_database_has_no_report_time,
            a_batch_is_applied_whole,
            special_hours_are_a_snapshot,
            a_report_job_runs_to_completion,
            report_jobs_are_claimed_oldest_first,
            an_abandoned_report_is_retried_then_failed,
            attempts_beyond_i32_do_not_wrap,
            a_failed_report_keeps_its_error,
            source_fingerprints_are_kept_per_kind,
            a_scoped_read_sees_only_its_stores,
            polls_are_deleted_by_store_and_time,
            many_polls_over_many_days_come_back_whole,
            retention_deletes_exactly_the_old_polls,
            api_keys_are_created_listed_and_revoked,
            the_queue_is_capped_per_key,
            reports_are_listed_and_expire,
            ingests_are_recorded_with_their_provenance,
            stores_are_found_by_part_of_their_id,
            a_range_read_sees_only_its_stores,
            a_split_report_is_assembled_from_its_shards,
            a_failed_or_abandoned_shard_fails_its_report,
            alert_subscriptions_are_stored_listed_and_removed,
            alert_evaluations_record_their_version_and_see_what_was_alerted,
            alert_events_go_out_in_order_per_store_within_limits,
        );
    };
    (@tests $fresh:expr; $($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let Some((_guard, db)) = $fresh.await else { return };
            $crate::conformance::$name(&db).await;
        }
    )*};
}
