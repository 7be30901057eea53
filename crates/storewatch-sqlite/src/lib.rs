//! Embedded SQLite backend: the default, needing no server.
//!
//! Layout and speed notes are in `migrations/` and in `docs/performance.md`.
//! In short: polls live in a WITHOUT ROWID table keyed by (store key, UTC
//! day), each row the day's polls packed into one array (storewatch-db's
//! `poll_days`); an ingest merges a file into the days it touches, written
//! in large multi-row statements, and a report reads each store's days of
//! the period (about 8 rows of raw bytes a store a week, not a row per
//! poll), stepping SQLite's rows directly (report_read.rs).
//!
//! One driver, rusqlite, on a small pool of connections used on tokio's
//! blocking threads (pool.rs); the statements both backends agree on are
//! storewatch-db's `sql.rs`, bound by name (query.rs).
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

mod alerts;
mod data;
mod files;
mod health;
mod jobs;
mod keys;
mod migrate;
mod pool;
mod query;
mod report_read;
mod url;
mod writer;

use pool::{Pool, Target};
use storewatch_db::{DbError, Schema};

#[derive(Clone, Debug)]
pub struct SqliteDatabase {
    /// Polls, business hours, time zones, special hours, fingerprints.
    data: Pool,
    /// Report jobs and API keys, in a file of their own so their writes
    /// never wait for an ingest's (SQLite allows one writer per file).
    jobs: Pool,
    /// The data file and the jobs file as opened (none in memory), for the
    /// health check.
    files: Vec<files::OpenedFile>,
}

/// Connections a pool holds at most: reports read in parallel, writes
/// take turns anyway.
const POOL_CONNECTIONS: usize = 4;

/// `storewatch.db` → `storewatch.jobs.db` (`data` → `data.jobs.db`).
fn jobs_file(data: &Path) -> PathBuf {
    let stem = data
        .file_stem()
        .map_or_else(|| "storewatch".into(), |s| s.to_string_lossy().into_owned());
    data.with_file_name(format!("{stem}.jobs.db"))
}

impl SqliteDatabase {
    /// Opens (creating if missing) the database at `url` (`sqlite://file.db`,
    /// `sqlite:///abs/path.db`, `sqlite::memory:`) and brings its schema up to
    /// date. Report jobs go to a second file beside it, `file.jobs.db`.
    pub async fn connect(url: &str) -> Result<SqliteDatabase, DbError> {
        SqliteDatabase::open(url, Schema::Create).await
    }

    /// As [`SqliteDatabase::connect`], but with [`Schema::MustExist`] a
    /// database without storewatch's tables is refused, untouched.
    pub async fn open(url: &str, schema: Schema) -> Result<SqliteDatabase, DbError> {
        let target = url::target(url, schema == Schema::Create)?;
        let jobs_target = match &target {
            Target::Memory => Target::Memory,
            Target::File {
                path, read_only, ..
            } => Target::File {
                path: jobs_file(path),
                create: true,
                read_only: *read_only,
            },
        };
        let files = match (&target, &jobs_target) {
            (Target::File { path: data, .. }, Target::File { path: jobs, .. }) => vec![
                files::OpenedFile::new(data.clone()),
                files::OpenedFile::new(jobs.clone()),
            ],
            _ => Vec::new(),
        };
        let data = Pool::open(target, POOL_CONNECTIONS)?;
        if schema == Schema::MustExist && !data.run(migrate::has_schema).await? {
            let database = match data.target() {
                Target::File { path, .. } => path.display().to_string(),
                Target::Memory => url.to_string(),
            };
            return Err(DbError::NoSchema { database });
        }
        data.run(|c| migrate::DATA.run(c)).await?;
        let jobs = Pool::open(jobs_target, POOL_CONNECTIONS)?;
        jobs.run(|c| migrate::JOBS.run(c)).await?;
        // The identities after opening: the files exist now.
        let files = files
            .into_iter()
            .map(|f| files::OpenedFile::new(f.path))
            .collect();
        let db = SqliteDatabase { data, jobs, files };
        db.record_existing_keys().await?;
        Ok(db)
    }

    /// Fails if the data file or the jobs file was deleted or replaced
    /// since it was opened (see files.rs).
    pub(crate) fn check_files(&self) -> Result<(), DbError> {
        files::check(&self.files)
    }

    /// The data file a URL names; `None` for an in-memory database.
    pub fn file_of(url: &str) -> Result<Option<PathBuf>, DbError> {
        Ok(match url::target(url, false)? {
            Target::File { path, .. } => Some(path),
            Target::Memory => None,
        })
    }

    /// Runs `sql` (no parameters, several statements allowed) on the data
    /// file: for tests that break a database on purpose.
    #[doc(hidden)]
    pub async fn execute_batch_for_tests(&self, sql: &str) -> Result<(), DbError> {
        let sql = sql.to_string();
        self.data
            .run(move |c| c.execute_batch(&sql).map_err(DbError::backend))
            .await
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use storewatch_db::DataStore;

    /// A database of the layout before issue 11 (a row per poll) keeps every
    /// poll when migrated to a row per store and day: the same polls, the
    /// same statuses, the same newest poll.
    #[tokio::test]
    async fn migrating_from_a_row_per_poll_keeps_every_poll() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let want = storewatch_db::conformance::polls_for_a_migration();
        {
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            super::migrate::DATA.run_to(5, &mut conn).unwrap();
            for (key, id) in ["store-0", "store-1", "store-2"].iter().enumerate() {
                conn.execute(
                    "INSERT INTO stores (key, store_id) VALUES (?1, ?2)",
                    rusqlite::params![key as i64 + 1, id],
                )
                .unwrap();
            }
            for (id, ts, active) in &want {
                conn.execute(
                    "INSERT INTO polls (store_key, ts, active)
                     VALUES ((SELECT key FROM stores WHERE store_id = ?1), ?2, ?3)",
                    rusqlite::params![id, ts, i64::from(*active)],
                )
                .unwrap();
            }
            let newest = want.iter().map(|w| w.1).max();
            conn.execute(
                "UPDATE poll_log_meta SET newest_ts = ?1 WHERE id = 1",
                [newest],
            )
            .unwrap();
        }
        let url = format!("sqlite://{}", path.display());
        let db = super::SqliteDatabase::connect(&url).await.unwrap();
        storewatch_db::conformance::migrated_polls_are_all_there(&db).await;
    }

    /// The cache and map settings of every connection the data pool holds
    /// (an in-memory database has no map: SQLite maps files).
    fn settings(db: &super::SqliteDatabase) -> Vec<(i64, Option<i64>)> {
        use rusqlite::OptionalExtension;
        db.data.each_idle(|c| {
            let get = |p: &str| {
                c.query_row(&format!("PRAGMA {p}"), [], |r| r.get::<_, i64>(0))
                    .optional()
                    .unwrap()
            };
            (get("cache_size").unwrap(), get("mmap_size"))
        })
    }

    /// An ingest runs with a small cache and no memory map; its connection
    /// goes back to the pool with the read settings: the cache (which the
    /// ingest shrank) and the memory map (which it turned off).
    #[tokio::test]
    async fn an_ingest_gives_its_connection_back_with_the_read_settings() {
        let read = (super::pool::CACHE_KIB, Some(super::pool::MMAP_SIZE as i64));
        let zone = || storewatch_db::IngestBatch {
            timezones: Some(vec![("s1".to_string(), "Europe/Paris".to_string())]),
            ..Default::default()
        };
        let db = super::SqliteDatabase::connect("sqlite::memory:")
            .await
            .unwrap();
        db.ingest(zone()).await.unwrap();
        assert_eq!(settings(&db), vec![(read.0, None)]);

        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("s.db").display());
        let db = super::SqliteDatabase::connect(&url).await.unwrap();
        db.ingest(zone()).await.unwrap();
        let all = settings(&db);
        assert!(!all.is_empty());
        assert!(all.iter().all(|s| *s == read), "{all:?}");
    }

    /// A read that keeps to the page cache (the offline list) gives its
    /// connection back mapped, for the reports after it.
    #[tokio::test]
    async fn a_bounded_read_gives_its_connection_back_mapped() {
        use storewatch_db::{ReadMemory, Stores, batch_channel};
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("s.db").display());
        let db = super::SqliteDatabase::connect(&url).await.unwrap();
        let (sink, _batches) = batch_channel(8);
        let week = storewatch_core::report::PeriodSpec::WEEK;
        db.report_batches(Some(0), week, Stores::All, ReadMemory::Bounded, sink)
            .await
            .unwrap();
        let all = settings(&db);
        assert!(!all.is_empty());
        for (_, map) in all {
            assert_eq!(map, Some(super::pool::MMAP_SIZE as i64));
        }
    }

    #[test]
    fn the_jobs_file_sits_beside_the_data_file() {
        assert_eq!(
            super::jobs_file(Path::new("storewatch.db")),
            Path::new("storewatch.jobs.db")
        );
        assert_eq!(
            super::jobs_file(Path::new("/var/lib/sw/data")),
            Path::new("/var/lib/sw/data.jobs.db")
        );
    }
}
