-- Call history at scale: the latest analysis's sentiment and success copied onto the call (list
-- filters without joining analyses), per-day counters for the Overview (kept by the service in the
-- transaction that ends a call or stores an analysis), and the text search index.

ALTER TABLE calls ADD COLUMN sentiment TEXT;
ALTER TABLE calls ADD COLUMN success BIGINT;
CREATE INDEX calls_project_sentiment ON calls (project_id, sentiment, created_at, id);
CREATE INDEX calls_project_success ON calls (project_id, success, created_at, id);

-- One row per project and UTC day of the call's creation; only finished calls are counted.
CREATE TABLE call_daily (
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    completed BIGINT NOT NULL DEFAULT 0,
    voicemail BIGINT NOT NULL DEFAULT 0,
    busy BIGINT NOT NULL DEFAULT 0,
    no_answer BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    canceled BIGINT NOT NULL DEFAULT 0,
    answered BIGINT NOT NULL DEFAULT 0,
    answered_duration_ms BIGINT NOT NULL DEFAULT 0,
    success_yes BIGINT NOT NULL DEFAULT 0,
    success_no BIGINT NOT NULL DEFAULT 0,
    sentiment_positive BIGINT NOT NULL DEFAULT 0,
    sentiment_neutral BIGINT NOT NULL DEFAULT 0,
    sentiment_negative BIGINT NOT NULL DEFAULT 0,
    sentiment_unknown BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, day)
);

-- PostgreSQL only (tests/migrations.rs names these exceptions): the call's search document
-- (transcript text and number tokens, written by db::calls) and its GIN index.
ALTER TABLE calls ADD COLUMN search_doc tsvector;
CREATE INDEX calls_search ON calls USING GIN (search_doc);

-- Calls placed before this migration: indexed by their numbers and transcript text (the number
-- suffix tokens that make partial-number search work are written by new calls only).
UPDATE calls SET search_doc = to_tsvector('english',
    replace(from_number, '+', '') || ' ' || replace(to_number, '+', '') || ' ' ||
    COALESCE((SELECT string_agg(s.value ->> 'text', ' ') FROM jsonb_array_elements(transcript::jsonb) s), ''));
