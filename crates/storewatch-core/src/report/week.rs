//! The week's report (SPEC section 3): each store analysed at the report
//! time, computed in parallel as its stores arrive; and who is offline now.

use std::collections::HashMap;

use jiff::tz::TimeZone;
use rayon::prelude::*;

use crate::domain::{HoursRow, Micros, Poll, SpecialHoursRow};

use super::error::ReportError;
use super::incidents::{Incident, incidents};
use super::input::{Extended, Report, ReportInput, ReportRow, StoreInput, add_zones};
use super::interpolate::{
    Figures, HalfMicros, Window, candidates, figures, open_length, to_micros,
};
use super::schedule::{Interval, Schedule};

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
    let mut a = analyze_within(hours, special, polls, tz, week.start, as_of)?;
    a.figures = figures(&a.open, &a.candidates, as_of);
    Some(a)
}

/// [`analyze`] over `[from, as_of]` only, a stretch shorter than the week
/// (the alerts read a day: see [`live_within`]): its open time, candidates
/// and incidents, without the report's figures. The week's own analysis
/// is this over the week, with the figures.
pub fn analyze_within(
    hours: &[HoursRow],
    special: &[SpecialHoursRow],
    polls: &[Poll],
    tz: &TimeZone,
    from: Micros,
    as_of: Micros,
) -> Option<StoreAnalysis> {
    let window = Interval::new(from, as_of);
    let open = Schedule::new(hours, special).open_intervals(tz, from, as_of)?;
    let candidates = candidates(&open, polls, from, as_of);
    let incidents = incidents(&open, &candidates, window);
    let extended = Extended {
        open: open_length(&open, window),
        polls: u32::try_from(candidates.len()).unwrap_or(u32::MAX),
        incidents: u32::try_from(incidents.len()).unwrap_or(u32::MAX),
        longest_incident: incidents.iter().map(|i| i.downtime).max().unwrap_or(0),
    };
    Some(StoreAnalysis {
        open,
        candidates,
        figures: Figures::default(),
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
    analyze_store_from(store, zones, None, as_of)
}

/// [`analyze_store`] over `[from, as_of]` when `from` is given
/// ([`analyze_within`]), else the week with its figures ([`analyze`]).
fn analyze_store_from(
    store: &mut StoreInput,
    zones: &HashMap<String, TimeZone>,
    from: Option<Micros>,
    as_of: Micros,
) -> Result<StoreAnalysis, ReportError> {
    let tz = &zones[store.timezone.as_deref().unwrap_or("")];
    store.polls.sort_unstable_by_key(|p| p.ts);
    let analysis = match from {
        Some(from) => analyze_within(&store.hours, &store.special, &store.polls, tz, from, as_of),
        None => analyze(&store.hours, &store.special, &store.polls, tz, as_of),
    };
    analysis.ok_or_else(|| ReportError::OutOfRange {
        store_id: store.store_id.clone(),
        reason: format!(
            "its business hours cannot be placed in time at the report time {}",
            crate::domain::format_timestamp(as_of)
        ),
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
    /// Every store seen, by live status.
    counts: LiveCounts,
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
            counts: LiveCounts::default(),
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
        let found: Vec<Option<(LiveStatus, Option<Offline>)>> = stores
            .par_iter_mut()
            .map(|store| {
                if !wanted(&store.store_id) {
                    return Ok(None);
                }
                let a = analyze_store(store, zones, as_of)?;
                let (live, offline) = live_of(&a, as_of);
                let offline = offline.map(|(since, inactive_polls)| Offline {
                    store_id: std::mem::take(&mut store.store_id),
                    since,
                    inactive_polls,
                });
                Ok(Some((live.status, offline)))
            })
            .collect::<Result<_, ReportError>>()?;
        for (status, offline) in found.into_iter().flatten() {
            self.counts.add(status);
            let Some(offline) = offline else { continue };
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

    /// How many of the stores seen are in each live status.
    pub fn counts(&self) -> LiveCounts {
        self.counts
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

/// A store's status at T (section 7, step 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LiveStatus {
    /// T is not in its open time.
    OutsideHours,
    /// Open, but no candidate poll in the week before T.
    NoObservation,
    /// Open, and its last candidate is inactive.
    Offline,
    /// Open, and its last candidate is active.
    Online,
}

impl LiveStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LiveStatus::OutsideHours => "outside_hours",
            LiveStatus::NoObservation => "no_observation",
            LiveStatus::Offline => "offline",
            LiveStatus::Online => "online",
        }
    }
}

/// The status at `as_of` of a store, from its week's analysis.
pub fn live_status(a: &StoreAnalysis, as_of: Micros) -> LiveStatus {
    if !a.open.iter().any(|iv| iv.contains(as_of)) {
        return LiveStatus::OutsideHours;
    }
    match a.candidates.last() {
        None => LiveStatus::NoObservation,
        Some(p) if p.status.is_active() => LiveStatus::Online,
        Some(_) => LiveStatus::Offline,
    }
}

/// A store's live status at T with what an alert tells of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Live {
    pub status: LiveStatus,
    /// Offline: the start of its ongoing incident (section 3, step 8).
    /// Otherwise the start of its last incident in the week, if any (the
    /// one a recovered store was down in).
    pub since: Option<Micros>,
    /// The open time that incident took so far (0 without one).
    pub downtime: HalfMicros,
}

/// A store's [`Live`] status at `as_of` and, when offline, the offline
/// list's since (in half-microseconds) and inactive polls in a row. An
/// offline store without an incident in the week (its downtime all before
/// it) is offline since its last poll.
fn live_of(a: &StoreAnalysis, as_of: Micros) -> (Live, Option<(HalfMicros, u32)>) {
    let status = live_status(a, as_of);
    let last = a.incidents.last();
    if status != LiveStatus::Offline {
        let live = Live {
            status,
            since: last.map(|i| to_micros(i.start)),
            downtime: last.map_or(0, |i| i.downtime),
        };
        return (live, None);
    }
    let ongoing = last.filter(|i| i.ongoing);
    let since = ongoing.map_or(2 * a.candidates.last().map_or(as_of, |p| p.ts), |i| i.start);
    let live = Live {
        status,
        since: Some(to_micros(since)),
        downtime: ongoing.map_or(0, |i| i.downtime),
    };
    (live, Some((since, ongoing.map_or(1, |i| i.inactive_polls))))
}

/// A store's [`Live`] status at `as_of`.
pub fn live(a: &StoreAnalysis, as_of: Micros) -> Live {
    live_of(a, as_of).0
}

/// [`live`] from an analysis of only the polls since some time before
/// `as_of` ([`analyze_within`]: the alerts read a day, not the week), or
/// `None` when those are not enough to be sure it is the week's. Its
/// status needs its last candidate among them (outside its hours, not even
/// that: its hours alone say so). An offline store's since and downtime
/// need its ongoing incident to begin among them: an active candidate
/// before it. With `last_incident` (a store alerted, whose recovery names
/// the incident it was down in), a store not offline needs its last
/// incident to begin among them likewise.
pub fn live_within(a: &StoreAnalysis, as_of: Micros, last_incident: bool) -> Option<Live> {
    let live = live(a, as_of);
    if live.status == LiveStatus::OutsideHours && !last_incident {
        return Some(live);
    }
    let first = a.candidates.first()?;
    let settled = match live.status {
        // Its ongoing incident is the trailing run of inactive candidates.
        LiveStatus::Offline => a.candidates.iter().any(|p| p.status.is_active()),
        _ if !last_incident => true,
        // An incident that begins after the first candidate begins at the
        // midpoint of an active candidate and an inactive one among them.
        _ => a.incidents.last().is_some_and(|i| i.start > 2 * first.ts),
    };
    settled.then_some(live)
}

/// Every store's [`Live`] status at a report time, for the alerts, worked
/// out as its stores arrive. Read with only a recent stretch of polls
/// ([`LiveList::within`]), the stores that stretch cannot settle
/// ([`live_within`]) are set aside, to be read again with the week.
#[derive(Debug)]
pub struct LiveList {
    as_of: Micros,
    /// Where the polls read start, when not the week's start.
    from: Option<Micros>,
    /// Stores some subscription has alerted (their recovery names an
    /// incident).
    alerted: std::collections::HashSet<String>,
    zones: HashMap<String, TimeZone>,
    sure: Vec<(String, Live)>,
    unsure: Vec<String>,
}

impl LiveList {
    /// For stores read with their polls of the whole week.
    pub fn week(as_of: Micros) -> LiveList {
        LiveList {
            as_of,
            from: None,
            alerted: Default::default(),
            zones: HashMap::new(),
            sure: Vec::new(),
            unsure: Vec::new(),
        }
    }

    /// For stores read with their polls since `from` only (before `as_of`).
    pub fn within(
        from: Micros,
        as_of: Micros,
        alerted: std::collections::HashSet<String>,
    ) -> LiveList {
        LiveList {
            from: Some(from),
            alerted,
            ..LiveList::week(as_of)
        }
    }

    pub fn add(&mut self, mut stores: Vec<StoreInput>) -> Result<(), ReportError> {
        add_zones(&mut self.zones, &stores)?;
        let (zones, as_of, from, alerted) = (&self.zones, self.as_of, self.from, &self.alerted);
        let found: Vec<(String, Option<Live>)> = stores
            .par_iter_mut()
            .map(|store| {
                let a = analyze_store_from(store, zones, from, as_of)?;
                let live = match from {
                    Some(_) => live_within(&a, as_of, alerted.contains(&store.store_id)),
                    None => Some(live(&a, as_of)),
                };
                Ok((std::mem::take(&mut store.store_id), live))
            })
            .collect::<Result<_, ReportError>>()?;
        for (id, live) in found {
            match live {
                Some(live) => self.sure.push((id, live)),
                None => self.unsure.push(id),
            }
        }
        Ok(())
    }

    /// The stores settled, and those to read again with the week.
    pub fn finish(self) -> (Vec<(String, Live)>, Vec<String>) {
        (self.sure, self.unsure)
    }
}

/// How many stores are in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LiveCounts {
    pub offline: u64,
    pub online: u64,
    pub outside_hours: u64,
    pub no_observation: u64,
}

impl LiveCounts {
    pub fn add(&mut self, status: LiveStatus) {
        match status {
            LiveStatus::Offline => self.offline += 1,
            LiveStatus::Online => self.online += 1,
            LiveStatus::OutsideHours => self.outside_hours += 1,
            LiveStatus::NoObservation => self.no_observation += 1,
        }
    }
}
