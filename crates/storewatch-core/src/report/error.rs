//! What a report or a period can fail on.

/// The longest period, in days.
pub const MAX_PERIOD_DAYS: i64 = 366;

/// Why a period cannot be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("the period's start is at or after the report time")]
    Empty,
    #[error("the period is longer than {MAX_PERIOD_DAYS} days")]
    TooLong,
    #[error("days must be a whole number from 1 to {MAX_PERIOD_DAYS}")]
    Days,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("store {store_id}: {reason}")]
    Zone { store_id: String, reason: String },
    /// A time the zone database cannot convert (outside the years it covers).
    #[error("store {store_id}: {reason}")]
    OutOfRange { store_id: String, reason: String },
    /// The period asked for does not fit the report time.
    #[error("{0}")]
    Period(#[from] PeriodError),
}
