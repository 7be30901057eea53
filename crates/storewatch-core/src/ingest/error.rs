use std::fmt;

/// How many row errors an error message lists before it says "and N more".
pub const MAX_LISTED_ERRORS: usize = 20;

/// One invalid row: where it is and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub file: String,
    /// 1-based line in the file; the header is line 1.
    pub line: u64,
    /// The column at fault, by its name in the header, if one is.
    pub column: Option<String>,
    /// Why, e.g. `"actve" is not active or inactive`.
    pub reason: String,
    /// The row as it was, fields joined with commas.
    pub record: String,
}

impl fmt::Display for RowError {
    /// `store_status.csv:1234: status "actve" is not active or inactive`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        if let Some(column) = &self.column {
            write!(f, "{column} ")?;
        }
        f.write_str(&self.reason)
    }
}

/// Why a file was not ingested. Nothing of it was applied.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    /// Valid rows could not be set aside while the rest was checked (the
    /// spill store failed: a full disk, say). Not the input's fault.
    #[error("{file}: could not set valid rows aside while checking the file: {source}")]
    SetAside {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: the file is empty; expected a header row with {expected}")]
    Empty { file: String, expected: String },
    #[error("{file}:1: missing column {column:?} (the header has: {found})")]
    MissingColumn {
        file: String,
        column: String,
        found: String,
    },
    #[error("{}", list_rows(.file, .errors, *.total))]
    InvalidRows {
        file: String,
        errors: Vec<RowError>,
        total: usize,
    },
}

impl IngestError {
    /// How many rows were invalid (0 when the file failed as a whole: a
    /// missing column, an empty file, an unreadable file).
    pub fn invalid_rows(&self) -> usize {
        match self {
            IngestError::InvalidRows { total, .. } => *total,
            _ => 0,
        }
    }

    pub fn file(&self) -> &str {
        match self {
            IngestError::Io { file, .. }
            | IngestError::SetAside { file, .. }
            | IngestError::Empty { file, .. }
            | IngestError::MissingColumn { file, .. }
            | IngestError::InvalidRows { file, .. } => file,
        }
    }
}

fn list_rows(file: &str, errors: &[RowError], total: usize) -> String {
    let mut out = errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    if total > errors.len() {
        out.push_str(&format!(
            "\n… and {} more invalid rows",
            total - errors.len()
        ));
    }
    let rows = if total == 1 { "row" } else { "rows" };
    out.push_str(&format!(
        "\n{file}: {total} invalid {rows}; nothing from this file was applied"
    ));
    out
}
