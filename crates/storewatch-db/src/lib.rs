//! The storage contract of storewatch.
//!
//! Every backend (embedded SQLite, PostgreSQL) implements [`Database`]; the CLI
//! and the service are generic over it, and the report math never sees SQL.
//! [`conformance`] holds the behaviour every backend must show, as async checks
//! each backend's own tests run against a real database.
#![forbid(unsafe_code)]

pub mod batch;
pub mod columns;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod deletion;
mod ids;
pub mod keys;
pub mod poll_days;
pub mod report_batches;
pub mod shards;
pub mod sql;

pub use deletion::{RetentionCursor, RetentionStep};
pub use ids::{Include, Lease, ReportId};
pub use keys::{KeyRecord, NewKey, ReportOwner, Revoked, Role, Scope};
pub use report_batches::{BatchSink, StoreBatch, batch_channel};
pub use shards::{ClaimedShard, Reach, ShardFinish, ShardId, ShardOutcome, StoreRange, Stores};

use std::future::Future;

use storewatch_core::domain::{HoursRow, Micros, SharedId, SpecialHoursRow};
use storewatch_core::ingest::{PollFile, SourceKind};
use storewatch_core::report::{Columns, PeriodSpec, ReportInput, ReportSpec};

/// A storage failure. Backends keep their own error inside.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Backend(#[from] Box<dyn std::error::Error + Send + Sync>),
    #[error("database URL {url:?}: {reason}")]
    BadUrl { url: String, reason: String },
    /// A command that only reads was pointed at a database storewatch never
    /// set up (see [`Schema::MustExist`]).
    #[error(
        "{database} holds no storewatch data (none of its tables): check --database-url, \
         or ingest data first (storewatch ingest), which creates them"
    )]
    NoSchema { database: String },
}

/// How a read may use memory: a report's read maps the database file in
/// (fast: a backend that can, reads its pages through the memory map, and
/// every page it touches counts in the process's resident size), a
/// request's read of every store (the offline list) keeps to the backend's
/// bounded page cache, so its memory does not grow with the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadMemory {
    Mapped,
    Bounded,
}

/// Whether connecting may create storewatch's tables in a database that has
/// none. An existing storewatch schema is brought up to date either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// Create them: `ingest`, `serve`, `keys create`.
    Create,
    /// Refuse a database without them: the commands that only read or
    /// remove (`report`, `keys list`, …), so a mistyped URL never fills
    /// some other database with storewatch's tables.
    MustExist,
}

impl DbError {
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> DbError {
        DbError::Backend(Box::new(e))
    }
}

/// The part of the database a health check found wanting, and why.
#[derive(Debug, thiserror::Error)]
#[error("{part}: {error}")]
pub struct Unhealthy {
    /// `database` (does not answer), `schema`, `file` or `write`.
    pub part: &'static str,
    pub error: DbError,
}

impl Unhealthy {
    pub fn new(part: &'static str, error: impl Into<DbError>) -> Unhealthy {
        Unhealthy {
            part,
            error: error.into(),
        }
    }

    /// A failure described in words.
    pub fn because(part: &'static str, why: impl Into<String>) -> Unhealthy {
        Unhealthy::new(part, DbError::backend(std::io::Error::other(why.into())))
    }
}

/// The validated contents of one ingest: any of the four sources.
#[derive(Debug, Default)]
pub struct IngestBatch {
    pub polls: Option<PollFile>,
    /// Content fingerprints of the files this batch came from, recorded in the
    /// same transaction (see [`Database::source_fingerprint`]).
    pub fingerprints: Vec<SourceFingerprint>,
    /// Replaces the whole business-hours snapshot when present.
    pub business_hours: Option<Vec<(SharedId, HoursRow)>>,
    /// Replaces the whole time-zone snapshot when present.
    pub timezones: Option<Vec<(String, String)>>,
    /// Replaces the whole special-hours snapshot when present.
    pub special_hours: Option<Vec<(String, SpecialHoursRow)>>,
    /// Who sent the batch and what it held, recorded in the same transaction
    /// (one [`IngestRecord`] per source).
    pub provenance: Option<Provenance>,
}

/// Where an ingest came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub at: Micros,
    /// Who: `key NAME`, `data directory DIR`, `command line`, `demo`.
    pub by: String,
    /// The key that pushed it, if any.
    pub key_id: Option<String>,
    pub sources: Vec<SourceContent>,
}

/// One source of an ingest: its kind, how it was named, its content's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceContent {
    pub kind: SourceKind,
    /// A file's path, or `request body`.
    pub label: String,
    /// SHA-256 of the bytes as they came (compressed, if they were), hex.
    pub sha256: String,
}

/// One applied source of one ingest, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestRecord {
    /// Increasing: a later ingest has a larger id.
    pub id: i64,
    pub at: Micros,
    pub source: SourceKind,
    pub label: String,
    pub by: String,
    pub key_id: Option<String>,
    /// Polls read, or rows in the new snapshot.
    pub rows: u64,
    pub sha256: String,
}

/// Polls to delete: of one store, or in a time range, or both (at least
/// one of the three is given; the range is `from ≤ t < to`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollDeletion {
    pub store_id: Option<String>,
    pub from: Option<Micros>,
    pub to: Option<Micros>,
    /// When, and on whose behalf, for the ingest log.
    pub at: Micros,
    pub by: String,
    pub key_id: Option<String>,
}

impl PollDeletion {
    /// What was deleted, in words, as the ingest log shows it.
    pub fn describe(&self) -> String {
        let mut parts = vec!["delete polls".to_string()];
        if let Some(id) = &self.store_id {
            parts.push(format!("of store {id}"));
        }
        if let Some(t) = self.from {
            parts.push(format!(
                "from {}",
                storewatch_core::domain::format_timestamp(t)
            ));
        }
        if let Some(t) = self.to {
            parts.push(format!(
                "before {}",
                storewatch_core::domain::format_timestamp(t)
            ));
        }
        parts.join(" ")
    }

    /// The bounds as stored times: `from ≤ t < to`.
    pub fn range(&self) -> (Micros, Micros) {
        (
            self.from.unwrap_or(Micros::MIN),
            self.to.unwrap_or(Micros::MAX),
        )
    }

    /// The ingest-log entry of this deletion, for `deleted` polls.
    pub fn record(&self, deleted: u64) -> IngestRecord {
        let label = self.describe();
        IngestRecord {
            id: 0,
            at: self.at,
            source: SourceKind::Polls,
            sha256: storewatch_core::hex::encode(&<sha2::Sha256 as sha2::Digest>::digest(
                label.as_bytes(),
            )),
            label,
            by: self.by.clone(),
            key_id: self.key_id.clone(),
            rows: deleted,
        }
    }
}

/// Which content of a source file was last ingested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFingerprint {
    pub kind: SourceKind,
    pub path: String,
    pub sha256: String,
    pub ingested_at: Micros,
}

/// Where a report job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportState {
    Queued,
    Running,
    Complete,
    Failed,
}

impl ReportState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::Queued => "queued",
            ReportState::Running => "running",
            ReportState::Complete => "complete",
            ReportState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<ReportState> {
        Some(match s {
            "queued" => ReportState::Queued,
            "running" => ReportState::Running,
            "complete" => ReportState::Complete,
            "failed" => ReportState::Failed,
            _ => return None,
        })
    }
}

/// A stored report job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRecord {
    pub id: ReportId,
    pub state: ReportState,
    /// The report time the caller asked for; `None`: the newest poll.
    pub requested_as_of: Option<Micros>,
    /// The report time used, once known.
    pub as_of: Option<Micros>,
    /// The columns the report was asked for (its CSV is stored extended).
    pub columns: Columns,
    /// The week, or a period report's kind and span.
    pub spec: ReportSpec,
    pub created_at: Micros,
    pub started_at: Option<Micros>,
    pub finished_at: Option<Micros>,
    pub attempts: u32,
    pub rows: Option<u64>,
    pub error: Option<String>,
    /// Only when asked for and complete: the CSV with the extended columns.
    pub csv: Option<String>,
    /// The key that triggered it (`None`: no key was needed).
    pub key_id: Option<String>,
    /// The [`Scope::id`] of the stores it covers; `None`: every store.
    pub scope_id: Option<String>,
    /// Into how many shards it was split; `None`: computed whole.
    pub parts: Option<u32>,
}

/// A page of the report listing: newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPage {
    /// Only reports of this scope ([`Scope::id`]); `None`: all reports.
    pub scope_id: Option<String>,
    /// Only reports created before this point (created_at, then id).
    pub before: Option<(Micros, String)>,
    pub limit: u32,
}

/// A report a worker now owns, until `lease_until` unless renewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedReport {
    pub id: ReportId,
    pub requested_as_of: Option<Micros>,
    pub spec: ReportSpec,
    /// The stores to report on; `None`: every store.
    pub scope: Option<Scope>,
    /// Including this one.
    pub attempts: u32,
}

/// How the `reports` table stores [`Columns`].
pub fn columns_from_db(text: &str) -> Columns {
    Columns::parse(text).unwrap_or_default()
}

/// How a report job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportOutcome {
    Complete {
        as_of: Option<Micros>,
        rows: u64,
        csv: String,
    },
    Failed {
        error: String,
    },
}

/// A [`ReportOutcome`] as the columns of the `reports` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeColumns {
    pub state: &'static str,
    pub as_of: Option<Micros>,
    pub rows: Option<i64>,
    pub csv: Option<String>,
    pub error: Option<String>,
}

impl ReportOutcome {
    pub fn into_columns(self) -> OutcomeColumns {
        match self {
            ReportOutcome::Complete { as_of, rows, csv } => OutcomeColumns {
                state: ReportState::Complete.as_str(),
                as_of,
                rows: Some(i64::try_from(rows).unwrap_or(i64::MAX)),
                csv: Some(csv),
                error: None,
            },
            ReportOutcome::Failed { error } => OutcomeColumns {
                state: ReportState::Failed.as_str(),
                as_of: None,
                rows: None,
                csv: None,
                error: Some(error),
            },
        }
    }
}

/// What an ingest did, per source given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub polls: Option<PollsApplied>,
    /// Rows now in the business-hours snapshot.
    pub business_hours: Option<u64>,
    /// Rows now in the time-zone snapshot.
    pub timezones: Option<u64>,
    /// Rows now in the special-hours snapshot.
    pub special_hours: Option<u64>,
}

impl Applied {
    /// The rows each applied source now stands for: polls read, or the size
    /// of the snapshot that replaced the last.
    pub fn rows_by_kind(&self) -> Vec<(SourceKind, u64)> {
        [
            (SourceKind::Polls, self.polls.map(|p| p.rows)),
            (SourceKind::BusinessHours, self.business_hours),
            (SourceKind::Timezones, self.timezones),
            (SourceKind::SpecialHours, self.special_hours),
        ]
        .into_iter()
        .filter_map(|(kind, rows)| Some((kind, rows?)))
        .collect()
    }
}

/// What an ingest of polls did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PollsApplied {
    /// Valid rows in the file (a key written twice counts twice).
    pub rows: u64,
    /// Polls that were new, or whose status changed.
    pub written: u64,
    /// Polls already stored with the same status.
    pub unchanged: u64,
}

/// Sizes of what is stored, for operators and progress messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub stores: u64,
    pub polls: u64,
    pub business_hours: u64,
    pub timezones: u64,
    pub special_hours: u64,
    pub newest_poll: Option<Micros>,
}

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

/// Everything storewatch stores: the data, the report queue and the API
/// keys. Backends implement the three parts; this is the bound the service
/// and commands use.
pub trait Database: DataStore + ReportQueue + KeyStore {}

impl<T: DataStore + ReportQueue + KeyStore> Database for T {}

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

/// The report queue: report jobs and their results, claimed by workers
/// under leases so a dead worker's report is taken over.
pub trait ReportQueue: Clone + Send + Sync + 'static {
    /// Queues a new report job for `owner`, unless that key (or, without
    /// one, the open service's callers) already has `max_unfinished` reports
    /// queued or running: then nothing is queued and `false` returned.
    fn create_report(
        &self,
        id: &ReportId,
        request: &NewReport,
        max_unfinished: u32,
        now: Micros,
    ) -> impl Future<Output = Result<bool, DbError>> + Send;

    /// Atomically takes the oldest job that is queued, or running under a
    /// lease that ran out (its worker died), for `worker` until `lease_until`.
    /// Jobs whose lease ran out after `max_attempts` attempts are marked
    /// failed instead. `None` when there is nothing to do.
    fn claim_report(
        &self,
        lease: &Lease,
        now: Micros,
        max_attempts: u32,
    ) -> impl Future<Output = Result<Option<ClaimedReport>, DbError>> + Send;

    /// Extends the lease's worker's hold on a running job to `lease.until`;
    /// false if it lost the job.
    fn renew_report_lease(
        &self,
        id: &ReportId,
        lease: &Lease,
    ) -> impl Future<Output = Result<bool, DbError>> + Send;

    /// Stores a job's result if the lease's worker still owns it; false otherwise.
    fn finish_report(
        &self,
        id: &ReportId,
        lease: &Lease,
        outcome: ReportOutcome,
        now: Micros,
    ) -> impl Future<Output = Result<bool, DbError>> + Send;

    /// Cuts a report the lease's worker owns into shards over `ranges` (in
    /// order), all queued, with the report time fixed at `as_of`; the report
    /// stays running without a lease of its own until its last shard is
    /// done ([`ReportQueue::finish_shard`]). False, and nothing changed, if
    /// the worker no longer owns the report.
    fn split_report(
        &self,
        id: &ReportId,
        lease: &Lease,
        as_of: Micros,
        ranges: &[StoreRange],
    ) -> impl Future<Output = Result<bool, DbError>> + Send;

    /// Like [`ReportQueue::claim_report`], for the shards of split reports:
    /// atomically takes the oldest report's first shard that is queued, or
    /// running under a lease that ran out. A shard whose lease ran out after
    /// `max_attempts` attempts fails its report instead.
    fn claim_shard(
        &self,
        lease: &Lease,
        now: Micros,
        max_attempts: u32,
    ) -> impl Future<Output = Result<Option<ClaimedShard>, DbError>> + Send;

    /// Extends the lease's worker's hold on a running shard; false if it
    /// lost the shard.
    fn renew_shard_lease(
        &self,
        id: &ShardId,
        lease: &Lease,
    ) -> impl Future<Output = Result<bool, DbError>> + Send;

    /// Stores a shard's outcome if the lease's worker still owns it. The
    /// last shard to complete assembles the report's CSV from every
    /// shard's part, in range order, and completes the report; a failed
    /// shard fails the report and drops its other shards. One transaction.
    fn finish_shard(
        &self,
        id: &ShardId,
        lease: &Lease,
        outcome: ShardOutcome,
        now: Micros,
    ) -> impl Future<Output = Result<ShardFinish, DbError>> + Send;

    /// Calls `on_work` whenever another instance may have queued work (a
    /// report, or the shards of one), until the future is dropped, so idle
    /// workers everywhere start at once. A backend that cannot tell
    /// returns at once: workers look for work every second anyway.
    fn watch_work(
        &self,
        on_work: impl Fn() + Send + Sync + 'static,
    ) -> impl Future<Output = ()> + Send;

    /// A job by id, with its CSV if asked for and it is complete.
    fn report(
        &self,
        id: &ReportId,
        include: Include,
    ) -> impl Future<Output = Result<Option<ReportRecord>, DbError>> + Send;

    /// Reports, newest first, without their CSV.
    fn reports(
        &self,
        page: &ReportPage,
    ) -> impl Future<Output = Result<Vec<ReportRecord>, DbError>> + Send;

    /// Deletes finished (complete or failed) reports, with their CSV, that
    /// finished before `cutoff`; returns how many.
    fn delete_reports_finished_before(
        &self,
        cutoff: Micros,
    ) -> impl Future<Output = Result<u64, DbError>> + Send;
}

/// What a trigger asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewReport {
    /// The report time; `None`: the newest poll.
    pub requested_as_of: Option<Micros>,
    pub columns: Columns,
    /// The week (the default), or a period report.
    pub spec: ReportSpec,
    pub owner: ReportOwner,
}

/// The API keys.
pub trait KeyStore: Clone + Send + Sync + 'static {
    /// Stores a new key; `false` if a key that is not revoked has its name.
    fn create_key(&self, key: &NewKey) -> impl Future<Output = Result<bool, DbError>> + Send;

    /// Every key, revoked ones too, oldest first.
    fn keys(&self) -> impl Future<Output = Result<Vec<KeyRecord>, DbError>> + Send;

    /// A key by its id (the public part of its token).
    fn key(&self, id: &str) -> impl Future<Output = Result<Option<KeyRecord>, DbError>> + Send;

    /// Revokes the key named `name` that is not revoked yet.
    fn revoke_key(
        &self,
        name: &str,
        now: Micros,
    ) -> impl Future<Output = Result<Revoked, DbError>> + Send;

    /// Writes down that a key was used at `now`.
    fn touch_key(&self, id: &str, now: Micros) -> impl Future<Output = Result<(), DbError>> + Send;

    /// Whether any key was ever created (revoked ones count: revoking the
    /// last key must not open the service; nor does losing the keys, where
    /// they are kept apart from the data: see [`KeyStore::keys_lost`]).
    fn any_keys(&self) -> impl Future<Output = Result<bool, DbError>> + Send;

    /// Why the keys are missing although the data says keys were made (a
    /// backend that keeps them in a file of their own, whose file was
    /// deleted or replaced); `None` when they are all there. `serve` refuses
    /// to start on such a database: it would be closed to everyone, or,
    /// worse, taken for one that never had a key.
    fn keys_lost(&self) -> impl Future<Output = Result<Option<String>, DbError>> + Send {
        async { Ok(None) }
    }
}
