//! How a backend is opened and how a read may use memory.

/// How a read may use memory: a report's read maps the database file in
/// (fast: a backend that can, reads its pages through the memory map, and
/// every page it touches counts in the process's resident size), a
/// request's read of every store (the offline list) keeps to the backend's
/// bounded page cache, so its memory does not grow with the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadMemory {
    Mapped,
    Bounded,
}

/// Whether connecting may create storewatch's tables in a database that has
/// none. An existing storewatch schema is brought up to date either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// Create them: `ingest`, `serve`, `keys create`.
    Create,
    /// Refuse a database without them: the commands that only read or
    /// remove (`report`, `keys list`, …), so a mistyped URL never fills
    /// some other database with storewatch's tables.
    MustExist,
}
