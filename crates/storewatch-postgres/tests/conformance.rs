//! The storage contract, checked against a real PostgreSQL server; each test
//! gets a database of its own (see `storewatch_postgres::testing`).

use storewatch_db::conformance;
use storewatch_postgres::PostgresDatabase;
use storewatch_postgres::testing::scratch;

macro_rules! conformance_tests {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let Some(db_scratch) = scratch().await else { return };
            let db = PostgresDatabase::connect(&db_scratch.url).await.unwrap();
            conformance::$name(&db).await;
            db.pool().close().await;
        }
    )*};
}

conformance_tests!(
    polls_are_an_idempotent_log,
    the_last_row_of_a_key_wins,
    hours_and_zones_are_snapshots,
    report_input_covers_the_week,
    an_empty_database_has_no_report_time,
    a_batch_is_applied_whole,
    a_report_job_runs_to_completion,
    report_jobs_are_claimed_oldest_first,
    an_abandoned_report_is_retried_then_failed,
    a_failed_report_keeps_its_error,
    source_fingerprints_are_kept_per_kind,
);
