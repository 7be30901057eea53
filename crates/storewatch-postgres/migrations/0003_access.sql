-- API keys, report ownership and ingest provenance (issue 8): see the
-- SQLite migrations of the same purpose for the why.
CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'ingest', 'viewer')),
    stores        TEXT,
    secret_sha256 TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
CREATE UNIQUE INDEX api_keys_live_name ON api_keys (name) WHERE revoked_at IS NULL;

ALTER TABLE reports ADD COLUMN key_id TEXT;
ALTER TABLE reports ADD COLUMN scope_id TEXT;
ALTER TABLE reports ADD COLUMN scope_stores TEXT;
CREATE INDEX reports_by_created ON reports (created_at, id);
CREATE INDEX reports_by_scope ON reports (scope_id, created_at, id);
CREATE INDEX reports_by_key ON reports (key_id, state);
CREATE INDEX reports_by_finished ON reports (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE ingests (
    id      BIGSERIAL PRIMARY KEY,
    at      BIGINT NOT NULL,
    source  TEXT NOT NULL,
    label   TEXT NOT NULL,
    origin  TEXT NOT NULL,
    key_id  TEXT,
    rows    BIGINT NOT NULL,
    sha256  TEXT NOT NULL
);

CREATE INDEX special_hours_store ON special_hours (store_id, date);
