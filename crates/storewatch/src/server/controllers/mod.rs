//! One module per resource, one function per action (crates.io style).

pub mod docs;
pub mod ingest;
pub mod ops;
pub mod reports;

use storewatch_core::domain::Micros;

/// Now, as UTC microseconds: the only clock the service reads.
pub fn now_micros() -> Micros {
    jiff::Timestamp::now().as_microsecond()
}
