//! How both backends store polls: a row per store and UTC day, holding that
//! day's polls as one packed array.
//!
//! A report reads each store's week: with a row per poll that was 1.8
//! million index entries for the real data set, each walked, formatted and
//! parsed again; with a row per store and day it is 8 rows per store
//! (113 thousand), each a few hundred bytes copied as they are. An ingest
//! merges a file's polls into the days they fall on, so it writes a row
//! per store and day too, not per poll.
//!
//! The array is the day's polls sorted by time, one per timestamp, each as
//! `2·ts + active` in 8 bytes big-endian: the order SQLite's
//! `printf('%016x')`/`unhex` and PostgreSQL's `int8send` produce, so the
//! migration from a row per poll is plain SQL on both backends.

use storewatch_core::domain::{Micros, Poll};

use crate::DbError;

/// Microseconds in a UTC day: the unit of the day column.
pub const DAY: Micros = 86_400_000_000;

/// Bytes of one poll in a day's array.
pub const POLL_BYTES: usize = 8;

/// Stored days deleted, from their lengths in bytes: how many days, and how
/// many polls they held.
pub fn days_and_polls(lengths: &[i64]) -> (u64, u64) {
    let bytes: i64 = lengths.iter().sum();
    (lengths.len() as u64, bytes as u64 / POLL_BYTES as u64)
}

/// The day a poll at `ts` is stored under.
pub fn day_of(ts: Micros) -> i64 {
    ts.div_euclid(DAY)
}

fn corrupt() -> DbError {
    DbError::backend(std::io::Error::other(
        "unreadable packed polls in the database",
    ))
}

/// A day's polls (sorted by time, one per timestamp) as stored.
pub fn encode(polls: &[Poll]) -> Vec<u8> {
    let mut out = Vec::with_capacity(polls.len() * POLL_BYTES);
    for p in polls {
        out.extend_from_slice(&p.packed().to_be_bytes());
    }
    out
}

/// The polls of stored days (their arrays one after the other), in order.
fn polls_in(bytes: &[u8]) -> Result<impl Iterator<Item = Poll> + '_, DbError> {
    if !bytes.len().is_multiple_of(POLL_BYTES) {
        return Err(corrupt());
    }
    Ok(bytes
        .chunks_exact(POLL_BYTES)
        .map(|b| Poll::from_packed(i64::from_be_bytes(b.try_into().expect("8 bytes")))))
}

/// The polls with `from ≤ ts ≤ to` of stored days (their arrays one after
/// the other), in one allocation: room for every poll of the days, which is
/// at most a day's worth more than those kept, and cheaper than counting
/// them first (a report decodes millions).
pub fn decode_within(bytes: &[u8], from: Micros, to: Micros) -> Result<Vec<Poll>, DbError> {
    let mut out = Vec::with_capacity(bytes.len() / POLL_BYTES);
    out.extend(polls_in(bytes)?.filter(|p| (from..=to).contains(&p.ts)));
    Ok(out)
}

/// The polls of a stored day.
pub fn decode(bytes: &[u8]) -> Result<Vec<Poll>, DbError> {
    let mut out = Vec::with_capacity(bytes.len() / POLL_BYTES);
    out.extend(polls_in(bytes)?);
    Ok(out)
}

/// Merges `new` polls (sorted by time, one per timestamp) into a stored day
/// `old` (the same): a new poll replaces a stored one at its timestamp.
/// Returns the merged day and how many new polls changed it (new, or a
/// changed status); the day is unchanged when that is 0.
pub fn merge(old: &[Poll], new: &[Poll]) -> (Vec<Poll>, u64) {
    let mut out = Vec::with_capacity(old.len() + new.len());
    let mut changed = 0;
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        match (old.get(i), new.get(j)) {
            (Some(o), Some(n)) if o.ts == n.ts => {
                if o.status != n.status {
                    changed += 1;
                }
                out.push(*n);
                i += 1;
                j += 1;
            }
            (Some(o), Some(n)) if o.ts < n.ts => {
                out.push(*o);
                i += 1;
            }
            (Some(o), None) => {
                out.push(*o);
                i += 1;
            }
            (_, Some(n)) => {
                changed += 1;
                out.push(*n);
                j += 1;
            }
            (None, None) => unreachable!("the loop runs while one has polls"),
        }
    }
    (out, changed)
}

/// The newest poll of stored days (arrays as stored).
pub fn newest<B: AsRef<[u8]>>(days: &[B]) -> Result<Option<Micros>, DbError> {
    let mut newest = None;
    for day in days {
        let bytes = day.as_ref();
        if bytes.is_empty() || !bytes.len().is_multiple_of(POLL_BYTES) {
            return Err(corrupt());
        }
        let last = &bytes[bytes.len() - POLL_BYTES..];
        let ts = Poll::from_packed(i64::from_be_bytes(last.try_into().expect("8 bytes"))).ts;
        newest = newest.max(Some(ts));
    }
    Ok(newest)
}

/// The stored days a deletion of the polls with `from ≤ ts < to` touches:
/// days wholly inside the range (deleted as rows), and at most two days it
/// cuts through (rewritten without the range's polls).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCut {
    /// The first and last day wholly inside, if any.
    pub whole: Option<(i64, i64)>,
    pub partial: Vec<i64>,
}

pub fn cut(from: Micros, to: Micros) -> DayCut {
    if from >= to {
        return DayCut {
            whole: None,
            partial: Vec::new(),
        };
    }
    let day = i128::from(DAY);
    let (from, to) = (i128::from(from), i128::from(to));
    // The first day starting at or after `from`; the last ending by `to`.
    let first = -((-from).div_euclid(day));
    let last = to.div_euclid(day) - 1;
    let clamp = |d: i128| i64::try_from(d).unwrap_or(if d < 0 { i64::MIN } else { i64::MAX });
    let mut partial = Vec::new();
    let (first_touched, last_touched) = (from.div_euclid(day), (to - 1).div_euclid(day));
    if first_touched < first {
        partial.push(clamp(first_touched));
    }
    if last_touched > last {
        partial.push(clamp(last_touched));
    }
    partial.dedup();
    DayCut {
        whole: (first <= last).then(|| (clamp(first), clamp(last))),
        partial,
    }
}

/// A day without its polls of `from ≤ ts < to`, and how many those were.
pub fn remove_range(day: &[Poll], from: Micros, to: Micros) -> (Vec<Poll>, u64) {
    let kept: Vec<Poll> = day
        .iter()
        .filter(|p| !(from..to).contains(&p.ts))
        .copied()
        .collect();
    let removed = (day.len() - kept.len()) as u64;
    (kept, removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use storewatch_core::domain::Status;

    fn poll(ts: i64, active: bool) -> Poll {
        Poll {
            ts,
            status: Status::from_active(active),
        }
    }

    #[test]
    fn a_day_round_trips_through_bytes() {
        let day = [
            poll(0, true),
            poll(5, false),
            poll(7_300_000_000_000_000, true),
        ];
        let bytes = encode(&day);
        assert_eq!(bytes.len(), 24);
        assert_eq!(decode(&bytes).unwrap(), day);
        // Big-endian: the bytes of `2·ts + active` as SQL's hex digits read.
        assert_eq!(bytes[8..16], (2 * 5i64).to_be_bytes());
    }

    #[test]
    fn garbled_days_are_errors() {
        assert!(decode(&[0; 7]).is_err());
        assert!(decode(&[0; 9]).is_err());
    }

    #[test]
    fn merging_replaces_changed_statuses_and_counts_what_changed() {
        let old = [poll(1, true), poll(3, true), poll(5, false)];
        let new = [poll(0, false), poll(3, true), poll(5, true), poll(9, true)];
        let (day, changed) = merge(&old, &new);
        assert_eq!(
            day,
            [
                poll(0, false),
                poll(1, true),
                poll(3, true),
                poll(5, true),
                poll(9, true)
            ]
        );
        assert_eq!(changed, 3);
        assert_eq!(merge(&day, &new).1, 0);
    }

    #[test]
    fn a_deletion_cuts_whole_days_and_at_most_two_partial_ones() {
        let at = |d: i64, h: i64| d * DAY + h * 3_600_000_000;
        // From the middle of day 10 to the middle of day 13.
        assert_eq!(
            cut(at(10, 12), at(13, 12)),
            DayCut {
                whole: Some((11, 12)),
                partial: vec![10, 13]
            }
        );
        // Exactly days 10 to 12.
        assert_eq!(
            cut(at(10, 0), at(13, 0)),
            DayCut {
                whole: Some((10, 12)),
                partial: vec![]
            }
        );
        // Inside one day.
        assert_eq!(
            cut(at(10, 1), at(10, 2)),
            DayCut {
                whole: None,
                partial: vec![10]
            }
        );
        // From a midnight into the next day.
        assert_eq!(
            cut(at(10, 0), at(11, 2)),
            DayCut {
                whole: Some((10, 10)),
                partial: vec![11]
            }
        );
        // Unbounded: every day (the two ends, beyond any stored time, as
        // partial days).
        let (min, max) = (Micros::MIN.div_euclid(DAY), Micros::MAX.div_euclid(DAY));
        assert_eq!(
            cut(Micros::MIN, Micros::MAX),
            DayCut {
                whole: Some((min + 1, max - 1)),
                partial: vec![min, max]
            }
        );
        assert_eq!(cut(5, 5).partial, Vec::<i64>::new());
    }

    #[test]
    fn removing_a_range_keeps_the_rest() {
        let day = [poll(1, true), poll(2, false), poll(3, true)];
        assert_eq!(
            remove_range(&day, 2, 3),
            (vec![poll(1, true), poll(3, true)], 1)
        );
        assert_eq!(remove_range(&day, 0, 10), (vec![], 3));
    }

    #[test]
    fn days_are_utc_days_also_before_1970() {
        assert_eq!(day_of(0), 0);
        assert_eq!(day_of(DAY - 1), 0);
        assert_eq!(day_of(DAY), 1);
        assert_eq!(day_of(-1), -1);
    }
}
