//! Running a statement with its values bound to `$1`, `$2`, …: the
//! placeholders PostgreSQL takes, so a statement both dialects agree on is
//! written once (storewatch-db's `sql.rs`). SQLite reads `$1` as a named
//! parameter and numbers its parameters by first appearance, so each value
//! is bound by its name, wherever it first stands.

use rusqlite::types::FromSql;
use rusqlite::{CachedStatement, Connection, Row, ToSql};
use storewatch_db::DbError;

/// The values of a statement, `$1` first.
pub(crate) type Values<'a> = &'a [&'a dyn ToSql];

const NAMES: [&str; 12] = [
    "$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9", "$10", "$11", "$12",
];

/// `sql`, prepared (from the connection's cache) with `values` bound.
fn prepare<'c>(
    conn: &'c Connection,
    sql: &str,
    values: Values<'_>,
) -> Result<CachedStatement<'c>, DbError> {
    let mut stmt = conn.prepare_cached(sql).map_err(DbError::backend)?;
    if stmt.parameter_count() != values.len() || values.len() > NAMES.len() {
        return Err(DbError::backend(std::io::Error::other(format!(
            "a statement takes {} values, given {}: {sql}",
            stmt.parameter_count(),
            values.len()
        ))));
    }
    for (value, name) in values.iter().zip(NAMES) {
        // A statement written with `?` takes its values in order.
        let at = stmt
            .parameter_index(name)
            .map_err(DbError::backend)?
            .unwrap_or(name[1..].parse().unwrap_or(0));
        stmt.raw_bind_parameter(at, value)
            .map_err(DbError::backend)?;
    }
    Ok(stmt)
}

/// Runs a statement that returns no rows; how many rows it changed.
pub(crate) fn execute(conn: &Connection, sql: &str, values: Values<'_>) -> Result<u64, DbError> {
    let mut stmt = prepare(conn, sql, values)?;
    let changed = stmt.raw_execute().map_err(DbError::backend)?;
    Ok(changed as u64)
}

/// Each row of a statement, made into a `T` by `f`.
pub(crate) fn rows<T>(
    conn: &Connection,
    sql: &str,
    values: Values<'_>,
    mut f: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, DbError> {
    let mut stmt = prepare(conn, sql, values)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(DbError::backend)? {
        out.push(f(row).map_err(DbError::backend)?);
    }
    Ok(out)
}

/// The first row of a statement, if any, made into a `T` by `f`.
pub(crate) fn optional<T>(
    conn: &Connection,
    sql: &str,
    values: Values<'_>,
    f: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Option<T>, DbError> {
    let mut stmt = prepare(conn, sql, values)?;
    let mut rows = stmt.raw_query();
    match rows.next().map_err(DbError::backend)? {
        Some(row) => Ok(Some(f(row).map_err(DbError::backend)?)),
        None => Ok(None),
    }
}

/// The first column of a statement's first row (a count, a sum, …).
pub(crate) fn scalar<T: FromSql>(
    conn: &Connection,
    sql: &str,
    values: Values<'_>,
) -> Result<T, DbError> {
    optional(conn, sql, values, |row| row.get(0))?.ok_or_else(|| {
        DbError::backend(std::io::Error::other(format!(
            "a statement returned no row: {sql}"
        )))
    })
}

/// The first column of every row.
pub(crate) fn column<T: FromSql>(
    conn: &Connection,
    sql: &str,
    values: Values<'_>,
) -> Result<Vec<T>, DbError> {
    rows(conn, sql, values, |row| row.get(0))
}

/// Runs `work` in an IMMEDIATE transaction (it takes the write lock up
/// front: a deferred one that upgrades later can fail busy instead of
/// waiting), committed if `work` succeeds and `keep` says so, rolled back
/// otherwise.
pub(crate) fn write<T>(
    conn: &mut Connection,
    keep: impl FnOnce(&T) -> bool,
    work: impl FnOnce(&mut Connection) -> Result<T, DbError>,
) -> Result<T, DbError> {
    conn.execute_batch("BEGIN IMMEDIATE")
        .map_err(DbError::backend)?;
    let done = work(conn);
    let end = match &done {
        Ok(value) if keep(value) => "COMMIT",
        _ => "ROLLBACK",
    };
    match conn.execute_batch(end) {
        Ok(()) => done,
        Err(e) => {
            // A failed COMMIT (a full disk) leaves the transaction open.
            let _ = conn.execute_batch("ROLLBACK");
            done.and(Err(DbError::backend(e)))
        }
    }
}

/// [`write`], committed whenever `work` succeeds.
pub(crate) fn in_transaction<T>(
    conn: &mut Connection,
    work: impl FnOnce(&mut Connection) -> Result<T, DbError>,
) -> Result<T, DbError> {
    write(conn, |_| true, work)
}

/// Drives one of storewatch-db's async steps (`write_batch`,
/// `shards::finish`, …) on this thread: every await in them is one of this
/// backend's statements, which run synchronously, so the future is ready
/// at its first poll.
pub(crate) fn now<T>(step: impl Future<Output = Result<T, DbError>>) -> Result<T, DbError> {
    futures_util::FutureExt::now_or_never(step).unwrap_or_else(|| {
        Err(DbError::backend(std::io::Error::other(
            "a storage step waited on something other than SQLite",
        )))
    })
}
