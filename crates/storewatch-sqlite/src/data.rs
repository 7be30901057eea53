//! The data in SQLite: ingests, deletions and retention (their statements
//! are writer.rs), the report's read (report_read.rs), and the small reads.

use storewatch_core::domain::Micros;
use storewatch_core::ingest::SourceKind;
use storewatch_core::report::{PeriodSpec, ReportInput};
use storewatch_db::columns::ingest_record;
use storewatch_db::deletion::{self, RetentionCursor, RetentionStep};
use storewatch_db::{
    Applied, BatchSink, Counts, DataStore, DbError, IngestBatch, IngestRecord, PollDeletion,
    ReadMemory, SourceFingerprint, Stores, Unhealthy, batch::write_batch, sql,
};

use crate::pool::{CACHE_KIB, INGEST_CACHE_KIB, MMAP_SIZE};
use crate::query::{self, in_transaction, now};
use crate::writer::Writer;
use crate::{SqliteDatabase, report_read};

impl DataStore for SqliteDatabase {
    async fn ingest(&self, batch: IngestBatch) -> Result<Applied, DbError> {
        self.check_files()?;
        self.data
            .run_writable(move |conn| {
                // An ingest reads the pages it writes into through SQLite's
                // own cache, not the memory map: mapped, every page of a
                // large file it touches would count in the process's memory
                // (200 MiB for 10× the real data set) for no gain, since
                // writes go to the log. And a smaller cache: 16 MiB instead
                // of 64 took 50 MiB off the peak of the 10× polls file and
                // no time (docs/performance.md).
                conn.execute_batch(&format!(
                    "PRAGMA mmap_size = 0; PRAGMA cache_size = {INGEST_CACHE_KIB}"
                ))
                .map_err(DbError::backend)?;
                let applied =
                    in_transaction(conn, |conn| now(write_batch(&mut Writer(conn), batch)));
                // Back to the read settings: the connection returns to the
                // pool for reports.
                conn.execute_batch(&format!(
                    "PRAGMA mmap_size = {MMAP_SIZE}; PRAGMA cache_size = {CACHE_KIB}"
                ))
                .map_err(DbError::backend)?;
                applied
            })
            .await
    }

    async fn report_input(
        &self,
        as_of: Option<Micros>,
        selected: Stores<'_>,
    ) -> Result<ReportInput, DbError> {
        let (as_of, stores) = report_read::read_report(
            &self.data,
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
        report_read::read_report(&self.data, as_of, span, selected, memory, sink).await?;
        Ok(())
    }

    async fn counts(&self) -> Result<Counts, DbError> {
        self.data
            .run(|conn| {
                query::optional(conn, sql::COUNTS, &[], |row| {
                    let n = |i: usize| row.get::<_, i64>(i).map(|n| n.max(0) as u64);
                    Ok(Counts {
                        stores: n(0)?,
                        polls: n(1)?,
                        business_hours: n(2)?,
                        timezones: n(3)?,
                        special_hours: n(4)?,
                        newest_poll: row.get(5)?,
                    })
                })
                .map(Option::unwrap_or_default)
            })
            .await
    }

    async fn data_version(&self) -> Result<i64, DbError> {
        self.data
            .run(|conn| query::scalar(conn, sql::DATA_VERSION, &[]))
            .await
    }

    async fn newest_poll(&self) -> Result<Option<Micros>, DbError> {
        self.data
            .run(|conn| query::scalar(conn, sql::NEWEST_POLL, &[]))
            .await
    }

    async fn find_stores(&self, text: &str, limit: u32) -> Result<Vec<String>, DbError> {
        let text = text.to_string();
        self.data
            .run(move |conn| {
                // Text compares byte for byte (BINARY): no collation to name.
                let sql = sql::find_stores("instr", "");
                query::column(conn, &sql, &[&text, &i64::from(limit)])
            })
            .await
    }

    async fn store_bounds(&self, per: u32) -> Result<Vec<String>, DbError> {
        // Text compares byte for byte (BINARY): the order of StoreRange.
        self.data
            .run(move |conn| {
                query::column(
                    conn,
                    "SELECT store_id FROM (SELECT store_id, row_number() OVER (ORDER BY store_id) - 1 AS n
                                             FROM stores)
                      WHERE n > 0 AND n % $1 = 0 ORDER BY store_id",
                    &[&i64::from(per.max(1))],
                )
            })
            .await
    }

    async fn close(&self) {
        self.data.close().await;
        self.jobs.close().await;
    }

    async fn health(&self, now: Micros) -> Result<(), Unhealthy> {
        self.check_health(now).await
    }

    async fn source_fingerprint(
        &self,
        kind: SourceKind,
    ) -> Result<Option<SourceFingerprint>, DbError> {
        self.data
            .run(move |conn| {
                query::optional(conn, sql::SOURCE_FINGERPRINT, &[&kind.name()], |row| {
                    Ok(SourceFingerprint {
                        kind,
                        path: row.get(0)?,
                        sha256: row.get(1)?,
                        ingested_at: row.get(2)?,
                    })
                })
            })
            .await
    }

    async fn delete_polls(&self, deletion: &PollDeletion) -> Result<u64, DbError> {
        let deletion = deletion.clone();
        self.data
            .run_writable(move |conn| {
                in_transaction(conn, |conn| {
                    now(deletion::delete_polls(&mut Writer(conn), &deletion))
                })
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
        self.data
            .run_writable(move |conn| {
                in_transaction(conn, |conn| {
                    now(deletion::retention_step(
                        &mut Writer(conn),
                        cutoff,
                        at,
                        limit,
                    ))
                })
            })
            .await
    }

    async fn ingests(&self, limit: u32, before: Option<i64>) -> Result<Vec<IngestRecord>, DbError> {
        let before = before.unwrap_or(i64::MAX);
        let rows = self
            .data
            .run(move |conn| {
                query::rows(conn, sql::INGESTS, &[&before, &i64::from(limit)], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                    ))
                })
            })
            .await?;
        rows.into_iter().map(ingest_record).collect()
    }
}
