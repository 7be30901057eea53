//! The report queue in SQLite. Report jobs live in a file of their own
//! (`storewatch.jobs.db` beside `storewatch.db`): a SQLite file has one writer
//! at a time, and a trigger or a worker's heartbeat must not wait for an
//! ingest to commit.

use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Connection, Row};
use storewatch_core::domain::Micros;
use storewatch_db::columns::{
    ClaimedRow, REPORT_COLUMNS, ReportColumns, ShardColumns, ShardRow, claimed_report,
};
use storewatch_db::shards::{self, ABANDONED_SHARD, ReportEnd, ShardWriter};
use storewatch_db::{
    ClaimedReport, ClaimedShard, DbError, Include, Lease, NewReport, ReportId, ReportOutcome,
    ReportPage, ReportQueue, ReportRecord, ShardFinish, ShardId, ShardOutcome, StoreRange,
};

use crate::{SqliteDatabase, db_err, on_connection};

fn report_columns(row: &SqliteRow) -> ReportColumns {
    ReportColumns {
        id: row.get("id"),
        state: row.get("state"),
        requested_as_of: row.get("requested_as_of"),
        as_of: row.get("as_of"),
        columns: row.get("columns"),
        kind: row.get("kind"),
        created_at: row.get("created_at"),
        started_at: row.get("started_at"),
        finished_at: row.get("finished_at"),
        attempts: row.get("attempts"),
        row_count: row.get("row_count"),
        error: row.get("error"),
        csv: row.try_get("csv").ok().flatten(),
        key_id: row.get("key_id"),
        scope_id: row.get("scope_id"),
        parts: row.get("parts"),
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
            "INSERT INTO reports (id, state, requested_as_of, columns, kind, created_at, key_id, scope_id, scope_stores)
             VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.as_str())
        .bind(request.requested_as_of)
        .bind(request.columns.as_str())
        .bind(request.spec.to_db())
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
        let claimed: Option<ClaimedRow> = sqlx::query_as(
            "UPDATE reports
                SET state = 'running', worker = ?1, lease_until = ?3, attempts = attempts + 1, started_at = ?2
              WHERE id = (SELECT id FROM reports
                           WHERE state = 'queued' OR (state = 'running' AND lease_until <= ?2)
                           ORDER BY created_at, id LIMIT 1)
          RETURNING id, requested_as_of, attempts, scope_stores, kind",
        )
        .bind(&lease.worker)
        .bind(now)
        .bind(lease.until)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        claimed.map(claimed_report).transpose()
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

    async fn split_report(
        &self,
        id: &ReportId,
        lease: &Lease,
        as_of: Micros,
        ranges: &[StoreRange],
    ) -> Result<bool, DbError> {
        self.split(id, lease, as_of, ranges).await
    }

    async fn claim_shard(
        &self,
        lease: &Lease,
        now: Micros,
        max_attempts: u32,
    ) -> Result<Option<ClaimedShard>, DbError> {
        self.claim_a_shard(lease, now, max_attempts).await
    }

    async fn renew_shard_lease(&self, id: &ShardId, lease: &Lease) -> Result<bool, DbError> {
        self.renew_shard(id, lease).await
    }

    async fn finish_shard(
        &self,
        id: &ShardId,
        lease: &Lease,
        outcome: ShardOutcome,
        now: Micros,
    ) -> Result<ShardFinish, DbError> {
        self.finish_a_shard(id, lease, outcome, now).await
    }

    /// Nothing tells one process of another's writes to a SQLite file; the
    /// workers' idle look every second finds them.
    async fn watch_work(&self, _on_work: impl Fn() + Send + Sync + 'static) {}

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

/// Shards of split reports (storewatch-db's `shards.rs`); every step is one
/// IMMEDIATE transaction of the jobs file, so claims and finishes of several
/// workers (or processes) at once take turns.
impl SqliteDatabase {
    pub(crate) async fn split(
        &self,
        id: &ReportId,
        lease: &Lease,
        as_of: Micros,
        ranges: &[StoreRange],
    ) -> Result<bool, DbError> {
        on_connection(&self.jobs, async |conn| {
            let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
            let created: Option<i64> = sqlx::query_scalar(
                "UPDATE reports SET as_of = ?1, worker = NULL, lease_until = NULL, parts = ?4
                  WHERE id = ?2 AND worker = ?3 AND state = 'running'
              RETURNING created_at",
            )
            .bind(as_of)
            .bind(id.as_str())
            .bind(&lease.worker)
            .bind(i64::try_from(ranges.len()).unwrap_or(i64::MAX))
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
            let Some(created) = created else {
                return Ok(false);
            };
            for (idx, range) in ranges.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO report_shards (report_id, idx, created_at, from_store, to_store, state)
                     VALUES (?, ?, ?, ?, ?, 'queued')",
                )
                .bind(id.as_str())
                .bind(i64::try_from(idx).unwrap_or(i64::MAX))
                .bind(created)
                .bind(&range.from)
                .bind(&range.to)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            }
            tx.commit().await.map_err(db_err)?;
            Ok(true)
        })
        .await
    }

    pub(crate) async fn claim_a_shard(
        &self,
        lease: &Lease,
        now: Micros,
        max_attempts: u32,
    ) -> Result<Option<ClaimedShard>, DbError> {
        on_connection(&self.jobs, async |conn| {
            let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
            let abandoned = sqlx::query(
                "UPDATE reports
                    SET state = 'failed', finished_at = ?1, worker = NULL, lease_until = NULL, as_of = NULL, error = ?3
                  WHERE state = 'running'
                    AND id IN (SELECT report_id FROM report_shards
                                WHERE state = 'running' AND lease_until <= ?1 AND attempts >= ?2)",
            )
            .bind(now)
            .bind(i64::from(max_attempts))
            .bind(ABANDONED_SHARD)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if abandoned.rows_affected() > 0 {
                sqlx::query(
                    "DELETE FROM report_shards
                      WHERE report_id NOT IN (SELECT id FROM reports WHERE state = 'running')",
                )
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            }
            let claimed: Option<ShardRow> =
                sqlx::query_as(
                    "UPDATE report_shards
                        SET state = 'running', worker = ?1, lease_until = ?3, attempts = attempts + 1
                      WHERE (report_id, idx) = (
                              SELECT report_id, idx FROM report_shards
                               WHERE state = 'queued' OR (state = 'running' AND lease_until <= ?2)
                               ORDER BY created_at, report_id, idx LIMIT 1)
                  RETURNING report_id, idx, from_store, to_store, attempts",
                )
                .bind(&lease.worker)
                .bind(now)
                .bind(lease.until)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
            let Some((report_id, idx, from_store, to_store, attempts)) = claimed else {
                tx.commit().await.map_err(db_err)?;
                return Ok(None);
            };
            let (as_of, started_at, scope_stores, kind): (Option<i64>, Option<i64>, Option<String>, String) =
                sqlx::query_as("SELECT as_of, started_at, scope_stores, kind FROM reports WHERE id = ?")
                    .bind(&report_id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_err)?;
            tx.commit().await.map_err(db_err)?;
            ShardColumns {
                report_id,
                idx,
                from_store,
                to_store,
                attempts,
                as_of,
                started_at,
                scope_stores,
                kind,
            }
            .into_claimed()
            .map(Some)
        })
        .await
    }

    pub(crate) async fn renew_shard(&self, id: &ShardId, lease: &Lease) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE report_shards SET lease_until = ?
              WHERE report_id = ? AND idx = ? AND worker = ? AND state = 'running'",
        )
        .bind(lease.until)
        .bind(id.report.as_str())
        .bind(i64::from(id.index))
        .bind(&lease.worker)
        .execute(&self.jobs)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn finish_a_shard(
        &self,
        id: &ShardId,
        lease: &Lease,
        outcome: ShardOutcome,
        now: Micros,
    ) -> Result<ShardFinish, DbError> {
        on_connection(&self.jobs, async |conn| {
            let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
            let finish = shards::finish(&mut Shards(&mut tx), id, lease, outcome, now).await?;
            if finish != ShardFinish::Lost {
                tx.commit().await.map_err(db_err)?;
            }
            Ok(finish)
        })
        .await
    }
}

/// The statements of [`shards::finish`].
struct Shards<'t, 'c>(&'t mut sqlx::Transaction<'c, sqlx::Sqlite>);

impl ShardWriter for Shards<'_, '_> {
    async fn store_part(
        &mut self,
        id: &ShardId,
        worker: &str,
        rows: i64,
        csv: String,
    ) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE report_shards
                SET state = 'complete', row_count = ?1, csv = ?2, worker = NULL, lease_until = NULL
              WHERE report_id = ?3 AND idx = ?4 AND worker = ?5 AND state = 'running'",
        )
        .bind(rows)
        .bind(csv)
        .bind(id.report.as_str())
        .bind(i64::from(id.index))
        .bind(worker)
        .execute(&mut **self.0)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn drop_part(&mut self, id: &ShardId, worker: &str) -> Result<bool, DbError> {
        let done = sqlx::query(
            "DELETE FROM report_shards
              WHERE report_id = ?1 AND idx = ?2 AND worker = ?3 AND state = 'running'",
        )
        .bind(id.report.as_str())
        .bind(i64::from(id.index))
        .bind(worker)
        .execute(&mut **self.0)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn parts_left(&mut self, report: &ReportId) -> Result<i64, DbError> {
        sqlx::query_scalar(
            "SELECT count(*) FROM report_shards WHERE report_id = ?1 AND state <> 'complete'",
        )
        .bind(report.as_str())
        .fetch_one(&mut **self.0)
        .await
        .map_err(db_err)
    }

    async fn parts(&mut self, report: &ReportId) -> Result<Vec<(i64, String)>, DbError> {
        sqlx::query_as("SELECT row_count, csv FROM report_shards WHERE report_id = ?1 ORDER BY idx")
            .bind(report.as_str())
            .fetch_all(&mut **self.0)
            .await
            .map_err(db_err)
    }

    async fn end_report(
        &mut self,
        report: &ReportId,
        end: ReportEnd,
        now: Micros,
    ) -> Result<(), DbError> {
        let (state, rows, csv, error) = match end {
            ReportEnd::Complete { rows, csv } => ("complete", Some(rows), Some(csv), None),
            ReportEnd::Failed { error } => ("failed", None, None, Some(error)),
        };
        // A failed report has no report time, as a whole one that failed.
        sqlx::query(
            "UPDATE reports
                SET state = ?1, row_count = ?2, csv = ?3, error = ?4, finished_at = ?5,
                    as_of = CASE WHEN ?1 = 'failed' THEN NULL ELSE as_of END
              WHERE id = ?6 AND state = 'running'",
        )
        .bind(state)
        .bind(rows)
        .bind(csv)
        .bind(error)
        .bind(now)
        .bind(report.as_str())
        .execute(&mut **self.0)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn delete_parts(&mut self, report: &ReportId) -> Result<(), DbError> {
        sqlx::query("DELETE FROM report_shards WHERE report_id = ?1")
            .bind(report.as_str())
            .execute(&mut **self.0)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
