//! The SQLite health check: both files answer, carry this build's schema,
//! are still the files opened, and take a write.

use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use storewatch_db::{DbError, HealthPart, Unhealthy, sql};

use crate::migrate::{self, Migrations};
use crate::pool::{Pool, is_busy};
use crate::{SqliteDatabase, query};

/// The schema at this build's version, migrating a database that is behind.
async fn check_schema(pool: &Pool, migrations: &'static Migrations) -> Result<(), Unhealthy> {
    pool.run(move |conn| {
        if migrate::applied_version(conn) == Some(migrations.newest()) {
            return Ok(());
        }
        tracing::warn!("the database schema is missing or behind; migrating it again");
        migrations.run(conn)
    })
    .await
    .map_err(|e| Unhealthy::new(HealthPart::Schema, e))
}

impl SqliteDatabase {
    pub(crate) async fn check_health(&self, now: i64) -> Result<(), Unhealthy> {
        for pool in [&self.data, &self.jobs] {
            pool.run(|c| query::scalar::<i64>(c, "SELECT 1", &[]))
                .await
                .map_err(|e| Unhealthy::new(HealthPart::Database, e))?;
        }
        // Before anything that might open a new connection (which would
        // create a new, empty file where the old one was).
        self.check_files()
            .map_err(|e| Unhealthy::new(HealthPart::File, e))?;
        check_schema(&self.data, &migrate::DATA).await?;
        check_schema(&self.jobs, &migrate::JOBS).await?;
        self.jobs
            .run(move |c| query::execute(c, sql::HEALTH_WRITE, &[&now]))
            .await
            .map_err(|e| Unhealthy::new(HealthPart::Write, e))?;
        // The data file's writer lock may be held by an ingest for seconds:
        // a connection of its own that does not wait, and "busy" is proof
        // enough that writes happen.
        if let Some(file) = self.files.first() {
            let path = file.path.clone();
            let written = tokio::task::spawn_blocking(move || {
                let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
                conn.busy_timeout(Duration::from_millis(100))?;
                conn.execute(sql::HEALTH_WRITE, [now])
            })
            .await
            .map_err(|e| Unhealthy::new(HealthPart::Write, DbError::backend(e)))?;
            match written {
                Ok(_) => {}
                Err(e) if is_busy(&e) => {}
                Err(e) => return Err(Unhealthy::new(HealthPart::Write, DbError::backend(e))),
            }
        }
        Ok(())
    }
}
