//! The shared part of reading any source: header → column positions, then row
//! by row with line numbers, collecting invalid rows per [`Mode`].

use csv::{ByteRecord, ReaderBuilder, Trim};

use super::error::{IngestError, RowError};
use super::kinds::Mode;
use super::source::Source;
use crate::ingest::error::MAX_LISTED_ERRORS;

/// A column the file must have, with the header names it may go by.
pub struct Column {
    pub names: &'static [&'static str],
}

impl Column {
    pub const fn new(names: &'static [&'static str]) -> Column {
        Column { names }
    }
}

/// The first column of every file.
pub const STORE_ID: Column = Column::new(&["store_id"]);

/// The valid rows of a snapshot file (business hours, time zones, special
/// hours), with the invalid ones lenient mode skipped.
#[derive(Debug)]
pub struct SnapshotFile<R> {
    pub rows: Vec<R>,
    pub rows_read: usize,
    pub skipped: Vec<RowError>,
    /// All rows skipped; `skipped` keeps the first of them.
    pub skipped_total: usize,
}

impl<R> Default for SnapshotFile<R> {
    fn default() -> SnapshotFile<R> {
        SnapshotFile {
            rows: Vec::new(),
            rows_read: 0,
            skipped: Vec::new(),
            skipped_total: 0,
        }
    }
}

/// Reads a snapshot file with [`read_rows`]: `each` makes a row into the
/// value kept, or `None` for a harmless repeat of an earlier row.
pub fn read_snapshot<R>(
    source: Source,
    columns: &[Column],
    mode: Mode,
    mut each: impl FnMut(&Row<'_>) -> Result<Option<R>, RowError>,
) -> Result<SnapshotFile<R>, IngestError> {
    let mut rows = Vec::new();
    let outcome = read_rows(source, columns, mode, |row| {
        rows.extend(each(row)?);
        Ok(())
    })?;
    Ok(SnapshotFile {
        rows,
        rows_read: outcome.rows_read,
        skipped: outcome.skipped,
        skipped_total: outcome.skipped_total,
    })
}

/// Rows that failed, and how many rows there were in all.
pub struct Outcome {
    pub rows_read: usize,
    /// The first [`MAX_KEPT_SKIPPED`] invalid rows (lenient mode).
    pub skipped: Vec<RowError>,
    /// All invalid rows skipped (lenient mode).
    pub skipped_total: usize,
}

/// How many skipped rows lenient mode keeps to show: a body of half a million
/// bad rows must not take memory (or an answer) the size of its errors.
pub const MAX_KEPT_SKIPPED: usize = 500;

/// The longest field accepted, in bytes; longer is not data of ours, and its
/// text is not echoed back.
pub const MAX_FIELD_BYTES: usize = 1024;

/// How much of a row an error shows.
const MAX_RECORD_CHARS: usize = 200;

/// A row with its columns already located; hands out trimmed text fields and
/// builds errors that name the file, line and column.
pub struct Row<'a> {
    file: &'a str,
    line: u64,
    record: &'a ByteRecord,
    positions: &'a [usize],
    /// The file's header, to name a column as the file spells it.
    names: &'a [String],
}

impl<'a> Row<'a> {
    /// The text of the `i`-th wanted column.
    pub fn get(&self, i: usize) -> Result<&'a str, RowError> {
        let raw = self.record.get(self.positions[i]).unwrap_or_default();
        if raw.len() > MAX_FIELD_BYTES {
            return Err(self.error(
                i,
                format!(
                    "is {} bytes long; a field has at most {MAX_FIELD_BYTES}",
                    raw.len()
                ),
            ));
        }
        let text = std::str::from_utf8(raw)
            .map_err(|_| self.error(i, "is not valid UTF-8".to_string()))?;
        Ok(text.trim())
    }

    /// An error about the `i`-th wanted column.
    pub fn error(&self, i: usize, reason: String) -> RowError {
        RowError {
            file: self.file.to_string(),
            line: self.line,
            column: Some(self.names[self.positions[i]].clone()),
            reason,
            record: record_text(self.record),
        }
    }

    /// `field` parsed by `parse`, its error tagged with the column.
    pub fn parse<T, E: std::fmt::Display>(
        &self,
        i: usize,
        parse: impl FnOnce(&'a str) -> Result<T, E>,
    ) -> Result<T, RowError> {
        let text = self.get(i)?;
        parse(text).map_err(|reason| self.error(i, reason.to_string()))
    }

    pub fn line(&self) -> u64 {
        self.line
    }
}

/// The row as it was, fields joined with commas, cut short if long.
fn record_text(record: &ByteRecord) -> String {
    let mut out = String::new();
    for (i, field) in record.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&String::from_utf8_lossy(
            &field[..field.len().min(MAX_RECORD_CHARS + 1)],
        ));
        if out.chars().count() > MAX_RECORD_CHARS {
            let cut: String = out.chars().take(MAX_RECORD_CHARS).collect();
            return cut + "…";
        }
    }
    out
}

/// Reads `source` row by row, calling `each` on every row with its columns
/// located. Returns the invalid rows in lenient mode, or the error in strict mode.
pub fn read_rows(
    source: Source,
    columns: &[Column],
    mode: Mode,
    mut each: impl FnMut(&Row<'_>) -> Result<(), RowError>,
) -> Result<Outcome, IngestError> {
    let file = source.label;
    let mut on_skipped = source.on_skipped;
    let mut reader = ReaderBuilder::new()
        .flexible(true)
        .trim(Trim::None)
        .from_reader(source.reader);
    let expected = || {
        columns
            .iter()
            .map(|c| c.names[0])
            .collect::<Vec<_>>()
            .join(", ")
    };
    let header = reader
        .byte_headers()
        .map_err(|e| csv_error(&file, e))?
        .clone();
    if header.is_empty() || (header.len() == 1 && header[0].trim_ascii().is_empty()) {
        return Err(IngestError::Empty {
            file,
            expected: expected(),
        });
    }
    let names: Vec<String> = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    let mut positions = Vec::with_capacity(columns.len());
    for column in columns {
        let found = names
            .iter()
            .position(|n| column.names.iter().any(|want| n.eq_ignore_ascii_case(want)));
        match found {
            Some(p) => positions.push(p),
            None => {
                return Err(IngestError::MissingColumn {
                    file,
                    column: column.names.join("\" or \""),
                    found: names.join(", "),
                });
            }
        }
    }

    let mut record = ByteRecord::new();
    let mut outcome = Outcome {
        rows_read: 0,
        skipped: Vec::new(),
        skipped_total: 0,
    };
    let mut total_errors = 0usize;
    let mut listed = Vec::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(&file, e)),
        }
        let line = record.position().map_or(0, |p| p.line());
        // A blank line in the middle of a file is not a row.
        if record.len() == 1 && record[0].trim_ascii().is_empty() {
            continue;
        }
        outcome.rows_read += 1;
        let result = if record.len() != names.len() {
            Err(RowError {
                file: file.clone(),
                line,
                column: None,
                reason: format!(
                    "expected {} fields like the header, found {}",
                    names.len(),
                    record.len()
                ),
                record: record_text(&record),
            })
        } else {
            each(&Row {
                file: &file,
                line,
                record: &record,
                positions: &positions,
                names: &names,
            })
        };
        if let Err(e) = result {
            total_errors += 1;
            match mode {
                Mode::Lenient => {
                    outcome.skipped_total += 1;
                    if let Some(sink) = on_skipped.as_mut() {
                        sink(&e).map_err(|source| IngestError::Io {
                            file: file.clone(),
                            source,
                        })?;
                    }
                    if outcome.skipped.len() < MAX_KEPT_SKIPPED {
                        outcome.skipped.push(e);
                    }
                }
                Mode::Strict if listed.len() < MAX_LISTED_ERRORS => listed.push(e),
                Mode::Strict => {}
            }
        }
    }
    if total_errors > 0 && mode == Mode::Strict {
        return Err(IngestError::InvalidRows {
            file,
            errors: listed,
            total: total_errors,
        });
    }
    Ok(outcome)
}

fn csv_error(file: &str, e: csv::Error) -> IngestError {
    let line = e.position().map(|p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(source) => IngestError::Io {
            file: file.to_string(),
            source,
        },
        other => IngestError::InvalidRows {
            file: file.to_string(),
            errors: vec![RowError {
                file: file.to_string(),
                line: line.unwrap_or(0),
                column: None,
                reason: csv_reason(&other),
                record: String::new(),
            }],
            total: 1,
        },
    }
}

/// What a CSV-level failure means, in words (never Rust debug text).
fn csv_reason(kind: &csv::ErrorKind) -> String {
    match kind {
        csv::ErrorKind::Utf8 { .. } => "the header is not valid UTF-8".to_string(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("expected {expected_len} fields like the header, found {len}"),
        _ => "this is not readable as CSV".to_string(),
    }
}
