//! Alert subscriptions, the stores each has told are offline, and the
//! events waiting to be delivered (SPEC section 7; see [`AlertStore`]).
//!
//! The decisions are made once, outside the backends: which events a change
//! makes is a closure the backend calls inside its transaction
//! ([`AlertStore::apply_alerts`]), so reading what was alerted and writing
//! what follows is one step, whatever the number of instances.

use std::future::Future;

use storewatch_core::domain::Micros;

use crate::error::DbError;
use crate::ids::Lease;

/// A subscription as stored. The secret is sealed by the service
/// (`app::alerts::secrets`): a copy of the database does not give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    pub url: String,
    pub sealed_secret: String,
    /// Only these stores (sorted), or every store.
    pub stores: Option<Vec<String>>,
    /// How long a store is offline before it is alerted.
    pub after: Micros,
    pub created_at: Micros,
}

impl Subscription {
    /// Whether the subscription covers `store`.
    pub fn covers(&self, store: &str) -> bool {
        self.stores
            .as_ref()
            .is_none_or(|s| s.binary_search_by(|x| x.as_str().cmp(store)).is_ok())
    }

    /// The stores as stored: one id per line, or NULL for every store.
    pub fn stores_text(&self) -> Option<String> {
        self.stores.as_ref().map(|s| s.join("\n"))
    }

    /// The stores from their stored text.
    pub fn stores_from_text(text: Option<String>) -> Option<Vec<String>> {
        text.map(|t| t.split('\n').map(str::to_string).collect())
    }
}

/// What an evaluation of the alerts reads, inside its transaction.
#[derive(Debug, Clone, Default)]
pub struct AlertState {
    pub subscriptions: Vec<Subscription>,
    /// (subscription id, store id): the stores told offline and not yet
    /// recovered.
    pub open: Vec<(String, String)>,
}

/// An event to store: delivered from `created_at` on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub id: String,
    pub subscription_id: String,
    pub store_id: String,
    /// `store.offline` or `store.recovered`.
    pub kind: String,
    /// The JSON sent, as it is signed.
    pub body: String,
    pub created_at: Micros,
}

/// What an evaluation writes: events, and the alerts it opens and closes.
#[derive(Debug, Clone, Default)]
pub struct AlertChanges {
    pub events: Vec<NewEvent>,
    pub opened: Vec<(String, String)>,
    pub closed: Vec<(String, String)>,
}

/// An event claimed for delivery, with where and how to send it.
#[derive(Debug, Clone)]
pub struct ClaimedEvent {
    pub seq: i64,
    pub id: String,
    pub subscription_id: String,
    pub url: String,
    pub sealed_secret: String,
    pub body: String,
    pub kind: String,
    pub created_at: Micros,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// How an attempt ended: the answer (`HTTP 200`) or the error, and what
/// comes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub answer: String,
    pub next: AttemptNext,
    pub at: Micros,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptNext {
    Delivered,
    RetryAt(Micros),
    Failed,
}

impl Attempt {
    /// The event's next attempt, delivered and failed times after it, as
    /// [`crate::sql::FINISH_EVENT`] sets them.
    pub fn columns(&self) -> (Option<Micros>, Option<Micros>, Option<Micros>) {
        match self.next {
            AttemptNext::Delivered => (None, Some(self.at), None),
            AttemptNext::RetryAt(t) => (Some(t), None, None),
            AttemptNext::Failed => (None, None, Some(self.at)),
        }
    }
}

/// One event of a subscription as its deliveries list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub id: String,
    pub kind: String,
    pub store_id: String,
    pub created_at: Micros,
    pub attempts: u32,
    pub last_answer: Option<String>,
    pub next_attempt_at: Option<Micros>,
    pub delivered_at: Option<Micros>,
    pub failed_at: Option<Micros>,
}

/// The alerts: subscriptions, what each has told, and the event queue.
pub trait AlertStore: Clone + Send + Sync + 'static {
    /// Stores a new subscription. It has no store alerted, and the changes
    /// already evaluated stay so: the first change after it alerts it.
    fn create_subscription(
        &self,
        subscription: &Subscription,
    ) -> impl Future<Output = Result<(), DbError>> + Send;

    /// Every subscription, oldest first.
    fn subscriptions(&self) -> impl Future<Output = Result<Vec<Subscription>, DbError>> + Send;

    /// Removes a subscription with its alerts and events; false if there
    /// is none with that id.
    fn remove_subscription(&self, id: &str) -> impl Future<Output = Result<bool, DbError>> + Send;

    /// The stores some subscription has told are offline (not yet
    /// recovered), each once, in byte order.
    fn alerted_stores(&self) -> impl Future<Output = Result<Vec<String>, DbError>> + Send;

    /// The data version the alerts were last worked out at (0: never).
    fn alerts_evaluated(&self) -> impl Future<Output = Result<i64, DbError>> + Send;

    /// In one transaction, taking turns with every other evaluation (of any
    /// instance): unless the alerts were already worked out at `version` or
    /// later, reads the [`AlertState`], calls `decide` on it, writes the
    /// [`AlertChanges`] it returns and records `version`. Returns them, or
    /// `None` when skipped.
    fn apply_alerts<F>(
        &self,
        version: i64,
        decide: F,
    ) -> impl Future<Output = Result<Option<AlertChanges>, DbError>> + Send
    where
        F: FnOnce(AlertState) -> AlertChanges + Send + 'static;

    /// Atomically takes up to `limit` events due at `now` for the lease's
    /// worker: only the oldest undelivered event of each subscription and
    /// store (so they go out in order), and at most `per_subscription` of a
    /// subscription at once counting those in flight (so a slow receiver
    /// holds up only itself). An event whose worker died is due again
    /// when its lease runs out.
    fn claim_events(
        &self,
        lease: &Lease,
        now: Micros,
        limit: u32,
        per_subscription: u32,
    ) -> impl Future<Output = Result<Vec<ClaimedEvent>, DbError>> + Send;

    /// Records an attempt if the lease's worker still holds the event.
    fn finish_event(
        &self,
        seq: i64,
        lease: &Lease,
        attempt: &Attempt,
    ) -> impl Future<Output = Result<bool, DbError>> + Send;

    /// A subscription's events, newest first: at most `limit`, older than
    /// the event `before` if given.
    fn events(
        &self,
        subscription_id: &str,
        limit: u32,
        before: Option<&str>,
    ) -> impl Future<Output = Result<Vec<EventRecord>, DbError>> + Send;

    /// Deletes the events delivered or failed before `before`; how many.
    fn delete_finished_events(
        &self,
        before: Micros,
    ) -> impl Future<Output = Result<u64, DbError>> + Send;

    /// When the next undelivered event is due, if any (the worker sleeps
    /// until then, or until a change wakes it).
    fn next_event_due(&self) -> impl Future<Output = Result<Option<Micros>, DbError>> + Send;
}
