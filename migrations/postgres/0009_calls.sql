-- Calls: one row per call with the snapshot of the agent it ran with (version, rendered prompt
-- and first message), its lifecycle timestamps, outcome and transcript; every status change as a
-- call event; analyses as numbered versions; idempotency keys of placement requests (24 hours).

ALTER TABLE projects ADD COLUMN max_concurrent_calls BIGINT NOT NULL DEFAULT 10;

CREATE TABLE calls (
    id TEXT PRIMARY KEY NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    -- The agent may be deleted later; the call keeps its name and version.
    agent_id TEXT,
    agent_name TEXT NOT NULL,
    agent_version BIGINT NOT NULL,
    direction TEXT NOT NULL,
    from_number TEXT NOT NULL,
    to_number TEXT NOT NULL,
    status TEXT NOT NULL,
    end_reason TEXT,
    answered_by TEXT,
    provider TEXT NOT NULL,
    provider_call_id TEXT,
    is_test BIGINT NOT NULL DEFAULT 0,
    prompt TEXT NOT NULL,
    first_message TEXT NOT NULL,
    speaks_first TEXT NOT NULL,
    max_duration_secs BIGINT NOT NULL,
    recording_enabled BIGINT NOT NULL DEFAULT 0,
    recording_path TEXT,
    variables TEXT NOT NULL,
    metadata TEXT NOT NULL,
    transcript TEXT NOT NULL,
    -- How many steps of its script the runner has played (guards against a step running twice).
    step BIGINT NOT NULL DEFAULT 0,
    cost_micros BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT 'USD',
    scheduled_at BIGINT,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    answered_at BIGINT,
    ended_at BIGINT,
    duration_ms BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX calls_project_created ON calls (project_id, created_at, id);
CREATE INDEX calls_project_status ON calls (project_id, status, created_at);

CREATE TABLE call_events (
    id TEXT PRIMARY KEY NOT NULL,
    call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX call_events_call ON call_events (call_id, created_at, id);

CREATE TABLE call_analyses (
    id TEXT PRIMARY KEY NOT NULL,
    call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    source TEXT NOT NULL,
    result TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX call_analyses_version ON call_analyses (call_id, version);

CREATE TABLE call_idempotency (
    project_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    call_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, idem_key)
);
CREATE INDEX call_idempotency_created ON call_idempotency (created_at);
