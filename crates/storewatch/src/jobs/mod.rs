//! Background work beside the API: report jobs, the periodic re-ingest, the
//! deletion of old reports, and the live statuses' count.

pub mod alerts;
pub mod live;
pub mod reingest;
pub mod reports;
pub mod retention;
pub mod supervise;
