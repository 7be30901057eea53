//! Working out the alert events after a change of the data (SPEC section
//! 7, step 2): every store's live status at the new T, then, in one
//! transaction that takes turns with every other instance's, the events of
//! each subscription against what it was told before.
//!
//! When: the push and deletion handlers and the re-ingest job call
//! [`evaluate`] after their change commits and before they answer; the
//! command-line ingest and deletion before they exit; and the alerts job at
//! start and whenever the data's version is ahead of the alerts' (a process
//! that died in between, another instance's change). Running it twice is
//! harmless: the second finds the version already done, or nothing new.

use anyhow::Result;
use serde_json::json;
use storewatch_core::alerts::{Event, EventType, events_after_change};
use storewatch_core::domain::{Micros, format_timestamp};
use storewatch_core::report::{Live, hundredths};
use storewatch_db::alerts::{AlertChanges, AlertState, NewEvent};
use storewatch_db::{Database, Scope};

use crate::app::Metrics;
use crate::app::stores::every_live;
use crate::clock::{now_micros, random_id};

/// What an evaluation wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Evaluated {
    pub offline: u64,
    pub recovered: u64,
}

/// One evaluation at a time in this process: a handler that finds the
/// alerts job evaluating waits for it, then finds its change covered,
/// instead of working the statuses out a second time.
static EVALUATION_TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Brings the alerts up to the data's current version (see the module
/// docs); nothing to do when they are.
pub async fn evaluate<D: Database>(db: &D, metrics: &Metrics) -> Result<Evaluated> {
    let _turn = EVALUATION_TURN.lock().await;
    let started = std::time::Instant::now();
    let version = db.data_version().await?;
    if db.alerts_evaluated().await? >= version {
        return Ok(Evaluated::default());
    }
    // Statuses only when someone listens: a service without subscriptions
    // pays a read of two small tables per change. A database without polls
    // has no T and no statuses: every alerted store recovers.
    let subscriptions = db.subscriptions().await?;
    let listened = !subscriptions.is_empty();
    // When every subscription names its stores (an owner's, say), only
    // those are read.
    let only = subscriptions
        .iter()
        .map(|s| s.stores.as_deref())
        .collect::<Option<Vec<_>>>()
        .and_then(|lists| Scope::new(lists.into_iter().flatten()).ok());
    let (t, statuses) = match listened {
        true => match every_live(
            db,
            db.alerted_stores().await?.into_iter().collect(),
            only.as_ref(),
        )
        .await?
        {
            Some((t, statuses)) => (Some(t), statuses),
            None => (None, Vec::new()),
        },
        false => (None, Vec::new()),
    };
    let read = started.elapsed();
    let made = db
        .apply_alerts(version, move |state| {
            // A subscription made since the check above waits for the next
            // change, as it would have had it come a moment later.
            if !listened {
                return AlertChanges::default();
            }
            decide(state, t, &statuses, now_micros())
        })
        .await?;
    let mut done = Evaluated::default();
    for e in made.iter().flat_map(|m| &m.events) {
        if e.kind == EventType::Offline.as_str() {
            done.offline += 1;
        } else {
            done.recovered += 1;
        }
    }
    metrics.alert_events(done.offline, done.recovered);
    if done != Evaluated::default() {
        tracing::info!(
            offline = done.offline,
            recovered = done.recovered,
            version,
            statuses_ms = read.as_secs_f64() * 1e3,
            ms = started.elapsed().as_secs_f64() * 1e3,
            "alert events written"
        );
    }
    Ok(done)
}

/// The events of every subscription: `statuses` every store's at `t`, by id.
fn decide(
    state: AlertState,
    t: Option<Micros>,
    statuses: &[(String, Live)],
    now: Micros,
) -> AlertChanges {
    let mut changes = AlertChanges::default();
    for sub in &state.subscriptions {
        let alerted: Vec<String> = state
            .open
            .iter()
            .filter(|(s, _)| *s == sub.id)
            .map(|(_, store)| store.clone())
            .collect();
        let now_of_sub = statuses
            .iter()
            .filter(|(id, _)| sub.covers(id))
            .map(|(id, live)| (id.as_str(), *live));
        // Without T there is no status, so no offline store: any T will do.
        for event in events_after_change(t.unwrap_or(0), sub.after, now_of_sub, &alerted) {
            let pair = (sub.id.clone(), event.store_id.clone());
            match event.kind {
                EventType::Offline => changes.opened.push(pair),
                EventType::Recovered => changes.closed.push(pair),
            }
            // Random ids cannot fail but on a broken system; then the
            // event still gets one, unique by its place.
            let id = random_id().unwrap_or_else(|_| format!("{}-{}-{now}", sub.id, event.store_id));
            changes.events.push(NewEvent {
                body: body(&id, &sub.id, &event, t),
                id,
                subscription_id: sub.id.clone(),
                store_id: event.store_id.clone(),
                kind: event.kind.as_str().to_string(),
                created_at: now,
            });
        }
    }
    changes
}

/// The JSON an event is sent as (SPEC section 7, step 3).
pub fn body(id: &str, subscription: &str, event: &Event, t: Option<Micros>) -> String {
    let live = event.live;
    json!({
        "id": id,
        "type": event.kind.as_str(),
        "subscription_id": subscription,
        "store_id": event.store_id,
        "status": live.status.as_str(),
        "since": live.since.map(format_timestamp),
        "as_of": t.map(format_timestamp),
        "downtime_hours": hundredths(live.downtime, storewatch_core::domain::MICROS_PER_HOUR) as f64 / 100.0,
    })
    .to_string()
}
