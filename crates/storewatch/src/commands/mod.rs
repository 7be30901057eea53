pub mod generate;
pub mod ingest;
pub mod report;
pub mod serve;
