//! The storage contract of storewatch.
//!
//! Every backend (embedded SQLite, PostgreSQL) implements [`Database`]; the CLI
//! and the service are generic over it, and the report math never sees SQL.
//! [`conformance`] holds the behaviour every backend must show, as async checks
//! each backend's own tests run against a real database.
#![forbid(unsafe_code)]

pub mod alerts;
pub mod batch;
pub mod columns;
#[cfg(feature = "conformance")]
pub mod conformance;
mod data;
mod data_store;
pub mod deletion;
mod error;
mod ids;
mod key_store;
pub mod keys;
mod options;
pub mod poll_days;
pub mod report_batches;
mod report_queue;
mod reports;
pub mod shards;
pub mod sql;

pub use deletion::{RetentionCursor, RetentionStep};
pub use ids::{Include, Lease, ReportId};
pub use keys::{KeyRecord, NewKey, ReportOwner, Revoked, Role, Scope, ScopeError};
pub use report_batches::{BatchSink, StoreBatch, batch_channel};
pub use shards::{ClaimedShard, Reach, ShardFinish, ShardId, ShardOutcome, StoreRange, Stores};

pub use alerts::AlertStore;
pub use data::{
    Actor, Applied, Counts, IngestBatch, IngestRecord, PollDeletion, PollsApplied, Provenance,
    SourceContent, SourceFingerprint,
};
pub use data_store::{DataStore, special_dates_for};
pub use error::{DbError, HealthPart, Unhealthy};
pub use key_store::KeyStore;
pub use options::{ReadMemory, Schema};
pub use report_queue::ReportQueue;
pub use reports::{
    ClaimedReport, NewReport, OutcomeColumns, ReportOutcome, ReportPage, ReportRecord, ReportState,
    columns_from_db,
};

/// Everything storewatch stores: the data, the report queue, the API keys
/// and the alerts. Backends implement the four parts; this is the bound the
/// service and commands use.
pub trait Database: DataStore + ReportQueue + KeyStore + AlertStore {}

impl<T: DataStore + ReportQueue + KeyStore + AlertStore> Database for T {}
