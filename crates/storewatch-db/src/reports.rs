//! Report jobs as the queue stores them.

use storewatch_core::domain::Micros;
use storewatch_core::report::{Columns, ReportSpec};

use crate::ids::ReportId;
use crate::keys::{ReportOwner, Scope};

/// Where a report job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportState {
    Queued,
    Running,
    Complete,
    Failed,
}

impl ReportState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::Queued => "queued",
            ReportState::Running => "running",
            ReportState::Complete => "complete",
            ReportState::Failed => "failed",
        }
    }

    /// The status the API shows (SPEC section 4): queued and running
    /// reports are both `Running`.
    pub fn status(self) -> &'static str {
        match self {
            ReportState::Queued | ReportState::Running => "Running",
            ReportState::Complete => "Complete",
            ReportState::Failed => "Failed",
        }
    }

    pub fn parse(s: &str) -> Option<ReportState> {
        Some(match s {
            "queued" => ReportState::Queued,
            "running" => ReportState::Running,
            "complete" => ReportState::Complete,
            "failed" => ReportState::Failed,
            _ => return None,
        })
    }
}

/// A stored report job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRecord {
    pub id: ReportId,
    pub state: ReportState,
    /// The report time the caller asked for; `None`: the newest poll.
    pub requested_as_of: Option<Micros>,
    /// The report time used, once known.
    pub as_of: Option<Micros>,
    /// The columns the report was asked for (its CSV is stored extended).
    pub columns: Columns,
    /// The week, or a period report's kind and span.
    pub spec: ReportSpec,
    pub created_at: Micros,
    pub started_at: Option<Micros>,
    pub finished_at: Option<Micros>,
    pub attempts: u32,
    pub rows: Option<u64>,
    pub error: Option<String>,
    /// Only when asked for and complete: the CSV with the extended columns.
    pub csv: Option<String>,
    /// The key that triggered it (`None`: no key was needed).
    pub key_id: Option<String>,
    /// The [`Scope::id`] of the stores it covers; `None`: every store.
    pub scope_id: Option<String>,
    /// Into how many shards it was split; `None`: computed whole.
    pub parts: Option<u32>,
}

/// A page of the report listing: newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPage {
    /// Only reports of this scope ([`Scope::id`]); `None`: all reports.
    pub scope_id: Option<String>,
    /// Only reports created before this point (created_at, then id).
    pub before: Option<(Micros, String)>,
    pub limit: u32,
}

/// A report a worker now owns, until `lease_until` unless renewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedReport {
    pub id: ReportId,
    pub requested_as_of: Option<Micros>,
    pub spec: ReportSpec,
    /// The stores to report on; `None`: every store.
    pub scope: Option<Scope>,
    /// Including this one.
    pub attempts: u32,
}

/// How the `reports` table stores [`Columns`].
pub fn columns_from_db(text: &str) -> Columns {
    Columns::parse(text).unwrap_or_default()
}

/// How a report job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportOutcome {
    Complete {
        as_of: Option<Micros>,
        rows: u64,
        csv: String,
    },
    Failed {
        error: String,
    },
}

/// A [`ReportOutcome`] as the columns of the `reports` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeColumns {
    pub state: &'static str,
    pub as_of: Option<Micros>,
    pub rows: Option<i64>,
    pub csv: Option<String>,
    pub error: Option<String>,
}

impl ReportOutcome {
    pub fn into_columns(self) -> OutcomeColumns {
        match self {
            ReportOutcome::Complete { as_of, rows, csv } => OutcomeColumns {
                state: ReportState::Complete.as_str(),
                as_of,
                rows: Some(i64::try_from(rows).unwrap_or(i64::MAX)),
                csv: Some(csv),
                error: None,
            },
            ReportOutcome::Failed { error } => OutcomeColumns {
                state: ReportState::Failed.as_str(),
                as_of: None,
                rows: None,
                csv: None,
                error: Some(error),
            },
        }
    }
}

/// What a trigger asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewReport {
    /// The report time; `None`: the newest poll.
    pub requested_as_of: Option<Micros>,
    pub columns: Columns,
    /// The week (the default), or a period report.
    pub spec: ReportSpec,
    pub owner: ReportOwner,
}
