//! Picks the storage backend from the database URL, once, and launches the
//! work generic over it: the commands and the service are written against
//! [`Database`] and never see which backend they run on.

use std::future::Future;
use std::path::PathBuf;

use anyhow::{Result, bail};
use storewatch_db::{Database, Schema};
use storewatch_postgres::PostgresDatabase;
use storewatch_sqlite::SqliteDatabase;

/// Work that needs a database, generic over the backend.
pub trait WithDatabase {
    fn run<D: Database>(self, db: D) -> impl Future<Output = Result<()>>;
}

/// Whether a missing SQLite file, or storewatch's tables in a database
/// without them, may be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Open {
    /// Create the file (and its tables) if missing: ingest and serve.
    CreateIfMissing,
    /// A missing file is an error: commands that only read.
    MustExist,
}

impl Open {
    /// Whether storewatch's tables may be created where there are none.
    fn schema(self) -> Schema {
        match self {
            Open::CreateIfMissing => Schema::Create,
            Open::MustExist => Schema::MustExist,
        }
    }
}

/// Where the key sealing alert secrets is kept unless given: beside an
/// SQLite database file (a copy of the file alone does not hold it); none
/// for PostgreSQL (every instance must share one: it is given) or memory.
pub fn default_alert_key_file(url: &str) -> Option<PathBuf> {
    if !url.starts_with("sqlite:") {
        return None;
    }
    let file = SqliteDatabase::file_of(url).ok()??;
    Some(PathBuf::from(format!("{}.alert-key", file.display())))
}

/// Connects to the backend `url` names and runs `work` on it.
pub async fn launch(url: &str, open: Open, work: impl WithDatabase) -> Result<()> {
    if url.starts_with("sqlite:") {
        if open == Open::MustExist
            && let Some(file) = SqliteDatabase::file_of(url)?
            && !file.exists()
        {
            bail!(
                "no database at {}: ingest data first (storewatch ingest --data-dir DIR), or point --database-url at an existing database",
                file.display()
            );
        }
        return work
            .run(SqliteDatabase::open(url, open.schema()).await?)
            .await;
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return work
            .run(PostgresDatabase::open(url, open.schema()).await?)
            .await;
    }
    bail!("unsupported database URL {url:?}: expected sqlite://FILE or postgres://…")
}
