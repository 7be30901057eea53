//! `/trigger_report` and `/get_report`.

pub mod get;
pub mod list;
pub mod trigger;

use storewatch_core::report::{Columns, ReportSpec, select_columns};
use storewatch_db::{ReportId, ReportRecord};

use crate::server::error::ApiError;

/// A new report's id: 128 random bits in hex, unguessable.
pub fn new_report_id() -> Result<ReportId, ApiError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(format!("no randomness: {e}")))?;
    Ok(ReportId::from_bytes(bytes))
}

/// Checks the shape of an id before touching the database.
pub fn parse_report_id(id: Option<&str>) -> Result<ReportId, ApiError> {
    let id = id
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_request("missing report_id"))?;
    ReportId::parse(id).map_err(ApiError::bad_request)
}

/// `columns=standard|extended`, if given.
pub fn parse_columns(text: Option<&str>) -> Result<Option<Columns>, ApiError> {
    text.map(|t| Columns::parse(t.trim()).map_err(ApiError::bad_request))
        .transpose()
}

/// A complete report's CSV with the columns asked for (stored extended).
pub fn csv_for(record: &ReportRecord, columns: Columns) -> Result<String, ApiError> {
    let stored = record.csv.as_deref().unwrap_or_default();
    if record.spec != ReportSpec::Week {
        // A period report has its own columns; `columns` is the week's.
        return Ok(stored.to_string());
    }
    select_columns(stored, columns).map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_random_and_well_formed() {
        let a = new_report_id().unwrap();
        let b = new_report_id().unwrap();
        assert_ne!(a, b);
        assert_eq!(parse_report_id(Some(a.as_str())).unwrap(), a);
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
