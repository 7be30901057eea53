use std::fmt;

/// A day of the week as the sources number it: 0 = Monday … 6 = Sunday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Weekday(u8);

/// A text that is not a weekday.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a weekday 0 (Monday) to 6 (Sunday)")]
pub struct WeekdayError(String);

impl std::str::FromStr for Weekday {
    type Err = WeekdayError;

    fn from_str(text: &str) -> Result<Weekday, WeekdayError> {
        // Exactly one digit: `+6`, `06` or `6.0` are typos, not Sunday.
        match text.trim().as_bytes() {
            [d @ b'0'..=b'6'] => Ok(Weekday(d - b'0')),
            _ => Err(WeekdayError(text.to_string())),
        }
    }
}

impl Weekday {
    pub fn parse(text: &str) -> Result<Weekday, WeekdayError> {
        text.parse()
    }

    pub fn new(n: u8) -> Option<Weekday> {
        (n <= 6).then_some(Weekday(n))
    }

    /// 0 = Monday … 6 = Sunday.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    pub fn from_jiff(day: jiff::civil::Weekday) -> Weekday {
        // to_monday_zero_offset is 0..=6 by construction.
        Weekday(day.to_monday_zero_offset() as u8)
    }
}

/// A text that is not a time of day.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a time of day like 09:30:00 or 09:30")]
pub struct TimeOfDayError(String);

impl std::str::FromStr for TimeOfDay {
    type Err = TimeOfDayError;

    /// `HH:MM:SS` or `HH:MM` (00:00 to 23:59:59): a start.
    fn from_str(text: &str) -> Result<TimeOfDay, TimeOfDayError> {
        TimeOfDay::parse_inner(text.trim(), false).ok_or_else(|| TimeOfDayError(text.to_string()))
    }
}

/// A wall-clock time of day, in whole seconds after local midnight.
///
/// `END_OF_DAY` (24:00) exists only as an end: the sources write it `23:59:59`
/// (SPEC: "an end of 23:59:59 means the end of the day"), and `24:00` is
/// accepted as its obvious spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay(u32);

impl TimeOfDay {
    pub const MIDNIGHT: TimeOfDay = TimeOfDay(0);
    pub const END_OF_DAY: TimeOfDay = TimeOfDay(86_400);

    /// Parses `HH:MM:SS` or `HH:MM` (00:00 to 23:59:59).
    pub fn parse(text: &str) -> Result<TimeOfDay, TimeOfDayError> {
        text.parse()
    }

    /// Like [`TimeOfDay::parse`], but also accepts `24:00` / `24:00:00`, and
    /// reads `23:59:59` as the end of the day.
    pub fn parse_end(text: &str) -> Result<TimeOfDay, TimeOfDayError> {
        let t =
            Self::parse_inner(text.trim(), true).ok_or_else(|| TimeOfDayError(text.to_string()))?;
        Ok(if t.0 == 86_399 { Self::END_OF_DAY } else { t })
    }

    fn parse_inner(text: &str, allow_24: bool) -> Option<TimeOfDay> {
        let b = text.as_bytes();
        let two = |i: usize| -> Option<u32> {
            let (h, l) = (*b.get(i)?, *b.get(i + 1)?);
            (h.is_ascii_digit() && l.is_ascii_digit())
                .then(|| u32::from(h - b'0') * 10 + u32::from(l - b'0'))
        };
        let (h, m, s) = match b.len() {
            5 if b[2] == b':' => (two(0)?, two(3)?, 0),
            8 if b[2] == b':' && b[5] == b':' => (two(0)?, two(3)?, two(6)?),
            _ => return None,
        };
        if allow_24 && h == 24 && m == 0 && s == 0 {
            return Some(Self::END_OF_DAY);
        }
        (h < 24 && m < 60 && s < 60).then_some(TimeOfDay(h * 3600 + m * 60 + s))
    }

    pub fn from_seconds(seconds: u32) -> Option<TimeOfDay> {
        (seconds <= 86_400).then_some(TimeOfDay(seconds))
    }

    pub fn seconds(self) -> u32 {
        self.0
    }

    pub fn hms(self) -> (i8, i8, i8) {
        let s = self.0;
        ((s / 3600) as i8, (s / 60 % 60) as i8, (s % 60) as i8)
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = self.hms();
        write!(f, "{h:02}:{m:02}:{s:02}")
    }
}

/// One row of business hours: on `day`, open from `start` to `end` local time.
///
/// How a row becomes UTC intervals (overnight shifts, 24-hour rows, DST) is the
/// report's business: see `report::schedule`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HoursRow {
    pub day: Weekday,
    pub start: TimeOfDay,
    pub end: TimeOfDay,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_are_zero_to_six() {
        assert_eq!(Weekday::parse("0").unwrap().index(), 0);
        assert_eq!(Weekday::parse("6").unwrap().index(), 6);
        for bad in ["7", "-1", "monday", "", "1.5", "+6", "06", "6.0"] {
            let err = Weekday::parse(bad).unwrap_err().to_string();
            assert!(
                err.contains("is not a weekday 0 (Monday) to 6 (Sunday)"),
                "{err}"
            );
        }
    }

    #[test]
    fn times_of_day_with_and_without_seconds() {
        assert_eq!(
            TimeOfDay::parse("09:30:15").unwrap().seconds(),
            9 * 3600 + 30 * 60 + 15
        );
        assert_eq!(
            TimeOfDay::parse("09:30").unwrap().seconds(),
            9 * 3600 + 30 * 60
        );
        assert_eq!(TimeOfDay::parse("00:00:00").unwrap(), TimeOfDay::MIDNIGHT);
        assert_eq!(TimeOfDay::parse("23:59:59").unwrap().seconds(), 86_399);
        for bad in [
            "24:00:00",
            "9:30",
            "09:60",
            "09:30:60",
            "noon",
            "",
            "09:30:00.5",
        ] {
            let err = TimeOfDay::parse(bad).unwrap_err().to_string();
            assert!(err.contains("is not a time of day"), "{bad}: {err}");
        }
    }

    #[test]
    fn an_end_of_23_59_59_or_24_00_is_the_end_of_the_day() {
        assert_eq!(
            TimeOfDay::parse_end("23:59:59").unwrap(),
            TimeOfDay::END_OF_DAY
        );
        assert_eq!(
            TimeOfDay::parse_end("24:00").unwrap(),
            TimeOfDay::END_OF_DAY
        );
        assert_eq!(
            TimeOfDay::parse_end("24:00:00").unwrap(),
            TimeOfDay::END_OF_DAY
        );
        assert_eq!(TimeOfDay::parse_end("23:59:58").unwrap().seconds(), 86_398);
        assert!(TimeOfDay::parse_end("24:00:01").is_err());
    }

    #[test]
    fn displays_as_hh_mm_ss() {
        assert_eq!(TimeOfDay::parse("07:05").unwrap().to_string(), "07:05:00");
    }
}
