//! A report read in batches: the same stores, with the same data, as the
//! whole read, however the backend cuts them.

use storewatch_core::domain::{
    HoursRow, SpecialHoursRow, Status, TimeOfDay, Weekday, parse_local_date,
};
use storewatch_core::report::{ReportInput, StoreInput};

use super::{Shorthand, polls, ts};
use crate::{Database, IngestBatch, Scope, StoreRange, Stores, batch_channel};

/// More stores than a batch holds (SQLite cuts at 1,024), so a read hands
/// over several; every 7th store has its only poll before the week.
const STORES: usize = 2_600;

fn id(i: usize) -> String {
    format!("s{i:05}")
}

/// The stores of `report_batches`, all batches at `as_of`, and how many
/// batches there were.
async fn batched<D: Database>(
    db: &D,
    as_of: Option<i64>,
    stores: Stores<'_>,
) -> (Vec<StoreInput>, Option<i64>, usize) {
    // Taken only after the read: room for every batch of these few stores.
    let (sink, batches) = batch_channel(64);
    db.report_batches(
        as_of,
        storewatch_core::report::PeriodSpec::WEEK,
        stores,
        crate::ReadMemory::Mapped,
        sink,
    )
    .await
    .unwrap();
    let batches: Vec<_> = batches.into_iter().collect();
    let times: Vec<i64> = batches.iter().map(|b| b.as_of).collect();
    assert!(
        times.windows(2).all(|w| w[0] == w[1]),
        "batches at different report times: {times:?}"
    );
    let count = batches.len();
    let stores = batches.into_iter().flat_map(|b| b.stores).collect();
    (stores, times.first().copied(), count)
}

/// Sorted by id, each store's polls by time: the order of neither is part
/// of the contract.
fn normal(mut stores: Vec<StoreInput>) -> Vec<StoreInput> {
    for s in &mut stores {
        s.polls.sort_by_key(|p| p.ts);
    }
    stores.sort_by(|a, b| a.store_id.cmp(&b.store_id));
    stores
}

async fn same_as_whole<D: Database>(db: &D, as_of: Option<i64>, stores: Stores<'_>) {
    let whole: ReportInput = db.report_input(as_of, stores).await.unwrap();
    let (got, batch_as_of, count) = batched(db, as_of, stores).await;
    assert_eq!(batch_as_of, whole.as_of);
    assert!(count >= 1, "no batch although there is a report time");
    assert_eq!(got.len(), whole.stores.len());
    assert!(
        normal(got) == normal(whole.stores),
        "the batches differ from the whole read"
    );
}

/// Every store ingested, each with what was ingested for it: its polls of
/// the week, its zone, hours and special hours (a store lost or split at
/// a batch boundary fails here, even if the whole read lost it too).
fn check_against_ingested(stores: Vec<StoreInput>, as_of: i64) {
    const WEEK: i64 = 7 * 86_400_000_000;
    let stores = normal(stores);
    assert_eq!(stores.len(), STORES, "a store is missing from the batches");
    for (i, s) in stores.iter().enumerate() {
        assert_eq!(s.store_id, id(i));
        let week: Vec<(i64, Status)> = s
            .polls
            .iter()
            .filter(|p| p.ts >= as_of - WEEK && p.ts <= as_of)
            .map(|p| (p.ts, p.status))
            .collect();
        let want = if i % 7 == 0 {
            Vec::new()
        } else {
            vec![
                (ts("2023-01-20T11:00:00Z"), Status::Inactive),
                (ts("2023-01-23T10:00:00Z"), Status::Active),
            ]
        };
        assert_eq!(week, want, "the week's polls of {}", s.store_id);
        assert_eq!(s.timezone.is_some(), i % 2 == 0, "zone of {}", s.store_id);
        assert_eq!(
            s.hours.len(),
            usize::from(i % 3 == 0),
            "hours of {}",
            s.store_id
        );
        assert_eq!(
            s.special.len(),
            usize::from(i % 5 == 0),
            "special of {}",
            s.store_id
        );
    }
}

pub async fn report_batches_hold_what_the_whole_read_holds<D: Database>(db: &D) {
    // No polls, no report time: no batch.
    let (stores, as_of, count) = batched(db, None, Stores::All).await;
    assert_eq!((stores.len(), as_of, count), (0, None, 0));

    let ids: Vec<String> = (0..STORES).map(id).collect();
    let mut rows = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        if i % 7 == 0 {
            rows.push((id.as_str(), "2023-01-10T10:00:00Z", Status::Active));
            continue;
        }
        rows.push((id.as_str(), "2023-01-23T10:00:00Z", Status::Active));
        rows.push((id.as_str(), "2023-01-20T11:00:00Z", Status::Inactive));
        rows.push((id.as_str(), "2023-01-15T11:00:00Z", Status::Inactive));
    }
    db.ingest_polls(polls(&rows)).await.unwrap();
    let t = |s: &str| TimeOfDay::parse(s).unwrap();
    let date = parse_local_date("2023-01-21").unwrap();
    db.ingest(IngestBatch {
        business_hours: Some(
            ids.iter()
                .step_by(3)
                .map(|id| {
                    let row = HoursRow {
                        day: Weekday::new(1).unwrap(),
                        start: t("09:00"),
                        end: t("17:00"),
                    };
                    (id.as_str().into(), row)
                })
                .collect(),
        ),
        timezones: Some(
            ids.iter()
                .step_by(2)
                .map(|id| (id.clone(), "America/Chicago".to_string()))
                .collect(),
        ),
        special_hours: Some(
            ids.iter()
                .step_by(5)
                .map(|id| (id.clone(), SpecialHoursRow::closed(date)))
                .collect(),
        ),
        ..Default::default()
    })
    .await
    .unwrap();

    let (all, as_of, _) = batched(db, None, Stores::All).await;
    check_against_ingested(all, as_of.unwrap());
    same_as_whole(db, None, Stores::All).await;
    same_as_whole(db, Some(ts("2023-01-21T00:00:00Z")), Stores::All).await;
    let scope = Scope::new([id(0), id(1), id(2), id(15), "not-a-store".into()]).unwrap();
    same_as_whole(db, None, Stores::Scope(&scope)).await;
    let range = StoreRange {
        from: Some(id(700)),
        to: Some(id(2_100)),
    };
    same_as_whole(db, None, Stores::Range(&range)).await;
    // No store of the selection exists: one empty batch, at the time asked.
    let nobody = Scope::new(["not-a-store"]).unwrap();
    let at = ts("2023-01-22T00:00:00Z");
    let (stores, as_of, count) = batched(db, Some(at), Stores::Scope(&nobody)).await;
    assert_eq!((stores.len(), as_of), (0, Some(at)));
    assert!(count >= 1);
}
