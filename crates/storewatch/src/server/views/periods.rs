//! Period figures shared by the fleet and a store's history.

use serde::Serialize;
use storewatch_core::report::Times;

use super::numbers::{hours_number, percent_number};

/// Open, up and down hours and the downtime percent (`null` where nothing
/// was observed: unknown is not 0 %), flattened into each answer that has
/// them: the fleet, a store's history, their days and hours.
#[derive(Debug, Serialize)]
pub struct TimesView {
    pub open_hours: f64,
    pub uptime_hours: f64,
    pub downtime_hours: f64,
    pub downtime_percent: Option<f64>,
}

impl From<&Times> for TimesView {
    fn from(t: &Times) -> TimesView {
        TimesView {
            open_hours: hours_number(t.open),
            uptime_hours: hours_number(t.up),
            downtime_hours: hours_number(t.down),
            downtime_percent: percent_number(t.up, t.down),
        }
    }
}

/// One hour of the day's figures, in the fleet and a store's history.
#[derive(Debug, Serialize)]
pub struct HourView {
    pub hour: u8,
    #[serde(flatten)]
    pub times: TimesView,
}

impl HourView {
    /// Hours 0 to 23, from a period's figures by hour of the day.
    pub fn all(by_hour: &[Times; 24]) -> Vec<HourView> {
        (0u8..24)
            .zip(by_hour)
            .map(|(hour, t)| HourView {
                hour,
                times: t.into(),
            })
            .collect()
    }
}
