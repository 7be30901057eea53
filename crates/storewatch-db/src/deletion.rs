//! Deleting polls from stored days, written once for every backend: an
//! operator's deletion ([`delete_polls`]) and retention ([`retention_step`]).
//! Each runs inside a transaction the backend opened, through its
//! [`BatchWriter`].

use storewatch_core::domain::Micros;

use crate::batch::BatchWriter;
use crate::poll_days::{self, day_of};
use crate::{DbError, PollDeletion};

/// Deletes the polls `deletion` selects: whole days as rows, the days it
/// cuts through rewritten; forgets stores left with no poll, brings the
/// newest poll time up to date and records the deletion in the ingest log.
pub async fn delete_polls<W: BatchWriter>(
    w: &mut W,
    deletion: &PollDeletion,
) -> Result<u64, DbError> {
    let (from, to) = deletion.range();
    let store = deletion.store_id.as_deref();
    let cut = poll_days::cut(from, to);
    let mut deleted = 0;
    if let Some((first, last)) = cut.whole {
        deleted += w.delete_days(store, first, last).await?;
    }
    for day in cut.partial {
        let days = w.days_on(store, day).await?;
        deleted += trim(w, day, days, from, to).await?;
    }
    w.forget_stores_without_polls(store).await?;
    let newest = poll_days::newest(&w.newest_days().await?)?;
    w.set_newest_poll(newest).await?;
    w.record_ingest(&deletion.record(deleted)).await?;
    Ok(deleted)
}

/// Removes the polls `from ≤ ts < to` from `days` (all of day `day`),
/// rewriting or deleting each; returns how many polls went.
async fn trim<W: BatchWriter>(
    w: &mut W,
    day: i64,
    days: Vec<(i64, Vec<u8>)>,
    from: Micros,
    to: Micros,
) -> Result<u64, DbError> {
    let mut removed_all = 0;
    let mut rewritten = Vec::new();
    for (key, bytes) in days {
        let (kept, removed) = poll_days::remove_range(&poll_days::decode(&bytes)?, from, to);
        if removed == 0 {
            continue;
        }
        removed_all += removed;
        if kept.is_empty() {
            w.delete_day(key, day).await?;
        } else {
            rewritten.push((key, day, poll_days::encode(&kept)));
        }
    }
    w.put_days(&rewritten).await?;
    Ok(removed_all)
}

/// Where a retention pass is: it deletes whole days older than the cutoff's
/// day first, oldest first, then trims the cutoff's own day store by store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetentionCursor {
    OldDays,
    /// The cutoff's day, stores with a key after this one.
    CutoffDay {
        after: i64,
    },
    Done,
}

/// One step of a retention pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionStep {
    pub deleted: u64,
    pub next: RetentionCursor,
}

/// Deletes up to `limit` stored days' worth of the polls older than
/// `cutoff`, from `at` on. Stores stay known (a store whose polls all went
/// still has its row in reports, with zeros, as it had before), and the
/// newest poll is never older than a cutoff, so it stays.
pub async fn retention_step<W: BatchWriter>(
    w: &mut W,
    cutoff: Micros,
    at: RetentionCursor,
    limit: u32,
) -> Result<RetentionStep, DbError> {
    let day = day_of(cutoff);
    match at {
        RetentionCursor::OldDays => {
            let (days, deleted) = w.delete_oldest_days(day, limit).await?;
            let next = if days < u64::from(limit) {
                RetentionCursor::CutoffDay { after: i64::MIN }
            } else {
                RetentionCursor::OldDays
            };
            Ok(RetentionStep { deleted, next })
        }
        RetentionCursor::CutoffDay { after } => {
            let days = w.days_on_after(day, after, limit).await?;
            let next = match days.last() {
                Some((key, _)) if days.len() == limit as usize => {
                    RetentionCursor::CutoffDay { after: *key }
                }
                _ => RetentionCursor::Done,
            };
            let deleted = trim(w, day, days, Micros::MIN, cutoff).await?;
            Ok(RetentionStep { deleted, next })
        }
        RetentionCursor::Done => Ok(RetentionStep {
            deleted: 0,
            next: RetentionCursor::Done,
        }),
    }
}
