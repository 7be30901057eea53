//! The fuzz checks: each takes arbitrary bytes, must never panic, and
//! asserts what must hold for any input. Used by the fuzz targets and, for
//! every saved input, by storewatch-core's `fuzz_regressions` test.

use std::io::Write;

use storewatch_core::domain::{
    HoursRow, LAST_TIMESTAMP, MAX_STORE_ID_BYTES, Poll, SpecialHoursRow, Status, TimeOfDay,
    Weekday, canonical_zone, check_store_id, format_timestamp, parse_local_date, parse_timestamp,
    resolve_zone,
};
use storewatch_core::ingest::{
    IngestError, MAX_KEPT_SKIPPED, Mode, NewestAllowed, Source, parse_hours, parse_polls,
    parse_special_hours, parse_timezones, reader_from_bytes,
};
use storewatch_core::report::{
    Columns, ReportInput, StoreInput, Window, compute, open_length, to_csv_string,
};

/// Runs the check named `target` (`values`, `csv`, `report`) on `data`.
pub fn run(target: &str, data: &[u8]) {
    match target {
        "values" => values(data),
        "csv" => csv(data),
        "report" => report(data),
        _ => panic!("no fuzz target {target:?}"),
    }
}

/// The value parsers: whatever they accept must be what the rules say, and
/// parse again to the same value.
pub fn values(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(ts) = parse_timestamp(text) {
        assert!((0..=LAST_TIMESTAMP).contains(&ts), "{text:?} gave {ts}");
        let again = format_timestamp(ts);
        assert_eq!(parse_timestamp(&again), Ok(ts), "{text:?} → {again:?}");
    }
    if let Ok(id) = check_store_id(text) {
        assert!(!id.is_empty() && id.len() <= MAX_STORE_ID_BYTES, "{id:?}");
        assert!(!id.chars().any(char::is_control), "{id:?}");
        assert!(!id.starts_with(['=', '+', '-', '@']), "{id:?}");
        assert_eq!(check_store_id(id), Ok(id));
    }
    if let Ok(status) = Status::parse(text) {
        assert_eq!(Status::parse(status.as_str()), Ok(status));
    }
    if let Ok(zone) = canonical_zone(text) {
        assert_eq!(canonical_zone(&zone).as_deref(), Ok(zone.as_str()));
        assert!(resolve_zone(Some(&zone)).is_ok(), "{zone:?}");
    }
    if let Ok(day) = Weekday::parse(text) {
        assert!(day.index() < 7);
    }
    if let Ok(t) = TimeOfDay::parse(text) {
        assert!(t.seconds() < 86_400, "{text:?}");
    }
    if let Ok(t) = TimeOfDay::parse_end(text) {
        assert!(t.seconds() <= 86_400, "{text:?}");
    }
    let _ = parse_local_date(text);
}

/// The four CSV parsers: the first byte picks the parser and how the rest
/// is sent (plain, gzip-compressed, or as raw gzip bytes). Strict and
/// lenient must agree, and so must plain and compressed.
pub fn csv(data: &[u8]) {
    let Some((&choice, body)) = data.split_first() else {
        return;
    };
    let parse = |mode: Mode, bytes: Vec<u8>| -> Outcome {
        let source = reader_from_bytes("fuzz.csv", bytes);
        let source: Source = match source {
            Ok(s) => s,
            Err(e) => return Err(format!("open: {e}").into()),
        };
        match choice % 4 {
            0 => summary(parse_polls(source, mode, NewestAllowed::ANY), |f| {
                let pushed = f.polls.len();
                let sorted = f.polls.into_sorted_vec().expect("in memory");
                (
                    format!("{:?}{pushed}{:?}", f.store_ids, sorted),
                    f.rows_read,
                    f.skipped.len(),
                    f.skipped_total,
                )
            }),
            1 => summary(parse_hours(source, mode), |f| {
                (
                    format!("{:?}", f.rows),
                    f.rows_read,
                    f.skipped.len(),
                    f.skipped_total,
                )
            }),
            2 => summary(parse_timezones(source, mode), |f| {
                (
                    format!("{:?}", f.rows),
                    f.rows_read,
                    f.skipped.len(),
                    f.skipped_total,
                )
            }),
            _ => summary(parse_special_hours(source, mode), |f| {
                (
                    format!("{:?}", f.rows),
                    f.rows_read,
                    f.skipped.len(),
                    f.skipped_total,
                )
            }),
        }
    };
    let bytes = match (choice / 4) % 3 {
        0 => body.to_vec(),
        1 => gzip(body),
        // Raw bytes behind a gzip header: the decoder meets garbage.
        _ => [&[0x1f, 0x8b][..], body].concat(),
    };
    let strict = parse(Mode::Strict, bytes.clone());
    let lenient = parse(Mode::Lenient, bytes.clone());
    match (&strict, &lenient) {
        (Ok(s), Ok(l)) => {
            assert_eq!(l.skipped_total, 0, "strict accepted what lenient skipped");
            assert_eq!(s, l);
        }
        (Err(Rejection::Rows(total)), Ok(l)) => {
            assert_eq!(*total, l.skipped_total, "strict and lenient count apart");
            assert!(l.skipped_kept <= MAX_KEPT_SKIPPED && l.skipped_kept <= l.skipped_total);
        }
        (Err(Rejection::Other(s)), Err(Rejection::Other(l))) => assert_eq!(s, l),
        (Err(s), Err(l)) => assert_eq!(s, l, "both refused, differently"),
        (s, l) => panic!("strict {s:?} but lenient {l:?}"),
    }
    if (choice / 4) % 3 == 0 && !body.starts_with(&[0x1f, 0x8b]) {
        // The same text compressed reads the same (unless the text itself
        // starts like gzip: then the plain one is read as broken gzip).
        assert_eq!(
            parse(Mode::Strict, gzip(body)),
            strict,
            "gzip changed the outcome"
        );
    }
}

#[derive(Debug, PartialEq)]
struct Parsed {
    rows: String,
    rows_read: usize,
    skipped_kept: usize,
    skipped_total: usize,
}

#[derive(Debug, PartialEq)]
enum Rejection {
    /// Invalid rows, this many.
    Rows(usize),
    /// Anything else (no header, a missing column, unreadable), as said.
    Other(String),
}

type Outcome = Result<Parsed, Rejection>;

impl From<String> for Rejection {
    fn from(s: String) -> Rejection {
        Rejection::Other(s)
    }
}

fn summary<F>(
    result: Result<F, IngestError>,
    parts: impl FnOnce(F) -> (String, usize, usize, usize),
) -> Outcome {
    match result {
        Ok(f) => {
            let (rows, rows_read, skipped_kept, skipped_total) = parts(f);
            Ok(Parsed {
                rows,
                rows_read,
                skipped_kept,
                skipped_total,
            })
        }
        // A row-level rejection; a CSV-level one (unreadable) is one error
        // that both modes refuse alike.
        Err(IngestError::InvalidRows { total, errors, .. })
            if errors.iter().all(|e| !e.record.is_empty()) =>
        {
            Err(Rejection::Rows(total))
        }
        Err(e) => Err(Rejection::Other(e.to_string())),
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).expect("writing to memory");
    enc.finish().expect("writing to memory")
}

/// Bytes read as a stream of small numbers; zeros once they run out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    fn pick<'t, T>(&mut self, from: &'t [T]) -> &'t T {
        &from[usize::from(self.u8()) % from.len()]
    }
}

/// Zones with odd rules: half-hour and 45-minute offsets, DST of 30
/// minutes, DST in the southern hemisphere, a zone that skipped a day.
const ZONES: &[&str] = &[
    "UTC",
    "America/Chicago",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "America/Santiago",
    "Antarctica/Troll",
    "Pacific/Apia",
    "America/St_Johns",
    "Asia/Tehran",
];

/// Report times: ordinary, around DST changes, and at the ends of the
/// valid range.
const AS_OF: &[&str] = &[
    "2023-01-25 18:13:22.47922 UTC",
    "2024-03-10 08:30:00 UTC",
    "2024-11-03 06:30:00 UTC",
    "2023-10-01 02:00:00 UTC",
    "2011-12-31 10:00:00 UTC",
    "1970-01-01 00:00:00 UTC",
    "1970-01-08 03:00:00 UTC",
    "2200-12-31 23:59:59.999999 UTC",
    "2200-12-25 12:00:00 UTC",
];

/// A report over a few stores made from the bytes: zones, weekly hours
/// (overnight, split, around the clock), special dates around the week and
/// polls anywhere in it. It must compute, and every figure must fit its
/// window and the store's open time.
pub fn report(data: &[u8]) {
    let mut b = Bytes(data);
    let as_of: &&str = b.pick(AS_OF);
    let as_of = parse_timestamp(as_of).expect("a valid report time");
    let stores = 1 + b.u8() % 4;
    let mut input = ReportInput {
        as_of: Some(as_of),
        stores: Vec::new(),
    };
    for n in 0..stores {
        let zone = match b.u8() % 8 {
            0 => None,
            _ => Some(b.pick(ZONES).to_string()),
        };
        let hours = (0..b.u8() % 8)
            .filter_map(|_| {
                Some(HoursRow {
                    day: Weekday::new(b.u8() % 7)?,
                    start: TimeOfDay::from_seconds(b.u32() % 86_400)?,
                    end: TimeOfDay::from_seconds(b.u32() % 86_401)?,
                })
            })
            .collect();
        let special = (0..b.u8() % 4)
            .filter_map(|_| {
                // A date from nine days before the report time to two after.
                let day = i64::from(b.u8() % 12) - 9;
                let when = (as_of + day * 86_400_000_000).clamp(0, LAST_TIMESTAMP);
                let date = parse_local_date(&format_timestamp(when)[..10]).ok()?;
                Some(match b.u8() % 2 {
                    0 => SpecialHoursRow::closed(date),
                    _ => SpecialHoursRow::open(
                        date,
                        TimeOfDay::from_seconds(b.u32() % 86_400)?,
                        TimeOfDay::from_seconds(b.u32() % 86_401)?,
                    ),
                })
            })
            .collect();
        let polls = (0..b.u8() % 48)
            .map(|_| {
                // Up to 8 days back, and a little after the report time.
                let back = i64::from(b.u32()) % (8 * 86_400 + 3_600) - 3_600;
                Poll {
                    ts: (as_of - back * 1_000_000).clamp(0, LAST_TIMESTAMP),
                    status: if b.u8() % 3 == 0 {
                        Status::Inactive
                    } else {
                        Status::Active
                    },
                }
            })
            .collect();
        input.stores.push(StoreInput {
            store_id: format!("s{n}"),
            timezone: zone,
            hours,
            special,
            polls,
        });
    }
    let report = match compute(input.clone()) {
        Ok(r) => r,
        Err(e) => panic!("a valid input failed: {e}"),
    };
    assert_eq!(report.rows.len(), input.stores.len());
    for row in &report.rows {
        let store = input
            .stores
            .iter()
            .find(|s| s.store_id == row.store_id)
            .expect("a row per store");
        let tz = resolve_zone(store.timezone.as_deref()).expect("a listed zone");
        let mut polls = store.polls.clone();
        polls.sort_unstable_by_key(|p| p.ts);
        let a = storewatch_core::report::analyze(&store.hours, &store.special, &polls, &tz, as_of)
            .expect("computed in the report");
        for window in Window::ALL {
            let t = row.figures.get(window);
            let open = open_length(&a.open, window.ending_at(as_of));
            assert!(t.up >= 0 && t.down >= 0, "{window:?}: {t:?}");
            assert!(
                t.up + t.down <= 2 * open,
                "{window:?}: {t:?} beyond the open time {open} µs of {}",
                row.store_id
            );
        }
    }
    let csv = to_csv_string(&report, Columns::Extended);
    assert_eq!(csv.lines().count(), 1 + report.rows.len());
}
