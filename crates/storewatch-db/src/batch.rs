//! Applying an [`IngestBatch`]: the order of the writes, the mapping of store
//! ids to keys and the merging of polls into stored days, written once for
//! every backend. A backend opens a transaction, wraps it in a [`BatchWriter`]
//! (the SQL), and commits what [`write_batch`] wrote. Deleting polls (an
//! operator's deletion, retention) goes through the same statements, in
//! [`crate::deletion`].

use std::collections::HashMap;
use std::future::Future;

use storewatch_core::domain::{HoursRow, Micros, Poll, SharedId, SpecialHoursRow};
use storewatch_core::ingest::{PollFile, StoreIds};

use crate::poll_days::{self, day_of};
use crate::{Applied, DbError, IngestBatch, IngestRecord, PollsApplied, SourceFingerprint};

/// The statements that change the data, inside one transaction.
pub trait BatchWriter: Send {
    /// Replaces the time-zone snapshot; returns the rows written.
    fn replace_timezones(
        &mut self,
        rows: &[(String, String)],
    ) -> impl Future<Output = Result<u64, DbError>> + Send;
    /// Replaces the business-hours snapshot; returns the rows written.
    fn replace_business_hours(
        &mut self,
        rows: &[(SharedId, HoursRow)],
    ) -> impl Future<Output = Result<u64, DbError>> + Send;
    /// Replaces the special-hours snapshot; returns the rows written.
    fn replace_special_hours(
        &mut self,
        rows: &[(String, SpecialHoursRow)],
    ) -> impl Future<Output = Result<u64, DbError>> + Send;
    /// Gives each of `ids` (distinct, at most [`STORE_KEYS_AT_ONCE`]) a
    /// key, inserting the new ones, and returns the keys in the order of
    /// `ids`.
    fn store_keys(
        &mut self,
        ids: &[&str],
    ) -> impl Future<Output = Result<Vec<i64>, DbError>> + Send;
    /// The stored days (see [`crate::poll_days`]) of the stores with these
    /// keys between the days `first` and `last`, as (key, day, polls).
    fn stored_days(
        &mut self,
        keys: &[i64],
        first: i64,
        last: i64,
    ) -> impl Future<Output = Result<Vec<StoredDay>, DbError>> + Send;
    /// Writes these days, each replacing what was stored for its key and
    /// day (arrays as [`crate::poll_days::encode`] makes them).
    fn put_days(
        &mut self,
        days: &[(i64, i64, Vec<u8>)],
    ) -> impl Future<Output = Result<(), DbError>> + Send;
    /// Deletes the stored days between `first` and `last` of one store (by
    /// id) or of all; returns how many polls they held.
    fn delete_days(
        &mut self,
        store: Option<&str>,
        first: i64,
        last: i64,
    ) -> impl Future<Output = Result<u64, DbError>> + Send;
    /// Deletes up to `limit` of the oldest stored days before `day`, of any
    /// store; returns how many days and how many polls they held.
    fn delete_oldest_days(
        &mut self,
        before: i64,
        limit: u32,
    ) -> impl Future<Output = Result<(u64, u64), DbError>> + Send;
    /// The stored days of `day`, of one store (by id) or of all: (key, array).
    fn days_on(
        &mut self,
        store: Option<&str>,
        day: i64,
    ) -> impl Future<Output = Result<Vec<(i64, Vec<u8>)>, DbError>> + Send;
    /// Up to `limit` stored days of `day` of stores with a key after
    /// `after`, in key order: (key, array).
    fn days_on_after(
        &mut self,
        day: i64,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(i64, Vec<u8>)>, DbError>> + Send;
    /// Deletes one stored day.
    fn delete_day(
        &mut self,
        key: i64,
        day: i64,
    ) -> impl Future<Output = Result<(), DbError>> + Send;
    /// Forgets the stores (one by id, or all) that have no poll left.
    fn forget_stores_without_polls(
        &mut self,
        store: Option<&str>,
    ) -> impl Future<Output = Result<(), DbError>> + Send;
    /// The arrays of the newest stored day, of every store that has it.
    fn newest_days(&mut self) -> impl Future<Output = Result<Vec<Vec<u8>>, DbError>> + Send;
    /// Sets the remembered newest poll time (after a deletion).
    fn set_newest_poll(
        &mut self,
        newest: Option<Micros>,
    ) -> impl Future<Output = Result<(), DbError>> + Send;
    /// Raises the remembered newest poll time to `newest` if it is later.
    fn raise_newest_poll(
        &mut self,
        newest: Micros,
    ) -> impl Future<Output = Result<(), DbError>> + Send;
    /// Remembers which content of a source file was ingested.
    fn record_fingerprint(
        &mut self,
        fingerprint: &SourceFingerprint,
    ) -> impl Future<Output = Result<(), DbError>> + Send;
    /// Records one applied source of an ingest (its `id` is the database's to give).
    fn record_ingest(
        &mut self,
        record: &IngestRecord,
    ) -> impl Future<Output = Result<(), DbError>> + Send;
}

/// Writes a whole batch through `w`: snapshots first, then polls, then the
/// fingerprints of the files they came from and the batch's provenance.
pub async fn write_batch<W: BatchWriter>(
    w: &mut W,
    mut batch: IngestBatch,
) -> Result<Applied, DbError> {
    let mut applied = Applied::default();
    // Each snapshot is dropped once written: held while the polls are
    // merged, the reference files of 10x the real data set added some
    // 100 MiB to that step's peak.
    if let Some(rows) = batch.timezones.take() {
        applied.timezones = Some(w.replace_timezones(&rows).await?);
    }
    if let Some(rows) = batch.business_hours.take() {
        applied.business_hours = Some(w.replace_business_hours(&rows).await?);
    }
    if let Some(rows) = batch.special_hours.take() {
        applied.special_hours = Some(w.replace_special_hours(&rows).await?);
    }
    if let Some(file) = batch.polls.take() {
        applied.polls = Some(write_polls(w, file).await?);
    }
    for fp in &batch.fingerprints {
        w.record_fingerprint(fp).await?;
    }
    if let Some(p) = &batch.provenance {
        for (kind, rows) in applied.rows_by_kind() {
            let Some(source) = p.sources.iter().find(|s| s.kind == kind) else {
                continue;
            };
            w.record_ingest(&IngestRecord {
                id: 0,
                at: p.at,
                source: kind,
                label: source.label.clone(),
                by: p.by.to_string(),
                key_id: p.key_id.clone(),
                rows,
                sha256: source.sha256.clone(),
            })
            .await?;
        }
    }
    Ok(applied)
}

/// Polls merged into stored days at a time ([`merge_chunk`]): the file's
/// polls come off their sorted runs this many at a time, so an ingest holds
/// no more.
const POLL_CHUNK: usize = 100_000;

/// Store ids given their keys at once ([`BatchWriter::store_keys`]): a few
/// statements for a real file, and a bounded one for millions of stores.
pub const STORE_KEYS_AT_ONCE: usize = 10_000;

/// The database's key of each of a file's store ids, in the file's order.
async fn keys_of<W: BatchWriter>(w: &mut W, ids: &StoreIds) -> Result<Vec<i64>, DbError> {
    let mut keys = Vec::with_capacity(ids.len());
    let mut chunk: Vec<&str> = Vec::with_capacity(STORE_KEYS_AT_ONCE);
    let mut all = ids.iter().peekable();
    while all.peek().is_some() {
        chunk.clear();
        chunk.extend(all.by_ref().take(STORE_KEYS_AT_ONCE));
        let got = w.store_keys(&chunk).await?;
        if got.len() != chunk.len() {
            return Err(missing_key());
        }
        keys.extend(got);
    }
    Ok(keys)
}

/// Writes a file's polls: the stores first (each gets its key), then the
/// polls in chunks off the merged runs, each chunk sorted by (key, time).
async fn write_polls<W: BatchWriter>(w: &mut W, file: PollFile) -> Result<PollsApplied, DbError> {
    let key_of = keys_of(w, &file.store_ids).await?;
    drop(file.store_ids);
    let rows = file.polls.len();
    let mut sorted = file.polls.into_sorted().map_err(DbError::backend)?;
    let mut chunk: Vec<(i64, Poll)> = Vec::with_capacity(POLL_CHUNK);
    let (mut kept, mut written, mut newest) = (0u64, 0u64, None::<Micros>);
    loop {
        chunk.clear();
        for polled in sorted.by_ref().take(POLL_CHUNK) {
            let (i, poll) = polled.map_err(DbError::backend)?;
            chunk.push((key_of[i as usize], poll));
        }
        if chunk.is_empty() {
            break;
        }
        // Runs are in the file's store order; sorted by key, each store's
        // days come together, in the order of the database's key.
        chunk.sort_unstable_by_key(|(k, p)| (*k, p.ts));
        kept += chunk.len() as u64;
        newest = newest.max(chunk.iter().map(|(_, p)| p.ts).max());
        written += merge_chunk(w, &chunk).await?;
    }
    if let Some(newest) = newest {
        w.raise_newest_poll(newest).await?;
    }
    Ok(PollsApplied {
        rows,
        written,
        unchanged: kept - written,
    })
}

/// Merges a chunk of polls (sorted by key and time, one per key and time)
/// into the stored days they fall on, writing only the days that change.
/// Returns how many polls were new or changed a status. A day split between
/// two chunks is merged twice: the second merge reads what the first wrote.
async fn merge_chunk<W: BatchWriter>(w: &mut W, chunk: &[(i64, Poll)]) -> Result<u64, DbError> {
    let mut keys: Vec<i64> = chunk.iter().map(|(k, _)| *k).collect();
    keys.dedup();
    let first = chunk.iter().map(|(_, p)| day_of(p.ts)).min().unwrap_or(0);
    let last = chunk.iter().map(|(_, p)| day_of(p.ts)).max().unwrap_or(0);
    let stored: HashMap<(i64, i64), Vec<Poll>> = w
        .stored_days(&keys, first, last)
        .await?
        .into_iter()
        .map(|d| ((d.key, d.day), d.polls))
        .collect();
    let mut changed_days = Vec::new();
    let mut written = 0;
    let mut group: Vec<Poll> = Vec::new();
    let mut at = 0;
    while at < chunk.len() {
        let (key, day) = (chunk[at].0, day_of(chunk[at].1.ts));
        group.clear();
        while at < chunk.len() && chunk[at].0 == key && day_of(chunk[at].1.ts) == day {
            group.push(chunk[at].1);
            at += 1;
        }
        let old = stored.get(&(key, day)).map_or(&[][..], Vec::as_slice);
        let (merged, changed) = poll_days::merge(old, &group);
        if changed > 0 {
            written += changed;
            changed_days.push((key, day, poll_days::encode(&merged)));
        }
    }
    w.put_days(&changed_days).await?;
    Ok(written)
}

/// One stored day of one store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDay {
    pub key: i64,
    pub day: i64,
    pub polls: Vec<Poll>,
}

impl StoredDay {
    /// A stored day as read: its store's key, its day and its array.
    pub fn decode(key: i64, day: i64, bytes: &[u8]) -> Result<StoredDay, DbError> {
        Ok(StoredDay {
            key,
            day,
            polls: crate::poll_days::decode(bytes)?,
        })
    }
}

fn missing_key() -> DbError {
    DbError::backend(std::io::Error::other(
        "a store id got no key in the database",
    ))
}
