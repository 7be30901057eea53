//! The period's charts as inline SVG: the downtime percent by day and by
//! hour of the day (bars), and a store's days as a calendar coloured by
//! downtime percent. Each mark carries a `<title>`, which browsers show on
//! hover and screen readers read.

use jiff::civil::Date;
use maud::{Markup, html};
use storewatch_core::report::Times;

use super::format::{day, hours, percent, share};

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 150.0;
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 22.0;

/// The top of the percent scale: the largest share shown, rounded up to a
/// tenth (at least 10 %), so a fleet down 2 % still shows its shape.
fn scale(shares: impl Iterator<Item = Option<f64>>) -> f64 {
    let top = shares.flatten().fold(0.0_f64, f64::max);
    ((top * 10.0).ceil() / 10.0).clamp(0.1, 1.0)
}

/// Bars of the downtime percent, one per `(label, tooltip, figures)`, with
/// every `tick`-th label written under its bar.
fn bars(class: &str, label: &str, items: &[(String, String, &Times)], tick: usize) -> Markup {
    let top = scale(items.iter().map(|(_, _, t)| share(t)));
    let plot = HEIGHT - BOTTOM - 8.0;
    let step = (WIDTH - LEFT) / items.len().max(1) as f64;
    let width = (step * 0.8).max(1.0);
    html! {
        svg class=(class) xmlns="http://www.w3.org/2000/svg" width=(WIDTH) height=(HEIGHT)
            viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-label=(label) {
            @for frac in [0.0, 0.5, 1.0] {
                @let y = 8.0 + plot * (1.0 - frac);
                line x1=(LEFT) x2=(WIDTH) y1=(y) y2=(y) stroke="#e3e6eb" {}
                text x=(LEFT - 4.0) y=(y + 4.0) font-size="11" text-anchor="end" fill="#667" {
                    (format!("{:.0} %", top * frac * 100.0))
                }
            }
            @for (i, (name, tip, times)) in items.iter().enumerate() {
                @let x = LEFT + step * i as f64 + (step - width) / 2.0;
                @match share(times) {
                    Some(s) => {
                        @let h = (plot * s / top).min(plot);
                        rect.bar x=(format!("{x:.2}")) y=(format!("{:.2}", 8.0 + plot - h))
                            width=(format!("{width:.2}")) height=(format!("{h:.2}")) fill="#d64545" {
                            title { (tip) ": " (percent(times)) " down (" (hours(times.down)) " of " (hours(times.open)) " open)" }
                        }
                    }
                    None => {
                        rect.bar.unobserved x=(format!("{x:.2}")) y=(format!("{:.2}", 8.0 + plot - 2.0))
                            width=(format!("{width:.2}")) height="2" fill="#b8bec8" {
                            title { (tip) ": nothing observed (" (hours(times.open)) " open)" }
                        }
                    }
                }
                @if i % tick == 0 {
                    text x=(format!("{:.2}", x + width / 2.0)) y=(HEIGHT - 6.0) font-size="11"
                        text-anchor="middle" fill="#667" { (name) }
                }
            }
        }
    }
}

/// The downtime percent of each local date.
pub fn by_day(days: &[(Date, &Times)]) -> Markup {
    let items: Vec<_> = days
        .iter()
        .map(|(d, t)| (d.strftime("%-d %b").to_string(), day(*d), *t))
        .collect();
    bars(
        "chart days",
        "downtime percent by day",
        &items,
        days.len().div_ceil(12).max(1),
    )
}

/// The downtime percent of each hour of the day (local wall clock).
pub fn by_hour(hours_of_day: &[Times; 24]) -> Markup {
    let items: Vec<_> = hours_of_day
        .iter()
        .enumerate()
        .map(|(h, t)| (format!("{h:02}"), format!("{h:02}:00–{h:02}:59"), t))
        .collect();
    bars(
        "chart hours",
        "downtime percent by hour of the day",
        &items,
        3,
    )
}

/// The fill of a calendar day: closed (no business hours), nothing
/// observed, or a step of the downtime percent.
fn day_fill(t: &Times) -> (&'static str, &'static str) {
    if t.open == 0 {
        return ("closed", "#ffffff");
    }
    match share(t) {
        None => ("unobserved", "#c9ced6"),
        Some(_) if t.down == 0 => ("down-0", "#2e9d5b"),
        Some(s) if s < 0.02 => ("down-1", "#9bcf7b"),
        Some(s) if s < 0.05 => ("down-2", "#f2d15c"),
        Some(s) if s < 0.15 => ("down-3", "#ee9245"),
        Some(_) => ("down-4", "#d64545"),
    }
}

/// The legend of [`calendar`]'s colours.
pub fn calendar_legend() -> Markup {
    let swatch = |fill: &str, text: &str| {
        html! { span { i.sw style=(format!("background:{fill}")) {} (text) } }
    };
    html! {
        p.legend {
            (swatch("#2e9d5b", "no downtime"))
            (swatch("#9bcf7b", "under 2 %"))
            (swatch("#f2d15c", "2–5 %"))
            (swatch("#ee9245", "5–15 %"))
            (swatch("#d64545", "15 % or more"))
            (swatch("#c9ced6", "nothing observed"))
            span { i.sw.closed-swatch {} "closed" }
        }
    }
}

/// A store's dates as a calendar: a column per week (Monday on top), each
/// day a square coloured by its downtime percent; 12 weeks fit a laptop
/// screen at a glance.
pub fn calendar(days: &[(Date, &Times)]) -> Markup {
    const CELL: f64 = 20.0;
    const GAP: f64 = 3.0;
    const TOP: f64 = 16.0;
    const SIDE: f64 = 30.0;
    let Some(first) = days.first().map(|(d, _)| *d) else {
        return html! {};
    };
    let monday = first
        .checked_sub(jiff::Span::new().days(i64::from(first.weekday().to_monday_zero_offset())))
        .unwrap_or(first);
    let week_of = |d: Date| (monday.until(d).map_or(0, |s| s.get_days()) / 7) as f64;
    let weeks = days.last().map_or(1.0, |(d, _)| week_of(*d) + 1.0);
    let width = SIDE + weeks * (CELL + GAP);
    let height = TOP + 7.0 * (CELL + GAP);
    html! {
        svg.calendar xmlns="http://www.w3.org/2000/svg" width=(width) height=(height)
            viewBox=(format!("0 0 {width} {height}")) role="img" aria-label="downtime percent by day" {
            @for (row, name) in [(0, "Mon"), (2, "Wed"), (4, "Fri"), (6, "Sun")] {
                text x="0" y=(TOP + f64::from(row) * (CELL + GAP) + 12.0) font-size="10" fill="#667" { (name) }
            }
            @for (d, t) in days {
                @let (class, fill) = day_fill(t);
                @let x = SIDE + week_of(*d) * (CELL + GAP);
                @let y = TOP + f64::from(d.weekday().to_monday_zero_offset()) * (CELL + GAP);
                @if d.day() == 1 || d == &first {
                    text x=(x) y="11" font-size="10" fill="#667" { (d.strftime("%b")) }
                }
                rect class=(format!("day {class}")) x=(x) y=(y) width=(CELL) height=(CELL) rx="2"
                    fill=(fill) stroke=(if class == "closed" { "#b8bec8" } else { fill }) {
                    title {
                        (day(*d)) ": "
                        @if t.open == 0 { "closed" }
                        @else { (percent(t)) " down, " (hours(t.down)) " of " (hours(t.open)) " open" }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn times(open: i64, up: i64, down: i64) -> Times {
        Times { open, up, down }
    }

    #[test]
    fn the_scale_fits_the_largest_share_in_tenths() {
        assert_eq!(scale([Some(0.02), None].into_iter()), 0.1);
        assert_eq!(scale([Some(0.34), Some(0.1)].into_iter()), 0.4);
        assert_eq!(scale([None].into_iter()), 0.1);
        assert_eq!(scale([Some(1.0)].into_iter()), 1.0);
    }

    #[test]
    fn a_calendar_puts_each_day_under_its_weekday_and_marks_closed_days() {
        let a = times(10, 10, 0);
        let closed = times(0, 0, 0);
        let bad = times(10, 5, 5);
        // Sun 1 Jan 2023, Mon 2 Jan, Tue 3 Jan.
        let days = [
            (jiff::civil::date(2023, 1, 1), &a),
            (jiff::civil::date(2023, 1, 2), &closed),
            (jiff::civil::date(2023, 1, 3), &bad),
        ];
        let svg = calendar(&days).into_string();
        assert_eq!(svg.matches("class=\"day ").count(), 3);
        assert!(svg.contains("class=\"day closed\""), "{svg}");
        assert!(svg.contains("class=\"day down-4\""), "{svg}");
        assert!(svg.contains("Tue 3 Jan 2023: 50.00 % down"), "{svg}");
        // Sunday is the last row of the first week, Monday the first of the next.
        assert!(
            svg.contains(r#"class="day down-0" x="30" y="154""#),
            "{svg}"
        );
        assert!(svg.contains(r#"class="day closed" x="53" y="16""#), "{svg}");
    }
}
