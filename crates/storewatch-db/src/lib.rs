//! The storage contract of storewatch.
//!
//! Every backend (embedded SQLite, PostgreSQL) implements [`Database`]; the CLI
//! and the service are generic over it, and the report math never sees SQL.
//! [`conformance`] holds the behaviour every backend must show, as async checks
//! each backend's own tests run against a real database.

pub mod conformance;

use std::future::Future;

use storewatch_core::domain::{HoursRow, Micros};
use storewatch_core::ingest::PollFile;
use storewatch_core::report::ReportInput;

/// A storage failure. Backends keep their own error inside.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Backend(#[from] Box<dyn std::error::Error + Send + Sync>),
    #[error("database URL {url:?}: {reason}")]
    BadUrl { url: String, reason: String },
}

impl DbError {
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> DbError {
        DbError::Backend(Box::new(e))
    }
}

/// The validated contents of one ingest: any of the three sources.
#[derive(Debug, Default)]
pub struct IngestBatch {
    pub polls: Option<PollFile>,
    /// Replaces the whole business-hours snapshot when present.
    pub business_hours: Option<Vec<(String, HoursRow)>>,
    /// Replaces the whole time-zone snapshot when present.
    pub timezones: Option<Vec<(String, String)>>,
}

/// What an ingest did, per source given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub polls: Option<PollsApplied>,
    /// Rows now in the business-hours snapshot.
    pub business_hours: Option<u64>,
    /// Rows now in the time-zone snapshot.
    pub timezones: Option<u64>,
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
    pub newest_poll: Option<Micros>,
}

/// The storage of polls, business hours and time zones.
///
/// Every method is one transaction: a failure applies nothing.
pub trait Database: Clone + Send + Sync + 'static {
    /// Applies a batch in one transaction, so a report sees all of it or none.
    ///
    /// Polls go into the append-only log keyed by (store_id, timestamp): a key
    /// already stored with the same status is left alone, with another status
    /// it is replaced; within the batch, the last row of a key wins. Business
    /// hours and time zones, when given, replace their whole snapshot.
    fn ingest(&self, batch: IngestBatch) -> impl Future<Output = Result<Applied, DbError>> + Send;

    /// Everything a report at `as_of` reads, from one consistent snapshot.
    /// Without `as_of`, T is the newest poll timestamp in the database.
    /// Each store carries at least its polls with T − 7 d ≤ t ≤ T.
    fn report_input(
        &self,
        as_of: Option<Micros>,
    ) -> impl Future<Output = Result<ReportInput, DbError>> + Send;

    fn counts(&self) -> impl Future<Output = Result<Counts, DbError>> + Send;
}
