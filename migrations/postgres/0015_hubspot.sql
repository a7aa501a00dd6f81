-- HubSpot: the connection itself is an `integrations` row (kind 'hubspot': the private-app
-- token sealed, settings and property mappings in public_config). Here: which HubSpot call
-- (and contact) logs each Talkdeck call, so the analysis updates the same HubSpot call, and
-- the sync log, one row per attempt.
CREATE TABLE hubspot_calls (
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    call_id TEXT NOT NULL,
    hubspot_call_id TEXT NOT NULL,
    contact_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, call_id)
);

-- trigger: ended | analyzed | retry. outcome: succeeded | failed | retrying | skipped.
CREATE TABLE hubspot_sync_log (
    id TEXT PRIMARY KEY NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    call_id TEXT NOT NULL,
    event TEXT NOT NULL,
    attempt BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    message TEXT NOT NULL,
    status_code BIGINT,
    hubspot_call_id TEXT,
    contact_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX hubspot_sync_log_project ON hubspot_sync_log (project_id, created_at, id);
