-- Call recordings and model-written simulated conversations.
--
-- A recording is stored in the database (several server processes share one database, so a file
-- on one machine's disk would not do): one row per recorded call, created `pending` in the
-- transaction that ends the call and completed by the `call.record` job (`ready` with the
-- audio, or `unavailable` with the reason).
CREATE TABLE call_recordings (
    call_id TEXT PRIMARY KEY NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT,
    content_type TEXT NOT NULL DEFAULT 'audio/wav',
    audio BLOB,
    size_bytes BIGINT NOT NULL DEFAULT 0,
    duration_ms BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The lines an OpenAI-compatible model wrote for a simulated call (JSON array, in the order the
-- script engine asked for them), so every step of the call replays the same conversation.
CREATE TABLE call_conversations (
    call_id TEXT PRIMARY KEY NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    model TEXT NOT NULL,
    lines TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
