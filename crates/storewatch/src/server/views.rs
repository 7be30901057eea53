//! Typed JSON answers, one struct per shape the OpenAPI document describes
//! (`controllers/openapi.json`, checked against real answers by the tests).

use serde::Serialize;
use storewatch_core::domain::{Micros, format_timestamp};
use storewatch_core::ingest::RowError;
use storewatch_db::{IngestRecord, ReportRecord, ReportState};

/// `POST /trigger_report`.
#[derive(Debug, Serialize)]
pub struct Triggered {
    pub report_id: String,
}

/// A report's status (SPEC section 4): Running, Complete or Failed.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ReportStatus {
    Running(Running),
    Complete(Complete),
    Failed(Failed),
}

#[derive(Debug, Serialize)]
pub struct Running {
    pub report_id: String,
    pub status: &'static str,
    /// `queued` or `running`.
    pub state: &'static str,
    pub columns: &'static str,
    pub requested_as_of: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub attempts: u32,
}

#[derive(Debug, Serialize)]
pub struct Complete {
    pub report_id: String,
    pub status: &'static str,
    pub as_of: Option<String>,
    pub rows: u64,
    pub columns: &'static str,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub csv: String,
}

#[derive(Debug, Serialize)]
pub struct Failed {
    pub report_id: String,
    pub status: &'static str,
    pub error: String,
    pub columns: &'static str,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

fn time(t: Option<Micros>) -> Option<String> {
    t.map(format_timestamp)
}

impl ReportStatus {
    /// The status of `r`; `csv` is its CSV with the columns asked for, for a
    /// complete report.
    pub fn of(r: &ReportRecord, csv: Option<String>) -> ReportStatus {
        let created_at = format_timestamp(r.created_at);
        match r.state {
            ReportState::Queued | ReportState::Running => ReportStatus::Running(Running {
                report_id: r.id.to_string(),
                status: "Running",
                state: r.state.as_str(),
                columns: r.columns.as_str(),
                requested_as_of: time(r.requested_as_of),
                created_at,
                started_at: time(r.started_at),
                attempts: r.attempts,
            }),
            ReportState::Complete => ReportStatus::Complete(Complete {
                report_id: r.id.to_string(),
                status: "Complete",
                as_of: time(r.as_of),
                rows: r.rows.unwrap_or(0),
                columns: r.columns.as_str(),
                created_at,
                started_at: time(r.started_at),
                finished_at: time(r.finished_at),
                csv: csv.unwrap_or_default(),
            }),
            ReportState::Failed => ReportStatus::Failed(Failed {
                report_id: r.id.to_string(),
                status: "Failed",
                error: r.error.clone().unwrap_or_default(),
                columns: r.columns.as_str(),
                created_at,
                started_at: time(r.started_at),
                finished_at: time(r.finished_at),
            }),
        }
    }
}

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

/// `GET /healthz`.
#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
}

/// `GET /api/reports`.
#[derive(Debug, Serialize)]
pub struct ReportList {
    pub reports: Vec<ReportSummary>,
    /// Pass as `before` for the next page; `null` on the last page.
    pub next_before: Option<String>,
}

/// A report in a listing: its status without the CSV.
#[derive(Debug, Serialize)]
pub struct ReportSummary {
    pub report_id: String,
    /// Running, Complete or Failed, as `get_report` says.
    pub status: &'static str,
    /// queued, running, complete or failed.
    pub state: &'static str,
    pub columns: &'static str,
    pub requested_as_of: Option<String>,
    pub as_of: Option<String>,
    pub rows: Option<u64>,
    pub error: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

impl ReportSummary {
    pub fn of(r: &ReportRecord) -> ReportSummary {
        ReportSummary {
            report_id: r.id.to_string(),
            status: match r.state {
                ReportState::Queued | ReportState::Running => "Running",
                ReportState::Complete => "Complete",
                ReportState::Failed => "Failed",
            },
            state: r.state.as_str(),
            columns: r.columns.as_str(),
            requested_as_of: time(r.requested_as_of),
            as_of: time(r.as_of),
            rows: r.rows,
            error: r.error.clone(),
            created_at: format_timestamp(r.created_at),
            started_at: time(r.started_at),
            finished_at: time(r.finished_at),
        }
    }
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
