//! The statements of an ingest, a deletion and retention, inside their
//! transaction (storewatch-db's `batch.rs` and `deletion.rs` hold the
//! logic). Rows are written one cached statement each: stepped directly,
//! a row costs what SQLite's B-tree costs, and nothing is gained by
//! building multi-row statements.

use rusqlite::Connection;
use storewatch_core::domain::{HoursRow, Micros, SharedId, SpecialHoursRow};
use storewatch_db::batch::{BatchWriter, StoredDay};
use storewatch_db::columns::special_columns;
use storewatch_db::{DbError, IngestRecord, SourceFingerprint, poll_days, sql};

use crate::query::{self, execute};

pub(crate) struct Writer<'c>(pub &'c mut Connection);

/// Empties a snapshot table (the name is one of ours, never user input).
fn delete_all(conn: &Connection, table: &'static str) -> Result<(), DbError> {
    conn.execute_batch(&format!("DELETE FROM {table}"))
        .map_err(DbError::backend)
}

/// `[1,2]`: keys as a JSON array, for `json_each`.
fn json_numbers(keys: &[i64]) -> String {
    let mut out = String::with_capacity(keys.len() * 8 + 2);
    out.push('[');
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&key.to_string());
    }
    out.push(']');
    out
}

impl BatchWriter for Writer<'_> {
    async fn replace_timezones(&mut self, rows: &[(String, String)]) -> Result<u64, DbError> {
        delete_all(self.0, "timezones")?;
        for (id, zone) in rows {
            execute(
                self.0,
                "INSERT INTO timezones (store_id, timezone) VALUES ($1, $2)",
                &[id, zone],
            )?;
        }
        Ok(rows.len() as u64)
    }

    async fn replace_business_hours(
        &mut self,
        rows: &[(SharedId, HoursRow)],
    ) -> Result<u64, DbError> {
        delete_all(self.0, "business_hours")?;
        for (id, row) in rows {
            execute(
                self.0,
                "INSERT INTO business_hours (store_id, day, start_s, end_s) VALUES ($1, $2, $3, $4)",
                &[
                    &&**id,
                    &(row.day.index() as i64),
                    &i64::from(row.start.seconds()),
                    &i64::from(row.end.seconds()),
                ],
            )?;
        }
        Ok(rows.len() as u64)
    }

    async fn replace_special_hours(
        &mut self,
        rows: &[(String, SpecialHoursRow)],
    ) -> Result<u64, DbError> {
        delete_all(self.0, "special_hours")?;
        for (id, row) in rows {
            let (date, start, end) = special_columns(row);
            execute(
                self.0,
                "INSERT INTO special_hours (store_id, date, start_s, end_s) VALUES ($1, $2, $3, $4)",
                &[id, &date, &start, &end],
            )?;
        }
        Ok(rows.len() as u64)
    }

    async fn store_keys(&mut self, ids: &[&str]) -> Result<Vec<i64>, DbError> {
        // Each through the store_id index: the stores table may hold
        // millions. Most ids are known; a new one is inserted.
        let mut keys = Vec::with_capacity(ids.len());
        for id in ids {
            let known: Option<i64> = query::optional(
                self.0,
                "SELECT key FROM stores WHERE store_id = $1",
                &[id],
                |r| r.get(0),
            )?;
            let key = match known {
                Some(key) => key,
                None => query::scalar(
                    self.0,
                    "INSERT INTO stores (store_id) VALUES ($1) RETURNING key",
                    &[id],
                )?,
            };
            keys.push(key);
        }
        Ok(keys)
    }

    async fn stored_days(
        &mut self,
        keys: &[i64],
        first: i64,
        last: i64,
    ) -> Result<Vec<StoredDay>, DbError> {
        let rows = query::rows(
            self.0,
            "SELECT store_key, day, polls FROM poll_days
              WHERE store_key IN (SELECT value FROM json_each($1)) AND day BETWEEN $2 AND $3",
            &[&json_numbers(keys), &first, &last],
            |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, Vec<u8>>(2)?)),
        )?;
        rows.into_iter()
            .map(|(key, day, bytes)| StoredDay::decode(key, day, &bytes))
            .collect()
    }

    async fn put_days(&mut self, days: &[(i64, i64, Vec<u8>)]) -> Result<(), DbError> {
        for (key, day, polls) in days {
            execute(
                self.0,
                "INSERT INTO poll_days (store_key, day, polls) VALUES ($1, $2, $3)
                 ON CONFLICT (store_key, day) DO UPDATE SET polls = excluded.polls",
                &[key, day, polls],
            )?;
        }
        Ok(())
    }

    async fn delete_days(
        &mut self,
        store: Option<&str>,
        first: i64,
        last: i64,
    ) -> Result<u64, DbError> {
        let lengths: Vec<i64> =
            query::column(self.0, &sql::delete_days(store), &[&store, &first, &last])?;
        Ok(poll_days::days_and_polls(&lengths).1)
    }

    async fn delete_oldest_days(&mut self, before: i64, limit: u32) -> Result<(u64, u64), DbError> {
        let lengths: Vec<i64> = query::column(
            self.0,
            sql::DELETE_OLDEST_DAYS,
            &[&before, &i64::from(limit)],
        )?;
        Ok(poll_days::days_and_polls(&lengths))
    }

    async fn days_on(
        &mut self,
        store: Option<&str>,
        day: i64,
    ) -> Result<Vec<(i64, Vec<u8>)>, DbError> {
        query::rows(self.0, &sql::days_on(store), &[&store, &day], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
    }

    async fn days_on_after(
        &mut self,
        day: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, Vec<u8>)>, DbError> {
        query::rows(
            self.0,
            sql::DAYS_ON_AFTER,
            &[&day, &after, &i64::from(limit)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    async fn delete_day(&mut self, key: i64, day: i64) -> Result<(), DbError> {
        execute(self.0, sql::DELETE_DAY, &[&key, &day])?;
        Ok(())
    }

    async fn forget_stores_without_polls(&mut self, store: Option<&str>) -> Result<(), DbError> {
        execute(self.0, sql::FORGET_STORES_WITHOUT_POLLS, &[&store])?;
        Ok(())
    }

    async fn newest_days(&mut self) -> Result<Vec<Vec<u8>>, DbError> {
        query::column(self.0, sql::NEWEST_DAYS, &[])
    }

    async fn set_newest_poll(&mut self, newest: Option<Micros>) -> Result<(), DbError> {
        execute(self.0, sql::SET_NEWEST_POLL, &[&newest])?;
        Ok(())
    }

    async fn raise_newest_poll(&mut self, newest: Micros) -> Result<(), DbError> {
        execute(self.0, sql::RAISE_NEWEST_POLL, &[&newest])?;
        Ok(())
    }

    async fn record_fingerprint(&mut self, fp: &SourceFingerprint) -> Result<(), DbError> {
        execute(
            self.0,
            sql::RECORD_FINGERPRINT,
            &[&fp.kind.name(), &fp.path, &fp.sha256, &fp.ingested_at],
        )?;
        Ok(())
    }

    async fn record_ingest(&mut self, r: &IngestRecord) -> Result<(), DbError> {
        execute(
            self.0,
            sql::RECORD_INGEST,
            &[
                &r.at,
                &r.source.name(),
                &r.label,
                &r.by,
                &r.key_id,
                &i64::try_from(r.rows).unwrap_or(i64::MAX),
                &r.sha256,
            ],
        )?;
        Ok(())
    }
}
