-- Special hours: see the SQLite migration of the same name for the why.
CREATE TABLE special_hours (
    store_id TEXT    NOT NULL,
    date     TEXT    NOT NULL,
    start_s  INTEGER,
    end_s    INTEGER,
    CHECK ((start_s IS NULL) = (end_s IS NULL))
);
CREATE INDEX special_hours_date ON special_hours (date, store_id);

-- The columns a report was asked for; the stored CSV is always extended.
ALTER TABLE reports ADD COLUMN columns TEXT NOT NULL DEFAULT 'standard'
    CHECK (columns IN ('standard', 'extended'));
