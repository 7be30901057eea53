//! The store's week as a picture: one row per local day, 0–24 h across;
//! business hours shaded, the up and down bands the report counts, each
//! poll as a mark, special dates named at the left.

use std::fmt::Write;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use storewatch_core::domain::Micros;
use storewatch_core::report::to_micros;

use crate::app::timeline::StoreTimeline;

const LEFT: f64 = 150.0;
const WIDTH: f64 = 720.0;
const ROW: f64 = 34.0;
const TOP: f64 = 22.0;

fn local(tz: &TimeZone, t: Micros) -> Option<DateTime> {
    Some(tz.to_datetime(Timestamp::from_microsecond(t).ok()?))
}

fn hours_of(dt: DateTime) -> f64 {
    f64::from(dt.hour()) + f64::from(dt.minute()) / 60.0 + f64::from(dt.second()) / 3600.0
}

/// `[start, end)` cut at local midnights: (local date, from hour, to hour).
fn pieces(tz: &TimeZone, start: Micros, end: Micros) -> Vec<(Date, f64, f64)> {
    let mut out = Vec::new();
    let mut at = start;
    while at < end {
        let Some(dt) = local(tz, at) else { break };
        let next_midnight = dt
            .date()
            .tomorrow()
            .ok()
            .and_then(|d| {
                tz.to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
                    .ok()
            })
            .map_or(end, |t| t.as_microsecond());
        let stop = next_midnight.min(end).max(at + 1);
        let to = if stop >= next_midnight {
            24.0
        } else {
            local(tz, stop).map_or(24.0, hours_of)
        };
        out.push((dt.date(), hours_of(dt), to));
        at = stop;
    }
    out
}

fn x(hour: f64) -> f64 {
    LEFT + hour / 24.0 * WIDTH
}

/// The SVG of `t`'s week.
pub fn draw(t: &StoreTimeline) -> String {
    let tz = &t.tz;
    let (Some(first), Some(last)) = (local(tz, t.week.start), local(tz, t.week.end)) else {
        return String::new();
    };
    let mut days = Vec::new();
    let mut d = first.date();
    while d <= last.date() {
        days.push(d);
        match d.tomorrow() {
            Ok(next) => d = next,
            Err(_) => break,
        }
    }
    let row_of = |date: Date| days.iter().position(|d| *d == date);
    let height = TOP + ROW * days.len() as f64 + 10.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" \
         viewBox=\"0 0 {w} {height}\" role=img aria-label=\"the store's week\">",
        w = LEFT + WIDTH + 10.0
    );
    for h in (0..=24).step_by(3) {
        let _ = write!(
            svg,
            "<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#e3e6eb\"/>\
             <text x=\"{0}\" y=\"14\" font-size=\"11\" text-anchor=\"middle\" fill=\"#667\">{h:02}:00</text>",
            x(f64::from(h)),
            TOP - 4.0,
            height - 8.0
        );
    }
    for (i, day) in days.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        let special = t.special.iter().find(|s| s.date == *day);
        let note = match special {
            Some(s) if s.is_closed() => " · closed",
            Some(_) => " · special",
            None => "",
        };
        let weekday = format!("{:?}", day.weekday());
        let _ = write!(
            svg,
            "<text x=\"4\" y=\"{}\" font-size=\"12\" fill=\"{}\">{} {day}{note}</text>",
            y + ROW / 2.0 + 4.0,
            if special.is_some() { "#a15c00" } else { "#333" },
            &weekday[..3],
        );
    }
    // Business hours.
    for iv in &t.open {
        for (date, a, b) in pieces(tz, iv.start, iv.end) {
            if let Some(r) = row_of(date) {
                let _ = write!(
                    svg,
                    "<rect class=open x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"#dfe7f3\"/>",
                    x(a),
                    TOP + ROW * r as f64 + 3.0,
                    (x(b) - x(a)).max(0.5),
                    ROW - 6.0
                );
            }
        }
    }
    // The bands the report counts.
    for s in &t.segments {
        for (date, a, b) in pieces(tz, to_micros(s.start), to_micros(s.end)) {
            if let Some(r) = row_of(date) {
                let _ = write!(
                    svg,
                    "<rect class=\"band {}\" x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"10\" fill=\"{}\"/>",
                    if s.up { "up" } else { "down" },
                    x(a),
                    TOP + ROW * r as f64 + ROW / 2.0 - 5.0,
                    (x(b) - x(a)).max(0.5),
                    if s.up { "#2e9d5b" } else { "#d64545" }
                );
            }
        }
    }
    // The polls.
    for (poll, candidate) in &t.polls {
        let Some(dt) = local(tz, poll.ts) else {
            continue;
        };
        let Some(r) = row_of(dt.date()) else { continue };
        let colour = if poll.status.is_active() {
            "#1e7a45"
        } else {
            "#b32d2d"
        };
        let _ = write!(
            svg,
            "<circle class=\"poll {}\" cx=\"{:.2}\" cy=\"{:.2}\" r=\"3.5\" fill=\"{}\" stroke=\"{colour}\" stroke-width=\"1.5\"/>",
            poll.status.as_str(),
            x(hours_of(dt)),
            TOP + ROW * r as f64 + ROW / 2.0,
            if *candidate { colour } else { "#fff" }
        );
    }
    svg.push_str("</svg>");
    svg
}
