//! Starting the service: the HTTP API and the background jobs (report
//! workers, periodic re-ingest) side by side, sharing one [`AppState`] and
//! stopping together. The API does not start the jobs, nor the jobs the API.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Result;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::app::{AppState, Metrics, Settings};
use crate::jobs::supervise::supervise;
use crate::{jobs, server};

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
    let settings = Settings {
        loopback: addr.ip().is_loopback(),
        ..settings
    };
    let alerts = Arc::new(crate::app::Alerts::from_settings(&settings)?);
    let state = AppState {
        db,
        report_queued: Arc::new(Notify::new()),
        metrics: Arc::new(Metrics::default()),
        settings: Arc::new(settings),
        gate: Arc::default(),
        changes: Arc::default(),
        fleets: Arc::default(),
        alerts,
    };
    let (shutdown, stop) = watch::channel(false);
    let app = server::router(state.clone());
    let task = tokio::spawn(async move {
        // Each loop supervised: one that panics starts again.
        let workers = tokio::spawn(supervise("report workers", {
            let (state, stop) = (state.clone(), stop.clone());
            move || jobs::reports::run(state.clone(), stop.clone())
        }));
        let retention = tokio::spawn(supervise("retention", {
            let (state, stop) = (state.clone(), stop.clone());
            move || jobs::retention::run(state.clone(), stop.clone())
        }));
        let live = tokio::spawn(supervise("live statuses", {
            let (state, stop) = (state.clone(), stop.clone());
            move || jobs::live::run(state.clone(), stop.clone())
        }));
        let alerts = tokio::spawn(supervise("alerts", {
            let (state, stop) = (state.clone(), stop.clone());
            move || jobs::alerts::run(state.clone(), stop.clone())
        }));
        let reingest = state.settings.data_dir.clone().map(|dir| {
            let (state, stop) = (state.clone(), stop.clone());
            tokio::spawn(supervise("re-ingest", move || {
                jobs::reingest::run(state.clone(), dir.clone(), stop.clone())
            }))
        });
        tracing::info!(%addr, "listening");
        server::connections::serve(listener, app, stop.clone()).await;
        workers.await?;
        retention.await?;
        live.await?;
        alerts.await?;
        if let Some(r) = reingest {
            r.await?;
        }
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
