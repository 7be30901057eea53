//! Alert subscriptions and their deliveries (never a secret).

use serde::Serialize;
use storewatch_core::domain::format_timestamp;
use storewatch_db::alerts::{EventRecord, Subscription};

#[derive(Debug, Serialize)]
pub struct SubscriptionView {
    pub id: String,
    pub url: String,
    /// Only these stores; `null`: every store.
    pub stores: Option<Vec<String>>,
    /// The delay, in seconds.
    pub after_seconds: i64,
    pub created: String,
}

impl SubscriptionView {
    pub fn of(s: &Subscription) -> SubscriptionView {
        SubscriptionView {
            id: s.id.clone(),
            url: s.url.clone(),
            stores: s.stores.clone(),
            after_seconds: s.after / 1_000_000,
            created: format_timestamp(s.created_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SubscriptionList {
    pub subscriptions: Vec<SubscriptionView>,
}

#[derive(Debug, Serialize)]
pub struct DeliveryView {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub store_id: String,
    pub created: String,
    pub attempts: u32,
    /// The last attempt's answer (`HTTP 200`) or error.
    pub last_answer: Option<String>,
    /// `pending`, `delivered` or `failed`.
    pub state: &'static str,
    pub next_attempt: Option<String>,
    pub delivered: Option<String>,
    pub failed: Option<String>,
}

impl DeliveryView {
    pub fn of(e: &EventRecord) -> DeliveryView {
        let time = |t: Option<i64>| t.map(format_timestamp);
        DeliveryView {
            id: e.id.clone(),
            kind: e.kind.clone(),
            store_id: e.store_id.clone(),
            created: format_timestamp(e.created_at),
            attempts: e.attempts,
            last_answer: e.last_answer.clone(),
            state: match (e.delivered_at, e.failed_at) {
                (Some(_), _) => "delivered",
                (None, Some(_)) => "failed",
                (None, None) => "pending",
            },
            next_attempt: time(e.next_attempt_at),
            delivered: time(e.delivered_at),
            failed: time(e.failed_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DeliveryList {
    pub deliveries: Vec<DeliveryView>,
    /// Give as `before` for the next page; `null` on the last.
    pub next_before: Option<String>,
}
