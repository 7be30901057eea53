//! A store's week as bands of up and down time: the open time each candidate
//! poll colours (SPEC section 3: every instant takes the status of the
//! nearest candidate). What a store's page draws; summed over a window the
//! bands give exactly the report's figures.

use crate::domain::Poll;

use super::interpolate::{HalfMicros, Tally, coloured};
use super::schedule::Interval;

/// A stretch of open time with one status, in half-microseconds since the
/// epoch (a midpoint between two polls can fall on a half microsecond).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub start: HalfMicros,
    pub end: HalfMicros,
    /// Coloured by an active candidate.
    pub up: bool,
}

impl Segment {
    pub fn len(&self) -> HalfMicros {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// The bands of `open ∩ window`, in time order, each as long as possible
/// (neighbours with the same status and no closed time between are one).
/// `candidates` must be sorted by time; none means no band (no observation).
pub fn segments(open: &[Interval], candidates: &[Poll], window: Interval) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    coloured(open, candidates, window, |start, end, up| {
        match out.last_mut() {
            Some(last) if last.end == start && last.up == up => last.end = end,
            _ => out.push(Segment { start, end, up }),
        }
    });
    out
}

/// Up and down time of `segments` inside `window`: the report's tally.
pub fn tally_of(segments: &[Segment], window: Interval) -> Tally {
    let (from, to) = (2 * window.start, 2 * window.end);
    let mut t = Tally::default();
    for s in segments {
        let len = (s.end.min(to) - s.start.max(from)).max(0);
        if s.up {
            t.up += len;
        } else {
            t.down += len;
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::MICROS_PER_HOUR as H;
    use crate::domain::Status::{Active, Inactive};
    use crate::report::{Window, candidates, figures};

    fn poll(ts: i64, status: crate::domain::Status) -> Poll {
        Poll { ts, status }
    }

    #[test]
    fn bands_meet_at_midpoints_and_stop_at_closed_time() {
        let open = [Interval::new(0, 10 * H), Interval::new(12 * H, 20 * H)];
        let polls = [poll(H, Active), poll(3 * H, Inactive), poll(19 * H, Active)];
        let got = segments(&open, &polls, Interval::new(0, 20 * H));
        assert_eq!(
            got,
            vec![
                Segment {
                    start: 0,
                    end: 4 * H,
                    up: true
                },
                // The inactive poll colours up to its midpoint with 19h
                // (11h): through the rest of the first interval only.
                Segment {
                    start: 4 * H,
                    end: 20 * H,
                    up: false
                },
                Segment {
                    start: 24 * H,
                    end: 40 * H,
                    up: true
                },
            ]
        );
    }

    #[test]
    fn same_status_across_a_poll_is_one_band() {
        let open = [Interval::new(0, 10 * H)];
        let polls = [poll(2 * H, Active), poll(5 * H, Active)];
        let got = segments(&open, &polls, Interval::new(0, 10 * H));
        assert_eq!(
            got,
            vec![Segment {
                start: 0,
                end: 20 * H,
                up: true
            }]
        );
        assert!(segments(&open, &[], Interval::new(0, 10 * H)).is_empty());
    }

    #[test]
    fn summed_over_each_window_the_bands_are_the_figures() {
        let open = [
            Interval::new(0, 30 * H),
            Interval::new(50 * H, 90 * H),
            Interval::new(100 * H + 7, 170 * H),
        ];
        let polls = [
            poll(10 * H + 3, Inactive),
            poll(60 * H, Active),
            poll(61 * H + 1, Inactive),
            poll(150 * H, Active),
            poll(169 * H + 11, Inactive),
        ];
        let as_of = 170 * H;
        let week = Window::Week.ending_at(as_of);
        let cands = candidates(&open, &polls, week.start, as_of);
        let bands = segments(&open, &cands, week);
        let f = figures(&open, &cands, as_of);
        for w in Window::ALL {
            assert_eq!(tally_of(&bands, w.ending_at(as_of)), f.get(w), "{w:?}");
        }
    }
}
