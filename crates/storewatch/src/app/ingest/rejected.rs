//! What an ingest did not apply: the rejected rows' file, the invalid
//! sources, and why nothing was applied.

use std::fmt;
use std::path::{Path, PathBuf};

use storewatch_core::ingest::{IngestError, RowError, SkippedSink, SourceKind};
use storewatch_db::DbError;

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

    pub(super) fn sink(dir: &Path, label: &str) -> SkippedSink {
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
pub(super) fn panic_message(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(panic) => panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
            .unwrap_or_else(|| "a panic".to_string()),
        Err(e) => e.to_string(),
    }
}
