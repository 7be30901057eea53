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

impl SqliteDatabase {
    /// Writes down in the data file that keys were made (once; at the first
    /// key, and for a database whose keys came before this record did).
    pub(crate) async fn mark_keys_made(&self, at: Micros) -> Result<(), DbError> {
        sqlx::query("INSERT INTO keys_made (id, first_at) VALUES (1, ?) ON CONFLICT DO NOTHING")
            .bind(at)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    /// Whether the data file says keys were made.
    async fn keys_made(&self) -> Result<bool, DbError> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM keys_made)")
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)
    }

    /// Whether the jobs file holds any key.
    async fn keys_in_jobs_file(&self) -> Result<bool, DbError> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM api_keys)")
            .fetch_one(&self.jobs)
            .await
            .map_err(db_err)
    }

    /// At opening: a database whose keys came before the data file recorded
    /// them records them now.
    pub(crate) async fn record_existing_keys(&self) -> Result<(), DbError> {
        if !self.keys_made().await? && self.keys_in_jobs_file().await? {
            let first: Micros = sqlx::query_scalar("SELECT min(created_at) FROM api_keys")
                .fetch_one(&self.jobs)
                .await
                .map_err(db_err)?;
            self.mark_keys_made(first).await?;
        }
        Ok(())
    }
}

impl KeyStore for SqliteDatabase {
    async fn create_key(&self, key: &NewKey) -> Result<bool, DbError> {
        // The record first: a crash between the two leaves the service
        // closed with no key (make another), never open.
        self.mark_keys_made(key.created_at).await?;
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
        Ok(self.keys_in_jobs_file().await? || self.keys_made().await?)
    }

    async fn keys_lost(&self) -> Result<Option<String>, DbError> {
        if !self.keys_made().await? || self.keys_in_jobs_file().await? {
            return Ok(None);
        }
        let jobs = self.files.get(1).map_or_else(
            || "the jobs file".to_string(),
            |f| f.path.display().to_string(),
        );
        Ok(Some(format!(
            "the data file says API keys were made, but {jobs}, which holds them, has none: \
             it was deleted or replaced. Restore it from a backup, or create a new admin key \
             (storewatch keys create --name admin --role admin, with the same --database-url) \
             and hand out new keys; until then the service does not start"
        )))
    }
}
