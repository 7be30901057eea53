//! The HTTP service: routes, controllers, errors, metrics, API docs.
//!
//! `start` binds the API and the background jobs (report workers, periodic
//! re-ingest) side by side; they share one [`AppState`] and stop together.

pub mod controllers;
pub mod error;
pub mod metrics;
pub mod plumbing;
mod routes;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::jobs;
pub use metrics::Metrics;
pub use routes::router;

/// How the service runs; built from the `serve` flags.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Largest accepted request body (pushed CSV).
    pub max_body_bytes: usize,
    /// Report jobs computed at once by this instance.
    pub report_workers: usize,
    /// How long a claimed report stays this instance's without a heartbeat.
    pub report_lease: Duration,
    /// Attempts before a report whose worker keeps dying is failed.
    pub report_max_attempts: u32,
    /// Re-ingest this directory's files periodically, if set.
    pub data_dir: Option<PathBuf>,
    pub ingest_every: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            max_body_bytes: 512 * 1024 * 1024,
            report_workers: 2,
            report_lease: Duration::from_secs(15),
            report_max_attempts: 3,
            data_dir: None,
            ingest_every: Duration::from_secs(3600),
        }
    }
}

/// What every request handler and job shares.
pub struct AppState<D> {
    pub db: D,
    /// Woken when a report is queued, so a worker starts at once.
    pub report_queued: Arc<Notify>,
    pub metrics: Arc<Metrics>,
    pub settings: Arc<Settings>,
}

impl<D: Clone> Clone for AppState<D> {
    fn clone(&self) -> Self {
        AppState {
            db: self.db.clone(),
            report_queued: self.report_queued.clone(),
            metrics: self.metrics.clone(),
            settings: self.settings.clone(),
        }
    }
}

/// A running service: its address, and the handle to stop it.
pub struct Running {
    pub addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<Result<()>>,
}

impl Running {
    /// Stops accepting requests, lets running reports finish (up to a lease
    /// period) and returns once everything has stopped.
    pub async fn stop(self) -> Result<()> {
        let _ = self.shutdown.send(true);
        self.task.await?
    }

    /// Waits until the service has stopped: after `true` is sent on a
    /// [`Running::shutdown_handle`], or on an error.
    pub async fn wait(self) -> Result<()> {
        self.task.await?
    }

    /// Sending `true` on this stops the service (as [`Running::stop`] does).
    pub fn shutdown_handle(&self) -> watch::Sender<bool> {
        self.shutdown.clone()
    }
}

/// Starts the API on `listener` and the background jobs beside it.
pub async fn start<D: storewatch_db::Database>(
    db: D,
    settings: Settings,
    listener: TcpListener,
) -> Result<Running> {
    let addr = listener.local_addr()?;
    let state = AppState {
        db,
        report_queued: Arc::new(Notify::new()),
        metrics: Arc::new(Metrics::default()),
        settings: Arc::new(settings),
    };
    let (shutdown, stop) = watch::channel(false);
    let app = router(state.clone());
    let task = tokio::spawn(async move {
        let workers = tokio::spawn(jobs::reports::run(state.clone(), stop.clone()));
        let reingest = state
            .settings
            .data_dir
            .clone()
            .map(|dir| tokio::spawn(jobs::reingest::run(state.clone(), dir, stop.clone())));
        let mut stop_http = stop.clone();
        let http = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = stop_http.wait_for(|stop| *stop).await;
        });
        tracing::info!(%addr, "listening");
        let served = http.await;
        workers.await?;
        if let Some(r) = reingest {
            r.await?;
        }
        served?;
        tracing::info!("stopped");
        Ok(())
    });
    Ok(Running {
        addr,
        shutdown,
        task,
    })
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
