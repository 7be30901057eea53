//! Validated domain values. Each type is built by a parser that rejects bad input
//! with a reason a person can act on; once built, a value is known to be good.

mod hours;
mod special;
mod status;
mod store_id;
mod timestamp;
mod zone;

pub use hours::{HoursRow, TimeOfDay, TimeOfDayError, Weekday, WeekdayError};
pub use special::{DateError, FIRST_YEAR, LAST_YEAR, SpecialHoursRow, parse_local_date};
pub use status::{Status, StatusError};
pub use store_id::{MAX_STORE_ID_BYTES, SharedId, StoreId, StoreIdError, check_store_id};
pub use timestamp::{
    FIRST_TIMESTAMP, LAST_TIMESTAMP, MICROS_PER_HOUR, MICROS_PER_SECOND, Micros, TimestampError,
    format_timestamp, format_timestamp_real, parse_timestamp,
};
pub use zone::{DEFAULT_ZONE, ZoneError, canonical_zone, resolve_zone, validate_zone};

/// One observation of a store: at `ts` (UTC microseconds) it was `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Poll {
    pub ts: Micros,
    pub status: Status,
}

impl Poll {
    /// The poll as one number, `2·ts + active`: how polls are stored and
    /// set aside (the order of the numbers is the order of the times).
    pub fn packed(&self) -> i64 {
        self.ts * 2 + i64::from(self.status.is_active())
    }

    /// The poll a [`Poll::packed`] number stands for.
    pub fn from_packed(n: i64) -> Poll {
        Poll {
            ts: n >> 1,
            status: if n & 1 == 1 {
                Status::Active
            } else {
                Status::Inactive
            },
        }
    }
}
