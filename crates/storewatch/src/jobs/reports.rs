//! Report workers: claim queued jobs from the database, compute, store the
//! CSV. The queue *is* the `reports` table, so jobs survive restarts and
//! several instances can share one database: each claim is atomic, and a
//! job whose worker dies is claimed again once its lease runs out. A report
//! over many stores is split into shards (ranges of stores) instead, which
//! every instance's workers claim the same way; the last one done completes
//! the report (see storewatch-db's `shards.rs`).

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use storewatch_core::domain::Micros;
use storewatch_core::report::{Header, ReportError};
use storewatch_db::{
    ClaimedReport, ClaimedShard, Database, DbError, Lease, ReportOutcome, ShardFinish,
    ShardOutcome, StoreRange,
};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

use crate::app::AppState;
use crate::app::report::{Plan, ReportCsv, compute_csv, compute_shard, plan_report};
use crate::clock::now_micros;

/// How often an idle worker looks for jobs a notification did not announce
/// (queued by another instance, or whose lease ran out).
const IDLE_POLL: Duration = Duration::from_secs(1);

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// What a worker claimed.
enum Work {
    Report(ClaimedReport),
    Shard(ClaimedShard),
}

/// Shards first: they finish reports already under way.
async fn claim<D: Database>(
    state: &AppState<D>,
    lease: &Lease,
    now: Micros,
) -> Result<Option<Work>, DbError> {
    let attempts = state.settings.report_max_attempts;
    if let Some(shard) = state.db.claim_shard(lease, now, attempts).await? {
        return Ok(Some(Work::Shard(shard)));
    }
    let report = state.db.claim_report(lease, now, attempts).await?;
    Ok(report.map(Work::Report))
}

/// Runs until `stop` turns true, then waits for the jobs under way.
pub async fn run<D: Database>(state: AppState<D>, mut stop: watch::Receiver<bool>) {
    let worker = format!(
        "{}-{}",
        std::process::id(),
        crate::clock::random_id().unwrap_or_default()
    );
    let workers = state.settings.report_workers.max(1);
    let slots = Arc::new(Semaphore::new(workers));
    // Work other instances queue wakes the idle workers here at once.
    // `notify_one`, here and wherever work is queued: the loop below is the
    // one waiter, and a wake-up that comes while it is claiming (not yet
    // waiting) is kept for its next wait instead of lost; lost, an instance
    // sat idle for IDLE_POLL while another ran every part of a split report.
    let watcher = {
        let (db, queued) = (state.db.clone(), state.report_queued.clone());
        tokio::spawn(async move { db.watch_work(move || queued.notify_one()).await })
    };
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            _ = stop.wait_for(|s| *s) => break,
        };
        let now = now_micros();
        let lease = Lease {
            worker: worker.clone(),
            until: now + micros(state.settings.report_lease),
        };
        match claim(&state, &lease, now).await {
            Ok(Some(work)) => {
                let state = state.clone();
                tokio::spawn(async move {
                    match work {
                        Work::Report(job) => run_job(&state, lease, job).await,
                        Work::Shard(shard) => run_shard(&state, lease, shard).await,
                    }
                    drop(slot);
                });
            }
            Ok(None) => {
                drop(slot);
                tokio::select! {
                    () = state.report_queued.notified() => {}
                    () = tokio::time::sleep(IDLE_POLL) => {}
                    _ = stop.wait_for(|s| *s) => break,
                }
            }
            Err(e) => {
                drop(slot);
                tracing::error!(error = %e, "could not claim a report job");
                tokio::time::sleep(IDLE_POLL).await;
            }
        }
    }
    watcher.abort();
    // Let jobs under way finish, for at most a lease: beyond that another
    // instance (or this one, restarted) takes them over anyway.
    let all = u32::try_from(workers).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(state.settings.report_lease, slots.acquire_many(all)).await;
}

/// Why a report failed, as its reader may see it: a fault of the data (a
/// store that cannot be computed) is named; anything else (the database, the
/// machine) is logged here in full and reported generically.
fn public_reason(e: &anyhow::Error, report_id: &str) -> String {
    if let Some(report_error) = e.downcast_ref::<ReportError>() {
        return report_error.to_string();
    }
    tracing::error!(report_id, error = %format!("{e:#}"), "report failed on the server's side");
    format!(
        "internal error while computing the report; the server log has the details under report id {report_id}"
    )
}

/// A claim's heartbeat: renews the lease until dropped. Dropped when the
/// job ends in any way, a panic included, so a job that died stops
/// claiming its report, and the lease runs out for another worker to take
/// it over (before, a panicking job's heartbeat kept its report Running
/// forever).
struct Heartbeat(JoinHandle<()>);

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Keeps a claim: renews its lease every third of a lease until the
/// [`Heartbeat`] is dropped, or until `renew` says the claim was lost, so
/// nobody else takes it over while it is worked on.
fn keep_lease<F, Fut>(lease: Duration, worker: &str, renew: F) -> Heartbeat
where
    F: Fn(Lease) -> Fut + Send + 'static,
    Fut: Future<Output = Result<bool, DbError>> + Send,
{
    let worker = worker.to_string();
    Heartbeat(tokio::spawn(async move {
        loop {
            tokio::time::sleep(lease / 3).await;
            let until = now_micros() + micros(lease);
            match renew(Lease {
                worker: worker.clone(),
                until,
            })
            .await
            {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => tracing::warn!(error = %e, "could not renew a report lease"),
            }
        }
    }))
}

/// What running a claimed report came to.
enum Step {
    Done(ReportOutcome),
    Split {
        as_of: Micros,
        ranges: Vec<StoreRange>,
    },
}

async fn run_job<D: Database>(state: &AppState<D>, lease: Lease, job: ClaimedReport) {
    let started = Instant::now();
    tracing::info!(report_id = %job.id, attempt = job.attempts, "report started");
    let heartbeat = {
        let (db, id) = (state.db.clone(), job.id.clone());
        keep_lease(state.settings.report_lease, &lease.worker, move |lease| {
            let (db, id) = (db.clone(), id.clone());
            async move { db.renew_report_lease(&id, &lease).await }
        })
    };
    let result = async {
        let per_shard = state.settings.report_shard_stores;
        if let Plan::Split { as_of, ranges } = plan_report(
            &state.db,
            job.requested_as_of,
            job.scope.as_ref(),
            per_shard,
        )
        .await?
        {
            return Ok(Step::Split { as_of, ranges });
        }
        // Stored with every column; a week report asked for the standard
        // ones is served its first seven (see `controllers::reports::csv_for`).
        let ReportCsv { as_of, rows, csv } = compute_csv(
            &state.db,
            job.spec,
            job.requested_as_of,
            job.scope.as_ref().into(),
            Header::Write,
        )
        .await?;
        anyhow::Ok(Step::Done(ReportOutcome::Complete { as_of, rows, csv }))
    }
    .await;
    let outcome = match result {
        Ok(Step::Done(outcome)) => outcome,
        Ok(Step::Split { as_of, ranges }) => {
            let split = state.db.split_report(&job.id, &lease, as_of, &ranges).await;
            drop(heartbeat);
            match split {
                Ok(true) => {
                    tracing::info!(report_id = %job.id, parts = ranges.len(), "report split");
                    // The other workers here take parts at once too.
                    state.report_queued.notify_one();
                }
                Ok(false) => {
                    tracing::warn!(report_id = %job.id, "report was taken over by another worker; not split")
                }
                Err(e) => {
                    tracing::error!(report_id = %job.id, error = %e, "could not split a report")
                }
            }
            return;
        }
        Err(e) => ReportOutcome::Failed {
            error: public_reason(&e, job.id.as_str()),
        },
    };
    drop(heartbeat);
    let label = match &outcome {
        ReportOutcome::Complete { .. } => "complete",
        ReportOutcome::Failed { .. } => "failed",
    };
    if let ReportOutcome::Failed { error } = &outcome {
        tracing::warn!(report_id = %job.id, error, "report failed");
    }
    match state
        .db
        .finish_report(&job.id, &lease, outcome, now_micros())
        .await
    {
        Ok(true) => {
            let seconds = started.elapsed().as_secs_f64();
            state.metrics.report(label, seconds);
            tracing::info!(report_id = %job.id, outcome = label, seconds, "report finished");
        }
        Ok(false) => {
            tracing::warn!(report_id = %job.id, "report was taken over by another worker; result dropped")
        }
        Err(e) => {
            tracing::error!(report_id = %job.id, error = %e, "could not store a report result")
        }
    }
}

async fn run_shard<D: Database>(state: &AppState<D>, lease: Lease, shard: ClaimedShard) {
    let (report_id, part) = (shard.id.report.clone(), shard.id.index);
    tracing::info!(%report_id, part, attempt = shard.attempts, "report part started");
    let heartbeat = {
        let (db, id) = (state.db.clone(), shard.id.clone());
        keep_lease(state.settings.report_lease, &lease.worker, move |lease| {
            let (db, id) = (db.clone(), id.clone());
            async move { db.renew_shard_lease(&id, &lease).await }
        })
    };
    let outcome = match compute_shard(&state.db, &shard).await {
        Ok((rows, csv)) => ShardOutcome::Complete { rows, csv },
        Err(e) => {
            let error = public_reason(&e, report_id.as_str());
            tracing::warn!(%report_id, part, error, "report failed");
            ShardOutcome::Failed { error }
        }
    };
    drop(heartbeat);
    let now = now_micros();
    let label = match state.db.finish_shard(&shard.id, &lease, outcome, now).await {
        Ok(ShardFinish::Stored) => {
            tracing::info!(%report_id, part, "report part finished");
            return;
        }
        Ok(ShardFinish::Lost) => {
            tracing::warn!(%report_id, part, "report part was taken over by another worker; result dropped");
            return;
        }
        Err(e) => {
            tracing::error!(%report_id, part, error = %e, "could not store a report part");
            return;
        }
        Ok(ShardFinish::ReportComplete) => {
            tracing::info!(%report_id, part, "report part finished");
            "complete"
        }
        Ok(ShardFinish::ReportFailed) => "failed",
    };
    let seconds = shard
        .report_started_at
        .map_or(0.0, |t| (now - t).max(0) as f64 / 1e6);
    state.metrics.report(label, seconds);
    tracing::info!(%report_id, outcome = label, seconds, "report finished");
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_job_that_panics_stops_renewing_its_lease() {
        let renewals = Arc::new(AtomicUsize::new(0));
        let counted = renewals.clone();
        let job = tokio::spawn(async move {
            let _heartbeat = keep_lease(Duration::from_secs(3), "w", move |_| {
                counted.fetch_add(1, Ordering::SeqCst);
                async { Ok(true) }
            });
            tokio::time::sleep(Duration::from_secs(5)).await;
            panic!("the job's async part failed");
        });
        assert!(job.await.unwrap_err().is_panic());
        let at_panic = renewals.load(Ordering::SeqCst);
        assert!(at_panic >= 1, "the heartbeat ran while the job did");
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(
            renewals.load(Ordering::SeqCst),
            at_panic,
            "renewed after the job died"
        );
    }
}
