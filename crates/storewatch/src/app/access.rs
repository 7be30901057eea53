//! Who is calling, and what they may do: API tokens, how a request's token
//! is checked against the stored keys, and each role's rights.
//!
//! A token is `sw_<id>_<secret>`: the id (64 random bits) finds the key, and
//! the secret (256 random bits) proves it; only the secret's SHA-256 is
//! stored, compared in constant time. A fast hash is enough for secrets this
//! long: nobody can guess 256 random bits, hashed slowly or not.
//!
//! The service is *open* (every caller an anonymous admin) exactly while the
//! database holds no key at all; the first key created closes it, and
//! revoking keys never reopens it.

use std::sync::atomic::{AtomicBool, Ordering};

use sha2::{Digest, Sha256};
use storewatch_core::domain::Micros;
use storewatch_db::{
    Actor, Database, DbError, KeyRecord, KeyStore, NewKey, ReportOwner, ReportRecord, Role, Scope,
};
use subtle::ConstantTimeEq;

use crate::clock::{hex, random_hex};

const PREFIX: &str = "sw_";
/// A key's use is written down at most this often (its `last_used_at` is to
/// the minute), so checking a key is a read, not a write, per request.
const TOUCH_EVERY: Micros = 60_000_000;

/// An API token: the id that finds its key and the secret that proves it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    id: String,
    secret: String,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Token({PREFIX}{}_…)", self.id)
    }
}

impl Token {
    /// A new random token.
    pub fn generate() -> Result<Token, getrandom::Error> {
        Ok(Token {
            id: random_hex::<8>()?,
            secret: random_hex::<32>()?,
        })
    }

    /// Reads `sw_<16 hex>_<64 hex>`; anything else is no token.
    pub fn parse(text: &str) -> Option<Token> {
        let rest = text.trim().strip_prefix(PREFIX)?;
        let (id, secret) = rest.split_once('_')?;
        let hex = |s: &str, n: usize| {
            s.len() == n
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        };
        (hex(id, 16) && hex(secret, 64)).then(|| Token {
            id: id.to_string(),
            secret: secret.to_string(),
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// What the database keeps of the secret.
    pub fn secret_sha256(&self) -> String {
        hex(&Sha256::digest(self.secret.as_bytes()))
    }

    /// The token as the caller sends it (shown once, at creation).
    pub fn reveal(&self) -> String {
        format!("{PREFIX}{}_{}", self.id, self.secret)
    }

    /// Whether this token's secret is the one `key` was made with, compared
    /// in constant time.
    fn proves(&self, key: &KeyRecord) -> bool {
        bool::from(
            self.secret_sha256()
                .as_bytes()
                .ct_eq(key.key.secret_sha256.as_bytes()),
        )
    }
}

/// What a route needs of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Push data: admin and ingest keys.
    PushData,
    /// Trigger and read reports: admin and viewer keys (owners included).
    Reports,
    /// Everything else: admin keys.
    Admin,
}

impl Access {
    pub fn allows(self, role: Role) -> bool {
        matches!(
            (self, role),
            (_, Role::Admin) | (Access::PushData, Role::Ingest) | (Access::Reports, Role::Viewer)
        )
    }

    /// The roles it allows, for error messages and the API docs.
    pub fn roles(self) -> &'static str {
        match self {
            Access::PushData => "admin or ingest",
            Access::Reports => "admin or viewer",
            Access::Admin => "admin",
        }
    }
}

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// `None`: the service is open (no keys exist) and the caller anonymous.
    pub key: Option<KeyName>,
    pub role: Role,
    /// An owner's stores; `None`: every store.
    pub scope: Option<Scope>,
}

/// Which key is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyName {
    pub id: String,
    pub name: String,
}

impl Caller {
    /// Anyone, on a service with no keys.
    pub fn anonymous() -> Caller {
        Caller {
            key: None,
            role: Role::Admin,
            scope: None,
        }
    }

    /// Who owns the reports this caller triggers.
    pub fn owner(&self) -> ReportOwner {
        ReportOwner {
            key_id: self.key.as_ref().map(|k| k.id.clone()),
            scope: self.scope.clone(),
        }
    }

    /// Whether the caller may see `report`: everything without a scope, only
    /// its own scope's reports with one.
    pub fn sees(&self, report: &ReportRecord) -> bool {
        match &self.scope {
            None => true,
            Some(scope) => report.scope_id.as_deref() == Some(scope.id().as_str()),
        }
    }

    /// How the caller is named in the ingest log.
    pub fn actor(&self) -> Actor {
        match &self.key {
            Some(k) => Actor::Key(k.name.clone()),
            None => Actor::OpenService,
        }
    }
}

/// Why a request has no caller.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("this route needs an API key: send `Authorization: Bearer <key>`")]
    Missing,
    #[error("the API key is not valid: unknown, malformed or revoked")]
    Invalid,
    #[error(transparent)]
    Storage(#[from] DbError),
}

/// Checks requests' keys. Remembers once keys exist (they never stop
/// existing), so a closed service asks the database only for the key.
#[derive(Debug, Default)]
pub struct Gate {
    closed: AtomicBool,
}

impl Gate {
    /// Whether any key exists, so a key is required.
    pub async fn is_closed<D: KeyStore>(&self, db: &D) -> Result<bool, DbError> {
        if self.closed.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let closed = db.any_keys().await?;
        if closed {
            self.closed.store(true, Ordering::Relaxed);
        }
        Ok(closed)
    }

    /// The caller of a request with this `Authorization` header value.
    pub async fn authenticate<D: Database>(
        &self,
        db: &D,
        authorization: Option<&str>,
        now: Micros,
    ) -> Result<Caller, AuthError> {
        if !self.is_closed(db).await? {
            return Ok(Caller::anonymous());
        }
        let header = authorization.ok_or(AuthError::Missing)?.trim();
        let (scheme, credentials) = header.split_once(' ').ok_or(AuthError::Invalid)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(AuthError::Invalid);
        }
        let token = Token::parse(credentials).ok_or(AuthError::Invalid)?;
        let key = db.key(token.id()).await?;
        let Some(key) = key.filter(|k| token.proves(k) && k.revoked_at.is_none()) else {
            return Err(AuthError::Invalid);
        };
        if key.last_used_at.is_none_or(|t| now - t >= TOUCH_EVERY) {
            let (db, id) = (db.clone(), key.key.id.clone());
            tokio::spawn(async move {
                if let Err(e) = db.touch_key(&id, now).await {
                    tracing::warn!(error = %e, key = %id, "could not record a key's use");
                }
            });
        }
        Ok(Caller {
            key: Some(KeyName {
                id: key.key.id,
                name: key.key.name,
            }),
            role: key.key.role,
            scope: key.key.scope,
        })
    }
}

/// What `storewatch keys create` asks for.
#[derive(Debug, Clone)]
pub struct KeyRequest {
    pub name: String,
    pub role: Role,
    pub scope: Option<Scope>,
}

/// Why a key was not created.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{0}")]
    Invalid(String),
    #[error("a key named {0:?} exists already (revoke it first, or pick another name)")]
    NameTaken(String),
    #[error(transparent)]
    Storage(#[from] DbError),
    #[error("no randomness for the secret: {0}")]
    Random(getrandom::Error),
}

impl KeyRequest {
    /// Checks the name, and that only viewer keys have a store scope (an
    /// admin sees everything by definition; an ingest key pushes whole files).
    pub fn new(name: &str, role: Role, scope: Option<Scope>) -> Result<KeyRequest, KeyError> {
        let name = name.trim();
        if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
            return Err(KeyError::Invalid(
                "a key's name is 1 to 64 characters, without control characters".into(),
            ));
        }
        if scope.is_some() && role != Role::Viewer {
            return Err(KeyError::Invalid(format!(
                "only viewer keys have a store scope (an owner's key); a {role} key sees every store"
            )));
        }
        Ok(KeyRequest {
            name: name.to_string(),
            role,
            scope,
        })
    }

    /// Stores the key and returns its token: the only time the secret exists
    /// outside the caller's hands.
    pub async fn create<D: KeyStore>(self, db: &D, now: Micros) -> Result<Token, KeyError> {
        let token = Token::generate().map_err(KeyError::Random)?;
        let key = NewKey {
            id: token.id().to_string(),
            name: self.name.clone(),
            role: self.role,
            scope: self.scope,
            secret_sha256: token.secret_sha256(),
            created_at: now,
        };
        if !db.create_key(&key).await? {
            return Err(KeyError::NameTaken(self.name));
        }
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_malformed_ones_are_refused() {
        let t = Token::generate().unwrap();
        let text = t.reveal();
        assert!(text.starts_with("sw_") && text.len() == 3 + 16 + 1 + 64);
        assert_eq!(Token::parse(&text), Some(t.clone()));
        assert_ne!(Token::generate().unwrap(), t);
        for bad in [
            "",
            "sw_",
            &text[1..],
            &text[..text.len() - 1],
            &text.to_uppercase(),
            &format!("{text}0"),
            &text.replace('_', "-"),
        ] {
            assert_eq!(Token::parse(bad), None, "{bad}");
        }
        assert!(!format!("{t:?}").contains(&t.secret));
    }

    #[test]
    fn roles_reach_what_they_should() {
        use Access::*;
        for (access, admin, ingest, viewer) in [
            (PushData, true, true, false),
            (Reports, true, false, true),
            (Admin, true, false, false),
        ] {
            assert_eq!(access.allows(Role::Admin), admin);
            assert_eq!(access.allows(Role::Ingest), ingest);
            assert_eq!(access.allows(Role::Viewer), viewer);
        }
    }

    #[test]
    fn only_viewer_keys_have_a_scope() {
        let scope = Some(Scope::new(["1"]).unwrap());
        assert!(KeyRequest::new("owner", Role::Viewer, scope.clone()).is_ok());
        assert!(KeyRequest::new("x", Role::Ingest, scope.clone()).is_err());
        assert!(KeyRequest::new("x", Role::Admin, scope).is_err());
        assert!(KeyRequest::new(" ", Role::Admin, None).is_err());
        assert!(KeyRequest::new(&"n".repeat(65), Role::Admin, None).is_err());
    }
}
