//! The report as CSV (SPEC section 3, steps 6 and 9): hour figures in
//! minutes, day and week figures in hours, each with exactly two decimals;
//! the extended columns after them on request.

use std::io;

use crate::domain::MICROS_PER_HOUR;

use super::input::{Report, ReportRow};
use super::interpolate::{HalfMicros, Window, hundredths};

pub const CSV_HEADER: [&str; 7] = [
    "store_id",
    "uptime_last_hour",
    "uptime_last_day",
    "uptime_last_week",
    "downtime_last_hour",
    "downtime_last_day",
    "downtime_last_week",
];

/// The extended columns, in order, after [`CSV_HEADER`].
pub const EXTENDED_HEADER: [&str; 4] = [
    "open_last_week",
    "polls_last_week",
    "incidents_last_week",
    "longest_incident_last_week",
];

/// Which columns a report's CSV carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Columns {
    /// The seven columns of SPEC section 3, step 6.
    #[default]
    Standard,
    /// The seven, then the four of step 9.
    Extended,
}

impl Columns {
    pub fn parse(text: &str) -> Result<Columns, String> {
        match text {
            "standard" => Ok(Columns::Standard),
            "extended" => Ok(Columns::Extended),
            other => Err(format!("columns {other:?}: expected standard or extended")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Columns::Standard => "standard",
            Columns::Extended => "extended",
        }
    }

    pub fn header(self) -> Vec<&'static str> {
        let mut h = CSV_HEADER.to_vec();
        if self == Columns::Extended {
            h.extend(EXTENDED_HEADER);
        }
        h
    }
}

/// Writes the report as CSV with the given columns.
pub fn write_csv<W: io::Write>(report: &Report, columns: Columns, out: W) -> io::Result<()> {
    write_csv_part(report, columns, Header::Write, out)
}

/// Whether a CSV part starts with the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    Write,
    Omit,
}

/// Writes the report's rows as CSV, after the header if asked for. The
/// parts of a report split by store ranges, the first with its header and
/// the others without, joined in range order, are the report's CSV byte for
/// byte (rows are in store-id order, and each record ends its own line).
pub fn write_csv_part<W: io::Write>(
    report: &Report,
    columns: Columns,
    header: Header,
    out: W,
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    if header == Header::Write {
        w.write_record(columns.header())?;
    }
    let mut fields: Vec<String> = vec![String::new(); columns.header().len() - 1];
    for row in &report.rows {
        fill(row, columns, &mut fields);
        w.write_field(&row.store_id)?;
        w.write_record(&fields)?;
    }
    w.flush()
}

/// A row's fields as the CSV writes them, each after its column's name,
/// the store id first: for answers that show one store's row, so they
/// agree with the CSV to the digit.
pub fn named_fields(row: &ReportRow, columns: Columns) -> Vec<(&'static str, String)> {
    let header = columns.header();
    let mut fields = vec![String::new(); header.len() - 1];
    fill(row, columns, &mut fields);
    header
        .into_iter()
        .zip(std::iter::once(row.store_id.clone()).chain(fields))
        .collect()
}

/// A row's fields after the store id.
fn fill(row: &ReportRow, columns: Columns, fields: &mut [String]) {
    for (i, window) in Window::ALL.into_iter().enumerate() {
        let tally = row.figures.get(window);
        fields[i] = two_decimals(hundredths(tally.up, window.unit()));
        fields[i + 3] = two_decimals(hundredths(tally.down, window.unit()));
    }
    if columns == Columns::Extended {
        let e = &row.extended;
        let open: HalfMicros = 2 * e.open;
        fields[6] = two_decimals(hundredths(open, MICROS_PER_HOUR));
        fields[7] = e.polls.to_string();
        fields[8] = e.incidents.to_string();
        fields[9] = two_decimals(hundredths(e.longest_incident, MICROS_PER_HOUR));
    }
}

/// A report CSV with the extended columns cut down to `columns`: the
/// standard columns are the first seven of each record.
pub fn select_columns(extended_csv: &str, columns: Columns) -> io::Result<String> {
    if columns == Columns::Extended {
        return Ok(extended_csv.to_string());
    }
    let keep = CSV_HEADER.len();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(extended_csv.as_bytes());
    let mut w = csv::Writer::from_writer(Vec::with_capacity(extended_csv.len()));
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record)? {
        w.write_record(record.iter().take(keep))?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    String::from_utf8(bytes).map_err(io::Error::other)
}

pub fn to_csv_string(report: &Report, columns: Columns) -> String {
    to_csv_part_string(report, columns, Header::Write)
}

/// [`write_csv_part`] into a string.
pub fn to_csv_part_string(report: &Report, columns: Columns, header: Header) -> String {
    let mut buf = Vec::new();
    write_csv_part(report, columns, header, &mut buf).expect("writing to memory cannot fail");
    String::from_utf8(buf).expect("store ids are UTF-8")
}

pub(crate) fn two_decimals(hundredths: i64) -> String {
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}
