-- Batch calls, part 2: running them. When a batch started and finished, and since when the
-- circuit breaker counts failures (set when the batch starts and on every resume, so a batch
-- resumed after the breaker paused it is judged on its calls from then on).
ALTER TABLE batches ADD COLUMN started_at BIGINT;
ALTER TABLE batches ADD COLUMN finished_at BIGINT;
ALTER TABLE batches ADD COLUMN breaker_since BIGINT;

-- The circuit breaker reads a batch's latest finished calls; the dispatcher cancels its queued ones.
CREATE INDEX calls_batch_ended ON calls (batch_id, ended_at);
