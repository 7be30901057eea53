//! The pure heart of storewatch.
//!
//! * [`domain`] — the parsed, validated values the rest of the program trades in
//!   (timestamps, statuses, times of day, weekly business hours, time zones).
//! * [`report`] — the report math of SPEC section 3: open intervals in UTC,
//!   nearest-poll interpolation, the six figures and their CSV.
//! * [`ingest`] — CSV parsing and validation of the three sources (SPEC sections 1–2).
//! * [`generate`] — realistic synthetic data of any size, deterministic for a seed.
//!
//! Nothing here touches a database, the network or a clock, and nothing is async:
//! the storage backends and the binary depend on this crate, never the reverse.
#![forbid(unsafe_code)]

pub mod alerts;
pub mod domain;
pub mod generate;
pub mod hex;
pub mod ingest;
pub mod report;
