//! Report answers: a trigger, a report's status, the listing.

use serde::Serialize;
use storewatch_core::domain::{MICROS_PER_HOUR, format_timestamp};
use storewatch_core::report::PeriodSpec;
use storewatch_db::{ReportRecord, ReportState};

use super::numbers::time;

/// `POST /trigger_report`.
#[derive(Debug, Serialize)]
pub struct Triggered {
    pub report_id: String,
}

/// A report's status (SPEC section 4): Running, Complete or Failed, the
/// variant's name written as its `status`.
#[derive(Debug, Serialize)]
#[serde(tag = "status")]
pub enum ReportStatus {
    Running(Running),
    Complete(Complete),
    Failed(Failed),
}

/// What every report answer says of the report, whatever its state.
#[derive(Debug, Serialize)]
pub struct ReportHead {
    pub report_id: String,
    pub columns: &'static str,
    /// week, period, daily or hourly.
    pub kind: &'static str,
    /// A period report's period; absent for the week.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<PeriodView>,
    pub created_at: String,
    pub started_at: Option<String>,
}

impl ReportHead {
    fn of(r: &ReportRecord) -> ReportHead {
        ReportHead {
            report_id: r.id.to_string(),
            columns: r.columns.as_str(),
            kind: r.spec.kind().as_str(),
            period: PeriodView::of(r),
            created_at: format_timestamp(r.created_at),
            started_at: time(r.started_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Running {
    #[serde(flatten)]
    pub head: ReportHead,
    /// `queued` or `running`.
    pub state: &'static str,
    pub requested_as_of: Option<String>,
    pub attempts: u32,
}

#[derive(Debug, Serialize)]
pub struct Complete {
    #[serde(flatten)]
    pub head: ReportHead,
    pub as_of: Option<String>,
    pub rows: u64,
    pub finished_at: Option<String>,
    pub csv: String,
}

#[derive(Debug, Serialize)]
pub struct Failed {
    #[serde(flatten)]
    pub head: ReportHead,
    pub error: String,
    pub finished_at: Option<String>,
}

/// A period report's period as asked for (`days` or `from`), and once the
/// report time is known, where it starts (`from`).
#[derive(Debug, Serialize)]
pub struct PeriodView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

impl PeriodView {
    fn of(r: &ReportRecord) -> Option<PeriodView> {
        Some(match r.spec.span()? {
            PeriodSpec::Days(days) => PeriodView {
                days: Some(days),
                from: r
                    .as_of
                    .map(|t| format_timestamp(t - days * 24 * MICROS_PER_HOUR)),
            },
            PeriodSpec::From(from) => PeriodView {
                days: None,
                from: Some(format_timestamp(from)),
            },
        })
    }
}

impl ReportStatus {
    /// The status of `r`; `csv` is its CSV with the columns asked for, for a
    /// complete report.
    pub fn of(r: &ReportRecord, csv: Option<String>) -> ReportStatus {
        let head = ReportHead::of(r);
        match r.state {
            ReportState::Queued | ReportState::Running => ReportStatus::Running(Running {
                head,
                state: r.state.as_str(),
                requested_as_of: time(r.requested_as_of),
                attempts: r.attempts,
            }),
            ReportState::Complete => ReportStatus::Complete(Complete {
                head,
                as_of: time(r.as_of),
                rows: r.rows.unwrap_or(0),
                finished_at: time(r.finished_at),
                csv: csv.unwrap_or_default(),
            }),
            ReportState::Failed => ReportStatus::Failed(Failed {
                head,
                error: r.error.clone().unwrap_or_default(),
                finished_at: time(r.finished_at),
            }),
        }
    }
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
    #[serde(flatten)]
    pub head: ReportHead,
    /// Running, Complete or Failed, as `get_report` says.
    pub status: &'static str,
    /// queued, running, complete or failed.
    pub state: &'static str,
    pub requested_as_of: Option<String>,
    pub as_of: Option<String>,
    pub rows: Option<u64>,
    pub error: Option<String>,
    pub finished_at: Option<String>,
}

impl ReportSummary {
    pub fn of(r: &ReportRecord) -> ReportSummary {
        ReportSummary {
            head: ReportHead::of(r),
            status: r.state.status(),
            state: r.state.as_str(),
            requested_as_of: time(r.requested_as_of),
            as_of: time(r.as_of),
            rows: r.rows,
            error: r.error.clone(),
            finished_at: time(r.finished_at),
        }
    }
}
