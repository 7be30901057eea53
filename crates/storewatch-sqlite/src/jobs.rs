//! The report queue in SQLite. Report jobs live in a file of their own
//! (`storewatch.jobs.db` beside `storewatch.db`): a SQLite file has one writer
//! at a time, and a trigger or a worker's heartbeat must not wait for an
//! ingest to commit.

use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Connection, Row};
use storewatch_core::domain::Micros;
use storewatch_db::columns::{REPORT_COLUMNS, ReportColumns, claimed_report};
use storewatch_db::{
    ClaimedReport, DbError, Include, Lease, NewReport, ReportId, ReportOutcome, ReportPage,
    ReportQueue, ReportRecord,
};

use crate::{SqliteDatabase, db_err, on_connection};

fn report_columns(row: &SqliteRow) -> ReportColumns {
    ReportColumns {
        id: row.get("id"),
        state: row.get("state"),
        requested_as_of: row.get("requested_as_of"),
        as_of: row.get("as_of"),
        columns: row.get("columns"),
        created_at: row.get("created_at"),
        started_at: row.get("started_at"),
        finished_at: row.get("finished_at"),
        attempts: row.get("attempts"),
        row_count: row.get("row_count"),
        error: row.get("error"),
        csv: row.try_get("csv").ok().flatten(),
        key_id: row.get("key_id"),
        scope_id: row.get("scope_id"),
    }
}

impl ReportQueue for SqliteDatabase {
    async fn create_report(
        &self,
        id: &ReportId,
        request: &NewReport,
        max_unfinished: u32,
        now: Micros,
    ) -> Result<bool, DbError> {
        self.check_files()?;
        // IMMEDIATE: the count and the insert are one step, so two triggers
        // at once cannot both squeeze under the cap.
        on_connection(&self.jobs, async |conn| {
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
        let owner = &request.owner;
        let unfinished: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM reports WHERE key_id IS ? AND state IN ('queued', 'running')",
        )
        .bind(&owner.key_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        if unfinished >= i64::from(max_unfinished) {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO reports (id, state, requested_as_of, columns, created_at, key_id, scope_id, scope_stores)
             VALUES (?, 'queued', ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.as_str())
        .bind(request.requested_as_of)
        .bind(request.columns.as_str())
        .bind(now)
        .bind(&owner.key_id)
        .bind(owner.scope.as_ref().map(|s| s.id()))
        .bind(owner.scope.as_ref().map(|s| s.to_text()))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(true)
        })
        .await
    }

    async fn claim_report(
        &self,
        lease: &Lease,
        now: Micros,
        max_attempts: u32,
    ) -> Result<Option<ClaimedReport>, DbError> {
        on_connection(&self.jobs, async |conn| {
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
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
        let claimed: Option<(String, Option<i64>, i64, Option<String>)> = sqlx::query_as(
            "UPDATE reports
                SET state = 'running', worker = ?1, lease_until = ?3, attempts = attempts + 1, started_at = ?2
              WHERE id = (SELECT id FROM reports
                           WHERE state = 'queued' OR (state = 'running' AND lease_until <= ?2)
                           ORDER BY created_at, id LIMIT 1)
          RETURNING id, requested_as_of, attempts, scope_stores",
        )
        .bind(&lease.worker)
        .bind(now)
        .bind(lease.until)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        claimed
            .map(|(id, as_of, attempts, scope)| {
                claimed_report(&id, as_of, attempts, scope.as_deref())
            })
            .transpose()
        })
        .await
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
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {REPORT_COLUMNS}, CASE WHEN ?2 THEN csv END AS csv FROM reports WHERE id = ?1"
        )))
        .bind(id.as_str())
        .bind(include == Include::Csv)
        .fetch_optional(&self.jobs)
        .await
        .map_err(db_err)?;
        row.map(|row| report_columns(&row).into_record())
            .transpose()
    }

    async fn reports(&self, page: &ReportPage) -> Result<Vec<ReportRecord>, DbError> {
        let (before_at, before_id) = page.before.clone().unwrap_or((i64::MAX, String::new()));
        let scope = if page.scope_id.is_some() {
            "scope_id = ?3 AND"
        } else {
            "?3 IS NULL AND"
        };
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {REPORT_COLUMNS} FROM reports
              WHERE {scope} (created_at < ?1 OR (created_at = ?1 AND id < ?2 AND ?2 <> ''))
              ORDER BY created_at DESC, id DESC LIMIT ?4"
        )))
        .bind(before_at)
        .bind(before_id)
        .bind(&page.scope_id)
        .bind(i64::from(page.limit))
        .fetch_all(&self.jobs)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| report_columns(row).into_record())
            .collect()
    }

    async fn delete_reports_finished_before(&self, cutoff: Micros) -> Result<u64, DbError> {
        let done = sqlx::query(
            "DELETE FROM reports WHERE finished_at < ? AND state IN ('complete', 'failed')",
        )
        .bind(cutoff)
        .execute(&self.jobs)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected())
    }
}
