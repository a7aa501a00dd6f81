-- Who acted: a user, an API key (actor_id is its creator) or the system (jobs, provider
-- callbacks; actor_id is NULL).
ALTER TABLE audit_log ADD COLUMN actor_kind TEXT NOT NULL DEFAULT 'user';
