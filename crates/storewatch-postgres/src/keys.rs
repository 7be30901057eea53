//! API keys in PostgreSQL (see
//! `migrations/0003_access.sql`).

use sqlx::Row;
use sqlx::postgres::PgRow;
use storewatch_core::domain::Micros;
use storewatch_db::keys::KeyColumns;
use storewatch_db::{DbError, KeyRecord, KeyStore, NewKey, Revoked, sql};

use crate::{PostgresDatabase, Run, db_err};

/// A key row as [`sql::KEY_COLUMNS`] lists it.
fn key_record(row: &PgRow) -> Result<KeyRecord, DbError> {
    KeyColumns {
        id: row.get(0),
        name: row.get(1),
        role: row.get(2),
        stores: row.get(3),
        secret_sha256: row.get(4),
        created_at: row.get(5),
        last_used_at: row.get(6),
        revoked_at: row.get(7),
    }
    .into_record()
}

impl KeyStore for PostgresDatabase {
    async fn create_key(&self, key: &NewKey) -> Result<bool, DbError> {
        let done = sqlx::query(sql::CREATE_KEY)
            .bind(&key.id)
            .bind(&key.name)
            .bind(key.role.as_str())
            .bind(key.scope.as_ref().map(|s| s.to_text()))
            .bind(&key.secret_sha256)
            .bind(key.created_at)
            .run(&self.pool)
            .await?;
        Ok(done == 1)
    }

    async fn keys(&self) -> Result<Vec<KeyRecord>, DbError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{} ORDER BY created_at, id",
            sql::KEY_COLUMNS
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(key_record).collect()
    }

    async fn key(&self, id: &str) -> Result<Option<KeyRecord>, DbError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{} WHERE id = $1",
            sql::KEY_COLUMNS
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref().map(key_record).transpose()
    }

    async fn revoke_key(&self, name: &str, now: Micros) -> Result<Revoked, DbError> {
        let done = sqlx::query(sql::REVOKE_KEY)
            .bind(now)
            .bind(name)
            .run(&self.pool)
            .await?;
        Ok(Revoked::from_rows(done))
    }

    async fn touch_key(&self, id: &str, now: Micros) -> Result<(), DbError> {
        sqlx::query(sql::TOUCH_KEY)
            .bind(now)
            .bind(id)
            .run(&self.pool)
            .await?;
        Ok(())
    }

    async fn any_keys(&self) -> Result<bool, DbError> {
        sqlx::query_scalar(sql::ANY_KEYS)
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)
    }
}
