//! Figures as the JSON answers write them: hours and percents with two
//! decimals (as the CSV), times in the timestamp format.

use storewatch_core::domain::{Micros, format_timestamp};
use storewatch_core::report::{HalfMicros, downtime_percent, hours_text};

/// Hours with two decimals (as the CSV writes them), as a JSON number.
pub fn hours_number(length: HalfMicros) -> f64 {
    hours_text(length).parse().unwrap_or(0.0)
}

/// The downtime percent with two decimals, as a JSON number; `None` (null)
/// when nothing was observed.
pub fn percent_number(up: HalfMicros, down: HalfMicros) -> Option<f64> {
    downtime_percent(up, down).and_then(|p| p.parse().ok())
}

/// A time in the timestamp format, if there is one.
pub fn time(t: Option<Micros>) -> Option<String> {
    t.map(format_timestamp)
}
