//! The report of SPEC section 3: for every store with a poll, its up and down
//! time during business hours over the last hour, day and week before `as_of`,
//! and on request the extended columns (open time, polls, incidents).

mod csv;
mod error;
mod fleet;
mod incidents;
mod input;
mod interpolate;
pub mod period;
mod period_report;
pub mod schedule;
mod timeline;
mod week;

pub use csv::{
    CSV_HEADER, Columns, EXTENDED_HEADER, Header, named_fields, select_columns, to_csv_part_string,
    to_csv_string, write_csv, write_csv_part,
};
pub use error::{MAX_PERIOD_DAYS, PeriodError, ReportError};
pub use fleet::{Fleet, FleetBuilder, RANKED, Ranked};
pub use incidents::{Incident, incidents};
pub use input::{Extended, Report, ReportInput, ReportRow, StoreInput};
pub use interpolate::{
    Figures, HalfMicros, Tally, Window, candidates, figures, hundredths, open_length, to_micros,
};
pub use period::{
    DEFAULT_PERIOD_DAYS, DayFigures, LocalClock, Period, PeriodSpec, PeriodZone, PeriodZones,
    StorePeriod, Times, analyze_period,
};
pub use period_report::{
    PeriodBuilder, PeriodKind, PeriodReport, ReportKind, ReportSpec, downtime_percent, hours_text,
};
pub use schedule::{Interval, Opening, Schedule};
pub use timeline::{Segment, segments, tally_of};
pub use week::{
    Live, LiveCounts, LiveList, LiveStatus, Offline, OfflineList, ReportBuilder, StoreAnalysis,
    analyze, analyze_within, compute, live, live_status, live_within, offline_now,
};
