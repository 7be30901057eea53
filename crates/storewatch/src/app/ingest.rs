//! The ingest pipeline every entry point calls (`storewatch ingest`, a
//! pushed body, the periodic re-ingest): parse and validate each source on
//! its own thread, and apply them all in one transaction, or, if any is
//! invalid, nothing. Outcomes are counted in the metrics when there are any.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use storewatch_core::ingest::{
    HoursFile, IngestError, Mode, PollFile, RowError, Source, SourceKind, SpecialHoursFile,
    TimezoneFile, open_path, parse_hours, parse_polls, parse_special_hours, parse_timezones,
    reader_from_bytes_limited,
};
use storewatch_db::{Applied, Database, DbError, IngestBatch, SourceFingerprint};

use super::metrics::Metrics;

/// The files of one ingest, any of them optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    pub polls: Option<PathBuf>,
    pub business_hours: Option<PathBuf>,
    pub timezones: Option<PathBuf>,
    pub special_hours: Option<PathBuf>,
}

impl Sources {
    /// The default file names found in `dir` (each also as `.csv.gz`).
    pub fn in_dir(dir: &Path) -> Result<Sources> {
        if !dir.is_dir() {
            bail!("--data-dir {}: not a directory", dir.display());
        }
        let find = |kind: SourceKind| {
            kind.default_names()
                .iter()
                .flat_map(|name| [dir.join(name), dir.join(format!("{name}.gz"))])
                .find(|p| p.is_file())
        };
        Ok(Sources {
            polls: find(SourceKind::Polls),
            business_hours: find(SourceKind::BusinessHours),
            timezones: find(SourceKind::Timezones),
            special_hours: find(SourceKind::SpecialHours),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.by_kind().next().is_none()
    }

    /// Each file given, as an input to [`ingest`].
    pub fn inputs(&self) -> Vec<(SourceKind, Input)> {
        self.by_kind()
            .map(|(kind, path)| (kind, Input::File(path.to_path_buf())))
            .collect()
    }

    /// The files given, with the kind of source each is.
    pub fn by_kind(&self) -> impl Iterator<Item = (SourceKind, &Path)> {
        [
            (SourceKind::Polls, &self.polls),
            (SourceKind::BusinessHours, &self.business_hours),
            (SourceKind::Timezones, &self.timezones),
            (SourceKind::SpecialHours, &self.special_hours),
        ]
        .into_iter()
        .filter_map(|(kind, path)| Some((kind, path.as_deref()?)))
    }
}

/// The parsed files, ready to apply.
#[derive(Debug, Default)]
pub struct Parsed {
    pub polls: Option<PollFile>,
    pub business_hours: Option<HoursFile>,
    pub timezones: Option<TimezoneFile>,
    pub special_hours: Option<SpecialHoursFile>,
}

impl Parsed {
    /// Takes out the invalid rows skipped in lenient mode, per source that had any.
    pub fn take_skipped(&mut self) -> Vec<Skipped> {
        fn take(kind: SourceKind, rows: &mut Vec<RowError>, total: usize) -> Skipped {
            Skipped {
                kind,
                total,
                rows: std::mem::take(rows),
            }
        }
        let lists = [
            self.polls
                .as_mut()
                .map(|f| take(SourceKind::Polls, &mut f.skipped, f.skipped_total)),
            self.business_hours
                .as_mut()
                .map(|f| take(SourceKind::BusinessHours, &mut f.skipped, f.skipped_total)),
            self.timezones
                .as_mut()
                .map(|f| take(SourceKind::Timezones, &mut f.skipped, f.skipped_total)),
            self.special_hours
                .as_mut()
                .map(|f| take(SourceKind::SpecialHours, &mut f.skipped, f.skipped_total)),
        ];
        lists
            .into_iter()
            .flatten()
            .filter(|s| s.total > 0)
            .collect()
    }

    pub fn rows_read(&self) -> usize {
        self.polls.as_ref().map_or(0, |f| f.rows_read)
            + self.business_hours.as_ref().map_or(0, |f| f.rows_read)
            + self.timezones.as_ref().map_or(0, |f| f.rows_read)
            + self.special_hours.as_ref().map_or(0, |f| f.rows_read)
    }

    /// Takes over whatever sources `other` holds.
    pub fn merge(&mut self, other: Parsed) {
        if other.polls.is_some() {
            self.polls = other.polls;
        }
        if other.business_hours.is_some() {
            self.business_hours = other.business_hours;
        }
        if other.timezones.is_some() {
            self.timezones = other.timezones;
        }
        if other.special_hours.is_some() {
            self.special_hours = other.special_hours;
        }
    }

    pub fn into_batch(self) -> IngestBatch {
        IngestBatch {
            polls: self.polls,
            business_hours: self.business_hours.map(|f| f.rows),
            timezones: self.timezones.map(|f| f.rows),
            special_hours: self.special_hours.map(|f| f.rows),
            fingerprints: Vec::new(),
        }
    }
}

/// Parses one source of the given kind.
pub fn parse_source(kind: SourceKind, source: Source, mode: Mode) -> Result<Parsed, IngestError> {
    let mut parsed = Parsed::default();
    match kind {
        SourceKind::Polls => parsed.polls = Some(parse_polls(source, mode)?),
        SourceKind::BusinessHours => parsed.business_hours = Some(parse_hours(source, mode)?),
        SourceKind::Timezones => parsed.timezones = Some(parse_timezones(source, mode)?),
        SourceKind::SpecialHours => {
            parsed.special_hours = Some(parse_special_hours(source, mode)?);
        }
    }
    Ok(parsed)
}

/// One source to read: a file, or bytes already in memory (a pushed body, or
/// a file read whole to fingerprint it).
#[derive(Debug)]
pub enum Input {
    File(PathBuf),
    Bytes {
        label: String,
        bytes: Vec<u8>,
        /// How far gzip content may inflate (`u64::MAX`: no limit).
        max_inflated: u64,
    },
}

impl Input {
    fn open(self) -> Result<Source, IngestError> {
        match self {
            Input::File(path) => open_path(&path).map_err(|source| IngestError::Io {
                file: path.display().to_string(),
                source,
            }),
            Input::Bytes {
                label,
                bytes,
                max_inflated,
            } => reader_from_bytes_limited(&label, bytes, max_inflated).map_err(|source| {
                IngestError::Io {
                    file: label,
                    source,
                }
            }),
        }
    }
}

/// Why nothing was ingested: each invalid source with what is wrong with it.
#[derive(Debug)]
pub struct Rejected {
    pub errors: Vec<(SourceKind, IngestError)>,
}

impl Rejected {
    /// Whether a source was refused for inflating beyond its cap.
    pub fn too_large(&self) -> bool {
        self.errors.iter().any(|(_, e)| {
            matches!(e, IngestError::Io { source, .. } if source.kind() == std::io::ErrorKind::FileTooLarge)
        })
    }

    /// Invalid rows over all sources (0 for a missing column, an empty file…).
    pub fn invalid_rows(&self) -> usize {
        self.errors.iter().map(|(_, e)| e.invalid_rows()).sum()
    }
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (_, e) in &self.errors {
            writeln!(f, "{e}")?;
        }
        f.write_str("nothing was ingested")
    }
}

impl std::error::Error for Rejected {}

/// Why an ingest applied nothing.
#[derive(Debug, thiserror::Error)]
pub enum IngestFailure {
    /// The input is invalid: the caller's to fix.
    #[error("{0}")]
    Rejected(Rejected),
    /// The database failed: ours.
    #[error(transparent)]
    Storage(#[from] DbError),
}

/// The rows lenient mode skipped in one source.
#[derive(Debug)]
pub struct Skipped {
    pub kind: SourceKind,
    /// How many rows were skipped.
    pub total: usize,
    /// The first of them (at most `MAX_KEPT_SKIPPED`), with the reasons.
    pub rows: Vec<RowError>,
}

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
/// when any is invalid, so one run shows all that needs fixing.
pub fn validate(inputs: Vec<(SourceKind, Input)>, mode: Mode) -> Result<Parsed, Rejected> {
    let results: Vec<(SourceKind, Result<Parsed, IngestError>)> = std::thread::scope(|s| {
        let parsers: Vec<_> = inputs
            .into_iter()
            .map(|(kind, input)| {
                let parser =
                    s.spawn(move || input.open().and_then(|src| parse_source(kind, src, mode)));
                (kind, parser)
            })
            .collect();
        parsers
            .into_iter()
            .map(|(kind, p)| (kind, p.join().expect("parser threads do not panic")))
            .collect()
    });
    let mut parsed = Parsed::default();
    let mut errors = Vec::new();
    for (kind, result) in results {
        match result {
            Ok(p) => parsed.merge(p),
            Err(e) => errors.push((kind, e)),
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(Rejected { errors })
    }
}

/// Validates `inputs` (off the async threads) and applies them in one
/// transaction with `fingerprints`; nothing at all if any is invalid.
/// Outcomes are counted in `metrics` when given.
pub async fn ingest<D: Database>(
    db: &D,
    inputs: Vec<(SourceKind, Input)>,
    mode: Mode,
    fingerprints: Vec<SourceFingerprint>,
    metrics: Option<&Metrics>,
) -> Result<Ingested, IngestFailure> {
    let parsed = tokio::task::spawn_blocking(move || validate(inputs, mode))
        .await
        .map_err(|e| DbError::backend(std::io::Error::other(e.to_string())))?;
    let mut parsed = match parsed {
        Ok(p) => p,
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
    let applied = db.ingest(batch).await?;
    for (kind, rows) in applied_rows(&applied) {
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

/// The rows each applied source now stands for: polls read, or the size of
/// the snapshot that replaced the last.
pub fn applied_rows(applied: &Applied) -> Vec<(SourceKind, u64)> {
    [
        (SourceKind::Polls, applied.polls.map(|p| p.rows)),
        (SourceKind::BusinessHours, applied.business_hours),
        (SourceKind::Timezones, applied.timezones),
        (SourceKind::SpecialHours, applied.special_hours),
    ]
    .into_iter()
    .filter_map(|(kind, rows)| Some((kind, rows?)))
    .collect()
}
