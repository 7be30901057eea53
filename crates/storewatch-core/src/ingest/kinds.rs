//! What is read (the four kinds of source) and how strictly.

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
