//! `serve --data-dir DIR`: ingest DIR's files at start and then every
//! `--ingest-every`, skipping files whose content was already ingested (by
//! SHA-256, remembered in the database, so also across restarts).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use storewatch_core::ingest::Mode;
use storewatch_db::{Actor, Database, SourceFingerprint};
use tokio::sync::watch;

use crate::app::AppState;
use crate::app::digest::sha256_hex;
use crate::app::ingest::{IngestRequest, Input, Origin, Sources, ingest};
use crate::clock::now_micros;

pub async fn run<D: Database>(state: AppState<D>, dir: PathBuf, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(e) = tick(&state, &dir).await {
            tracing::error!(error = %format!("{e:#}"), dir = %dir.display(), "periodic ingest failed; the data is unchanged");
        }
        tokio::select! {
            () = tokio::time::sleep(state.settings.ingest_every) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// One pass: read each source file, skip the unchanged ones, validate the
/// rest, and apply them together (or, if any is invalid, none of them).
pub async fn tick<D: Database>(state: &AppState<D>, dir: &Path) -> Result<()> {
    let sources = Sources::in_dir(dir)?;
    let mut inputs = Vec::new();
    let mut fingerprints = Vec::new();
    let now = now_micros();
    for (kind, path) in sources.by_kind() {
        let bytes = tokio::fs::read(path)
            .await
            .with_context(|| format!("reading {}", path.display()))?;
        let sha256 = sha256_hex(&bytes);
        let known = state.db.source_fingerprint(kind).await?;
        if known.is_some_and(|k| k.sha256 == sha256) {
            tracing::debug!(file = %path.display(), "unchanged; skipped");
            state.metrics.ingest(kind.name(), "unchanged", 0, 0);
            continue;
        }
        let label = path.display().to_string();
        fingerprints.push(SourceFingerprint {
            kind,
            path: label.clone(),
            sha256,
            ingested_at: now,
        });
        // The operator's own files: no inflation limit.
        inputs.push((
            kind,
            Input::Bytes {
                label,
                bytes,
                max_inflated: u64::MAX,
            },
        ));
    }
    if inputs.is_empty() {
        return Ok(());
    }
    let request = IngestRequest {
        inputs,
        mode: Mode::Strict,
        origin: Origin::keyless(Actor::DataDirectory(dir.display().to_string())),
        fingerprints,
        max_future: state.settings.max_future,
        rejected_dir: None,
    };
    ingest(&state.db, request, Some(&state.metrics)).await?;
    state.data_changed().await
}
