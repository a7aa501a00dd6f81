-- Durable background jobs (src/server/jobs): enqueued in the transaction of the change that
-- causes them, claimed with a lease, retried with backoff, kept as `dead` for inspection.
-- state: pending | running | done | dead. Payloads are JSON text (mail payloads are sealed).
CREATE TABLE jobs (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    dedup_key TEXT,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    run_at BIGINT NOT NULL,
    locked_by TEXT,
    locked_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT
);
-- A key is unique among live jobs only: once done or dead it may be enqueued again.
CREATE UNIQUE INDEX jobs_live_key ON jobs (dedup_key) WHERE dedup_key IS NOT NULL AND state IN ('pending', 'running');
-- Claiming: due pending jobs by run_at, running jobs by lease expiry.
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_lease ON jobs (state, locked_until);
-- Pruning finished jobs.
CREATE INDEX jobs_finished ON jobs (state, finished_at);
