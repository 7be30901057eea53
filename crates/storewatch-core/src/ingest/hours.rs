use super::error::IngestError;
use super::kinds::Mode;
use super::source::Source;
use super::table::{Column, STORE_ID, SnapshotFile, read_snapshot};
use std::collections::HashSet;

use crate::domain::{HoursRow, SharedId, TimeOfDay, Weekday, check_store_id};

/// The valid rows of a business-hours file, each store's id allocated once
/// for all its rows.
pub type HoursFile = SnapshotFile<(SharedId, HoursRow)>;

const COLUMNS: [Column; 4] = [
    STORE_ID,
    Column::new(&["dayOfWeek", "day"]),
    Column::new(&["start_time_local"]),
    Column::new(&["end_time_local"]),
];

pub fn parse_hours(source: Source, mode: Mode) -> Result<HoursFile, IngestError> {
    let mut ids: HashSet<SharedId> = HashSet::new();
    read_snapshot(source, &COLUMNS, mode, |row| {
        let id = row.parse(0, check_store_id)?;
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
        Ok(Some((id, HoursRow { day, start, end })))
    })
}
