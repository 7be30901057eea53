use std::collections::HashMap;

use rayon::slice::ParallelSliceMut;

use super::runs::PollRuns;
use super::table::{Column, read_rows};
use super::{IngestError, Mode, RowError, Source};
use crate::domain::{Poll, Status, parse_store_id, parse_timestamp};

/// The valid rows of a polls file. Store ids are interned: a file names
/// 14 thousand stores 1.8 million times.
#[derive(Debug, Default)]
pub struct PollFile {
    /// Distinct store ids, exactly as written (never through a number).
    pub store_ids: Vec<String>,
    /// (index into `store_ids`, poll): sorted and de-duplicated on the way
    /// out, in memory that does not grow with the file (see [`PollRuns`]).
    pub polls: PollRuns,
    pub rows_read: usize,
    /// Invalid rows (lenient mode only).
    pub skipped: Vec<RowError>,
    /// All rows skipped; `skipped` keeps the first of them.
    pub skipped_total: usize,
}

const COLUMNS: [Column; 3] = [
    Column {
        names: &["store_id"],
    },
    Column { names: &["status"] },
    Column {
        names: &["timestamp_utc"],
    },
];

/// Parses a polls file, holding its polls in memory (for small sources and
/// tests; an ingest spills them with [`parse_polls_into`]).
pub fn parse_polls(source: Source, mode: Mode) -> Result<PollFile, IngestError> {
    parse_polls_into(source, mode, PollRuns::default())
}

/// Parses a polls file into `runs`.
pub fn parse_polls_into(
    source: Source,
    mode: Mode,
    runs: PollRuns,
) -> Result<PollFile, IngestError> {
    let label = source.label.clone();
    let mut out = PollFile {
        polls: runs,
        ..PollFile::default()
    };
    let mut index: HashMap<String, u32> = HashMap::new();
    // Spilling can fail (a full disk); the first such error ends the file.
    let mut spill_error = None;
    let outcome = read_rows(source, &COLUMNS, mode, |row| {
        let id = row.parse(0, parse_store_id)?;
        let status = row.parse(1, Status::parse)?;
        let ts = row.parse(2, parse_timestamp)?;
        let store = match index.get(id) {
            Some(&i) => i,
            None => {
                let i = u32::try_from(out.store_ids.len()).expect("fewer than 4 billion stores");
                index.insert(id.to_string(), i);
                out.store_ids.push(id.to_string());
                i
            }
        };
        if spill_error.is_none()
            && let Err(e) = out.polls.push(store, Poll { ts, status })
        {
            spill_error = Some(e);
        }
        Ok(())
    })?;
    if let Some(source) = spill_error {
        return Err(IngestError::SetAside {
            file: label,
            source,
        });
    }
    out.rows_read = outcome.rows_read;
    out.skipped = outcome.skipped;
    out.skipped_total = outcome.skipped_total;
    Ok(out)
}

/// Sorts polls by (key, time) and keeps, for a key written twice, the row that
/// came last in the file. Sorting first also makes the database's inserts
/// sequential, which is what makes them fast.
pub fn dedup_keep_last<K: Ord + Copy + Send>(polls: &mut Vec<(K, Poll)>) {
    // A stable sort keeps file order among equal keys…
    polls.par_sort_by_key(|(k, p)| (*k, p.ts));
    // …so the last of a run of equal keys is the one to keep.
    let mut write = 0;
    for read in 0..polls.len() {
        if read + 1 < polls.len()
            && polls[read + 1].0 == polls[read].0
            && polls[read + 1].1.ts == polls[read].1.ts
        {
            continue;
        }
        polls[write] = polls[read];
        write += 1;
    }
    polls.truncate(write);
}
