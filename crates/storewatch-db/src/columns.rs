//! How both backends store the core's values, and back: one mapping, so a
//! value read from either database is validated the same way.

use storewatch_core::domain::{HoursRow, SpecialHoursRow, TimeOfDay, Weekday, parse_local_date};

use storewatch_core::report::ReportSpec;

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

/// The columns of a `reports` row, as both backends read them.
#[derive(Debug)]
pub struct ReportColumns {
    pub id: String,
    pub state: String,
    pub requested_as_of: Option<i64>,
    pub as_of: Option<i64>,
    pub columns: String,
    pub kind: String,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub attempts: i64,
    pub row_count: Option<i64>,
    pub error: Option<String>,
    pub csv: Option<String>,
    pub key_id: Option<String>,
    pub scope_id: Option<String>,
    pub parts: Option<i64>,
}

impl ReportColumns {
    pub fn into_record(self) -> Result<crate::ReportRecord, DbError> {
        Ok(crate::ReportRecord {
            id: crate::ReportId::parse(&self.id).map_err(|_| corrupt("report id"))?,
            state: crate::ReportState::parse(&self.state).ok_or_else(|| corrupt("report state"))?,
            requested_as_of: self.requested_as_of,
            as_of: self.as_of,
            columns: crate::columns_from_db(&self.columns),
            spec: report_spec(&self.kind)?,
            created_at: self.created_at,
            started_at: self.started_at,
            finished_at: self.finished_at,
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            rows: self.row_count.map(|n| n.max(0) as u64),
            error: self.error,
            csv: self.csv,
            key_id: self.key_id,
            scope_id: self.scope_id,
            parts: self.parts.and_then(|n| u32::try_from(n).ok()),
        })
    }
}

/// What a report holds, as stored.
fn report_spec(text: &str) -> Result<ReportSpec, DbError> {
    ReportSpec::from_db(text).ok_or_else(|| corrupt("report kind"))
}

/// A claimed report's row as a claim returns it: id, requested_as_of,
/// attempts, scope_stores, kind.
pub type ClaimedRow = (String, Option<i64>, i64, Option<String>, String);

/// A claimed report from its columns (the scope as stored: ids one per line).
pub fn claimed_report(
    (id, requested_as_of, attempts, scope_stores, kind): ClaimedRow,
) -> Result<crate::ClaimedReport, DbError> {
    let scope_stores = scope_stores.as_deref();
    Ok(crate::ClaimedReport {
        id: crate::ReportId::parse(&id).map_err(|_| corrupt("report id"))?,
        requested_as_of,
        spec: report_spec(&kind)?,
        scope: scope_stores
            .map(crate::Scope::from_text)
            .transpose()
            .map_err(|_| corrupt("report scope"))?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
    })
}

/// A claimed shard's row as a claim returns it: report_id, idx,
/// from_store, to_store, attempts.
pub type ShardRow = (String, i64, Option<String>, Option<String>, i64);

/// The columns of a claimed shard and of its report, as both backends read
/// them.
pub struct ShardColumns {
    pub report_id: String,
    pub idx: i64,
    pub from_store: Option<String>,
    pub to_store: Option<String>,
    pub attempts: i64,
    pub as_of: Option<i64>,
    pub started_at: Option<i64>,
    pub scope_stores: Option<String>,
    pub kind: String,
}

impl ShardColumns {
    pub fn into_claimed(self) -> Result<crate::ClaimedShard, DbError> {
        Ok(crate::ClaimedShard {
            id: crate::ShardId {
                report: crate::ReportId::parse(&self.report_id)
                    .map_err(|_| corrupt("report id"))?,
                index: u32::try_from(self.idx).map_err(|_| corrupt("shard index"))?,
            },
            range: crate::StoreRange {
                from: self.from_store,
                to: self.to_store,
            },
            as_of: self.as_of.ok_or_else(|| corrupt("split report time"))?,
            scope: self
                .scope_stores
                .as_deref()
                .map(crate::Scope::from_text)
                .transpose()
                .map_err(|_| corrupt("report scope"))?,
            spec: report_spec(&self.kind)?,
            report_started_at: self.started_at,
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
        })
    }
}

/// The columns of an `ingests` row: id, at, source, label, origin, key_id,
/// rows, sha256.
pub type IngestRow = (
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    i64,
    String,
);

/// An ingest record from its stored columns.
pub fn ingest_record(
    (id, at, source, label, by, key_id, rows, sha256): IngestRow,
) -> Result<crate::IngestRecord, DbError> {
    Ok(crate::IngestRecord {
        id,
        at,
        source: storewatch_core::ingest::SourceKind::from_name(&source)
            .ok_or_else(|| corrupt("ingest source"))?,
        label,
        by,
        key_id,
        rows: rows.max(0) as u64,
        sha256,
    })
}
