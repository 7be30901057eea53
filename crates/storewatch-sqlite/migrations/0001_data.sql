-- Stores that have at least one poll. The integer key keeps the poll log
-- compact; store_id is kept exactly as it came in (text, never a number).
CREATE TABLE stores (
    key      INTEGER PRIMARY KEY,
    store_id TEXT NOT NULL UNIQUE
);

-- The append-only poll log, keyed by (store, time). ts is UTC microseconds.
-- WITHOUT ROWID clusters a store's polls together, in time order: a report
-- reads each store's week as one contiguous range.
CREATE TABLE polls (
    store_key INTEGER NOT NULL,
    ts        INTEGER NOT NULL,
    active    INTEGER NOT NULL CHECK (active IN (0, 1)),
    PRIMARY KEY (store_key, ts)
) WITHOUT ROWID;

-- Snapshots, replaced whole on each ingest. Times are seconds after local
-- midnight; an end of 86400 is the end of the day (written 23:59:59).
CREATE TABLE business_hours (
    store_id TEXT NOT NULL,
    day      INTEGER NOT NULL CHECK (day BETWEEN 0 AND 6),
    start_s  INTEGER NOT NULL,
    end_s    INTEGER NOT NULL
);
CREATE INDEX business_hours_store ON business_hours (store_id);

CREATE TABLE timezones (
    store_id TEXT PRIMARY KEY,
    timezone TEXT NOT NULL
) WITHOUT ROWID;

-- The newest poll timestamp, kept up to date by each ingest, so the default
-- report time is a lookup and not a scan of the log.
CREATE TABLE poll_log_meta (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    newest_ts INTEGER
);
INSERT INTO poll_log_meta (id, newest_ts) VALUES (1, NULL);
