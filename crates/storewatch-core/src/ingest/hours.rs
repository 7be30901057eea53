use super::table::{Column, read_rows};
use super::{IngestError, Mode, RowError, Source};
use std::collections::HashSet;

use crate::domain::{HoursRow, SharedId, TimeOfDay, Weekday, parse_store_id};

/// The valid rows of a business-hours file.
#[derive(Debug, Default)]
pub struct HoursFile {
    /// Each store's id allocated once for all its rows.
    pub rows: Vec<(SharedId, HoursRow)>,
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
    let mut ids: HashSet<SharedId> = HashSet::new();
    let outcome = read_rows(source, &COLUMNS, mode, |row| {
        let id = row.parse(0, parse_store_id)?;
        let day = row.parse(1, Weekday::parse)?;
        let start = row.parse(2, TimeOfDay::parse)?;
        let end = row.parse(3, TimeOfDay::parse_end)?;
        let id = match ids.get(id) {
            Some(shared) => shared.clone(),
            None => {
                let shared = SharedId::from(id);
                ids.insert(shared.clone());
                shared
            }
        };
        out.rows.push((id, HoursRow { day, start, end }));
        Ok(())
    })?;
    out.rows_read = outcome.rows_read;
    out.skipped = outcome.skipped;
    out.skipped_total = outcome.skipped_total;
    Ok(out)
}
