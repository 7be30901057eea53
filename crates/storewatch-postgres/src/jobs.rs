//! The report queue in PostgreSQL: `FOR UPDATE SKIP LOCKED` lets instances
//! claiming at the same time take different jobs.

use sqlx::postgres::{PgListener, PgPoolOptions, PgRow};
use sqlx::{AssertSqlSafe, Row};
use storewatch_core::domain::Micros;
use storewatch_db::columns::{ClaimedRow, ReportColumns, ShardColumns, ShardRow, claimed_report};
use storewatch_db::shards::{self, ABANDONED_SHARD, ReportEnd, ShardWriter};
use storewatch_db::{
    ClaimedReport, ClaimedShard, DbError, Include, Lease, NewReport, ReportId, ReportOutcome,
    ReportPage, ReportQueue, ReportRecord, ShardFinish, ShardId, ShardOutcome, StoreRange, sql,
};

use crate::{PostgresDatabase, Run, db_err};

/// Serialises triggers of one key, so two at once cannot both squeeze under
/// the queue cap (any number, as the ingest lock; keyed by the key's id).
const TRIGGER_LOCK: i32 = 0x5357_5452; // "SWTR"

/// The channel on which instances tell each other of new work: a report
/// queued, or one split into shards (sent on commit).
pub const WORK_CHANNEL: &str = "storewatch_work";

/// Commits `tx`, which queued work, and tells the other instances of it.
async fn commit_work(mut tx: crate::Tx) -> Result<bool, DbError> {
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(WORK_CHANNEL)
        .run(&mut *tx)
        .await?;
    tx.commit().await.map_err(db_err)?;
    Ok(true)
}

/// A report row as [`sql::REPORT_COLUMNS`] lists it, with the CSV after it
/// if the statement selects one.
/// Instances claiming at the same time take different rows.
const SKIP_LOCKED: &str = "FOR UPDATE SKIP LOCKED";

/// Runs a claim ([`sql::claim_report`], [`sql::claim_shard`]): the row it
/// takes for `lease`'s worker at `now`, if any.
async fn claim<T>(
    tx: &mut crate::Tx,
    statement: String,
    lease: &Lease,
    now: Micros,
) -> Result<Option<T>, DbError>
where
    T: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
{
    sqlx::query_as(AssertSqlSafe(statement))
        .bind(&lease.worker)
        .bind(now)
        .bind(lease.until)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)
}

fn report_columns(row: &PgRow) -> ReportColumns {
    ReportColumns {
        id: row.get(0),
        state: row.get(1),
        requested_as_of: row.get(2),
        as_of: row.get(3),
        columns: row.get(4),
        kind: row.get(5),
        created_at: row.get(6),
        started_at: row.get(7),
        finished_at: row.get(8),
        attempts: row.get(9),
        row_count: row.get(10),
        error: row.get(11),
        key_id: row.get(12),
        scope_id: row.get(13),
        parts: row.get(14),
        csv: if row.len() > 15 { row.get(15) } else { None },
    }
}

impl ReportQueue for PostgresDatabase {
    async fn create_report(
        &self,
        id: &ReportId,
        request: &NewReport,
        max_unfinished: u32,
        now: Micros,
    ) -> Result<bool, DbError> {
        let owner = &request.owner;
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext(coalesce($2, '')))")
            .bind(TRIGGER_LOCK)
            .bind(&owner.key_id)
            .run(&mut *tx)
            .await?;
        let unfinished: i64 = sqlx::query_scalar(sql::UNFINISHED_REPORTS)
            .bind(&owner.key_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        if unfinished >= i64::from(max_unfinished) {
            return Ok(false);
        }
        sqlx::query(sql::CREATE_REPORT)
            .bind(id.as_str())
            .bind(request.requested_as_of)
            .bind(request.columns.as_str())
            .bind(request.spec.to_db())
            .bind(now)
            .bind(&owner.key_id)
            .bind(owner.scope.as_ref().map(|s| s.id()))
            .bind(owner.scope.as_ref().map(|s| s.to_text()))
            .run(&mut *tx)
            .await?;
        commit_work(tx).await
    }

    async fn claim_report(
        &self,
        lease: &Lease,
        now: Micros,
        max_attempts: u32,
    ) -> Result<Option<ClaimedReport>, DbError> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        sqlx::query(sql::ABANDON_REPORTS)
            .bind(now)
            .bind(i64::from(max_attempts))
            .run(&mut *tx)
            .await?;
        let claimed: Option<ClaimedRow> =
            claim(&mut tx, sql::claim_report(SKIP_LOCKED), lease, now).await?;
        tx.commit().await.map_err(db_err)?;
        claimed.map(claimed_report).transpose()
    }

    async fn renew_report_lease(&self, id: &ReportId, lease: &Lease) -> Result<bool, DbError> {
        let done = sqlx::query(sql::RENEW_REPORT)
            .bind(lease.until)
            .bind(id.as_str())
            .bind(&lease.worker)
            .run(&self.pool)
            .await?;
        Ok(done == 1)
    }

    async fn finish_report(
        &self,
        id: &ReportId,
        lease: &Lease,
        outcome: ReportOutcome,
        now: Micros,
    ) -> Result<bool, DbError> {
        let c = outcome.into_columns();
        let done = sqlx::query(sql::FINISH_REPORT)
            .bind(c.state)
            .bind(c.as_of)
            .bind(c.rows)
            .bind(c.csv)
            .bind(c.error)
            .bind(now)
            .bind(id.as_str())
            .bind(&lease.worker)
            .run(&self.pool)
            .await?;
        Ok(done == 1)
    }

    async fn split_report(
        &self,
        id: &ReportId,
        lease: &Lease,
        as_of: Micros,
        ranges: &[StoreRange],
    ) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        let created: Option<i64> = sqlx::query_scalar(sql::SPLIT_REPORT)
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
        let from: Vec<Option<&str>> = ranges.iter().map(|r| r.from.as_deref()).collect();
        let to: Vec<Option<&str>> = ranges.iter().map(|r| r.to.as_deref()).collect();
        sqlx::query(
            "INSERT INTO report_shards (report_id, idx, created_at, from_store, to_store, state)
             SELECT $1, r.n - 1, $2, r.from_store, r.to_store, 'queued'
               FROM UNNEST($3::text[], $4::text[]) WITH ORDINALITY AS r(from_store, to_store, n)",
        )
        .bind(id.as_str())
        .bind(created)
        .bind(&from)
        .bind(&to)
        .run(&mut *tx)
        .await?;
        commit_work(tx).await
    }

    async fn claim_shard(
        &self,
        lease: &Lease,
        now: Micros,
        max_attempts: u32,
    ) -> Result<Option<ClaimedShard>, DbError> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        let abandoned = sqlx::query(sql::ABANDON_SHARDED_REPORTS)
            .bind(now)
            .bind(i64::from(max_attempts))
            .bind(ABANDONED_SHARD)
            .run(&mut *tx)
            .await?;
        if abandoned > 0 {
            sqlx::query(sql::DROP_SHARDS_OF_ENDED_REPORTS)
                .run(&mut *tx)
                .await?;
        }
        let claimed: Option<ShardRow> =
            claim(&mut tx, sql::claim_shard(SKIP_LOCKED), lease, now).await?;
        let Some((report_id, idx, from_store, to_store, attempts)) = claimed else {
            tx.commit().await.map_err(db_err)?;
            return Ok(None);
        };
        let (as_of, started_at, scope_stores, kind): (
            Option<i64>,
            Option<i64>,
            Option<String>,
            String,
        ) = sqlx::query_as(sql::REPORT_OF_SHARD)
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
    }

    async fn renew_shard_lease(&self, id: &ShardId, lease: &Lease) -> Result<bool, DbError> {
        let done = sqlx::query(sql::RENEW_SHARD)
            .bind(lease.until)
            .bind(id.report.as_str())
            .bind(i64::from(id.index))
            .bind(&lease.worker)
            .run(&self.pool)
            .await?;
        Ok(done == 1)
    }

    async fn finish_shard(
        &self,
        id: &ShardId,
        lease: &Lease,
        outcome: ShardOutcome,
        now: Micros,
    ) -> Result<ShardFinish, DbError> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        // The report's row first: shards finishing at once take turns, so
        // the last of them sees every other one complete.
        sqlx::query("SELECT 1 FROM reports WHERE id = $1 FOR UPDATE")
            .bind(id.report.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        let finish = shards::finish(&mut Shards(&mut tx), id, lease, outcome, now).await?;
        if finish != ShardFinish::Lost {
            tx.commit().await.map_err(db_err)?;
        }
        Ok(finish)
    }

    /// LISTEN on [`WORK_CHANNEL`], on a connection of its own (not one of
    /// the pool's, which the work needs); a lost connection is opened again
    /// (work notified meanwhile is found by the workers' idle look).
    async fn watch_work(&self, on_work: impl Fn() + Send + Sync + 'static) {
        let own = PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with((*self.pool.connect_options()).clone());
        loop {
            match PgListener::connect_with(&own).await {
                Ok(mut listener) => match listener.listen(WORK_CHANNEL).await {
                    Ok(()) => {
                        tracing::info!(channel = WORK_CHANNEL, "listening for report work");
                        while let Ok(Some(_)) = listener.try_recv().await {
                            on_work();
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "could not listen for report work"),
                },
                Err(e) => tracing::warn!(error = %e, "could not listen for report work"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        }
    }

    async fn report(
        &self,
        id: &ReportId,
        include: Include,
    ) -> Result<Option<ReportRecord>, DbError> {
        let row = sqlx::query(AssertSqlSafe(sql::report()))
            .bind(id.as_str())
            .bind(include == Include::Csv)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.map(|row| report_columns(&row).into_record())
            .transpose()
    }

    async fn reports(&self, page: &ReportPage) -> Result<Vec<ReportRecord>, DbError> {
        let (before_at, before_id) = page.before.clone().unwrap_or((i64::MAX, String::new()));
        let rows = sqlx::query(AssertSqlSafe(sql::reports(page.scope_id.is_some())))
            .bind(before_at)
            .bind(before_id)
            .bind(&page.scope_id)
            .bind(i64::from(page.limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter()
            .map(|row| report_columns(row).into_record())
            .collect()
    }

    async fn delete_reports_finished_before(&self, cutoff: Micros) -> Result<u64, DbError> {
        sqlx::query(sql::DELETE_REPORTS_FINISHED_BEFORE)
            .bind(cutoff)
            .run(&self.pool)
            .await
    }
}

/// A statement on one running part: `$1` to `$3` are its shard and worker.
fn of_part<'q>(
    sql: &'static str,
    id: &'q ShardId,
    worker: &'q str,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    sqlx::query(sql)
        .bind(id.report.as_str())
        .bind(i64::from(id.index))
        .bind(worker)
}

/// The statements of [`shards::finish`].
struct Shards<'t, 'c>(&'t mut sqlx::Transaction<'c, sqlx::Postgres>);

impl ShardWriter for Shards<'_, '_> {
    async fn store_part(
        &mut self,
        id: &ShardId,
        worker: &str,
        rows: i64,
        csv: String,
    ) -> Result<bool, DbError> {
        let done = of_part(sql::STORE_PART, id, worker)
            .bind(rows)
            .bind(csv)
            .run(&mut **self.0)
            .await?;
        Ok(done == 1)
    }

    async fn drop_part(&mut self, id: &ShardId, worker: &str) -> Result<bool, DbError> {
        let done = of_part(sql::DROP_PART, id, worker)
            .run(&mut **self.0)
            .await?;
        Ok(done == 1)
    }

    async fn parts_left(&mut self, report: &ReportId) -> Result<i64, DbError> {
        sqlx::query_scalar(sql::PARTS_LEFT)
            .bind(report.as_str())
            .fetch_one(&mut **self.0)
            .await
            .map_err(db_err)
    }

    async fn parts(&mut self, report: &ReportId) -> Result<Vec<(i64, String)>, DbError> {
        sqlx::query_as(sql::PARTS)
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
        let (state, rows, csv, error) = end.into_columns();
        sqlx::query(sql::END_REPORT)
            .bind(state)
            .bind(rows)
            .bind(csv)
            .bind(error)
            .bind(now)
            .bind(report.as_str())
            .run(&mut **self.0)
            .await?;
        Ok(())
    }

    async fn delete_parts(&mut self, report: &ReportId) -> Result<(), DbError> {
        sqlx::query(sql::DELETE_PARTS)
            .bind(report.as_str())
            .run(&mut **self.0)
            .await?;
        Ok(())
    }
}
