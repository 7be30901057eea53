//! `/trigger_report` and `/get_report`.

pub mod get;
pub mod trigger;

use serde_json::{Value, json};
use storewatch_core::domain::{Micros, format_timestamp};
use storewatch_core::report::{Columns, select_columns};
use storewatch_db::{ReportRecord, ReportState};

use crate::server::error::ApiError;

/// A new report's id: 128 random bits in hex, unguessable.
pub fn new_report_id() -> Result<String, ApiError> {
    crate::clock::random_id().map_err(|e| ApiError::internal(format!("no randomness: {e}")))
}

/// Checks the shape of an id before touching the database.
pub fn parse_report_id(id: Option<&str>) -> Result<&str, ApiError> {
    let id = id
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_request("missing report_id"))?;
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::bad_request(format!(
            "malformed report_id {id:?}: expected 32 hexadecimal characters"
        )));
    }
    Ok(id)
}

/// `columns=standard|extended`, if given.
pub fn parse_columns(text: Option<&str>) -> Result<Option<Columns>, ApiError> {
    text.map(|t| Columns::parse(t.trim()).map_err(ApiError::bad_request))
        .transpose()
}

/// A complete report's CSV with the columns asked for (stored extended).
pub fn csv_for(record: &ReportRecord, columns: Columns) -> Result<String, ApiError> {
    let stored = record.csv.as_deref().unwrap_or_default();
    select_columns(stored, columns).map_err(ApiError::internal)
}

fn time(t: Option<Micros>) -> Value {
    t.map_or(Value::Null, |t| json!(format_timestamp(t)))
}

/// The JSON status of a report (SPEC section 4); `csv` is the CSV with the
/// columns asked for, for a complete report.
pub fn status_json(r: &ReportRecord, csv: Option<String>) -> Value {
    match r.state {
        ReportState::Queued | ReportState::Running => json!({
            "report_id": r.id,
            "status": "Running",
            "state": r.state.as_str(),
            "columns": r.columns.as_str(),
            "requested_as_of": time(r.requested_as_of),
            "created_at": time(Some(r.created_at)),
            "started_at": time(r.started_at),
            "attempts": r.attempts,
        }),
        ReportState::Complete => json!({
            "report_id": r.id,
            "status": "Complete",
            "as_of": time(r.as_of),
            "rows": r.rows,
            "columns": r.columns.as_str(),
            "created_at": time(Some(r.created_at)),
            "started_at": time(r.started_at),
            "finished_at": time(r.finished_at),
            "csv": csv,
        }),
        ReportState::Failed => json!({
            "report_id": r.id,
            "status": "Failed",
            "error": r.error,
            "created_at": time(Some(r.created_at)),
            "started_at": time(r.started_at),
            "finished_at": time(r.finished_at),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_random_and_well_formed() {
        let a = new_report_id().unwrap();
        let b = new_report_id().unwrap();
        assert_ne!(a, b);
        assert_eq!(parse_report_id(Some(&a)).unwrap(), a);
    }

    #[test]
    fn missing_and_malformed_ids_are_told_apart() {
        assert_eq!(
            parse_report_id(None).unwrap_err().message,
            "missing report_id"
        );
        assert_eq!(
            parse_report_id(Some(" ")).unwrap_err().message,
            "missing report_id"
        );
        let e = parse_report_id(Some("123")).unwrap_err();
        assert_eq!(
            e.message,
            "malformed report_id \"123\": expected 32 hexadecimal characters"
        );
        assert!(parse_report_id(Some("zz000000000000000000000000000000")).is_err());
    }
}
