-- Outgoing webhooks (Standard Webhooks): a project's endpoints, the events it emitted, one
-- delivery per (event, endpoint) and every attempt of each delivery.
--
-- webhook_endpoints
--   events            JSON array of event types; [] = every event
--   secret_sealed     the whsec_ secret, sealed under SECRET_KEY (shown to admins, so not hashed)
--   previous_*        the secret before the last rotation; it also signs until previous_expires_at
--   is_status         1 for the endpoint that mirrors the project's call_status_webhook (at most
--                     one per project, kept in step with that column by the projects service)
--   failing_since     first failed attempt of the current run of failures; NULL when healthy
--   last_failure_at   the latest failed attempt: a failure long after it starts a new run
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    events TEXT NOT NULL DEFAULT '[]',
    secret_sealed TEXT NOT NULL,
    previous_secret_sealed TEXT,
    previous_expires_at BIGINT,
    enabled BIGINT NOT NULL DEFAULT 1,
    disabled_reason TEXT,
    failing_since BIGINT,
    last_failure_at BIGINT,
    is_status BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX webhook_endpoints_project ON webhook_endpoints (project_id, created_at, id);
CREATE UNIQUE INDEX webhook_endpoints_status ON webhook_endpoints (project_id) WHERE is_status = 1;

-- One row per event, written in the transaction of the change it reports. body is the exact
-- JSON sent ({id, type, timestamp, data}); subject is the call or batch it is about, which
-- orders deliveries (one endpoint receives a call's events in the order they happened).
CREATE TABLE webhook_events (
    id TEXT PRIMARY KEY NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX webhook_events_project ON webhook_events (project_id, created_at, id);

-- state: pending (waiting for its turn or its next attempt), succeeded, failed (attempts used
-- up, endpoint disabled, or refused). seq orders a subject's deliveries to one endpoint.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    project_id TEXT NOT NULL,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    seq BIGINT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    last_status BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries (endpoint_id, event_id);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (endpoint_id, created_at, id);
CREATE INDEX webhook_deliveries_lane ON webhook_deliveries (endpoint_id, subject, seq);
CREATE INDEX webhook_deliveries_state ON webhook_deliveries (endpoint_id, state, created_at);

CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    attempt BIGINT NOT NULL,
    attempted_at BIGINT NOT NULL,
    status_code BIGINT,
    response_excerpt TEXT NOT NULL DEFAULT '',
    duration_ms BIGINT NOT NULL,
    error TEXT
);
CREATE UNIQUE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt);
