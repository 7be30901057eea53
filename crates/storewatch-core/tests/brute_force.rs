//! The engine against a brute-force reference written independently here.
//!
//! The reference walks the week in 30-second slots and decides each slot on
//! its own: is it open (checked instant by instant against every row anchored
//! on the nearby local dates), and which candidate poll is nearest to it. All
//! inputs sit on whole minutes (poll times, as_of, local times, the zones'
//! offsets), so every boundary — including poll midpoints — falls on a
//! multiple of 30 s and the reference is exact: the engine must agree to the
//! microsecond, not merely within rounding.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use proptest::prelude::*;
use storewatch_core::domain::{HoursRow, Poll, Status, TimeOfDay, Weekday};
use storewatch_core::report::{ReportInput, StoreInput, compute};

const MIN: i64 = 60_000_000;
const SLOT: i64 = 30_000_000;

/// Zones with DST in either hemisphere, half-hour offsets and a half-hour DST
/// shift (Lord Howe), and none at all.
const ZONES: [&str; 8] = [
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Phoenix",
    "Asia/Kolkata",
    "Europe/London",
    "Australia/Lord_Howe",
];

/// Report times near DST changes of several zones, and an ordinary week.
const BASES: [&str; 6] = [
    "2024-03-10T12:00:00Z",
    "2024-11-03T12:00:00Z",
    "2023-01-23T18:00:00Z",
    "2024-03-31T06:00:00Z",
    "2024-10-06T00:00:00Z",
    "2024-04-07T00:00:00Z",
];

#[derive(Debug, Clone)]
struct Case {
    zone: &'static str,
    as_of: i64,
    hours: Vec<HoursRow>,
    polls: Vec<Poll>,
}

fn end_of(minute: u32, kind: u8, start: u32) -> TimeOfDay {
    match kind {
        0 => TimeOfDay::END_OF_DAY,
        1 => TimeOfDay::from_seconds(start * 60).unwrap(),
        _ => TimeOfDay::from_seconds(minute * 60).unwrap(),
    }
}

fn case() -> impl Strategy<Value = Case> {
    let row =
        (0u8..7, 0u32..1440, 0u32..1440, 0u8..8).prop_map(|(day, start, end, kind)| HoursRow {
            day: Weekday::new(day).unwrap(),
            start: TimeOfDay::from_seconds(start * 60).unwrap(),
            end: end_of(end, kind, start),
        });
    let hours = prop_oneof![1 => Just(Vec::new()), 4 => proptest::collection::vec(row, 1..8)];
    let polls = proptest::collection::vec((0i64..(9 * 1440), any::<bool>()), 0..40);
    (0..ZONES.len(), 0..BASES.len(), -4320i64..4320, hours, polls).prop_map(
        |(z, b, shift, hours, polls)| {
            let base: Timestamp = BASES[b].parse().unwrap();
            let as_of = base.as_microsecond() + shift * MIN;
            let mut polls: Vec<Poll> = polls
                .into_iter()
                .map(|(m, active)| Poll {
                    ts: as_of - 8 * 1440 * MIN + m * MIN,
                    status: if active {
                        Status::Active
                    } else {
                        Status::Inactive
                    },
                })
                .collect();
            polls.sort_by_key(|p| p.ts);
            polls.dedup_by_key(|p| p.ts);
            Case {
                zone: ZONES[z],
                as_of,
                hours,
                polls,
            }
        },
    )
}

fn to_utc(tz: &TimeZone, day: Date, t: TimeOfDay) -> i64 {
    let s = t.seconds() as i64;
    let dt = DateTime::from_parts(
        day,
        jiff::civil::time((s / 3600) as i8, (s / 60 % 60) as i8, (s % 60) as i8, 0),
    );
    tz.to_timestamp(dt).unwrap().as_microsecond()
}

/// Is instant `t` inside business hours? Checked on its own, with no
/// interval list: a row anchored on local date D covers t when
/// start(D) ≤ t < end(D), and only D = date(t) − 2 … date(t) can.
fn is_open(case: &Case, tz: &TimeZone, t: i64) -> bool {
    if case.hours.is_empty() {
        return true;
    }
    let today = tz
        .to_datetime(Timestamp::from_microsecond(t).unwrap())
        .date();
    for back in 0..3 {
        let day = today - jiff::Span::new().days(back);
        let weekday = day.weekday().to_monday_zero_offset() as usize;
        for row in case.hours.iter().filter(|r| r.day.index() == weekday) {
            let start = to_utc(tz, day, row.start);
            let next = day.tomorrow().unwrap();
            let end = if row.end == TimeOfDay::END_OF_DAY {
                to_utc(tz, next, TimeOfDay::MIDNIGHT)
            } else if row.end == row.start {
                start + 24 * 60 * MIN
            } else if row.end < row.start {
                to_utc(tz, next, row.end)
            } else {
                to_utc(tz, day, row.end)
            };
            if start <= t && t < end {
                return true;
            }
        }
    }
    false
}

/// [(up, down); 3] in microseconds for hour, day, week.
fn reference(case: &Case) -> [(i64, i64); 3] {
    let tz = TimeZone::get(case.zone).unwrap();
    let week_start = case.as_of - 7 * 1440 * MIN;
    let candidates: Vec<&Poll> = case
        .polls
        .iter()
        .filter(|p| p.ts >= week_start && p.ts <= case.as_of && is_open(case, &tz, p.ts))
        .collect();
    let mut out = [(0, 0); 3];
    if candidates.is_empty() {
        return out;
    }
    let starts = [case.as_of - 60 * MIN, case.as_of - 1440 * MIN, week_start];
    let mut slot = week_start;
    while slot < case.as_of {
        let mid = slot + SLOT / 2;
        if is_open(case, &tz, mid) {
            let nearest = candidates
                .iter()
                .min_by_key(|p| (p.ts - mid).abs())
                .unwrap();
            for (w, start) in starts.iter().enumerate() {
                if slot >= *start {
                    if nearest.status == Status::Active {
                        out[w].0 += SLOT;
                    } else {
                        out[w].1 += SLOT;
                    }
                }
            }
        }
        slot += SLOT;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn engine_agrees_with_brute_force(case in case()) {
        let want = reference(&case);
        let input = ReportInput {
            as_of: Some(case.as_of),
            stores: vec![StoreInput {
                store_id: "s".into(),
                timezone: Some(case.zone.to_string()),
                hours: case.hours.clone(),
                polls: case.polls.clone(),
            }],
        };
        let report = compute(input).unwrap();
        let got: Vec<(i64, i64)> = report.rows[0].figures.windows.iter().map(|t| (t.up / 2, t.down / 2)).collect();
        prop_assert_eq!(got, want.to_vec());
    }
}
