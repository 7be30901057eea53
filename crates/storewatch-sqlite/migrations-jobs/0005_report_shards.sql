-- Reports split across instances (issue 11; storewatch-db's shards.rs): a
-- report over many stores is cut into shards, ranges of store ids in byte
-- order (from_store <= id < to_store, NULL open), claimed by any worker
-- under the same lease rules as a report. The report stays running with no
-- lease of its own meanwhile. The last shard to complete joins the parts,
-- in idx order, into the report's CSV and deletes the shards; a failed one
-- fails the report and deletes them too.
-- Into how many shards a report was split (NULL: computed whole).
ALTER TABLE reports ADD COLUMN parts INTEGER;

CREATE TABLE report_shards (
    report_id   TEXT    NOT NULL,
    idx         INTEGER NOT NULL,
    -- The report's, so the oldest report's shards are claimed first.
    created_at  INTEGER NOT NULL,
    from_store  TEXT,
    to_store    TEXT,
    state       TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'complete')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    worker      TEXT,
    lease_until INTEGER,
    row_count   INTEGER,
    csv         TEXT,
    PRIMARY KEY (report_id, idx)
);
CREATE INDEX report_shards_by_state ON report_shards (state, created_at, report_id, idx);
