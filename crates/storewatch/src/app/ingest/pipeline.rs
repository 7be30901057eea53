//! The pipeline itself: validate every source, then apply them in one
//! transaction, or nothing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use storewatch_core::domain::Micros;
use storewatch_core::ingest::{IngestError, Mode, NewestAllowed, SourceKind};
use storewatch_db::{Applied, Database, DbError, Provenance, SourceContent, SourceFingerprint};

use super::input::Input;
use super::origin::Origin;
use super::rejected::{IngestFailure, Rejected, RejectedFile, panic_message};
use super::sources::{Parsed, Skipped, parse_source};
use crate::app::metrics::Metrics;
use crate::clock::now_micros;

/// What an ingest did.
#[derive(Debug)]
pub struct Ingested {
    pub applied: Applied,
    /// Rows read over all sources.
    pub rows_read: usize,
    /// Rows skipped in lenient mode, per source that had any.
    pub skipped: Vec<Skipped>,
}

/// Parses every input, each on its own thread. Returns every source's error
/// when any is invalid, so one run shows all that needs fixing; else the
/// parsed sources and what each one's content was.
pub fn validate(
    inputs: Vec<(SourceKind, Input)>,
    mode: Mode,
    newest: NewestAllowed,
    rejected_dir: Option<&Path>,
) -> Result<(Parsed, Vec<SourceContent>), Rejected> {
    type Outcome = Result<(Parsed, SourceContent), IngestError>;
    let results: Vec<(SourceKind, Outcome)> = std::thread::scope(|s| {
        let parsers: Vec<_> = inputs
            .into_iter()
            .map(|(kind, input)| {
                let parser = s.spawn(move || {
                    let label = input.label();
                    let (mut source, hash) = input.open()?;
                    if let (Mode::Lenient, Some(dir)) = (mode, rejected_dir) {
                        source = source.with_skipped_sink(RejectedFile::sink(dir, &label));
                    }
                    let parsed = parse_source(kind, source, mode, newest)?;
                    let content = SourceContent {
                        kind,
                        label,
                        sha256: hash.hex(),
                    };
                    Ok((parsed, content))
                });
                (kind, parser)
            })
            .collect();
        parsers
            .into_iter()
            .map(|(kind, p)| match p.join() {
                Ok(outcome) => (kind, outcome),
                // A bug of ours: carried up to `ingest`, which says so.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    let mut parsed = Parsed::default();
    let mut contents = Vec::new();
    let mut errors = Vec::new();
    for (kind, result) in results {
        match result {
            Ok((p, content)) => {
                parsed.merge(p);
                contents.push(content);
            }
            Err(e) => errors.push((kind, e)),
        }
    }
    if errors.is_empty() {
        Ok((parsed, contents))
    } else {
        Err(Rejected { errors })
    }
}

/// One ingest: its sources, how strictly to read them, and on whose behalf.
pub struct IngestRequest {
    pub inputs: Vec<(SourceKind, Input)>,
    pub mode: Mode,
    pub origin: Origin,
    /// Remembered for the periodic re-ingest (see `jobs::reingest`).
    pub fingerprints: Vec<SourceFingerprint>,
    /// How far past the clock a poll may be dated (`--max-future`).
    pub max_future: Duration,
    /// Lenient mode writes every row it skips here, as
    /// `NAME.rejected.csv` (line, column, reason, row), not just the first
    /// [`storewatch_core::ingest::MAX_KEPT_SKIPPED`] it keeps in memory.
    pub rejected_dir: Option<PathBuf>,
}

/// Validates the request's inputs (off the async threads) and applies them
/// in one transaction with their fingerprints and provenance; nothing at all
/// if any is invalid. Outcomes are counted in `metrics` when given.
pub async fn ingest<D: Database>(
    db: &D,
    request: IngestRequest,
    metrics: Option<&Metrics>,
) -> Result<Ingested, IngestFailure> {
    let IngestRequest {
        inputs,
        mode,
        origin,
        fingerprints,
        max_future,
        rejected_dir,
    } = request;
    let newest = NewestAllowed {
        now: now_micros(),
        tolerance: Micros::try_from(max_future.as_micros()).unwrap_or(Micros::MAX),
    };
    let parsed = tokio::task::spawn_blocking(move || {
        validate(inputs, mode, newest, rejected_dir.as_deref())
    })
    .await
    .map_err(|e| IngestFailure::Panicked(panic_message(e)))?;
    let (mut parsed, contents) = match parsed {
        Ok(p) => p,
        // Rows that could not be set aside are the machine's fault, not the
        // input's: a storage failure (logged, a generic answer), not a rejection.
        Err(rejected) if rejected.set_aside_failed().is_some() => {
            let why = rejected.set_aside_failed().unwrap_or_default();
            return Err(IngestFailure::Storage(DbError::backend(
                std::io::Error::other(why),
            )));
        }
        Err(rejected) => {
            if let Some(m) = metrics {
                for (kind, e) in &rejected.errors {
                    m.ingest(kind.name(), "rejected", 0, e.invalid_rows() as u64);
                }
            }
            return Err(IngestFailure::Rejected(rejected));
        }
    };
    let skipped = parsed.take_skipped();
    let rows_read = parsed.rows_read();
    let mut batch = parsed.into_batch();
    batch.fingerprints = fingerprints;
    batch.provenance = Some(Provenance {
        at: now_micros(),
        by: origin.by,
        key_id: origin.key_id,
        sources: contents,
    });
    let applied = db.ingest(batch).await?;
    for (kind, rows) in applied.rows_by_kind() {
        let skipped_here = skipped
            .iter()
            .find(|s| s.kind == kind)
            .map_or(0, |s| s.total as u64);
        if let Some(m) = metrics {
            m.ingest(kind.name(), "applied", rows, skipped_here);
        }
        tracing::info!(
            source = kind.name(),
            rows,
            skipped = skipped_here,
            "ingest applied"
        );
    }
    Ok(Ingested {
        applied,
        rows_read,
        skipped,
    })
}
