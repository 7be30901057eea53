//! The report of SPEC section 3: for every store with a poll, its up and down
//! time during business hours over the last hour, day and week before `as_of`,
//! and on request the extended columns (open time, polls, incidents).

mod csv;
mod fleet;
mod incidents;
mod interpolate;
pub mod period;
mod period_report;
pub mod schedule;
mod timeline;

use std::collections::HashMap;

use jiff::tz::TimeZone;
use rayon::prelude::*;

use crate::domain::{HoursRow, Micros, Poll, SpecialHoursRow, resolve_zone};

pub use csv::{
    CSV_HEADER, Columns, EXTENDED_HEADER, Header, select_columns, to_csv_part_string,
    to_csv_string, write_csv, write_csv_part,
};
pub use fleet::{Fleet, FleetBuilder, LiveCounts, LiveStatus, RANKED, Ranked, live_status};
pub use incidents::{Incident, incidents};
pub use interpolate::{
    Figures, HalfMicros, Tally, Window, candidates, figures, hundredths, open_length,
};
pub use period::{
    DEFAULT_PERIOD_DAYS, DayFigures, LocalClock, MAX_PERIOD_DAYS, Period, PeriodError, PeriodSpec,
    PeriodZone, PeriodZones, StorePeriod, Times, analyze_period,
};
pub use period_report::{
    PeriodBuilder, PeriodKind, PeriodReport, ReportKind, ReportSpec, downtime_percent, hours_text,
};
pub use schedule::{Interval, Opening, Schedule};
pub use timeline::{Segment, segments, tally_of};

/// Everything a report reads, taken from one consistent snapshot of the data.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    /// The report time T; `None` only when the database holds no poll at all.
    pub as_of: Option<Micros>,
    /// Every store with at least one poll in the database, in any order.
    pub stores: Vec<StoreInput>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreInput {
    pub store_id: String,
    /// IANA name; `None` means the default zone.
    pub timezone: Option<String>,
    /// No rows means open 24×7.
    pub hours: Vec<HoursRow>,
    /// Special dates; only those near the week matter.
    pub special: Vec<SpecialHoursRow>,
    /// At least the polls with `as_of − 7 d ≤ t ≤ as_of`; any order.
    pub polls: Vec<Poll>,
}

/// The extended columns of one store (SPEC section 3, step 9).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extended {
    /// Open time in the week, whether observed or not, in microseconds.
    pub open: Micros,
    /// Candidate polls in the week.
    pub polls: u32,
    /// Incidents with downtime in the week.
    pub incidents: u32,
    /// The largest downtime of one incident in the week.
    pub longest_incident: HalfMicros,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub store_id: String,
    pub figures: Figures,
    pub extended: Extended,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub as_of: Option<Micros>,
    /// Sorted by `store_id` in byte order.
    pub rows: Vec<ReportRow>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("store {store_id}: {reason}")]
    Zone { store_id: String, reason: String },
    /// A time the zone database cannot convert (outside the years it covers).
    #[error("store {store_id}: {reason}")]
    OutOfRange { store_id: String, reason: String },
    /// The period asked for does not fit the report time.
    #[error("{0}")]
    Period(#[from] PeriodError),
}

/// Everything the report works out for one store: its open time, the polls
/// that count, the figures and the incidents. The report keeps the figures;
/// a store's page shows the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreAnalysis {
    /// Merged open intervals covering the week (not clipped to it).
    pub open: Vec<Interval>,
    /// Candidate polls: inside business hours, `as_of − 7 d ≤ t ≤ as_of`.
    pub candidates: Vec<Poll>,
    pub figures: Figures,
    pub incidents: Vec<Incident>,
    pub extended: Extended,
}

/// Analyses one store at `as_of`. `polls` must be sorted by time. `None`
/// when its business hours cannot be placed in time at `as_of` (a report
/// time beyond what the time-zone database covers).
pub fn analyze(
    hours: &[HoursRow],
    special: &[SpecialHoursRow],
    polls: &[Poll],
    tz: &TimeZone,
    as_of: Micros,
) -> Option<StoreAnalysis> {
    let week = Window::Week.ending_at(as_of);
    let open = Schedule::new(hours, special).open_intervals(tz, week.start, as_of)?;
    let candidates = candidates(&open, polls, week.start, as_of);
    let figures = figures(&open, &candidates, as_of);
    let incidents = incidents(&open, &candidates, week);
    let extended = Extended {
        open: open_length(&open, week),
        polls: u32::try_from(candidates.len()).unwrap_or(u32::MAX),
        incidents: u32::try_from(incidents.len()).unwrap_or(u32::MAX),
        longest_incident: incidents.iter().map(|i| i.downtime).max().unwrap_or(0),
    };
    Some(StoreAnalysis {
        open,
        candidates,
        figures,
        incidents,
        extended,
    })
}

/// Computes the report. Stores are independent, so they are spread over all cores.
pub fn compute(input: ReportInput) -> Result<Report, ReportError> {
    let Some(as_of) = input.as_of else {
        return Ok(Report::default());
    };
    let mut report = ReportBuilder::new(as_of);
    report.add(input.stores)?;
    Ok(report.finish())
}

/// A report computed as its stores arrive, in batches of any size and
/// order, so a backend can read the next stores while the last ones are
/// computed: the same report as [`compute`] of all of them at once.
pub struct ReportBuilder {
    as_of: Micros,
    /// The time zones met so far, each resolved once.
    zones: HashMap<String, TimeZone>,
    rows: Vec<ReportRow>,
}

impl ReportBuilder {
    pub fn new(as_of: Micros) -> ReportBuilder {
        ReportBuilder {
            as_of,
            zones: HashMap::new(),
            rows: Vec::new(),
        }
    }

    /// Computes the rows of `stores`, spread over all cores.
    pub fn add(&mut self, mut stores: Vec<StoreInput>) -> Result<(), ReportError> {
        add_zones(&mut self.zones, &stores)?;
        let (zones, as_of) = (&self.zones, self.as_of);
        let rows: Vec<ReportRow> = stores
            .par_iter_mut()
            .map(|store| {
                let a = analyze_store(store, zones, as_of)?;
                Ok(ReportRow {
                    store_id: std::mem::take(&mut store.store_id),
                    figures: a.figures,
                    extended: a.extended,
                })
            })
            .collect::<Result<_, ReportError>>()?;
        self.rows.extend(rows);
        Ok(())
    }

    /// The report: its rows in store-id order.
    pub fn finish(mut self) -> Report {
        self.rows
            .par_sort_unstable_by(|a, b| a.store_id.as_bytes().cmp(b.store_id.as_bytes()));
        Report {
            as_of: Some(self.as_of),
            rows: self.rows,
        }
    }
}

/// [`analyze`] for one store of a report's input (its polls sorted in
/// place), or why it cannot be.
fn analyze_store(
    store: &mut StoreInput,
    zones: &HashMap<String, TimeZone>,
    as_of: Micros,
) -> Result<StoreAnalysis, ReportError> {
    let tz = &zones[store.timezone.as_deref().unwrap_or("")];
    store.polls.sort_unstable_by_key(|p| p.ts);
    analyze(&store.hours, &store.special, &store.polls, tz, as_of).ok_or_else(|| {
        ReportError::OutOfRange {
            store_id: store.store_id.clone(),
            reason: format!(
                "its business hours cannot be placed in time at the report time {}",
                crate::domain::format_timestamp(as_of)
            ),
        }
    })
}

/// A store offline at the report time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offline {
    pub store_id: String,
    /// Where its downtime began: the start of its ongoing incident, in
    /// half-microseconds (a midpoint between two polls).
    pub since: HalfMicros,
    /// Inactive polls in a row up to the report time.
    pub inactive_polls: u32,
}

/// The stores offline at `as_of`: inside business hours then, with their
/// nearest candidate poll (the last one) inactive. Longest offline first.
pub fn offline_now(input: ReportInput) -> Result<Vec<Offline>, ReportError> {
    let Some(as_of) = input.as_of else {
        return Ok(Vec::new());
    };
    let mut list = OfflineList::new(as_of, usize::MAX);
    list.add(input.stores, |_| true)?;
    Ok(list.finish())
}

/// The first stores offline at `as_of` (longest offline first, then by
/// id), found among batches of stores as they are read: it keeps at most
/// `limit` of them, so finding the first page among millions of stores
/// takes memory for a page, not for every store offline.
#[derive(Debug)]
pub struct OfflineList {
    as_of: Micros,
    limit: usize,
    zones: HashMap<String, TimeZone>,
    /// The first `limit` found so far; the last of them on top.
    kept: std::collections::BinaryHeap<ByTime>,
    /// Every store offline, kept or not.
    total: usize,
}

/// An offline store ordered as the list is: by `since`, then id.
#[derive(Debug, PartialEq, Eq)]
struct ByTime(Offline);

impl Ord for ByTime {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.0.since, &self.0.store_id).cmp(&(other.0.since, &other.0.store_id))
    }
}

impl PartialOrd for ByTime {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl OfflineList {
    pub fn new(as_of: Micros, limit: usize) -> OfflineList {
        OfflineList {
            as_of,
            limit,
            zones: HashMap::new(),
            kept: std::collections::BinaryHeap::new(),
            total: 0,
        }
    }

    /// Adds the offline ones among `stores` whose id `wanted` accepts.
    pub fn add(
        &mut self,
        mut stores: Vec<StoreInput>,
        wanted: impl Fn(&str) -> bool + Sync,
    ) -> Result<(), ReportError> {
        add_zones(&mut self.zones, &stores)?;
        let (zones, as_of) = (&self.zones, self.as_of);
        let found: Vec<Option<Offline>> = stores
            .par_iter_mut()
            .map(|store| {
                if !wanted(&store.store_id) {
                    return Ok(None);
                }
                let a = analyze_store(store, zones, as_of)?;
                let open_now = a.open.iter().any(|iv| iv.contains(as_of));
                let last = a.candidates.last();
                if !open_now || last.is_none_or(|p| p.status.is_active()) {
                    return Ok(None);
                }
                let ongoing = a.incidents.last().filter(|i| i.ongoing);
                Ok(Some(Offline {
                    store_id: std::mem::take(&mut store.store_id),
                    since: ongoing.map_or(2 * last.map_or(as_of, |p| p.ts), |i| i.start),
                    inactive_polls: ongoing.map_or(1, |i| i.inactive_polls),
                }))
            })
            .collect::<Result<_, ReportError>>()?;
        for offline in found.into_iter().flatten() {
            self.total += 1;
            self.kept.push(ByTime(offline));
            if self.kept.len() > self.limit {
                self.kept.pop();
            }
        }
        Ok(())
    }

    /// The time the list is at.
    pub fn as_of(&self) -> Micros {
        self.as_of
    }

    /// How many stores were offline, kept or not.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The kept ones, longest offline first.
    pub fn finish(self) -> Vec<Offline> {
        self.kept
            .into_sorted_vec()
            .into_iter()
            .map(|b| b.0)
            .collect()
    }
}

/// Adds the time zones of `stores` not in `zones` yet.
fn add_zones(
    zones: &mut HashMap<String, TimeZone>,
    stores: &[StoreInput],
) -> Result<(), ReportError> {
    for store in stores {
        let key = store.timezone.as_deref().unwrap_or("");
        if !zones.contains_key(key) {
            let tz =
                resolve_zone(store.timezone.as_deref()).map_err(|reason| ReportError::Zone {
                    store_id: store.store_id.clone(),
                    reason: reason.to_string(),
                })?;
            zones.insert(key.to_string(), tz);
        }
    }
    Ok(())
}
