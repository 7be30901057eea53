//! API keys as stored: who may call the service, in which role, over which
//! stores. Only a hash of each key's secret is kept (see the binary's
//! `app::access` for the tokens themselves and how they are checked).

use std::fmt;

use sha2::{Digest, Sha256};
use storewatch_core::domain::{Micros, StoreId, StoreIdError};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything.
    Admin,
    /// Push data, nothing else: a poller's key.
    Ingest,
    /// Trigger and read reports. With a store scope: a restaurant owner.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Ingest, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Ingest => "ingest",
            Role::Viewer => "viewer",
        }
    }
}

/// A role that is not one of [`Role::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("role {0:?}: expected admin, ingest or viewer")]
pub struct UnknownRole(String);

impl std::str::FromStr for Role {
    type Err = UnknownRole;

    /// Any case, around spaces.
    fn from_str(text: &str) -> Result<Role, UnknownRole> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == text.trim().to_ascii_lowercase())
            .ok_or_else(|| UnknownRole(text.to_string()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The stores an owner's key sees: a non-empty set of valid store ids,
/// sorted, each once. Two keys with the same stores share a scope, and so
/// see each other's reports.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope(Vec<StoreId>);

/// The most stores one scope may name.
pub const MAX_SCOPE_STORES: usize = 100_000;

/// Why a list of ids is not a scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("store id {id:?}: {error}")]
    BadId { id: String, error: StoreIdError },
    #[error("a scope names at most {MAX_SCOPE_STORES} stores")]
    TooMany,
    #[error("a store scope needs at least one store id")]
    Empty,
}

impl Scope {
    /// Validates, sorts and de-duplicates `ids` (as store ids are validated
    /// on ingest, so a scope can only name stores that could exist).
    pub fn new<I: IntoIterator<Item = S>, S: AsRef<str>>(ids: I) -> Result<Scope, ScopeError> {
        let mut out = Vec::new();
        for id in ids {
            let id = id.as_ref().trim();
            if id.is_empty() {
                continue;
            }
            out.push(id.parse::<StoreId>().map_err(|error| ScopeError::BadId {
                id: id.to_string(),
                error,
            })?);
            if out.len() > MAX_SCOPE_STORES {
                return Err(ScopeError::TooMany);
            }
        }
        out.sort_unstable();
        out.dedup();
        if out.is_empty() {
            return Err(ScopeError::Empty);
        }
        Ok(Scope(out))
    }

    pub fn stores(&self) -> &[StoreId] {
        &self.0
    }

    /// The scope of one store.
    pub fn one(id: StoreId) -> Scope {
        Scope(vec![id])
    }

    /// Whether the scope names the store `id`.
    pub fn contains(&self, id: &str) -> bool {
        self.0.binary_search_by(|s| s.as_str().cmp(id)).is_ok()
    }

    /// The scope's stores in `range`; `None` when there are none.
    pub fn within(&self, range: &crate::StoreRange) -> Option<Scope> {
        let ids: Vec<StoreId> = self
            .0
            .iter()
            .filter(|id| range.contains(id))
            .cloned()
            .collect();
        (!ids.is_empty()).then_some(Scope(ids))
    }

    /// How the database stores a scope: the ids, one per line (a store id
    /// holds no control characters).
    pub fn to_text(&self) -> String {
        let ids: Vec<&str> = self.0.iter().map(StoreId::as_str).collect();
        ids.join("\n")
    }

    /// The inverse of [`Scope::to_text`].
    pub fn from_text(text: &str) -> Result<Scope, ScopeError> {
        Scope::new(text.split('\n'))
    }

    /// A short fingerprint naming the scope: reports made under it carry it,
    /// and an owner's listing finds them by it (by index).
    pub fn id(&self) -> String {
        let digest = Sha256::digest(self.to_text().as_bytes());
        storewatch_core::hex::encode(&digest[..16])
    }
}

/// A key to store: its secret only as a hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKey {
    /// The public part of the token, unique.
    pub id: String,
    /// Unique among keys not revoked.
    pub name: String,
    pub role: Role,
    pub scope: Option<Scope>,
    /// SHA-256 of the secret, lowercase hex.
    pub secret_sha256: String,
    pub created_at: Micros,
}

/// A stored key: what was stored, and its use since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    pub key: NewKey,
    /// To the minute: a key's use is written down at most once a minute.
    pub last_used_at: Option<Micros>,
    pub revoked_at: Option<Micros>,
}

/// The columns of a key row, as both backends read them.
pub struct KeyColumns {
    pub id: String,
    pub name: String,
    pub role: String,
    pub stores: Option<String>,
    pub secret_sha256: String,
    pub created_at: Micros,
    pub last_used_at: Option<Micros>,
    pub revoked_at: Option<Micros>,
}

impl KeyColumns {
    pub fn into_record(self) -> Result<KeyRecord, crate::DbError> {
        let corrupt = |what: String| {
            crate::DbError::backend(std::io::Error::other(format!(
                "unreadable API key {:?} in the database: {what}",
                self.name
            )))
        };
        let key = NewKey {
            role: self
                .role
                .parse::<Role>()
                .map_err(|e| corrupt(e.to_string()))?,
            scope: self
                .stores
                .as_deref()
                .map(Scope::from_text)
                .transpose()
                .map_err(|e| corrupt(e.to_string()))?,
            id: self.id,
            name: self.name,
            secret_sha256: self.secret_sha256,
            created_at: self.created_at,
        };
        Ok(KeyRecord {
            key,
            last_used_at: self.last_used_at,
            revoked_at: self.revoked_at,
        })
    }
}

/// How revoking a key by name went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    Now,
    NoSuchKey,
}

impl Revoked {
    /// From the number of rows [`crate::sql::REVOKE_KEY`] changed.
    pub fn from_rows(changed: u64) -> Revoked {
        if changed == 0 {
            Revoked::NoSuchKey
        } else {
            Revoked::Now
        }
    }
}

/// Who triggered a report, and over which stores.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportOwner {
    /// The key's id; `None` when no key was needed (an open service).
    pub key_id: Option<String>,
    /// `None`: every store.
    pub scope: Option<Scope>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_sorted_sets_with_a_stable_id() {
        let a = Scope::new(["b", "a", "b", " "]).unwrap();
        assert_eq!(a.to_text(), "a\nb");
        assert!(a.contains("a") && a.contains("b") && !a.contains("c"));
        assert_eq!(Scope::from_text(&a.to_text()).unwrap(), a);
        assert_eq!(a.id(), Scope::new(["a", "b"]).unwrap().id());
        assert_ne!(a.id(), Scope::new(["a"]).unwrap().id());
        assert_eq!(a.id().len(), 32);
        assert!(Scope::new(Vec::<String>::new()).is_err());
        assert!(Scope::new(["=cmd"]).is_err());
    }

    #[test]
    fn roles_parse_case_insensitively() {
        assert_eq!("Admin".parse::<Role>().unwrap(), Role::Admin);
        assert!("root".parse::<Role>().is_err());
    }
}
