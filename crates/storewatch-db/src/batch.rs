//! Applying an [`IngestBatch`]: the order of the writes, the mapping of store
//! ids to keys and the de-duplication of polls, written once for every
//! backend. A backend opens a transaction, wraps it in a [`BatchWriter`] (the
//! SQL), and commits what [`write_batch`] wrote.

use std::collections::HashMap;
use std::future::Future;

use storewatch_core::domain::{HoursRow, Micros, Poll, SpecialHoursRow};
use storewatch_core::ingest::dedup_keep_last;

use crate::{Applied, DbError, IngestBatch, IngestRecord, PollsApplied, SourceFingerprint};

/// The statements of one ingest, inside one transaction.
pub trait BatchWriter: Send {
    /// Replaces the time-zone snapshot; returns the rows written.
    fn replace_timezones(
        &mut self,
        rows: &[(String, String)],
    ) -> impl Future<Output = Result<u64, DbError>> + Send;
    /// Replaces the business-hours snapshot; returns the rows written.
    fn replace_business_hours(
        &mut self,
        rows: &[(String, HoursRow)],
    ) -> impl Future<Output = Result<u64, DbError>> + Send;
    /// Replaces the special-hours snapshot; returns the rows written.
    fn replace_special_hours(
        &mut self,
        rows: &[(String, SpecialHoursRow)],
    ) -> impl Future<Output = Result<u64, DbError>> + Send;
    /// Gives each of `ids` a key (inserting the new ones) and returns them.
    fn store_keys(
        &mut self,
        ids: &[String],
    ) -> impl Future<Output = Result<HashMap<String, i64>, DbError>> + Send;
    /// Upserts polls sorted by (key, time), one per key and time: a poll
    /// stored with the same status is left alone. Returns how many changed.
    fn upsert_polls(
        &mut self,
        polls: &[(i64, Poll)],
    ) -> impl Future<Output = Result<u64, DbError>> + Send;
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
    batch: IngestBatch,
) -> Result<Applied, DbError> {
    let mut applied = Applied::default();
    if let Some(rows) = &batch.timezones {
        applied.timezones = Some(w.replace_timezones(rows).await?);
    }
    if let Some(rows) = &batch.business_hours {
        applied.business_hours = Some(w.replace_business_hours(rows).await?);
    }
    if let Some(rows) = &batch.special_hours {
        applied.special_hours = Some(w.replace_special_hours(rows).await?);
    }
    if let Some(file) = &batch.polls {
        let keys = w.store_keys(&file.store_ids).await?;
        let key_of = file
            .store_ids
            .iter()
            .map(|id| keys.get(id).copied().ok_or_else(missing_key))
            .collect::<Result<Vec<i64>, DbError>>()?;
        let mut polls: Vec<(i64, Poll)> = file
            .polls
            .iter()
            .map(|&(i, p)| (key_of[i as usize], p))
            .collect();
        // Sorted polls also make the database's inserts sequential, which is
        // what makes them fast.
        dedup_keep_last(&mut polls);
        let written = w.upsert_polls(&polls).await?;
        if let Some(newest) = polls.iter().map(|(_, p)| p.ts).max() {
            w.raise_newest_poll(newest).await?;
        }
        applied.polls = Some(PollsApplied {
            rows: file.polls.len() as u64,
            written,
            unchanged: polls.len() as u64 - written,
        });
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
                by: p.by.clone(),
                key_id: p.key_id.clone(),
                rows,
                sha256: source.sha256.clone(),
            })
            .await?;
        }
    }
    Ok(applied)
}

fn missing_key() -> DbError {
    DbError::backend(std::io::Error::other(
        "a store id got no key in the database",
    ))
}
