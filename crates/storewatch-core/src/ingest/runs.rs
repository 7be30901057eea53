//! The valid polls of a file in memory that does not grow with the file.
//!
//! A strict ingest applies all or nothing, so every valid poll has to be kept
//! somewhere until the last row is checked. Held in a `Vec`, a 10× file took
//! 1.5 GiB. Here polls are collected in a buffer of at most `run_len`; a full
//! buffer is sorted by (store, time), de-duplicated (the last row of a key
//! wins) and written out as a *run* to a spill store the caller provides (the
//! binary gives anonymous temporary files; the core does no I/O of its own).
//! Reading them back merges the runs into one sorted, de-duplicated stream,
//! a later run winning a key over an earlier one, exactly as if the whole
//! file had been sorted in memory with [`dedup_keep_last`].
//!
//! A file of fewer than `run_len` polls never touches the spill store.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use rayon::slice::ParallelSliceMut;

use crate::domain::{Poll, Status};

/// Somewhere to write a run and read it back from the start.
pub trait SpillFile: Read + Write + Seek + Send {}
impl<T: Read + Write + Seek + Send> SpillFile for T {}

/// Makes a new, empty spill file (e.g. `tempfile::tempfile`).
pub type SpillFactory = Box<dyn FnMut() -> io::Result<Box<dyn SpillFile>> + Send>;

/// Polls held in memory before a run is spilled: 2 Mi polls, 48 MiB, plus as
/// much again while it is sorted. A file of the real data set's size
/// (1.8 M polls) never spills.
pub const DEFAULT_RUN_LEN: usize = 2 << 20;

/// One poll on a spill file: store index (u32) and `2·ts + active` (i64),
/// little-endian.
const RECORD: usize = 12;

/// The polls of one file, as they are pushed; see the module's comment.
pub struct PollRuns {
    run_len: usize,
    buffer: Vec<(u32, Poll)>,
    runs: Vec<Run>,
    spill: Option<SpillFactory>,
    /// Polls pushed (a key pushed twice counts twice).
    pushed: u64,
}

struct Run {
    file: Box<dyn SpillFile>,
    len: u64,
}

impl fmt::Debug for PollRuns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PollRuns")
            .field("pushed", &self.pushed)
            .field("buffered", &self.buffer.len())
            .field("runs", &self.runs.len())
            .finish()
    }
}

impl Default for PollRuns {
    /// Everything in memory: for tests and for sources known to be small.
    fn default() -> PollRuns {
        PollRuns {
            run_len: usize::MAX,
            buffer: Vec::new(),
            runs: Vec::new(),
            spill: None,
            pushed: 0,
        }
    }
}

impl PollRuns {
    /// Spills a run of `run_len` polls (at least 1) to a file from `spill`.
    pub fn spilling(run_len: usize, spill: SpillFactory) -> PollRuns {
        PollRuns {
            run_len: run_len.max(1),
            spill: Some(spill),
            ..PollRuns::default()
        }
    }

    /// Adds a poll of the store with index `store`.
    pub fn push(&mut self, store: u32, poll: Poll) -> io::Result<()> {
        self.buffer.push((store, poll));
        self.pushed += 1;
        if self.buffer.len() >= self.run_len {
            self.spill_buffer()?;
        }
        Ok(())
    }

    /// Polls pushed, a key pushed twice counted twice.
    pub fn len(&self) -> u64 {
        self.pushed
    }

    pub fn is_empty(&self) -> bool {
        self.pushed == 0
    }

    /// How many runs went to the spill store.
    pub fn spilled_runs(&self) -> usize {
        self.runs.len()
    }

    fn spill_buffer(&mut self) -> io::Result<()> {
        let Some(spill) = self.spill.as_mut() else {
            return Ok(());
        };
        dedup_keep_last(&mut self.buffer);
        let mut file = spill()?;
        {
            let mut w = BufWriter::with_capacity(1 << 18, &mut file);
            for (store, poll) in &self.buffer {
                w.write_all(&store.to_le_bytes())?;
                w.write_all(&poll.packed().to_le_bytes())?;
            }
            w.flush()?;
        }
        self.runs.push(Run {
            file,
            len: self.buffer.len() as u64,
        });
        self.buffer.clear();
        Ok(())
    }

    /// The polls sorted by (store, time), one per key: of a key pushed more
    /// than once, the last pushed.
    pub fn into_sorted(mut self) -> io::Result<SortedPolls> {
        dedup_keep_last(&mut self.buffer);
        let mut sources = Vec::with_capacity(self.runs.len() + 1);
        for mut run in self.runs {
            run.file.seek(SeekFrom::Start(0))?;
            sources.push(Source::Spilled {
                reader: BufReader::with_capacity(1 << 16, run.file),
                left: run.len,
            });
        }
        sources.push(Source::Memory(self.buffer.into_iter()));
        let mut merged = SortedPolls {
            heap: BinaryHeap::with_capacity(sources.len()),
            sources,
        };
        for i in 0..merged.sources.len() {
            merged.refill(i)?;
        }
        Ok(merged)
    }

    /// [`PollRuns::into_sorted`], collected: for tests and small sources.
    pub fn into_sorted_vec(self) -> io::Result<Vec<(u32, Poll)>> {
        self.into_sorted()?.collect()
    }
}

enum Source {
    Spilled {
        reader: BufReader<Box<dyn SpillFile>>,
        left: u64,
    },
    Memory(std::vec::IntoIter<(u32, Poll)>),
}

impl Source {
    fn next(&mut self) -> io::Result<Option<(u32, Poll)>> {
        match self {
            Source::Memory(it) => Ok(it.next()),
            Source::Spilled { left: 0, .. } => Ok(None),
            Source::Spilled { reader, left } => {
                let mut record = [0u8; RECORD];
                reader.read_exact(&mut record)?;
                *left -= 1;
                let store = u32::from_le_bytes(record[..4].try_into().expect("4 bytes"));
                let n = i64::from_le_bytes(record[4..].try_into().expect("8 bytes"));
                Ok(Some((store, Poll::from_packed(n))))
            }
        }
    }
}

/// Heap entry: the smallest (store, time) first and, among equal keys, the
/// latest source (the last pushed) first.
type Head = Reverse<(u32, i64, Reverse<usize>, Status)>;

/// The merged, de-duplicated polls of a [`PollRuns`], in (store, time) order.
pub struct SortedPolls {
    sources: Vec<Source>,
    heap: BinaryHeap<Head>,
}

impl SortedPolls {
    fn refill(&mut self, i: usize) -> io::Result<()> {
        if let Some((store, poll)) = self.sources[i].next()? {
            self.heap
                .push(Reverse((store, poll.ts, Reverse(i), poll.status)));
        }
        Ok(())
    }

    fn next_poll(&mut self) -> io::Result<Option<(u32, Poll)>> {
        let Some(Reverse((store, ts, Reverse(i), status))) = self.heap.pop() else {
            return Ok(None);
        };
        self.refill(i)?;
        // The same key from earlier runs: superseded.
        while let Some(Reverse((s, t, Reverse(j), _))) = self.heap.peek() {
            if (*s, *t) != (store, ts) {
                break;
            }
            let j = *j;
            self.heap.pop();
            self.refill(j)?;
        }
        Ok(Some((store, Poll { ts, status })))
    }
}

impl Iterator for SortedPolls {
    type Item = io::Result<(u32, Poll)>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_poll().transpose()
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn memory_spill() -> SpillFactory {
        Box::new(|| Ok(Box::new(io::Cursor::new(Vec::new())) as Box<dyn SpillFile>))
    }

    fn poll(ts: i64, active: bool) -> Poll {
        Poll {
            ts,
            status: Status::from_active(active),
        }
    }

    #[test]
    fn a_later_run_wins_a_key_over_an_earlier_one() {
        let mut runs = PollRuns::spilling(2, memory_spill());
        runs.push(0, poll(10, true)).unwrap();
        runs.push(1, poll(5, true)).unwrap();
        // Second run: the same key as the first poll, now inactive.
        runs.push(0, poll(10, false)).unwrap();
        runs.push(0, poll(-3, true)).unwrap();
        runs.push(1, poll(5, false)).unwrap();
        assert_eq!(runs.spilled_runs(), 2);
        assert_eq!(runs.len(), 5);
        assert_eq!(
            runs.into_sorted_vec().unwrap(),
            [
                (0, poll(-3, true)),
                (0, poll(10, false)),
                (1, poll(5, false))
            ]
        );
    }

    #[test]
    fn without_a_spill_store_everything_stays_in_memory() {
        let mut runs = PollRuns::default();
        let mut want = Vec::new();
        for i in 0..10_000u32 {
            let p = poll(i64::from(i % 1000), i % 3 == 0);
            want.push((i % 7, p));
            runs.push(i % 7, p).unwrap();
        }
        dedup_keep_last(&mut want);
        assert_eq!(runs.spilled_runs(), 0);
        assert_eq!(runs.into_sorted_vec().unwrap(), want);
    }

    #[test]
    fn a_failing_spill_store_is_an_error_not_a_loss() {
        let mut runs = PollRuns::spilling(1, Box::new(|| Err(io::Error::other("disk full"))));
        assert!(runs.push(0, poll(1, true)).is_err());
    }

    proptest! {
        /// However the polls are cut into runs, the merge equals sorting the
        /// whole file in memory and keeping the last row of each key.
        #[test]
        fn merging_runs_equals_sorting_everything(
            rows in proptest::collection::vec((0u32..5, -20i64..20, any::<bool>()), 0..300),
            run_len in 1usize..40,
        ) {
            let mut want: Vec<(u32, Poll)> =
                rows.iter().map(|&(s, t, a)| (s, poll(t, a))).collect();
            dedup_keep_last(&mut want);
            let mut runs = PollRuns::spilling(run_len, memory_spill());
            for &(s, t, a) in &rows {
                runs.push(s, poll(t, a)).unwrap();
            }
            prop_assert_eq!(runs.len(), rows.len() as u64);
            prop_assert_eq!(runs.into_sorted_vec().unwrap(), want);
        }
    }
}
