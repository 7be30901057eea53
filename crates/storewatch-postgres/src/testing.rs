//! Scratch databases for tests: each test gets a database of its own on the
//! test server, dropped afterwards.
//!
//! The server is `STOREWATCH_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`, where this project's
//! machines run one). Without a server, [`scratch`] says so and returns
//! `None`, unless STOREWATCH_REQUIRE_POSTGRES is set (CI sets it).

use sqlx::{AssertSqlSafe, Connection, PgConnection};

pub fn admin_url() -> String {
    std::env::var("STOREWATCH_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database that exists until this is dropped.
pub struct Scratch {
    pub name: String,
    pub url: String,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let (admin, name) = (admin_url(), self.name.clone());
        // Drop may run inside or outside a runtime: use a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            rt.block_on(async {
                if let Ok(mut c) = PgConnection::connect(&admin).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut c).await;
                }
            });
        })
        .join();
    }
}

/// A fresh, empty database, or `None` (with the reason printed) when there
/// is no server to make one on.
pub async fn scratch() -> Option<Scratch> {
    let admin = admin_url();
    let mut conn = match PgConnection::connect(&admin).await {
        Ok(c) => c,
        Err(e) => {
            if std::env::var_os("STOREWATCH_REQUIRE_POSTGRES").is_some() {
                panic!("STOREWATCH_REQUIRE_POSTGRES is set but {admin} is unreachable: {e}");
            }
            eprintln!(
                "SKIPPED: this test needs a PostgreSQL server, and {admin} is unreachable: {e}"
            );
            return None;
        }
    };
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("randomness");
    let name = format!("storewatch_test_{}", storewatch_core::hex::encode(&bytes));
    sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("CREATE DATABASE");
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(b, _)| b)
        .to_string();
    Some(Scratch {
        url: format!("{base}/{name}"),
        name,
    })
}

/// Brings the database at `url` to schema `version` and no further: to make
/// a database of an earlier layout, as an older storewatch left it.
pub async fn migrate_to(url: &str, version: i64) {
    let pool = sqlx::PgPool::connect(url).await.expect("connect");
    crate::MIGRATIONS
        .run_to(version, &pool)
        .await
        .expect("migrations up to the version");
    pool.close().await;
}
