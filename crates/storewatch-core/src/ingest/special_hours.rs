use std::collections::HashMap;

use jiff::civil::Date;

use super::error::IngestError;
use super::kinds::Mode;
use super::source::Source;
use super::table::{Column, STORE_ID, SnapshotFile, read_snapshot};
use crate::domain::{SpecialHoursRow, TimeOfDay, check_store_id, parse_local_date};

/// The valid rows of a special-hours file.
pub type SpecialHoursFile = SnapshotFile<(String, SpecialHoursRow)>;

const COLUMNS: [Column; 4] = [
    STORE_ID,
    Column::new(&["date"]),
    Column::new(&["start_time_local"]),
    Column::new(&["end_time_local"]),
];

/// What a store/date was first given as, and on which line, so a closed row
/// and a row with times for the same date can be told apart from repeats.
#[derive(Clone, Copy)]
struct Seen {
    closed: bool,
    line: u64,
}

pub fn parse_special_hours(source: Source, mode: Mode) -> Result<SpecialHoursFile, IngestError> {
    let mut seen: HashMap<(String, Date), Seen> = HashMap::new();
    read_snapshot(source, &COLUMNS, mode, |row| {
        let id = row.parse(0, check_store_id)?;
        let date = row.parse(1, parse_local_date)?;
        let (start, end) = (row.get(2)?, row.get(3)?);
        let special = match (start.is_empty(), end.is_empty()) {
            (true, true) => SpecialHoursRow::closed(date),
            (false, false) => SpecialHoursRow::open(
                date,
                row.parse(2, TimeOfDay::parse)?,
                row.parse(3, TimeOfDay::parse_end)?,
            ),
            (true, false) => return Err(row.error(2, one_time_missing())),
            (false, true) => return Err(row.error(3, one_time_missing())),
        };
        let key = (id.to_string(), date);
        match seen.get(&key) {
            Some(earlier) if earlier.closed != special.is_closed() => {
                let (this, that) = if special.is_closed() {
                    ("closes", "gives it hours")
                } else {
                    ("gives hours to", "closes it")
                };
                let reason = format!(
                    "{this} store {id:?} on {date}, but line {} {that}: a date is either closed or has hours",
                    earlier.line
                );
                return Err(row.error(1, reason));
            }
            // A closed date written twice is still one closed date.
            Some(_) if special.is_closed() => return Ok(None),
            Some(_) => {}
            None => {
                seen.insert(
                    key,
                    Seen {
                        closed: special.is_closed(),
                        line: row.line(),
                    },
                );
            }
        }
        Ok(Some((id.to_string(), special)))
    })
}

fn one_time_missing() -> String {
    "is empty: give both start_time_local and end_time_local, or leave both empty for a closed date"
        .to_string()
}
