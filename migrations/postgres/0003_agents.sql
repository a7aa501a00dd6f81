-- Voices (a shipped catalog plus voices fetched from ElevenLabs), agents, phone numbers, the
-- agent <-> number links and per-project integration credentials (secrets encrypted).
CREATE TABLE voices (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    provider TEXT NOT NULL,
    language TEXT NOT NULL,
    accent TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    age TEXT NOT NULL DEFAULT '',
    gender TEXT NOT NULL DEFAULT '',
    use_case TEXT NOT NULL DEFAULT '',
    preview_url TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT 'catalog',
    sort_order BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX voices_order ON voices (sort_order, name);

CREATE TABLE agents (
    id TEXT PRIMARY KEY NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    system_prompt TEXT NOT NULL DEFAULT '',
    first_message TEXT NOT NULL DEFAULT '',
    voice_id TEXT,
    language TEXT NOT NULL,
    llm_model TEXT NOT NULL,
    temperature DOUBLE PRECISION NOT NULL,
    speaks_first TEXT NOT NULL,
    max_duration_secs BIGINT NOT NULL,
    recording BIGINT NOT NULL DEFAULT 1,
    direction TEXT NOT NULL,
    status TEXT NOT NULL,
    analysis TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX agents_project ON agents (project_id, updated_at);

CREATE TABLE phone_numbers (
    id TEXT PRIMARY KEY NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    e164 TEXT NOT NULL,
    country_code TEXT,
    national_format TEXT NOT NULL,
    international_format TEXT NOT NULL,
    provider TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    label TEXT NOT NULL DEFAULT '',
    twilio_sid TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- A number lives in one project at most, across all projects.
CREATE UNIQUE INDEX phone_numbers_e164 ON phone_numbers (e164);
CREATE INDEX phone_numbers_project ON phone_numbers (project_id, created_at);

CREATE TABLE agent_numbers (
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    phone_number_id TEXT NOT NULL REFERENCES phone_numbers(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (agent_id, phone_number_id)
);
CREATE INDEX agent_numbers_number ON agent_numbers (phone_number_id);
CREATE INDEX agent_numbers_project ON agent_numbers (project_id);

CREATE TABLE integrations (
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    public_config TEXT NOT NULL DEFAULT '{}',
    secret_sealed TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, kind)
);
