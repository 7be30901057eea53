//! Ingest answers: an applied ingest, the ingest log, a deletion.

use serde::Serialize;
use storewatch_core::domain::format_timestamp;
use storewatch_core::ingest::RowError;
use storewatch_db::IngestRecord;

/// One invalid row, as listed in an ingest's answer.
#[derive(Debug, Serialize)]
pub struct InvalidRow {
    pub line: u64,
    pub column: Option<String>,
    pub reason: String,
    pub row: String,
}

impl From<&RowError> for InvalidRow {
    fn from(e: &RowError) -> InvalidRow {
        InvalidRow {
            line: e.line,
            column: e.column.clone(),
            reason: e.reason.clone(),
            row: e.record.clone(),
        }
    }
}

/// `POST /api/ingest/{source}`, applied.
#[derive(Debug, Serialize)]
pub struct Ingested {
    pub source: &'static str,
    pub rows_read: usize,
    /// Polls stored, or rows in the new snapshot.
    pub rows: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unchanged: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced: Option<bool>,
    pub skipped: usize,
    pub skipped_rows: Vec<InvalidRow>,
}

/// `GET /api/ingests`.
#[derive(Debug, Serialize)]
pub struct IngestList {
    pub ingests: Vec<IngestEntry>,
    /// Pass as `before` for the next page; `null` on the last page.
    pub next_before: Option<i64>,
}

/// One applied source of one ingest.
#[derive(Debug, Serialize)]
pub struct IngestEntry {
    pub id: i64,
    pub at: String,
    pub source: &'static str,
    /// The file's path, or `request body`.
    pub label: String,
    /// Who: `key NAME`, `data directory DIR`, `command line`, …
    pub by: String,
    /// Polls read, or rows in the new snapshot.
    pub rows: u64,
    pub sha256: String,
}

impl IngestEntry {
    pub fn of(r: &IngestRecord) -> IngestEntry {
        IngestEntry {
            id: r.id,
            at: format_timestamp(r.at),
            source: r.source.name(),
            label: r.label.clone(),
            by: r.by.clone(),
            rows: r.rows,
            sha256: r.sha256.clone(),
        }
    }
}

/// `DELETE /api/polls`.
#[derive(Debug, Serialize)]
pub struct PollsDeleted {
    pub deleted: u64,
}
