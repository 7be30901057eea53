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
//!
//! Patterns worth looking at over weeks (see [`Weakness`]): about 8 % of
//! stores are often offline in one local hour of the day, 6 % on one local
//! weekday, and 5 % have one bad week of many outages. They come from a
//! random stream of their own, so the other stores' polls are the same as
//! before patterns existed.
//!
//! Special hours (see [`special_hours_for`]): about a third of stores have one
//! to three special local dates inside the polls' span, 24×7 stores included:
//! closed holidays, short days, split days, and a few overnight and
//! around-the-clock rows. US holidays in the span are favoured (mostly closed;
//! Christmas Eve and New Year's Eve mostly short), and so are the US DST dates
//! (second Sunday of March, first Sunday of November), whose rows cross the
//! 02:00 change or start at a wall-clock time that does not exist or occurs
//! twice. They come from their own random stream, so the polls, business hours
//! and time zones of a seed are the same as before special hours existed.

use std::collections::HashSet;
use std::io::{self, Write};

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};

use crate::domain::{
    DEFAULT_ZONE, FIRST_YEAR, LAST_YEAR, MICROS_PER_HOUR, MICROS_PER_SECOND, Micros,
    format_timestamp_real, resolve_zone,
};

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
    pub special_rows: u64,
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

/// Seeds the special-hours stream (`seed ^ SPECIAL_STREAM`), apart from the
/// main one, so that the other files stay byte-identical for a seed.
const SPECIAL_STREAM: u64 = 0x5EC1_A10D_A7E5_5EED;

/// The share of stores with at least one special date in the span.
const SPECIAL_SHARE: f64 = 0.34;

/// What kind of date a special date is, which sets what a store does on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Occasion {
    Ordinary,
    /// New Year's Day, Memorial Day, Independence Day, Labor Day,
    /// Thanksgiving, Christmas: mostly closed.
    Holiday,
    /// Christmas Eve, New Year's Eve: mostly a short day.
    Eve,
    /// The US spring-forward or fall-back Sunday.
    Dst,
    /// The day before a DST Sunday: its overnight rows run through the change.
    DstEve,
}

fn occasion(d: Date) -> Occasion {
    let nth = |n: i8, wd: Weekday| d.nth_weekday_of_month(n, wd).ok() == Some(d);
    match (d.month(), d.day()) {
        (3, _) if nth(2, Weekday::Sunday) => Occasion::Dst,
        (11, _) if nth(1, Weekday::Sunday) => Occasion::Dst,
        (1, 1) | (7, 4) | (12, 25) => Occasion::Holiday,
        (5, _) if nth(-1, Weekday::Monday) => Occasion::Holiday,
        (9, _) if nth(1, Weekday::Monday) => Occasion::Holiday,
        (11, _) if nth(4, Weekday::Thursday) => Occasion::Holiday,
        (12, 24) | (12, 31) => Occasion::Eve,
        _ => Occasion::Ordinary,
    }
}

/// The local dates of one zone in the polls' span, and the notable ones.
struct Calendar {
    zone: &'static str,
    dates: Vec<Date>,
    notable: Vec<Date>,
}

impl Calendar {
    fn new(zone: &'static str, start: Timestamp, end: Timestamp) -> io::Result<Calendar> {
        let tz = resolve_zone(Some(zone)).map_err(io::Error::other)?;
        let last = tz.to_datetime(end).date();
        let mut dates = Vec::new();
        let mut d = tz.to_datetime(start).date();
        while d <= last {
            if (FIRST_YEAR..=LAST_YEAR).contains(&d.year()) {
                dates.push(d);
            }
            match d.tomorrow() {
                Ok(next) => d = next,
                Err(_) => break,
            }
        }
        let notable = dates
            .iter()
            .copied()
            .filter(|&d| occasion(d) != Occasion::Ordinary)
            .collect();
        Ok(Calendar {
            zone,
            dates,
            notable,
        })
    }
}

/// Seeds the stream of the stores' weaknesses, apart from the main one.
const WEAKNESS_STREAM: u64 = 0x0A77_E125_5EED_0001;

/// A recurring way a store goes offline, so that periods, days and hours of
/// the day have something to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weakness {
    None,
    /// Often offline in this local hour of the day (a rush hour).
    Hour(i64),
    /// Often offline on this local weekday (0 is Monday).
    Weekday(i64),
    /// Many outages in the week from this hourly tick on.
    BadWeek(i64),
}

impl Weakness {
    fn pick(rng: &mut Rng, ticks: i64) -> Weakness {
        match rng.below(100) {
            0..=7 => Weakness::Hour(11 + rng.below(11) as i64),
            8..=13 => Weakness::Weekday(rng.below(7) as i64),
            14..=18 if ticks > 2 * 168 => Weakness::BadWeek(rng.below((ticks - 168) as u64) as i64),
            _ => Weakness::None,
        }
    }

    /// Whether a poll at `local` (microseconds on the store's wall clock,
    /// as if UTC) in hourly `tick` fails through this weakness.
    fn strikes(self, rng: &mut Rng, local: Micros, tick: i64) -> bool {
        let hour = local.div_euclid(MICROS_PER_HOUR);
        match self {
            Weakness::None => false,
            Weakness::Hour(h) => hour.rem_euclid(24) == h && rng.chance(0.6),
            // 1970-01-01, day 0, was a Thursday (3 counting from Monday).
            Weakness::Weekday(d) => {
                (hour.div_euclid(24) + 3).rem_euclid(7) == d && rng.chance(0.35)
            }
            Weakness::BadWeek(first) => (first..first + 168).contains(&tick) && rng.chance(0.3),
        }
    }
}

/// Picks one of `choices` by weight.
fn weighted<T: Copy>(rng: &mut Rng, choices: &[(T, u32)]) -> T {
    let total: u32 = choices.iter().map(|c| c.1).sum();
    let mut r = rng.below(u64::from(total)) as u32;
    for &(value, w) in choices {
        if r < w {
            return value;
        }
        r -= w;
    }
    choices[0].0
}

fn pick<T: Copy>(rng: &mut Rng, choices: &[T]) -> T {
    choices[rng.below(choices.len() as u64) as usize]
}

#[derive(Debug, Clone, Copy)]
enum Special {
    Closed,
    /// Opens later and closes earlier than a usual day.
    Short,
    /// Lunch and dinner.
    Split,
    /// `00:00:00`–`23:59:59`.
    FullDay,
    /// end < start: into the next day.
    Overnight,
    /// end = start: to the same wall-clock time the next day.
    AroundTheClock,
    /// An early-morning shift through the 02:00 change of a DST Sunday.
    Early,
}

/// The special-hours rows of one store as (date, start, end) text; both
/// times empty for a closed date. A date is either closed or has times, never
/// both; dates come in order.
fn special_hours_for(rng: &mut Rng, cal: &Calendar) -> Vec<(Date, String, String)> {
    let mut rows = Vec::new();
    if cal.dates.is_empty() || !rng.chance(SPECIAL_SHARE) {
        return rows;
    }
    let first = cal.dates[0];
    let want = 1 + rng.below(3) as usize;
    let mut chosen: Vec<(Date, Occasion)> = Vec::with_capacity(want);
    for _ in 0..4 * want {
        if chosen.len() == want {
            break;
        }
        let date = if !cal.notable.is_empty() && rng.chance(0.4) {
            pick(rng, &cal.notable)
        } else {
            pick(rng, &cal.dates)
        };
        let mut pair = (date, occasion(date));
        if pair.1 == Occasion::Dst
            && rng.chance(0.3)
            && let Ok(eve) = date.yesterday()
            && eve >= first
        {
            pair = (eve, Occasion::DstEve);
        }
        if !chosen.iter().any(|c| c.0 == pair.0) {
            chosen.push(pair);
        }
    }
    chosen.sort();
    for (date, occasion) in chosen {
        let kind = match occasion {
            Occasion::Ordinary => weighted(
                rng,
                &[
                    (Special::Closed, 30),
                    (Special::Short, 32),
                    (Special::Split, 10),
                    (Special::FullDay, 6),
                    (Special::Overnight, 12),
                    (Special::AroundTheClock, 10),
                ],
            ),
            Occasion::Holiday => weighted(rng, &[(Special::Closed, 70), (Special::Short, 30)]),
            Occasion::Eve => weighted(rng, &[(Special::Short, 70), (Special::Closed, 30)]),
            Occasion::Dst => weighted(
                rng,
                &[
                    (Special::Closed, 15),
                    (Special::Early, 35),
                    (Special::AroundTheClock, 25),
                    (Special::Overnight, 25),
                ],
            ),
            Occasion::DstEve => weighted(
                rng,
                &[(Special::Overnight, 60), (Special::AroundTheClock, 40)],
            ),
        };
        let dst = matches!(occasion, Occasion::Dst | Occasion::DstEve);
        let mut row = |start: String, end: String| rows.push((date, start, end));
        match kind {
            Special::Closed => row(String::new(), String::new()),
            Special::Short => row(
                hhmm(7 * 60 + 30 * rng.below(11) as u32),
                hhmm(13 * 60 + 30 * rng.below(11) as u32),
            ),
            Special::Split => {
                row("11:00:00".into(), hhmm(14 * 60 + 30 * rng.below(2) as u32));
                row("17:00:00".into(), hhmm(20 * 60 + 30 * rng.below(3) as u32));
            }
            Special::FullDay => row("00:00:00".into(), "23:59:59".into()),
            Special::Overnight => {
                let start = 18 * 60 + 30 * rng.below(11) as u32;
                let end = if dst {
                    pick(rng, &[60, 90, 120, 150, 180, 240])
                } else {
                    60 * (1 + rng.below(4) as u32)
                };
                row(hhmm(start), hhmm(end));
            }
            Special::AroundTheClock => {
                let at = if dst {
                    pick(rng, &[0, 90, 120, 150, 300, 22 * 60])
                } else {
                    pick(rng, &[0, 4 * 60, 5 * 60, 6 * 60, 10 * 60])
                };
                row(hhmm(at), hhmm(at));
            }
            Special::Early => {
                let start = pick(rng, &[0, 60, 90, 120, 150]);
                let end = pick(rng, &[180, 210, 240, 360]);
                row(hhmm(start), hhmm(end));
            }
        }
    }
    rows
}

/// Writes the three CSVs. Returns how many rows each got.
///
/// Special hours are generated too but not written: see
/// [`generate_with_special_hours`].
pub fn generate<P: Write, H: Write, Z: Write>(
    opts: &GenerateOptions,
    polls_out: P,
    hours_out: H,
    zones_out: Z,
) -> io::Result<Generated> {
    let mut out = generate_with_special_hours(opts, polls_out, hours_out, zones_out, io::sink())?;
    out.special_rows = 0;
    Ok(out)
}

/// Writes the four CSVs (polls, business hours, time zones, special hours).
/// Returns how many rows each got. The first three are the same bytes as
/// [`generate`] writes for the same options.
pub fn generate_with_special_hours<P: Write, H: Write, Z: Write, S: Write>(
    opts: &GenerateOptions,
    polls_out: P,
    hours_out: H,
    zones_out: Z,
    special_out: S,
) -> io::Result<Generated> {
    let mut rng = Rng(opts.seed);
    let mut special_rng = Rng(opts.seed ^ SPECIAL_STREAM);
    let mut out = Generated::default();

    // The store-local dates of the polls' span, per zone.
    let ticks = i64::from(opts.days) * 24;
    let start = opts.end - ticks * MICROS_PER_HOUR;
    let instant = |t: Micros| {
        Timestamp::from_microsecond(t).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
    };
    let (span_start, span_end) = (instant(start)?, instant(opts.end)?);
    let calendars = ZONES
        .iter()
        .map(|z| z.0)
        .chain([DEFAULT_ZONE])
        .map(|zone| Calendar::new(zone, span_start, span_end))
        .collect::<io::Result<Vec<_>>>()?;
    let calendar = |zone: &str| {
        calendars
            .iter()
            .find(|c| c.zone == zone)
            .expect("a calendar for every zone")
    };

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
    let mut special = csv::Writer::from_writer(special_out);
    special.write_record(["store_id", "date", "start_time_local", "end_time_local"])?;
    let mut weakness_rng = Rng(opts.seed ^ WEAKNESS_STREAM);
    // Each store's weakness, and its wall clock's offset at the span's start
    // (a weak hour moves by one across a DST change: close enough here).
    let mut weaknesses = Vec::with_capacity(ids.len());
    for id in &ids {
        let mut zone = DEFAULT_ZONE;
        if !rng.chance(0.04) {
            zone = pick_zone(&mut rng);
            zones.write_record([id.as_str(), zone])?;
            out.timezone_rows += 1;
        }
        for (day, start, end) in hours_for(&mut rng) {
            hours.write_record([id.as_str(), &day.to_string(), &start, &end])?;
            out.hours_rows += 1;
        }
        for (date, start, end) in special_hours_for(&mut special_rng, calendar(zone)) {
            special.write_record([id.as_str(), &date.to_string(), &start, &end])?;
            out.special_rows += 1;
        }
        let offset = resolve_zone(Some(zone))
            .map_err(io::Error::other)?
            .to_offset(span_start)
            .seconds();
        weaknesses.push((
            Weakness::pick(&mut weakness_rng, ticks),
            i64::from(offset) * MICROS_PER_SECOND,
        ));
    }
    zones.flush()?;
    hours.flush()?;
    special.flush()?;

    // Polls: hourly ticks; each store polled once per tick with jitter.
    let n = ids.len();
    let flaky: Vec<bool> = (0..n).map(|_| rng.chance(0.05)).collect();
    let offset: Vec<i64> = (0..n)
        .map(|_| rng.below(MICROS_PER_HOUR as u64) as i64)
        .collect();
    let mut outage_left = vec![0u32; n];
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
            let mut active = outage_left[s] == 0;
            outage_left[s] = outage_left[s].saturating_sub(1);
            let jitter =
                rng.below(10 * 60 * MICROS_PER_SECOND as u64) as i64 - 5 * 60 * MICROS_PER_SECOND;
            let ts = (start + tick * MICROS_PER_HOUR + offset[s] + jitter).min(opts.end);
            let (weakness, local_offset) = weaknesses[s];
            if weakness.strikes(&mut weakness_rng, ts + local_offset, tick) {
                active = false;
            }
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
    use crate::domain::{TimeOfDay, resolve_zone};
    use crate::ingest::{
        Mode, NewestAllowed, parse_hours, parse_polls, parse_special_hours, parse_timezones,
        reader_from_bytes,
    };

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
    fn a_weakness_strikes_only_in_its_hour_weekday_or_week() {
        let mut rng = Rng(1);
        let at = |text: &str| parse_timestamp(text).unwrap();
        // Mon 23 Jan 2023 18:30 and 19:30, as wall-clock times.
        let (six, seven) = (at("2023-01-23 18:30:00 UTC"), at("2023-01-23 19:30:00 UTC"));
        let count = |rng: &mut Rng, w: Weakness, t: Micros, tick: i64| {
            (0..1000).filter(|_| w.strikes(rng, t, tick)).count()
        };
        let hour = count(&mut rng, Weakness::Hour(18), six, 0);
        assert!((500..700).contains(&hour), "{hour}");
        assert_eq!(count(&mut rng, Weakness::Hour(18), seven, 0), 0);
        let monday = count(&mut rng, Weakness::Weekday(0), six, 0);
        assert!((250..450).contains(&monday), "{monday}");
        assert_eq!(count(&mut rng, Weakness::Weekday(1), six, 0), 0);
        assert!(count(&mut rng, Weakness::BadWeek(10), six, 10 + 167) > 200);
        assert_eq!(count(&mut rng, Weakness::BadWeek(10), six, 10 + 168), 0);
        assert_eq!(count(&mut rng, Weakness::None, six, 0), 0);
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
        let polls = parse_polls(
            reader_from_bytes("p.csv", p).unwrap(),
            Mode::Strict,
            NewestAllowed::ANY,
        )
        .unwrap();
        let hours = parse_hours(reader_from_bytes("h.csv", h).unwrap(), Mode::Strict).unwrap();
        let zones = parse_timezones(reader_from_bytes("z.csv", z).unwrap(), Mode::Strict).unwrap();
        assert_eq!(polls.rows_read as u64, g.polls);
        assert_eq!(hours.rows.len() as u64, g.hours_rows);
        assert_eq!(zones.rows.len() as u64, g.timezone_rows);
        assert_eq!(polls.store_ids.len(), 200);
        assert!(polls.store_ids.iter().all(|id| id.len() == 19));
        // Roughly hourly: 200 stores × 72 h, less about 30 % missed.
        let polls_len = polls.polls.len() as usize;
        assert!((9_000..11_200).contains(&polls_len), "{polls_len}");
        let polls = polls.polls.into_sorted_vec().unwrap();
        let inactive = polls.iter().filter(|(_, p)| !p.status.is_active()).count();
        let share = inactive as f64 / polls.len() as f64;
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

    /// All four files of `stores` stores over `days` days up to `end`.
    fn run_all(seed: u64, stores: usize, days: u32, end: &str) -> ([Vec<u8>; 4], Generated) {
        let opts = GenerateOptions {
            stores,
            days,
            seed,
            end: parse_timestamp(end).unwrap(),
        };
        let mut f: [Vec<u8>; 4] = Default::default();
        let [p, h, z, s] = &mut f;
        let g = generate_with_special_hours(&opts, p, h, z, s).unwrap();
        (f, g)
    }

    /// Spans the spring-forward Sunday of 2024 (March 10).
    const MARCH: &str = "2024-03-12 18:13:22.47922 UTC";

    #[test]
    fn special_hours_are_deterministic_and_leave_the_other_files_alone() {
        let (a, ga) = run_all(7, 300, 8, MARCH);
        let (b, gb) = run_all(7, 300, 8, MARCH);
        let (c, _) = run_all(8, 300, 8, MARCH);
        assert_eq!(a, b);
        assert_eq!(ga, gb);
        assert!(ga.special_rows > 0);
        assert_ne!(a[3], c[3]);
        // The first three files are what `generate` writes, special hours or not.
        let opts = GenerateOptions {
            stores: 300,
            days: 8,
            seed: 7,
            end: parse_timestamp(MARCH).unwrap(),
        };
        let (mut p, mut h, mut z) = (Vec::new(), Vec::new(), Vec::new());
        let g = generate(&opts, &mut p, &mut h, &mut z).unwrap();
        assert_eq!((&p, &h, &z), (&a[0], &a[1], &a[2]));
        assert_eq!(
            g,
            Generated {
                special_rows: 0,
                ..ga
            }
        );
    }

    #[test]
    fn special_hours_ingest_strictly_and_look_real() {
        let stores = 600;
        let ([_, h, z, s], g) = run_all(3, stores, 8, MARCH);
        let special =
            parse_special_hours(reader_from_bytes("s.csv", s).unwrap(), Mode::Strict).unwrap();
        assert_eq!(special.rows_read as u64, g.special_rows);
        assert_eq!(special.rows.len() as u64, g.special_rows);
        assert!(special.skipped.is_empty());

        // About a third of stores have a special date, 24×7 stores too.
        let with_special: HashSet<&str> = special.rows.iter().map(|(id, _)| id.as_str()).collect();
        let share = with_special.len() as f64 / stores as f64;
        assert!((0.27..0.41).contains(&share), "special share {share}");
        let hours = parse_hours(reader_from_bytes("h.csv", h).unwrap(), Mode::Strict).unwrap();
        let with_hours: HashSet<&str> = hours.rows.iter().map(|(id, _)| &**id).collect();
        assert!(with_special.iter().any(|id| !with_hours.contains(id)));

        // Every date is a local date of the store inside the polls' span.
        let zones = parse_timezones(reader_from_bytes("z.csv", z).unwrap(), Mode::Strict).unwrap();
        let zone_of: std::collections::HashMap<&str, &str> = zones
            .rows
            .iter()
            .map(|(id, zone)| (id.as_str(), zone.as_str()))
            .collect();
        let end = Timestamp::from_microsecond(parse_timestamp(MARCH).unwrap()).unwrap();
        let start = end - jiff::SignedDuration::from_hours(8 * 24);
        for (id, row) in &special.rows {
            let tz = resolve_zone(zone_of.get(id.as_str()).copied()).unwrap();
            let (first, last) = (tz.to_datetime(start).date(), tz.to_datetime(end).date());
            assert!((first..=last).contains(&row.date), "{id} {:?}", row);
        }

        // Closed dates, short days, overnight and around-the-clock rows, some on
        // the DST Sunday.
        let timed = || {
            special
                .rows
                .iter()
                .filter_map(|(_, r)| r.hours.map(|h| (r.date, h)))
        };
        let closed = special.rows.iter().filter(|(_, r)| r.is_closed()).count();
        let overnight = timed().filter(|(_, (s, e))| e < s).count();
        let around = timed().filter(|(_, (s, e))| e == s).count();
        let short = timed()
            .filter(|(_, (s, e))| s < e && *e != TimeOfDay::END_OF_DAY)
            .count();
        let rows = special.rows.len();
        assert!(closed >= rows / 10, "{closed} closed of {rows}");
        assert!(short >= rows / 10, "{short} short of {rows}");
        assert!(overnight >= 3, "{overnight} overnight of {rows}");
        assert!(around >= 3, "{around} around the clock of {rows}");
        let dst = jiff::civil::date(2024, 3, 10);
        assert!(timed().filter(|(d, _)| *d == dst).count() >= 3);
        assert!(
            special
                .rows
                .iter()
                .any(|(_, r)| r.date == dst && r.is_closed())
        );
        assert!(
            special
                .rows
                .iter()
                .any(|(_, r)| r.date == dst.yesterday().unwrap())
        );
    }

    #[test]
    fn holidays_and_fall_back_are_special_when_in_the_span() {
        // November 3 (fall back) to Thanksgiving, November 28, 2024.
        let ([.., s], _) = run_all(5, 400, 30, "2024-11-30 12:00:00 UTC");
        let special =
            parse_special_hours(reader_from_bytes("s.csv", s).unwrap(), Mode::Strict).unwrap();
        let on = |d: Date| special.rows.iter().filter(move |(_, r)| r.date == d);
        let thanksgiving = jiff::civil::date(2024, 11, 28);
        let fall_back = jiff::civil::date(2024, 11, 3);
        assert_eq!(occasion(thanksgiving), Occasion::Holiday);
        assert_eq!(occasion(fall_back), Occasion::Dst);
        assert_eq!(occasion(jiff::civil::date(2024, 3, 10)), Occasion::Dst);
        assert_eq!(occasion(jiff::civil::date(2024, 3, 3)), Occasion::Ordinary);
        let closed = on(thanksgiving).filter(|(_, r)| r.is_closed()).count();
        assert!(
            closed * 2 > on(thanksgiving).count() && closed >= 5,
            "{closed}"
        );
        assert!(on(fall_back).any(|(_, r)| r.hours.is_some()));
    }

    #[test]
    fn a_store_never_has_a_closed_and_a_timed_row_for_one_date() {
        for seed in 0..20 {
            let ([.., s], _) = run_all(seed, 300, 10, MARCH);
            let special =
                parse_special_hours(reader_from_bytes("s.csv", s).unwrap(), Mode::Strict).unwrap();
            assert!(special.skipped.is_empty());
        }
    }
}
