//! The report of SPEC section 3: for every store with a poll, its up and down
//! time during business hours over the last hour, day and week before `as_of`.

mod interpolate;
pub mod schedule;

use std::collections::HashMap;
use std::io;

use jiff::tz::TimeZone;
use rayon::prelude::*;

use crate::domain::{HoursRow, MICROS_PER_HOUR, Micros, Poll, resolve_zone};

pub use interpolate::{Figures, Tally, WINDOW_LENGTHS, candidates, figures, hundredths};
pub use schedule::{Interval, WeeklyHours};

/// Everything a report reads, taken from one consistent snapshot of the data.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    /// The report time T; `None` only when the database holds no poll at all.
    pub as_of: Option<Micros>,
    /// Every store with at least one poll in the database, in any order.
    pub stores: Vec<StoreInput>,
}

#[derive(Debug, Clone, Default)]
pub struct StoreInput {
    pub store_id: String,
    /// IANA name; `None` means the default zone.
    pub timezone: Option<String>,
    /// No rows means open 24×7.
    pub hours: Vec<HoursRow>,
    /// At least the polls with `as_of − 7 d ≤ t ≤ as_of`; any order.
    pub polls: Vec<Poll>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub store_id: String,
    pub figures: Figures,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub as_of: Option<Micros>,
    /// Sorted by `store_id` in byte order.
    pub rows: Vec<ReportRow>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("store {store_id}: {reason}")]
    Zone { store_id: String, reason: String },
}

pub const CSV_HEADER: [&str; 7] = [
    "store_id",
    "uptime_last_hour",
    "uptime_last_day",
    "uptime_last_week",
    "downtime_last_hour",
    "downtime_last_day",
    "downtime_last_week",
];

/// Computes the report. Stores are independent, so they are spread over all cores.
pub fn compute(mut input: ReportInput) -> Result<Report, ReportError> {
    let Some(as_of) = input.as_of else {
        return Ok(Report::default());
    };
    let zones = zones_of(&input.stores)?;
    let mut rows: Vec<ReportRow> = input
        .stores
        .par_iter_mut()
        .map(|store| {
            let tz = &zones[store.timezone.as_deref().unwrap_or("")];
            ReportRow {
                store_id: std::mem::take(&mut store.store_id),
                figures: store_figures(store, tz, as_of),
            }
        })
        .collect();
    rows.par_sort_unstable_by(|a, b| a.store_id.as_bytes().cmp(b.store_id.as_bytes()));
    Ok(Report {
        as_of: Some(as_of),
        rows,
    })
}

/// One store's figures at `as_of`.
pub fn store_figures(store: &mut StoreInput, tz: &TimeZone, as_of: Micros) -> Figures {
    let open =
        WeeklyHours::from_rows(&store.hours).open_intervals(tz, as_of - WINDOW_LENGTHS[2], as_of);
    store.polls.sort_unstable_by_key(|p| p.ts);
    figures(&open, &store.polls, as_of)
}

/// Each distinct zone name looked up once (`""` stands for the default zone).
fn zones_of(stores: &[StoreInput]) -> Result<HashMap<String, TimeZone>, ReportError> {
    let mut zones = HashMap::new();
    for store in stores {
        let key = store.timezone.as_deref().unwrap_or("");
        if !zones.contains_key(key) {
            let tz =
                resolve_zone(store.timezone.as_deref()).map_err(|reason| ReportError::Zone {
                    store_id: store.store_id.clone(),
                    reason,
                })?;
            zones.insert(key.to_string(), tz);
        }
    }
    Ok(zones)
}

/// Writes the report as CSV: hour figures in minutes, day and week figures in
/// hours, each with exactly two decimals.
pub fn write_csv<W: io::Write>(report: &Report, out: W) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER)?;
    let units = [60 * 1_000_000, MICROS_PER_HOUR, MICROS_PER_HOUR];
    let mut fields: [String; 6] = Default::default();
    for row in &report.rows {
        for (i, (tally, unit)) in row.figures.windows.iter().zip(units).enumerate() {
            fields[i] = two_decimals(hundredths(tally.up, unit));
            fields[i + 3] = two_decimals(hundredths(tally.down, unit));
        }
        w.write_field(&row.store_id)?;
        w.write_record(&fields)?;
    }
    w.flush()
}

pub fn to_csv_string(report: &Report) -> String {
    let mut buf = Vec::new();
    write_csv(report, &mut buf).expect("writing to memory cannot fail");
    String::from_utf8(buf).expect("store ids are UTF-8")
}

fn two_decimals(hundredths: i64) -> String {
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}
