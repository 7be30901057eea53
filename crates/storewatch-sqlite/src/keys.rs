//! API keys in SQLite, in the jobs file beside the reports (see
//! `migrations-jobs/0003_api_keys.sql`); the data file records that keys
//! were made (`migrations/0008_keys_made.sql`), so losing the jobs file
//! never opens the service.

use rusqlite::{Connection, Row};
use storewatch_core::domain::Micros;
use storewatch_db::keys::KeyColumns;
use storewatch_db::{DbError, KeyRecord, KeyStore, NewKey, Revoked, sql};

use crate::SqliteDatabase;
use crate::query::{self, execute};

fn key_record(row: &Row<'_>) -> rusqlite::Result<KeyColumns> {
    Ok(KeyColumns {
        id: row.get(0)?,
        name: row.get(1)?,
        role: row.get(2)?,
        stores: row.get(3)?,
        secret_sha256: row.get(4)?,
        created_at: row.get(5)?,
        last_used_at: row.get(6)?,
        revoked_at: row.get(7)?,
    })
}

fn mark_keys_made(conn: &Connection, at: Micros) -> Result<(), DbError> {
    execute(
        conn,
        "INSERT INTO keys_made (id, first_at) VALUES (1, $1) ON CONFLICT DO NOTHING",
        &[&at],
    )?;
    Ok(())
}

impl SqliteDatabase {
    /// Whether the data file says keys were made.
    async fn keys_made(&self) -> Result<bool, DbError> {
        self.data
            .run(|c| query::scalar(c, "SELECT EXISTS (SELECT 1 FROM keys_made)", &[]))
            .await
    }

    /// Whether the jobs file holds any key.
    async fn keys_in_jobs_file(&self) -> Result<bool, DbError> {
        self.jobs
            .run(|c| query::scalar(c, sql::ANY_KEYS, &[]))
            .await
    }

    /// At opening: a database whose keys came before the data file recorded
    /// them records them now.
    pub(crate) async fn record_existing_keys(&self) -> Result<(), DbError> {
        if !self.keys_made().await? && self.keys_in_jobs_file().await? {
            let first: Micros = self
                .jobs
                .run(|c| query::scalar(c, "SELECT min(created_at) FROM api_keys", &[]))
                .await?;
            self.data.run(move |c| mark_keys_made(c, first)).await?;
        }
        Ok(())
    }
}

impl KeyStore for SqliteDatabase {
    async fn create_key(&self, key: &NewKey) -> Result<bool, DbError> {
        // The record first: a crash between the two leaves the service
        // closed with no key (make another), never open.
        let at = key.created_at;
        self.data.run(move |c| mark_keys_made(c, at)).await?;
        let key = key.clone();
        self.jobs
            .run(move |c| {
                let made = execute(
                    c,
                    sql::CREATE_KEY,
                    &[
                        &key.id,
                        &key.name,
                        &key.role.as_str(),
                        &key.scope.as_ref().map(|s| s.to_text()),
                        &key.secret_sha256,
                        &key.created_at,
                    ],
                )?;
                Ok(made == 1)
            })
            .await
    }

    async fn keys(&self) -> Result<Vec<KeyRecord>, DbError> {
        let rows = self
            .jobs
            .run(|c| {
                let sql = format!("{} ORDER BY created_at, id", sql::KEY_COLUMNS);
                query::rows(c, &sql, &[], key_record)
            })
            .await?;
        rows.into_iter().map(KeyColumns::into_record).collect()
    }

    async fn key(&self, id: &str) -> Result<Option<KeyRecord>, DbError> {
        let id = id.to_string();
        let row = self
            .jobs
            .run(move |c| {
                let sql = format!("{} WHERE id = $1", sql::KEY_COLUMNS);
                query::optional(c, &sql, &[&id], key_record)
            })
            .await?;
        row.map(KeyColumns::into_record).transpose()
    }

    async fn revoke_key(&self, name: &str, now: Micros) -> Result<Revoked, DbError> {
        let name = name.to_string();
        let done = self
            .jobs
            .run(move |c| execute(c, sql::REVOKE_KEY, &[&now, &name]))
            .await?;
        Ok(Revoked::from_rows(done))
    }

    async fn touch_key(&self, id: &str, now: Micros) -> Result<(), DbError> {
        let id = id.to_string();
        self.jobs
            .run(move |c| execute(c, sql::TOUCH_KEY, &[&now, &id]))
            .await?;
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
