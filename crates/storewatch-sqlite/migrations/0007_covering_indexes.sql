-- A report matches business hours and special hours to its stores by
-- walking both in store-id order side by side, not by looking each row's
-- store up (issue 11). These indexes hold every column the report reads, so
-- the walk reads the index alone, in order, instead of the table's rows in
-- insertion order. (Time zones are keyed by store id already.)
DROP INDEX business_hours_store;
CREATE INDEX business_hours_store ON business_hours (store_id, day, start_s, end_s);

DROP INDEX special_hours_store;
CREATE INDEX special_hours_store ON special_hours (store_id, date, start_s, end_s);
