//! The statements SQLite and PostgreSQL agree on, written once with `$1`,
//! `$2`, … placeholders (the SQLite backend binds them by name). Each
//! backend keeps only what really differs: bulk writes (`UNNEST` against
//! multi-row `VALUES`), the report's read, `FOR UPDATE SKIP LOCKED`,
//! advisory locks, `NOTIFY`. Portable forms are chosen on purpose:
//! `CAST($1 AS TEXT) IS NULL` (PostgreSQL must know a parameter's type),
//! `CASE` instead of `max`/`GREATEST`, `IS NOT DISTINCT FROM`.

// The data.

pub const NEWEST_POLL: &str = "SELECT newest_ts FROM poll_log_meta WHERE id = 1";

pub const SET_NEWEST_POLL: &str = "UPDATE poll_log_meta SET newest_ts = $1 WHERE id = 1";

pub const RAISE_NEWEST_POLL: &str = "UPDATE poll_log_meta
    SET newest_ts = CASE WHEN newest_ts IS NULL OR newest_ts < $1 THEN $1 ELSE newest_ts END
  WHERE id = 1";

/// Stores, polls (8 bytes each in the stored days), the three snapshots
/// and the newest poll.
pub const COUNTS: &str = "SELECT (SELECT count(*) FROM stores),
        (SELECT CAST(coalesce(sum(length(polls)), 0) AS BIGINT) / 8 FROM poll_days),
        (SELECT count(*) FROM business_hours),
        (SELECT count(*) FROM timezones),
        (SELECT count(*) FROM special_hours),
        (SELECT newest_ts FROM poll_log_meta WHERE id = 1)";

pub const SOURCE_FINGERPRINT: &str =
    "SELECT path, sha256, ingested_at FROM source_files WHERE kind = $1";

pub const RECORD_FINGERPRINT: &str = "INSERT INTO source_files (kind, path, sha256, ingested_at)
    VALUES ($1, $2, $3, $4)
    ON CONFLICT (kind) DO UPDATE SET path = EXCLUDED.path, sha256 = EXCLUDED.sha256,
                                     ingested_at = EXCLUDED.ingested_at";

pub const RECORD_INGEST: &str =
    "INSERT INTO ingests (at, source, label, origin, key_id, rows, sha256)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// The ingest log, newest first, below an id.
pub const INGESTS: &str = "SELECT id, at, source, label, origin, key_id, rows, sha256
    FROM ingests WHERE id < $1 ORDER BY id DESC LIMIT $2";

pub const NEWEST_DAYS: &str =
    "SELECT polls FROM poll_days WHERE day = (SELECT max(day) FROM poll_days)";

pub const DAYS_ON_AFTER: &str = "SELECT store_key, polls FROM poll_days
    WHERE day = $1 AND store_key > $2 ORDER BY store_key LIMIT $3";

pub const DELETE_DAY: &str = "DELETE FROM poll_days WHERE store_key = $1 AND day = $2";

/// Retention: the oldest stored days before a day, at most so many.
pub const DELETE_OLDEST_DAYS: &str = "DELETE FROM poll_days WHERE (store_key, day) IN
        (SELECT store_key, day FROM poll_days WHERE day < $1 ORDER BY day LIMIT $2)
    RETURNING length(polls)";

/// `$1`: one store's id, or NULL for every store.
pub const FORGET_STORES_WITHOUT_POLLS: &str =
    "DELETE FROM stores WHERE (CAST($1 AS TEXT) IS NULL OR store_id = $1)
       AND NOT EXISTS (SELECT 1 FROM poll_days d WHERE d.store_key = stores.key)";

/// The condition that picks one store's stored days by its id (`$1`), or,
/// with `$1` NULL, every store's.
pub fn of_store(store: Option<&str>) -> &'static str {
    if store.is_some() {
        "store_key = (SELECT key FROM stores WHERE store_id = $1)"
    } else {
        "CAST($1 AS TEXT) IS NULL"
    }
}

/// A store's (or every store's, see [`of_store`]) stored days on day `$2`.
pub fn days_on(store: Option<&str>) -> String {
    format!(
        "SELECT store_key, polls FROM poll_days WHERE {} AND day = $2",
        of_store(store)
    )
}

/// Deletes a store's (or every store's) stored days from day `$2` to `$3`,
/// returning each one's length in bytes.
pub fn delete_days(store: Option<&str>) -> String {
    format!(
        "DELETE FROM poll_days WHERE {} AND day BETWEEN $2 AND $3 RETURNING length(polls)",
        of_store(store)
    )
}

/// Ids of stores containing `$1` (any case), in byte order, at most `$2`.
/// By position (`instr`, `strpos`: the dialect's), not `LIKE`: a query's
/// `%` and `_` are plain characters. `byte_order`: the dialect's collation
/// clause for byte order, if it needs one.
pub fn find_stores(position: &str, byte_order: &str) -> String {
    format!(
        "SELECT store_id FROM stores WHERE {position}(lower(store_id), lower($1)) > 0
          ORDER BY store_id{byte_order} LIMIT $2"
    )
}

// The service's health and the API keys.

pub const HEALTH_WRITE: &str = "INSERT INTO service_health (id, checked_at) VALUES (1, $1)
    ON CONFLICT (id) DO UPDATE SET checked_at = EXCLUDED.checked_at";

pub const APPLIED_MIGRATION: &str = "SELECT max(version) FROM _sqlx_migrations WHERE success";

pub const KEY_COLUMNS: &str = "SELECT id, name, role, stores, secret_sha256, created_at, \
     last_used_at, revoked_at FROM api_keys";

pub const CREATE_KEY: &str =
    "INSERT INTO api_keys (id, name, role, stores, secret_sha256, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING";

pub const REVOKE_KEY: &str =
    "UPDATE api_keys SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL";

pub const TOUCH_KEY: &str = "UPDATE api_keys
    SET last_used_at = CASE WHEN last_used_at IS NULL OR last_used_at < $1 THEN $1
                            ELSE last_used_at END
  WHERE id = $2";

pub const ANY_KEYS: &str = "SELECT EXISTS (SELECT 1 FROM api_keys)";

// The report queue.

/// The columns of a report row, in the order [`crate::columns::ReportColumns`] reads them.
pub const REPORT_COLUMNS: &str = "id, state, requested_as_of, as_of, columns, kind, created_at, \
     started_at, finished_at, CAST(attempts AS BIGINT), row_count, error, key_id, scope_id, parts";

/// Reports of one key (`$1`, NULL: the open service's) queued or running.
pub const UNFINISHED_REPORTS: &str = "SELECT count(*) FROM reports
    WHERE key_id IS NOT DISTINCT FROM $1 AND state IN ('queued', 'running')";

pub const CREATE_REPORT: &str = "INSERT INTO reports
        (id, state, requested_as_of, columns, kind, created_at, key_id, scope_id, scope_stores)
    VALUES ($1, 'queued', $2, $3, $4, $5, $6, $7, $8)";

/// Fails the reports whose lease ran out (`$1`: now) after `$2` attempts.
pub const ABANDON_REPORTS: &str = "UPDATE reports
    SET state = 'failed', finished_at = $1, worker = NULL, lease_until = NULL,
        error = 'abandoned after ' || attempts || ' attempts: the server running it stopped each time'
  WHERE state = 'running' AND lease_until <= $1 AND attempts >= $2";

/// Takes the oldest report to do for worker `$1` (now `$2`, lease until
/// `$3`); `lock` is how the dialect keeps two claims off one row.
pub fn claim_report(lock: &str) -> String {
    format!(
        "UPDATE reports
            SET state = 'running', worker = $1, lease_until = $3, attempts = attempts + 1,
                started_at = $2
          WHERE id = (SELECT id FROM reports
                       WHERE state = 'queued' OR (state = 'running' AND lease_until <= $2)
                       ORDER BY created_at, id LIMIT 1 {lock})
      RETURNING id, requested_as_of, CAST(attempts AS BIGINT), scope_stores, kind"
    )
}

pub const RENEW_REPORT: &str = "UPDATE reports SET lease_until = $1
    WHERE id = $2 AND worker = $3 AND state = 'running'";

pub const FINISH_REPORT: &str = "UPDATE reports
    SET state = $1, as_of = $2, row_count = $3, csv = $4, error = $5, finished_at = $6,
        lease_until = NULL
  WHERE id = $7 AND worker = $8 AND state = 'running'";

/// A report by id (`$1`), with its CSV when `$2`.
pub fn report() -> String {
    format!("SELECT {REPORT_COLUMNS}, CASE WHEN $2 THEN csv END FROM reports WHERE id = $1")
}

/// A page of reports, newest first, before (`$1` created, `$2` id) of the
/// scope `$3` (or any, when the page has no scope), at most `$4`.
pub fn reports(scoped: bool) -> String {
    let scope = if scoped {
        "scope_id = $3"
    } else {
        "CAST($3 AS TEXT) IS NULL"
    };
    format!(
        "SELECT {REPORT_COLUMNS} FROM reports
          WHERE {scope} AND (created_at < $1 OR (created_at = $1 AND id < $2 AND $2 <> ''))
          ORDER BY created_at DESC, id DESC LIMIT $4"
    )
}

pub const DELETE_REPORTS_FINISHED_BEFORE: &str =
    "DELETE FROM reports WHERE finished_at < $1 AND state IN ('complete', 'failed')";

// Split reports.

/// Fixes the report time (`$1`) and the number of parts (`$4`) of report
/// `$2`, which worker `$3` holds; returns its creation time.
pub const SPLIT_REPORT: &str = "UPDATE reports
    SET as_of = $1, worker = NULL, lease_until = NULL, parts = $4
  WHERE id = $2 AND worker = $3 AND state = 'running'
  RETURNING created_at";

/// Fails the reports one of whose shards ran out of attempts (`$1` now,
/// `$2` attempts, `$3` the error).
pub const ABANDON_SHARDED_REPORTS: &str = "UPDATE reports
    SET state = 'failed', finished_at = $1, worker = NULL, lease_until = NULL, as_of = NULL,
        error = $3
  WHERE state = 'running'
    AND id IN (SELECT report_id FROM report_shards
                WHERE state = 'running' AND lease_until <= $1 AND attempts >= $2)";

pub const DROP_SHARDS_OF_ENDED_REPORTS: &str = "DELETE FROM report_shards
    WHERE report_id NOT IN (SELECT id FROM reports WHERE state = 'running')";

/// Takes the oldest report's first shard to do (as [`claim_report`]).
pub fn claim_shard(lock: &str) -> String {
    format!(
        "UPDATE report_shards
            SET state = 'running', worker = $1, lease_until = $3, attempts = attempts + 1
          WHERE (report_id, idx) = (
                  SELECT report_id, idx FROM report_shards
                   WHERE state = 'queued' OR (state = 'running' AND lease_until <= $2)
                   ORDER BY created_at, report_id, idx LIMIT 1 {lock})
      RETURNING report_id, CAST(idx AS BIGINT), from_store, to_store, CAST(attempts AS BIGINT)"
    )
}

/// What a shard's worker needs of its report.
pub const REPORT_OF_SHARD: &str =
    "SELECT as_of, started_at, scope_stores, kind FROM reports WHERE id = $1";

pub const RENEW_SHARD: &str = "UPDATE report_shards SET lease_until = $1
    WHERE report_id = $2 AND idx = $3 AND worker = $4 AND state = 'running'";

pub const STORE_PART: &str = "UPDATE report_shards
    SET state = 'complete', row_count = $4, csv = $5, worker = NULL, lease_until = NULL
  WHERE report_id = $1 AND idx = $2 AND worker = $3 AND state = 'running'";

pub const DROP_PART: &str = "DELETE FROM report_shards
    WHERE report_id = $1 AND idx = $2 AND worker = $3 AND state = 'running'";

pub const PARTS_LEFT: &str =
    "SELECT count(*) FROM report_shards WHERE report_id = $1 AND state <> 'complete'";

pub const PARTS: &str =
    "SELECT row_count, csv FROM report_shards WHERE report_id = $1 ORDER BY idx";

/// Ends a split report (`$6`): a failed one has no report time, as a
/// whole one that failed.
pub const END_REPORT: &str = "UPDATE reports
    SET state = $1, row_count = $2, csv = $3, error = $4, finished_at = $5,
        as_of = CASE WHEN $1 = 'failed' THEN NULL ELSE as_of END
  WHERE id = $6 AND state = 'running'";

pub const DELETE_PARTS: &str = "DELETE FROM report_shards WHERE report_id = $1";

// The alerts (SPEC section 7).

/// The data's version: the newest entry of the ingest log, which every
/// applied ingest and deletion writes in its own transaction.
pub const DATA_VERSION: &str = "SELECT CAST(coalesce(max(id), 0) AS BIGINT) FROM ingests";

pub const CREATE_SUBSCRIPTION: &str = "INSERT INTO alert_subscriptions
    (id, url, sealed_secret, stores, after_us, created_at) VALUES ($1, $2, $3, $4, $5, $6)";

pub const SUBSCRIPTIONS: &str = "SELECT id, url, sealed_secret, stores, after_us, created_at
    FROM alert_subscriptions ORDER BY created_at, id";

/// Run in this order, in one transaction: a subscription's events, its
/// alerts, itself (`$1`).
pub const REMOVE_SUBSCRIPTION: [&str; 3] = [
    "DELETE FROM alert_events WHERE subscription_id = $1",
    "DELETE FROM alert_open WHERE subscription_id = $1",
    "DELETE FROM alert_subscriptions WHERE id = $1",
];

pub const ALERTS_EVALUATED: &str = "SELECT evaluated FROM alert_state WHERE id = 1";

pub const SET_ALERTS_EVALUATED: &str = "INSERT INTO alert_state (id, evaluated) VALUES (1, $1)
    ON CONFLICT (id) DO UPDATE SET evaluated = EXCLUDED.evaluated";

pub const OPEN_ALERTS: &str = "SELECT subscription_id, store_id FROM alert_open";

pub const ALERTED_STORES: &str = "SELECT DISTINCT store_id FROM alert_open ORDER BY store_id";

pub const OPEN_ALERT: &str = "INSERT INTO alert_open (subscription_id, store_id) VALUES ($1, $2)
    ON CONFLICT DO NOTHING";

pub const CLOSE_ALERT: &str = "DELETE FROM alert_open WHERE subscription_id = $1 AND store_id = $2";

/// An event, due at once.
pub const INSERT_EVENT: &str = "INSERT INTO alert_events
    (id, subscription_id, store_id, kind, body, created_at, next_attempt_at)
    VALUES ($1, $2, $3, $4, $5, $6, $6)";

pub const SUBSCRIPTION_IDS: &str = "SELECT id FROM alert_subscriptions ORDER BY created_at, id";

/// How many events of subscription `$1` are in flight at `$2` (leased).
pub const EVENTS_IN_FLIGHT: &str = "SELECT count(*) FROM alert_events
    WHERE subscription_id = $1 AND next_attempt_at IS NOT NULL AND lease_until > $2";

/// At most `$3` events of subscription `$1` due at `$2` and not in flight,
/// in the order they fell due: of each store only the oldest undelivered
/// one (so a store's events go out in order). Their `seq`. Read in the
/// order of `alert_events_due`, so it stops after `$3`, however many wait.
pub const DUE_EVENTS: &str = "SELECT e.seq FROM alert_events e
   WHERE e.subscription_id = $1 AND e.next_attempt_at IS NOT NULL
     AND e.next_attempt_at <= $2 AND (e.lease_until IS NULL OR e.lease_until <= $2)
     AND NOT EXISTS (SELECT 1 FROM alert_events p
                      WHERE p.subscription_id = e.subscription_id
                        AND p.store_id = e.store_id AND p.seq < e.seq
                        AND p.next_attempt_at IS NOT NULL)
   ORDER BY e.next_attempt_at, e.seq LIMIT $3";

/// Leases event `$3` to worker `$1` until `$2`.
pub const LEASE_EVENT: &str =
    "UPDATE alert_events SET worker = $1, lease_until = $2 WHERE seq = $3";

/// Event `$1` with where it goes.
pub const CLAIMED_EVENT: &str = "SELECT e.seq, e.id, e.subscription_id, s.url, s.sealed_secret,
        e.body, e.kind, e.created_at, CAST(e.attempts AS BIGINT)
   FROM alert_events e JOIN alert_subscriptions s ON s.id = e.subscription_id
  WHERE e.seq = $1";

/// An attempt (`$3` answer; `$4` next attempt, `$5` delivered, `$6` failed)
/// of event `$1` by worker `$2`.
pub const FINISH_EVENT: &str = "UPDATE alert_events
    SET attempts = attempts + 1, last_answer = $3, next_attempt_at = $4, delivered_at = $5,
        failed_at = $6, worker = NULL, lease_until = NULL
  WHERE seq = $1 AND worker = $2 AND next_attempt_at IS NOT NULL";

/// A subscription's (`$1`) events, newest first, older than its event `$2`
/// (or all; none when `$2` is not one of its events), at most `$3`.
pub const EVENTS: &str = "SELECT id, kind, store_id, created_at, CAST(attempts AS BIGINT),
        last_answer, next_attempt_at, delivered_at, failed_at
   FROM alert_events
  WHERE subscription_id = $1
    AND (CAST($2 AS TEXT) IS NULL
         OR seq < (SELECT seq FROM alert_events WHERE id = $2 AND subscription_id = $1))
  ORDER BY seq DESC LIMIT $3";

/// Events delivered or failed before `$1`: the alerts' retention.
pub const DELETE_FINISHED_EVENTS: &str = "DELETE FROM alert_events
    WHERE next_attempt_at IS NULL
      AND (CASE WHEN delivered_at IS NULL THEN failed_at ELSE delivered_at END) < $1";

/// When the next event is due: its next attempt, or when its lease runs out.
pub const NEXT_EVENT_DUE: &str = "SELECT min(CASE WHEN lease_until IS NOT NULL
                    AND lease_until > next_attempt_at THEN lease_until
               ELSE next_attempt_at END)
   FROM alert_events WHERE next_attempt_at IS NOT NULL";
