-- Indexes for the keyset-paginated v1 lists: each list reads (filter columns, sort key, id) in
-- index order, so a page costs its own rows whatever the page. The indexes they replace were
-- prefixes of these.

DROP INDEX IF EXISTS invitations_project;
CREATE INDEX invitations_page ON invitations (project_id, created_at, id);

DROP INDEX IF EXISTS api_keys_user;
CREATE INDEX api_keys_page ON api_keys (user_id, created_at, id);

CREATE INDEX project_members_page ON project_members (project_id, created_at, user_id);

DROP INDEX IF EXISTS agents_project;
CREATE INDEX agents_updated_page ON agents (project_id, updated_at, id);
CREATE INDEX agents_name_page ON agents (project_id, lower(name), id);

DROP INDEX IF EXISTS phone_numbers_project;
CREATE INDEX phone_numbers_page ON phone_numbers (project_id, created_at, id);

DROP INDEX IF EXISTS voices_order;
CREATE INDEX voices_page ON voices (sort_order, lower(name), id);
