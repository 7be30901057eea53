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

use crate::domain::{HoursRow, MICROS_PER_HOUR, Micros, TimeOfDay, Weekday};

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

/// A store's weekly business hours, grouped by weekday.
#[derive(Debug, Clone, Default)]
pub struct WeeklyHours {
    /// `None` when the store has no rows at all: open 24×7.
    by_day: Option<[Vec<(TimeOfDay, TimeOfDay)>; 7]>,
}

impl WeeklyHours {
    pub fn always_open() -> WeeklyHours {
        WeeklyHours { by_day: None }
    }

    /// The store's rows; no rows means open 24×7, and a weekday without a row
    /// is closed.
    pub fn from_rows(rows: &[HoursRow]) -> WeeklyHours {
        if rows.is_empty() {
            return WeeklyHours::always_open();
        }
        let mut by_day: [Vec<(TimeOfDay, TimeOfDay)>; 7] = Default::default();
        for row in rows {
            by_day[row.day.index()].push((row.start, row.end));
        }
        WeeklyHours {
            by_day: Some(by_day),
        }
    }

    pub fn is_always_open(&self) -> bool {
        self.by_day.is_none()
    }

    /// The union of the store's open intervals that touch `[from, to)`, sorted,
    /// merged and *not* clipped (a poll exactly at `to` must still be able to
    /// fall inside one).
    pub fn open_intervals(&self, tz: &TimeZone, from: Micros, to: Micros) -> Vec<Interval> {
        let Some(by_day) = &self.by_day else {
            return vec![Interval::new(from, to.saturating_add(1))];
        };
        // A row anchored before `from`'s date may still be open at `from`:
        // an overnight shift from the day before, or a 24-hour row from two
        // days before that crosses a spring-forward night. Start two dates early.
        let first = local_date(tz, from)
            .yesterday()
            .and_then(|d| d.yesterday())
            .expect("dates near now have a day before yesterday");
        let last = local_date(tz, to);
        let mut out = Vec::new();
        let mut day = first;
        while day <= last {
            for &(start, end) in &by_day[Weekday::from_jiff(day.weekday()).index()] {
                let interval = row_interval(tz, day, start, end);
                if !interval.is_empty() && interval.end > from && interval.start <= to {
                    out.push(interval);
                }
            }
            day = day.tomorrow().expect("dates near now have a tomorrow");
        }
        merge(out)
    }
}

/// The UTC interval of one business-hours row anchored on local date `day`.
pub fn row_interval(tz: &TimeZone, day: Date, start: TimeOfDay, end: TimeOfDay) -> Interval {
    let next = day.tomorrow().expect("dates near now have a tomorrow");
    let opens = to_utc(tz, day, start);
    let closes = if end == TimeOfDay::END_OF_DAY {
        to_utc(tz, next, TimeOfDay::MIDNIGHT)
    } else if end < start {
        // Overnight: closes at `end` on the next day.
        to_utc(tz, next, end)
    } else if end == start {
        // SPEC: "end = start means 24 hours from start" — a duration, so on
        // a DST day this is not the same wall-clock time the next day.
        opens + 24 * MICROS_PER_HOUR
    } else {
        to_utc(tz, day, end)
    };
    Interval::new(opens, closes)
}

/// Local wall-clock time → UTC. A time in a spring-forward gap moves forward by
/// the gap (02:30 → 03:30); one in a fall-back fold takes the earlier instant.
/// That is jiff's "compatible" disambiguation, which `to_timestamp` applies.
fn to_utc(tz: &TimeZone, day: Date, time: TimeOfDay) -> Micros {
    let (h, m, s) = time.hms();
    let dt: DateTime = day.at(h, m, s, 0);
    tz.to_timestamp(dt)
        .expect("dates near now are in range")
        .as_microsecond()
}

fn local_date(tz: &TimeZone, t: Micros) -> Date {
    let ts = Timestamp::from_microsecond(t).expect("report times are in range");
    tz.to_datetime(ts).date()
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
        let got = row_interval(
            &tz("America/Chicago"),
            jiff::civil::date(2023, 1, 23),
            tod("09:00"),
            end("12:00"),
        );
        assert_eq!(got, iv("2023-01-23T15:00:00Z", "2023-01-23T18:00:00Z"));
    }

    #[test]
    fn an_overnight_row_ends_on_the_next_day() {
        let got = row_interval(
            &tz("America/New_York"),
            jiff::civil::date(2023, 1, 20),
            tod("22:00"),
            end("02:00"),
        );
        assert_eq!(got, iv("2023-01-21T03:00:00Z", "2023-01-21T07:00:00Z"));
    }

    #[test]
    fn start_equal_to_end_is_24_hours() {
        let got = row_interval(
            &tz("UTC"),
            jiff::civil::date(2023, 1, 20),
            tod("10:00"),
            end("10:00"),
        );
        assert_eq!(got, iv("2023-01-20T10:00:00Z", "2023-01-21T10:00:00Z"));
    }

    #[test]
    fn end_23_59_59_is_midnight() {
        let got = row_interval(
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
            row_interval(&ny, d, tod("01:00"), end("04:00")).len(),
            2 * 3_600_000_000
        );
        assert_eq!(
            row_interval(&ny, d, tod("02:30"), end("05:00")),
            iv("2024-03-10T07:30:00Z", "2024-03-10T09:00:00Z")
        );
        assert_eq!(
            row_interval(&ny, d, tod("00:00"), end("23:59:59")).len(),
            23 * 3_600_000_000
        );
    }

    #[test]
    fn fall_back_day_is_longer_and_fold_times_take_the_earlier_instant() {
        let ny = tz("America/New_York");
        let d = jiff::civil::date(2024, 11, 3);
        assert_eq!(
            row_interval(&ny, d, tod("00:00"), end("03:00")).len(),
            4 * 3_600_000_000
        );
        assert_eq!(
            row_interval(&ny, d, tod("01:30"), end("02:00")),
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
        let hours = WeeklyHours::from_rows(&rows);
        // A whole week in Chicago: exactly one Monday morning.
        let got = hours.open_intervals(
            &tz("America/Chicago"),
            t("2023-01-17T00:00:00Z"),
            t("2023-01-24T00:00:00Z"),
        );
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
        let got = WeeklyHours::from_rows(&rows).open_intervals(
            &tz("UTC"),
            t("2023-01-23T00:00:00Z"),
            t("2023-01-24T00:00:00Z"),
        );
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
        let got = WeeklyHours::from_rows(&rows).open_intervals(
            &tz("UTC"),
            t("2023-01-23T00:00:00Z"),
            t("2023-01-23T12:00:00Z"),
        );
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
