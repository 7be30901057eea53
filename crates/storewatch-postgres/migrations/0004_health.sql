-- Written by each health check: proof that a write still commits.
CREATE TABLE service_health (
    id         SMALLINT PRIMARY KEY CHECK (id = 1),
    checked_at BIGINT  NOT NULL
);
