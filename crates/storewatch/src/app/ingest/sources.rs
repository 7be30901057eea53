//! The files of one ingest, parsed: any of the four sources, in bounded
//! memory (polls beyond a run are set aside in sorted runs on disk).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Result, bail};
use storewatch_core::ingest::{
    DEFAULT_RUN_LEN, HoursFile, IngestError, Mode, NewestAllowed, PollFile, PollRuns, RowError,
    Source, SourceKind, SpecialHoursFile, SpillFile, TimezoneFile, parse_hours, parse_polls_into,
    parse_special_hours, parse_timezones,
};
use storewatch_db::IngestBatch;

use super::input::Input;

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

/// The rows lenient mode skipped in one source.
#[derive(Debug)]
pub struct Skipped {
    pub kind: SourceKind,
    /// How many rows were skipped.
    pub total: usize,
    /// The first of them (at most `MAX_KEPT_SKIPPED`), with the reasons.
    pub rows: Vec<RowError>,
}
