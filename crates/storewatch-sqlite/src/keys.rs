//! API keys in SQLite, in the jobs file beside the reports (see
//! `migrations-jobs/0003_api_keys.sql`).

use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use storewatch_core::domain::Micros;
use storewatch_db::keys::KeyColumns;
use storewatch_db::{DbError, KeyRecord, KeyStore, NewKey, Revoked};

use crate::{SqliteDatabase, db_err};

const KEY_COLUMNS: &str = "SELECT id, name, role, stores, secret_sha256, created_at, last_used_at, revoked_at FROM api_keys";

fn key_record(row: &SqliteRow) -> Result<KeyRecord, DbError> {
    KeyColumns {
        id: row.get("id"),
        name: row.get("name"),
        role: row.get("role"),
        stores: row.get("stores"),
        secret_sha256: row.get("secret_sha256"),
        created_at: row.get("created_at"),
        last_used_at: row.get("last_used_at"),
        revoked_at: row.get("revoked_at"),
    }
    .into_record()
}

impl KeyStore for SqliteDatabase {
    async fn create_key(&self, key: &NewKey) -> Result<bool, DbError> {
        let done = sqlx::query(
            "INSERT INTO api_keys (id, name, role, stores, secret_sha256, created_at)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(&key.id)
        .bind(&key.name)
        .bind(key.role.as_str())
        .bind(key.scope.as_ref().map(|s| s.to_text()))
        .bind(&key.secret_sha256)
        .bind(key.created_at)
        .execute(&self.jobs)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn keys(&self) -> Result<Vec<KeyRecord>, DbError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{KEY_COLUMNS} ORDER BY created_at, id"
        )))
        .fetch_all(&self.jobs)
        .await
        .map_err(db_err)?;
        rows.iter().map(key_record).collect()
    }

    async fn key(&self, id: &str) -> Result<Option<KeyRecord>, DbError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{KEY_COLUMNS} WHERE id = ?")))
            .bind(id)
            .fetch_optional(&self.jobs)
            .await
            .map_err(db_err)?;
        row.as_ref().map(key_record).transpose()
    }

    async fn revoke_key(&self, name: &str, now: Micros) -> Result<Revoked, DbError> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL")
                .bind(now)
                .bind(name)
                .execute(&self.jobs)
                .await
                .map_err(db_err)?;
        Ok(if done.rows_affected() == 0 {
            Revoked::NoSuchKey
        } else {
            Revoked::Now
        })
    }

    async fn touch_key(&self, id: &str, now: Micros) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE api_keys SET last_used_at = max(coalesce(last_used_at, ?1), ?1) WHERE id = ?2",
        )
        .bind(now)
        .bind(id)
        .execute(&self.jobs)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn any_keys(&self) -> Result<bool, DbError> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM api_keys)")
            .fetch_one(&self.jobs)
            .await
            .map_err(db_err)
    }
}
