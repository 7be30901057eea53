//! The alerts beside the API (SPEC section 7): keeps the alert events up
//! to the data, and sends them.
//!
//! - Evaluating: at start and every [`CHECK_EVERY`], if the data's version
//!   is ahead of the alerts' (a change this process applied but died
//!   before evaluating, a command-line ingest, another instance's change),
//!   the events are worked out (`app::alerts::evaluate`). Changes this
//!   process applies are evaluated by their handlers before they answer.
//! - Sending: due events are claimed (leased, as report jobs are) and each
//!   sent on its own task, at most [`IN_FLIGHT`] at once and
//!   [`PER_SUBSCRIPTION`] per subscription, so a slow or dead receiver
//!   holds up only its own events; the loop sleeps until the next event is
//!   due, a slot frees, or new events are written.

use std::time::Duration;

use storewatch_db::{Database, Lease};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::app::AppState;
use crate::app::alerts::deliver::{IN_FLIGHT, PER_SUBSCRIPTION, send_and_record};
use crate::app::alerts::evaluate;
use crate::clock::{now_micros, random_id};

pub const CHECK_EVERY: Duration = Duration::from_secs(2);
/// The longest the sender sleeps without looking for due events (another
/// instance may have written some).
const LOOK_EVERY: Duration = Duration::from_secs(1);

pub async fn run<D: Database>(state: AppState<D>, stop: watch::Receiver<bool>) {
    tokio::join!(keep_evaluated(&state, stop.clone()), send(&state, stop));
}

async fn keep_evaluated<D: Database>(state: &AppState<D>, mut stop: watch::Receiver<bool>) {
    loop {
        match evaluate(&state.db, &state.metrics).await {
            Ok(made) if made != Default::default() => state.alerts.written.notify_one(),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "alerts: could not work out the events"),
        }
        tokio::select! {
            () = tokio::time::sleep(CHECK_EVERY) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

async fn send<D: Database>(state: &AppState<D>, mut stop: watch::Receiver<bool>) {
    let Some(sender) = state.alerts.sender.clone() else {
        return;
    };
    let worker = format!(
        "alerts-{}",
        random_id().unwrap_or_else(|_| std::process::id().to_string())
    );
    let mut in_flight: JoinSet<()> = JoinSet::new();
    loop {
        let free = IN_FLIGHT.saturating_sub(in_flight.len() as u32);
        if free > 0 {
            let now = now_micros();
            let lease = Lease {
                worker: worker.clone(),
                until: now + sender.lease(),
            };
            match state
                .db
                .claim_events(&lease, now, free, PER_SUBSCRIPTION)
                .await
            {
                Ok(events) => {
                    for event in events {
                        let (db, sender, metrics, lease) = (
                            state.db.clone(),
                            sender.clone(),
                            state.metrics.clone(),
                            lease.clone(),
                        );
                        in_flight.spawn(async move {
                            let at = now_micros();
                            if let Err(e) =
                                send_and_record(&db, &sender, &metrics, &lease, &event, at).await
                            {
                                tracing::error!(error = %e, event = %event.id,
                                    "alerts: could not record a delivery attempt");
                            }
                        });
                    }
                }
                Err(e) => tracing::error!(error = %e, "alerts: could not claim events"),
            }
        }
        let wait = match state.db.next_event_due().await {
            Ok(Some(due)) => Duration::from_micros(u64::try_from(due - now_micros()).unwrap_or(0))
                .min(LOOK_EVERY),
            _ => LOOK_EVERY,
        };
        let stopping = tokio::select! {
            Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {
                // Every attempt that ended meanwhile, then one claim for
                // all the room they left.
                while in_flight.try_join_next().is_some() {}
                false
            }
            () = tokio::time::sleep(wait.max(Duration::from_millis(20))) => false,
            () = state.alerts.written.notified() => false,
            _ = stop.wait_for(|s| *s) => true,
        };
        if stopping {
            // Attempts under way finish (up to their time limit), so none
            // is left leased for a lease period.
            while in_flight.join_next().await.is_some() {}
            return;
        }
    }
}
