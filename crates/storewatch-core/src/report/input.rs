//! What a report reads and what it gives: a store's data, a report's rows.

use std::collections::HashMap;

use jiff::tz::TimeZone;

use crate::domain::{HoursRow, Micros, Poll, SpecialHoursRow, resolve_zone};

use super::error::ReportError;
use super::interpolate::{Figures, HalfMicros};

/// Everything a report reads, taken from one consistent snapshot of the data.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    /// The report time T; `None` only when the database holds no poll at all.
    pub as_of: Option<Micros>,
    /// Every store with at least one poll in the database, in any order.
    pub stores: Vec<StoreInput>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreInput {
    pub store_id: String,
    /// IANA name; `None` means the default zone.
    pub timezone: Option<String>,
    /// No rows means open 24×7.
    pub hours: Vec<HoursRow>,
    /// Special dates; only those near the week matter.
    pub special: Vec<SpecialHoursRow>,
    /// At least the polls with `as_of − 7 d ≤ t ≤ as_of`; any order.
    pub polls: Vec<Poll>,
}

/// The extended columns of one store (SPEC section 3, step 9).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extended {
    /// Open time in the week, whether observed or not, in microseconds.
    pub open: Micros,
    /// Candidate polls in the week.
    pub polls: u32,
    /// Incidents with downtime in the week.
    pub incidents: u32,
    /// The largest downtime of one incident in the week.
    pub longest_incident: HalfMicros,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub store_id: String,
    pub figures: Figures,
    pub extended: Extended,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub as_of: Option<Micros>,
    /// Sorted by `store_id` in byte order.
    pub rows: Vec<ReportRow>,
}

/// Adds the time zones of `stores` not in `zones` yet.
pub(crate) fn add_zones(
    zones: &mut HashMap<String, TimeZone>,
    stores: &[StoreInput],
) -> Result<(), ReportError> {
    for store in stores {
        let key = store.timezone.as_deref().unwrap_or("");
        if !zones.contains_key(key) {
            let tz =
                resolve_zone(store.timezone.as_deref()).map_err(|reason| ReportError::Zone {
                    store_id: store.store_id.clone(),
                    reason: reason.to_string(),
                })?;
            zones.insert(key.to_string(), tz);
        }
    }
    Ok(())
}
