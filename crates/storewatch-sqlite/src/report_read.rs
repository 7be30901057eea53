//! A report's read: the stores of a reach with their time zones, business
//! hours, special hours and polls of the week, from one snapshot, handed
//! over in batches as they are complete.
//!
//! The read steps SQLite's rows directly on a blocking thread, borrowing
//! each blob in place: a row costs what SQLite costs.
//!
//! The stores come first, in id order; time zones, business hours and
//! special hours are read in id order too (by key or by an index that holds
//! the columns read) and matched by walking both lists side by side, not by
//! a lookup per row. The polls come last, store after store, so each store
//! is complete when its last day is read, and batches of complete stores go
//! to the taker (the report's computation) while the rest is read.

use std::collections::HashMap;

use rusqlite::types::FromSql;
use rusqlite::{Connection, Params, Row, params};
use storewatch_core::domain::{Micros, StoreId};
use storewatch_core::report::{PeriodSpec, StoreInput};
use storewatch_db::columns::{hours_row, special_row};
use storewatch_db::{BatchSink, DbError, Reach, ReadMemory, Stores, poll_days, special_dates_for};

use crate::pool::{MMAP_SIZE, Pool};

/// Stores to a batch the read hands over (see [`Take`]).
const BATCH_STORES: usize = 1024;

/// What takes the stores a read hands over, a batch at a time.
pub(crate) trait Take: Send + 'static {
    fn take(&mut self, as_of: Micros, stores: Vec<StoreInput>) -> Result<(), DbError>;
}

/// All of them, for a whole [`ReportInput`](storewatch_core::report::ReportInput).
impl Take for Vec<StoreInput> {
    fn take(&mut self, _: Micros, stores: Vec<StoreInput>) -> Result<(), DbError> {
        self.extend(stores);
        Ok(())
    }
}

/// A report computed as it is read.
impl Take for BatchSink {
    fn take(&mut self, as_of: Micros, stores: Vec<StoreInput>) -> Result<(), DbError> {
        self.send(as_of, stores)
    }
}

/// Reads the report's input at `as_of` (default: the newest poll) over the
/// stores `selected`, handing the stores to `taker` in batches as they are
/// read; returns the report time (none when the database holds no polls)
/// and the taker.
pub(crate) async fn read_report<T: Take>(
    pool: &Pool,
    as_of: Option<Micros>,
    span: PeriodSpec,
    selected: Stores<'_>,
    memory: ReadMemory,
    mut taker: T,
) -> Result<(Option<Micros>, T), DbError> {
    let reach = selected.reach();
    let params = reach_params(selected);
    pool.run(move |db| {
        if memory == ReadMemory::Mapped {
            let as_of = read(db, as_of, span, reach, &params, &mut taker)?;
            return Ok((as_of, taker));
        }
        // Through the page cache only, then back to the map for the next
        // read on this connection.
        db.execute_batch("PRAGMA mmap_size = 0")
            .map_err(DbError::backend)?;
        let done = read(db, as_of, span, reach, &params, &mut taker);
        db.execute_batch(&format!("PRAGMA mmap_size = {MMAP_SIZE}"))
            .map_err(DbError::backend)?;
        Ok((done?, taker))
    })
    .await
}

/// The read itself, in one transaction: in WAL mode it sees one snapshot
/// throughout, so an ingest committing meanwhile is wholly in or wholly out.
fn read(
    db: &Connection,
    as_of: Option<Micros>,
    span: PeriodSpec,
    reach: Reach,
    params: &(Option<String>, Option<String>),
    taker: &mut impl Take,
) -> Result<Option<Micros>, DbError> {
    db.execute_batch("BEGIN").map_err(DbError::backend)?;
    let read = read_snapshot(db, as_of, span, reach, params, taker);
    // Read only: ending the transaction either way changes nothing.
    let end = db.execute_batch("COMMIT").map_err(DbError::backend);
    let as_of = read?;
    end?;
    Ok(as_of)
}

fn read_snapshot(
    db: &Connection,
    as_of: Option<Micros>,
    span: PeriodSpec,
    reach: Reach,
    (p1, p2): &(Option<String>, Option<String>),
    taker: &mut impl Take,
) -> Result<Option<Micros>, DbError> {
    let as_of = match as_of {
        Some(t) => Some(t),
        None => db
            .query_row(
                "SELECT newest_ts FROM poll_log_meta WHERE id = 1",
                [],
                |r| r.get::<_, Option<i64>>(0),
            )
            .map_err(DbError::backend)?,
    };
    let Some(as_of) = as_of else {
        return Ok(None);
    };
    let sql = ReportSql::new(reach);

    // The stores, in id order, and where each store's key sits among them.
    let mut stores: Vec<StoreInput> = Vec::new();
    let mut at: HashMap<i64, usize> = HashMap::new();
    each_row(db, &sql.stores, params![p1, p2], |row| {
        at.insert(column(row, 0)?, stores.len());
        stores.push(StoreInput {
            store_id: column(row, 1)?,
            ..Default::default()
        });
        Ok(())
    })?;

    // Time zones, business hours and special hours, each read in store-id
    // order and matched to the stores by walking both side by side (a row
    // of an id that is not a store of the report is passed over).
    let mut zones = Merge::new(&mut stores);
    each_row(db, &sql.zones, params![p1, p2], |row| {
        if let Some(store) = zones.find(text(row, 0)?) {
            store.timezone = Some(column(row, 1)?);
        }
        Ok(())
    })?;
    let mut hours = Merge::new(&mut stores);
    each_row(db, &sql.hours, params![p1, p2], |row| {
        if let Some(store) = hours.find(text(row, 0)?) {
            let row = hours_row(column(row, 1)?, column(row, 2)?, column(row, 3)?)?;
            store.hours.push(row);
        }
        Ok(())
    })?;
    let start = span.start_before(as_of);
    let (first_date, last_date) = special_dates_for(start, as_of);
    let mut special = Merge::new(&mut stores);
    each_row(
        db,
        &sql.special,
        params![first_date, last_date, p1, p2],
        |row| {
            if let Some(store) = special.find(text(row, 0)?) {
                let row = special_row(text(row, 1)?, column(row, 2)?, column(row, 3)?)?;
                store.special.push(row);
            }
            Ok(())
        },
    )?;

    // Last, each store's days around the week, a store's rows one after the
    // other: when its last row is read, its arrays are decoded (into one
    // allocation) and the store is complete, so it goes into the next
    // batch, and the taker computes while the rest is read.
    let days = (poll_days::day_of(start), poll_days::day_of(as_of));
    let mut batch = Batch {
        as_of,
        stores: Vec::with_capacity(BATCH_STORES),
        taken: vec![false; stores.len()],
        taker,
    };
    let mut arrays: Vec<u8> = Vec::new();
    let mut current: Option<(i64, usize)> = None;
    let mut complete = |arrays: &mut Vec<u8>, i: usize, batch: &mut Batch<_>| {
        if batch.taken[i] {
            // Its rows came apart (a plan with another outer loop): an
            // error, not a store reported on half its polls.
            return Err(DbError::backend(std::io::Error::other(
                "a report read a store's days out of order",
            )));
        }
        let polls = poll_days::decode_within(arrays, start, as_of)?;
        arrays.clear();
        let store = std::mem::take(&mut stores[i]);
        batch.push(i, StoreInput { polls, ..store })
    };
    each_row(db, &sql.polls, params![days.0, days.1, p1, p2], |row| {
        let key: i64 = column(row, 0)?;
        if current.is_none_or(|(k, _)| k != key) {
            if let Some((_, i)) = current {
                complete(&mut arrays, i, &mut batch)?;
            }
            current = Some((key, at.get(&key).copied().ok_or_else(corrupt)?));
        }
        arrays.extend_from_slice(blob(row, 1)?);
        Ok(())
    })?;
    if let Some((_, i)) = current {
        complete(&mut arrays, i, &mut batch)?;
    }
    // The stores without a poll in those days.
    for (i, store) in stores.into_iter().enumerate() {
        if !batch.taken[i] {
            batch.push(i, store)?;
        }
    }
    batch.hand_over()?;
    Ok(Some(as_of))
}

/// The stores of a read gathered into batches for its taker.
struct Batch<'t, T: Take> {
    as_of: Micros,
    stores: Vec<StoreInput>,
    /// Which of the read's stores (by index) have been put in a batch.
    taken: Vec<bool>,
    taker: &'t mut T,
}

impl<T: Take> Batch<'_, T> {
    fn push(&mut self, i: usize, store: StoreInput) -> Result<(), DbError> {
        self.taken[i] = true;
        self.stores.push(store);
        if self.stores.len() == BATCH_STORES {
            self.hand_over()?;
        }
        Ok(())
    }

    /// Hands the batch over, even empty: a taker always gets at least one.
    fn hand_over(&mut self) -> Result<(), DbError> {
        let stores = std::mem::replace(&mut self.stores, Vec::with_capacity(BATCH_STORES));
        self.taker.take(self.as_of, stores)
    }
}

/// Finds stores (sorted by id) for ids that come in ascending order: a
/// walk over both, not a lookup per id.
struct Merge<'s> {
    stores: &'s mut [StoreInput],
    at: usize,
}

impl<'s> Merge<'s> {
    fn new(stores: &'s mut [StoreInput]) -> Merge<'s> {
        Merge { stores, at: 0 }
    }

    /// The store `id`, if there is one. `id` must not sort before the ids
    /// asked for before (SQLite's BINARY order is Rust's byte order of
    /// `str`); the statements sort their rows so.
    fn find(&mut self, id: &str) -> Option<&mut StoreInput> {
        while self.stores.get(self.at)?.store_id.as_str() < id {
            self.at += 1;
        }
        let store = &mut self.stores[self.at];
        (store.store_id == id).then_some(store)
    }
}

fn corrupt() -> DbError {
    DbError::backend(std::io::Error::other(
        "a report read a store's polls whose key has no store",
    ))
}

/// Runs `sql` with `params` and hands each result row to `f`.
fn each_row(
    db: &Connection,
    sql: &str,
    params: impl Params,
    mut f: impl FnMut(&Row<'_>) -> Result<(), DbError>,
) -> Result<(), DbError> {
    let mut statement = db.prepare(sql).map_err(DbError::backend)?;
    let mut rows = statement.query(params).map_err(DbError::backend)?;
    while let Some(row) = rows.next().map_err(DbError::backend)? {
        f(row)?;
    }
    Ok(())
}

fn column<T: FromSql>(row: &Row<'_>, i: usize) -> Result<T, DbError> {
    row.get(i).map_err(DbError::backend)
}

/// A blob column, borrowed from SQLite's row.
fn blob<'r>(row: &'r Row<'_>, i: usize) -> Result<&'r [u8], DbError> {
    let value = row.get_ref(i).map_err(DbError::backend)?;
    value.as_blob().map_err(DbError::backend)
}

/// A text column, borrowed from SQLite's row.
fn text<'r>(row: &'r Row<'_>, i: usize) -> Result<&'r str, DbError> {
    let value = row.get_ref(i).map_err(DbError::backend)?;
    value.as_str().map_err(DbError::backend)
}

/// The condition of a report's read on `column` for the stores of `reach`,
/// with parameters `?n` and `?n+1` (see [`reach_params`]): every store (both
/// NULL); an owner's scope (a JSON array of its ids, matched through the
/// store_id index of each table, so an owner's report reads only its stores'
/// rows; a test checks the plans); or a shard's range of ids. A bound that
/// is open still names its parameter (NULL), so every statement binds the
/// same two.
fn condition(reach: Reach, column: &str, n: u8) -> String {
    let m = n + 1;
    let bound = |present: bool, op: &str, k: u8| {
        if present {
            format!("{column} {op} ?{k}")
        } else {
            format!("?{k} IS NULL")
        }
    };
    match reach {
        Reach::All => format!("?{n} IS NULL AND ?{m} IS NULL"),
        Reach::Scope => {
            format!("{column} IN (SELECT value FROM json_each(?{n})) AND ?{m} IS NULL")
        }
        Reach::Range { from, to } => {
            format!("{} AND {}", bound(from, ">=", n), bound(to, "<", m))
        }
    }
}

/// The two parameters of a [`Reach`]: the scope's ids as a JSON array, or
/// a range's bounds.
fn reach_params(stores: Stores<'_>) -> (Option<String>, Option<String>) {
    match stores {
        Stores::All => (None, None),
        Stores::Scope(scope) => (Some(json_array(scope.stores())), None),
        Stores::Range(r) => (r.from.clone(), r.to.clone()),
    }
}

/// `["a","b"]`: store ids as a JSON array, for `json_each` (a store id has
/// no control characters; quotes and backslashes are escaped).
fn json_array(ids: &[StoreId]) -> String {
    let mut out = String::from("[");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        for c in id.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push(']');
    out
}

/// The statements of a report's read, over the stores of a [`Reach`]. All
/// but `polls` list their rows in store-id order (see [`Merge`]).
pub(crate) struct ReportSql {
    /// Parameters 1 and 2: the reach. A row per store: key and id.
    pub stores: String,
    /// Parameters 1 and 2: the week's first and last day; 3 and 4: the
    /// reach. A row per store and day with polls, a store's rows one after
    /// the other (the stores are the outer loop): key and array.
    pub polls: String,
    /// Parameters 1 and 2: the reach.
    pub zones: String,
    /// Parameters 1 and 2: the reach.
    pub hours: String,
    /// Parameters 1 and 2: the first and last date; 3 and 4: the reach.
    pub special: String,
}

impl ReportSql {
    pub(crate) fn new(reach: Reach) -> ReportSql {
        let of = |column: &str, n: u8| condition(reach, column, n);
        ReportSql {
            stores: format!(
                "SELECT key, store_id FROM stores WHERE {} ORDER BY store_id",
                of("store_id", 1)
            ),
            // CROSS JOIN: SQLite keeps the stores as the outer loop.
            polls: format!(
                "SELECT s.key, d.polls FROM stores s
                  CROSS JOIN poll_days d ON d.store_key = s.key AND d.day BETWEEN ?1 AND ?2
                  WHERE {}",
                of("s.store_id", 3)
            ),
            zones: format!(
                "SELECT store_id, timezone FROM timezones WHERE {} ORDER BY store_id",
                of("store_id", 1)
            ),
            hours: format!(
                "SELECT store_id, day, start_s, end_s FROM business_hours
                  WHERE {} ORDER BY store_id",
                of("store_id", 1)
            ),
            special: format!(
                "SELECT store_id, date, start_s, end_s FROM special_hours INDEXED BY special_hours_store
                  WHERE {} AND date BETWEEN ?1 AND ?2 ORDER BY store_id",
                of("store_id", 3)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use storewatch_db::Reach;

    use super::ReportSql;

    /// The steps of SQLite's plan for `statement` with `params`.
    async fn plan(
        db: &crate::SqliteDatabase,
        statement: &str,
        params: &[Option<&str>],
    ) -> Vec<String> {
        let explain = format!("EXPLAIN QUERY PLAN {statement}");
        let params: Vec<Option<String>> = params.iter().map(|p| p.map(str::to_string)).collect();
        db.data
            .run(move |c| {
                let mut stmt = c.prepare(&explain).unwrap();
                let steps = stmt
                    .query_map(rusqlite::params_from_iter(params), |r| {
                        r.get::<_, String>(3)
                    })
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                Ok(steps)
            })
            .await
            .unwrap()
    }

    /// Each statement with parameters for `reach` (`reach` in the last two).
    fn statements(
        sql: ReportSql,
        reach: [Option<&'static str>; 2],
    ) -> Vec<(String, Vec<Option<&'static str>>)> {
        let [r1, r2] = reach;
        vec![
            (sql.stores, vec![r1, r2]),
            (sql.polls, vec![Some("1"), Some("2"), r1, r2]),
            (sql.zones, vec![r1, r2]),
            (sql.hours, vec![r1, r2]),
            (
                sql.special,
                vec![Some("2023-01-01"), Some("2023-01-10"), r1, r2],
            ),
        ]
    }

    /// An owner's report reads by index: no statement of a scoped read scans
    /// a table (only the scope's own JSON array is walked).
    #[tokio::test]
    async fn a_scoped_read_searches_every_table_by_index() {
        let db = crate::SqliteDatabase::connect("sqlite::memory:")
            .await
            .unwrap();
        let sql = ReportSql::new(Reach::Scope);
        for (statement, params) in statements(sql, [Some(r#"["a","b"]"#), None]) {
            let steps = plan(&db, &statement, &params).await;
            assert!(
                steps.iter().any(|s| s.starts_with("SEARCH")),
                "{statement}\n{steps:?}"
            );
            assert!(
                steps
                    .iter()
                    .all(|s| !s.starts_with("SCAN") || s.starts_with("SCAN json_each")),
                "a scoped read scans a table: {statement}\n{steps:?}"
            );
        }
    }

    /// A report over every store, or a shard's range of them, walks the
    /// tables it matches by id in id order as stored (an index holding the
    /// columns read, or the key of time zones) instead of sorting them, and
    /// looks each store's week up by key instead of scanning every stored
    /// day.
    #[tokio::test]
    async fn an_unscoped_read_walks_indexes_in_order_and_seeks_each_week() {
        let db = crate::SqliteDatabase::connect("sqlite::memory:")
            .await
            .unwrap();
        let reaches = [
            (Reach::All, [None, None]),
            (
                Reach::Range {
                    from: true,
                    to: true,
                },
                [Some("a"), Some("m")],
            ),
            (
                Reach::Range {
                    from: false,
                    to: true,
                },
                [None, Some("m")],
            ),
        ];
        for (reach, params) in reaches {
            for (statement, params) in statements(ReportSql::new(reach), params) {
                let steps = plan(&db, &statement, &params).await;
                assert!(
                    steps.iter().all(|s| !s.contains("TEMP B-TREE")),
                    "a report's read sorts: {statement}\n{steps:?}"
                );
                // Read from the index alone (migration 0007), not a table
                // row looked up for each index entry.
                if statement.contains("_hours") {
                    assert!(
                        steps.iter().any(|s| s.contains("USING COVERING INDEX")),
                        "{statement}\n{steps:?}"
                    );
                }
                if statement.contains("poll_days") {
                    assert!(
                        steps
                            .iter()
                            .any(|s| s.starts_with("SEARCH d USING PRIMARY KEY")),
                        "{statement}\n{steps:?}"
                    );
                }
            }
        }
    }
}
