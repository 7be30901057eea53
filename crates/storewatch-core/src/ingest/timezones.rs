use std::collections::HashMap;

use super::error::IngestError;
use super::kinds::Mode;
use super::source::Source;
use super::table::{Column, STORE_ID, SnapshotFile, read_snapshot};
use crate::domain::{canonical_zone, check_store_id};

/// The valid rows of a time-zones file: one zone per store.
pub type TimezoneFile = SnapshotFile<(String, String)>;

const COLUMNS: [Column; 2] = [STORE_ID, Column::new(&["timezone_str"])];

pub fn parse_timezones(source: Source, mode: Mode) -> Result<TimezoneFile, IngestError> {
    // store id → (zone, line), to tell a harmless repeat from a contradiction.
    let mut seen: HashMap<String, (String, u64)> = HashMap::new();
    read_snapshot(source, &COLUMNS, mode, |row| {
        let id = row.parse(0, check_store_id)?;
        let zone = row.parse(1, canonical_zone)?;
        let zone = zone.as_str();
        if let Some((earlier, line)) = seen.get(id) {
            if earlier != zone {
                let reason = format!(
                    "{zone:?} contradicts {earlier:?} given for store {id:?} on line {line}"
                );
                return Err(row.error(1, reason));
            }
            return Ok(None);
        }
        seen.insert(id.to_string(), (zone.to_string(), row.line()));
        Ok(Some((id.to_string(), zone.to_string())))
    })
}
