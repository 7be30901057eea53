//! Business hours → UTC open intervals (SPEC section 3, step 2).
//!
//! Each row is anchored on a *local date*: it opens at the wall-clock `start`
//! on that date and closes at the wall-clock `end` on that date, or on the next
//! date for an overnight shift. Both ends go through the store's zone
//! separately, so a shift on a DST day is as long as the clocks say, not
//! "local midnight plus a duration".

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

use crate::domain::{HoursRow, Micros, SpecialHoursRow, TimeOfDay, Weekday};

/// A half-open UTC interval `[start, end)` in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    pub start: Micros,
    pub end: Micros,
}

impl Interval {
    pub fn new(start: Micros, end: Micros) -> Interval {
        Interval { start, end }
    }

    pub fn len(&self) -> Micros {
        (self.end - self.start).max(0)
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    pub fn contains(&self, t: Micros) -> bool {
        self.start <= t && t < self.end
    }

    pub fn intersect(&self, other: &Interval) -> Interval {
        Interval::new(self.start.max(other.start), self.end.min(other.end))
    }
}

/// One opening of a local date: from `start` to `end` wall-clock time, read
/// as SPEC section 3 step 2 says (overnight, around the clock, end of day).
pub type Opening = (TimeOfDay, TimeOfDay);

/// The whole local date, for a store with no business-hours rows.
const ALL_DAY: [Opening; 1] = [(TimeOfDay::MIDNIGHT, TimeOfDay::END_OF_DAY)];

/// A store's schedule: its weekly business hours and its special dates.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    /// `None` when the store has no weekly rows at all: open 24×7.
    weekly: Option<[Vec<Opening>; 7]>,
    /// Special dates, sorted by date; an empty list is a closed date.
    special: Vec<(Date, Vec<Opening>)>,
}

impl Schedule {
    /// No weekly rows means open 24×7, and a weekday without a row is closed;
    /// a date with special rows opens as they say instead (none: closed).
    pub fn new(hours: &[HoursRow], special: &[SpecialHoursRow]) -> Schedule {
        let weekly = (!hours.is_empty()).then(|| {
            let mut by_day: [Vec<Opening>; 7] = Default::default();
            for row in hours {
                by_day[row.day.index()].push((row.start, row.end));
            }
            by_day
        });
        let mut rows: Vec<&SpecialHoursRow> = special.iter().collect();
        rows.sort_unstable_by_key(|r| r.date);
        let mut by_date: Vec<(Date, Vec<Opening>)> = Vec::new();
        for row in rows {
            if by_date.last().is_none_or(|(d, _)| *d != row.date) {
                by_date.push((row.date, Vec::new()));
            }
            if let (Some((_, openings)), Some(hours)) = (by_date.last_mut(), row.hours) {
                openings.push(hours);
            }
        }
        Schedule {
            weekly,
            special: by_date,
        }
    }

    /// Open 24×7 with no exception: every instant is open.
    pub fn is_always_open(&self) -> bool {
        self.weekly.is_none() && self.special.is_empty()
    }

    /// Is `date` a special date (closed or with hours of its own)?
    pub fn special(&self, date: Date) -> Option<&[Opening]> {
        self.special
            .binary_search_by_key(&date, |(d, _)| *d)
            .ok()
            .map(|i| self.special[i].1.as_slice())
    }

    /// The openings of local date `date` (SPEC section 3, step 2): its special
    /// rows if it has any, else its weekday's rows, else (no weekly rows at
    /// all) the whole day.
    pub fn openings(&self, date: Date) -> &[Opening] {
        if let Some(special) = self.special(date) {
            return special;
        }
        match &self.weekly {
            Some(by_day) => &by_day[Weekday::from_jiff(date.weekday()).index()],
            None => &ALL_DAY,
        }
    }

    /// The union of the store's open intervals that touch `[from, to]`, sorted,
    /// merged and *not* clipped (a poll exactly at `to` must still be able to
    /// fall inside one).
    ///
    /// `None` when a time is beyond what the time-zone database covers
    /// (timestamps are validated to 1970–2200, far inside it).
    pub fn open_intervals(&self, tz: &TimeZone, from: Micros, to: Micros) -> Option<Vec<Interval>> {
        if self.is_always_open() {
            return Some(vec![Interval::new(from, to.saturating_add(1))]);
        }
        // An opening anchored before `from`'s date may still be open at
        // `from`: an overnight shift from the day before, or an around-the-
        // clock one (up to 25 hours) from two days before. Start two dates early.
        let first = local_date(tz, from)?.yesterday().ok()?.yesterday().ok()?;
        let last = local_date(tz, to)?;
        let mut out = Vec::new();
        let mut day = first;
        while day <= last {
            for &(start, end) in self.openings(day) {
                let interval = row_interval(tz, day, start, end)?;
                if !interval.is_empty() && interval.end > from && interval.start <= to {
                    out.push(interval);
                }
            }
            day = day.tomorrow().ok()?;
        }
        Some(merge(out))
    }
}

/// The UTC interval of one opening anchored on local date `day`.
pub fn row_interval(
    tz: &TimeZone,
    day: Date,
    start: TimeOfDay,
    end: TimeOfDay,
) -> Option<Interval> {
    let next = day.tomorrow().ok()?;
    let opens = to_utc(tz, day, start)?;
    let closes = if end == TimeOfDay::END_OF_DAY {
        to_utc(tz, next, TimeOfDay::MIDNIGHT)?
    } else if end <= start {
        // Overnight, or (end = start) around the clock: closes at the
        // wall-clock `end` on the next day. On a DST night an around-the-clock
        // opening is 23 or 25 hours long, so `05:00–05:00` every day leaves
        // neither a gap nor an overlap.
        to_utc(tz, next, end)?
    } else {
        to_utc(tz, day, end)?
    };
    Some(Interval::new(opens, closes))
}

/// Local wall-clock time → UTC. A time in a spring-forward gap moves forward by
/// the gap (02:30 → 03:30); one in a fall-back fold takes the earlier instant.
/// That is jiff's "compatible" disambiguation, which `to_timestamp` applies.
fn to_utc(tz: &TimeZone, day: Date, time: TimeOfDay) -> Option<Micros> {
    let (h, m, s) = time.hms();
    let dt: DateTime = day.at(h, m, s, 0);
    Some(tz.to_timestamp(dt).ok()?.as_microsecond())
}

fn local_date(tz: &TimeZone, t: Micros) -> Option<Date> {
    let ts = Timestamp::from_microsecond(t).ok()?;
    Some(tz.to_datetime(ts).date())
}

/// Sorts and merges overlapping or touching intervals.
pub fn merge(mut intervals: Vec<Interval>) -> Vec<Interval> {
    intervals.sort_unstable();
    let mut merged: Vec<Interval> = Vec::with_capacity(intervals.len());
    for iv in intervals {
        match merged.last_mut() {
            Some(last) if iv.start <= last.end => last.end = last.end.max(iv.end),
            _ => merged.push(iv),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_timestamp;

    fn ri(tz: &TimeZone, day: Date, start: TimeOfDay, end: TimeOfDay) -> Interval {
        row_interval(tz, day, start, end).unwrap()
    }

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn t(s: &str) -> Micros {
        parse_timestamp(s).unwrap()
    }

    fn tod(s: &str) -> TimeOfDay {
        TimeOfDay::parse(s).unwrap()
    }

    fn end(s: &str) -> TimeOfDay {
        TimeOfDay::parse_end(s).unwrap()
    }

    fn iv(a: &str, b: &str) -> Interval {
        Interval::new(t(a), t(b))
    }

    #[test]
    fn a_plain_row_converts_with_the_zone_offset() {
        let got = ri(
            &tz("America/Chicago"),
            jiff::civil::date(2023, 1, 23),
            tod("09:00"),
            end("12:00"),
        );
        assert_eq!(got, iv("2023-01-23T15:00:00Z", "2023-01-23T18:00:00Z"));
    }

    #[test]
    fn an_overnight_row_ends_on_the_next_day() {
        let got = ri(
            &tz("America/New_York"),
            jiff::civil::date(2023, 1, 20),
            tod("22:00"),
            end("02:00"),
        );
        assert_eq!(got, iv("2023-01-21T03:00:00Z", "2023-01-21T07:00:00Z"));
    }

    #[test]
    fn start_equal_to_end_is_24_hours() {
        let got = ri(
            &tz("UTC"),
            jiff::civil::date(2023, 1, 20),
            tod("10:00"),
            end("10:00"),
        );
        assert_eq!(got, iv("2023-01-20T10:00:00Z", "2023-01-21T10:00:00Z"));
    }

    #[test]
    fn start_equal_to_end_runs_to_the_same_wall_clock_time_on_a_dst_night() {
        let ny = tz("America/New_York");
        // Fall back: 05:00 EDT on Nov 2 to 05:00 EST on Nov 3 is 25 hours.
        let got = ri(
            &ny,
            jiff::civil::date(2024, 11, 2),
            tod("05:00"),
            end("05:00"),
        );
        assert_eq!(got, iv("2024-11-02T09:00:00Z", "2024-11-03T10:00:00Z"));
        // Spring forward: 23 hours.
        let got = ri(
            &ny,
            jiff::civil::date(2024, 3, 9),
            tod("05:00"),
            end("05:00"),
        );
        assert_eq!(got, iv("2024-03-09T10:00:00Z", "2024-03-10T09:00:00Z"));
    }

    fn special(date: &str, hours: Option<(&str, &str)>) -> SpecialHoursRow {
        SpecialHoursRow {
            date: date.parse().unwrap(),
            hours: hours.map(|(a, b)| (tod(a), end(b))),
        }
    }

    #[test]
    fn a_closed_special_date_has_no_openings_but_the_overnight_shift_before_it_runs_on() {
        let rows: Vec<HoursRow> = (0..7)
            .map(|d| HoursRow {
                day: Weekday::new(d).unwrap(),
                start: tod("20:00"),
                end: end("02:00"),
            })
            .collect();
        let s = Schedule::new(&rows, &[special("2023-01-21", None)]);
        let got = s
            .open_intervals(
                &tz("UTC"),
                t("2023-01-21T00:00:00Z"),
                t("2023-01-22T00:00:00Z"),
            )
            .unwrap();
        // Friday's shift runs into the closed Saturday; Saturday's never opens.
        assert_eq!(
            got,
            vec![iv("2023-01-20T20:00:00Z", "2023-01-21T02:00:00Z")]
        );
    }

    #[test]
    fn special_rows_replace_the_weekday_and_open_a_24x7_store_short() {
        let s = Schedule::new(
            &[],
            &[
                special("2023-01-22", Some(("10:00", "14:00"))),
                special("2023-01-22", Some(("18:00", "19:00"))),
            ],
        );
        assert!(!s.is_always_open());
        let got = s
            .open_intervals(
                &tz("UTC"),
                t("2023-01-21T12:00:00Z"),
                t("2023-01-23T12:00:00Z"),
            )
            .unwrap();
        assert_eq!(
            got,
            vec![
                iv("2023-01-21T00:00:00Z", "2023-01-22T00:00:00Z"),
                iv("2023-01-22T10:00:00Z", "2023-01-22T14:00:00Z"),
                iv("2023-01-22T18:00:00Z", "2023-01-22T19:00:00Z"),
                iv("2023-01-23T00:00:00Z", "2023-01-24T00:00:00Z"),
            ]
        );
    }

    #[test]
    fn end_23_59_59_is_midnight() {
        let got = ri(
            &tz("Asia/Kolkata"),
            jiff::civil::date(2023, 1, 23),
            tod("00:00"),
            end("23:59:59"),
        );
        assert_eq!(got, iv("2023-01-22T18:30:00Z", "2023-01-23T18:30:00Z"));
    }

    #[test]
    fn spring_forward_day_is_shorter_and_gap_times_move_forward() {
        let ny = tz("America/New_York");
        let d = jiff::civil::date(2024, 3, 10);
        assert_eq!(
            ri(&ny, d, tod("01:00"), end("04:00")).len(),
            2 * 3_600_000_000
        );
        assert_eq!(
            ri(&ny, d, tod("02:30"), end("05:00")),
            iv("2024-03-10T07:30:00Z", "2024-03-10T09:00:00Z")
        );
        assert_eq!(
            ri(&ny, d, tod("00:00"), end("23:59:59")).len(),
            23 * 3_600_000_000
        );
    }

    #[test]
    fn fall_back_day_is_longer_and_fold_times_take_the_earlier_instant() {
        let ny = tz("America/New_York");
        let d = jiff::civil::date(2024, 11, 3);
        assert_eq!(
            ri(&ny, d, tod("00:00"), end("03:00")).len(),
            4 * 3_600_000_000
        );
        assert_eq!(
            ri(&ny, d, tod("01:30"), end("02:00")),
            iv("2024-11-03T05:30:00Z", "2024-11-03T07:00:00Z")
        );
    }

    #[test]
    fn weekdays_without_rows_are_closed() {
        let rows = [HoursRow {
            day: Weekday::new(0).unwrap(),
            start: tod("09:00"),
            end: end("12:00"),
        }];
        let hours = Schedule::new(&rows, &[]);
        // A whole week in Chicago: exactly one Monday morning.
        let got = hours
            .open_intervals(
                &tz("America/Chicago"),
                t("2023-01-17T00:00:00Z"),
                t("2023-01-24T00:00:00Z"),
            )
            .unwrap();
        assert_eq!(
            got,
            vec![iv("2023-01-23T15:00:00Z", "2023-01-23T18:00:00Z")]
        );
    }

    #[test]
    fn split_shifts_stay_apart_and_overlaps_merge() {
        let mon = Weekday::new(0).unwrap();
        let rows = [
            HoursRow {
                day: mon,
                start: tod("11:00"),
                end: end("14:00"),
            },
            HoursRow {
                day: mon,
                start: tod("17:00"),
                end: end("21:00"),
            },
            HoursRow {
                day: mon,
                start: tod("20:00"),
                end: end("22:00"),
            },
        ];
        let got = Schedule::new(&rows, &[])
            .open_intervals(
                &tz("UTC"),
                t("2023-01-23T00:00:00Z"),
                t("2023-01-24T00:00:00Z"),
            )
            .unwrap();
        assert_eq!(
            got,
            vec![
                iv("2023-01-23T11:00:00Z", "2023-01-23T14:00:00Z"),
                iv("2023-01-23T17:00:00Z", "2023-01-23T22:00:00Z")
            ]
        );
    }

    #[test]
    fn an_overnight_shift_from_the_day_before_the_window_is_included() {
        let sun = Weekday::new(6).unwrap();
        let rows = [HoursRow {
            day: sun,
            start: tod("22:00"),
            end: end("06:00"),
        }];
        let got = Schedule::new(&rows, &[])
            .open_intervals(
                &tz("UTC"),
                t("2023-01-23T00:00:00Z"),
                t("2023-01-23T12:00:00Z"),
            )
            .unwrap();
        assert_eq!(
            got,
            vec![iv("2023-01-22T22:00:00Z", "2023-01-23T06:00:00Z")]
        );
    }

    #[test]
    fn merge_joins_touching_intervals() {
        let got = merge(vec![
            Interval::new(5, 7),
            Interval::new(0, 3),
            Interval::new(3, 4),
            Interval::new(6, 9),
        ]);
        assert_eq!(got, vec![Interval::new(0, 4), Interval::new(5, 9)]);
    }
}
