use super::error::{IngestError, RowError};
use super::kinds::Mode;
use super::runs::PollRuns;
use super::source::Source;
use super::store_ids::StoreIds;
use super::table::{Column, STORE_ID, read_rows};
use crate::domain::{
    LAST_TIMESTAMP, MICROS_PER_SECOND, Micros, Poll, Status, check_store_id, format_timestamp_real,
    parse_timestamp,
};

/// The valid rows of a polls file. Store ids are interned: a file names
/// 14 thousand stores 1.8 million times.
#[derive(Debug, Default)]
pub struct PollFile {
    /// Distinct store ids, exactly as written (never through a number), in
    /// order of first appearance.
    pub store_ids: StoreIds,
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
    STORE_ID,
    Column::new(&["status"]),
    Column::new(&["timestamp_utc"]),
];

/// The newest poll a file may hold: the ingesting machine's clock plus a
/// tolerance (SPEC section 2). A poll later than that is an invalid row: it
/// cannot have been observed yet, and stored it would become every default
/// report's time T.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewestAllowed {
    /// The clock when the ingest started.
    pub now: Micros,
    /// How far past `now` a poll may be (clocks differ a little).
    pub tolerance: Micros,
}

impl NewestAllowed {
    /// No limit beyond the timestamp parser's own (year 2200): for tests
    /// and data made here.
    pub const ANY: NewestAllowed = NewestAllowed {
        now: LAST_TIMESTAMP,
        tolerance: 0,
    };

    /// `text`, parsed, if it is no later than allowed.
    fn parse(self, text: &str) -> Result<Micros, String> {
        let ts = parse_timestamp(text).map_err(|e| e.to_string())?;
        if ts <= self.now.saturating_add(self.tolerance) {
            return Ok(ts);
        }
        let mut clock = String::new();
        format_timestamp_real(self.now, &mut clock);
        Err(format!(
            "{text:?} is in the future: later than this machine's clock ({clock}) plus the tolerance of {} (--max-future)",
            tolerance_text(self.tolerance),
        ))
    }
}

/// A tolerance as a person writes it: `1h`, `90s`, `1h 30m`.
fn tolerance_text(micros: Micros) -> String {
    let seconds = micros / MICROS_PER_SECOND;
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(format!("{h}h"));
    }
    if m > 0 {
        parts.push(format!("{m}m"));
    }
    if s > 0 || parts.is_empty() {
        parts.push(format!("{s}s"));
    }
    parts.join(" ")
}

/// Parses a polls file, holding its polls in memory (for small sources and
/// tests; an ingest spills them with [`parse_polls_into`]).
pub fn parse_polls(
    source: Source,
    mode: Mode,
    newest: NewestAllowed,
) -> Result<PollFile, IngestError> {
    parse_polls_into(source, mode, newest, PollRuns::default())
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
    newest: NewestAllowed,
    runs: PollRuns,
) -> Result<PollFile, IngestError> {
    let label = source.label.clone();
    std::thread::scope(|scope| {
        let (to_intern, batches) = std::sync::mpsc::sync_channel::<Batch>(4);
        let interning = scope.spawn(move || intern(batches, runs));
        let mut batch = Batch::default();
        let outcome = read_rows(source, &COLUMNS, mode, |row| {
            let id = row.parse(0, check_store_id)?;
            let status = row.parse(1, Status::parse)?;
            let ts = row.parse(2, |text| newest.parse(text))?;
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
) -> (StoreIds, PollRuns, Option<std::io::Error>) {
    let mut store_ids = StoreIds::default();
    let mut spill_error = None;
    for batch in batches {
        let mut start = 0;
        for (end, poll) in batch.ends.iter().zip(batch.polls) {
            let id = &batch.ids[start..*end];
            start = *end;
            let store = store_ids.intern(id);
            if spill_error.is_none()
                && let Err(e) = runs.push(store, poll)
            {
                spill_error = Some(e);
            }
        }
    }
    (store_ids, runs, spill_error)
}
