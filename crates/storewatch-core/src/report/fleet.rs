//! The fleet (SPEC section 6, step 4) and the live statuses (section 7, step
//! 1): a period's figures summed over many stores, by local date and by hour
//! of the day, the peak downtime day, the worst and best five stores, and
//! how many stores are offline, online, outside their hours or unobserved
//! at T. Computed as the stores arrive, in batches, keeping only sums and
//! the ten stores named: memory does not grow with the stores.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use jiff::civil::Date;
use rayon::prelude::*;

use super::error::ReportError;
use super::input::StoreInput;
use super::interpolate::HalfMicros;
use super::period::{Period, PeriodZones, Times};
use super::week::{LiveCounts, LiveStatus, analyze, live_status};

/// How many stores the worst and the best lists name.
pub const RANKED: usize = 5;

/// A store in the worst or best list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub store_id: String,
    pub up: HalfMicros,
    pub down: HalfMicros,
}

impl Ranked {
    /// Compares the downtime shares exactly (no float): down/(up+down).
    fn share_cmp(&self, other: &Ranked) -> Ordering {
        let a = i128::from(self.down) * i128::from(other.up + other.down);
        let b = i128::from(other.down) * i128::from(self.up + self.down);
        a.cmp(&b)
    }
}

/// Worst first: the higher share, then the lower id.
#[derive(Debug, PartialEq, Eq)]
struct Worst(Ranked);

impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .0
            .share_cmp(&self.0)
            .then_with(|| self.0.store_id.cmp(&other.0.store_id))
    }
}

impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Best first: the lower share, then the lower id.
#[derive(Debug, PartialEq, Eq)]
struct Best(Ranked);

impl Ord for Best {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .share_cmp(&other.0)
            .then_with(|| self.0.store_id.cmp(&other.0.store_id))
    }
}

impl PartialOrd for Best {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Keeps the first `RANKED` in `T`'s order (a max-heap of them: the last
/// kept on top).
fn keep<T: Ord>(heap: &mut BinaryHeap<T>, item: T) {
    heap.push(item);
    if heap.len() > RANKED {
        heap.pop();
    }
}

/// The fleet's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fleet {
    pub period: Option<Period>,
    pub total: Times,
    /// Stores with observed time in the period (up + down > 0), and without.
    pub observed: u64,
    pub unobserved: u64,
    /// By local date (each store's own dates), in date order.
    pub daily: Vec<(Date, Times)>,
    pub hourly: [Times; 24],
    /// The date with the most downtime, earliest on a tie; `None` when no
    /// date has any.
    pub peak_day: Option<(Date, HalfMicros)>,
    /// Highest downtime share first, ties by store id.
    pub worst: Vec<Ranked>,
    /// Lowest downtime share first, ties by store id.
    pub best: Vec<Ranked>,
    pub live: LiveCounts,
}

/// What one store adds to the fleet.
struct StoreShare {
    id: String,
    times: Times,
    days: Vec<(Date, Times)>,
    hours: [Times; 24],
    live: LiveStatus,
}

/// The fleet computed as its stores arrive, in batches of any size and order.
pub struct FleetBuilder {
    zones: PeriodZones,
    total: Times,
    observed: u64,
    unobserved: u64,
    daily: BTreeMap<Date, Times>,
    hourly: [Times; 24],
    worst: BinaryHeap<Worst>,
    best: BinaryHeap<Best>,
    live: LiveCounts,
}

impl FleetBuilder {
    pub fn new(period: Period) -> FleetBuilder {
        FleetBuilder {
            zones: PeriodZones::new(period),
            total: Times::default(),
            observed: 0,
            unobserved: 0,
            daily: BTreeMap::new(),
            hourly: [Times::default(); 24],
            worst: BinaryHeap::new(),
            best: BinaryHeap::new(),
            live: LiveCounts::default(),
        }
    }

    /// Adds `stores` (each with its polls of the period and of the week
    /// before T), spread over all cores.
    pub fn add(&mut self, mut stores: Vec<StoreInput>) -> Result<(), ReportError> {
        self.zones.add(&stores)?;
        let (zones, period) = (&self.zones, self.zones.period());
        let shares: Vec<StoreShare> = stores
            .par_iter_mut()
            .map(|store| {
                let p = zones.analyze(store)?;
                let zone = zones.of(store);
                let out_of_range = || ReportError::OutOfRange {
                    store_id: store.store_id.clone(),
                    reason: "its business hours cannot be placed in time".to_string(),
                };
                let week = analyze(
                    &store.hours,
                    &store.special,
                    &store.polls,
                    &zone.tz,
                    period.to,
                )
                .ok_or_else(out_of_range)?;
                Ok(StoreShare {
                    id: std::mem::take(&mut store.store_id),
                    times: p.total,
                    days: zone
                        .clock
                        .dates()
                        .zip(p.days.iter().map(|d| d.times))
                        .collect(),
                    hours: p.hours,
                    live: live_status(&week, period.to),
                })
            })
            .collect::<Result<_, ReportError>>()?;
        for share in shares {
            self.total.add(&share.times);
            for (date, times) in share.days {
                self.daily.entry(date).or_default().add(&times);
            }
            for (sum, times) in self.hourly.iter_mut().zip(&share.hours) {
                sum.add(times);
            }
            self.live.add(share.live);
            if share.times.up + share.times.down > 0 {
                self.observed += 1;
                let ranked = Ranked {
                    store_id: share.id,
                    up: share.times.up,
                    down: share.times.down,
                };
                keep(&mut self.worst, Worst(ranked.clone()));
                keep(&mut self.best, Best(ranked));
            } else {
                self.unobserved += 1;
            }
        }
        Ok(())
    }

    pub fn finish(self) -> Fleet {
        let daily: Vec<(Date, Times)> = self.daily.into_iter().collect();
        // Earliest on a tie: the first date with the most.
        let peak_day = daily.iter().filter(|(_, t)| t.down > 0).fold(
            None::<(Date, HalfMicros)>,
            |best, (date, t)| match best {
                Some((_, down)) if down >= t.down => best,
                _ => Some((*date, t.down)),
            },
        );
        Fleet {
            period: Some(self.zones.period()),
            total: self.total,
            observed: self.observed,
            unobserved: self.unobserved,
            daily,
            hourly: self.hourly,
            peak_day,
            worst: self
                .worst
                .into_sorted_vec()
                .into_iter()
                .map(|w| w.0)
                .collect(),
            best: self
                .best
                .into_sorted_vec()
                .into_iter()
                .map(|b| b.0)
                .collect(),
            live: self.live,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(id: &str, up: i64, down: i64) -> Ranked {
        Ranked {
            store_id: id.into(),
            up,
            down,
        }
    }

    #[test]
    fn worst_and_best_five_by_share_then_id() {
        let mut worst = BinaryHeap::new();
        let mut best = BinaryHeap::new();
        for x in [
            r("a", 1, 1),
            r("b", 3, 1),
            r("c", 0, 5),
            r("d", 2, 2),
            r("e", 9, 0),
            r("f", 1, 3),
            r("g", 4, 0),
            r("h", 2, 6),
        ] {
            keep(&mut worst, Worst(x.clone()));
            keep(&mut best, Best(x));
        }
        let ids = |v: Vec<Ranked>| v.into_iter().map(|r| r.store_id).collect::<Vec<_>>();
        let worst = ids(worst.into_sorted_vec().into_iter().map(|w| w.0).collect());
        let best = ids(best.into_sorted_vec().into_iter().map(|b| b.0).collect());
        // 100 %: c; 75 %: f, h (by id); 50 %: a, d.
        assert_eq!(worst, ["c", "f", "h", "a", "d"]);
        // 0 %: e, g (by id); 25 %: b; 50 %: a, d.
        assert_eq!(best, ["e", "g", "b", "a", "d"]);
    }
}
