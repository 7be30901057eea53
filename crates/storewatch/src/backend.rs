//! Picks the storage backend from the database URL.

use anyhow::{Result, bail};
use storewatch_core::domain::Micros;
use storewatch_core::report::ReportInput;
use storewatch_db::{Applied, Counts, Database, DbError, IngestBatch};
use storewatch_sqlite::SqliteDatabase;

/// The backend chosen at run time. The commands are generic over
/// [`Database`]; this enum is the one implementation the binary hands them.
#[derive(Clone, Debug)]
pub enum AnyDatabase {
    Sqlite(SqliteDatabase),
}

pub async fn connect(url: &str) -> Result<AnyDatabase> {
    if url.starts_with("sqlite:") {
        return Ok(AnyDatabase::Sqlite(SqliteDatabase::connect(url).await?));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        bail!("PostgreSQL is not supported yet in this build; use a sqlite:// URL");
    }
    bail!("unsupported database URL {url:?}: expected sqlite://FILE or postgres://…")
}

impl Database for AnyDatabase {
    async fn ingest(&self, batch: IngestBatch) -> Result<Applied, DbError> {
        match self {
            AnyDatabase::Sqlite(db) => db.ingest(batch).await,
        }
    }

    async fn report_input(&self, as_of: Option<Micros>) -> Result<ReportInput, DbError> {
        match self {
            AnyDatabase::Sqlite(db) => db.report_input(as_of).await,
        }
    }

    async fn counts(&self) -> Result<Counts, DbError> {
        match self {
            AnyDatabase::Sqlite(db) => db.counts().await,
        }
    }
}
