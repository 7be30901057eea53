//! Deletes finished reports (with their CSV) once they are older than
//! `--keep-reports`, and polls older than `--retain-polls` if set, at start
//! and every hour, so neither piles up.

use std::time::Duration;

use storewatch_db::Database;
use tokio::sync::watch;

use crate::app::AppState;
use crate::clock::now_micros;

const EVERY: Duration = Duration::from_secs(3600);

pub async fn run<D: Database>(state: AppState<D>, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(e) = tick(&state).await {
            tracing::error!(error = %e, "could not delete old reports; trying again in an hour");
        }
        if let Some(retain) = state.settings.retain_polls {
            let pass = crate::app::polls::retain_polls(&state.db, retain, now_micros());
            tokio::select! {
                done = pass => if let Err(e) = done {
                    tracing::error!(error = %e, "could not delete old polls; trying again in an hour");
                },
                _ = stop.wait_for(|s| *s) => return,
            }
        }
        tokio::select! {
            () = tokio::time::sleep(EVERY) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// One pass: deletes what finished more than `keep_reports` ago.
pub async fn tick<D: Database>(state: &AppState<D>) -> Result<u64, storewatch_db::DbError> {
    let keep = i64::try_from(state.settings.keep_reports.as_micros()).unwrap_or(i64::MAX);
    let deleted = state
        .db
        .delete_reports_finished_before(now_micros().saturating_sub(keep))
        .await?;
    if deleted > 0 {
        tracing::info!(deleted, "deleted reports older than --keep-reports");
    }
    // Alert events delivered or failed are kept as long as reports.
    let events = state
        .db
        .delete_finished_events(now_micros().saturating_sub(keep))
        .await?;
    if events > 0 {
        tracing::info!(
            events,
            "deleted alert events finished before --keep-reports"
        );
    }
    Ok(deleted)
}
