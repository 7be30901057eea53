//! The errors of the storage contract.

/// A storage failure. Backends keep their own error inside.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Backend(#[from] Box<dyn std::error::Error + Send + Sync>),
    #[error("database URL {url:?}: {reason}")]
    BadUrl { url: String, reason: String },
    /// A command that only reads was pointed at a database storewatch never
    /// set up (see [`Schema::MustExist`]).
    #[error(
        "{database} holds no storewatch data (none of its tables): check --database-url, \
         or ingest data first (storewatch ingest), which creates them"
    )]
    NoSchema { database: String },
}

impl DbError {
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> DbError {
        DbError::Backend(Box::new(e))
    }
}

/// The part of the database a health check found wanting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthPart {
    /// It does not answer.
    Database,
    /// Its schema is missing or behind, and migrating it failed.
    Schema,
    /// The file opened was deleted or replaced.
    File,
    /// A write does not commit.
    Write,
}

impl HealthPart {
    /// As the health check's answer names it (`failed`).
    pub fn as_str(self) -> &'static str {
        match self {
            HealthPart::Database => "database",
            HealthPart::Schema => "schema",
            HealthPart::File => "file",
            HealthPart::Write => "write",
        }
    }
}

impl std::fmt::Display for HealthPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The part of the database a health check found wanting, and why.
#[derive(Debug, thiserror::Error)]
#[error("{part}: {error}")]
pub struct Unhealthy {
    pub part: HealthPart,
    pub error: DbError,
}

impl Unhealthy {
    pub fn new(part: HealthPart, error: impl Into<DbError>) -> Unhealthy {
        Unhealthy {
            part,
            error: error.into(),
        }
    }
}
