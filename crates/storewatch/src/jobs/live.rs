//! Counts every store's live status at the newest poll (SPEC section 7,
//! step 1) for the metrics (`storewatch_stores{status}`): at start, after
//! every change this process applies (a push, a re-ingest, a deletion:
//! [`AppState::changes`]), and when the newest poll has moved for any
//! other reason (a command-line ingest, another instance), checked every
//! [`CHECK_EVERY`]. As heavy as the offline list, whose turn it takes.

use std::time::Duration;

use storewatch_db::Database;
use tokio::sync::watch;

use crate::app::AppState;
use crate::app::stores::live_counts;

pub const CHECK_EVERY: Duration = Duration::from_secs(60);

pub async fn run<D: Database>(state: AppState<D>, mut stop: watch::Receiver<bool>) {
    let mut changed = true;
    loop {
        let stale = match state.db.newest_poll().await {
            Ok(Some(t)) => changed || state.metrics.live_as_of() != Some(t),
            // No polls (any more): no statuses to tell.
            Ok(None) => {
                state.metrics.clear_live();
                false
            }
            Err(e) => {
                tracing::warn!(error = %e, "live statuses: could not read the newest poll");
                false
            }
        };
        if stale {
            let counting = live_counts(&state.db);
            tokio::select! {
                done = counting => match done {
                    Ok(Some((t, counts))) => state.metrics.set_live(t, counts),
                    Ok(None) => {}
                    Err(e) => tracing::error!(error = %e, "live statuses: could not count them"),
                },
                _ = stop.wait_for(|s| *s) => return,
            }
        }
        tokio::select! {
            () = state.changes.next() => changed = true,
            () = tokio::time::sleep(CHECK_EVERY) => changed = false,
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}
