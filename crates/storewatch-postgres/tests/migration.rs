//! A database of the layout before issue 11 (a row per poll) keeps every
//! poll when migrated to a row per store and day.

use storewatch_db::DataStore;
use storewatch_postgres::PostgresDatabase;
use storewatch_postgres::testing::{migrate_to, scratch};

#[tokio::test]
async fn migrating_from_a_row_per_poll_keeps_every_poll() {
    let Some(db_scratch) = scratch().await else {
        return;
    };
    migrate_to(&db_scratch.url, 4).await;
    let day = 86_400_000_000i64;
    let mut want: Vec<(String, i64, bool)> = Vec::new();
    for s in 0..3i64 {
        for i in 0..240i64 {
            let ts = 19_370 * day + i * 3_600_000_000 + s * 7 + (i % 3) - 1 + day / 24;
            want.push((format!("store-{s}"), ts, (i + s) % 4 != 0));
        }
        want.push((format!("store-{s}"), 19_380 * day - 1, true));
        want.push((format!("store-{s}"), 19_380 * day, false));
    }
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
    let counts = db.counts().await.unwrap();
    assert_eq!((counts.stores, counts.polls), (3, want.len() as u64));
    want.sort();
    // Two report times whose weeks cover every poll between them.
    for as_of in [19_381 * day, 19_374 * day + 5] {
        let input = db.report_input(Some(as_of), None).await.unwrap();
        let mut got: Vec<(String, i64, bool)> = Vec::new();
        for store in &input.stores {
            for p in &store.polls {
                got.push((store.store_id.clone(), p.ts, p.status.is_active()));
            }
        }
        got.sort();
        let week: Vec<_> = want
            .iter()
            .filter(|w| (as_of - 7 * day..=as_of).contains(&w.1))
            .cloned()
            .collect();
        assert!(week.len() > 100);
        assert_eq!(got, week);
    }
}
