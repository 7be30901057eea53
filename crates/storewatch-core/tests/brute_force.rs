//! The engine against a brute-force reference written independently here.
//!
//! The reference walks the week in 30-second slots and decides each slot on
//! its own: is it open (checked instant by instant against every opening
//! anchored on the nearby local dates, special hours included), and which
//! candidate poll is nearest to it. All inputs sit on whole minutes (poll
//! times, as_of, local times, the zones' offsets), so every boundary —
//! including poll midpoints — falls on a multiple of 30 s and the reference is
//! exact: the engine must agree to the microsecond, not merely within
//! rounding. It checks the six figures, the extended columns and, through
//! `analyze`, every incident.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};
use proptest::prelude::*;
use storewatch_core::domain::{HoursRow, Poll, SpecialHoursRow, Status, TimeOfDay, Weekday};
use storewatch_core::report::{
    Columns, Extended, LiveStatus, ReportBuilder, ReportInput, StoreInput, Window, analyze,
    analyze_within, compute, live, live_status, live_within, segments, tally_of, to_csv_string,
};

const MIN: i64 = 60_000_000;
const SLOT: i64 = 30_000_000;
const DAY: i64 = 1440 * MIN;

/// Zones with DST in either hemisphere, half-hour offsets and a half-hour DST
/// shift (Lord Howe), and none at all.
const ZONES: [&str; 8] = [
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Phoenix",
    "Asia/Kolkata",
    "Europe/London",
    "Australia/Lord_Howe",
];

/// Report times near DST changes of several zones, and an ordinary week.
const BASES: [&str; 6] = [
    "2024-03-10T12:00:00Z",
    "2024-11-03T12:00:00Z",
    "2023-01-23T18:00:00Z",
    "2024-03-31T06:00:00Z",
    "2024-10-06T00:00:00Z",
    "2024-04-07T00:00:00Z",
];

#[derive(Debug, Clone)]
struct Case {
    zone: &'static str,
    as_of: i64,
    hours: Vec<HoursRow>,
    special: Vec<SpecialHoursRow>,
    polls: Vec<Poll>,
}

fn time(minute: u32) -> TimeOfDay {
    TimeOfDay::from_seconds(minute * 60).unwrap()
}

/// An end: the end of the day, equal to the start (around the clock), or any
/// minute (before the start: overnight).
fn end_of(minute: u32, kind: u8, start: u32) -> TimeOfDay {
    match kind {
        0 => TimeOfDay::END_OF_DAY,
        1 => time(start),
        _ => time(minute),
    }
}

/// A minute of the day; half of them before 04:00, where every zone here
/// changes its clocks.
fn minute() -> impl Strategy<Value = u32> {
    prop_oneof![0u32..1440, 0u32..240]
}

/// (start, end) as a row reads them.
fn opening() -> impl Strategy<Value = (TimeOfDay, TimeOfDay)> {
    (minute(), minute(), 0u8..6)
        .prop_map(|(start, end, kind)| (time(start), end_of(end, kind, start)))
}

/// One special date, as days after the local date of `as_of` (−10 … +1,
/// enough to cover the week and the two dates before it), closed or with one
/// to three openings.
fn special_date() -> impl Strategy<Value = (i64, Option<Vec<(TimeOfDay, TimeOfDay)>>)> {
    (
        -10i64..=1,
        prop_oneof![1 => Just(None), 3 => proptest::collection::vec(opening(), 1..4).prop_map(Some)],
    )
}

fn case() -> impl Strategy<Value = Case> {
    let row = (0u8..7, opening()).prop_map(|(day, (start, end))| HoursRow {
        day: Weekday::new(day).unwrap(),
        start,
        end,
    });
    let hours = prop_oneof![1 => Just(Vec::new()), 3 => proptest::collection::vec(row, 1..8)];
    let special = prop_oneof![
        1 => Just(Vec::new()),
        3 => proptest::collection::vec(special_date(), 1..7),
        1 => proptest::collection::vec(special_date(), 8..16),
    ];
    let polls = proptest::collection::vec((0i64..(9 * 1440), any::<bool>()), 0..40);
    (
        0..ZONES.len(),
        0..BASES.len(),
        -4320i64..4320,
        hours,
        special,
        polls,
    )
        .prop_map(|(z, b, shift, hours, special_dates, polls)| {
            let base: Timestamp = BASES[b].parse().unwrap();
            let as_of = base.as_microsecond() + shift * MIN;
            let tz = TimeZone::get(ZONES[z]).unwrap();
            let today = tz
                .to_datetime(Timestamp::from_microsecond(as_of).unwrap())
                .date();
            // One kind per date: closed or with times, never both.
            let mut seen = BTreeSet::new();
            let mut special = Vec::new();
            for (offset, rows) in special_dates {
                if !seen.insert(offset) {
                    continue;
                }
                let date = today + jiff::Span::new().days(offset);
                match rows {
                    None => special.push(SpecialHoursRow::closed(date)),
                    Some(rows) => special.extend(
                        rows.into_iter()
                            .map(|(start, end)| SpecialHoursRow::open(date, start, end)),
                    ),
                }
            }
            let mut polls: Vec<Poll> = polls
                .into_iter()
                .map(|(m, active)| Poll {
                    ts: as_of - 8 * DAY + m * MIN,
                    status: Status::from_active(active),
                })
                .collect();
            polls.sort_by_key(|p| p.ts);
            polls.dedup_by_key(|p| p.ts);
            Case {
                zone: ZONES[z],
                as_of,
                hours,
                special,
                polls,
            }
        })
}

/// A wall-clock time on a local date → UTC µs. Written out by hand: a time in
/// a gap (spring forward) or a fold (fall back) both take the offset in force
/// before the change, which moves a missing time forward by the gap and picks
/// the earlier of two instants.
fn to_utc(tz: &TimeZone, day: Date, t: TimeOfDay) -> i64 {
    let s = i64::from(t.seconds());
    let dt = DateTime::from_parts(
        day,
        jiff::civil::time((s / 3600) as i8, (s / 60 % 60) as i8, (s % 60) as i8, 0),
    );
    let offset = match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset,
        AmbiguousOffset::Gap { before, .. } | AmbiguousOffset::Fold { before, .. } => before,
    };
    let as_if_utc = TimeZone::UTC.to_timestamp(dt).unwrap().as_microsecond();
    as_if_utc - i64::from(offset.seconds()) * 1_000_000
}

/// The openings of local date `day` as UTC [start, end): its special rows if
/// it has any (none if closed), else its weekday's rows, else (no weekly rows
/// at all) the whole date.
fn openings_of(case: &Case, tz: &TimeZone, day: Date) -> Vec<(i64, i64)> {
    let rows: Vec<(TimeOfDay, TimeOfDay)> = if case.special.iter().any(|r| r.date == day) {
        case.special
            .iter()
            .filter(|r| r.date == day)
            .filter_map(|r| r.hours)
            .collect()
    } else if case.hours.is_empty() {
        vec![(TimeOfDay::MIDNIGHT, TimeOfDay::END_OF_DAY)]
    } else {
        let weekday = day.weekday().to_monday_zero_offset() as usize;
        case.hours
            .iter()
            .filter(|r| r.day.index() == weekday)
            .map(|r| (r.start, r.end))
            .collect()
    };
    let next = day.tomorrow().unwrap();
    rows.into_iter()
        .map(|(start, end)| {
            let from = to_utc(tz, day, start);
            let to = if end == TimeOfDay::END_OF_DAY {
                to_utc(tz, next, TimeOfDay::MIDNIGHT)
            } else if end == start {
                // Around the clock: the same wall-clock time the next date.
                to_utc(tz, next, start)
            } else if end < start {
                to_utc(tz, next, end)
            } else {
                to_utc(tz, day, end)
            };
            (from, to)
        })
        .collect()
}

/// Open-ness instant by instant, with no merged interval list: an opening of
/// local date D covers t when start ≤ t < end, and only D = date(t) − 2 …
/// date(t) can (an opening ends at most ~25 h after its date's start).
struct Hours<'a> {
    case: &'a Case,
    tz: TimeZone,
    by_date: BTreeMap<Date, Vec<(i64, i64)>>,
}

impl Hours<'_> {
    fn new(case: &Case) -> Hours<'_> {
        Hours {
            case,
            tz: TimeZone::get(case.zone).unwrap(),
            by_date: BTreeMap::new(),
        }
    }

    fn is_open(&mut self, t: i64) -> bool {
        let today = self
            .tz
            .to_datetime(Timestamp::from_microsecond(t).unwrap())
            .date();
        (0..3).any(|back| {
            let day = today - jiff::Span::new().days(back);
            let (case, tz) = (self.case, &self.tz);
            self.by_date
                .entry(day)
                .or_insert_with(|| openings_of(case, tz, day))
                .iter()
                .any(|&(start, end)| start <= t && t < end)
        })
    }
}

/// An incident as the reference sees it, in µs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RefIncident {
    start: i64,
    end: i64,
    downtime: i64,
    ongoing: bool,
    inactive_polls: u32,
}

/// The runs (maximal stretches of consecutive inactive candidates), as
/// (first, last) candidate, and the run of each candidate, if inactive.
struct Runs {
    run_of: Vec<Option<usize>>,
    runs: Vec<(usize, usize)>,
}

impl Runs {
    fn of(candidates: &[&Poll]) -> Runs {
        let mut run_of = vec![None; candidates.len()];
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for (i, p) in candidates.iter().enumerate() {
            if p.status == Status::Inactive {
                if i > 0 && run_of[i - 1].is_some() {
                    runs.last_mut().unwrap().1 = i;
                } else {
                    runs.push((i, i));
                }
                run_of[i] = Some(runs.len() - 1);
            }
        }
        Runs { run_of, runs }
    }
}

/// A slot of `run` (if the slot's nearest candidate is in one): the run's
/// first open slot, the end of its last, and its downtime.
fn count_run_slot(run_time: &mut [Option<(i64, i64, i64)>], run: Option<usize>, slot: i64) {
    if let Some(r) = run {
        let t = run_time[r].get_or_insert((slot, slot + SLOT, 0));
        t.1 = slot + SLOT;
        t.2 += SLOT;
    }
}

/// The incidents of `runs` whose (first open slot, end, downtime) is known:
/// those with downtime; `candidates` of them in all.
fn ref_incidents(
    runs: &[(usize, usize)],
    run_time: &[Option<(i64, i64, i64)>],
    candidates: usize,
) -> Vec<RefIncident> {
    runs.iter()
        .zip(run_time)
        .filter_map(|(&(first, last), time)| {
            let (start, end, downtime) = (*time)?;
            Some(RefIncident {
                start,
                end,
                downtime,
                ongoing: last + 1 == candidates,
                inactive_polls: u32::try_from(last - first + 1).unwrap(),
            })
        })
        .collect()
}

#[derive(Debug, PartialEq, Eq)]
struct Reference {
    /// (up, down) in µs for hour, day, week.
    figures: [(i64, i64); 3],
    open: i64,
    polls: u32,
    incidents: Vec<RefIncident>,
    /// The status at T (SPEC section 7, step 1).
    live: LiveStatus,
}

fn reference(case: &Case) -> Reference {
    let mut hours = Hours::new(case);
    let week_start = case.as_of - 7 * DAY;
    let candidates: Vec<&Poll> = case
        .polls
        .iter()
        .filter(|p| p.ts >= week_start && p.ts <= case.as_of)
        .filter(|p| hours.is_open(p.ts))
        .collect();
    let Runs { run_of, runs } = Runs::of(&candidates);
    // Per run: first open slot, last open slot end, downtime.
    let mut run_time: Vec<Option<(i64, i64, i64)>> = vec![None; runs.len()];
    let mut figures = [(0, 0); 3];
    let mut open = 0;
    let starts = [case.as_of - 60 * MIN, case.as_of - DAY, week_start];
    let mut slot = week_start;
    while slot < case.as_of {
        let mid = slot + SLOT / 2;
        if hours.is_open(mid) {
            open += SLOT;
            // Midpoints sit on 15 s past a 30 s multiple, boundaries on 30 s
            // multiples: never a tie.
            if let Some((i, nearest)) = candidates
                .iter()
                .enumerate()
                .min_by_key(|(_, p)| (p.ts - mid).abs())
            {
                for (w, start) in starts.iter().enumerate() {
                    if slot >= *start {
                        if nearest.status == Status::Active {
                            figures[w].0 += SLOT;
                        } else {
                            figures[w].1 += SLOT;
                        }
                    }
                }
                count_run_slot(&mut run_time, run_of[i], slot);
            }
        }
        slot += SLOT;
    }
    let incidents = ref_incidents(&runs, &run_time, candidates.len());
    // Outside hours when T is not open; else by the candidate nearest T
    // (the latest; of two at the same instant, the later in the file).
    let nearest = candidates.iter().rev().max_by_key(|p| p.ts);
    let live = match (hours.is_open(case.as_of), nearest) {
        (false, _) => LiveStatus::OutsideHours,
        (true, None) => LiveStatus::NoObservation,
        (true, Some(p)) if p.status == Status::Active => LiveStatus::Online,
        (true, Some(_)) => LiveStatus::Offline,
    };
    Reference {
        figures,
        open,
        polls: u32::try_from(candidates.len()).unwrap(),
        incidents,
        live,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn engine_agrees_with_brute_force(case in case()) {
        let want = reference(&case);
        let input = ReportInput {
            as_of: Some(case.as_of),
            stores: vec![StoreInput {
                store_id: "s".into(),
                timezone: Some(case.zone.to_string()),
                hours: case.hours.clone(),
                special: case.special.clone(),
                polls: case.polls.clone(),
            }],
        };
        let report = compute(input).unwrap();
        let row = &report.rows[0];
        // Half-microseconds: the reference's µs doubled, exactly.
        let f = row.figures;
        let got: Vec<(i64, i64)> = [f.hour, f.day, f.week].iter().map(|t| (t.up, t.down)).collect();
        let doubled: Vec<(i64, i64)> = want.figures.iter().map(|&(u, d)| (2 * u, 2 * d)).collect();
        prop_assert_eq!(got, doubled);
        let longest = want.incidents.iter().map(|i| i.downtime).max().unwrap_or(0);
        prop_assert_eq!(
            row.extended,
            Extended {
                open: want.open,
                polls: want.polls,
                incidents: u32::try_from(want.incidents.len()).unwrap(),
                longest_incident: 2 * longest,
            }
        );

        let tz = TimeZone::get(case.zone).unwrap();
        let analysis = analyze(&case.hours, &case.special, &case.polls, &tz, case.as_of).unwrap();
        prop_assert_eq!(analysis.extended, row.extended);
        prop_assert_eq!(live_status(&analysis, case.as_of), want.live);
        // The alerts read only the last day of polls when that is enough:
        // whatever it settles is the week's, since and downtime included
        // for an alerted store, the status for any.
        let week_live = live(&analysis, case.as_of);
        let from = case.as_of - 86_400_000_000;
        let day_polls: Vec<_> = case.polls.iter().filter(|p| p.ts >= from).cloned().collect();
        let day =
            analyze_within(&case.hours, &case.special, &day_polls, &tz, from, case.as_of).unwrap();
        if let Some(settled) = live_within(&day, case.as_of, true) {
            prop_assert_eq!(settled, week_live);
        }
        if let Some(settled) = live_within(&day, case.as_of, false) {
            prop_assert_eq!(settled.status, week_live.status);
            if settled.status == LiveStatus::Offline {
                prop_assert_eq!(settled, week_live);
            }
        }
        // A store page's bands, summed over each window, are the report's figures.
        let week = Window::Week.ending_at(case.as_of);
        let bands = segments(&analysis.open, &analysis.candidates, week);
        for w in Window::ALL {
            prop_assert_eq!(tally_of(&bands, w.ending_at(case.as_of)), row.figures.get(w));
        }
        // In half-microseconds, like the figures.
        let got: Vec<RefIncident> = analysis
            .incidents
            .iter()
            .map(|i| RefIncident {
                start: i.start,
                end: i.end,
                downtime: i.downtime,
                ongoing: i.ongoing,
                inactive_polls: i.inactive_polls,
            })
            .collect();
        let doubled: Vec<RefIncident> = want
            .incidents
            .iter()
            .map(|i| RefIncident {
                start: 2 * i.start,
                end: 2 * i.end,
                downtime: 2 * i.downtime,
                ..*i
            })
            .collect();
        prop_assert_eq!(got, doubled);
    }

    /// A report built from batches of stores, in any order and cut, is the
    /// report computed from all of them at once (a backend hands a report's
    /// stores over in batches as it reads them).
    #[test]
    fn a_report_built_in_batches_is_the_report_computed_whole(
        cases in prop::collection::vec(case(), 1..8),
        order in any::<prop::sample::Index>(),
        cuts in prop::collection::vec(1usize..4, 1..8),
    ) {
        let as_of = cases[0].as_of;
        let stores: Vec<StoreInput> = cases
            .iter()
            .enumerate()
            .map(|(i, case)| StoreInput {
                store_id: format!("s{i}"),
                timezone: Some(case.zone.to_string()),
                hours: case.hours.clone(),
                special: case.special.clone(),
                polls: case.polls.clone(),
            })
            .collect();
        let whole = compute(ReportInput { as_of: Some(as_of), stores: stores.clone() }).unwrap();

        let mut shuffled = stores;
        let turn = order.index(shuffled.len());
        shuffled.rotate_left(turn);
        shuffled.reverse();
        let mut built = ReportBuilder::new(as_of);
        let mut cut = cuts.iter().cycle();
        while !shuffled.is_empty() {
            let n = (*cut.next().unwrap()).min(shuffled.len());
            built.add(shuffled.drain(..n).collect()).unwrap();
        }
        prop_assert_eq!(
            to_csv_string(&built.finish(), Columns::Extended),
            to_csv_string(&whole, Columns::Extended)
        );
    }
}

/// A period case: a store as above, and a period [T − length, T) of one
/// hour to 40 days, with polls and special dates spread over it.
#[derive(Debug, Clone)]
struct PeriodCase {
    store: Case,
    length: i64,
}

fn period_case() -> impl Strategy<Value = PeriodCase> {
    let length = prop_oneof![60i64..1440, 1440i64..(7 * 1440), (7 * 1440i64)..(40 * 1440)];
    (
        case(),
        length,
        proptest::collection::vec((0i64..(42 * 1440), any::<bool>()), 0..60),
    )
        .prop_map(|(mut store, length, more)| {
            // Spread more polls over the period and a day either side.
            for (m, active) in more {
                let ts = store.as_of - length * MIN - DAY + m * MIN;
                if ts <= store.as_of + DAY {
                    store.polls.push(Poll {
                        ts,
                        status: Status::from_active(active),
                    });
                }
            }
            store.polls.sort_by_key(|p| p.ts);
            store.polls.dedup_by_key(|p| p.ts);
            PeriodCase {
                store,
                length: length * MIN,
            }
        })
}

/// One local date of the reference, in µs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct RefDay {
    open: i64,
    up: i64,
    down: i64,
    polls: u32,
    incidents: u32,
}

/// The reference's dates, hours of the day (open, up, down) and incidents.
type PeriodReference = (
    BTreeMap<Date, RefDay>,
    [(i64, i64, i64); 24],
    Vec<RefIncident>,
);

/// The period slot by slot: each open 30 s slot takes the nearest
/// candidate's status and the local date and hour its wall clock shows.
fn period_reference(case: &PeriodCase) -> PeriodReference {
    let c = &case.store;
    let (from, to) = (c.as_of - case.length, c.as_of);
    let mut hours = Hours::new(c);
    let tz = TimeZone::get(c.zone).unwrap();
    let local = |t: i64| tz.to_datetime(Timestamp::from_microsecond(t).unwrap());
    let candidates: Vec<&Poll> = c
        .polls
        .iter()
        .filter(|p| p.ts >= from && p.ts <= to)
        .filter(|p| hours.is_open(p.ts))
        .collect();
    let mut days: BTreeMap<Date, RefDay> = BTreeMap::new();
    // Every local date that meets [from, to), with or without open time.
    let mut d = local(from).date();
    while d <= local(to - 1).date() {
        days.insert(d, RefDay::default());
        d = d.tomorrow().unwrap();
    }
    for p in &candidates {
        let date = local(p.ts.min(to - 1)).date();
        days.get_mut(&date).unwrap().polls += 1;
    }
    let mut by_hour = [(0i64, 0i64, 0i64); 24];
    let Runs { run_of, runs } = Runs::of(&candidates);
    let mut run_time: Vec<Option<(i64, i64, i64)>> = vec![None; runs.len()];
    let mut slot = from;
    while slot < to {
        let mid = slot + SLOT / 2;
        if hours.is_open(mid) {
            let at = local(mid);
            let (day, hour) = (days.get_mut(&at.date()).unwrap(), at.hour() as usize);
            day.open += SLOT;
            by_hour[hour].0 += SLOT;
            if let Some((i, nearest)) = candidates
                .iter()
                .enumerate()
                .min_by_key(|(_, p)| (p.ts - mid).abs())
            {
                if nearest.status == Status::Active {
                    day.up += SLOT;
                    by_hour[hour].1 += SLOT;
                } else {
                    day.down += SLOT;
                    by_hour[hour].2 += SLOT;
                }
                count_run_slot(&mut run_time, run_of[i], slot);
            }
        }
        slot += SLOT;
    }
    let incidents = ref_incidents(&runs, &run_time, candidates.len());
    for i in &incidents {
        days.get_mut(&local(i.start).date()).unwrap().incidents += 1;
    }
    (days, by_hour, incidents)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// SPEC section 6 against the slot-by-slot reference, to the
    /// microsecond: every local date, every hour of the day, every
    /// incident; the dates and the hours each add up to the period; and a
    /// 7-day period is the week's figures.
    #[test]
    fn periods_agree_with_brute_force(case in period_case()) {
        use storewatch_core::report::{LocalClock, Period, analyze_period};
        let c = &case.store;
        let tz = TimeZone::get(c.zone).unwrap();
        let period = Period::new(c.as_of - case.length, c.as_of).unwrap();
        let clock = LocalClock::new(&tz, period).unwrap();
        let got = analyze_period(&c.hours, &c.special, &c.polls, &tz, &clock, period).unwrap();
        let (days, by_hour, incidents) = period_reference(&case);

        let dates: Vec<Date> = clock.dates().collect();
        prop_assert_eq!(&dates, &days.keys().copied().collect::<Vec<_>>());
        for (d, want) in got.days.iter().zip(days.values()) {
            prop_assert_eq!(
                (d.times.open, d.times.up, d.times.down, d.polls, d.incidents),
                (2 * want.open, 2 * want.up, 2 * want.down, want.polls, want.incidents)
            );
        }
        for (h, want) in got.hours.iter().zip(&by_hour) {
            prop_assert_eq!((h.open, h.up, h.down), (2 * want.0, 2 * want.1, 2 * want.2));
        }
        let got_incidents: Vec<RefIncident> = got.incidents.iter().map(|i| RefIncident {
            start: i.start, end: i.end, downtime: i.downtime, ongoing: i.ongoing, inactive_polls: i.inactive_polls,
        }).collect();
        let want_incidents: Vec<RefIncident> = incidents.iter().map(|i| RefIncident {
            start: 2 * i.start, end: 2 * i.end, downtime: 2 * i.downtime, ..*i
        }).collect();
        prop_assert_eq!(got_incidents, want_incidents);
        // The dates, and the hours, add up to the period.
        let sum_days = got.days.iter().fold((0, 0, 0), |s, d| (s.0 + d.times.open, s.1 + d.times.up, s.2 + d.times.down));
        let sum_hours = got.hours.iter().fold((0, 0, 0), |s, h| (s.0 + h.open, s.1 + h.up, s.2 + h.down));
        let total = (got.total.open, got.total.up, got.total.down);
        prop_assert_eq!(sum_days, total);
        prop_assert_eq!(sum_hours, total);
        prop_assert_eq!(got.polls, got.days.iter().map(|d| d.polls).sum::<u32>());

        // Seven days: the week.
        let week = Period::days_before(c.as_of, 7).unwrap();
        let week_clock = LocalClock::new(&tz, week).unwrap();
        let seven = analyze_period(&c.hours, &c.special, &c.polls, &tz, &week_clock, week).unwrap();
        let a = analyze(&c.hours, &c.special, &c.polls, &tz, c.as_of).unwrap();
        prop_assert_eq!(
            (seven.total.open, seven.total.up, seven.total.down, seven.polls),
            (2 * a.extended.open, a.figures.week.up, a.figures.week.down, a.extended.polls)
        );
        prop_assert_eq!(seven.longest_incident(), a.extended.longest_incident);
        prop_assert_eq!(u32::try_from(seven.incidents.len()).unwrap(), a.extended.incidents);
    }
}
