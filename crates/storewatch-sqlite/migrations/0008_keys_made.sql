-- The API keys live in the jobs file (storewatch.jobs.db), beside the
-- reports. That keys were ever made is kept here, with the data: an operator
-- who deletes the jobs file as "just a queue" must not reopen the service.
CREATE TABLE keys_made (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    first_at INTEGER NOT NULL
);
