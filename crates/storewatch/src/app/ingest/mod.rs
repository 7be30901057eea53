//! The ingest pipeline every entry point calls (`storewatch ingest`, a
//! pushed body, the periodic re-ingest): parse and validate each source on
//! its own thread, and apply them all in one transaction, or, if any is
//! invalid, nothing. Outcomes are counted in the metrics when there are any.

mod input;
mod origin;
mod pipeline;
mod rejected;
mod sources;

pub use input::Input;
pub use origin::Origin;
pub use pipeline::{IngestRequest, Ingested, ingest, validate};
pub use rejected::{IngestFailure, Rejected, RejectedFile};
pub use sources::{Parsed, Skipped, Sources, parse_source, set_sort_run_polls};
