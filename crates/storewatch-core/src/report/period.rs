//! Periods (SPEC section 6): a store's open time, up and down time, polls and
//! incidents over any stretch [F, T) of at most 366 days, in total, per local
//! date and per hour of the day. The same steps as the week of section 3
//! (open time, candidates, nearest-candidate interpolation, incidents: the
//! functions of `schedule`, `interpolate` and `incidents`), over [F, T)
//! instead of the week; a 7-day period gives the week figures.
//!
//! The local date and hour of an instant are those a wall clock in the
//! store's zone shows ([`LocalClock`]): a night shift 22:00–02:00 gives two
//! hours to each of two dates, the repeated hour of a fall-back night counts
//! twice for its hour of the day, the skipped one of a spring-forward night
//! not at all.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::domain::{HoursRow, MICROS_PER_HOUR, MICROS_PER_SECOND, Micros, Poll, SpecialHoursRow};

use super::error::{MAX_PERIOD_DAYS, PeriodError, ReportError};
use super::incidents::{Incident, incidents};
use super::input::{StoreInput, add_zones};
use super::interpolate::{HalfMicros, candidates, coloured};
use super::schedule::{Interval, Schedule};

/// The period when none is given, in days.
pub const DEFAULT_PERIOD_DAYS: i64 = 28;

const DAY: Micros = 24 * MICROS_PER_HOUR;

/// A period `[from, to)`: `to` is the report time T.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub from: Micros,
    pub to: Micros,
}

impl Period {
    /// `[from, to)`, checked: not empty, at most [`MAX_PERIOD_DAYS`] long.
    pub fn new(from: Micros, to: Micros) -> Result<Period, PeriodError> {
        if from >= to {
            return Err(PeriodError::Empty);
        }
        if to - from > MAX_PERIOD_DAYS * DAY {
            return Err(PeriodError::TooLong);
        }
        Ok(Period { from, to })
    }

    /// The `days` × 24 hours (elapsed) before `to`.
    pub fn days_before(to: Micros, days: i64) -> Result<Period, PeriodError> {
        if !(1..=MAX_PERIOD_DAYS).contains(&days) {
            return Err(PeriodError::Days);
        }
        Period::new(to - days * DAY, to)
    }

    pub fn interval(&self) -> Interval {
        Interval::new(self.from, self.to)
    }
}

/// How a period is asked for: a number of days before T, or a start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodSpec {
    Days(i64),
    From(Micros),
}

impl Default for PeriodSpec {
    fn default() -> PeriodSpec {
        PeriodSpec::Days(DEFAULT_PERIOD_DAYS)
    }
}

impl PeriodSpec {
    /// The week of section 3: what a week report reads.
    pub const WEEK: PeriodSpec = PeriodSpec::Days(7);

    /// The period this spec names before the report time `to`.
    pub fn ending_at(self, to: Micros) -> Result<Period, PeriodError> {
        match self {
            PeriodSpec::Days(days) => Period::days_before(to, days),
            PeriodSpec::From(from) => Period::new(from, to),
        }
    }

    /// Where the data a period needs starts, before the report time `to` is
    /// checked against it (a read of polls from here to `to`).
    pub fn start_before(self, to: Micros) -> Micros {
        match self {
            PeriodSpec::Days(days) => to - days.clamp(1, MAX_PERIOD_DAYS) * DAY,
            PeriodSpec::From(from) => from.min(to),
        }
    }
}

/// The wall clock of one zone over a period: the stretches of the period
/// during which it shows one local date and hour. Worked out once per zone
/// and period, and shared by the zone's stores.
#[derive(Debug, Clone)]
pub struct LocalClock {
    /// Where each stretch starts, ascending; the first is the period's start.
    starts: Vec<Micros>,
    /// Each stretch's local date, as an index from `first_date`.
    dates: Vec<u32>,
    /// Each stretch's hour of the day.
    hours: Vec<u8>,
    first_date: Date,
    /// How many local dates meet the period.
    date_count: u32,
}

impl LocalClock {
    /// `None` when the zone database cannot place a time of the period.
    pub fn new(tz: &TimeZone, period: Period) -> Option<LocalClock> {
        let local = |t: Micros| {
            let ts = Timestamp::from_microsecond(t).ok()?;
            Some((ts, tz.to_datetime(ts)))
        };
        let first_date = local(period.from)?.1.date();
        let mut clock = LocalClock {
            starts: Vec::new(),
            dates: Vec::new(),
            hours: Vec::new(),
            first_date,
            date_count: 0,
        };
        let mut t = period.from;
        while t < period.to {
            let (ts, local_time) = local(t)?;
            let time = local_time.time();
            let into_hour = (i64::from(time.minute()) * 60 + i64::from(time.second()))
                * MICROS_PER_SECOND
                + i64::from(time.subsec_nanosecond()) / 1000;
            // The next hour on the wall clock, or an offset change before it
            // (a DST change, or a zone whose offset is not whole hours).
            let mut next = t - into_hour + MICROS_PER_HOUR;
            if let Some(change) = tz.following(ts).next() {
                let at = change.timestamp().as_microsecond();
                if at > t && at < next {
                    next = at;
                }
            }
            let date = u32::try_from(first_date.until(local_time.date()).ok()?.get_days()).ok()?;
            clock.starts.push(t);
            clock.dates.push(date);
            clock.hours.push(time.hour().try_into().ok()?);
            clock.date_count = date + 1;
            t = next;
        }
        Some(clock)
    }

    /// The local dates that meet the period, in order.
    pub fn dates(&self) -> impl Iterator<Item = Date> + '_ {
        (0..self.date_count)
            .filter_map(|i| self.first_date.checked_add(jiff::Span::new().days(i)).ok())
    }

    pub fn date_count(&self) -> usize {
        self.date_count as usize
    }

    /// The stretch holding the instant at `half` half-microseconds.
    fn locate(&self, half: HalfMicros) -> usize {
        self.starts
            .partition_point(|&s| 2 * s <= half)
            .saturating_sub(1)
    }

    /// Calls `each(stretch, length)` for the parts of `[a, b)` (in
    /// half-microseconds, inside the period) in each stretch.
    fn split(&self, a: HalfMicros, b: HalfMicros, mut each: impl FnMut(usize, HalfMicros)) {
        let mut i = self.locate(a);
        let mut at = a;
        while at < b {
            let end = self.starts.get(i + 1).map_or(b, |&s| (2 * s).min(b));
            if end > at {
                each(i, end - at);
            }
            at = end;
            i += 1;
        }
    }
}

/// A zone and its wall clock over a period.
#[derive(Debug, Clone)]
pub struct PeriodZone {
    pub tz: TimeZone,
    pub clock: LocalClock,
}

/// The zones of a period report's stores, each looked up and its wall clock
/// worked out once (`""` stands for the default zone).
#[derive(Debug, Clone)]
pub struct PeriodZones {
    period: Period,
    zones: HashMap<String, PeriodZone>,
}

impl PeriodZones {
    pub fn new(period: Period) -> PeriodZones {
        PeriodZones {
            period,
            zones: HashMap::new(),
        }
    }

    pub fn period(&self) -> Period {
        self.period
    }

    /// Adds the zones of `stores` not met yet.
    pub fn add(&mut self, stores: &[StoreInput]) -> Result<(), ReportError> {
        let mut names = HashMap::new();
        add_zones(&mut names, stores)?;
        for (name, tz) in names {
            if self.zones.contains_key(&name) {
                continue;
            }
            let clock = LocalClock::new(&tz, self.period).ok_or_else(|| ReportError::Zone {
                store_id: String::new(),
                reason: format!("the time zone {name:?} cannot be placed over the period"),
            })?;
            self.zones.insert(name, PeriodZone { tz, clock });
        }
        Ok(())
    }

    /// The zone of `store` (added before).
    pub fn of(&self, store: &StoreInput) -> &PeriodZone {
        &self.zones[store.timezone.as_deref().unwrap_or("")]
    }

    /// [`analyze_period`] of `store` (its zone added before; its polls
    /// sorted in place), or why it cannot be.
    pub fn analyze(&self, store: &mut StoreInput) -> Result<StorePeriod, ReportError> {
        let zone = self.of(store);
        store.polls.sort_unstable_by_key(|p| p.ts);
        analyze_period(
            &store.hours,
            &store.special,
            &store.polls,
            &zone.tz,
            &zone.clock,
            self.period,
        )
        .ok_or_else(|| ReportError::OutOfRange {
            store_id: store.store_id.clone(),
            reason: "its business hours cannot be placed in time over the period".into(),
        })
    }
}

/// Open, up and down time, in half-microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Times {
    pub open: HalfMicros,
    pub up: HalfMicros,
    pub down: HalfMicros,
}

impl Times {
    pub fn add(&mut self, other: &Times) {
        self.open += other.open;
        self.up += other.up;
        self.down += other.down;
    }
}

/// One local date of a store's period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayFigures {
    pub times: Times,
    /// Candidate polls on this date.
    pub polls: u32,
    /// Incidents whose downtime starts on this date.
    pub incidents: u32,
}

/// Everything a period report says of one store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StorePeriod {
    pub total: Times,
    pub polls: u32,
    pub incidents: Vec<Incident>,
    /// The local dates meeting the period, in order (see [`LocalClock::dates`]).
    pub days: Vec<DayFigures>,
    /// By hour of the day, 0 to 23.
    pub hours: [Times; 24],
}

impl StorePeriod {
    /// The largest downtime of one incident in the period.
    pub fn longest_incident(&self) -> HalfMicros {
        self.incidents.iter().map(|i| i.downtime).max().unwrap_or(0)
    }
}

/// Analyses one store over `period`. `polls` must be sorted by time; `clock`
/// is its zone's over the same period. `None` when its business hours cannot
/// be placed in time.
pub fn analyze_period(
    hours: &[HoursRow],
    special: &[SpecialHoursRow],
    polls: &[Poll],
    tz: &TimeZone,
    clock: &LocalClock,
    period: Period,
) -> Option<StorePeriod> {
    let window = period.interval();
    let open = Schedule::new(hours, special).open_intervals(tz, period.from, period.to)?;
    let candidates = candidates(&open, polls, period.from, period.to);
    let mut out = StorePeriod {
        days: vec![DayFigures::default(); clock.date_count()],
        ..StorePeriod::default()
    };
    for iv in &open {
        let part = iv.intersect(&window);
        if part.is_empty() {
            continue;
        }
        clock.split(2 * part.start, 2 * part.end, |i, len| {
            out.days[clock.dates[i] as usize].times.open += len;
            out.hours[usize::from(clock.hours[i])].open += len;
        });
    }
    coloured(&open, &candidates, window, |from, to, up| {
        clock.split(from, to, |i, len| {
            let (day, hour) = (
                &mut out.days[clock.dates[i] as usize].times,
                &mut out.hours[usize::from(clock.hours[i])],
            );
            if up {
                day.up += len;
                hour.up += len;
            } else {
                day.down += len;
                hour.down += len;
            }
        });
    });
    // A poll exactly at T belongs to T's date, which may be past the last
    // date meeting [F, T): it counts in the total and on the last date.
    for poll in &candidates {
        let i = clock.dates[clock.locate(2 * poll.ts.min(period.to - 1))] as usize;
        out.days[i].polls += 1;
    }
    out.polls = u32::try_from(candidates.len()).unwrap_or(u32::MAX);
    out.incidents = incidents(&open, &candidates, window);
    for incident in &out.incidents {
        let i = clock.dates[clock.locate(incident.start)] as usize;
        out.days[i].incidents += 1;
    }
    for day in &out.days {
        out.total.add(&day.times);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_timestamp;

    fn ts(s: &str) -> Micros {
        parse_timestamp(s).unwrap()
    }

    #[test]
    fn a_clock_has_a_stretch_per_wall_clock_hour_dst_included() {
        let ny = TimeZone::get("America/New_York").unwrap();
        // The fall-back night: 01:00–02:00 twice.
        let p = Period::new(ts("2024-11-03 04:00:00"), ts("2024-11-03 08:00:00")).unwrap();
        let c = LocalClock::new(&ny, p).unwrap();
        assert_eq!(c.hours, [0, 1, 1, 2]);
        assert_eq!(c.dates, [0, 0, 0, 0]);
        // Spring forward: 02:00 does not exist.
        let p = Period::new(ts("2024-03-10 05:00:00"), ts("2024-03-10 08:00:00")).unwrap();
        let c = LocalClock::new(&ny, p).unwrap();
        assert_eq!(c.hours, [0, 1, 3]);
        // A half-hour zone: hours start at :30 UTC; a period starting mid-hour.
        let kolkata = TimeZone::get("Asia/Kolkata").unwrap();
        let p = Period::new(ts("2023-01-23 18:00:00"), ts("2023-01-23 19:30:00")).unwrap();
        let c = LocalClock::new(&kolkata, p).unwrap();
        assert_eq!(
            c.starts,
            [ts("2023-01-23 18:00:00"), ts("2023-01-23 18:30:00")]
        );
        assert_eq!(
            (c.hours.clone(), c.dates.clone()),
            (vec![23, 0], vec![0, 1])
        );
        assert_eq!(c.date_count(), 2);
    }

    #[test]
    fn periods_are_checked() {
        let t = ts("2023-01-23 18:00:00");
        assert_eq!(Period::new(t, t), Err(PeriodError::Empty));
        assert!(Period::days_before(t, 366).is_ok());
        assert_eq!(Period::days_before(t, 367), Err(PeriodError::Days));
        assert_eq!(Period::days_before(t, 0), Err(PeriodError::Days));
        assert_eq!(Period::new(t - 366 * DAY - 1, t), Err(PeriodError::TooLong));
    }
}
