//! Deleting polls: an operator's repair for polls that should never have
//! been stored (a poller's bad clock, a test store), by store, by time
//! range, or both, recorded in the ingest log like an ingest; and retention
//! (`--retain-polls`), which deletes old history in small steps.

use std::time::Duration;

use storewatch_core::domain::{Micros, StoreId};
use storewatch_db::{Database, DbError, PollDeletion, RetentionCursor};

use super::ingest::Origin;

/// A deletion as asked for, checked before anything is deleted.
pub fn deletion(
    store_id: Option<&str>,
    from: Option<Micros>,
    to: Option<Micros>,
    origin: Origin,
    now: Micros,
) -> Result<PollDeletion, String> {
    let store_id = store_id
        .map(|id| id.trim().parse::<StoreId>())
        .transpose()
        .map_err(|e| format!("store id: {e}"))?;
    if store_id.is_none() && from.is_none() && to.is_none() {
        return Err(
            "name a store, a time range, or both: deleting every poll is not something to do by omission"
                .into(),
        );
    }
    if let (Some(f), Some(t)) = (from, to)
        && f >= t
    {
        return Err("the range is empty: `from` must be before `to` (from ≤ t < to)".into());
    }
    Ok(PollDeletion {
        store_id,
        from,
        to,
        at: now,
        by: origin.by,
        key_id: origin.key_id,
    })
}

/// Deletes, logs, and returns how many polls went.
pub async fn delete_polls<D: Database>(db: &D, deletion: &PollDeletion) -> Result<u64, DbError> {
    let deleted = db.delete_polls(deletion).await?;
    tracing::info!(deleted, what = %deletion.describe(), by = %deletion.by, "polls deleted");
    Ok(deleted)
}

/// Stored days one retention step deletes or trims: a step is a short
/// transaction of its own (a few milliseconds), so an ingest or a report
/// never waits long for it.
pub const RETENTION_STEP_DAYS: u32 = 500;

/// The pause between two retention steps, in which a waiting ingest takes
/// the database's write lock.
const RETENTION_PAUSE: Duration = Duration::from_millis(10);

/// Where retention cuts: polls before `retain` back from `now`, or from the
/// newest poll if that is earlier (replayed historical data is not wiped
/// because it is old, and a poll dated in the future cannot push the cut
/// forward). `None` with no poll at all.
pub fn retention_cutoff(retain: Duration, now: Micros, newest: Option<Micros>) -> Option<Micros> {
    let retain = i64::try_from(retain.as_micros()).unwrap_or(i64::MAX);
    Some(newest?.min(now).saturating_sub(retain))
}

/// Deletes the polls older than `retain` (see [`retention_cutoff`]) in steps
/// of [`RETENTION_STEP_DAYS`] days; stores stay known, so a report whose
/// week is inside the retained history is the same as before. Returns how
/// many polls went.
pub async fn retain_polls<D: Database>(
    db: &D,
    retain: Duration,
    now: Micros,
) -> Result<u64, DbError> {
    let Some(cutoff) = retention_cutoff(retain, now, db.newest_poll().await?) else {
        return Ok(0);
    };
    let (mut at, mut deleted) = (RetentionCursor::OldDays, 0);
    while at != RetentionCursor::Done {
        let step = db.retention_step(cutoff, at, RETENTION_STEP_DAYS).await?;
        deleted += step.deleted;
        at = step.next;
        tokio::time::sleep(RETENTION_PAUSE).await;
    }
    if deleted > 0 {
        tracing::info!(
            deleted,
            before = %storewatch_core::domain::format_timestamp(cutoff),
            "deleted polls older than --retain-polls"
        );
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deletion_names_what_it_deletes() {
        let o = || Origin::keyless(storewatch_db::Actor::CommandLine);
        assert!(deletion(None, None, None, o(), 0).is_err());
        assert!(deletion(None, Some(5), Some(5), o(), 0).is_err());
        assert!(deletion(Some("=x"), None, None, o(), 0).is_err());
        let d = deletion(Some(" 42 "), None, Some(7), o(), 3).unwrap();
        assert_eq!(
            (d.store_id.as_deref(), d.from, d.to, d.at),
            (Some("42"), None, Some(7), 3)
        );
    }

    #[test]
    fn retention_counts_back_from_now_or_the_newest_poll_if_earlier() {
        let day = Duration::from_secs(86_400);
        let d = 86_400_000_000;
        assert_eq!(retention_cutoff(day, 10 * d, None), None);
        // Live data: from now.
        assert_eq!(
            retention_cutoff(day, 10 * d, Some(10 * d - 5)),
            Some(9 * d - 5)
        );
        // Old data replayed: from its newest poll.
        assert_eq!(retention_cutoff(day, 10 * d, Some(3 * d)), Some(2 * d));
        // A poll dated in the future does not move the cut.
        assert_eq!(retention_cutoff(day, 10 * d, Some(99 * d)), Some(9 * d));
    }
}
