-- Every applied ingest, one row per source (issue 8): when, what (the kind,
-- the file or "request body", the content's SHA-256), who (a key's name, the
-- data directory, the command line) and how many rows it stood for.
CREATE TABLE ingests (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    source  TEXT NOT NULL,
    label   TEXT NOT NULL,
    origin  TEXT NOT NULL,
    key_id  TEXT,
    rows    INTEGER NOT NULL,
    sha256  TEXT NOT NULL
);

-- An owner's report reads its stores' special hours by store.
CREATE INDEX special_hours_store ON special_hours (store_id, date);
