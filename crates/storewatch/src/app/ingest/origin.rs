//! On whose behalf an ingest runs.

use storewatch_db::Actor;

/// Who an ingest is on behalf of, for the ingest log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub by: Actor,
    /// The API key that pushed it.
    pub key_id: Option<String>,
}

impl Origin {
    /// Not a key: the command line, the data directory, the demo.
    pub fn keyless(by: Actor) -> Origin {
        Origin { by, key_id: None }
    }
}
