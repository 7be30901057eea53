//! The storage contract, checked against a real PostgreSQL server; each test
//! gets a database of its own (see `storewatch_postgres::testing`).

use storewatch_postgres::PostgresDatabase;
use storewatch_postgres::testing::scratch;

storewatch_db::conformance_suite!(async {
    let db_scratch = scratch().await?;
    let db = PostgresDatabase::connect(&db_scratch.url).await.unwrap();
    Some((db_scratch, db))
});
