//! Background work beside the API: report jobs, and the periodic re-ingest.

pub mod reingest;
pub mod reports;
