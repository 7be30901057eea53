//! PostgreSQL backend: for deployments where several storewatch instances
//! share one database. Same model as the SQLite backend; the differences are
//! PostgreSQL's strengths: array parameters (`UNNEST`) for bulk writes,
//! `array_agg` for the report read, `FOR UPDATE SKIP LOCKED` for claiming
//! report jobs, and an advisory lock that serialises ingests across instances
//! (a snapshot replacement is a DELETE and an INSERT, which two concurrent
//! transactions could otherwise interleave).
#![forbid(unsafe_code)]

#[cfg(feature = "testing")]
pub mod testing;

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, PgPool, Row};
use storewatch_core::domain::{HoursRow, Micros, SharedId, SpecialHoursRow};
use storewatch_core::ingest::SourceKind;
use storewatch_core::report::{PeriodSpec, ReportInput};
use storewatch_db::batch::{BatchWriter, StoredDay, write_batch};
use storewatch_db::columns::{IngestRow, ingest_record, special_columns};
use storewatch_db::deletion::{self, RetentionCursor, RetentionStep};
use storewatch_db::poll_days;
use storewatch_db::{
    Applied, BatchSink, Counts, DataStore, DbError, HealthPart, IngestBatch, IngestRecord,
    PollDeletion, ReadMemory, Schema, SourceFingerprint, Stores, Unhealthy, sql,
};

mod alerts;
mod jobs;
mod keys;
mod report_read;
pub use report_read::ReportSql;
use report_read::{Taker, read_report};

/// Rows per bulk statement: large enough to amortise the round trip, small
/// enough to keep each array parameter a few megabytes.
const CHUNK: usize = 100_000;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How long connecting may take before the server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a request may wait for a free connection of the pool.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// Any number: the advisory lock that serialises ingests across instances.
const INGEST_LOCK: i64 = 0x5354_4f52_4557_4154; // "STOREWAT"

#[derive(Clone, Debug)]
pub struct PostgresDatabase {
    pool: PgPool,
}

fn db_err(e: sqlx::Error) -> DbError {
    DbError::backend(e)
}

pub(crate) type Tx = sqlx::Transaction<'static, sqlx::Postgres>;

/// A statement run for the number of rows it changed, its error a [`DbError`].
pub(crate) trait Run {
    async fn run<'e>(self, on: impl sqlx::PgExecutor<'e>) -> Result<u64, DbError>;
}

impl<'q> Run for sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    async fn run<'e>(self, on: impl sqlx::PgExecutor<'e>) -> Result<u64, DbError> {
        let done = self.execute(on).await.map_err(db_err)?;
        Ok(done.rows_affected())
    }
}

impl PostgresDatabase {
    /// Connects to `url` (`postgres://user@host/db`) and brings the schema up
    /// to date (migrations take a lock, so instances starting together are fine).
    pub async fn connect(url: &str) -> Result<PostgresDatabase, DbError> {
        PostgresDatabase::open(url, Schema::Create).await
    }

    /// As [`PostgresDatabase::connect`], but with [`Schema::MustExist`] a
    /// database without storewatch's tables is refused, untouched.
    pub async fn open(url: &str, schema: Schema) -> Result<PostgresDatabase, DbError> {
        let options: PgConnectOptions = url.parse().map_err(|e: sqlx::Error| DbError::BadUrl {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        // One connection first, under a deadline that fits a command-line
        // tool: its error is the real one ("connection refused", a wrong
        // password, no such database), where a pool would wait out its own
        // timeout and say only that it timed out.
        let probe = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
            .await
            .map_err(|_| {
                DbError::backend(std::io::Error::other(format!(
                    "PostgreSQL at {}:{} did not answer within {} s",
                    options.get_host(),
                    options.get_port(),
                    CONNECT_TIMEOUT.as_secs()
                )))
            })?
            .map_err(db_err)?;
        let mut probe = probe;
        if schema == Schema::MustExist {
            let ours: bool = sqlx::query_scalar(
                "SELECT to_regclass('_sqlx_migrations') IS NOT NULL AND to_regclass('stores') IS NOT NULL",
            )
            .fetch_one(&mut probe)
            .await
            .map_err(db_err)?;
            if !ours {
                let _ = probe.close().await;
                return Err(DbError::NoSchema {
                    database: format!(
                        "PostgreSQL database {:?} at {}:{}",
                        options.get_database().unwrap_or("(default)"),
                        options.get_host(),
                        options.get_port()
                    ),
                });
            }
        }
        probe.close().await.map_err(db_err)?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_lazy_with(options);
        MIGRATIONS.run(&pool).await.map_err(DbError::backend)?;
        Ok(PostgresDatabase { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A transaction that changes the data, holding the lock that
    /// serialises such transactions across instances.
    async fn begin_writing(&self) -> Result<Tx, DbError> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(INGEST_LOCK)
            .run(&mut *tx)
            .await?;
        Ok(tx)
    }

    /// Closes the connections (the end of a command-line run).
    async fn close_connections(&self) {
        self.pool.close().await;
    }
}

/// The SQL of an ingest, inside its transaction: arrays bound as parameters
/// and unnested, one statement per chunk.
struct Writer<'t>(&'t mut Tx);

impl BatchWriter for Writer<'_> {
    async fn replace_timezones(&mut self, rows: &[(String, String)]) -> Result<u64, DbError> {
        delete_all(self.0, "timezones").await?;
        for chunk in rows.chunks(CHUNK) {
            let ids: Vec<&str> = chunk.iter().map(|(id, _)| id.as_str()).collect();
            let zones: Vec<&str> = chunk.iter().map(|(_, z)| z.as_str()).collect();
            sqlx::query("INSERT INTO timezones (store_id, timezone) SELECT * FROM UNNEST($1::text[], $2::text[])")
                .bind(&ids)
                .bind(&zones)
                .run(&mut **self.0).await?;
        }
        Ok(rows.len() as u64)
    }

    async fn replace_business_hours(
        &mut self,
        rows: &[(SharedId, HoursRow)],
    ) -> Result<u64, DbError> {
        delete_all(self.0, "business_hours").await?;
        for chunk in rows.chunks(CHUNK) {
            let ids: Vec<&str> = chunk.iter().map(|(id, _)| &**id).collect();
            let days: Vec<i16> = chunk.iter().map(|(_, r)| r.day.index() as i16).collect();
            let starts: Vec<i32> = chunk
                .iter()
                .map(|(_, r)| r.start.seconds() as i32)
                .collect();
            let ends: Vec<i32> = chunk.iter().map(|(_, r)| r.end.seconds() as i32).collect();
            sqlx::query(
                "INSERT INTO business_hours (store_id, day, start_s, end_s)
                 SELECT * FROM UNNEST($1::text[], $2::smallint[], $3::integer[], $4::integer[])",
            )
            .bind(&ids)
            .bind(&days)
            .bind(&starts)
            .bind(&ends)
            .run(&mut **self.0)
            .await?;
        }
        Ok(rows.len() as u64)
    }

    async fn replace_special_hours(
        &mut self,
        rows: &[(String, SpecialHoursRow)],
    ) -> Result<u64, DbError> {
        delete_all(self.0, "special_hours").await?;
        for chunk in rows.chunks(CHUNK) {
            let ids: Vec<&str> = chunk.iter().map(|(id, _)| id.as_str()).collect();
            let mut dates = Vec::with_capacity(chunk.len());
            let mut starts: Vec<Option<i32>> = Vec::with_capacity(chunk.len());
            let mut ends: Vec<Option<i32>> = Vec::with_capacity(chunk.len());
            for (_, row) in chunk {
                let (date, start, end) = special_columns(row);
                dates.push(date);
                starts.push(start.map(|s| s as i32));
                ends.push(end.map(|e| e as i32));
            }
            sqlx::query(
                "INSERT INTO special_hours (store_id, date, start_s, end_s)
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::integer[], $4::integer[])",
            )
            .bind(&ids)
            .bind(&dates)
            .bind(&starts)
            .bind(&ends)
            .run(&mut **self.0)
            .await?;
        }
        Ok(rows.len() as u64)
    }

    async fn store_keys(&mut self, ids: &[&str]) -> Result<Vec<i64>, DbError> {
        sqlx::query("INSERT INTO stores (store_id) SELECT * FROM UNNEST($1::text[]) ON CONFLICT (store_id) DO NOTHING")
            .bind(ids)
            .run(&mut **self.0).await?;
        // In the order of `ids`, each found through the store_id index.
        sqlx::query_scalar(
            "SELECT s.key FROM UNNEST($1::text[]) WITH ORDINALITY AS given(store_id, n)
               JOIN stores s ON s.store_id = given.store_id ORDER BY given.n",
        )
        .bind(ids)
        .fetch_all(&mut **self.0)
        .await
        .map_err(db_err)
    }

    async fn stored_days(
        &mut self,
        keys: &[i64],
        first: i64,
        last: i64,
    ) -> Result<Vec<StoredDay>, DbError> {
        let rows: Vec<(i64, i64, Vec<u8>)> = sqlx::query_as(
            "SELECT store_key, day, polls FROM poll_days
              WHERE store_key = ANY($1) AND day BETWEEN $2 AND $3",
        )
        .bind(keys)
        .bind(first)
        .bind(last)
        .fetch_all(&mut **self.0)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|(key, day, bytes)| StoredDay::decode(key, day, &bytes))
            .collect()
    }

    async fn put_days(&mut self, days: &[(i64, i64, Vec<u8>)]) -> Result<(), DbError> {
        for chunk in days.chunks(CHUNK) {
            let keys: Vec<i64> = chunk.iter().map(|d| d.0).collect();
            let day: Vec<i64> = chunk.iter().map(|d| d.1).collect();
            let polls: Vec<&[u8]> = chunk.iter().map(|d| d.2.as_slice()).collect();
            sqlx::query(
                "INSERT INTO poll_days (store_key, day, polls)
                 SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::bytea[])
                 ON CONFLICT (store_key, day) DO UPDATE SET polls = EXCLUDED.polls",
            )
            .bind(&keys)
            .bind(&day)
            .bind(&polls)
            .run(&mut **self.0)
            .await?;
        }
        Ok(())
    }

    async fn delete_days(
        &mut self,
        store: Option<&str>,
        first: i64,
        last: i64,
    ) -> Result<u64, DbError> {
        let lengths: Vec<i32> = sqlx::query_scalar(AssertSqlSafe(sql::delete_days(store)))
            .bind(store)
            .bind(first)
            .bind(last)
            .fetch_all(&mut **self.0)
            .await
            .map_err(db_err)?;
        let lengths: Vec<i64> = lengths.into_iter().map(i64::from).collect();
        Ok(poll_days::days_and_polls(&lengths).1)
    }

    async fn delete_oldest_days(&mut self, before: i64, limit: u32) -> Result<(u64, u64), DbError> {
        let lengths: Vec<i32> = sqlx::query_scalar(sql::DELETE_OLDEST_DAYS)
            .bind(before)
            .bind(i64::from(limit))
            .fetch_all(&mut **self.0)
            .await
            .map_err(db_err)?;
        let lengths: Vec<i64> = lengths.into_iter().map(i64::from).collect();
        Ok(poll_days::days_and_polls(&lengths))
    }

    async fn days_on(
        &mut self,
        store: Option<&str>,
        day: i64,
    ) -> Result<Vec<(i64, Vec<u8>)>, DbError> {
        sqlx::query_as(AssertSqlSafe(sql::days_on(store)))
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
        sqlx::query_as(sql::DAYS_ON_AFTER)
            .bind(day)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&mut **self.0)
            .await
            .map_err(db_err)
    }

    async fn delete_day(&mut self, key: i64, day: i64) -> Result<(), DbError> {
        sqlx::query(sql::DELETE_DAY)
            .bind(key)
            .bind(day)
            .run(&mut **self.0)
            .await?;
        Ok(())
    }

    async fn forget_stores_without_polls(&mut self, store: Option<&str>) -> Result<(), DbError> {
        sqlx::query(sql::FORGET_STORES_WITHOUT_POLLS)
            .bind(store)
            .run(&mut **self.0)
            .await?;
        Ok(())
    }

    async fn newest_days(&mut self) -> Result<Vec<Vec<u8>>, DbError> {
        sqlx::query_scalar(sql::NEWEST_DAYS)
            .fetch_all(&mut **self.0)
            .await
            .map_err(db_err)
    }

    async fn set_newest_poll(&mut self, newest: Option<Micros>) -> Result<(), DbError> {
        sqlx::query(sql::SET_NEWEST_POLL)
            .bind(newest)
            .run(&mut **self.0)
            .await?;
        Ok(())
    }

    async fn raise_newest_poll(&mut self, newest: Micros) -> Result<(), DbError> {
        sqlx::query(sql::RAISE_NEWEST_POLL)
            .bind(newest)
            .run(&mut **self.0)
            .await?;
        Ok(())
    }

    async fn record_fingerprint(&mut self, fp: &SourceFingerprint) -> Result<(), DbError> {
        sqlx::query(sql::RECORD_FINGERPRINT)
            .bind(fp.kind.name())
            .bind(&fp.path)
            .bind(&fp.sha256)
            .bind(fp.ingested_at)
            .run(&mut **self.0)
            .await?;
        Ok(())
    }

    async fn record_ingest(&mut self, r: &IngestRecord) -> Result<(), DbError> {
        sqlx::query(sql::RECORD_INGEST)
            .bind(r.at)
            .bind(r.source.name())
            .bind(&r.label)
            .bind(&r.by)
            .bind(&r.key_id)
            .bind(i64::try_from(r.rows).unwrap_or(i64::MAX))
            .bind(&r.sha256)
            .run(&mut **self.0)
            .await?;
        Ok(())
    }
}

/// Empties a snapshot table (the name is one of ours, never user input).
async fn delete_all(tx: &mut Tx, table: &'static str) -> Result<(), DbError> {
    sqlx::query(AssertSqlSafe(format!("DELETE FROM {table}")))
        .run(&mut **tx)
        .await?;
    Ok(())
}

impl DataStore for PostgresDatabase {
    async fn ingest(&self, batch: IngestBatch) -> Result<Applied, DbError> {
        let mut tx = self.begin_writing().await?;
        let applied = write_batch(&mut Writer(&mut tx), batch).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(applied)
    }

    async fn report_input(
        &self,
        as_of: Option<Micros>,
        selected: Stores<'_>,
    ) -> Result<ReportInput, DbError> {
        let mut all = Taker::All(Vec::new());
        let as_of = read_report(&self.pool, as_of, PeriodSpec::WEEK, selected, &mut all).await?;
        let Taker::All(stores) = all else {
            unreachable!("the taker made above")
        };
        Ok(ReportInput { as_of, stores })
    }

    async fn report_batches(
        &self,
        as_of: Option<Micros>,
        span: PeriodSpec,
        selected: Stores<'_>,
        // The server's memory is not this process's: every read is bounded.
        _memory: ReadMemory,
        sink: BatchSink,
    ) -> Result<(), DbError> {
        read_report(&self.pool, as_of, span, selected, &mut Taker::Sink(sink)).await?;
        Ok(())
    }

    async fn counts(&self) -> Result<Counts, DbError> {
        let row = sqlx::query(sql::COUNTS)
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)?;
        let n = |i: usize| row.get::<i64, _>(i).max(0) as u64;
        Ok(Counts {
            stores: n(0),
            polls: n(1),
            business_hours: n(2),
            timezones: n(3),
            special_hours: n(4),
            newest_poll: row.get(5),
        })
    }

    async fn data_version(&self) -> Result<i64, DbError> {
        sqlx::query_scalar(sql::DATA_VERSION)
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)
    }

    async fn newest_poll(&self) -> Result<Option<Micros>, DbError> {
        sqlx::query_scalar(sql::NEWEST_POLL)
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)
    }

    async fn store_bounds(&self, per: u32) -> Result<Vec<String>, DbError> {
        // COLLATE "C": byte order, that of StoreRange.
        sqlx::query_scalar(
            "SELECT store_id FROM (SELECT store_id, row_number() OVER (ORDER BY store_id COLLATE \"C\") - 1 AS n
                                     FROM stores) numbered
              WHERE n > 0 AND n % $1 = 0 ORDER BY store_id COLLATE \"C\"",
        )
        .bind(i64::from(per.max(1)))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)
    }

    async fn find_stores(&self, query: &str, limit: u32) -> Result<Vec<String>, DbError> {
        sqlx::query_scalar(AssertSqlSafe(sql::find_stores("strpos", " COLLATE \"C\"")))
            .bind(query)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)
    }

    async fn close(&self) {
        self.close_connections().await;
    }

    async fn health(&self, now: Micros) -> Result<(), Unhealthy> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(|e| Unhealthy::new(HealthPart::Database, db_err(e)))?;
        // A database dropped and recreated empty under a running service is
        // migrated again here, so the service recovers without a restart.
        let wanted = MIGRATIONS.iter().map(|m| m.version).max();
        let applied: Option<i64> = sqlx::query_scalar(sql::APPLIED_MIGRATION)
            .fetch_one(&self.pool)
            .await
            .ok()
            .flatten();
        if applied != wanted {
            tracing::warn!("the database schema is missing or behind; migrating it again");
            MIGRATIONS
                .run(&self.pool)
                .await
                .map_err(|e| Unhealthy::new(HealthPart::Schema, DbError::backend(e)))?;
        }
        sqlx::query(sql::HEALTH_WRITE)
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(|e| Unhealthy::new(HealthPart::Write, db_err(e)))?;
        Ok(())
    }

    async fn source_fingerprint(
        &self,
        kind: SourceKind,
    ) -> Result<Option<SourceFingerprint>, DbError> {
        let row: Option<(String, String, i64)> = sqlx::query_as(sql::SOURCE_FINGERPRINT)
            .bind(kind.name())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(row.map(|(path, sha256, ingested_at)| SourceFingerprint {
            kind,
            path,
            sha256,
            ingested_at,
        }))
    }

    async fn delete_polls(&self, deletion: &PollDeletion) -> Result<u64, DbError> {
        let mut tx = self.begin_writing().await?;
        let deleted = deletion::delete_polls(&mut Writer(&mut tx), deletion).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(deleted)
    }

    async fn retention_step(
        &self,
        cutoff: Micros,
        at: RetentionCursor,
        limit: u32,
    ) -> Result<RetentionStep, DbError> {
        let mut tx = self.begin_writing().await?;
        let step = deletion::retention_step(&mut Writer(&mut tx), cutoff, at, limit).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(step)
    }

    async fn ingests(&self, limit: u32, before: Option<i64>) -> Result<Vec<IngestRecord>, DbError> {
        let rows: Vec<IngestRow> = sqlx::query_as(sql::INGESTS)
            .bind(before.unwrap_or(i64::MAX))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.into_iter().map(ingest_record).collect()
    }
}
