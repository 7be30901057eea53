//! A small pool of rusqlite connections, each used on one of tokio's
//! blocking threads: SQLite's calls block, and a statement may wait up to
//! the busy timeout for another writer, which must never hold up the async
//! side (the HTTP server, the workers' heartbeats).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use storewatch_db::DbError;
use tokio::sync::Semaphore;

/// Where a pool's connections open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A file; `create`: make it if missing. `read_only`: `?mode=ro`.
    File {
        path: PathBuf,
        create: bool,
        read_only: bool,
    },
    /// A private in-memory database: it lives and dies with its one
    /// connection, which the pool therefore keeps forever.
    Memory,
}

#[derive(Clone)]
pub(crate) struct Pool(Arc<Shared>);

struct Shared {
    target: Target,
    idle: Mutex<Vec<Connection>>,
    /// One permit per connection that may be open at once.
    slots: Arc<Semaphore>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("target", &self.0.target)
            .finish()
    }
}

/// How much of the database file reads map into memory (a report's read).
pub(crate) const MMAP_SIZE: u64 = 1 << 30;

/// SQLite's page cache per connection, in KiB as `cache_size` takes it
/// (negative), for reads; an ingest's writes use a smaller one.
pub(crate) const CACHE_KIB: i64 = -65_536;
pub(crate) const INGEST_CACHE_KIB: i64 = -16_384;

/// How long a statement waits for another connection's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

impl Pool {
    /// A pool of at most `size` connections (one for [`Target::Memory`]);
    /// the first is opened now, so a file that cannot be opened is an
    /// error here, not at the first request.
    pub(crate) fn open(target: Target, size: usize) -> Result<Pool, DbError> {
        let size = if target == Target::Memory { 1 } else { size };
        let first = open(&target)?;
        Ok(Pool(Arc::new(Shared {
            target,
            idle: Mutex::new(vec![first]),
            slots: Arc::new(Semaphore::new(size)),
        })))
    }

    /// Runs `work` on a connection, on a blocking thread. A connection on
    /// which work failed is closed rather than handed back (whatever state
    /// the failure left it in), except the one of an in-memory database,
    /// which is only rolled back.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, DbError> + Send + 'static,
    {
        let permit = self
            .0
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(DbError::backend)?;
        let shared = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut conn = shared.take()?;
            let result = work(&mut conn);
            if result.is_ok() || shared.target == Target::Memory {
                if !conn.is_autocommit() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
                shared.give_back(conn);
            }
            result
        })
        .await
        .map_err(DbError::backend)?
    }

    /// Like [`Pool::run`], for work that writes: on a connection known to
    /// take writes. SQLite opens a file it may not write (read-only, on a
    /// read-only mount) read-only without a word, and such a connection
    /// stays read-only after the file is writable again; a pool that kept
    /// some would fail writes at random long after the cause was gone. A
    /// cheap write rolled back tells them apart; a read-only one is closed
    /// and a fresh one opened.
    pub(crate) async fn run_writable<T, F>(&self, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, DbError> + Send + 'static,
    {
        let target = self.0.target.clone();
        self.run(move |conn| {
            if let Err(e) = takes_writes(conn) {
                if !is_read_only(&e) {
                    return Err(DbError::backend(e));
                }
                // A fresh one sees the file as it is now.
                *conn = open(&target)?;
                takes_writes(conn).map_err(DbError::backend)?;
            }
            work(conn)
        })
        .await
    }

    /// `f` of every idle connection (for tests).
    #[cfg(test)]
    pub(crate) fn each_idle<T>(&self, f: impl Fn(&Connection) -> T) -> Vec<T> {
        self.0.idle.lock().unwrap().iter().map(f).collect()
    }

    /// Checkpoints the write-ahead log into the database file and closes
    /// the idle connections (the end of a command-line run).
    pub(crate) async fn close(&self) {
        let done = self
            .run(|conn| {
                conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                    .map_err(DbError::backend)
            })
            .await;
        if let Err(e) = done {
            tracing::warn!(error = %e, "could not checkpoint the write-ahead log");
        }
        if self.0.target != Target::Memory
            && let Ok(mut idle) = self.0.idle.lock()
        {
            idle.clear();
        }
    }

    pub(crate) fn target(&self) -> &Target {
        &self.0.target
    }
}

impl Shared {
    fn take(&self) -> Result<Connection, DbError> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match idle {
            Some(conn) => Ok(conn),
            None => open(&self.target),
        }
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
    }
}

/// Opens a connection with storewatch's settings.
pub(crate) fn open(target: &Target) -> Result<Connection, DbError> {
    let conn = match target {
        Target::Memory => Connection::open_in_memory().map_err(DbError::backend)?,
        Target::File {
            path,
            create,
            read_only,
        } => open_file(path, *create, *read_only)?,
    };
    conn.busy_timeout(BUSY_TIMEOUT).map_err(DbError::backend)?;
    conn.set_prepared_statement_cache_capacity(64);
    // WAL: readers never wait for the writer, nor it for them. NORMAL sync
    // is durable across a crash of the process (not of the machine) and
    // much faster than FULL. Foreign keys stay off: the schema has none to
    // enforce, and checking costs. Sorts of a report's read stay in memory.
    let wal = if *target == Target::Memory {
        ""
    } else {
        "PRAGMA journal_mode = WAL;"
    };
    conn.execute_batch(&format!(
        "{wal} PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF; \
         PRAGMA temp_store = MEMORY; PRAGMA cache_size = {CACHE_KIB}; \
         PRAGMA mmap_size = {MMAP_SIZE};"
    ))
    .map_err(DbError::backend)?;
    Ok(conn)
}

fn open_file(path: &Path, create: bool, read_only: bool) -> Result<Connection, DbError> {
    let mut flags = OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if read_only {
        flags |= OpenFlags::SQLITE_OPEN_READ_ONLY;
    } else {
        flags |= OpenFlags::SQLITE_OPEN_READ_WRITE;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
    }
    Connection::open_with_flags(path, flags).map_err(|e| {
        DbError::backend(std::io::Error::other(format!(
            "could not open {}: {e}",
            path.display()
        )))
    })
}

/// Whether a write goes through on `conn`: one that changes nothing, rolled back.
fn takes_writes(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let write = conn
        .execute("UPDATE poll_log_meta SET id = id WHERE id = 1", [])
        .map(|_| ());
    let end = conn.execute_batch("ROLLBACK");
    write.and(end)
}

/// SQLITE_READONLY, or one of its extended codes.
pub(crate) fn is_read_only(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::ReadOnly))
}

/// SQLITE_BUSY, or one of its extended codes.
pub(crate) fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}
