//! Sending alert events (SPEC section 7, step 3): each claimed event is
//! POSTed as JSON, signed, with a time limit; a 2xx answer delivers it,
//! anything else schedules the next attempt (`storewatch_core::alerts::
//! next_attempt`) or, after a day, fails it.
//!
//! Where to: the URL's host is checked before every attempt, and the
//! client's resolver checks again the addresses it connects to, so a name
//! re-pointed at a private address between the two is refused too. No
//! proxy, no redirect: the request goes where the subscription says or
//! nowhere.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use storewatch_core::alerts::{next_attempt, signature};
use storewatch_core::domain::{MICROS_PER_SECOND, Micros};
use storewatch_db::alerts::{AlertStore, Attempt, AttemptNext, ClaimedEvent};
use storewatch_db::{DbError, Lease};

use super::secrets::AlertKey;
use super::target::{TargetError, WebhookUrl, non_public};
use crate::app::Metrics;
use crate::app::metrics::DeliveryResult;

/// How long an attempt may take, unless set (SPEC: 10 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Events one instance sends at once.
pub const IN_FLIGHT: u32 = 128;
/// Events of one subscription in flight at once, across instances.
pub const PER_SUBSCRIPTION: u32 = 16;

/// The HTTP client alerts go out with, and the key their secrets open with.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    key: Arc<AlertKey>,
    allow_private: bool,
    timeout: Duration,
}

/// Resolves a name and refuses it if any address is not public.
struct CheckedResolver {
    allow_private: bool,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !allow_private && let Some(a) = addrs.iter().find(|a| non_public(a.ip()).is_some()) {
                let kind = non_public(a.ip()).unwrap_or("private");
                let an = super::target::article(kind);
                return Err(format!("{host} resolves to {}, {an} {kind} address", a.ip()).into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Makes rustls over ring (built for sqlx already) the process's TLS
/// provider, before any HTTP client is built; idempotent.
pub fn use_ring() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Sender {
    pub fn new(
        key: Arc<AlertKey>,
        allow_private: bool,
        timeout: Duration,
    ) -> anyhow::Result<Sender> {
        use_ring();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(timeout)
            .dns_resolver(Arc::new(CheckedResolver { allow_private }))
            .user_agent(concat!("storewatch/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Sender {
            client,
            key,
            allow_private,
            timeout,
        })
    }

    /// How long a worker holds an event it sends: the attempt's limit and
    /// a margin, after which another worker may take it over.
    pub fn lease(&self) -> Micros {
        i64::try_from(self.timeout.as_micros()).unwrap_or(i64::MAX / 2) + 20 * MICROS_PER_SECOND
    }

    /// One attempt at `event`, started at `at`: the answer and what next.
    pub async fn send(&self, event: &ClaimedEvent, at: Micros) -> Attempt {
        let attempts = event.attempts + 1;
        let answer = match self.post(event, at).await {
            Ok(status) if status.is_success() => {
                return Attempt {
                    answer: format!("HTTP {}", status.as_u16()),
                    next: AttemptNext::Delivered,
                    at,
                };
            }
            Ok(status) => format!("HTTP {}", status.as_u16()),
            // A target that is not public never will be, here: failed at
            // once, not tried for a day.
            Err(Unsent::Refused(why)) => {
                return Attempt {
                    answer: format!("refused: {why}"),
                    next: AttemptNext::Failed,
                    at,
                };
            }
            Err(Unsent::Failed(error)) => format!("error: {error}"),
        };
        Attempt {
            answer,
            next: match next_attempt(event.created_at, attempts, at) {
                Some(t) => AttemptNext::RetryAt(t),
                None => AttemptNext::Failed,
            },
            at,
        }
    }

    async fn post(&self, event: &ClaimedEvent, at: Micros) -> Result<reqwest::StatusCode, Unsent> {
        let url: WebhookUrl = event
            .url
            .parse()
            .map_err(|e: TargetError| Unsent::Refused(e.to_string()))?;
        url.resolve(self.allow_private).await.map_err(|e| match e {
            TargetError::Unresolved { .. } => Unsent::Failed(e.to_string()),
            refused => Unsent::Refused(refused.to_string()),
        })?;
        let secret = self
            .key
            .open(&event.subscription_id, &event.sealed_secret)
            .ok_or_else(|| {
                Unsent::Failed(
                    "the secret does not open with this instance's alert key (--alert-key-file)"
                        .into(),
                )
            })?;
        let seconds = at.div_euclid(MICROS_PER_SECOND);
        let response = self
            .client
            .post(url.url().clone())
            .header("content-type", "application/json")
            .header(
                "storewatch-signature",
                signature(secret.as_bytes(), seconds, event.body.as_bytes()),
            )
            .header("storewatch-event-id", &event.id)
            .header("storewatch-event-type", &event.kind)
            .body(event.body.clone())
            .send()
            .await
            .map_err(|e| Unsent::Failed(describe(&e, self.timeout)))?;
        Ok(response.status())
    }
}

/// Why an attempt got no answer: a target refused (for good), or a failure
/// that may pass (tried again).
enum Unsent {
    Refused(String),
    Failed(String),
}

/// A send error in a line: what failed, with its causes.
fn describe(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("no answer within {} s", timeout.as_secs_f64());
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Sends `event` and records how it went; false if the worker lost it
/// meanwhile (its lease ran out and another took it).
pub async fn send_and_record<D: AlertStore>(
    db: &D,
    sender: &Sender,
    metrics: &Metrics,
    lease: &Lease,
    event: &ClaimedEvent,
    at: Micros,
) -> Result<bool, DbError> {
    let attempt = sender.send(event, at).await;
    let result = match attempt.next {
        AttemptNext::Delivered => DeliveryResult::Delivered,
        AttemptNext::RetryAt(_) => DeliveryResult::Retry,
        AttemptNext::Failed => DeliveryResult::Failed,
    };
    if result != DeliveryResult::Delivered {
        tracing::warn!(event = %event.id, subscription = %event.subscription_id,
            answer = %attempt.answer, next = ?attempt.next, "alert not delivered");
    }
    metrics.alert_delivery(result);
    db.finish_event(event.seq, lease, &attempt).await
}

/// Claims the events due at `now` (up to [`IN_FLIGHT`]) and sends them
/// all at once, each attempt dated `now`; how many were sent. The alerts
/// job sends as events come instead (`jobs::alerts`); this is the same
/// work in one step, for a command or a test that sets the time.
pub async fn deliver_due<D: AlertStore>(
    db: &D,
    sender: &Sender,
    metrics: &Metrics,
    worker: &str,
    now: Micros,
) -> Result<usize, DbError> {
    let lease = Lease {
        worker: worker.to_string(),
        until: now + sender.lease(),
    };
    let events = db
        .claim_events(&lease, now, IN_FLIGHT, PER_SUBSCRIPTION)
        .await?;
    let sends = events
        .iter()
        .map(|e| send_and_record(db, sender, metrics, &lease, e, now));
    for done in futures_util::future::join_all(sends).await {
        done?;
    }
    Ok(events.len())
}
