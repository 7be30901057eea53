//! An owner's report reads by index on PostgreSQL too: with sequential scans
//! priced out (as on a large table), no statement of a scoped read falls
//! back to one. Unscoped, the same statements may scan: they read everything.

use sqlx::{Acquire, AssertSqlSafe};
use storewatch_db::Reach;
use storewatch_postgres::testing::scratch;
use storewatch_postgres::{PostgresDatabase, ReportSql};

#[tokio::test]
async fn a_scoped_read_searches_every_table_by_index() {
    let Some(db) = scratch().await else { return };
    let pg = PostgresDatabase::connect(&db.url).await.unwrap();
    let mut conn = pg.pool().acquire().await.unwrap();
    let conn = conn.acquire().await.unwrap();
    sqlx::query("SET enable_seqscan = off")
        .execute(&mut *conn)
        .await
        .unwrap();
    let sql = ReportSql::new(Reach::Scope);
    let scope = vec!["a".to_string(), "b".to_string()];
    for (name, statement) in [
        ("zones", &sql.zones),
        ("hours", &sql.hours),
        ("special", &sql.special),
        ("polls", &sql.polls),
    ] {
        let explain = format!("EXPLAIN {statement}");
        let query = sqlx::query_scalar::<_, String>(AssertSqlSafe(explain));
        let query = match name {
            "zones" | "hours" => query.bind(&scope),
            "special" => query.bind("2023-01-01").bind("2023-01-10").bind(&scope),
            _ => query.bind(1_i64).bind(2_i64).bind(&scope),
        };
        let plan = query.fetch_all(&mut *conn).await.unwrap().join("\n");
        assert!(!plan.contains("Seq Scan"), "{name} scans a table:\n{plan}");
        assert!(plan.contains("Index"), "{name}:\n{plan}");
    }
}
