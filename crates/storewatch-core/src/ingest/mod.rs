//! Parsing and validation of the four CSV sources (SPEC sections 1 and 2).
//!
//! A file is read whole into validated rows before anything touches the
//! database (polls set aside in sorted runs, so memory does not grow with
//! the file), which is what makes "an invalid file changes nothing" cheap: in
//! strict mode ([`Mode::Strict`], the default) any invalid row turns the whole
//! file into an [`IngestError`], in lenient mode invalid rows are skipped and
//! returned beside the good ones so the caller can say where they went.

mod error;
mod hours;
mod kinds;
mod polls;
mod runs;
mod source;
mod special_hours;
mod store_ids;
mod table;
mod timezones;

pub use error::{IngestError, RowError};
pub use hours::{HoursFile, parse_hours};
pub use kinds::{Mode, SourceKind};
pub use polls::{NewestAllowed, PollFile, parse_polls, parse_polls_into};
pub use runs::dedup_keep_last;
pub use runs::{DEFAULT_RUN_LEN, PollRuns, SortedPolls, SpillFactory, SpillFile};
pub use source::{
    SkippedSink, Source, open_path, reader_from, reader_from_bytes, reader_from_bytes_limited,
    reader_from_limited,
};
pub use special_hours::{SpecialHoursFile, parse_special_hours};
pub use store_ids::StoreIds;
pub use table::{MAX_FIELD_BYTES, MAX_KEPT_SKIPPED};
pub use timezones::{TimezoneFile, parse_timezones};
