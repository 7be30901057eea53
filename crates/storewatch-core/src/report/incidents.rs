//! Incidents (SPEC section 3, step 8): maximal runs of consecutive inactive
//! candidate polls, with the downtime they account for.
//!
//! Each candidate colours the open time nearest to it, from the midpoint with
//! the candidate before to the midpoint with the one after. A run of inactive
//! candidates therefore owns one stretch of time, from the midpoint before its
//! first poll to the midpoint after its last; its downtime is the open time of
//! the week inside that stretch. Closed time in the middle does not split it:
//! only an active candidate does.

use crate::domain::Poll;

use super::interpolate::HalfMicros;
use super::schedule::Interval;

/// One incident of a store within the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Incident {
    /// The first instant of its downtime, in half-microseconds since the epoch
    /// (the midpoint of two polls can fall on a half microsecond).
    pub start: HalfMicros,
    /// Just after the last instant of its downtime, in half-microseconds.
    pub end: HalfMicros,
    /// Open time in the week that takes its status from the incident's polls.
    pub downtime: HalfMicros,
    /// Its last poll is the store's last candidate: not over at the report time.
    pub ongoing: bool,
    /// How many inactive polls it is made of.
    pub inactive_polls: u32,
}

/// The incidents of a store in `week`, in time order, given its merged open
/// intervals and its candidate polls (sorted by time). An incident with no
/// downtime inside the week is left out.
pub fn incidents(open: &[Interval], candidates: &[Poll], week: Interval) -> Vec<Incident> {
    let n = candidates.len();
    // Where candidate i's time ends: its midpoint with the next, doubled.
    let boundary = |i: usize| {
        if i + 1 < n {
            candidates[i].ts + candidates[i + 1].ts
        } else {
            HalfMicros::MAX
        }
    };
    let (week_start, week_end) = (2 * week.start, 2 * week.end);
    let mut out = Vec::new();
    // Runs come in time order, so the first open interval worth looking at
    // only moves forward.
    let mut k = 0;
    let mut i = 0;
    while i < n {
        if candidates[i].status.is_active() {
            i += 1;
            continue;
        }
        let first = i;
        while i < n && !candidates[i].status.is_active() {
            i += 1;
        }
        let last = i - 1;
        let from = if first == 0 {
            week_start
        } else {
            boundary(first - 1).max(week_start)
        };
        let to = boundary(last).min(week_end);
        while k < open.len() && 2 * open[k].end <= from {
            k += 1;
        }
        let mut incident = Incident {
            start: 0,
            end: 0,
            downtime: 0,
            ongoing: last + 1 == n,
            inactive_polls: u32::try_from(i - first).unwrap_or(u32::MAX),
        };
        for iv in open[k..].iter().take_while(|iv| 2 * iv.start < to) {
            let (a, b) = ((2 * iv.start).max(from), (2 * iv.end).min(to));
            if a < b {
                if incident.downtime == 0 {
                    incident.start = a;
                }
                incident.downtime += b - a;
                incident.end = b;
            }
        }
        if incident.downtime > 0 {
            out.push(incident);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::MICROS_PER_HOUR;
    use crate::domain::Status::{Active, Inactive};

    const H: i64 = MICROS_PER_HOUR;

    fn poll(h: i64, active: bool) -> Poll {
        Poll {
            ts: h * H,
            status: if active { Active } else { Inactive },
        }
    }

    #[test]
    fn a_run_of_inactive_polls_is_one_incident_from_midpoint_to_midpoint() {
        let open = [Interval::new(0, 100 * H)];
        let polls = [
            poll(10, true),
            poll(20, false),
            poll(30, false),
            poll(40, true),
        ];
        let got = incidents(&open, &polls, Interval::new(0, 100 * H));
        assert_eq!(
            got,
            vec![Incident {
                start: 2 * 15 * H,
                end: 2 * 35 * H,
                downtime: 2 * 20 * H,
                ongoing: false,
                inactive_polls: 2,
            }]
        );
    }

    #[test]
    fn closed_time_inside_does_not_split_it_and_is_not_downtime() {
        let open = [Interval::new(0, 22 * H), Interval::new(28 * H, 100 * H)];
        let polls = [poll(10, true), poll(20, false), poll(30, false)];
        let got = incidents(&open, &polls, Interval::new(0, 50 * H));
        assert_eq!(got.len(), 1);
        let i = got[0];
        assert_eq!((i.start, i.end), (2 * 15 * H, 2 * 50 * H));
        assert_eq!(i.downtime, 2 * (7 + 22) * H);
        assert!(i.ongoing);
        assert_eq!(i.inactive_polls, 2);
    }

    #[test]
    fn the_first_incident_reaches_back_to_the_week_start_and_stops_at_its_end() {
        let open = [Interval::new(-50 * H, 200 * H)];
        let polls = [poll(5, false), poll(9, true), poll(11, false)];
        let got = incidents(&open, &polls, Interval::new(0, 20 * H));
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].start, got[0].end), (0, 2 * 7 * H));
        assert!(!got[0].ongoing);
        assert_eq!((got[1].start, got[1].end), (2 * 10 * H, 2 * 20 * H));
        assert!(got[1].ongoing);
    }

    #[test]
    fn an_incident_without_open_time_in_the_week_is_not_counted() {
        // A poll exactly at T, where an opening starts: within the week it
        // owns [12.5h, 20h), all of it closed.
        let open = [Interval::new(0, 10 * H), Interval::new(20 * H, 30 * H)];
        let polls = [poll(5, true), poll(20, false)];
        assert_eq!(incidents(&open, &polls, Interval::new(0, 20 * H)), vec![]);
    }

    #[test]
    fn midpoints_on_half_microseconds_are_exact() {
        let open = [Interval::new(0, 100)];
        let polls = [
            Poll {
                ts: 10,
                status: Active,
            },
            Poll {
                ts: 13,
                status: Inactive,
            },
        ];
        let got = incidents(&open, &polls, Interval::new(0, 100));
        // The boundary is 11.5 µs: 23 half-microseconds.
        assert_eq!((got[0].start, got[0].end, got[0].downtime), (23, 200, 177));
    }
}
