//! What the data store takes and gives: ingests, deletions, the ingest
//! log, fingerprints and counts.

use storewatch_core::domain::{HoursRow, Micros, SharedId, SpecialHoursRow, StoreId};
use storewatch_core::ingest::{PollFile, SourceKind};

/// The validated contents of one ingest: any of the four sources.
#[derive(Debug, Default)]
pub struct IngestBatch {
    pub polls: Option<PollFile>,
    /// Content fingerprints of the files this batch came from, recorded in the
    /// same transaction (see [`Database::source_fingerprint`]).
    pub fingerprints: Vec<SourceFingerprint>,
    /// Replaces the whole business-hours snapshot when present.
    pub business_hours: Option<Vec<(SharedId, HoursRow)>>,
    /// Replaces the whole time-zone snapshot when present.
    pub timezones: Option<Vec<(String, String)>>,
    /// Replaces the whole special-hours snapshot when present.
    pub special_hours: Option<Vec<(String, SpecialHoursRow)>>,
    /// Who sent the batch and what it held, recorded in the same transaction
    /// (one [`IngestRecord`] per source).
    pub provenance: Option<Provenance>,
}

/// Who an ingest or a deletion is on behalf of. The ingest log records it
/// as text ([`IngestRecord::by`]), as it reads when shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// An API key, by name.
    Key(String),
    /// The data directory's watcher, ingesting a file that changed.
    DataDirectory(String),
    /// A command run on the machine.
    CommandLine,
    /// The data `serve --demo` made up.
    Demo,
    /// A caller of the open service (no key was ever made).
    OpenService,
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::Key(name) => write!(f, "key {name}"),
            Actor::DataDirectory(dir) => write!(f, "data directory {dir}"),
            Actor::CommandLine => f.write_str("command line"),
            Actor::Demo => f.write_str("serve --demo"),
            Actor::OpenService => f.write_str("open service (no keys)"),
        }
    }
}

/// Where an ingest came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub at: Micros,
    pub by: Actor,
    /// The key that pushed it, if any.
    pub key_id: Option<String>,
    pub sources: Vec<SourceContent>,
}

/// One source of an ingest: its kind, how it was named, its content's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceContent {
    pub kind: SourceKind,
    /// A file's path, or `request body`.
    pub label: String,
    /// SHA-256 of the bytes as they came (compressed, if they were), hex.
    pub sha256: String,
}

/// One applied source of one ingest, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestRecord {
    /// Increasing: a later ingest has a larger id.
    pub id: i64,
    pub at: Micros,
    pub source: SourceKind,
    pub label: String,
    /// Who, as [`Actor`] reads.
    pub by: String,
    pub key_id: Option<String>,
    /// Polls read, or rows in the new snapshot.
    pub rows: u64,
    pub sha256: String,
}

/// Polls to delete: of one store, or in a time range, or both (at least
/// one of the three is given; the range is `from ≤ t < to`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollDeletion {
    pub store_id: Option<StoreId>,
    pub from: Option<Micros>,
    pub to: Option<Micros>,
    /// When, and on whose behalf, for the ingest log.
    pub at: Micros,
    pub by: Actor,
    pub key_id: Option<String>,
}

impl PollDeletion {
    /// What was deleted, in words, as the ingest log shows it.
    pub fn describe(&self) -> String {
        let mut parts = vec!["delete polls".to_string()];
        if let Some(id) = &self.store_id {
            parts.push(format!("of store {id}"));
        }
        if let Some(t) = self.from {
            parts.push(format!(
                "from {}",
                storewatch_core::domain::format_timestamp(t)
            ));
        }
        if let Some(t) = self.to {
            parts.push(format!(
                "before {}",
                storewatch_core::domain::format_timestamp(t)
            ));
        }
        parts.join(" ")
    }

    /// The bounds as stored times: `from ≤ t < to`.
    pub fn range(&self) -> (Micros, Micros) {
        (
            self.from.unwrap_or(Micros::MIN),
            self.to.unwrap_or(Micros::MAX),
        )
    }

    /// The ingest-log entry of this deletion, for `deleted` polls.
    pub fn record(&self, deleted: u64) -> IngestRecord {
        let label = self.describe();
        IngestRecord {
            id: 0,
            at: self.at,
            source: SourceKind::Polls,
            sha256: storewatch_core::hex::encode(&<sha2::Sha256 as sha2::Digest>::digest(
                label.as_bytes(),
            )),
            label,
            by: self.by.to_string(),
            key_id: self.key_id.clone(),
            rows: deleted,
        }
    }
}

/// Which content of a source file was last ingested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFingerprint {
    pub kind: SourceKind,
    pub path: String,
    pub sha256: String,
    pub ingested_at: Micros,
}

/// What an ingest did, per source given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub polls: Option<PollsApplied>,
    /// Rows now in the business-hours snapshot.
    pub business_hours: Option<u64>,
    /// Rows now in the time-zone snapshot.
    pub timezones: Option<u64>,
    /// Rows now in the special-hours snapshot.
    pub special_hours: Option<u64>,
}

impl Applied {
    /// The rows each applied source now stands for: polls read, or the size
    /// of the snapshot that replaced the last.
    pub fn rows_by_kind(&self) -> Vec<(SourceKind, u64)> {
        [
            (SourceKind::Polls, self.polls.map(|p| p.rows)),
            (SourceKind::BusinessHours, self.business_hours),
            (SourceKind::Timezones, self.timezones),
            (SourceKind::SpecialHours, self.special_hours),
        ]
        .into_iter()
        .filter_map(|(kind, rows)| Some((kind, rows?)))
        .collect()
    }
}

/// What an ingest of polls did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PollsApplied {
    /// Valid rows in the file (a key written twice counts twice).
    pub rows: u64,
    /// Polls that were new, or whose status changed.
    pub written: u64,
    /// Polls already stored with the same status.
    pub unchanged: u64,
}

/// Sizes of what is stored, for operators and progress messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub stores: u64,
    pub polls: u64,
    pub business_hours: u64,
    pub timezones: u64,
    pub special_hours: u64,
    pub newest_poll: Option<Micros>,
}
