-- Written by each health check: proof that a write still commits.
CREATE TABLE service_health (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at INTEGER NOT NULL
);
