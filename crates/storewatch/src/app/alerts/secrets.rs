//! The subscriptions' secrets, sealed. Signing needs a secret in clear, so
//! it cannot be hashed like an API key; it is encrypted (ChaCha20-Poly1305,
//! the subscription's id bound in) with a key kept apart from the database:
//! a file beside an SQLite database, or given (`--alert-key-file`) for
//! PostgreSQL, whose instances must share it. A copy of the database alone
//! does not hand the secrets out.

use std::io::Write;
use std::path::{Path, PathBuf};

use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};

/// The prefix of a sealed secret: the format, should it ever change.
const SEALED: &str = "v1:";

/// The key secrets are sealed with.
pub struct AlertKey {
    key: LessSafeKey,
    path: PathBuf,
}

impl std::fmt::Debug for AlertKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AlertKey({})", self.path.display())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("alert key file {path}: {reason}")]
    File { path: String, reason: String },
}

impl AlertKey {
    /// Reads the key file (64 hexadecimal digits), making it with a new
    /// random key, readable by its owner only, if it does not exist.
    pub fn load_or_create(path: &Path) -> Result<AlertKey, KeyError> {
        let fail = |reason: String| KeyError::File {
            path: path.display().to_string(),
            reason,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => {
                #[cfg(unix)]
                if let Ok(meta) = std::fs::metadata(path) {
                    use std::os::unix::fs::PermissionsExt;
                    if meta.permissions().mode() & 0o077 != 0 {
                        tracing::warn!(
                            file = %path.display(),
                            "the alert key file can be read by others than its owner: chmod 600 it"
                        );
                    }
                }
                text
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes).map_err(|e| fail(e.to_string()))?;
                let text = crate::clock::hex(&bytes);
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                match options.open(path) {
                    Ok(mut file) => {
                        file.write_all(format!("{text}\n").as_bytes())
                            .and_then(|()| file.sync_all())
                            .map_err(|e| fail(e.to_string()))?;
                        text
                    }
                    // Another process made it first: take its key.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?
                    }
                    Err(e) => return Err(fail(e.to_string())),
                }
            }
            Err(e) => return Err(fail(e.to_string())),
        };
        let bytes = storewatch_core::hex::decode(text.trim())
            .filter(|b| b.len() == 32)
            .ok_or_else(|| fail("expected 64 hexadecimal digits (32 random bytes)".into()))?;
        let key = UnboundKey::new(&CHACHA20_POLY1305, &bytes)
            .map_err(|_| fail("not a ChaCha20-Poly1305 key".into()))?;
        Ok(AlertKey {
            key: LessSafeKey::new(key),
            path: path.to_path_buf(),
        })
    }

    /// `secret` sealed for the subscription `id`.
    pub fn seal(&self, id: &str, secret: &str) -> Result<String, getrandom::Error> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce)?;
        let mut data = secret.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(id.as_bytes()),
                &mut data,
            )
            .expect("sealing a short secret cannot fail");
        Ok(format!(
            "{SEALED}{}{}",
            crate::clock::hex(&nonce),
            crate::clock::hex(&data)
        ))
    }

    /// The secret of subscription `id` from its sealed form; `None` if it
    /// was sealed with another key (or for another subscription).
    pub fn open(&self, id: &str, sealed: &str) -> Option<String> {
        let bytes = storewatch_core::hex::decode(sealed.strip_prefix(SEALED)?)?;
        if bytes.len() < 12 {
            return None;
        }
        let (nonce, data) = bytes.split_at(12);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut data = data.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(id.as_bytes()), &mut data)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_its_key_and_subscription_only() {
        let dir = tempfile::tempdir().unwrap();
        let key = AlertKey::load_or_create(&dir.path().join("k")).unwrap();
        let sealed = key.seal("sub1", "hunter2").unwrap();
        assert!(!sealed.contains("hunter2"));
        assert_eq!(key.open("sub1", &sealed).as_deref(), Some("hunter2"));
        assert_eq!(key.open("sub2", &sealed), None);
        // The same file gives the same key; another file another one.
        let again = AlertKey::load_or_create(&dir.path().join("k")).unwrap();
        assert_eq!(again.open("sub1", &sealed).as_deref(), Some("hunter2"));
        let other = AlertKey::load_or_create(&dir.path().join("other")).unwrap();
        assert_eq!(other.open("sub1", &sealed), None);
        // A damaged file is refused, not replaced.
        std::fs::write(dir.path().join("bad"), "xyz").unwrap();
        let err = AlertKey::load_or_create(&dir.path().join("bad")).unwrap_err();
        assert!(err.to_string().contains("64 hexadecimal digits"), "{err}");
    }
}
