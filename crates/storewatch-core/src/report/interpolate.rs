//! Nearest-poll interpolation (SPEC section 3, steps 3–5).
//!
//! Every open instant takes the status of the nearest candidate poll; the
//! boundary between two polls is their midpoint. Midpoints of microsecond
//! timestamps are exact in *half*-microseconds, so all lengths here are in
//! half-microseconds and nothing is ever rounded until the final two decimals.

use crate::domain::{MICROS_PER_HOUR, Micros, Poll};

use super::schedule::Interval;

/// A length of time, or an instant, in half-microseconds.
pub type HalfMicros = i64;

/// The microsecond an instant in half-microseconds falls in (a midpoint
/// between two polls is shown to the microsecond, rounded down).
pub fn to_micros(half: HalfMicros) -> Micros {
    half.div_euclid(2)
}

/// Up and down time within one window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub up: HalfMicros,
    pub down: HalfMicros,
}

/// The three report windows, each ending at the report time T.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// `[T − 1 h, T)`, reported in minutes.
    Hour,
    /// `[T − 24 h, T)`, reported in hours.
    Day,
    /// `[T − 7 d, T)`, reported in hours.
    Week,
}

impl Window {
    pub const ALL: [Window; 3] = [Window::Hour, Window::Day, Window::Week];

    pub const fn length(self) -> Micros {
        match self {
            Window::Hour => MICROS_PER_HOUR,
            Window::Day => 24 * MICROS_PER_HOUR,
            Window::Week => 7 * 24 * MICROS_PER_HOUR,
        }
    }

    /// The unit the report writes this window's figures in.
    pub const fn unit(self) -> Micros {
        match self {
            Window::Hour => MICROS_PER_HOUR / 60,
            Window::Day | Window::Week => MICROS_PER_HOUR,
        }
    }

    /// The window `[as_of − length, as_of)`.
    pub fn ending_at(self, as_of: Micros) -> Interval {
        Interval::new(as_of - self.length(), as_of)
    }
}

/// The six figures of one store, by window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub hour: Tally,
    pub day: Tally,
    pub week: Tally,
}

impl Figures {
    pub fn get(&self, window: Window) -> Tally {
        match window {
            Window::Hour => self.hour,
            Window::Day => self.day,
            Window::Week => self.week,
        }
    }

    fn get_mut(&mut self, window: Window) -> &mut Tally {
        match window {
            Window::Hour => &mut self.hour,
            Window::Day => &mut self.day,
            Window::Week => &mut self.week,
        }
    }
}

/// The figures of one store at report time `as_of`, given its merged open
/// intervals (which must cover `[as_of − 7 d, as_of]`) and its candidate
/// polls (see [`candidates`]).
pub fn figures(open: &[Interval], candidates: &[Poll], as_of: Micros) -> Figures {
    let mut out = Figures::default();
    if candidates.is_empty() {
        return out;
    }
    for window in Window::ALL {
        *out.get_mut(window) = tally(open, candidates, window.ending_at(as_of));
    }
    out
}

/// Length of `open ∩ window`, in microseconds.
pub fn open_length(open: &[Interval], window: Interval) -> Micros {
    open.iter().map(|iv| iv.intersect(&window).len()).sum()
}

/// Polls with `from ≤ t ≤ to` that lie inside an open interval. Both inputs
/// are sorted, so one merge-like pass suffices.
pub fn candidates(open: &[Interval], polls: &[Poll], from: Micros, to: Micros) -> Vec<Poll> {
    let mut out = Vec::new();
    let mut i = 0;
    for poll in polls.iter().filter(|p| from <= p.ts && p.ts <= to) {
        while i < open.len() && open[i].end <= poll.ts {
            i += 1;
        }
        if i < open.len() && open[i].contains(poll.ts) {
            out.push(*poll);
        }
    }
    out
}

/// Up and down time within `open ∩ window`, each instant taking the status of
/// the nearest candidate.
fn tally(open: &[Interval], candidates: &[Poll], window: Interval) -> Tally {
    let mut t = Tally::default();
    coloured(open, candidates, window, |from, to, up| {
        if up {
            t.up += to - from;
        } else {
            t.down += to - from;
        }
    });
    t
}

/// Calls `each(from, to, up)` for the stretches of `open ∩ window`, in time
/// order and in half-microseconds, each coloured by one candidate: the
/// nearest (the boundary between two is their midpoint). Candidates sorted
/// by time; none, no call.
pub(crate) fn coloured(
    open: &[Interval],
    candidates: &[Poll],
    window: Interval,
    mut each: impl FnMut(HalfMicros, HalfMicros, bool),
) {
    let n = candidates.len();
    if n == 0 {
        return;
    }
    // The boundary after candidate i, in half-microseconds: t_i + t_{i+1}
    // is twice their midpoint. The last candidate's segment never ends.
    let boundary = |i: usize| {
        if i + 1 < n {
            candidates[i].ts + candidates[i + 1].ts
        } else {
            HalfMicros::MAX
        }
    };
    let mut i = 0;
    for iv in open {
        let part = iv.intersect(&window);
        if part.is_empty() {
            continue;
        }
        let (mut at, end) = (2 * part.start, 2 * part.end);
        while boundary(i) <= at {
            i += 1;
        }
        while at < end {
            let stop = boundary(i).min(end);
            each(at, stop, candidates[i].status.is_active());
            at = stop;
            if at == boundary(i) {
                i += 1;
            }
        }
    }
}

/// A length in hundredths of `unit_micros`, rounded half up, exactly.
pub fn hundredths(length: HalfMicros, unit_micros: Micros) -> i64 {
    let unit = 2 * unit_micros;
    (length * 200 + unit) / (2 * unit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Status::{Active, Inactive};

    const H: Micros = MICROS_PER_HOUR;

    fn poll(ts: Micros, status: crate::domain::Status) -> Poll {
        Poll { ts, status }
    }

    /// Figures as the report computes them: candidates first.
    fn figures(open: &[Interval], polls: &[Poll], as_of: Micros) -> Figures {
        let week = Window::Week.ending_at(as_of);
        super::figures(open, &candidates(open, polls, week.start, as_of), as_of)
    }

    #[test]
    fn one_poll_colours_all_open_time() {
        let open = [Interval::new(0, 200 * H)];
        let f = figures(&open, &[poll(100 * H, Inactive)], 170 * H);
        assert_eq!(f.hour, Tally { up: 0, down: 2 * H });
        assert_eq!(
            f.week,
            Tally {
                up: 0,
                down: 2 * 168 * H
            }
        );
    }

    #[test]
    fn the_boundary_between_two_polls_is_their_midpoint() {
        let open = [Interval::new(0, 200 * H)];
        let polls = [poll(160 * H, Inactive), poll(161 * H, Active)];
        let f = figures(&open, &polls, 170 * H);
        // Week = [2h, 170h): inactive until 160.5h, active after.
        assert_eq!(
            f.week,
            Tally {
                down: 2 * (160 * H + H / 2 - 2 * H),
                up: 2 * (9 * H + H / 2)
            }
        );
    }

    #[test]
    fn polls_outside_business_hours_or_the_week_are_not_candidates() {
        let open = [Interval::new(10, 20), Interval::new(30, 40)];
        let polls = [
            poll(5, Active),
            poll(10, Active),
            poll(20, Active),
            poll(39, Inactive),
            poll(40, Active),
        ];
        let got = candidates(&open, &polls, 0, 100);
        assert_eq!(got, vec![poll(10, Active), poll(39, Inactive)]);
        assert_eq!(candidates(&open, &polls, 11, 38), vec![]);
    }

    #[test]
    fn a_poll_exactly_at_as_of_counts() {
        let open = [Interval::new(0, 300 * H)];
        let f = figures(&open, &[poll(170 * H, Active)], 170 * H);
        assert_eq!(f.hour.up, 2 * H);
    }

    #[test]
    fn no_candidate_means_all_zeros() {
        let open = [Interval::new(0, 10 * H)];
        assert_eq!(
            figures(&open, &[poll(20 * H, Active)], 170 * H),
            Figures::default()
        );
    }

    #[test]
    fn time_outside_business_hours_counts_for_neither() {
        let open = [
            Interval::new(165 * H, 166 * H),
            Interval::new(168 * H, 169 * H),
        ];
        let polls = [poll(165 * H, Active), poll(169 * H - 1, Inactive)];
        let f = figures(&open, &polls, 170 * H);
        // Midpoint at 167h is outside hours: first hour up, second down.
        assert_eq!(
            f.day,
            Tally {
                up: 2 * H,
                down: 2 * H
            }
        );
    }

    #[test]
    fn hundredths_round_half_up_exactly() {
        let minute = 60_000_000;
        assert_eq!(hundredths(2 * 60 * minute, minute), 6000);
        // 0.125 h is a tie: rounds up to 0.13.
        assert_eq!(hundredths(2 * H / 8, H), 13);
        assert_eq!(hundredths(2 * H / 8 - 1, H), 12);
        assert_eq!(hundredths(0, H), 0);
    }
}
