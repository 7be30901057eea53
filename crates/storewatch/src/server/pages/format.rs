//! Times and figures as a person writes them: `Mon 23 Jan 2023, 12:13`,
//! `12.50 h`, `3.25 %`; never microseconds.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use storewatch_core::domain::Micros;
use storewatch_core::report::{HalfMicros, Times, downtime_percent, hours_text};

/// `Mon 23 Jan 2023, 12:13` on the wall clock of `tz`.
pub fn wall_time(tz: &TimeZone, t: Micros) -> String {
    match Timestamp::from_microsecond(t) {
        Ok(ts) => tz
            .to_datetime(ts)
            .strftime("%a %-d %b %Y, %H:%M")
            .to_string(),
        Err(_) => String::new(),
    }
}

/// `Mon 23 Jan 2023, 12:13 UTC`.
pub fn utc_time(t: Micros) -> String {
    format!("{} UTC", wall_time(&TimeZone::UTC, t))
}

/// `Mon 23 Jan 2023`.
pub fn day(d: Date) -> String {
    d.strftime("%a %-d %b %Y").to_string()
}

/// `12.50 h`: hours with two decimals, as the reports write them.
pub fn hours(length: HalfMicros) -> String {
    format!("{} h", hours_text(length))
}

/// `3.25 %` of the observed time down, or a dash where nothing was
/// observed (unknown is not 0 %).
pub fn percent(t: &Times) -> String {
    percent_of(t.up, t.down)
}

/// [`percent`] of `up` and `down` time.
pub fn percent_of(up: HalfMicros, down: HalfMicros) -> String {
    downtime_percent(up, down).map_or_else(|| "–".to_string(), |p| format!("{p} %"))
}

/// The downtime share of `t` in [0, 1], if anything was observed.
pub fn share(t: &Times) -> Option<f64> {
    let observed = t.up + t.down;
    (observed > 0).then(|| t.down as f64 / observed as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_a_person_writes_them() {
        let t = storewatch_core::domain::parse_timestamp("2023-01-23 12:13:59.999 UTC").unwrap();
        assert_eq!(utc_time(t), "Mon 23 Jan 2023, 12:13 UTC");
        let chicago = TimeZone::get("America/Chicago").unwrap();
        assert_eq!(wall_time(&chicago, t), "Mon 23 Jan 2023, 06:13");
        assert_eq!(day(jiff::civil::date(2023, 1, 2)), "Mon 2 Jan 2023");
        let times = Times {
            open: 0,
            up: 3 * 3_600_000_000 * 2,
            down: 3_600_000_000 * 2,
        };
        assert_eq!(hours(times.down), "1.00 h");
        assert_eq!(percent(&times), "25.00 %");
        assert_eq!(percent(&Times::default()), "–");
        assert_eq!(share(&times), Some(0.25));
    }
}
