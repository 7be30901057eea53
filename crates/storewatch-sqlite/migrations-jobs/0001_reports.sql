-- Report jobs live in a database file of their own (storewatch.jobs.db beside
-- storewatch.db): a SQLite file has one writer at a time, and a trigger or a
-- worker's heartbeat must not wait for an ingest to commit.
--
-- Report jobs and their results. A report is queued by a trigger, claimed by
-- a worker under a lease it keeps renewing, and finished with its CSV or an
-- error. A worker that dies stops renewing: once the lease runs out, another
-- worker (or the same server after a restart) claims the report again, until
-- it has been attempted too often and is marked failed. Times are UTC
-- microseconds.
CREATE TABLE reports (
    id              TEXT PRIMARY KEY,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'running', 'complete', 'failed')),
    requested_as_of INTEGER,
    as_of           INTEGER,
    created_at      INTEGER NOT NULL,
    started_at      INTEGER,
    finished_at     INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    worker          TEXT,
    lease_until     INTEGER,
    row_count       INTEGER,
    error           TEXT,
    csv             TEXT
);
CREATE INDEX reports_by_state ON reports (state, created_at);
