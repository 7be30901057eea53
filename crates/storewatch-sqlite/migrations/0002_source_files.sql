-- The last ingested content of each configured source file, so the periodic
-- re-ingest skips files that did not change (also across restarts).
CREATE TABLE source_files (
    kind        TEXT PRIMARY KEY,
    path        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    ingested_at INTEGER NOT NULL
);
