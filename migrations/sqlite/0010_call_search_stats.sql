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

-- SQLite only (tests/migrations.rs names these exceptions): an FTS5 index over each call's
-- transcript text and number tokens. Contentless (the text lives in `calls`); its rowid is the
-- call's `search_key` = created_at * 2^20 + a tie-breaker, so walking the index by rowid walks the
-- matches newest first and a page stops after its first rows instead of collecting every match.
ALTER TABLE calls ADD COLUMN search_key BIGINT;
CREATE UNIQUE INDEX calls_search_key ON calls (search_key);
CREATE VIRTUAL TABLE calls_fts USING fts5(doc, content = '', contentless_delete = 1, tokenize = 'porter unicode61 remove_diacritics 2');

-- Calls placed before this migration: indexed by their numbers and transcript text (the number
-- suffix tokens that make partial-number search work are written by new calls only).
UPDATE calls SET search_key = created_at * 1048576 + (rowid % 1048576);
INSERT INTO calls_fts (rowid, doc)
SELECT c.search_key,
       replace(c.from_number, '+', '') || ' ' || replace(c.to_number, '+', '') || ' ' ||
       COALESCE((SELECT group_concat(json_extract(s.value, '$.text'), ' ') FROM json_each(c.transcript) s), '')
FROM calls c;
