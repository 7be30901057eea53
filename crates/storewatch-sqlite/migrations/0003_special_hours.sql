-- Special hours (SPEC section 1): exceptions for one local date, a snapshot
-- replaced whole on each ingest like business hours. date is the store's
-- local date as YYYY-MM-DD text (so it sorts and compares as a date); both
-- times NULL means closed that whole date. Times are seconds after local
-- midnight, an end of 86400 being the end of the day.
CREATE TABLE special_hours (
    store_id TEXT    NOT NULL,
    date     TEXT    NOT NULL,
    start_s  INTEGER,
    end_s    INTEGER,
    CHECK ((start_s IS NULL) = (end_s IS NULL))
);
-- A report reads the dates around its week, for every store.
CREATE INDEX special_hours_date ON special_hours (date, store_id);
