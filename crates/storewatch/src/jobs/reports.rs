//! Report workers: claim queued jobs from the database, compute, store the
//! CSV. The queue *is* the `reports` table, so jobs survive restarts and
//! several instances can share one database: each claim is atomic, and a
//! job whose worker dies is claimed again once its lease runs out.

use std::sync::Arc;
use std::time::{Duration, Instant};

use storewatch_core::report::{Columns, ReportError, to_csv_string};
use storewatch_db::{ClaimedReport, Database, Lease, ReportOutcome};
use tokio::sync::{Semaphore, watch};

use crate::app::AppState;
use crate::app::report::compute_report;
use crate::clock::now_micros;

/// How often an idle worker looks for jobs a notification did not announce
/// (queued by another instance, or whose lease ran out).
const IDLE_POLL: Duration = Duration::from_secs(1);

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
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
        match state
            .db
            .claim_report(&lease, now, state.settings.report_max_attempts)
            .await
        {
            Ok(Some(job)) => {
                let state = state.clone();
                tokio::spawn(async move {
                    run_job(&state, lease, job).await;
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

async fn run_job<D: Database>(state: &AppState<D>, lease: Lease, job: ClaimedReport) {
    let started = Instant::now();
    tracing::info!(report_id = %job.id, attempt = job.attempts, "report started");
    // Keep the lease while computing, so nobody else takes the job over.
    let heartbeat = {
        let (db, id, worker) = (state.db.clone(), job.id.clone(), lease.worker.clone());
        let lease = state.settings.report_lease;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(lease / 3).await;
                match db
                    .renew_report_lease(
                        &id,
                        &Lease {
                            worker: worker.clone(),
                            until: now_micros() + micros(lease),
                        },
                    )
                    .await
                {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        tracing::warn!(report_id = %id, error = %e, "could not renew a report lease")
                    }
                }
            }
        })
    };
    let result = async {
        let report = compute_report(&state.db, job.requested_as_of, job.scope.as_ref()).await?;
        let rows = report.rows.len() as u64;
        let as_of = report.as_of;
        // Stored with every column; a report asked for the standard ones is
        // served its first seven (see `controllers::reports::csv_for`).
        let csv =
            tokio::task::spawn_blocking(move || to_csv_string(&report, Columns::Extended)).await?;
        anyhow::Ok(ReportOutcome::Complete { as_of, rows, csv })
    }
    .await;
    heartbeat.abort();
    let outcome = result.unwrap_or_else(|e| ReportOutcome::Failed {
        error: public_reason(&e, job.id.as_str()),
    });
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
