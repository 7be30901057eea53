//! Typed JSON answers, one struct per shape the OpenAPI document describes
//! (`controllers/openapi.json`, checked against real answers by the tests).

use serde::Serialize;
use storewatch_core::domain::{MICROS_PER_HOUR, Micros, format_timestamp};
use storewatch_core::ingest::RowError;
use storewatch_core::report::{HalfMicros, hundredths};
use storewatch_core::report::{PeriodSpec, Times, downtime_percent, hours_text};
use storewatch_db::{IngestRecord, ReportRecord, ReportState};

use crate::app::stores::Found;
use crate::app::timeline::{StoreTimeline, local};

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
    /// week, period, daily or hourly.
    pub kind: &'static str,
    /// A period report's period; absent for the week.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<PeriodView>,
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
    /// week, period, daily or hourly.
    pub kind: &'static str,
    /// A period report's period; absent for the week.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<PeriodView>,
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
    /// week, period, daily or hourly.
    pub kind: &'static str,
    /// A period report's period; absent for the week.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<PeriodView>,
    pub created_at: String,
    pub started_at: Option<String>,
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

/// One hour of the day's figures, in the fleet and a store's history.
#[derive(Debug, Serialize)]
pub struct HourView {
    pub hour: u8,
    pub open_hours: f64,
    pub uptime_hours: f64,
    pub downtime_hours: f64,
    pub downtime_percent: Option<f64>,
}

impl HourView {
    /// Hours 0 to 23, from a period's figures by hour of the day.
    pub fn all(by_hour: &[Times; 24]) -> Vec<HourView> {
        (0u8..24)
            .zip(by_hour)
            .map(|(hour, t)| HourView {
                hour,
                open_hours: hours_number(t.open),
                uptime_hours: hours_number(t.up),
                downtime_hours: hours_number(t.down),
                downtime_percent: percent_number(t.up, t.down),
            })
            .collect()
    }
}

/// Hours with two decimals (as the CSV writes them), as a JSON number.
pub fn hours_number(length: HalfMicros) -> f64 {
    hours_text(length).parse().unwrap_or(0.0)
}

/// The downtime percent with two decimals, as a JSON number; `None` (null)
/// when nothing was observed.
pub fn percent_number(up: HalfMicros, down: HalfMicros) -> Option<f64> {
    downtime_percent(up, down).and_then(|p| p.parse().ok())
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
                kind: r.spec.kind().as_str(),
                period: PeriodView::of(r),
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
                kind: r.spec.kind().as_str(),
                period: PeriodView::of(r),
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
                kind: r.spec.kind().as_str(),
                period: PeriodView::of(r),
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
    /// week, period, daily or hourly.
    pub kind: &'static str,
    /// A period report's period; absent for the week.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<PeriodView>,
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
            kind: r.spec.kind().as_str(),
            period: PeriodView::of(r),
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

/// `GET /api/stores/{id}/timeline`: one store's week at a glance.
#[derive(Debug, Serialize)]
pub struct Timeline {
    pub store_id: String,
    pub as_of: String,
    /// The zone its hours are read in.
    pub timezone: String,
    /// `false`: no zone was given for it, so the default applies.
    pub timezone_given: bool,
    /// `[as_of − 7 d, as_of)`.
    pub week: Span,
    /// Business hours within the week, merged (special dates applied).
    pub open: Vec<LocalSpan>,
    pub special_hours: Vec<SpecialDate>,
    /// Every poll of the week.
    pub polls: Vec<PollMark>,
    /// The up and down bands the report counts (open time only).
    pub segments: Vec<Band>,
    pub incidents: Vec<IncidentView>,
    /// The report's row for this store: column name → value, as in the CSV.
    pub figures: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Serialize)]
pub struct Span {
    pub start: String,
    pub end: String,
}

#[derive(Debug, Serialize)]
pub struct LocalSpan {
    pub start: String,
    pub end: String,
    pub start_local: String,
    pub end_local: String,
}

#[derive(Debug, Serialize)]
pub struct SpecialDate {
    pub date: String,
    pub closed: bool,
    pub start_local: Option<String>,
    pub end_local: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PollMark {
    pub timestamp_utc: String,
    pub local: String,
    /// `active` or `inactive`.
    pub status: &'static str,
    /// Inside business hours: a candidate that counts.
    pub in_business_hours: bool,
}

#[derive(Debug, Serialize)]
pub struct Band {
    pub start: String,
    pub end: String,
    /// `up` or `down`.
    pub status: &'static str,
}

#[derive(Debug, Serialize)]
pub struct IncidentView {
    pub start: String,
    pub end: String,
    pub start_local: String,
    pub end_local: String,
    pub downtime_hours: f64,
    pub ongoing: bool,
    pub inactive_polls: u32,
}

impl From<&StoreTimeline> for Timeline {
    fn from(t: &StoreTimeline) -> Timeline {
        // Band and incident edges are midpoints, in half-microseconds: shown
        // to the microsecond below.
        let half = |h: HalfMicros| format_timestamp(h.div_euclid(2));
        let half_local = |h: HalfMicros| local(&t.tz, h.div_euclid(2));
        let figures = t
            .header
            .iter()
            .zip(&t.row)
            .map(|(name, value)| {
                let json = if name == "store_id" {
                    serde_json::Value::from(value.as_str())
                } else if let Ok(n) = value.parse::<i64>() {
                    n.into()
                } else if let Ok(x) = value.parse::<f64>() {
                    x.into()
                } else {
                    value.as_str().into()
                };
                (name.clone(), json)
            })
            .collect();
        Timeline {
            store_id: t.store_id.clone(),
            as_of: format_timestamp(t.as_of),
            timezone: t.timezone.clone(),
            timezone_given: t.timezone_given,
            week: Span {
                start: format_timestamp(t.week.start),
                end: format_timestamp(t.week.end),
            },
            open: t
                .open
                .iter()
                .map(|iv| LocalSpan {
                    start: format_timestamp(iv.start),
                    end: format_timestamp(iv.end),
                    start_local: local(&t.tz, iv.start),
                    end_local: local(&t.tz, iv.end),
                })
                .collect(),
            special_hours: t
                .special
                .iter()
                .map(|s| SpecialDate {
                    date: s.date.to_string(),
                    closed: s.is_closed(),
                    start_local: s.hours.map(|(a, _)| a.to_string()),
                    end_local: s.hours.map(|(_, b)| b.to_string()),
                })
                .collect(),
            polls: t
                .polls
                .iter()
                .map(|(p, candidate)| PollMark {
                    timestamp_utc: format_timestamp(p.ts),
                    local: local(&t.tz, p.ts),
                    status: p.status.as_str(),
                    in_business_hours: *candidate,
                })
                .collect(),
            segments: t
                .segments
                .iter()
                .map(|s| Band {
                    start: half(s.start),
                    end: half(s.end),
                    status: if s.up { "up" } else { "down" },
                })
                .collect(),
            incidents: t
                .incidents
                .iter()
                .map(|i| IncidentView {
                    start: half(i.start),
                    end: half(i.end),
                    start_local: half_local(i.start),
                    end_local: half_local(i.end),
                    downtime_hours: hundredths(i.downtime, MICROS_PER_HOUR) as f64 / 100.0,
                    ongoing: i.ongoing,
                    inactive_polls: i.inactive_polls,
                })
                .collect(),
            figures,
        }
    }
}

/// `GET /api/stores`.
#[derive(Debug, Serialize)]
pub struct StoreList {
    /// "Now": the newest poll.
    pub as_of: Option<String>,
    pub stores: Vec<StoreEntry>,
}

#[derive(Debug, Serialize)]
pub struct StoreEntry {
    pub store_id: String,
    /// Offline now: since when (the start of its ongoing incident).
    pub offline_since: Option<String>,
    pub inactive_polls: Option<u32>,
}

impl From<Found> for StoreList {
    fn from(found: Found) -> StoreList {
        StoreList {
            as_of: found.as_of.map(format_timestamp),
            stores: found
                .stores
                .into_iter()
                .map(|(store_id, offline)| StoreEntry {
                    store_id,
                    offline_since: offline
                        .as_ref()
                        .map(|o| format_timestamp(o.since.div_euclid(2))),
                    inactive_polls: offline.map(|o| o.inactive_polls),
                })
                .collect(),
        }
    }
}
