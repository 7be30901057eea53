//! A database of the layout before issue 11 (a row per poll) keeps every
//! poll when migrated to a row per store and day.

use storewatch_postgres::PostgresDatabase;
use storewatch_postgres::testing::{migrate_to, scratch};

#[tokio::test]
async fn migrating_from_a_row_per_poll_keeps_every_poll() {
    let Some(db_scratch) = scratch().await else {
        return;
    };
    migrate_to(&db_scratch.url, 4).await;
    let want = storewatch_db::conformance::polls_for_a_migration();
    {
        let pool = sqlx::PgPool::connect(&db_scratch.url).await.unwrap();
        sqlx::query("INSERT INTO stores (store_id) VALUES ('store-0'), ('store-1'), ('store-2')")
            .execute(&pool)
            .await
            .unwrap();
        for (id, ts, active) in &want {
            sqlx::query(
                "INSERT INTO polls (store_key, ts, active)
                 VALUES ((SELECT key FROM stores WHERE store_id = $1), $2, $3)",
            )
            .bind(id)
            .bind(ts)
            .bind(active)
            .execute(&pool)
            .await
            .unwrap();
        }
        sqlx::query("UPDATE poll_log_meta SET newest_ts = $1 WHERE id = 1")
            .bind(want.iter().map(|w| w.1).max())
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    let db = PostgresDatabase::connect(&db_scratch.url).await.unwrap();
    storewatch_db::conformance::migrated_polls_are_all_there(&db).await;
}
