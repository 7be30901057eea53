//! A report's read on PostgreSQL, from one REPEATABLE READ snapshot: time
//! zones, business hours and special hours first, then the stores with
//! their week's polls (a row per store) as a stream, handed over in batches
//! of complete stores while the rest arrives, so the report is computed
//! meanwhile (`DataStore::report_batches`).

use std::collections::HashMap;
use std::time::Duration;

use futures_util::TryStreamExt;
use sqlx::{AssertSqlSafe, PgPool, Row};
use storewatch_core::domain::{HoursRow, Micros, SpecialHoursRow};
use storewatch_core::report::{PeriodSpec, StoreInput};
use storewatch_db::columns::{hours_row, special_row};
use storewatch_db::report_batches::Offer;
use storewatch_db::{BatchSink, DbError, Stores, poll_days, special_dates_for};

use storewatch_db::Reach;

fn db_err(e: sqlx::Error) -> DbError {
    DbError::backend(e)
}

/// Stores to a batch handed over.
const BATCH_STORES: usize = 1024;

/// What takes the stores a read hands over.
pub(crate) enum Taker {
    /// All of them, for a whole report input.
    All(Vec<StoreInput>),
    /// A report computed as it is read.
    Sink(BatchSink),
}

impl Taker {
    async fn take(&mut self, as_of: Micros, stores: Vec<StoreInput>) -> Result<(), DbError> {
        match self {
            Taker::All(all) => all.extend(stores),
            Taker::Sink(sink) => {
                // The taker is a thread: wait for room without holding up
                // this async thread.
                let mut offer = stores;
                while let Offer::Full(back) = sink.try_send(as_of, offer)? {
                    offer = back;
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
        }
        Ok(())
    }
}

/// Reads the report's input at `as_of` (default: the newest poll) over the
/// stores `selected`, handing the stores to `taker` in batches (at least
/// one when there is a report time); returns the report time, none when
/// the database holds no polls.
pub(crate) async fn read_report(
    pool: &PgPool,
    as_of: Option<Micros>,
    span: PeriodSpec,
    selected: Stores<'_>,
    taker: &mut Taker,
) -> Result<Option<Micros>, DbError> {
    // REPEATABLE READ: every statement below sees the same snapshot.
    let mut tx = pool
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(db_err)?;
    let as_of = match as_of {
        Some(t) => Some(t),
        None => {
            sqlx::query_scalar::<_, Option<i64>>("SELECT newest_ts FROM poll_log_meta WHERE id = 1")
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?
        }
    };
    let Some(as_of) = as_of else {
        tx.commit().await.map_err(db_err)?;
        return Ok(None);
    };
    // Which stores: one array parameter (see `Reach`).
    let only = reach_param(selected);
    let sql = ReportSql::new(selected.reach());
    let mut zones: HashMap<String, String> = sqlx::query_as(AssertSqlSafe(sql.zones))
        .bind(&only)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?
        .into_iter()
        .collect();
    let mut hours: HashMap<String, Vec<HoursRow>> = HashMap::new();
    let hour_rows = sqlx::query(AssertSqlSafe(sql.hours))
        .bind(&only)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
    for row in hour_rows {
        let days: Vec<i16> = row.get("days");
        let starts: Vec<i32> = row.get("starts");
        let ends: Vec<i32> = row.get("ends");
        let out = days
            .into_iter()
            .zip(starts)
            .zip(ends)
            .map(|((day, start), end)| hours_row(day.into(), start.into(), end.into()))
            .collect::<Result<Vec<_>, _>>()?;
        hours.insert(row.get("store_id"), out);
    }
    let start = span.start_before(as_of);
    let (first_date, last_date) = special_dates_for(start, as_of);
    let special_rows: Vec<(String, String, Option<i32>, Option<i32>)> =
        sqlx::query_as(AssertSqlSafe(sql.special))
            .bind(&first_date)
            .bind(&last_date)
            .bind(&only)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
    let mut special: HashMap<String, Vec<SpecialHoursRow>> = HashMap::new();
    for (id, date, start, end) in special_rows {
        special.entry(id).or_default().push(special_row(
            &date,
            start.map(i64::from),
            end.map(i64::from),
        )?);
    }

    // The stores, a row each with the arrays of its days, as they arrive.
    let mut batch = Vec::with_capacity(BATCH_STORES);
    {
        let mut rows = sqlx::query(AssertSqlSafe(sql.polls))
            .bind(poll_days::day_of(start))
            .bind(poll_days::day_of(as_of))
            .bind(&only)
            .fetch(&mut *tx);
        while let Some(row) = rows.try_next().await.map_err(db_err)? {
            let store_id: String = row.get("store_id");
            let days: Option<&[u8]> = row.get("polls");
            let polls = poll_days::decode_within(days.unwrap_or_default(), start, as_of)?;
            batch.push(StoreInput {
                timezone: zones.remove(&store_id),
                hours: hours.remove(&store_id).unwrap_or_default(),
                special: special.remove(&store_id).unwrap_or_default(),
                store_id,
                polls,
            });
            if batch.len() == BATCH_STORES {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_STORES));
                taker.take(as_of, full).await?;
            }
        }
    }
    tx.commit().await.map_err(db_err)?;
    // The last batch, even empty: a taker always gets at least one.
    taker.take(as_of, batch).await?;
    Ok(Some(as_of))
}

/// The condition of a report's read on `column` for the stores of `reach`,
/// with the text array parameter `$n` (see [`reach_param`]): every store
/// (NULL); an owner's scope (its ids, matched through the store_id index of
/// each table, a statement of its own so its plan is the index's; a test
/// checks the plans); or a shard's range (its bounds, compared byte for byte).
fn condition(reach: Reach, column: &str, n: u8) -> String {
    match reach {
        Reach::All => format!("${n}::text[] IS NULL"),
        Reach::Scope => format!("{column} = ANY(${n})"),
        Reach::Range { from, to } => {
            // Names the parameter (and so types it) whatever is open.
            let mut parts = vec![format!("cardinality(${n}::text[]) >= 0")];
            if from {
                parts.push(format!("{column} COLLATE \"C\" >= (${n}::text[])[1]"));
            }
            if to {
                let i = if from { 2 } else { 1 };
                parts.push(format!("{column} COLLATE \"C\" < (${n}::text[])[{i}]"));
            }
            parts.join(" AND ")
        }
    }
}

/// The parameter of a [`Reach`]: the scope's ids, or the range's bounds
/// that are not open, in order.
fn reach_param(stores: Stores<'_>) -> Option<Vec<String>> {
    match stores {
        Stores::All => None,
        Stores::Scope(scope) => Some(scope.stores().iter().map(|id| id.to_string()).collect()),
        Stores::Range(r) => Some(r.from.iter().chain(&r.to).cloned().collect()),
    }
}

/// The statements of a report's read, over the stores of a [`Reach`].
pub struct ReportSql {
    /// Parameter 1: the reach.
    pub zones: String,
    /// Parameter 1: the reach.
    pub hours: String,
    /// Parameters 1 and 2: the first and last date; 3: the reach.
    pub special: String,
    /// Parameters 1 and 2: the week's first and last day; 3: the reach.
    pub polls: String,
}

impl ReportSql {
    pub fn new(reach: Reach) -> ReportSql {
        ReportSql {
            zones: format!(
                "SELECT store_id, timezone FROM timezones WHERE {}",
                condition(reach, "store_id", 1)
            ),
            hours: format!(
                "SELECT store_id, array_agg(day) AS days, array_agg(start_s) AS starts, array_agg(end_s) AS ends
                   FROM business_hours WHERE {} GROUP BY store_id",
                condition(reach, "store_id", 1)
            ),
            special: format!(
                "SELECT store_id, date, start_s, end_s FROM special_hours
                  WHERE date BETWEEN $1 AND $2 AND {}",
                condition(reach, "store_id", 3)
            ),
            polls: format!(
                "SELECT s.store_id, w.polls
               FROM stores s
               LEFT JOIN LATERAL (SELECT string_agg(d.polls, ''::bytea) AS polls
                                    FROM poll_days d
                                   WHERE d.store_key = s.key AND d.day BETWEEN $1 AND $2) w ON true
              WHERE {}",
                condition(reach, "s.store_id", 3)
            ),
        }
    }
}
