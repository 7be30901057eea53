//! SHA-256 of source content: for the ingest log (which content was
//! applied) and for the periodic re-ingest (skip what did not change).

use std::io::{self, Read};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::clock::hex;

/// The SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A reader that hashes every byte passing through it, so a file is hashed
/// exactly as it is parsed, in the same single read.
pub struct Hashing<R> {
    inner: R,
    hasher: Arc<Mutex<Sha256>>,
}

/// The hash a [`Hashing`] reader fills; read it once the reader is done.
#[derive(Clone, Default)]
pub struct HashSoFar(Arc<Mutex<Sha256>>);

impl HashSoFar {
    pub fn hex(&self) -> String {
        let hasher = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        hex(&hasher.finalize())
    }
}

impl<R> Hashing<R> {
    pub fn new(inner: R) -> (Hashing<R>, HashSoFar) {
        let hash = HashSoFar::default();
        (
            Hashing {
                inner,
                hasher: hash.0.clone(),
            },
            hash,
        )
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_the_standard_one() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_hashing_reader_hashes_what_was_read() {
        let data = b"store_id,timestamp_utc,status\n".repeat(1000);
        let (mut r, hash) = Hashing::new(&data[..]);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
        assert_eq!(hash.hex(), sha256_hex(&data));
    }
}
