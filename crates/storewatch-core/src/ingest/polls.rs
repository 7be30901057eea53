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

/// Rows handed from the thread that reads and checks a file to the one
/// that interns its store ids and sets its polls aside.
const BATCH_ROWS: usize = 16 * 1024;

/// Valid rows of a file, in file order: store ids one after the other in
/// `ids`, the `n`-th ending at `ends[n]`.
#[derive(Default)]
struct Batch {
    ids: String,
    ends: Vec<usize>,
    polls: Vec<Poll>,
}

/// Parses a polls file into `runs`, on two threads: this one reads and
/// checks the rows (in file order, so errors are found and listed exactly
/// as on one thread), a second one interns the store ids and sets the
/// polls aside, one batch behind.
pub fn parse_polls_into(
    source: Source,
    mode: Mode,
    runs: PollRuns,
) -> Result<PollFile, IngestError> {
    let label = source.label.clone();
    std::thread::scope(|scope| {
        let (to_intern, batches) = std::sync::mpsc::sync_channel::<Batch>(4);
        let interning = scope.spawn(move || intern(batches, runs));
        let mut batch = Batch::default();
        let outcome = read_rows(source, &COLUMNS, mode, |row| {
            let id = row.parse(0, parse_store_id)?;
            let status = row.parse(1, Status::parse)?;
            let ts = row.parse(2, parse_timestamp)?;
            batch.ids.push_str(id);
            batch.ends.push(batch.ids.len());
            batch.polls.push(Poll { ts, status });
            if batch.polls.len() == BATCH_ROWS {
                // The interning thread only stops early when it panicked,
                // which `join` below reports.
                let _ = to_intern.send(std::mem::take(&mut batch));
            }
            Ok(())
        });
        let _ = to_intern.send(batch);
        drop(to_intern);
        let (store_ids, polls, spill_error) = match interning.join() {
            Ok(done) => done,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        let outcome = outcome?;
        if let Some(source) = spill_error {
            return Err(IngestError::SetAside {
                file: label,
                source,
            });
        }
        Ok(PollFile {
            store_ids,
            polls,
            rows_read: outcome.rows_read,
            skipped: outcome.skipped,
            skipped_total: outcome.skipped_total,
        })
    })
}

/// The interning thread: store ids to indices, in order of first
/// appearance, and every poll into `runs`. Spilling can fail (a full
/// disk); the first such error ends the setting aside.
fn intern(
    batches: std::sync::mpsc::Receiver<Batch>,
    mut runs: PollRuns,
) -> (Vec<String>, PollRuns, Option<std::io::Error>) {
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut store_ids: Vec<String> = Vec::new();
    let mut spill_error = None;
    for batch in batches {
        let mut start = 0;
        for (end, poll) in batch.ends.iter().zip(batch.polls) {
            let id = &batch.ids[start..*end];
            start = *end;
            let store = match index.get(id) {
                Some(&i) => i,
                None => {
                    let i = u32::try_from(store_ids.len()).expect("fewer than 4 billion stores");
                    index.insert(id.to_string(), i);
                    store_ids.push(id.to_string());
                    i
                }
            };
            if spill_error.is_none()
                && let Err(e) = runs.push(store, poll)
            {
                spill_error = Some(e);
            }
        }
    }
    (store_ids, runs, spill_error)
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
