//! The application layer: what the HTTP handlers, the background jobs and
//! the commands share. [`AppState`] is the state of a running service (the
//! database, its settings, its metrics, the report-queue notifier);
//! [`ingest`] and [`report`] are the pipelines every entry point calls, so a
//! file, a pushed body and a periodic re-ingest are validated, applied and
//! counted the same way.
//!
//! Dependencies point inward: `server`, `jobs` and `commands` use this module;
//! it uses none of them.

pub mod access;
pub mod alerts;
pub mod changes;
pub mod digest;
pub mod fleet_cache;
pub mod history;
pub mod ingest;
pub mod metrics;
pub mod polls;
pub mod public_url;
pub mod report;
pub mod stores;
pub mod timeline;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use alerts::AlertKey;
use alerts::deliver::Sender;
use changes::DataChanges;
use fleet_cache::FleetCache;

pub use access::Gate;
pub use metrics::Metrics;
pub use public_url::PublicUrl;

/// Stores per shard of a split report, unless set: the replica's 14,092
/// stores are one shard, 100,000 stores four (docs/scaling.md).
pub const DEFAULT_SHARD_STORES: u32 = 25_000;

/// How far past the clock a poll may be dated, unless set (SPEC section 2).
pub const DEFAULT_MAX_FUTURE: Duration = Duration::from_secs(3600);

/// How the service runs; built from the `serve` flags.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Largest accepted request body (pushed CSV).
    pub max_body_bytes: usize,
    /// How far a gzip-compressed pushed body may inflate.
    pub max_inflated_bytes: u64,
    /// How long a pushed body may pause before the push is given up.
    pub body_stall: Duration,
    /// Report jobs computed at once by this instance.
    pub report_workers: usize,
    /// How long a claimed report stays this instance's without a heartbeat.
    pub report_lease: Duration,
    /// Attempts before a report whose worker keeps dying is failed.
    pub report_max_attempts: u32,
    /// A report over more stores than this is split into shards of this
    /// many, which any instance's workers take (see `jobs::reports`).
    pub report_shard_stores: u32,
    /// Re-ingest this directory's files periodically, if set.
    pub data_dir: Option<PathBuf>,
    pub ingest_every: Duration,
    /// Reports one key may have queued or running at once (429 beyond).
    pub max_queued_reports: u32,
    /// Finished reports older than this are deleted.
    pub keep_reports: Duration,
    /// Polls older than this are deleted (see [`polls::retain_polls`]);
    /// `None`: every poll is kept.
    pub retain_polls: Option<Duration>,
    /// How far past the clock an ingested poll may be dated.
    pub max_future: Duration,
    /// The address users reach the service by, behind a proxy.
    pub public_url: Option<PublicUrl>,
    /// Whether the service listens on a loopback address only (set by
    /// `service::start` from its listener): an open service there answers
    /// only requests addressed to a loopback name (no DNS rebinding).
    pub loopback: bool,
    /// The key alert secrets are sealed with (`--alert-key-file`, or the
    /// file beside an SQLite database); `None`: alerts cannot be set up.
    pub alert_key_file: Option<PathBuf>,
    /// Send alerts to private addresses too (tests, private networks).
    pub allow_private_webhooks: bool,
    /// How long an alert delivery may take.
    pub webhook_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            // Sized so one request stays under 300 MiB (docs/performance.md).
            max_body_bytes: 128 * 1024 * 1024,
            max_inflated_bytes: 128 * 1024 * 1024,
            body_stall: Duration::from_secs(30),
            report_workers: 2,
            report_lease: Duration::from_secs(15),
            report_max_attempts: 3,
            report_shard_stores: DEFAULT_SHARD_STORES,
            data_dir: None,
            ingest_every: Duration::from_secs(3600),
            max_queued_reports: 16,
            keep_reports: Duration::from_secs(30 * 86_400),
            retain_polls: None,
            max_future: DEFAULT_MAX_FUTURE,
            public_url: None,
            loopback: true,
            alert_key_file: None,
            allow_private_webhooks: false,
            webhook_timeout: alerts::deliver::DEFAULT_TIMEOUT,
        }
    }
}

/// What every request handler and job shares.
pub struct AppState<D> {
    pub db: D,
    /// Woken when a report is queued, so a worker starts at once; one waiter
    /// (the report workers' loop), woken with `notify_one` so a wake-up is
    /// never lost while it is busy claiming.
    pub report_queued: Arc<Notify>,
    pub metrics: Arc<Metrics>,
    pub settings: Arc<Settings>,
    /// Checks API keys.
    pub gate: Arc<Gate>,
    /// The changes of the data this process applied (the live statuses are
    /// counted again; kept fleets are out of date).
    pub changes: Arc<DataChanges>,
    /// The fleets worked out lately.
    pub fleets: Arc<FleetCache>,
    /// Sealing secrets and sending alert events.
    pub alerts: Arc<Alerts>,
}

impl<D: storewatch_db::Database> AppState<D> {
    /// After this process applied a change of the data (a push, a
    /// deletion, a re-ingest): counts it, and writes the alert events it
    /// makes, so they are stored before the change is acknowledged.
    pub async fn data_changed(&self) -> anyhow::Result<()> {
        // The events first: the live count the change wakes takes the same
        // turn, and the caller waits for the events, not for the count.
        let made = alerts::evaluate(&self.db, &self.metrics).await;
        self.changes.applied();
        if made? != alerts::evaluate::Evaluated::default() {
            self.alerts.written.notify_one();
        }
        Ok(())
    }
}

/// What the alerts need of a running service.
pub struct Alerts {
    /// Seals and opens secrets, or why there is no key.
    pub key: Result<Arc<AlertKey>, String>,
    /// Sends events (when there is a key).
    pub sender: Option<Sender>,
    /// Woken when events are written, so the sender starts at once.
    pub written: Notify,
}

impl Alerts {
    /// From the settings: the key file read, or made if missing.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Alerts> {
        let key = match &settings.alert_key_file {
            Some(path) => Ok(Arc::new(AlertKey::load_or_create(path)?)),
            None => Err("alerts need a key to seal their secrets: start the service with --alert-key-file FILE (one file shared by every instance on this database)".to_string()),
        };
        let sender = match &key {
            Ok(key) => Some(Sender::new(
                key.clone(),
                settings.allow_private_webhooks,
                settings.webhook_timeout,
            )?),
            Err(_) => None,
        };
        Ok(Alerts {
            key,
            sender,
            written: Notify::new(),
        })
    }
}

impl<D: Clone> Clone for AppState<D> {
    fn clone(&self) -> Self {
        AppState {
            db: self.db.clone(),
            report_queued: self.report_queued.clone(),
            metrics: self.metrics.clone(),
            settings: self.settings.clone(),
            gate: self.gate.clone(),
            changes: self.changes.clone(),
            fleets: self.fleets.clone(),
            alerts: self.alerts.clone(),
        }
    }
}
