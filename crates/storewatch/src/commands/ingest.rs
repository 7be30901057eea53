//! `storewatch ingest`: validate every given file, then apply them all in one
//! transaction. An invalid file (strict mode) stops everything before the
//! database is touched.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use storewatch_core::ingest::{
    HoursFile, IngestError, Mode, PollFile, RowError, Source, SourceKind, SpecialHoursFile,
    TimezoneFile, open_path, parse_hours, parse_polls, parse_special_hours, parse_timezones,
};
use storewatch_db::{Applied, Database, IngestBatch};

use crate::cli::IngestArgs;
use crate::progress::{Progress, thousands};

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

    pub fn from_args(args: &IngestArgs) -> Result<Sources> {
        let mut sources = match &args.data_dir {
            Some(dir) => Sources::in_dir(dir)?,
            None => Sources::default(),
        };
        if args.status.is_some() {
            sources.polls.clone_from(&args.status);
        }
        if args.hours.is_some() {
            sources.business_hours.clone_from(&args.hours);
        }
        if args.timezones.is_some() {
            sources.timezones.clone_from(&args.timezones);
        }
        if args.special_hours.is_some() {
            sources.special_hours.clone_from(&args.special_hours);
        }
        if sources.is_empty() {
            match &args.data_dir {
                Some(dir) => bail!(
                    "no source files in {}: looked for store_status.csv, business_hours.csv, menu_hours.csv, timezones.csv and special_hours.csv (each also .gz)",
                    dir.display()
                ),
                None => bail!(
                    "nothing to ingest: give --data-dir DIR or --status/--hours/--timezones/--special-hours FILE"
                ),
            }
        }
        Ok(sources)
    }

    pub fn is_empty(&self) -> bool {
        self.by_kind().next().is_none()
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
    /// Takes out the invalid rows skipped in lenient mode, per file that had any.
    pub fn take_skipped(&mut self) -> Vec<Vec<RowError>> {
        let lists = [
            self.polls.as_mut().map(|f| std::mem::take(&mut f.skipped)),
            self.business_hours
                .as_mut()
                .map(|f| std::mem::take(&mut f.skipped)),
            self.timezones
                .as_mut()
                .map(|f| std::mem::take(&mut f.skipped)),
            self.special_hours
                .as_mut()
                .map(|f| std::mem::take(&mut f.skipped)),
        ];
        lists
            .into_iter()
            .flatten()
            .filter(|rows| !rows.is_empty())
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

fn open(path: &Path) -> Result<Source, IngestError> {
    open_path(path).map_err(|source| IngestError::Io {
        file: path.display().to_string(),
        source,
    })
}

/// Parses all given files, each on its own thread. Returns every file's error
/// when any is invalid, so one run shows all that needs fixing.
pub fn parse_all(sources: &Sources, mode: Mode) -> Result<Parsed, Vec<IngestError>> {
    let results: Vec<Result<Parsed, IngestError>> = std::thread::scope(|s| {
        let parsers: Vec<_> = sources
            .by_kind()
            .map(|(kind, path)| {
                s.spawn(move || open(path).and_then(|src| parse_source(kind, src, mode)))
            })
            .collect();
        parsers.into_iter().map(join).collect()
    });
    let mut parsed = Parsed::default();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(p) => parsed.merge(p),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(errors)
    }
}

fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle.join().expect("parser threads do not panic")
}

/// Validates and applies `sources`; the error lists every invalid file.
/// Returns the rows skipped in lenient mode, per file, and what was applied.
pub async fn load<D: Database>(
    db: &D,
    sources: &Sources,
    mode: Mode,
) -> Result<(Vec<Vec<RowError>>, Applied)> {
    let owned = sources.clone();
    let parsed = tokio::task::spawn_blocking(move || parse_all(&owned, mode)).await?;
    let mut parsed = match parsed {
        Ok(p) => p,
        Err(errors) => {
            let text = errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n");
            bail!("{text}\nnothing was ingested");
        }
    };
    let skipped = parsed.take_skipped();
    let applied = db.ingest(parsed.into_batch()).await?;
    Ok((skipped, applied))
}

pub async fn run<D: Database>(db: &D, args: &IngestArgs) -> Result<()> {
    let sources = Sources::from_args(args)?;
    let mode = if args.lenient {
        Mode::Lenient
    } else {
        Mode::Strict
    };
    let progress = Progress::new();
    let names: Vec<_> = sources
        .by_kind()
        .map(|(_, p)| p.display().to_string())
        .collect();
    progress.step(&format!("reading {}", names.join(", ")));
    let loaded = load(db, &sources, mode).await;
    progress.finish();
    let (skipped_per_file, applied) = loaded?;
    let mut out = std::io::stdout().lock();
    if let (Some(path), Some(a)) = (&sources.polls, applied.polls) {
        writeln!(
            out,
            "{}: {} polls, {} new or changed, {} already stored",
            path.display(),
            thousands(a.rows),
            thousands(a.written),
            thousands(a.unchanged)
        )?;
    }
    if let (Some(path), Some(n)) = (&sources.business_hours, applied.business_hours) {
        writeln!(
            out,
            "{}: {} business-hours rows (replaced the previous set)",
            path.display(),
            thousands(n)
        )?;
    }
    if let (Some(path), Some(n)) = (&sources.timezones, applied.timezones) {
        writeln!(
            out,
            "{}: {} time zones (replaced the previous set)",
            path.display(),
            thousands(n)
        )?;
    }
    if let (Some(path), Some(n)) = (&sources.special_hours, applied.special_hours) {
        writeln!(
            out,
            "{}: {} special-hours rows (replaced the previous set)",
            path.display(),
            thousands(n)
        )?;
    }
    for skipped in &skipped_per_file {
        let written = write_rejected(&args.rejected_dir, skipped)?;
        writeln!(
            out,
            "{}: skipped {} invalid rows; they are listed with the reasons in {}",
            skipped[0].file,
            thousands(skipped.len() as u64),
            written.display()
        )?;
    }
    Ok(())
}

/// Writes skipped rows as CSV (line, column, reason, row) to `dir`.
fn write_rejected(dir: &Path, rows: &[RowError]) -> Result<PathBuf> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = Path::new(&rows[0].file)
        .file_name()
        .map_or("input".into(), |n| n.to_string_lossy().into_owned());
    let path = dir.join(format!("{}.rejected.csv", name.trim_end_matches(".gz")));
    let mut w =
        csv::Writer::from_path(&path).with_context(|| format!("creating {}", path.display()))?;
    w.write_record(["line", "column", "reason", "row"])?;
    for r in rows {
        w.write_record([
            r.line.to_string().as_str(),
            r.column.as_deref().unwrap_or(""),
            &r.reason,
            &r.record,
        ])?;
    }
    w.flush()?;
    Ok(path)
}
