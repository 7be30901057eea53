-- Alerts (SPEC section 7): subscriptions, the stores each has told are
-- offline (never two store.offline in a row), the events to deliver and the
-- data version they were last worked out at. In the jobs file: delivering
-- writes often and must not wait for an ingest to commit.
CREATE TABLE alert_subscriptions (
    id            TEXT PRIMARY KEY,
    url           TEXT NOT NULL,
    -- Sealed with the service's alert key (app::alerts::secrets).
    sealed_secret TEXT NOT NULL,
    -- One store id per line; NULL: every store.
    stores        TEXT,
    after_us      INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE alert_open (
    subscription_id TEXT NOT NULL,
    store_id        TEXT NOT NULL,
    PRIMARY KEY (subscription_id, store_id)
);

CREATE TABLE alert_events (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    subscription_id TEXT NOT NULL,
    store_id        TEXT NOT NULL,
    kind            TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- NULL once delivered or failed.
    next_attempt_at INTEGER,
    last_answer     TEXT,
    delivered_at    INTEGER,
    failed_at       INTEGER,
    worker          TEXT,
    lease_until     INTEGER
);

-- What is due, per subscription, in the order it fell due.
CREATE INDEX alert_events_due ON alert_events (subscription_id, next_attempt_at, seq)
    WHERE next_attempt_at IS NOT NULL;
-- When the next event falls due (the sender's sleep).
CREATE INDEX alert_events_pending ON alert_events (next_attempt_at)
    WHERE next_attempt_at IS NOT NULL;
CREATE INDEX alert_events_in_order ON alert_events (subscription_id, store_id, seq);

CREATE TABLE alert_state (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    evaluated INTEGER NOT NULL
);
