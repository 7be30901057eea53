//! Background work beside the API: report jobs, the periodic re-ingest, and
//! the deletion of old reports.

pub mod reingest;
pub mod reports;
pub mod retention;
pub mod supervise;
