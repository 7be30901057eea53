//! The report queue in SQLite. Report jobs live in a file of their own
//! (`storewatch.jobs.db` beside `storewatch.db`): a SQLite file has one writer
//! at a time, and a trigger or a worker's heartbeat must not wait for an
//! ingest to commit.

use sqlx::Row;
use storewatch_core::domain::Micros;
use storewatch_core::report::Columns;
use storewatch_db::{
    ClaimedReport, DbError, Include, Lease, ReportId, ReportOutcome, ReportQueue, ReportRecord,
    ReportState, columns_from_db,
};

use crate::packed::corrupt;
use crate::{SqliteDatabase, db_err};

impl ReportQueue for SqliteDatabase {
    async fn create_report(
        &self,
        id: &ReportId,
        requested_as_of: Option<Micros>,
        columns: Columns,
        now: Micros,
    ) -> Result<(), DbError> {
        sqlx::query("INSERT INTO reports (id, state, requested_as_of, columns, created_at) VALUES (?, 'queued', ?, ?, ?)")
            .bind(id.as_str())
            .bind(requested_as_of)
            .bind(columns.as_str())
            .bind(now)
            .execute(&self.jobs)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn claim_report(
        &self,
        lease: &Lease,
        now: Micros,
        max_attempts: u32,
    ) -> Result<Option<ClaimedReport>, DbError> {
        let mut tx = self
            .jobs
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db_err)?;
        sqlx::query(
            "UPDATE reports
                SET state = 'failed', finished_at = ?1, worker = NULL, lease_until = NULL,
                    error = 'abandoned after ' || attempts || ' attempts: the server running it stopped each time'
              WHERE state = 'running' AND lease_until <= ?1 AND attempts >= ?2",
        )
        .bind(now)
        .bind(i64::from(max_attempts))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let claimed: Option<(String, Option<i64>, i64)> = sqlx::query_as(
            "UPDATE reports
                SET state = 'running', worker = ?1, lease_until = ?3, attempts = attempts + 1, started_at = ?2
              WHERE id = (SELECT id FROM reports
                           WHERE state = 'queued' OR (state = 'running' AND lease_until <= ?2)
                           ORDER BY created_at, id LIMIT 1)
          RETURNING id, requested_as_of, attempts",
        )
        .bind(&lease.worker)
        .bind(now)
        .bind(lease.until)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        claimed
            .map(|(id, requested_as_of, attempts)| {
                Ok(ClaimedReport {
                    id: ReportId::parse(&id).map_err(|_| corrupt())?,
                    requested_as_of,
                    attempts: attempts as u32,
                })
            })
            .transpose()
    }

    async fn renew_report_lease(&self, id: &ReportId, lease: &Lease) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE reports SET lease_until = ? WHERE id = ? AND worker = ? AND state = 'running'",
        )
        .bind(lease.until)
        .bind(id.as_str())
        .bind(&lease.worker)
        .execute(&self.jobs)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn finish_report(
        &self,
        id: &ReportId,
        lease: &Lease,
        outcome: ReportOutcome,
        now: Micros,
    ) -> Result<bool, DbError> {
        let c = outcome.into_columns();
        let done = sqlx::query(
            "UPDATE reports
                SET state = ?, as_of = ?, row_count = ?, csv = ?, error = ?, finished_at = ?, lease_until = NULL
              WHERE id = ? AND worker = ? AND state = 'running'",
        )
        .bind(c.state)
        .bind(c.as_of)
        .bind(c.rows)
        .bind(c.csv)
        .bind(c.error)
        .bind(now)
        .bind(id.as_str())
        .bind(&lease.worker)
        .execute(&self.jobs)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn report(
        &self,
        id: &ReportId,
        include: Include,
    ) -> Result<Option<ReportRecord>, DbError> {
        let row = sqlx::query(
            "SELECT id, state, requested_as_of, as_of, columns, created_at, started_at, finished_at,
                    attempts, row_count, error, CASE WHEN ?2 THEN csv END AS csv
               FROM reports WHERE id = ?1",
        )
        .bind(id.as_str())
        .bind(include == Include::Csv)
        .fetch_optional(&self.jobs)
        .await
        .map_err(db_err)?;
        let Some(row) = row else { return Ok(None) };
        let state: String = row.get("state");
        Ok(Some(ReportRecord {
            id: ReportId::parse(row.get("id")).map_err(|_| corrupt())?,
            state: ReportState::parse(&state).ok_or_else(corrupt)?,
            requested_as_of: row.get("requested_as_of"),
            as_of: row.get("as_of"),
            columns: columns_from_db(row.get("columns")),
            created_at: row.get("created_at"),
            started_at: row.get("started_at"),
            finished_at: row.get("finished_at"),
            attempts: row.get::<i64, _>("attempts") as u32,
            rows: row.get::<Option<i64>, _>("row_count").map(|n| n as u64),
            error: row.get("error"),
            csv: row.get("csv"),
        }))
    }
}
