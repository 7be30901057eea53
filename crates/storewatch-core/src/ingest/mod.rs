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
mod polls;
mod runs;
mod source;
mod special_hours;
mod store_ids;
mod table;
mod timezones;

pub use error::{IngestError, RowError};
pub use hours::{HoursFile, parse_hours};
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

/// What to do with an invalid row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Reject the whole file (the default).
    #[default]
    Strict,
    /// Skip invalid rows, count them and hand them back.
    Lenient,
}

/// The four kinds of source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    Polls,
    BusinessHours,
    Timezones,
    SpecialHours,
}

impl SourceKind {
    /// File names looked for in a data directory, in order of preference
    /// (each also as `.csv.gz`).
    pub fn default_names(self) -> &'static [&'static str] {
        match self {
            SourceKind::Polls => &["store_status.csv"],
            SourceKind::BusinessHours => &["business_hours.csv", "menu_hours.csv"],
            SourceKind::Timezones => &["timezones.csv"],
            SourceKind::SpecialHours => &["special_hours.csv"],
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Polls => "polls",
            SourceKind::BusinessHours => "business_hours",
            SourceKind::Timezones => "timezones",
            SourceKind::SpecialHours => "special_hours",
        }
    }

    /// The kind a [`SourceKind::name`] names.
    pub fn from_name(name: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.name() == name)
    }

    pub const ALL: [SourceKind; 4] = [
        SourceKind::Polls,
        SourceKind::BusinessHours,
        SourceKind::Timezones,
        SourceKind::SpecialHours,
    ];
}
