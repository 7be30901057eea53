//! Embedded SQLite backend: the default, needing no server.
//!
//! Layout and speed notes are in `migrations/` and in `docs/performance.md`.
//! In short: polls live in a WITHOUT ROWID table keyed by (store key, UTC
//! day), each row the day's polls packed into one array (storewatch-db's
//! `poll_days`); an ingest merges a file into the days it touches, written
//! in large multi-row statements, and a report reads each store's days of
//! the week (about 8 rows of raw bytes a store, not a row per poll) through
//! SQLite's C API (report_read.rs).

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::SqliteArguments;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Arguments, AssertSqlSafe, Connection, Row, SqliteConnection, SqlitePool};

mod health;
mod jobs;
mod keys;
mod packed;
mod report_read;
use packed::Cursor;

use storewatch_core::domain::{HoursRow, Micros, SharedId, SpecialHoursRow};
use storewatch_core::ingest::SourceKind;
use storewatch_core::report::{PeriodSpec, ReportInput};
use storewatch_db::batch::{BatchWriter, StoredDay, write_batch};
use storewatch_db::columns::{IngestRow, ingest_record, special_columns};
use storewatch_db::deletion::{self, RetentionCursor, RetentionStep};
use storewatch_db::poll_days;
use storewatch_db::{
    Applied, BatchSink, Counts, DataStore, DbError, IngestBatch, IngestRecord, PollDeletion,
    ReadMemory, Schema, SourceFingerprint, Stores, Unhealthy,
};

/// How much of the database file reads map into memory (a report's read).
pub(crate) const MMAP_SIZE: u64 = 1 << 30;

/// SQLite's page cache per connection, in KiB as `cache_size` takes it
/// (negative), for reads and for an ingest's writes.
const CACHE_KIB: i64 = -65_536;
const INGEST_CACHE_KIB: i64 = -16_384;

/// SQLite allows 32766 bound values per statement; stay under it.
const MAX_VALUES: usize = 30_000;

#[derive(Clone, Debug)]
pub struct SqliteDatabase {
    /// Polls, business hours, time zones, source fingerprints.
    pool: SqlitePool,
    /// Report jobs, in a file of their own so their writes never wait for an
    /// ingest's (SQLite allows one writer per file).
    jobs: SqlitePool,
    /// The data file and the jobs file as opened (none in memory), for the
    /// health check.
    files: Vec<health::OpenedFile>,
}

fn connect_options(url: &str) -> Result<SqliteConnectOptions, DbError> {
    Ok(SqliteConnectOptions::from_str(url)
        .map_err(|e| DbError::BadUrl {
            url: url.to_string(),
            reason: e.to_string(),
        })?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(60))
        .foreign_keys(false)
        .pragma("cache_size", CACHE_KIB.to_string())
        .pragma("mmap_size", MMAP_SIZE.to_string())
        .pragma("temp_store", "memory"))
}

/// `storewatch.db` → `storewatch.jobs.db` (`data` → `data.jobs.db`).
fn jobs_file(data: &std::path::Path) -> std::path::PathBuf {
    let stem = data
        .file_stem()
        .map_or_else(|| "storewatch".into(), |s| s.to_string_lossy().into_owned());
    data.with_file_name(format!("{stem}.jobs.db"))
}

fn db_err(e: sqlx::Error) -> DbError {
    DbError::backend(e)
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
        let in_memory = url.contains(":memory:");
        let options = connect_options(url)?;
        let data_path = options.get_filename().to_path_buf();
        // Parsed afresh: sqlx names an in-memory database when it parses the
        // URL, and the jobs must not share the data's.
        let jobs_options = if in_memory {
            connect_options(url)?
        } else {
            options.clone().filename(jobs_file(options.get_filename()))
        };
        // An in-memory database lives and dies with its one connection:
        // keep exactly one, forever.
        let pool_options = || {
            if in_memory {
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
            } else {
                SqlitePoolOptions::new().max_connections(POOL_CONNECTIONS)
            }
        };
        let options = options.create_if_missing(schema == Schema::Create);
        let pool = pool_options().connect_with(options).await.map_err(db_err)?;
        if schema == Schema::MustExist && !health::has_schema(&pool).await? {
            pool.close().await;
            return Err(DbError::NoSchema {
                database: data_path.display().to_string(),
            });
        }
        let jobs = pool_options()
            .connect_with(jobs_options)
            .await
            .map_err(db_err)?;
        health::DATA_MIGRATIONS
            .run(&pool)
            .await
            .map_err(DbError::backend)?;
        health::JOBS_MIGRATIONS
            .run(&jobs)
            .await
            .map_err(DbError::backend)?;
        let files = if in_memory {
            Vec::new()
        } else {
            let jobs_path = jobs_file(&data_path);
            vec![
                health::OpenedFile::new(data_path),
                health::OpenedFile::new(jobs_path),
            ]
        };
        let db = SqliteDatabase { pool, jobs, files };
        db.record_existing_keys().await?;
        Ok(db)
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The data file a URL names; `None` for an in-memory database.
    pub fn file_of(url: &str) -> Result<Option<std::path::PathBuf>, DbError> {
        if url.contains(":memory:") {
            return Ok(None);
        }
        Ok(Some(connect_options(url)?.get_filename().to_path_buf()))
    }

    /// Moves everything from the write-ahead log into the database files and
    /// closes the connections, so the `.db` file alone holds the data (a
    /// copy of it is complete). For the end of a command-line run.
    async fn close_connections(&self) {
        for pool in [&self.pool, &self.jobs] {
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(pool)
                .await
            {
                tracing::warn!(error = %e, "could not checkpoint the write-ahead log");
            }
            pool.close().await;
        }
    }
}

/// `INSERT … VALUES (?,?,?),(?,?,?)…` for `rows` rows of `width` values.
fn values_sql(head: &str, rows: usize, width: usize, tail: &str) -> String {
    let tuple = format!("({})", vec!["?"; width].join(","));
    let mut sql = String::with_capacity(head.len() + rows * (tuple.len() + 1) + tail.len());
    sql.push_str(head);
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&tuple);
    }
    sql.push_str(tail);
    sql
}

type Tx<'c> = sqlx::Transaction<'c, sqlx::Sqlite>;

/// Runs `work` on a connection of `pool`. A connection on which the work
/// failed is closed, not handed back: after a failed COMMIT (a full disk,
/// say) sqlx may still count it inside a transaction, and every later BEGIN
/// on it would fail ("non-zero transaction depth") until a restart. Closed,
/// the pool opens a fresh one, and the service recovers once the cause is
/// gone.
pub(crate) async fn on_connection<T>(
    pool: &SqlitePool,
    work: impl AsyncFnOnce(&mut SqliteConnection) -> Result<T, DbError>,
) -> Result<T, DbError> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    let result = work(&mut conn).await;
    if result.is_err() {
        conn.close_on_drop();
    }
    result
}

/// Connections a pool holds at most (see [`SqliteDatabase::connect`]).
const POOL_CONNECTIONS: u32 = 4;

/// Like [`on_connection`], for work that writes the data: on a connection
/// that is known to take writes. SQLite opens a file it may not write
/// (read-only, immutable, on a read-only mount) read-only without a word,
/// and such a connection stays read-only after the file is writable again;
/// a pool that opened some then hands them out at random, so writes kept
/// failing long after the cause was gone. A cheap write rolled back tells
/// them apart, and a read-only one is closed and the next one tried.
pub(crate) async fn on_writable_connection<T>(
    pool: &SqlitePool,
    work: impl AsyncFnOnce(&mut SqliteConnection) -> Result<T, DbError>,
) -> Result<T, DbError> {
    let mut tries = 0;
    loop {
        let mut conn = pool.acquire().await.map_err(db_err)?;
        match takes_writes(&mut conn).await {
            Ok(()) => {
                let result = work(&mut conn).await;
                if result.is_err() {
                    conn.close_on_drop();
                }
                return result;
            }
            Err(e) => {
                conn.close_on_drop();
                tries += 1;
                let read_only = matches!(&e, sqlx::Error::Database(d)
                    if d.code().and_then(|c| c.parse::<i64>().ok()).is_some_and(|c| c & 0xff == 8));
                if !read_only || tries > POOL_CONNECTIONS {
                    return Err(db_err(e));
                }
            }
        }
    }
}

/// Whether a write goes through on `conn`: one that changes nothing, rolled back.
async fn takes_writes(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query("UPDATE poll_log_meta SET id = id WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    tx.rollback().await
}

impl DataStore for SqliteDatabase {
    async fn ingest(&self, batch: IngestBatch) -> Result<Applied, DbError> {
        self.check_files()?;
        on_writable_connection(&self.pool, async |conn| {
            // An ingest reads the pages it writes into through SQLite's own
            // cache, not the memory map: mapped, every page of a large file
            // it touches would count in the process's memory (200 MiB for 10×
            // the real data set) for no gain, since writes go to the log.
            // And a smaller cache: 16 MiB instead of 64 took 50 MiB off the
            // peak of the 10× polls file and no time (docs/performance.md).
            sqlx::query(AssertSqlSafe(format!(
                "PRAGMA mmap_size = 0; PRAGMA cache_size = {INGEST_CACHE_KIB}"
            )))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
            // IMMEDIATE takes the write lock up front: a deferred transaction
            // that upgrades later can fail with SQLITE_BUSY instead of waiting.
            let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
            let applied = write_batch(&mut Writer(&mut tx), batch).await?;
            tx.commit().await.map_err(db_err)?;
            // Back to the read settings: the connection returns to the pool
            // for reports (after a failure it is closed instead).
            sqlx::query(AssertSqlSafe(format!(
                "PRAGMA mmap_size = {MMAP_SIZE}; PRAGMA cache_size = {CACHE_KIB}"
            )))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
            Ok(applied)
        })
        .await
    }

    async fn report_input(
        &self,
        as_of: Option<Micros>,
        selected: Stores<'_>,
    ) -> Result<ReportInput, DbError> {
        let (as_of, stores) = report_read::read_report(
            &self.pool,
            as_of,
            PeriodSpec::WEEK,
            selected,
            ReadMemory::Mapped,
            Vec::new(),
        )
        .await?;
        Ok(ReportInput { as_of, stores })
    }

    async fn report_batches(
        &self,
        as_of: Option<Micros>,
        span: PeriodSpec,
        selected: Stores<'_>,
        memory: ReadMemory,
        sink: BatchSink,
    ) -> Result<(), DbError> {
        report_read::read_report(&self.pool, as_of, span, selected, memory, sink).await?;
        Ok(())
    }

    async fn counts(&self) -> Result<Counts, DbError> {
        let row = sqlx::query(
            "SELECT (SELECT count(*) FROM stores) AS stores,
                    (SELECT coalesce(sum(length(polls)), 0) / 8 FROM poll_days) AS polls,
                    (SELECT count(*) FROM business_hours) AS business_hours,
                    (SELECT count(*) FROM timezones) AS timezones,
                    (SELECT count(*) FROM special_hours) AS special_hours,
                    (SELECT newest_ts FROM poll_log_meta WHERE id = 1) AS newest_poll",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        let n = |name: &str| row.get::<i64, _>(name) as u64;
        Ok(Counts {
            stores: n("stores"),
            polls: n("polls"),
            business_hours: n("business_hours"),
            timezones: n("timezones"),
            special_hours: n("special_hours"),
            newest_poll: row.get("newest_poll"),
        })
    }

    async fn newest_poll(&self) -> Result<Option<Micros>, DbError> {
        sqlx::query_scalar("SELECT newest_ts FROM poll_log_meta WHERE id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)
    }

    async fn find_stores(&self, query: &str, limit: u32) -> Result<Vec<String>, DbError> {
        // instr, not LIKE: a query's `%` and `_` are plain characters.
        sqlx::query_scalar(
            "SELECT store_id FROM stores WHERE instr(lower(store_id), lower(?1)) > 0
             ORDER BY store_id LIMIT ?2",
        )
        .bind(query)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)
    }

    async fn store_bounds(&self, per: u32) -> Result<Vec<String>, DbError> {
        // Text compares byte for byte (BINARY): the order of StoreRange.
        sqlx::query_scalar(
            "SELECT store_id FROM (SELECT store_id, row_number() OVER (ORDER BY store_id) - 1 AS n
                                     FROM stores)
              WHERE n > 0 AND n % ?1 = 0 ORDER BY store_id",
        )
        .bind(i64::from(per.max(1)))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)
    }

    async fn close(&self) {
        self.close_connections().await;
    }

    async fn health(&self, now: Micros) -> Result<(), Unhealthy> {
        self.check_health(now).await
    }

    async fn source_fingerprint(
        &self,
        kind: SourceKind,
    ) -> Result<Option<SourceFingerprint>, DbError> {
        let row: Option<(String, String, String, i64)> = sqlx::query_as(
            "SELECT kind, path, sha256, ingested_at FROM source_files WHERE kind = ?",
        )
        .bind(kind.name())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(row.map(|(_, path, sha256, ingested_at)| SourceFingerprint {
            kind,
            path,
            sha256,
            ingested_at,
        }))
    }

    async fn delete_polls(&self, deletion: &PollDeletion) -> Result<u64, DbError> {
        on_writable_connection(&self.pool, async |conn| {
            let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
            let deleted = deletion::delete_polls(&mut Writer(&mut tx), deletion).await?;
            tx.commit().await.map_err(db_err)?;
            Ok(deleted)
        })
        .await
    }

    async fn retention_step(
        &self,
        cutoff: Micros,
        at: RetentionCursor,
        limit: u32,
    ) -> Result<RetentionStep, DbError> {
        self.check_files()?;
        on_writable_connection(&self.pool, async |conn| {
            let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
            let step = deletion::retention_step(&mut Writer(&mut tx), cutoff, at, limit).await?;
            tx.commit().await.map_err(db_err)?;
            Ok(step)
        })
        .await
    }

    async fn ingests(&self, limit: u32, before: Option<i64>) -> Result<Vec<IngestRecord>, DbError> {
        let rows: Vec<IngestRow> = sqlx::query_as(
            "SELECT id, at, source, label, origin, key_id, rows, sha256 FROM ingests
              WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.into_iter().map(ingest_record).collect()
    }
}

/// The SQL of an ingest, inside its transaction.
struct Writer<'t, 'c>(&'t mut Tx<'c>);

impl BatchWriter for Writer<'_, '_> {
    async fn replace_timezones(&mut self, rows: &[(String, String)]) -> Result<u64, DbError> {
        delete_all(self.0, "timezones").await?;
        for chunk in rows.chunks(MAX_VALUES / 2) {
            let sql = values_sql(
                "INSERT INTO timezones (store_id, timezone) VALUES ",
                chunk.len(),
                2,
                "",
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for (id, zone) in chunk {
                q = q.bind(id.as_str()).bind(zone.as_str());
            }
            q.execute(&mut **self.0).await.map_err(db_err)?;
        }
        Ok(rows.len() as u64)
    }

    async fn replace_business_hours(
        &mut self,
        rows: &[(SharedId, HoursRow)],
    ) -> Result<u64, DbError> {
        delete_all(self.0, "business_hours").await?;
        for chunk in rows.chunks(MAX_VALUES / 4) {
            let sql = values_sql(
                "INSERT INTO business_hours (store_id, day, start_s, end_s) VALUES ",
                chunk.len(),
                4,
                "",
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for (id, row) in chunk {
                q = q
                    .bind(&**id)
                    .bind(row.day.index() as i64)
                    .bind(i64::from(row.start.seconds()))
                    .bind(i64::from(row.end.seconds()));
            }
            q.execute(&mut **self.0).await.map_err(db_err)?;
        }
        Ok(rows.len() as u64)
    }

    async fn replace_special_hours(
        &mut self,
        rows: &[(String, SpecialHoursRow)],
    ) -> Result<u64, DbError> {
        delete_all(self.0, "special_hours").await?;
        for chunk in rows.chunks(MAX_VALUES / 4) {
            let sql = values_sql(
                "INSERT INTO special_hours (store_id, date, start_s, end_s) VALUES ",
                chunk.len(),
                4,
                "",
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for (id, row) in chunk {
                let (date, start, end) = special_columns(row);
                q = q.bind(id.as_str()).bind(date).bind(start).bind(end);
            }
            q.execute(&mut **self.0).await.map_err(db_err)?;
        }
        Ok(rows.len() as u64)
    }

    async fn store_keys(&mut self, ids: &[&str]) -> Result<Vec<i64>, DbError> {
        // `ids` are fewer than SQLite's bound values per statement.
        let sql = values_sql(
            "INSERT INTO stores (store_id) VALUES ",
            ids.len(),
            1,
            " ON CONFLICT (store_id) DO NOTHING",
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(*id);
        }
        q.execute(&mut **self.0).await.map_err(db_err)?;
        // The keys of these ids only (through the store_id index): the
        // stores table may hold millions.
        let sql = format!(
            "SELECT key, store_id FROM stores WHERE store_id IN ({})",
            vec!["?"; ids.len()].join(",")
        );
        let mut q = sqlx::query_as::<_, (i64, String)>(AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(*id);
        }
        let found: HashMap<String, i64> = q
            .fetch_all(&mut **self.0)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(|(key, id)| (id, key))
            .collect();
        Ok(ids
            .iter()
            .filter_map(|id| found.get(*id).copied())
            .collect())
    }

    async fn stored_days(
        &mut self,
        keys: &[i64],
        first: i64,
        last: i64,
    ) -> Result<Vec<StoredDay>, DbError> {
        // Packed into one row (`key,day,<len>:<array>;…`, the arrays raw as
        // in the report's read): a row per day through sqlx would cost more
        // than the read.
        let keys_json = format!(
            "[{}]",
            keys.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        let packed: Option<Vec<u8>> = sqlx::query_scalar(
            "SELECT CAST(group_concat(store_key || ',' || day || ',' || length(polls) || ':'
                                      || polls || ';', '') AS BLOB)
               FROM poll_days
              WHERE store_key IN (SELECT value FROM json_each(?1)) AND day BETWEEN ?2 AND ?3",
        )
        .bind(keys_json)
        .bind(first)
        .bind(last)
        .fetch_one(&mut **self.0)
        .await
        .map_err(db_err)?;
        unpack_days(packed.as_deref().unwrap_or_default())
    }

    async fn put_days(&mut self, days: &[(i64, i64, Vec<u8>)]) -> Result<(), DbError> {
        let per = MAX_VALUES / 3;
        let mut full_sql = None;
        for chunk in days.chunks(per) {
            let make = || {
                values_sql(
                    "INSERT INTO poll_days (store_key, day, polls) VALUES ",
                    chunk.len(),
                    3,
                    " ON CONFLICT (store_key, day) DO UPDATE SET polls = excluded.polls",
                )
            };
            let sql = if chunk.len() == per {
                full_sql.get_or_insert_with(make).clone()
            } else {
                make()
            };
            let mut args = SqliteArguments::default();
            args.reserve(chunk.len() * 3, 0);
            for (key, day, polls) in chunk {
                add(&mut args, *key)?;
                add(&mut args, *day)?;
                args.add(polls.as_slice()).map_err(DbError::Backend)?;
            }
            sqlx::query_with(AssertSqlSafe(sql), args)
                .execute(&mut **self.0)
                .await
                .map_err(db_err)?;
        }
        Ok(())
    }

    async fn delete_days(
        &mut self,
        store: Option<&str>,
        first: i64,
        last: i64,
    ) -> Result<u64, DbError> {
        let bytes: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT coalesce(sum(length(polls)), 0) FROM poll_days
              WHERE {} AND day BETWEEN ?2 AND ?3",
            of_store(store)
        )))
        .bind(store)
        .bind(first)
        .bind(last)
        .fetch_one(&mut **self.0)
        .await
        .map_err(db_err)?;
        sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM poll_days WHERE {} AND day BETWEEN ?2 AND ?3",
            of_store(store)
        )))
        .bind(store)
        .bind(first)
        .bind(last)
        .execute(&mut **self.0)
        .await
        .map_err(db_err)?;
        Ok(bytes as u64 / poll_days::POLL_BYTES as u64)
    }

    async fn delete_oldest_days(&mut self, before: i64, limit: u32) -> Result<(u64, u64), DbError> {
        let lengths: Vec<i64> = sqlx::query_scalar(
            "DELETE FROM poll_days WHERE (store_key, day) IN
                    (SELECT store_key, day FROM poll_days WHERE day < ?1 ORDER BY day LIMIT ?2)
             RETURNING length(polls)",
        )
        .bind(before)
        .bind(i64::from(limit))
        .fetch_all(&mut **self.0)
        .await
        .map_err(db_err)?;
        let bytes: i64 = lengths.iter().sum();
        Ok((
            lengths.len() as u64,
            bytes as u64 / poll_days::POLL_BYTES as u64,
        ))
    }

    async fn days_on(
        &mut self,
        store: Option<&str>,
        day: i64,
    ) -> Result<Vec<(i64, Vec<u8>)>, DbError> {
        sqlx::query_as(AssertSqlSafe(format!(
            "SELECT store_key, polls FROM poll_days WHERE {} AND day = ?2",
            of_store(store)
        )))
        .bind(store)
        .bind(day)
        .fetch_all(&mut **self.0)
        .await
        .map_err(db_err)
    }

    async fn days_on_after(
        &mut self,
        day: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, Vec<u8>)>, DbError> {
        sqlx::query_as(
            "SELECT store_key, polls FROM poll_days WHERE day = ?1 AND store_key > ?2
              ORDER BY store_key LIMIT ?3",
        )
        .bind(day)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&mut **self.0)
        .await
        .map_err(db_err)
    }

    async fn delete_day(&mut self, key: i64, day: i64) -> Result<(), DbError> {
        sqlx::query("DELETE FROM poll_days WHERE store_key = ?1 AND day = ?2")
            .bind(key)
            .bind(day)
            .execute(&mut **self.0)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn forget_stores_without_polls(&mut self, store: Option<&str>) -> Result<(), DbError> {
        sqlx::query(
            "DELETE FROM stores WHERE (?1 IS NULL OR store_id = ?1)
               AND NOT EXISTS (SELECT 1 FROM poll_days d WHERE d.store_key = stores.key)",
        )
        .bind(store)
        .execute(&mut **self.0)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn newest_days(&mut self) -> Result<Vec<Vec<u8>>, DbError> {
        sqlx::query_scalar(
            "SELECT polls FROM poll_days WHERE day = (SELECT max(day) FROM poll_days)",
        )
        .fetch_all(&mut **self.0)
        .await
        .map_err(db_err)
    }

    async fn set_newest_poll(&mut self, newest: Option<Micros>) -> Result<(), DbError> {
        sqlx::query("UPDATE poll_log_meta SET newest_ts = ?1 WHERE id = 1")
            .bind(newest)
            .execute(&mut **self.0)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn raise_newest_poll(&mut self, newest: Micros) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE poll_log_meta SET newest_ts = max(coalesce(newest_ts, ?1), ?1) WHERE id = 1",
        )
        .bind(newest)
        .execute(&mut **self.0)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn record_fingerprint(&mut self, fp: &SourceFingerprint) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO source_files (kind, path, sha256, ingested_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (kind) DO UPDATE SET path = excluded.path, sha256 = excluded.sha256,
                                              ingested_at = excluded.ingested_at",
        )
        .bind(fp.kind.name())
        .bind(&fp.path)
        .bind(&fp.sha256)
        .bind(fp.ingested_at)
        .execute(&mut **self.0)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn record_ingest(&mut self, r: &IngestRecord) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO ingests (at, source, label, origin, key_id, rows, sha256)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(r.at)
        .bind(r.source.name())
        .bind(&r.label)
        .bind(&r.by)
        .bind(&r.key_id)
        .bind(i64::try_from(r.rows).unwrap_or(i64::MAX))
        .bind(&r.sha256)
        .execute(&mut **self.0)
        .await
        .map_err(db_err)?;
        Ok(())
    }
}

/// The condition that picks one store's rows by its id (parameter 1), or,
/// with the parameter NULL, every store's.
fn of_store(store: Option<&str>) -> &'static str {
    if store.is_some() {
        "store_key = (SELECT key FROM stores WHERE store_id = ?1)"
    } else {
        "?1 IS NULL"
    }
}

/// Empties a snapshot table (the name is one of ours, never user input).
async fn delete_all(tx: &mut Tx<'_>, table: &'static str) -> Result<(), DbError> {
    sqlx::query(AssertSqlSafe(format!("DELETE FROM {table}")))
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Binding a plain integer cannot fail; the error type is only there for
/// encoders that can.
fn add(args: &mut SqliteArguments, value: i64) -> Result<(), DbError> {
    args.add(value).map_err(DbError::Backend)
}

/// `key,day,<len>:<array>;…` as [`BatchWriter::stored_days`] reads it.
fn unpack_days(bytes: &[u8]) -> Result<Vec<StoredDay>, DbError> {
    let mut out = Vec::new();
    let mut c = Cursor::from_bytes(bytes);
    while !c.at_end() {
        let key = c.int()?;
        c.expect(b',')?;
        let day = c.int()?;
        c.expect(b',')?;
        let len = usize::try_from(c.int()?).map_err(|_| packed::corrupt())?;
        c.expect(b':')?;
        let polls = poll_days::decode(c.take(len)?)?;
        c.expect(b';')?;
        out.push(StoredDay { key, day, polls });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// A database of the layout before issue 11 (a row per poll) keeps every
    /// poll when migrated to a row per store and day: the same polls, the
    /// same statuses, the same newest poll.
    #[tokio::test]
    async fn migrating_from_a_row_per_poll_keeps_every_poll() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("old.db").display());
        let want = storewatch_db::conformance::polls_for_a_migration();
        {
            let pool = sqlx::SqlitePool::connect_with(super::connect_options(&url).unwrap())
                .await
                .unwrap();
            super::health::DATA_MIGRATIONS
                .run_to(5, &pool)
                .await
                .unwrap();
            for (key, id) in ["store-0", "store-1", "store-2"].iter().enumerate() {
                sqlx::query("INSERT INTO stores (key, store_id) VALUES (?, ?)")
                    .bind(key as i64 + 1)
                    .bind(id)
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            for (id, ts, active) in &want {
                sqlx::query(
                    "INSERT INTO polls (store_key, ts, active)
                     VALUES ((SELECT key FROM stores WHERE store_id = ?), ?, ?)",
                )
                .bind(id)
                .bind(ts)
                .bind(i64::from(*active))
                .execute(&pool)
                .await
                .unwrap();
            }
            let newest = want.iter().map(|w| w.1).max();
            sqlx::query("UPDATE poll_log_meta SET newest_ts = ? WHERE id = 1")
                .bind(newest)
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
        let db = super::SqliteDatabase::connect(&url).await.unwrap();
        storewatch_db::conformance::migrated_polls_are_all_there(&db).await;
    }

    /// An ingest runs with a small cache and no memory map; the connection
    /// goes back to the pool with the read settings (in memory there is one
    /// connection, so this is the one the ingest used).
    #[tokio::test]
    async fn an_ingest_gives_its_connection_back_with_the_read_settings() {
        use storewatch_db::DataStore;
        let db = super::SqliteDatabase::connect("sqlite::memory:")
            .await
            .unwrap();
        let cache = async || -> i64 {
            sqlx::query_scalar("PRAGMA cache_size")
                .fetch_one(db.pool())
                .await
                .unwrap()
        };
        assert_eq!(cache().await, super::CACHE_KIB);
        db.ingest(storewatch_db::IngestBatch {
            timezones: Some(vec![("s1".to_string(), "Europe/Paris".to_string())]),
            ..Default::default()
        })
        .await
        .unwrap();
        assert_eq!(cache().await, super::CACHE_KIB);
    }

    /// A read that keeps to the page cache (the offline list) gives its
    /// connection back mapped, for the reports after it: every connection
    /// of the pool is checked after it.
    #[tokio::test]
    async fn a_bounded_read_gives_its_connection_back_mapped() {
        use storewatch_db::{DataStore, ReadMemory, Stores, batch_channel};
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("s.db").display());
        let db = super::SqliteDatabase::connect(&url).await.unwrap();
        let (sink, _batches) = batch_channel(8);
        let week = storewatch_core::report::PeriodSpec::WEEK;
        db.report_batches(Some(0), week, Stores::All, ReadMemory::Bounded, sink)
            .await
            .unwrap();
        let open = db.pool().size();
        assert!(open >= 1);
        let mut held = Vec::new();
        for _ in 0..open {
            let mut conn = db.pool().acquire().await.unwrap();
            let map: i64 = sqlx::query_scalar("PRAGMA mmap_size")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            assert_eq!(map, super::MMAP_SIZE as i64);
            held.push(conn);
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
