pub mod alerts;
pub mod delete_polls;
pub mod generate;
pub mod ingest;
pub mod keys;
pub mod report;
pub mod serve;
