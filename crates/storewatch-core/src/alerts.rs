//! Alerts (SPEC section 7): which events a change of the data makes for a
//! subscription, how an event is signed, and when a failed delivery is
//! tried again. Pure: the service stores, sends and schedules.

use std::collections::HashMap;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::domain::{MICROS_PER_HOUR, MICROS_PER_SECOND, Micros};
use crate::report::LiveStatus;

/// What a change of the data tells a subscription about one store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Offline in its business hours for at least the subscription's delay.
    Offline,
    /// No longer offline (online, outside its hours, or unobserved).
    Recovered,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Offline => "store.offline",
            EventType::Recovered => "store.recovered",
        }
    }
}

pub use crate::report::Live;

/// An event to store and deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: EventType,
    pub store_id: String,
    pub live: Live,
}

/// The events of one subscription after a change: `now` the stores' live
/// statuses at the new T (every store the subscription covers), `alerted`
/// the stores it has told are offline and not yet recovered, `after` its
/// delay. A store offline since at least `after` before T and not alerted
/// gets `store.offline`; an alerted store no longer offline (or gone from
/// the data) gets `store.recovered` with its new status. Never two
/// `store.offline` in a row: an alerted store still offline gets nothing,
/// even if a new incident began between the two changes. In store order.
pub fn events_after_change<'a>(
    t: Micros,
    after: Micros,
    now: impl IntoIterator<Item = (&'a str, Live)>,
    alerted: &[String],
) -> Vec<Event> {
    let mut left: HashMap<&str, ()> = alerted.iter().map(|s| (s.as_str(), ())).collect();
    let mut events = Vec::new();
    for (store, live) in now {
        let was_alerted = left.remove(store).is_some();
        let offline_long_enough = live.status == LiveStatus::Offline
            && live.since.is_some_and(|since| t - since >= after);
        let kind = match (was_alerted, live.status == LiveStatus::Offline) {
            (false, true) if offline_long_enough => EventType::Offline,
            (true, false) => EventType::Recovered,
            _ => continue,
        };
        events.push(Event {
            kind,
            store_id: store.to_string(),
            live,
        });
    }
    // Alerted stores the data no longer has (their polls deleted): recovered,
    // with no observation left.
    let mut gone: Vec<&str> = left.into_keys().collect();
    gone.sort_unstable();
    events.extend(gone.into_iter().map(|store| Event {
        kind: EventType::Recovered,
        store_id: store.to_string(),
        live: Live {
            status: LiveStatus::NoObservation,
            since: None,
            downtime: 0,
        },
    }));
    events.sort_by(|a, b| a.store_id.cmp(&b.store_id));
    events
}

/// The `Storewatch-Signature` header of `body` sent at `unix_seconds`:
/// `t=<seconds>,v1=<hex HMAC-SHA256 of "<seconds>.<body>" with the secret>`.
pub fn signature(secret: &[u8], unix_seconds: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    format!("t={unix_seconds},v1={}", crate::hex::encode(&digest))
}

/// The waits before the first retries: 5 s, 30 s, 2 min, 10 min, 1 h; then
/// every [`LATER_RETRY`] until [`GIVE_UP_AFTER`] has passed.
pub const FIRST_RETRIES: [Micros; 5] = [
    5 * MICROS_PER_SECOND,
    30 * MICROS_PER_SECOND,
    120 * MICROS_PER_SECOND,
    600 * MICROS_PER_SECOND,
    MICROS_PER_HOUR,
];
pub const LATER_RETRY: Micros = 3 * MICROS_PER_HOUR;
pub const GIVE_UP_AFTER: Micros = 24 * MICROS_PER_HOUR;

/// When to try an event created at `created` again after its `attempts`-th
/// failed attempt at `now`; `None` once 24 hours have passed: it has failed
/// for good. The last try is at 24 hours exactly.
pub fn next_attempt(created: Micros, attempts: u32, now: Micros) -> Option<Micros> {
    if now - created >= GIVE_UP_AFTER {
        return None;
    }
    let wait = usize::try_from(attempts)
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| FIRST_RETRIES.get(i).copied())
        .unwrap_or(LATER_RETRY);
    Some((now + wait).min(created + GIVE_UP_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Micros = 60 * MICROS_PER_SECOND;

    fn offline(since: Micros) -> Live {
        Live {
            status: LiveStatus::Offline,
            since: Some(since),
            downtime: 0,
        }
    }

    fn status(status: LiveStatus) -> Live {
        Live {
            status,
            since: None,
            downtime: 0,
        }
    }

    #[test]
    fn offline_long_enough_alerts_once_and_recovery_once() {
        let t = 1_000 * MIN;
        let after = 30 * MIN;
        let now = [
            ("a", offline(t - 30 * MIN)),
            ("b", offline(t - 29 * MIN)),
            ("c", status(LiveStatus::Online)),
            ("d", offline(t - 90 * MIN)),
        ];
        let events = events_after_change(t, after, now, &[]);
        let kinds: Vec<_> = events
            .iter()
            .map(|e| (e.store_id.as_str(), e.kind))
            .collect();
        assert_eq!(
            kinds,
            [("a", EventType::Offline), ("d", EventType::Offline)]
        );
        // The next change: a still offline (nothing again), d recovered
        // outside its hours, b now long enough.
        let later = t + 10 * MIN;
        let now = [
            ("a", offline(t - 30 * MIN)),
            ("b", offline(t - 29 * MIN)),
            ("c", status(LiveStatus::Online)),
            ("d", status(LiveStatus::OutsideHours)),
        ];
        let alerted = ["a".to_string(), "d".to_string()];
        let events = events_after_change(later, after, now, &alerted);
        assert_eq!(events.len(), 2, "{events:?}");
        assert_eq!(
            (events[0].store_id.as_str(), events[0].kind),
            ("b", EventType::Offline)
        );
        assert_eq!(
            (events[1].store_id.as_str(), events[1].kind),
            ("d", EventType::Recovered)
        );
        assert_eq!(events[1].live.status, LiveStatus::OutsideHours);
    }

    #[test]
    fn a_new_incident_of_an_alerted_store_is_not_a_second_offline_and_a_gone_store_recovers() {
        let t = 1_000 * MIN;
        let events = events_after_change(
            t,
            0,
            [("a", offline(t - MIN))],
            &["a".into(), "gone".into()],
        );
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].store_id, "gone");
        assert_eq!(events[0].kind, EventType::Recovered);
        assert_eq!(events[0].live.status, LiveStatus::NoObservation);
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_time_dot_body() {
        // Worked out apart from this code:
        // `printf '0.what do ya want for nothing?' | openssl dgst -sha256 -hmac Jefe`.
        assert_eq!(
            signature(b"Jefe", 0, b"what do ya want for nothing?"),
            "t=0,v1=37f471929915ccd2cbbe79feb84ffcff4f2bb25e15fc41c2506687331ae179cc"
        );
    }

    #[test]
    fn retries_wait_longer_and_stop_after_a_day() {
        let c = 0;
        let s = MICROS_PER_SECOND;
        assert_eq!(next_attempt(c, 1, c), Some(5 * s));
        assert_eq!(next_attempt(c, 2, 5 * s), Some(35 * s));
        assert_eq!(
            next_attempt(c, 5, 1000 * s),
            Some(1000 * s + MICROS_PER_HOUR)
        );
        assert_eq!(
            next_attempt(c, 6, 2 * MICROS_PER_HOUR),
            Some(5 * MICROS_PER_HOUR)
        );
        assert_eq!(
            next_attempt(c, 9, 22 * MICROS_PER_HOUR),
            Some(GIVE_UP_AFTER)
        );
        assert_eq!(next_attempt(c, 10, GIVE_UP_AFTER), None);
    }
}
