//! How both backends store the core's values, and back: one mapping, so a
//! value read from either database is validated the same way.

use storewatch_core::domain::{HoursRow, SpecialHoursRow, TimeOfDay, Weekday, parse_local_date};

use crate::DbError;

fn corrupt(what: &str) -> DbError {
    DbError::backend(std::io::Error::other(format!(
        "unreadable {what} in the database"
    )))
}

/// Seconds after local midnight, as stored.
pub fn time_of_day(seconds: i64) -> Result<TimeOfDay, DbError> {
    u32::try_from(seconds)
        .ok()
        .and_then(TimeOfDay::from_seconds)
        .ok_or_else(|| corrupt("time of day"))
}

/// A business-hours row from its stored columns.
pub fn hours_row(day: i64, start: i64, end: i64) -> Result<HoursRow, DbError> {
    Ok(HoursRow {
        day: u8::try_from(day)
            .ok()
            .and_then(Weekday::new)
            .ok_or_else(|| corrupt("weekday"))?,
        start: time_of_day(start)?,
        end: time_of_day(end)?,
    })
}

/// A special-hours row from its stored columns: both times NULL is closed.
pub fn special_row(
    date: &str,
    start: Option<i64>,
    end: Option<i64>,
) -> Result<SpecialHoursRow, DbError> {
    let date = parse_local_date(date).map_err(|_| corrupt("special-hours date"))?;
    Ok(match (start, end) {
        (None, None) => SpecialHoursRow::closed(date),
        (Some(s), Some(e)) => SpecialHoursRow::open(date, time_of_day(s)?, time_of_day(e)?),
        _ => return Err(corrupt("special-hours row")),
    })
}

/// The stored columns of a special-hours row: date text, start and end seconds.
pub fn special_columns(row: &SpecialHoursRow) -> (String, Option<i64>, Option<i64>) {
    let (start, end) = match row.hours {
        Some((s, e)) => (Some(i64::from(s.seconds())), Some(i64::from(e.seconds()))),
        None => (None, None),
    };
    (row.date.to_string(), start, end)
}
