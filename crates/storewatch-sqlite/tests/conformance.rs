//! The storage contract, checked against a real SQLite database file.

use storewatch_sqlite::SqliteDatabase;

storewatch_db::conformance_suite!(async {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let db = SqliteDatabase::connect(&url).await.unwrap();
    Some((dir, db))
});

/// `sqlite::memory:` too (data and jobs are two separate in-memory databases).
mod in_memory {
    use storewatch_sqlite::SqliteDatabase;

    storewatch_db::conformance_suite!(async {
        let db = SqliteDatabase::connect("sqlite::memory:").await.unwrap();
        Some(((), db))
    });
}
