//! `serve --data-dir DIR`: ingest DIR's files at start and then every
//! `--ingest-every`, skipping files whose content was already ingested (by
//! SHA-256, remembered in the database, so also across restarts).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use storewatch_core::ingest::{Mode, SourceKind, reader_from_bytes};
use storewatch_db::{Database, SourceFingerprint};
use tokio::sync::watch;

use crate::clock::now_micros;
use crate::commands::ingest::{Parsed, Sources, parse_source};
use crate::server::AppState;

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

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One pass: read each source file, skip the unchanged ones, validate the
/// rest, and apply them together (or, if any is invalid, none of them).
pub async fn tick<D: Database>(state: &AppState<D>, dir: &Path) -> Result<()> {
    let sources = Sources::in_dir(dir)?;
    let mut changed: Vec<(SourceKind, PathBuf, Vec<u8>, String)> = Vec::new();
    for (kind, path) in sources.by_kind() {
        let bytes = tokio::fs::read(path)
            .await
            .with_context(|| format!("reading {}", path.display()))?;
        let sha = sha256_hex(&bytes);
        let known = state.db.source_fingerprint(kind.name()).await?;
        if known.is_some_and(|k| k.sha256 == sha) {
            tracing::debug!(file = %path.display(), "unchanged; skipped");
            state.metrics.ingest(kind.name(), "unchanged", 0, 0);
            continue;
        }
        changed.push((kind, path.to_path_buf(), bytes, sha));
    }
    if changed.is_empty() {
        return Ok(());
    }
    let to_parse: Vec<_> = changed
        .iter()
        .map(|(k, p, b, _)| (*k, p.display().to_string(), b.clone()))
        .collect();
    let parsed = tokio::task::spawn_blocking(move || {
        let mut all = Parsed::default();
        let mut errors = Vec::new();
        for (kind, label, bytes) in to_parse {
            let result = reader_from_bytes(&label, bytes)
                .map_err(|source| storewatch_core::ingest::IngestError::Io {
                    file: label.clone(),
                    source,
                })
                .and_then(|src| parse_source(kind, src, Mode::Strict));
            match result {
                Ok(p) => all.merge(p),
                Err(e) => errors.push((kind, e)),
            }
        }
        (all, errors)
    })
    .await?;
    let (parsed, errors) = parsed;
    if !errors.is_empty() {
        for (kind, e) in &errors {
            let invalid = match e {
                storewatch_core::ingest::IngestError::InvalidRows { total, .. } => *total as u64,
                _ => 0,
            };
            state.metrics.ingest(kind.name(), "rejected", 0, invalid);
        }
        let text = errors
            .iter()
            .map(|(_, e)| e.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        anyhow::bail!("{text}\nnothing was ingested");
    }
    let mut batch = parsed.into_batch();
    let now = now_micros();
    batch.fingerprints = changed
        .iter()
        .map(|(kind, path, _, sha)| SourceFingerprint {
            kind: kind.name().to_string(),
            path: path.display().to_string(),
            sha256: sha.clone(),
            ingested_at: now,
        })
        .collect();
    let applied = state.db.ingest(batch).await?;
    if let Some(p) = applied.polls {
        state.metrics.ingest("polls", "applied", p.rows, 0);
        tracing::info!(rows = p.rows, written = p.written, "polls ingested");
    }
    if let Some(n) = applied.business_hours {
        state.metrics.ingest("business_hours", "applied", n, 0);
        tracing::info!(rows = n, "business hours replaced");
    }
    if let Some(n) = applied.timezones {
        state.metrics.ingest("timezones", "applied", n, 0);
        tracing::info!(rows = n, "time zones replaced");
    }
    if let Some(n) = applied.special_hours {
        state.metrics.ingest("special_hours", "applied", n, 0);
        tracing::info!(rows = n, "special hours replaced");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn sha256_is_the_standard_one() {
        assert_eq!(
            super::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
