//! Split reports: a range of stores is read alone, and a report's shards are
//! claimed, leased and assembled like reports.

use storewatch_core::domain::parse_local_date;
use storewatch_core::domain::{SpecialHoursRow, Status};
use storewatch_core::report::Columns;

use super::{SECOND, Shorthand, lease, monday_nine_to_five, polls, rid, ts};
use crate::shards::{ABANDONED_SHARD, bounds_every};
use crate::{
    Database, Include, IngestBatch, ReportState, Scope, ShardFinish, ShardId, ShardOutcome,
    StoreRange, Stores,
};

/// Store ids that sort differently by bytes than by letters ("B" < "a"),
/// with a quote and a non-ASCII letter.
const IDS: [&str; 7] = ["B", "a", "a\"q", "b", "z", "\u{e9}t\u{e9}", "A"];

/// Store bounds are every `per`-th id in byte order; a range's read holds
/// exactly its stores, each as the whole read has it.
pub async fn a_range_read_sees_only_its_stores<D: Database>(db: &D) {
    let rows: Vec<(&str, &str, Status)> = IDS
        .iter()
        .flat_map(|id| {
            [
                (*id, "2023-01-23T10:00:00Z", Status::Active),
                (*id, "2023-01-20T11:00:00Z", Status::Inactive),
            ]
        })
        .collect();
    db.ingest_polls(polls(&rows)).await.unwrap();
    let hours = monday_nine_to_five;
    db.ingest(IngestBatch {
        business_hours: Some(IDS.iter().map(|id| hours(id)).collect()),
        timezones: Some(
            IDS.iter()
                .map(|id| (id.to_string(), "Europe/Paris".to_string()))
                .collect(),
        ),
        special_hours: Some(
            IDS.iter()
                .map(|id| {
                    let date = parse_local_date("2023-01-21").unwrap();
                    (id.to_string(), SpecialHoursRow::closed(date))
                })
                .collect(),
        ),
        ..Default::default()
    })
    .await
    .unwrap();

    let mut sorted: Vec<String> = IDS.iter().map(|s| s.to_string()).collect();
    sorted.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    let as_of = Some(ts("2023-01-23T12:00:00Z"));
    let mut full = db.report_input(as_of, Stores::All).await.unwrap().stores;
    for s in &mut full {
        s.polls.sort_by_key(|p| p.ts);
    }
    for per in 1..=8u32 {
        let bounds = db.store_bounds(per).await.unwrap();
        assert_eq!(bounds, bounds_every(&sorted, per as usize), "per {per}");
        let mut seen = Vec::new();
        for range in StoreRange::cut_at(bounds) {
            let input = db.report_input(as_of, Stores::Range(&range)).await.unwrap();
            assert_eq!(input.as_of, as_of);
            for mut store in input.stores {
                assert!(range.contains(&store.store_id), "{range:?}: {store:?}");
                store.polls.sort_by_key(|p| p.ts);
                let whole = full.iter().find(|s| s.store_id == store.store_id).unwrap();
                assert_eq!(&store, whole, "per {per}");
                assert_eq!(store.polls.len(), 2);
                assert_eq!(store.hours.len(), 1);
                assert_eq!(store.special.len(), 1);
                assert!(store.timezone.is_some());
                seen.push(store.store_id);
            }
        }
        seen.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        assert_eq!(seen, sorted, "every store in exactly one range, per {per}");
    }
    let only_b = StoreRange {
        from: Some("B".into()),
        to: Some("a".into()),
    };
    let input = db
        .report_input(as_of, Stores::Range(&only_b))
        .await
        .unwrap();
    let ids: Vec<&str> = input.stores.iter().map(|s| s.store_id.as_str()).collect();
    assert_eq!(ids, ["B"], "bytes, not letters: A < B < a");
}

fn ranges(bounds: &[&str]) -> Vec<StoreRange> {
    StoreRange::cut_at(bounds.iter().map(|s| s.to_string()).collect())
}

fn shard(report: &str, index: u32) -> ShardId {
    ShardId {
        report: rid(report),
        index,
    }
}

fn part(rows: u64, csv: &str) -> ShardOutcome {
    ShardOutcome::Complete {
        rows,
        csv: csv.into(),
    }
}

/// A split report: shards are claimed oldest report first and in range
/// order, each once; the report stays running until the last is done, then
/// holds the parts joined in range order, whatever order they finished in.
pub async fn a_split_report_is_assembled_from_its_shards<D: Database>(db: &D) {
    let as_of = ts("2023-01-23T18:00:00Z");
    db.queue(&rid("old"), None, Columns::Extended, SECOND)
        .await
        .unwrap();
    db.queue(&rid("new"), Some(as_of), Columns::Standard, 2 * SECOND)
        .await
        .unwrap();
    let owner = lease("w1", 100 * SECOND);
    let old = db
        .claim_report(&owner, 10 * SECOND, 3)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old.id, rid("old"));
    assert!(
        !db.split_report(
            &old.id,
            &lease("other", 100 * SECOND),
            as_of,
            &ranges(&["m"])
        )
        .await
        .unwrap(),
        "only the lease's worker splits"
    );
    assert!(
        db.split_report(&old.id, &owner, as_of, &ranges(&["f", "p"]))
            .await
            .unwrap()
    );
    assert!(
        !db.renew_report_lease(&old.id, &owner).await.unwrap(),
        "a split report has no lease of its own"
    );
    let new = db
        .claim_report(&owner, 11 * SECOND, 3)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(new.id, rid("new"), "a split report is not claimed again");
    assert!(
        db.split_report(&new.id, &owner, as_of, &ranges(&["k"]))
            .await
            .unwrap()
    );
    assert_eq!(db.claim_report(&owner, 12 * SECOND, 3).await.unwrap(), None);

    let mut claimed = Vec::new();
    while let Some(s) = db
        .claim_shard(&lease("w2", 200 * SECOND), 20 * SECOND, 3)
        .await
        .unwrap()
    {
        claimed.push(s);
    }
    let order: Vec<(ReportIdName, u32)> = claimed
        .iter()
        .map(|s| (name_of(&s.id.report), s.id.index))
        .collect();
    assert_eq!(
        order,
        [("old", 0), ("old", 1), ("old", 2), ("new", 0), ("new", 1)],
        "oldest report first, in range order, each once"
    );
    let first = &claimed[0];
    assert_eq!(
        (first.as_of, first.attempts, first.scope.as_ref()),
        (as_of, 1, None)
    );
    assert_eq!(claimed[1].range, ranges(&["f", "p"])[1]);
    assert_eq!(claimed[3].range, ranges(&["k"])[0]);
    assert!(
        db.renew_shard_lease(&shard("old", 1), &lease("w2", 300 * SECOND))
            .await
            .unwrap()
    );
    assert!(
        !db.renew_shard_lease(&shard("old", 1), &lease("w9", 300 * SECOND))
            .await
            .unwrap()
    );

    // Finished out of order: the report completes with the last.
    let w2 = lease("w2", 0);
    for (index, csv, want) in [
        (2, "z,3\n", ShardFinish::Stored),
        (0, "head\na,1\n", ShardFinish::Stored),
    ] {
        let rows = csv.lines().filter(|l| *l != "head").count() as u64;
        assert_eq!(
            db.finish_shard(&shard("old", index), &w2, part(rows, csv), 30 * SECOND)
                .await
                .unwrap(),
            want
        );
        let r = db.report(&rid("old"), Include::Csv).await.unwrap().unwrap();
        assert_eq!((r.state, r.csv), (ReportState::Running, None));
    }
    assert_eq!(
        db.finish_shard(
            &shard("old", 1),
            &lease("w9", 0),
            part(1, "x\n"),
            31 * SECOND
        )
        .await
        .unwrap(),
        ShardFinish::Lost,
        "not w9's shard"
    );
    assert_eq!(
        db.finish_shard(&shard("old", 1), &w2, part(2, "g,2\nh,2\n"), 32 * SECOND)
            .await
            .unwrap(),
        ShardFinish::ReportComplete
    );
    let done = db.report(&rid("old"), Include::Csv).await.unwrap().unwrap();
    assert_eq!(done.state, ReportState::Complete);
    assert_eq!(done.csv.as_deref(), Some("head\na,1\ng,2\nh,2\nz,3\n"));
    assert_eq!(
        (done.rows, done.as_of, done.finished_at),
        (Some(4), Some(as_of), Some(32 * SECOND))
    );
    assert_eq!((done.columns, done.parts), (Columns::Extended, Some(3)));
    assert_eq!(
        db.finish_shard(&shard("old", 1), &w2, part(2, "again\n"), 33 * SECOND)
            .await
            .unwrap(),
        ShardFinish::Lost,
        "a finished report's shards are gone"
    );
    assert_eq!(
        db.claim_shard(&lease("w3", 900 * SECOND), 100 * SECOND, 3)
            .await
            .unwrap()
            .map(|s| (name_of(&s.id.report), s.id.index)),
        None,
        "old's shards are gone; new's are w2's until 200 s"
    );
    // A scoped report's shards carry the scope.
    let scope = Scope::new(["s1", "s2"]).unwrap();
    let request = crate::NewReport {
        requested_as_of: Some(as_of),
        columns: Columns::Standard,
        spec: storewatch_core::report::ReportSpec::Period {
            kind: storewatch_core::report::PeriodKind::Daily,
            span: storewatch_core::report::PeriodSpec::Days(3),
        },
        owner: crate::ReportOwner {
            key_id: Some("k".into()),
            scope: Some(scope.clone()),
        },
    };
    assert!(
        db.create_report(&rid("mine"), &request, 10, 40 * SECOND)
            .await
            .unwrap()
    );
    let mine = db
        .claim_report(&owner, 41 * SECOND, 3)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        mine.spec, request.spec,
        "a claim carries what the report holds"
    );
    assert_eq!(
        db.report(&mine.id, crate::Include::StatusOnly)
            .await
            .unwrap()
            .unwrap()
            .spec,
        request.spec
    );
    assert!(
        db.split_report(&mine.id, &owner, as_of, &ranges(&["s2"]))
            .await
            .unwrap()
    );
    let s = db
        .claim_shard(&lease("w4", 100 * SECOND), 42 * SECOND, 3)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (name_of(&s.id.report), s.scope, s.spec),
        ("mine", Some(scope), request.spec),
        "a scoped period report's shards carry its scope and kind"
    );
}

type ReportIdName = &'static str;

fn name_of(id: &crate::ReportId) -> ReportIdName {
    ["old", "new", "mine", "fail", "dead"]
        .into_iter()
        .find(|n| rid(n) == *id)
        .expect("a report of these tests")
}

/// A shard that fails fails its report and drops its other shards; a shard
/// whose worker died is taken over, and after too many attempts fails the
/// report.
pub async fn a_failed_or_abandoned_shard_fails_its_report<D: Database>(db: &D) {
    let as_of = ts("2023-01-23T18:00:00Z");
    for (name, at) in [("fail", 1), ("dead", 2)] {
        db.queue(&rid(name), None, Columns::Standard, at * SECOND)
            .await
            .unwrap();
        let owner = lease("w", 100 * SECOND);
        let job = db
            .claim_report(&owner, 10 * SECOND, 2)
            .await
            .unwrap()
            .unwrap();
        assert!(
            db.split_report(&job.id, &owner, as_of, &ranges(&["m"]))
                .await
                .unwrap()
        );
    }
    let a = db
        .claim_shard(&lease("w1", 100 * SECOND), 20 * SECOND, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.id, shard("fail", 0));
    assert_eq!(
        db.finish_shard(
            &a.id,
            &lease("w1", 0),
            ShardOutcome::Failed {
                error: "store s1: out of range".into()
            },
            21 * SECOND
        )
        .await
        .unwrap(),
        ShardFinish::ReportFailed
    );
    let failed = db
        .report(&rid("fail"), Include::Csv)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            failed.state,
            failed.error.as_deref(),
            failed.csv,
            failed.as_of
        ),
        (
            ReportState::Failed,
            Some("store s1: out of range"),
            None,
            None
        )
    );

    // fail's other shard is gone: next are dead's.
    let d0 = db
        .claim_shard(&lease("w1", 40 * SECOND), 22 * SECOND, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d0.id, shard("dead", 0));
    let d1 = db
        .claim_shard(&lease("w1", 40 * SECOND), 22 * SECOND, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d1.id, shard("dead", 1));
    assert_eq!(
        db.claim_shard(&lease("w2", 60 * SECOND), 39 * SECOND, 2)
            .await
            .unwrap(),
        None,
        "leased to w1 until 40 s"
    );
    // w1 dies: w2 takes both over, the oldest first.
    let again = db
        .claim_shard(&lease("w2", 70 * SECOND), 41 * SECOND, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.id.clone(), again.attempts), (shard("dead", 0), 2));
    assert_eq!(
        db.finish_shard(&again.id, &lease("w1", 0), part(1, "late\n"), 42 * SECOND)
            .await
            .unwrap(),
        ShardFinish::Lost,
        "the dead worker's result is dropped"
    );
    assert_eq!(
        db.finish_shard(&again.id, &lease("w2", 0), part(1, "h\na\n"), 43 * SECOND)
            .await
            .unwrap(),
        ShardFinish::Stored
    );
    let d1_again = db
        .claim_shard(&lease("w2", 80 * SECOND), 44 * SECOND, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((d1_again.id, d1_again.attempts), (shard("dead", 1), 2));
    // w2 dies as well: two attempts were allowed, so the report fails.
    assert_eq!(
        db.claim_shard(&lease("w3", 200 * SECOND), 81 * SECOND, 2)
            .await
            .unwrap(),
        None
    );
    let dead = db
        .report(&rid("dead"), Include::Csv)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dead.state, ReportState::Failed);
    assert_eq!(dead.error.as_deref(), Some(ABANDONED_SHARD));
    assert_eq!(dead.finished_at, Some(81 * SECOND));
    assert_eq!(
        db.claim_report(&lease("w3", 200 * SECOND), 82 * SECOND, 2)
            .await
            .unwrap(),
        None,
        "nothing left to claim"
    );
}
