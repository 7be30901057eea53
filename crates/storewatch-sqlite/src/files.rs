//! The files a database opened, and whether their paths still name them:
//! a file deleted or replaced underneath a running service must not be
//! silently written into a void.

use std::path::PathBuf;

use storewatch_db::DbError;

/// A file as opened: its path and identity (device and inode), to tell
/// whether the path still names it.
#[derive(Clone, Debug)]
pub(crate) struct OpenedFile {
    pub path: PathBuf,
    pub identity: Option<(u64, u64)>,
}

impl OpenedFile {
    pub fn new(path: PathBuf) -> OpenedFile {
        let identity = identity(&path);
        OpenedFile { path, identity }
    }
}

#[cfg(unix)]
fn identity(path: &std::path::Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(_: &std::path::Path) -> Option<(u64, u64)> {
    None
}

/// Fails if a file of `files` was deleted or replaced since it was opened:
/// connections would go on writing into a file nobody will open again, and
/// what they acknowledged would be lost at the next start.
pub(crate) fn check(files: &[OpenedFile]) -> Result<(), DbError> {
    for file in files {
        if identity(&file.path) != file.identity {
            return Err(DbError::backend(std::io::Error::other(format!(
                "{} was deleted or replaced since it was opened; restart to open what is there now",
                file.path.display()
            ))));
        }
    }
    Ok(())
}
