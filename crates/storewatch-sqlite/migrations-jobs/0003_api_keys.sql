-- API keys (issue 8). They live beside the report jobs, not the data: a key
-- is checked on every request and its use written down, which must never
-- wait for an ingest to commit.
--
-- Only the SHA-256 of a key's secret is kept. id is the public part of the
-- token (looked up, then the secret's hash compared in constant time).
-- stores: an owner's scope, store ids one per line, sorted; NULL: all stores.
CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'ingest', 'viewer')),
    stores        TEXT,
    secret_sha256 TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER
);
-- A name names one live key; a revoked key's name may be given again.
CREATE UNIQUE INDEX api_keys_live_name ON api_keys (name) WHERE revoked_at IS NULL;

-- Who triggered a report (NULL: an open service, no key), and over which
-- stores: scope_id fingerprints the scope, scope_stores lists it (NULL: all).
ALTER TABLE reports ADD COLUMN key_id TEXT;
ALTER TABLE reports ADD COLUMN scope_id TEXT;
ALTER TABLE reports ADD COLUMN scope_stores TEXT;
-- The listing, newest first (all, or one scope's); the per-key queue cap;
-- the retention job.
CREATE INDEX reports_by_created ON reports (created_at, id);
CREATE INDEX reports_by_scope ON reports (scope_id, created_at, id);
CREATE INDEX reports_by_key ON reports (key_id, state);
CREATE INDEX reports_by_finished ON reports (finished_at) WHERE finished_at IS NOT NULL;
