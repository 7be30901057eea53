//! The fleet's JSON answer: hours as numbers with two decimals, the
//! downtime percent `null` where nothing was observed (unknown is not 0 %).

use serde::Serialize;
use storewatch_core::domain::format_timestamp;
use storewatch_core::report::{Fleet, LiveCounts, Ranked};

use crate::server::views::{HourView, TimesView, hours_number as hours, percent_number as percent};

#[derive(Debug, Serialize)]
pub struct FleetView {
    /// The report time T and the period's start F.
    pub as_of: Option<String>,
    pub from: Option<String>,
    #[serde(flatten)]
    pub times: TimesView,
    pub stores_observed: u64,
    pub stores_unobserved: u64,
    pub peak_day: Option<PeakDay>,
    pub worst: Vec<RankedView>,
    pub best: Vec<RankedView>,
    pub daily: Vec<DayView>,
    pub hourly: Vec<HourView>,
    pub live: LiveView,
}

#[derive(Debug, Serialize)]
pub struct PeakDay {
    pub date: String,
    pub downtime_hours: f64,
}

#[derive(Debug, Serialize)]
pub struct RankedView {
    pub store_id: String,
    pub downtime_percent: Option<f64>,
    pub downtime_hours: f64,
}

#[derive(Debug, Serialize)]
pub struct DayView {
    pub date: String,
    #[serde(flatten)]
    pub times: TimesView,
}

#[derive(Debug, Serialize)]
pub struct LiveView {
    pub offline: u64,
    pub online: u64,
    pub outside_hours: u64,
    pub no_observation: u64,
}

impl From<LiveCounts> for LiveView {
    fn from(l: LiveCounts) -> LiveView {
        LiveView {
            offline: l.offline,
            online: l.online,
            outside_hours: l.outside_hours,
            no_observation: l.no_observation,
        }
    }
}

impl From<&Ranked> for RankedView {
    fn from(r: &Ranked) -> RankedView {
        RankedView {
            store_id: r.store_id.clone(),
            downtime_percent: percent(r.up, r.down),
            downtime_hours: hours(r.down),
        }
    }
}

impl FleetView {
    /// The answer for a database with no poll: no period, nothing counted.
    pub fn empty() -> FleetView {
        FleetView::of(&Fleet::default())
    }

    pub fn of(f: &Fleet) -> FleetView {
        FleetView {
            as_of: f.period.map(|p| format_timestamp(p.to)),
            from: f.period.map(|p| format_timestamp(p.from)),
            times: (&f.total).into(),
            stores_observed: f.observed,
            stores_unobserved: f.unobserved,
            peak_day: f.peak_day.map(|(date, down)| PeakDay {
                date: date.to_string(),
                downtime_hours: hours(down),
            }),
            worst: f.worst.iter().map(RankedView::from).collect(),
            best: f.best.iter().map(RankedView::from).collect(),
            daily: f
                .daily
                .iter()
                .map(|(date, t)| DayView {
                    date: date.to_string(),
                    times: t.into(),
                })
                .collect(),
            hourly: HourView::all(&f.hourly),
            live: f.live.into(),
        }
    }
}
