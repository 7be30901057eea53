//! The storage contract, checked against a real SQLite database file.

use storewatch_sqlite::SqliteDatabase;

storewatch_db::conformance_suite!(async {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let db = SqliteDatabase::connect(&url).await.unwrap();
    Some((dir, db))
});
