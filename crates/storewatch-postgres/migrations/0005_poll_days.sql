-- Polls as a row per store and UTC day, the day's polls packed into one
-- array (see the SQLite migration of the same name, and storewatch-db's
-- poll_days.rs): 2·ts + active, 8 bytes big-endian each (int8send), in time order.
CREATE TABLE poll_days (
    store_key BIGINT NOT NULL,
    day       BIGINT NOT NULL,
    polls     BYTEA  NOT NULL,
    PRIMARY KEY (store_key, day)
);

-- Every stored poll moves over (times are from 1970 on, so / is the floor).
INSERT INTO poll_days (store_key, day, polls)
SELECT store_key, ts / 86400000000,
       string_agg(int8send(ts * 2 + active::int), ''::bytea ORDER BY ts)
  FROM polls
 GROUP BY store_key, ts / 86400000000;
DROP TABLE polls;

CREATE INDEX poll_days_by_day ON poll_days (day);
