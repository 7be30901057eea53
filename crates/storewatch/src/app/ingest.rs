//! The ingest pipeline every entry point calls (`storewatch ingest`, a
//! pushed body, the periodic re-ingest): parse and validate each source on
//! its own thread, and apply them all in one transaction, or, if any is
//! invalid, nothing. Outcomes are counted in the metrics when there are any.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Result, bail};
use storewatch_core::domain::Micros;
use storewatch_core::ingest::{
    DEFAULT_RUN_LEN, HoursFile, IngestError, Mode, NewestAllowed, PollFile, PollRuns, RowError,
    SkippedSink, Source, SourceKind, SpecialHoursFile, SpillFile, TimezoneFile, parse_hours,
    parse_polls_into, parse_special_hours, parse_timezones, reader_from, reader_from_bytes_limited,
    reader_from_limited,
};
use storewatch_db::{
    Actor, Applied, Database, DbError, IngestBatch, Provenance, SourceContent, SourceFingerprint,
};

use super::digest::{HashSoFar, Hashing, sha256_hex};
use super::metrics::Metrics;
use crate::clock::now_micros;

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
            provenance: None,
        }
    }
}

/// Polls held in memory per sorted run (`--sort-run-polls`): one setting
/// for the whole process, set once at start.
static SORT_RUN_POLLS: AtomicUsize = AtomicUsize::new(DEFAULT_RUN_LEN);

pub fn set_sort_run_polls(polls: usize) {
    SORT_RUN_POLLS.store(polls.max(1), Ordering::Relaxed);
}

/// Parses one source of the given kind. Polls beyond `--sort-run-polls`
/// are set aside in sorted runs in anonymous temporary files (in `$TMPDIR`,
/// gone when closed), so a file of any size is checked in bounded memory.
pub fn parse_source(
    kind: SourceKind,
    source: Source,
    mode: Mode,
    newest: NewestAllowed,
) -> Result<Parsed, IngestError> {
    let mut parsed = Parsed::default();
    match kind {
        SourceKind::Polls => {
            let runs = PollRuns::spilling(
                SORT_RUN_POLLS.load(Ordering::Relaxed),
                Box::new(|| Ok(Box::new(tempfile::tempfile()?) as Box<dyn SpillFile>)),
            );
            parsed.polls = Some(parse_polls_into(source, mode, newest, runs)?);
        }
        SourceKind::BusinessHours => parsed.business_hours = Some(parse_hours(source, mode)?),
        SourceKind::Timezones => parsed.timezones = Some(parse_timezones(source, mode)?),
        SourceKind::SpecialHours => {
            parsed.special_hours = Some(parse_special_hours(source, mode)?);
        }
    }
    Ok(parsed)
}

/// One source to read: a file, bytes already in memory (a file read whole
/// to fingerprint it), or a stream (a pushed body, read as it arrives).
pub enum Input {
    File(PathBuf),
    Stream {
        label: String,
        reader: Box<dyn Read + Send>,
        /// How far gzip content may inflate.
        max_inflated: u64,
    },
    Bytes {
        label: String,
        bytes: Vec<u8>,
        /// How far gzip content may inflate (`u64::MAX`: no limit).
        max_inflated: u64,
    },
}

/// The hash of a source's content: known at once for bytes in memory, once
/// read for a file (hashed as it is parsed).
enum ContentHash {
    Known(String),
    WhenRead(HashSoFar),
}

impl ContentHash {
    fn hex(&self) -> String {
        match self {
            ContentHash::Known(hex) => hex.clone(),
            ContentHash::WhenRead(hash) => hash.hex(),
        }
    }
}

impl Input {
    fn label(&self) -> String {
        match self {
            Input::File(path) => path.display().to_string(),
            Input::Stream { label, .. } | Input::Bytes { label, .. } => label.clone(),
        }
    }

    fn open(self) -> Result<(Source, ContentHash), IngestError> {
        match self {
            Input::File(path) => {
                let label = path.display().to_string();
                let io = |source| IngestError::Io {
                    file: label.clone(),
                    source,
                };
                let (file, hash) = Hashing::new(std::fs::File::open(&path).map_err(io)?);
                let source = reader_from(&label, file).map_err(io)?;
                Ok((source, ContentHash::WhenRead(hash)))
            }
            Input::Stream {
                label,
                reader,
                max_inflated,
            } => {
                let (reader, hash) = Hashing::new(reader);
                let source =
                    reader_from_limited(&label, reader, max_inflated).map_err(|source| {
                        IngestError::Io {
                            file: label.clone(),
                            source,
                        }
                    })?;
                Ok((source, ContentHash::WhenRead(hash)))
            }
            Input::Bytes {
                label,
                bytes,
                max_inflated,
            } => {
                let hash = ContentHash::Known(sha256_hex(&bytes));
                let source =
                    reader_from_bytes_limited(&label, bytes, max_inflated).map_err(|source| {
                        IngestError::Io {
                            file: label,
                            source,
                        }
                    })?;
                Ok((source, hash))
            }
        }
    }
}

/// The full list of a source's skipped rows, as CSV: created at the first
/// skipped row, so a source without any leaves no file behind.
pub struct RejectedFile;

impl RejectedFile {
    /// Where the skipped rows of the source named `label` go in `dir`.
    pub fn path(dir: &Path, label: &str) -> PathBuf {
        let name = Path::new(label)
            .file_name()
            .map_or("input".into(), |n| n.to_string_lossy().into_owned());
        dir.join(format!("{}.rejected.csv", name.trim_end_matches(".gz")))
    }

    fn sink(dir: &Path, label: &str) -> SkippedSink {
        let dir = dir.to_path_buf();
        let path = RejectedFile::path(&dir, label);
        let mut writer: Option<csv::Writer<std::fs::File>> = None;
        let mut written = 0u64;
        Box::new(move |row: &RowError| {
            let w = match &mut writer {
                Some(w) => w,
                None => {
                    std::fs::create_dir_all(&dir)?;
                    let mut w = csv::Writer::from_path(&path)?;
                    w.write_record(["line", "column", "reason", "row"])?;
                    writer.insert(w)
                }
            };
            w.write_record([
                row.line.to_string().as_str(),
                row.column.as_deref().unwrap_or(""),
                &row.reason,
                &row.record,
            ])?;
            // The writer flushes the rest when the sink is dropped.
            written += 1;
            if written.is_multiple_of(1000) {
                w.flush()?;
            }
            Ok(())
        })
    }
}

/// Who an ingest is on behalf of, for the ingest log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub by: Actor,
    /// The API key that pushed it.
    pub key_id: Option<String>,
}

impl Origin {
    /// Not a key: the command line, the data directory, the demo.
    pub fn keyless(by: Actor) -> Origin {
        Origin { by, key_id: None }
    }
}

/// Why nothing was ingested: each invalid source with what is wrong with it.
#[derive(Debug)]
pub struct Rejected {
    pub errors: Vec<(SourceKind, IngestError)>,
}

impl Rejected {
    /// The first source that could not be read (as opposed to invalid
    /// content): too large, cut off, unreadable.
    pub fn read_error(&self) -> Option<&std::io::Error> {
        self.errors.iter().find_map(|(_, e)| match e {
            IngestError::Io { source, .. } => Some(source),
            _ => None,
        })
    }

    /// Why valid rows could not be set aside while a file was checked, if
    /// that is what stopped the ingest.
    pub fn set_aside_failed(&self) -> Option<String> {
        self.errors.iter().find_map(|(_, e)| match e {
            IngestError::SetAside { .. } => Some(e.to_string()),
            _ => None,
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
    /// Checking the input hit a bug of ours (a parser panicked): neither the
    /// input's fault nor the database's.
    #[error("checking the input failed on an internal error: {0}")]
    Panicked(String),
}

/// What a panicked (or cancelled) blocking task said.
fn panic_message(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(panic) => panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
            .unwrap_or_else(|| "a panic".to_string()),
        Err(e) => e.to_string(),
    }
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
