//! The store's week as a picture: one row per local day, 0–24 h across;
//! business hours shaded, the up and down bands the report counts, each
//! poll as a mark, special dates named at the left.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use maud::{Markup, html};
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
pub fn draw(t: &StoreTimeline) -> Markup {
    let tz = &t.tz;
    let (Some(first), Some(last)) = (local(tz, t.week.start), local(tz, t.week.end)) else {
        return html! {};
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
    let y_of = |row: usize| TOP + ROW * row as f64;
    let height = TOP + ROW * days.len() as f64 + 10.0;
    let width = LEFT + WIDTH + 10.0;
    let open: Vec<(usize, f64, f64)> = t
        .open
        .iter()
        .flat_map(|iv| pieces(tz, iv.start, iv.end))
        .filter_map(|(date, a, b)| Some((row_of(date)?, a, b)))
        .collect();
    let bands: Vec<(usize, f64, f64, bool)> = t
        .segments
        .iter()
        .flat_map(|s| {
            pieces(tz, to_micros(s.start), to_micros(s.end))
                .into_iter()
                .map(move |piece| (piece, s.up))
        })
        .filter_map(|((date, a, b), up)| Some((row_of(date)?, a, b, up)))
        .collect();
    let polls: Vec<(usize, f64, bool, bool)> = t
        .polls
        .iter()
        .filter_map(|(poll, candidate)| {
            let dt = local(tz, poll.ts)?;
            Some((
                row_of(dt.date())?,
                hours_of(dt),
                poll.status.is_active(),
                *candidate,
            ))
        })
        .collect();
    let n = |v: f64| format!("{v:.2}");
    html! {
        svg.week xmlns="http://www.w3.org/2000/svg" width=(width) height=(height)
            viewBox=(format!("0 0 {width} {height}")) role="img" aria-label="the store's week" {
            @for h in (0..=24).step_by(3) {
                @let hx = x(f64::from(h));
                line x1=(hx) x2=(hx) y1=(TOP - 4.0) y2=(height - 8.0) stroke="#e3e6eb" {}
                text x=(hx) y="14" font-size="11" text-anchor="middle" fill="#667" { (format!("{h:02}:00")) }
            }
            @for (i, day) in days.iter().enumerate() {
                @let special = t.special.iter().find(|s| s.date == *day);
                text x="4" y=(y_of(i) + ROW / 2.0 + 4.0) font-size="12"
                    fill=(if special.is_some() { "#a15c00" } else { "#333" }) {
                    (day.strftime("%a %Y-%m-%d"))
                    @match special {
                        Some(s) if s.is_closed() => " · closed",
                        Some(_) => " · special",
                        None => "",
                    }
                }
            }
            // Business hours.
            @for (r, a, b) in &open {
                rect.open x=(n(x(*a))) y=(n(y_of(*r) + 3.0)) width=(n((x(*b) - x(*a)).max(0.5)))
                    height=(n(ROW - 6.0)) fill="#dfe7f3" {}
            }
            // The bands the report counts.
            @for (r, a, b, up) in &bands {
                rect class=(if *up { "band up" } else { "band down" }) x=(n(x(*a)))
                    y=(n(y_of(*r) + ROW / 2.0 - 5.0)) width=(n((x(*b) - x(*a)).max(0.5))) height="10"
                    fill=(if *up { "#2e9d5b" } else { "#d64545" }) {}
            }
            // The polls: filled when they count (inside business hours).
            @for (r, hour, active, candidate) in &polls {
                @let colour = if *active { "#1e7a45" } else { "#b32d2d" };
                circle class=(if *active { "poll active" } else { "poll inactive" }) cx=(n(x(*hour)))
                    cy=(n(y_of(*r) + ROW / 2.0)) r="3.5" fill=(if *candidate { colour } else { "#fff" })
                    stroke=(colour) stroke-width="1.5" {}
            }
        }
    }
}
