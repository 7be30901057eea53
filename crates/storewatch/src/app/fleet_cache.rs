//! The fleets worked out lately, kept for the fleet page and `/api/fleet`:
//! a fleet is as heavy as a report (every store's period), and people
//! reload the start page. One is reused while nothing has changed: the
//! same caller's stores, period and report time, the same newest poll, no
//! change applied by this process since, and younger than [`FRESH_FOR`]
//! (the limit for changes made elsewhere that leave the newest poll where
//! it was, such as a command-line deletion).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use storewatch_core::domain::Micros;
use storewatch_core::report::{Fleet, PeriodSpec};
use storewatch_db::{Database, Scope};

use crate::app::changes::DataChanges;
use crate::app::report::compute_fleet;

pub const FRESH_FOR: Duration = Duration::from_secs(60);

/// Fleets kept at most: a few periods for a few owners.
const KEPT: usize = 16;

/// What a fleet was worked out for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetKey {
    /// The caller's scope (`None`: all stores).
    pub scope_id: Option<String>,
    pub span: PeriodSpec,
    pub as_of: Option<Micros>,
    /// The newest poll when it was worked out.
    pub newest: Option<Micros>,
    /// [`crate::app::changes::DataChanges::generation`] then.
    pub generation: u64,
}

/// A fleet (`None`: no polls) as it is shared between requests.
pub type SharedFleet = Arc<Option<Fleet>>;

#[derive(Debug, Default)]
pub struct FleetCache {
    /// (what for, when, the fleet), oldest first.
    kept: Mutex<Vec<(FleetKey, Instant, SharedFleet)>>,
}

impl FleetCache {
    /// The fleet kept for `key`, if fresh.
    pub fn get(&self, key: &FleetKey, now: Instant) -> Option<SharedFleet> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter()
            .find(|(k, at, _)| k == key && now.duration_since(*at) < FRESH_FOR)
            .map(|(_, _, f)| f.clone())
    }

    /// Keeps `fleet` for `key`, dropping the oldest beyond [`KEPT`].
    pub fn put(&self, key: FleetKey, now: Instant, fleet: SharedFleet) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|(k, at, _)| k != &key && now.duration_since(*at) < FRESH_FOR);
        kept.push((key, now, fleet));
        if kept.len() > KEPT {
            kept.remove(0);
        }
    }
}

/// The fleet of `scope`'s stores (all: `None`) over `span` before `as_of`
/// (default: the newest poll), from `cache` when it has it fresh, else
/// worked out ([`compute_fleet`]: one at a time per process) and kept.
pub async fn cached_fleet<D: Database>(
    db: &D,
    cache: &FleetCache,
    changes: &DataChanges,
    scope: Option<&Scope>,
    span: PeriodSpec,
    as_of: Option<Micros>,
) -> Result<SharedFleet> {
    // Read before the work: a change landing meanwhile makes it stale.
    let key = FleetKey {
        scope_id: scope.map(Scope::id),
        span,
        as_of,
        newest: db.newest_poll().await?,
        generation: changes.generation(),
    };
    if let Some(fleet) = cache.get(&key, Instant::now()) {
        return Ok(fleet);
    }
    let fleet = Arc::new(compute_fleet(db, as_of, span, scope.into()).await?);
    cache.put(key, Instant::now(), fleet.clone());
    Ok(fleet)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(generation: u64) -> FleetKey {
        FleetKey {
            scope_id: None,
            span: PeriodSpec::Days(28),
            as_of: None,
            newest: Some(1),
            generation,
        }
    }

    #[test]
    fn a_fleet_is_reused_for_its_key_until_it_is_stale() {
        let cache = FleetCache::default();
        let t0 = Instant::now();
        cache.put(key(0), t0, Arc::new(None));
        assert!(cache.get(&key(0), t0 + Duration::from_secs(59)).is_some());
        assert!(cache.get(&key(1), t0).is_none(), "a change since");
        assert!(cache.get(&key(0), t0 + FRESH_FOR).is_none(), "too old");
        for g in 1..=20 {
            cache.put(key(g), t0, Arc::new(None));
        }
        assert!(cache.get(&key(0), t0).is_none(), "the oldest dropped");
        assert!(cache.get(&key(20), t0).is_some());
    }
}
