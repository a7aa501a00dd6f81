-- Batch calls (campaigns), part 1: the uploaded list and its validation, and the project's
-- do-not-call list. Starting, pacing and retrying come later and use the columns kept here.
--
-- A batch belongs to one project and one agent (no foreign key to the agent: like a call, a
-- finished batch keeps its history after the agent is deleted; deleting an agent with a
-- scheduled or running batch is refused by the service). JSON columns are TEXT:
--   caller_numbers  array of phone number ids, rotated
--   calling_window  {"tz", "days", "ranges"}; NULL = any time (not "window": a reserved word)
--   retry           {"on": [busy|no-answer|voicemail...], "max_retries", "cooldown_seconds"}
CREATE TABLE batches (
    id TEXT PRIMARY KEY NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    agent_id TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    file_name TEXT NOT NULL,
    caller_numbers TEXT NOT NULL,
    concurrency BIGINT NOT NULL,
    calling_window TEXT,
    retry TEXT NOT NULL,
    start_at BIGINT,
    paused_reason TEXT,
    total_rows BIGINT NOT NULL,
    valid_rows BIGINT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX batches_project_created ON batches (project_id, created_at, id);

-- One row per non-blank line of the file. number is E.164 for valid rows and as typed for
-- invalid ones; problems is a JSON array of {code, message}; variables a JSON object.
CREATE TABLE batch_rows (
    id TEXT PRIMARY KEY NOT NULL,
    batch_id TEXT NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    row_no BIGINT NOT NULL,
    number TEXT NOT NULL,
    variables TEXT NOT NULL,
    state TEXT NOT NULL,
    problems TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    last_call_id TEXT,
    outcome TEXT,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX batch_rows_row_no ON batch_rows (batch_id, row_no);
-- The dispatcher's query: a batch's waiting rows that are due.
CREATE INDEX batch_rows_dispatch ON batch_rows (batch_id, state, next_attempt_at);
-- The rows list filtered by state, in file order.
CREATE INDEX batch_rows_state_row ON batch_rows (batch_id, state, row_no);

-- A batch call names its row and attempt; the unique index means that whatever crashes and
-- retries, one attempt of one row can place one call only. Other calls leave them NULL (NULLs
-- are distinct in a unique index on both databases).
ALTER TABLE calls ADD COLUMN batch_id TEXT;
ALTER TABLE calls ADD COLUMN batch_row_id TEXT;
ALTER TABLE calls ADD COLUMN batch_attempt BIGINT;
CREATE UNIQUE INDEX calls_batch_attempt ON calls (batch_row_id, batch_attempt);

-- The project's do-not-call list (E.164), honoured at upload and again before each dial.
CREATE TABLE do_not_call (
    id TEXT PRIMARY KEY NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    number TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX do_not_call_number ON do_not_call (project_id, number);
CREATE INDEX do_not_call_created ON do_not_call (project_id, created_at, id);
