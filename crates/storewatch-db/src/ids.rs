//! Typed values of the report queue: a report's id, a worker's lease, and
//! what a read of a report includes.

use std::fmt;

use storewatch_core::domain::Micros;

/// A report's id: 128 random bits as 32 lowercase hexadecimal digits, so
/// knowing one id tells nothing of another.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReportId(String);

impl ReportId {
    /// Checks an id's shape (32 hexadecimal digits; upper case is folded).
    pub fn parse(text: &str) -> Result<ReportId, String> {
        let text = text.trim();
        if !storewatch_core::hex::is_id(text) {
            return Err(format!(
                "malformed report_id {text:?}: expected 32 hexadecimal characters"
            ));
        }
        Ok(ReportId(text.to_ascii_lowercase()))
    }

    /// The id of these 16 random bytes.
    pub fn from_bytes(bytes: [u8; 16]) -> ReportId {
        ReportId(storewatch_core::hex::encode(&bytes))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A worker's hold on a running report: it is the worker's until `until`
/// unless renewed; after that any worker may take the report over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub worker: String,
    pub until: Micros,
}

/// What a read of a report brings back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Include {
    /// The status only (cheap: for polling).
    StatusOnly,
    /// The status and, when complete, the CSV.
    Csv,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_ids_are_32_hex_digits() {
        let id = ReportId::from_bytes([0xab; 16]);
        assert_eq!(id.as_str(), "ab".repeat(16));
        assert_eq!(ReportId::parse(&"AB".repeat(16)).unwrap(), id);
        for bad in ["", "123", &"g".repeat(32), &"a".repeat(33)] {
            assert!(ReportId::parse(bad).is_err(), "{bad}");
        }
    }
}
