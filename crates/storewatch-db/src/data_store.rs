//! The storage of the data (see [`DataStore`]).

use std::future::Future;

use storewatch_core::domain::Micros;
use storewatch_core::ingest::SourceKind;
use storewatch_core::report::{PeriodSpec, ReportInput};

use crate::data::{Applied, Counts, IngestBatch, IngestRecord, PollDeletion, SourceFingerprint};
use crate::deletion::{RetentionCursor, RetentionStep};
use crate::error::{DbError, Unhealthy};
use crate::options::ReadMemory;
use crate::report_batches::BatchSink;
use crate::shards::Stores;

/// The local dates whose special hours a report over `[start, as_of]` may
/// need, as `YYYY-MM-DD` text (how both backends store them): its UTC dates
/// widened by three days before (an opening can start two local dates before
/// the start, and a local date can be a day behind UTC) and two after.
pub fn special_dates_for(start: Micros, as_of: Micros) -> (String, String) {
    // Beyond the calendar (not for validated times), fall back to text that
    // sorts before or after every stored date.
    let date = |t: Micros, days: i64| {
        let day = t.div_euclid(86_400_000_000) + days;
        jiff::civil::date(1970, 1, 1)
            .checked_add(jiff::Span::new().days(day))
            .map_or_else(
                |_| {
                    if days < 0 {
                        "0000-00-00".into()
                    } else {
                        "9999-99-99".into()
                    }
                },
                |d| d.to_string(),
            )
    };
    (date(start, -3), date(as_of, 2))
}

/// The storage of polls, business hours, special hours and time zones.
///
/// Every method is one transaction: a failure applies nothing.
pub trait DataStore: Clone + Send + Sync + 'static {
    /// Applies a batch in one transaction, so a report sees all of it or none.
    ///
    /// Polls go into the append-only log keyed by (store_id, timestamp): a key
    /// already stored with the same status is left alone, with another status
    /// it is replaced; within the batch, the last row of a key wins. Business
    /// hours, special hours and time zones, when given, replace their whole
    /// snapshot.
    fn ingest(&self, batch: IngestBatch) -> impl Future<Output = Result<Applied, DbError>> + Send;

    /// Everything a report at `as_of` reads, from one consistent snapshot.
    /// Without `as_of`, T is the newest poll timestamp in the database.
    /// Each store carries at least its polls with T − 7 d ≤ t ≤ T, and its
    /// special hours of at least the dates [`special_dates_for`] names.
    /// Only the stores `stores` selects are read (a scope's by index).
    fn report_input(
        &self,
        as_of: Option<Micros>,
        stores: Stores<'_>,
    ) -> impl Future<Output = Result<ReportInput, DbError>> + Send;

    /// [`report_input`](Self::report_input) over `span` before the report
    /// time (the week, [`PeriodSpec::WEEK`], or a period's days or start:
    /// each store's polls with start ≤ t ≤ T, and its special hours around
    /// them), handed to `sink` in batches of stores: at least one batch
    /// (maybe empty) when there is a report time, none when the database
    /// holds no polls. A backend sends each batch as soon as it is read, so
    /// the report is computed meanwhile.
    fn report_batches(
        &self,
        as_of: Option<Micros>,
        span: PeriodSpec,
        stores: Stores<'_>,
        memory: ReadMemory,
        sink: BatchSink,
    ) -> impl Future<Output = Result<(), DbError>> + Send;

    /// The ids that cut the stores into ranges of `per` stores in byte
    /// order: the `per`-th, `2·per`-th, … store id (counted from 0), as
    /// [`shards::bounds_every`] picks them. Empty when all fit one range.
    fn store_bounds(&self, per: u32) -> impl Future<Output = Result<Vec<String>, DbError>> + Send;

    /// Deletes the polls `deletion` selects, forgets stores left with no
    /// poll, brings the newest poll time up to date and records the
    /// deletion in the ingest log, in one transaction. Returns how many polls.
    fn delete_polls(
        &self,
        deletion: &PollDeletion,
    ) -> impl Future<Output = Result<u64, DbError>> + Send;

    /// One step of deleting the polls older than `cutoff` (retention), in a
    /// short transaction of its own that touches at most `limit` stored
    /// days, so it never holds up an ingest or a report for long. Start at
    /// [`RetentionCursor::OldDays`] and go on from each step's `next` until
    /// it is [`RetentionCursor::Done`]. Stores stay known.
    fn retention_step(
        &self,
        cutoff: Micros,
        at: RetentionCursor,
        limit: u32,
    ) -> impl Future<Output = Result<RetentionStep, DbError>> + Send;

    /// Recorded ingests, newest first: at most `limit`, with an id below
    /// `before` if given.
    fn ingests(
        &self,
        limit: u32,
        before: Option<i64>,
    ) -> impl Future<Output = Result<Vec<IngestRecord>, DbError>> + Send;

    /// Sizes of what is stored. Counting polls scans the log: not for hot paths.
    fn counts(&self) -> impl Future<Output = Result<Counts, DbError>> + Send;

    /// The data's version: it grows with every applied ingest and deletion
    /// (the newest entry of the ingest log, written in the same
    /// transaction), so the alerts know what they were worked out at.
    fn data_version(&self) -> impl Future<Output = Result<i64, DbError>> + Send;

    /// The newest poll timestamp, cheaply.
    fn newest_poll(&self) -> impl Future<Output = Result<Option<Micros>, DbError>> + Send;

    /// Ids of stores with a poll that contain `query` (any case of ASCII
    /// letters), in byte order, at most `limit`.
    fn find_stores(
        &self,
        query: &str,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<String>, DbError>> + Send;

    /// Flushes what the backend buffers and closes its connections; for the
    /// end of a command-line run (SQLite moves its write-ahead log into the
    /// database file, so the file alone holds the data).
    fn close(&self) -> impl Future<Output = ()> + Send;

    /// Checks what the service needs of its database, in order: it answers,
    /// its schema is at this build's version (a database that lost its
    /// tables, e.g. dropped and recreated empty, is migrated again here, so
    /// the service recovers by itself), it is still the one opened (a file
    /// deleted or replaced underneath is not silently written into a void),
    /// and a write commits (stamped `now`). Fails naming the first part
    /// that does not hold.
    fn health(&self, now: Micros) -> impl Future<Output = Result<(), Unhealthy>> + Send;

    /// The fingerprint of the last ingested content of a source kind.
    fn source_fingerprint(
        &self,
        kind: SourceKind,
    ) -> impl Future<Output = Result<Option<SourceFingerprint>, DbError>> + Send;
}
