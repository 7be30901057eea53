//! Picks the storage backend from the database URL.

use anyhow::{Result, bail};
use storewatch_core::domain::Micros;
use storewatch_core::report::{Columns, ReportInput};
use storewatch_db::{
    Applied, ClaimedReport, Counts, Database, DbError, IngestBatch, ReportOutcome, ReportRecord,
    SourceFingerprint,
};
use storewatch_postgres::PostgresDatabase;
use storewatch_sqlite::SqliteDatabase;

/// The backend chosen at run time. The commands and the server are generic
/// over [`Database`]; this enum is the one implementation the binary hands them.
#[derive(Clone, Debug)]
pub enum AnyDatabase {
    Sqlite(SqliteDatabase),
    Postgres(PostgresDatabase),
}

pub async fn connect(url: &str) -> Result<AnyDatabase> {
    if url.starts_with("sqlite:") {
        return Ok(AnyDatabase::Sqlite(SqliteDatabase::connect(url).await?));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(AnyDatabase::Postgres(PostgresDatabase::connect(url).await?));
    }
    bail!("unsupported database URL {url:?}: expected sqlite://FILE or postgres://…")
}

/// Like [`connect`], for commands that only read: an SQLite file that does
/// not exist is an error instead of a new, empty database.
pub async fn connect_existing(url: &str) -> Result<AnyDatabase> {
    if url.starts_with("sqlite:")
        && let Some(file) = SqliteDatabase::file_of(url)?
        && !file.exists()
    {
        bail!(
            "no database at {}: ingest data first (storewatch ingest --data-dir DIR), or point --database-url at an existing database",
            file.display()
        );
    }
    connect(url).await
}

impl AnyDatabase {
    /// Flushes and closes the connections; for the end of a command.
    pub async fn close(&self) {
        match self {
            AnyDatabase::Sqlite(db) => db.close().await,
            AnyDatabase::Postgres(db) => db.close().await,
        }
    }
}

/// Forwards a method to whichever backend this is.
macro_rules! delegate {
    ($self:ident, $method:ident($($arg:expr),*)) => {
        match $self {
            AnyDatabase::Sqlite(db) => db.$method($($arg),*).await,
            AnyDatabase::Postgres(db) => db.$method($($arg),*).await,
        }
    };
}

impl Database for AnyDatabase {
    async fn ingest(&self, batch: IngestBatch) -> Result<Applied, DbError> {
        delegate!(self, ingest(batch))
    }
    async fn report_input(&self, as_of: Option<Micros>) -> Result<ReportInput, DbError> {
        delegate!(self, report_input(as_of))
    }
    async fn counts(&self) -> Result<Counts, DbError> {
        delegate!(self, counts())
    }
    async fn newest_poll(&self) -> Result<Option<Micros>, DbError> {
        delegate!(self, newest_poll())
    }
    async fn ping(&self) -> Result<(), DbError> {
        delegate!(self, ping())
    }
    async fn source_fingerprint(&self, kind: &str) -> Result<Option<SourceFingerprint>, DbError> {
        delegate!(self, source_fingerprint(kind))
    }
    async fn create_report(
        &self,
        id: &str,
        requested_as_of: Option<Micros>,
        columns: Columns,
        now: Micros,
    ) -> Result<(), DbError> {
        delegate!(self, create_report(id, requested_as_of, columns, now))
    }
    async fn claim_report(
        &self,
        worker: &str,
        now: Micros,
        lease_until: Micros,
        max_attempts: u32,
    ) -> Result<Option<ClaimedReport>, DbError> {
        delegate!(self, claim_report(worker, now, lease_until, max_attempts))
    }
    async fn renew_report_lease(
        &self,
        id: &str,
        worker: &str,
        lease_until: Micros,
    ) -> Result<bool, DbError> {
        delegate!(self, renew_report_lease(id, worker, lease_until))
    }
    async fn finish_report(
        &self,
        id: &str,
        worker: &str,
        outcome: ReportOutcome,
        now: Micros,
    ) -> Result<bool, DbError> {
        delegate!(self, finish_report(id, worker, outcome, now))
    }
    async fn report(&self, id: &str, with_csv: bool) -> Result<Option<ReportRecord>, DbError> {
        delegate!(self, report(id, with_csv))
    }
}
