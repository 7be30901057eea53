use super::table::{Column, read_rows};
use super::{IngestError, Mode, RowError, Source};
use crate::domain::{HoursRow, TimeOfDay, Weekday, parse_store_id};

/// The valid rows of a business-hours file.
#[derive(Debug, Default)]
pub struct HoursFile {
    pub rows: Vec<(String, HoursRow)>,
    pub rows_read: usize,
    pub skipped: Vec<RowError>,
    /// All rows skipped; `skipped` keeps the first of them.
    pub skipped_total: usize,
}

const COLUMNS: [Column; 4] = [
    Column {
        names: &["store_id"],
    },
    Column {
        names: &["dayOfWeek", "day"],
    },
    Column {
        names: &["start_time_local"],
    },
    Column {
        names: &["end_time_local"],
    },
];

pub fn parse_hours(source: Source, mode: Mode) -> Result<HoursFile, IngestError> {
    let mut out = HoursFile::default();
    let outcome = read_rows(source, &COLUMNS, mode, |row| {
        let id = row.parse(0, parse_store_id)?;
        let day = row.parse(1, Weekday::parse)?;
        let start = row.parse(2, TimeOfDay::parse)?;
        let end = row.parse(3, TimeOfDay::parse_end)?;
        out.rows
            .push((id.to_string(), HoursRow { day, start, end }));
        Ok(())
    })?;
    out.rows_read = outcome.rows_read;
    out.skipped = outcome.skipped;
    out.skipped_total = outcome.skipped_total;
    Ok(out)
}
