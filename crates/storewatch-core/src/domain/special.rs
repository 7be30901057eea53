//! Special hours: the exceptions of one local date (SPEC sections 1 and 3).

use jiff::civil::Date;

use super::TimeOfDay;

/// The first and last years a date or timestamp may name. Every zone
/// conversion works well inside this range; outside it, a value is a typo.
pub const FIRST_YEAR: i16 = 1970;
pub const LAST_YEAR: i16 = 2200;

/// One special-hours row of a store: on local `date`, open from `start` to
/// `end` (read like a weekly row: overnight, around the clock, `23:59:59`),
/// or closed the whole date when `hours` is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpecialHoursRow {
    pub date: Date,
    pub hours: Option<(TimeOfDay, TimeOfDay)>,
}

impl SpecialHoursRow {
    pub fn closed(date: Date) -> SpecialHoursRow {
        SpecialHoursRow { date, hours: None }
    }

    pub fn open(date: Date, start: TimeOfDay, end: TimeOfDay) -> SpecialHoursRow {
        SpecialHoursRow {
            date,
            hours: Some((start, end)),
        }
    }

    pub fn is_closed(&self) -> bool {
        self.hours.is_none()
    }
}

/// A text that is not a local date storewatch takes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("{0:?} is not a date like 2023-12-25")]
    Malformed(String),
    #[error("{0:?}: the year must be between {FIRST_YEAR} and {LAST_YEAR}")]
    Year(String),
}

/// Parses a local date written `YYYY-MM-DD`, years 1970 to 2200.
pub fn parse_local_date(text: &str) -> Result<Date, DateError> {
    let bad = || DateError::Malformed(text.to_string());
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<i16, DateError> {
        let part = &b[r];
        if !part.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        part.iter()
            .try_fold(0i16, |acc, d| Some(acc * 10 + i16::from(d - b'0')))
            .ok_or_else(bad)
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(DateError::Year(text.to_string()));
    }
    let (Ok(month), Ok(day)) = (i8::try_from(month), i8::try_from(day)) else {
        return Err(bad());
    };
    Date::new(year, month, day).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_year_month_day() {
        assert_eq!(
            parse_local_date("2023-12-25").unwrap(),
            jiff::civil::date(2023, 12, 25)
        );
        assert_eq!(
            parse_local_date("2024-02-29").unwrap(),
            jiff::civil::date(2024, 2, 29)
        );
        for bad in [
            "2023-02-29",
            "2023-13-01",
            "2023-00-10",
            "23-12-25",
            "2023/12/25",
            "2023-12-25T00:00",
            "",
            "+023-12-25",
            "2023-1-05",
        ] {
            let err = parse_local_date(bad).unwrap_err().to_string();
            assert!(
                err.contains("is not a date like 2023-12-25"),
                "{bad}: {err}"
            );
        }
        assert!(
            parse_local_date("1969-12-31")
                .unwrap_err()
                .to_string()
                .contains("between 1970 and 2200")
        );
        assert!(parse_local_date("2201-01-01").is_err());
    }
}
