-- Polls as a row per store and UTC day (issue 11), the day's polls packed
-- into one array: 2·ts + active, 8 bytes big-endian each, in time order
-- (storewatch-db's poll_days.rs says why). A report reads 8 rows per store
-- instead of one per poll, and an ingest writes a row per store and day.
CREATE TABLE poll_days (
    store_key INTEGER NOT NULL,
    day       INTEGER NOT NULL,
    polls     BLOB    NOT NULL,
    PRIMARY KEY (store_key, day)
) WITHOUT ROWID;

-- Every stored poll moves over (times are from 1970 on, so / is the floor).
INSERT INTO poll_days (store_key, day, polls)
SELECT store_key, ts / 86400000000,
       unhex(group_concat(printf('%016x', ts * 2 + active), '' ORDER BY ts))
  FROM polls
 GROUP BY store_key, ts / 86400000000;
DROP TABLE polls;

-- Retention deletes the oldest days first, and the newest poll after a
-- deletion is on the newest day.
CREATE INDEX poll_days_by_day ON poll_days (day);
