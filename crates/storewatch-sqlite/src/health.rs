//! The SQLite health check: both files answer, carry this build's schema,
//! are still the files opened, and take a write.

use std::path::PathBuf;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqlitePool};
use storewatch_db::Unhealthy;

use crate::{SqliteDatabase, db_err};

pub(crate) static DATA_MIGRATIONS: Migrator = sqlx::migrate!("./migrations");
pub(crate) static JOBS_MIGRATIONS: Migrator = sqlx::migrate!("./migrations-jobs");

/// A file as opened: its path and identity (device and inode), to tell
/// whether the path still names it.
#[derive(Clone, Debug)]
pub(crate) struct OpenedFile {
    pub path: PathBuf,
    pub identity: Option<(u64, u64)>,
}

impl OpenedFile {
    pub fn new(path: PathBuf) -> OpenedFile {
        let identity = identity(&path);
        OpenedFile { path, identity }
    }
}

#[cfg(unix)]
fn identity(path: &std::path::Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(_: &std::path::Path) -> Option<(u64, u64)> {
    None
}

/// Whether `pool`'s file holds storewatch's data tables (at any version):
/// a command that only reads refuses a file without them.
pub(crate) async fn has_schema(pool: &SqlitePool) -> Result<bool, storewatch_db::DbError> {
    sqlx::query_scalar(
        "SELECT count(*) = 2 FROM sqlite_master
         WHERE type = 'table' AND name IN ('_sqlx_migrations', 'stores')",
    )
    .fetch_one(pool)
    .await
    .map_err(db_err)
}

/// The newest migration `pool`'s database has applied, if it has the table.
async fn applied_version(pool: &SqlitePool) -> Option<i64> {
    sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await
        .ok()
        .flatten()
}

/// The schema at this build's version, migrating a database that is behind.
async fn check_schema(pool: &SqlitePool, migrator: &Migrator) -> Result<(), Unhealthy> {
    let wanted = migrator.iter().map(|m| m.version).max();
    if applied_version(pool).await == wanted {
        return Ok(());
    }
    tracing::warn!("the database schema is missing or behind; migrating it again");
    migrator
        .run(pool)
        .await
        .map_err(|e| Unhealthy::new("schema", storewatch_db::DbError::backend(e)))
}

/// SQLITE_BUSY, or one of its extended codes.
fn is_busy(code: Option<&str>) -> bool {
    code.and_then(|c| c.parse::<i64>().ok())
        .is_some_and(|c| c & 0xff == 5)
}

const WRITE: &str = "INSERT INTO service_health (id, checked_at) VALUES (1, ?)
                     ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at";

impl SqliteDatabase {
    /// Fails if a file this database opened was deleted or replaced since:
    /// its connections would go on writing into a file nobody will open
    /// again, and what they acknowledged would be lost at the next start.
    pub(crate) fn check_files(&self) -> Result<(), storewatch_db::DbError> {
        for file in &self.files {
            if identity(&file.path) != file.identity {
                return Err(storewatch_db::DbError::backend(std::io::Error::other(
                    format!(
                        "{} was deleted or replaced since it was opened; restart to open what is there now",
                        file.path.display()
                    ),
                )));
            }
        }
        Ok(())
    }

    pub(crate) async fn check_health(&self, now: i64) -> Result<(), Unhealthy> {
        for pool in [&self.pool, &self.jobs] {
            sqlx::query("SELECT 1")
                .execute(pool)
                .await
                .map_err(|e| Unhealthy::new("database", db_err(e)))?;
        }
        // Before anything that might open a new connection (which would
        // create a new, empty file where the old one was).
        self.check_files().map_err(|e| Unhealthy::new("file", e))?;
        check_schema(&self.pool, &DATA_MIGRATIONS).await?;
        check_schema(&self.jobs, &JOBS_MIGRATIONS).await?;
        sqlx::query(WRITE)
            .bind(now)
            .execute(&self.jobs)
            .await
            .map_err(|e| Unhealthy::new("write", db_err(e)))?;
        // The data file's writer lock may be held by an ingest for seconds:
        // a connection of its own that does not wait, and "busy" is proof
        // enough that writes happen.
        if let Some(file) = self.files.first() {
            let written = async {
                let mut conn = SqliteConnectOptions::new()
                    .filename(&file.path)
                    .busy_timeout(Duration::from_millis(100))
                    .connect()
                    .await?;
                sqlx::query(WRITE).bind(now).execute(&mut conn).await?;
                conn.close().await
            }
            .await;
            match written {
                Ok(()) => {}
                Err(sqlx::Error::Database(e)) if is_busy(e.code().as_deref()) => {}
                Err(e) => return Err(Unhealthy::new("write", db_err(e))),
            }
        }
        Ok(())
    }
}
