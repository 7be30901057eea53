//! The report queue in SQLite. Report jobs live in a file of their own
//! (`storewatch.jobs.db` beside `storewatch.db`): a SQLite file has one writer
//! at a time, and a trigger or a worker's heartbeat must not wait for an
//! ingest to commit. Every step that reads and then writes is one IMMEDIATE
//! transaction, so claims and finishes of several workers (or processes)
//! take turns.

use rusqlite::{Connection, Row};
use storewatch_core::domain::Micros;
use storewatch_db::columns::{ReportColumns, ShardColumns, claimed_report};
use storewatch_db::shards::{self, ABANDONED_SHARD, ReportEnd, ShardWriter};
use storewatch_db::{
    ClaimedReport, ClaimedShard, DbError, Include, Lease, NewReport, ReportId, ReportOutcome,
    ReportPage, ReportQueue, ReportRecord, ShardFinish, ShardId, ShardOutcome, StoreRange, sql,
};

use crate::SqliteDatabase;
use crate::query::{self, execute, in_transaction, now, write};

/// A report row as [`sql::REPORT_COLUMNS`] lists it, with the CSV after it
/// if the statement selects one.
fn report_columns(row: &Row<'_>) -> rusqlite::Result<ReportColumns> {
    Ok(ReportColumns {
        id: row.get(0)?,
        state: row.get(1)?,
        requested_as_of: row.get(2)?,
        as_of: row.get(3)?,
        columns: row.get(4)?,
        kind: row.get(5)?,
        created_at: row.get(6)?,
        started_at: row.get(7)?,
        finished_at: row.get(8)?,
        attempts: row.get(9)?,
        row_count: row.get(10)?,
        error: row.get(11)?,
        key_id: row.get(12)?,
        scope_id: row.get(13)?,
        parts: row.get(14)?,
        csv: if row.as_ref().column_count() > 15 {
            row.get(15)?
        } else {
            None
        },
    })
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
        let (id, request) = (id.clone(), request.clone());
        // IMMEDIATE: the count and the insert are one step, so two triggers
        // at once cannot both squeeze under the cap.
        self.jobs
            .run(move |conn| {
                in_transaction(conn, |conn| {
                    let owner = &request.owner;
                    let unfinished: i64 =
                        query::scalar(conn, sql::UNFINISHED_REPORTS, &[&owner.key_id])?;
                    if unfinished >= i64::from(max_unfinished) {
                        return Ok(false);
                    }
                    execute(
                        conn,
                        sql::CREATE_REPORT,
                        &[
                            &id.as_str(),
                            &request.requested_as_of,
                            &request.columns.as_str(),
                            &request.spec.to_db(),
                            &now,
                            &owner.key_id,
                            &owner.scope.as_ref().map(|s| s.id()),
                            &owner.scope.as_ref().map(|s| s.to_text()),
                        ],
                    )?;
                    Ok(true)
                })
            })
            .await
    }

    async fn claim_report(
        &self,
        lease: &Lease,
        now: Micros,
        max_attempts: u32,
    ) -> Result<Option<ClaimedReport>, DbError> {
        let lease = lease.clone();
        let claimed = self
            .jobs
            .run(move |conn| {
                in_transaction(conn, |conn| {
                    execute(
                        conn,
                        sql::ABANDON_REPORTS,
                        &[&now, &i64::from(max_attempts)],
                    )?;
                    query::optional(
                        conn,
                        &sql::claim_report(""),
                        &[&lease.worker, &now, &lease.until],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                    )
                })
            })
            .await?;
        claimed.map(claimed_report).transpose()
    }

    async fn renew_report_lease(&self, id: &ReportId, lease: &Lease) -> Result<bool, DbError> {
        let (id, lease) = (id.clone(), lease.clone());
        let done = self
            .jobs
            .run(move |c| {
                execute(
                    c,
                    sql::RENEW_REPORT,
                    &[&lease.until, &id.as_str(), &lease.worker],
                )
            })
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
        let (id, lease) = (id.clone(), lease.clone());
        let c = outcome.into_columns();
        let done = self
            .jobs
            .run(move |conn| {
                execute(
                    conn,
                    sql::FINISH_REPORT,
                    &[
                        &c.state,
                        &c.as_of,
                        &c.rows,
                        &c.csv,
                        &c.error,
                        &now,
                        &id.as_str(),
                        &lease.worker,
                    ],
                )
            })
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
        let (id, lease, ranges) = (id.clone(), lease.clone(), ranges.to_vec());
        self.jobs
            .run(move |conn| in_transaction(conn, |conn| split(conn, &id, &lease, as_of, &ranges)))
            .await
    }

    async fn claim_shard(
        &self,
        lease: &Lease,
        now: Micros,
        max_attempts: u32,
    ) -> Result<Option<ClaimedShard>, DbError> {
        let lease = lease.clone();
        let claimed = self
            .jobs
            .run(move |conn| {
                in_transaction(conn, |conn| claim_shard(conn, &lease, now, max_attempts))
            })
            .await?;
        claimed.map(ShardColumns::into_claimed).transpose()
    }

    async fn renew_shard_lease(&self, id: &ShardId, lease: &Lease) -> Result<bool, DbError> {
        let (id, lease) = (id.clone(), lease.clone());
        let done = self
            .jobs
            .run(move |c| {
                execute(
                    c,
                    sql::RENEW_SHARD,
                    &[
                        &lease.until,
                        &id.report.as_str(),
                        &i64::from(id.index),
                        &lease.worker,
                    ],
                )
            })
            .await?;
        Ok(done == 1)
    }

    async fn finish_shard(
        &self,
        id: &ShardId,
        lease: &Lease,
        outcome: ShardOutcome,
        at: Micros,
    ) -> Result<ShardFinish, DbError> {
        let (id, lease) = (id.clone(), lease.clone());
        self.jobs
            .run(move |conn| {
                write(
                    conn,
                    |finish| *finish != ShardFinish::Lost,
                    |conn| now(shards::finish(&mut Shards(conn), &id, &lease, outcome, at)),
                )
            })
            .await
    }

    /// Nothing tells one process of another's writes to a SQLite file; the
    /// workers' idle look every second finds them.
    async fn watch_work(&self, _on_work: impl Fn() + Send + Sync + 'static) {}

    async fn report(
        &self,
        id: &ReportId,
        include: Include,
    ) -> Result<Option<ReportRecord>, DbError> {
        let id = id.clone();
        let row = self
            .jobs
            .run(move |c| {
                query::optional(
                    c,
                    &sql::report(),
                    &[&id.as_str(), &(include == Include::Csv)],
                    report_columns,
                )
            })
            .await?;
        row.map(ReportColumns::into_record).transpose()
    }

    async fn reports(&self, page: &ReportPage) -> Result<Vec<ReportRecord>, DbError> {
        let page = page.clone();
        let rows = self
            .jobs
            .run(move |c| {
                let (before_at, before_id) =
                    page.before.clone().unwrap_or((i64::MAX, String::new()));
                query::rows(
                    c,
                    &sql::reports(page.scope_id.is_some()),
                    &[
                        &before_at,
                        &before_id,
                        &page.scope_id,
                        &i64::from(page.limit),
                    ],
                    report_columns,
                )
            })
            .await?;
        rows.into_iter().map(ReportColumns::into_record).collect()
    }

    async fn delete_reports_finished_before(&self, cutoff: Micros) -> Result<u64, DbError> {
        self.jobs
            .run(move |c| execute(c, sql::DELETE_REPORTS_FINISHED_BEFORE, &[&cutoff]))
            .await
    }
}

/// Cuts a report into queued shards (see [`ReportQueue::split_report`]).
fn split(
    conn: &Connection,
    id: &ReportId,
    lease: &Lease,
    as_of: Micros,
    ranges: &[StoreRange],
) -> Result<bool, DbError> {
    let created: Option<i64> = query::optional(
        conn,
        sql::SPLIT_REPORT,
        &[
            &as_of,
            &id.as_str(),
            &lease.worker,
            &i64::try_from(ranges.len()).unwrap_or(i64::MAX),
        ],
        |r| r.get(0),
    )?;
    let Some(created) = created else {
        return Ok(false);
    };
    for (idx, range) in ranges.iter().enumerate() {
        execute(
            conn,
            "INSERT INTO report_shards (report_id, idx, created_at, from_store, to_store, state)
             VALUES ($1, $2, $3, $4, $5, 'queued')",
            &[
                &id.as_str(),
                &i64::try_from(idx).unwrap_or(i64::MAX),
                &created,
                &range.from,
                &range.to,
            ],
        )?;
    }
    Ok(true)
}

/// Takes a shard to do, failing the reports whose shards ran out of
/// attempts first (see [`ReportQueue::claim_shard`]).
fn claim_shard(
    conn: &Connection,
    lease: &Lease,
    now: Micros,
    max_attempts: u32,
) -> Result<Option<ShardColumns>, DbError> {
    let abandoned = execute(
        conn,
        sql::ABANDON_SHARDED_REPORTS,
        &[&now, &i64::from(max_attempts), &ABANDONED_SHARD],
    )?;
    if abandoned > 0 {
        execute(conn, sql::DROP_SHARDS_OF_ENDED_REPORTS, &[])?;
    }
    let claimed = query::optional(
        conn,
        &sql::claim_shard(""),
        &[&lease.worker, &now, &lease.until],
        |r| {
            Ok(ShardColumns {
                report_id: r.get(0)?,
                idx: r.get(1)?,
                from_store: r.get(2)?,
                to_store: r.get(3)?,
                attempts: r.get(4)?,
                as_of: None,
                started_at: None,
                scope_stores: None,
                kind: String::new(),
            })
        },
    )?;
    let Some(mut shard) = claimed else {
        return Ok(None);
    };
    query::optional(conn, sql::REPORT_OF_SHARD, &[&shard.report_id], |r| {
        shard.as_of = r.get(0)?;
        shard.started_at = r.get(1)?;
        shard.scope_stores = r.get(2)?;
        shard.kind = r.get(3)?;
        Ok(())
    })?;
    Ok(Some(shard))
}

/// The statements of [`shards::finish`].
struct Shards<'c>(&'c mut Connection);

impl ShardWriter for Shards<'_> {
    async fn store_part(
        &mut self,
        id: &ShardId,
        worker: &str,
        rows: i64,
        csv: String,
    ) -> Result<bool, DbError> {
        let done = execute(
            self.0,
            sql::STORE_PART,
            &[
                &id.report.as_str(),
                &i64::from(id.index),
                &worker,
                &rows,
                &csv,
            ],
        )?;
        Ok(done == 1)
    }

    async fn drop_part(&mut self, id: &ShardId, worker: &str) -> Result<bool, DbError> {
        let done = execute(
            self.0,
            sql::DROP_PART,
            &[&id.report.as_str(), &i64::from(id.index), &worker],
        )?;
        Ok(done == 1)
    }

    async fn parts_left(&mut self, report: &ReportId) -> Result<i64, DbError> {
        query::scalar(self.0, sql::PARTS_LEFT, &[&report.as_str()])
    }

    async fn parts(&mut self, report: &ReportId) -> Result<Vec<(i64, String)>, DbError> {
        query::rows(self.0, sql::PARTS, &[&report.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
    }

    async fn end_report(
        &mut self,
        report: &ReportId,
        end: ReportEnd,
        now: Micros,
    ) -> Result<(), DbError> {
        let (state, rows, csv, error) = end.into_columns();
        execute(
            self.0,
            sql::END_REPORT,
            &[&state, &rows, &csv, &error, &now, &report.as_str()],
        )?;
        Ok(())
    }

    async fn delete_parts(&mut self, report: &ReportId) -> Result<(), DbError> {
        execute(self.0, sql::DELETE_PARTS, &[&report.as_str()])?;
        Ok(())
    }
}
