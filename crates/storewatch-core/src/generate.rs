//! Realistic synthetic data of any size, deterministic for a seed.
//!
//! Shaped after the real 2023 files: 19-digit store ids; zones weighted as in
//! the real `timezones.csv`, with about 4 % of stores having no zone row; about
//! 21 % of stores with no business hours (open 24×7), the rest with patterns
//! seen in the real file (plain days, 24-hour days written `23:59:59`, split
//! shifts, overnight shifts, days off); polls roughly hourly with jitter and
//! 30 % missed (the real file has about 0.7 polls per store-hour), and outages
//! of 1 to 12 inactive polls (about 6 % inactive).
//! Polls are written in time order across stores, as a poller appends them.

use std::collections::HashSet;
use std::io::{self, Write};

use crate::domain::{MICROS_PER_HOUR, MICROS_PER_SECOND, Micros, format_timestamp_real};

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub stores: usize,
    pub days: u32,
    pub seed: u64,
    /// The newest poll time; polls span `days` days before it.
    pub end: Micros,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generated {
    pub polls: u64,
    pub hours_rows: u64,
    pub timezone_rows: u64,
}

/// splitmix64: tiny, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

const ZONES: [(&str, u32); 9] = [
    ("America/New_York", 580),
    ("America/Los_Angeles", 230),
    ("America/Chicago", 110),
    ("America/Phoenix", 30),
    ("America/Denver", 20),
    ("America/Detroit", 10),
    ("America/Indiana/Indianapolis", 10),
    ("America/Boise", 5),
    ("Pacific/Honolulu", 5),
];

fn pick_zone(rng: &mut Rng) -> &'static str {
    let total: u32 = ZONES.iter().map(|z| z.1).sum();
    let mut r = rng.below(u64::from(total)) as u32;
    for (zone, w) in ZONES {
        if r < w {
            return zone;
        }
        r -= w;
    }
    ZONES[0].0
}

fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}:00", minutes / 60, minutes % 60)
}

/// The business-hours rows of one store as (day, start, end) text.
fn hours_for(rng: &mut Rng) -> Vec<(u8, String, String)> {
    let mut rows = Vec::new();
    let every_day = |rows: &mut Vec<_>, start: String, end: String, days_off: &[u8]| {
        for day in 0..7u8 {
            if !days_off.contains(&day) {
                rows.push((day, start.clone(), end.clone()));
            }
        }
    };
    match rng.below(100) {
        0..=20 => {} // no rows: open 24×7
        21..=50 => {
            let open = 6 * 60 + 30 * rng.below(10) as u32;
            let close = 20 * 60 + 30 * rng.below(8) as u32;
            let end = if close >= 24 * 60 {
                "23:59:59".to_string()
            } else {
                hhmm(close)
            };
            every_day(&mut rows, hhmm(open), end, &[]);
        }
        51..=62 => every_day(&mut rows, "00:00:00".into(), "23:59:59".into(), &[]),
        63..=77 => {
            // Split shifts: lunch and dinner.
            every_day(
                &mut rows,
                "11:00:00".into(),
                hhmm(14 * 60 + 30 * rng.below(2) as u32),
                &[],
            );
            every_day(
                &mut rows,
                "17:00:00".into(),
                hhmm(21 * 60 + 30 * rng.below(3) as u32),
                &[],
            );
        }
        78..=87 => {
            // Overnight: evening to early morning of the next day.
            let close = 60 * (1 + rng.below(3) as u32);
            every_day(
                &mut rows,
                hhmm(17 * 60 + 60 * rng.below(3) as u32),
                hhmm(close),
                &[],
            );
        }
        _ => {
            // A day or two off, longer weekends.
            let off = [rng.below(7) as u8, rng.below(7) as u8];
            for day in 0..7u8 {
                if off.contains(&day) {
                    continue;
                }
                let end = if day >= 4 { "23:00:00" } else { "21:00:00" };
                rows.push((day, "10:00:00".into(), end.into()));
            }
        }
    }
    rows
}

/// Writes the three CSVs. Returns how many rows each got.
pub fn generate<P: Write, H: Write, Z: Write>(
    opts: &GenerateOptions,
    polls_out: P,
    hours_out: H,
    zones_out: Z,
) -> io::Result<Generated> {
    let mut rng = Rng(opts.seed);
    let mut out = Generated::default();

    // Stores: unique 19-digit ids.
    let mut seen = HashSet::with_capacity(opts.stores);
    let mut ids = Vec::with_capacity(opts.stores);
    while ids.len() < opts.stores {
        let id = 1_000_000_000_000_000_000 + rng.below(8_000_000_000_000_000_000);
        if seen.insert(id) {
            ids.push(id.to_string());
        }
    }

    let mut zones = csv::Writer::from_writer(zones_out);
    zones.write_record(["store_id", "timezone_str"])?;
    let mut hours = csv::Writer::from_writer(hours_out);
    hours.write_record(["store_id", "day", "start_time_local", "end_time_local"])?;
    for id in &ids {
        if !rng.chance(0.04) {
            zones.write_record([id.as_str(), pick_zone(&mut rng)])?;
            out.timezone_rows += 1;
        }
        for (day, start, end) in hours_for(&mut rng) {
            hours.write_record([id.as_str(), &day.to_string(), &start, &end])?;
            out.hours_rows += 1;
        }
    }
    zones.flush()?;
    hours.flush()?;

    // Polls: hourly ticks; each store polled once per tick with jitter.
    let n = ids.len();
    let flaky: Vec<bool> = (0..n).map(|_| rng.chance(0.05)).collect();
    let offset: Vec<i64> = (0..n)
        .map(|_| rng.below(MICROS_PER_HOUR as u64) as i64)
        .collect();
    let mut outage_left = vec![0u32; n];
    let ticks = i64::from(opts.days) * 24;
    let start = opts.end - ticks * MICROS_PER_HOUR;
    let mut w = io::BufWriter::with_capacity(1 << 20, polls_out);
    w.write_all(b"store_id,status,timestamp_utc\n")?;
    let mut line = String::with_capacity(80);
    for tick in 0..ticks {
        for s in 0..n {
            if rng.chance(0.30) {
                continue; // a missed poll: the real file has about 0.7 polls per store-hour
            }
            let outage_rate = if flaky[s] { 0.05 } else { 0.008 };
            if outage_left[s] == 0 && rng.chance(outage_rate) {
                outage_left[s] = 1 + rng.below(12) as u32;
            }
            let active = outage_left[s] == 0;
            outage_left[s] = outage_left[s].saturating_sub(1);
            let jitter =
                rng.below(10 * 60 * MICROS_PER_SECOND as u64) as i64 - 5 * 60 * MICROS_PER_SECOND;
            let ts = (start + tick * MICROS_PER_HOUR + offset[s] + jitter).min(opts.end);
            line.clear();
            line.push_str(&ids[s]);
            line.push_str(if active { ",active," } else { ",inactive," });
            format_timestamp_real(ts, &mut line);
            line.push('\n');
            w.write_all(line.as_bytes())?;
            out.polls += 1;
        }
    }
    w.flush()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_timestamp;
    use crate::ingest::{Mode, parse_hours, parse_polls, parse_timezones, reader_from_bytes};

    fn run(seed: u64) -> (Vec<u8>, Vec<u8>, Vec<u8>, Generated) {
        let opts = GenerateOptions {
            stores: 200,
            days: 3,
            seed,
            end: parse_timestamp("2023-01-25 18:13:22.47922 UTC").unwrap(),
        };
        let (mut p, mut h, mut z) = (Vec::new(), Vec::new(), Vec::new());
        let g = generate(&opts, &mut p, &mut h, &mut z).unwrap();
        (p, h, z, g)
    }

    #[test]
    fn same_seed_same_files_other_seed_other_files() {
        let a = run(7);
        let b = run(7);
        let c = run(8);
        assert_eq!((&a.0, &a.1, &a.2), (&b.0, &b.1, &b.2));
        assert_ne!(a.0, c.0);
    }

    #[test]
    fn output_ingests_cleanly_and_looks_real() {
        let (p, h, z, g) = run(1);
        let polls = parse_polls(reader_from_bytes("p.csv", p).unwrap(), Mode::Strict).unwrap();
        let hours = parse_hours(reader_from_bytes("h.csv", h).unwrap(), Mode::Strict).unwrap();
        let zones = parse_timezones(reader_from_bytes("z.csv", z).unwrap(), Mode::Strict).unwrap();
        assert_eq!(polls.rows_read as u64, g.polls);
        assert_eq!(hours.rows.len() as u64, g.hours_rows);
        assert_eq!(zones.rows.len() as u64, g.timezone_rows);
        assert_eq!(polls.store_ids.len(), 200);
        assert!(polls.store_ids.iter().all(|id| id.len() == 19));
        // Roughly hourly: 200 stores × 72 h, less about 30 % missed.
        assert!(
            (9_000..11_200).contains(&polls.polls.len()),
            "{}",
            polls.polls.len()
        );
        let inactive = polls
            .polls
            .iter()
            .filter(|(_, p)| !p.status.is_active())
            .count();
        let share = inactive as f64 / polls.polls.len() as f64;
        assert!((0.02..0.15).contains(&share), "inactive share {share}");
        // Some stores have no zone and some no hours.
        assert!(zones.rows.len() < 200);
        let with_hours: HashSet<_> = hours.rows.iter().map(|(id, _)| id).collect();
        assert!(with_hours.len() < 200 && with_hours.len() > 100);
        assert!(
            hours.rows.iter().any(|(_, r)| r.end < r.start),
            "some overnight shifts"
        );
    }
}
