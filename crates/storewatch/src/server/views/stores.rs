//! Store answers: the list (with who is offline now) and a store's week.

use serde::Serialize;
use storewatch_core::domain::{MICROS_PER_HOUR, format_timestamp};
use storewatch_core::report::{HalfMicros, hundredths, to_micros};

use crate::app::stores::Found;
use crate::app::timeline::{StoreTimeline, local};

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
        let half = |h: HalfMicros| format_timestamp(to_micros(h));
        let half_local = |h: HalfMicros| local(&t.tz, to_micros(h));
        let figures = t
            .figures
            .iter()
            .map(|(name, value)| {
                let json = if *name == "store_id" {
                    serde_json::Value::from(value.as_str())
                } else if let Ok(n) = value.parse::<i64>() {
                    n.into()
                } else if let Ok(x) = value.parse::<f64>() {
                    x.into()
                } else {
                    value.as_str().into()
                };
                (name.to_string(), json)
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
                        .map(|o| format_timestamp(to_micros(o.since))),
                    inactive_polls: offline.map(|o| o.inactive_polls),
                })
                .collect(),
        }
    }
}
