//! The schema's migrations, applied in order at opening.
//!
//! The record of what is applied is sqlx's `_sqlx_migrations` table, in the
//! form sqlx wrote it when this backend ran on sqlx: databases made then
//! open now without a step, and a database made now opens in an older
//! build. A migration and its record are one transaction, and the whole run
//! holds the write lock, so two processes opening one file at once apply
//! each migration once.

use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha384};
use storewatch_db::DbError;

use crate::query;

pub(crate) struct Migration {
    pub version: i64,
    /// The file name after the version, as sqlx recorded it.
    pub description: &'static str,
    pub sql: &'static str,
}

/// The migrations of one file, in version order.
pub(crate) struct Migrations(pub &'static [Migration]);

macro_rules! migration {
    ($version:literal, $description:literal, $file:literal) => {
        Migration {
            version: $version,
            description: $description,
            sql: include_str!($file),
        }
    };
}

/// The data file: polls, business hours, time zones, special hours.
pub(crate) static DATA: Migrations = Migrations(&[
    migration!(1, "data", "../migrations/0001_data.sql"),
    migration!(2, "source files", "../migrations/0002_source_files.sql"),
    migration!(3, "special hours", "../migrations/0003_special_hours.sql"),
    migration!(4, "provenance", "../migrations/0004_provenance.sql"),
    migration!(5, "health", "../migrations/0005_health.sql"),
    migration!(6, "poll days", "../migrations/0006_poll_days.sql"),
    migration!(
        7,
        "covering indexes",
        "../migrations/0007_covering_indexes.sql"
    ),
    migration!(8, "keys made", "../migrations/0008_keys_made.sql"),
]);

/// The jobs file: reports, their shards, API keys, alerts.
pub(crate) static JOBS: Migrations = Migrations(&[
    migration!(1, "reports", "../migrations-jobs/0001_reports.sql"),
    migration!(
        2,
        "report columns",
        "../migrations-jobs/0002_report_columns.sql"
    ),
    migration!(3, "api keys", "../migrations-jobs/0003_api_keys.sql"),
    migration!(4, "health", "../migrations-jobs/0004_health.sql"),
    migration!(
        5,
        "report shards",
        "../migrations-jobs/0005_report_shards.sql"
    ),
    migration!(6, "report kind", "../migrations-jobs/0006_report_kind.sql"),
    migration!(7, "alerts", "../migrations-jobs/0007_alerts.sql"),
]);

const RECORD_TABLE: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
)";

impl Migrations {
    /// The newest version.
    pub(crate) fn newest(&self) -> i64 {
        self.0.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Applies every migration not applied yet.
    pub(crate) fn run(&self, conn: &mut Connection) -> Result<(), DbError> {
        self.run_to(self.newest(), conn)
    }

    /// Applies the migrations up to `version` not applied yet.
    pub(crate) fn run_to(&self, version: i64, conn: &mut Connection) -> Result<(), DbError> {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(DbError::backend)?;
        tx.execute_batch(RECORD_TABLE).map_err(DbError::backend)?;
        for m in self.0.iter().filter(|m| m.version <= version) {
            let applied: Option<bool> = tx
                .query_row(
                    "SELECT success FROM _sqlx_migrations WHERE version = ?1",
                    [m.version],
                    |r| r.get(0),
                )
                .optional()
                .map_err(DbError::backend)?;
            match applied {
                Some(true) => continue,
                Some(false) => {
                    return Err(DbError::backend(std::io::Error::other(format!(
                        "migration {} ({}) was left half applied; restore the database from a backup",
                        m.version, m.description
                    ))));
                }
                None => {}
            }
            let started = std::time::Instant::now();
            tx.execute_batch(m.sql).map_err(|e| {
                DbError::backend(std::io::Error::other(format!(
                    "migration {} ({}): {e}",
                    m.version, m.description
                )))
            })?;
            let nanos = i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX);
            tx.execute(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
                 VALUES (?1, ?2, TRUE, ?3, ?4)",
                rusqlite::params![
                    m.version,
                    m.description,
                    Sha384::digest(m.sql.as_bytes()).as_slice(),
                    nanos
                ],
            )
            .map_err(DbError::backend)?;
        }
        tx.commit().map_err(DbError::backend)
    }
}

/// Whether the file holds storewatch's data tables (at any version): a
/// command that only reads refuses a file without them.
pub(crate) fn has_schema(conn: &mut Connection) -> Result<bool, DbError> {
    query::scalar(
        conn,
        "SELECT count(*) = 2 FROM sqlite_master
         WHERE type = 'table' AND name IN ('_sqlx_migrations', 'stores')",
        &[],
    )
}

/// The newest migration the database has applied, if it has the table.
pub(crate) fn applied_version(conn: &Connection) -> Option<i64> {
    conn.query_row(
        "SELECT max(version) FROM _sqlx_migrations WHERE success",
        [],
        |r| r.get(0),
    )
    .ok()
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::{DATA, JOBS};

    /// Every migration file is listed, in order, with the description sqlx
    /// gave it (its file name after the version, underscores as spaces).
    #[test]
    fn every_migration_file_is_listed_as_sqlx_named_it() {
        for (dir, list) in [("migrations", &DATA), ("migrations-jobs", &JOBS)] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            let mut files: Vec<String> = std::fs::read_dir(path)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            files.sort();
            let listed: Vec<String> = list
                .0
                .iter()
                .map(|m| format!("{:04}_{}.sql", m.version, m.description.replace(' ', "_")))
                .collect();
            assert_eq!(files, listed, "{dir}");
        }
    }
}
