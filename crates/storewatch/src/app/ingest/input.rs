//! One source to read, and the hash of its content.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Result;
use storewatch_core::ingest::{
    IngestError, Source, reader_from, reader_from_bytes_limited, reader_from_limited,
};

use crate::app::digest::{HashSoFar, Hashing, sha256_hex};

/// One source to read: a file, bytes already in memory (a file read whole
/// to fingerprint it), or a stream (a pushed body, read as it arrives).
pub enum Input {
    File(PathBuf),
    Stream {
        label: String,
        reader: Box<dyn Read + Send>,
        /// How far gzip content may inflate.
        max_inflated: u64,
    },
    Bytes {
        label: String,
        bytes: Vec<u8>,
        /// How far gzip content may inflate (`u64::MAX`: no limit).
        max_inflated: u64,
    },
}

/// The hash of a source's content: known at once for bytes in memory, once
/// read for a file (hashed as it is parsed).
pub(super) enum ContentHash {
    Known(String),
    WhenRead(HashSoFar),
}

impl ContentHash {
    pub(super) fn hex(&self) -> String {
        match self {
            ContentHash::Known(hex) => hex.clone(),
            ContentHash::WhenRead(hash) => hash.hex(),
        }
    }
}

impl Input {
    pub(super) fn label(&self) -> String {
        match self {
            Input::File(path) => path.display().to_string(),
            Input::Stream { label, .. } | Input::Bytes { label, .. } => label.clone(),
        }
    }

    pub(super) fn open(self) -> Result<(Source, ContentHash), IngestError> {
        match self {
            Input::File(path) => {
                let label = path.display().to_string();
                let io = |source| IngestError::Io {
                    file: label.clone(),
                    source,
                };
                let (file, hash) = Hashing::new(std::fs::File::open(&path).map_err(io)?);
                let source = reader_from(&label, file).map_err(io)?;
                Ok((source, ContentHash::WhenRead(hash)))
            }
            Input::Stream {
                label,
                reader,
                max_inflated,
            } => {
                let (reader, hash) = Hashing::new(reader);
                let source =
                    reader_from_limited(&label, reader, max_inflated).map_err(|source| {
                        IngestError::Io {
                            file: label.clone(),
                            source,
                        }
                    })?;
                Ok((source, ContentHash::WhenRead(hash)))
            }
            Input::Bytes {
                label,
                bytes,
                max_inflated,
            } => {
                let hash = ContentHash::Known(sha256_hex(&bytes));
                let source =
                    reader_from_bytes_limited(&label, bytes, max_inflated).map_err(|source| {
                        IngestError::Io {
                            file: label,
                            source,
                        }
                    })?;
                Ok((source, hash))
            }
        }
    }
}
