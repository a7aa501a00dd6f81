-- Rules that must hold under concurrency are enforced by the database itself.

-- One inbound agent per number: each link mirrors its agent's direction, and a partial unique
-- index refuses a second inbound link to the same number.
ALTER TABLE agent_numbers ADD COLUMN inbound BIGINT NOT NULL DEFAULT 0;
UPDATE agent_numbers SET inbound = 1
    WHERE agent_id IN (SELECT id FROM agents WHERE direction = 'inbound');
CREATE UNIQUE INDEX agent_numbers_one_inbound ON agent_numbers (phone_number_id) WHERE inbound = 1;

-- Throttling counters shared by every server process of one database: one GCRA bucket per key
-- (action, account or client), holding its theoretical arrival time in Unix ms.
CREATE TABLE throttle_buckets (
    bucket TEXT PRIMARY KEY NOT NULL,
    tat BIGINT NOT NULL
);
CREATE INDEX throttle_buckets_tat ON throttle_buckets (tat);

-- The change feed's SQLite transport (PostgreSQL uses NOTIFY; the table exists on both so the
-- schemas stay alike): rows are written in the publishing transaction and read by a poller.
CREATE TABLE change_feed (
    seq BIGSERIAL PRIMARY KEY,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX change_feed_created ON change_feed (created_at);
