-- The same model as the SQLite backend (see its migrations for the why).
-- Times are UTC microseconds since the epoch, as BIGINT, in both backends.

CREATE TABLE stores (
    key      BIGSERIAL PRIMARY KEY,
    store_id TEXT NOT NULL UNIQUE
);

CREATE TABLE polls (
    store_key BIGINT  NOT NULL,
    ts        BIGINT  NOT NULL,
    active    BOOLEAN NOT NULL,
    PRIMARY KEY (store_key, ts)
);

CREATE TABLE business_hours (
    store_id TEXT     NOT NULL,
    day      SMALLINT NOT NULL CHECK (day BETWEEN 0 AND 6),
    start_s  INTEGER  NOT NULL,
    end_s    INTEGER  NOT NULL
);
CREATE INDEX business_hours_store ON business_hours (store_id);

CREATE TABLE timezones (
    store_id TEXT PRIMARY KEY,
    timezone TEXT NOT NULL
);

CREATE TABLE poll_log_meta (
    id        SMALLINT PRIMARY KEY CHECK (id = 1),
    newest_ts BIGINT
);
INSERT INTO poll_log_meta (id, newest_ts) VALUES (1, NULL);

CREATE TABLE reports (
    id              TEXT PRIMARY KEY,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'running', 'complete', 'failed')),
    requested_as_of BIGINT,
    as_of           BIGINT,
    created_at      BIGINT NOT NULL,
    started_at      BIGINT,
    finished_at     BIGINT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    worker          TEXT,
    lease_until     BIGINT,
    row_count       BIGINT,
    error           TEXT,
    csv             TEXT
);
CREATE INDEX reports_by_state ON reports (state, created_at);

CREATE TABLE source_files (
    kind        TEXT PRIMARY KEY,
    path        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    ingested_at BIGINT NOT NULL
);
