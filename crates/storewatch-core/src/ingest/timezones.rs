use std::collections::HashMap;

use super::table::{Column, read_rows};
use super::{IngestError, Mode, RowError, Source};
use crate::domain::{canonical_zone, parse_store_id};

/// The valid rows of a time-zones file: one zone per store.
#[derive(Debug, Default)]
pub struct TimezoneFile {
    pub rows: Vec<(String, String)>,
    pub rows_read: usize,
    pub skipped: Vec<RowError>,
    /// All rows skipped; `skipped` keeps the first of them.
    pub skipped_total: usize,
}

const COLUMNS: [Column; 2] = [
    Column {
        names: &["store_id"],
    },
    Column {
        names: &["timezone_str"],
    },
];

pub fn parse_timezones(source: Source, mode: Mode) -> Result<TimezoneFile, IngestError> {
    let mut out = TimezoneFile::default();
    // store id → (zone, line), to tell a harmless repeat from a contradiction.
    let mut seen: HashMap<String, (String, u64)> = HashMap::new();
    let outcome = read_rows(source, &COLUMNS, mode, |row| {
        let id = row.parse(0, parse_store_id)?;
        let zone = row.parse(1, canonical_zone)?;
        let zone = zone.as_str();
        if let Some((earlier, line)) = seen.get(id) {
            if earlier != zone {
                let reason = format!(
                    "{zone:?} contradicts {earlier:?} given for store {id:?} on line {line}"
                );
                return Err(row.error(1, reason));
            }
            return Ok(());
        }
        seen.insert(id.to_string(), (zone.to_string(), row.line()));
        out.rows.push((id.to_string(), zone.to_string()));
        Ok(())
    })?;
    out.rows_read = outcome.rows_read;
    out.skipped = outcome.skipped;
    out.skipped_total = outcome.skipped_total;
    Ok(out)
}
