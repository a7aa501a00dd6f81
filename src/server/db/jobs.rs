//! Queries on the `jobs` table (the durable queue of `crate::server::jobs`). Every update made
//! on behalf of a worker is guarded by the claim it holds (`state = 'running' AND locked_by =
//! worker AND attempts = n`), so a worker whose lease expired and whose job was claimed again
//! cannot overwrite the new owner's outcome.

use super::{now_ms, typed, typed_all, typed_opt, Backend};
use sqlx::AnyConnection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for `run_at`.
    Pending,
    /// Claimed by a worker until `locked_until`.
    Running,
    /// Finished; pruned after a while.
    Done,
    /// Failed `max_attempts` times (or permanently); kept until retried by hand.
    Dead,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        match s {
            "pending" => Some(JobState::Pending),
            "running" => Some(JobState::Running),
            "done" => Some(JobState::Done),
            "dead" => Some(JobState::Dead),
            _ => None,
        }
    }
}

/// A stored state read back: a state this code does not know is corruption (or a newer schema),
/// refused by name instead of guessed at.
impl TryFrom<String> for JobState {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        JobState::parse(&s).ok_or_else(|| format!("unknown job state {s:?}"))
    }
}

#[derive(Clone, sqlx::FromRow)]
pub struct JobRow {
    pub id: String,
    pub kind: String,
    /// JSON text. May hold sealed secrets (mail); never log it.
    pub payload: String,
    #[sqlx(try_from = "super::Stored<JobState>")]
    pub state: JobState,
    pub dedup_key: Option<String>,
    /// Claims so far, the current one included.
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: i64,
    pub locked_by: Option<String>,
    pub locked_until: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

// The payload stays out of logs: it can carry sealed mail with codes and reset links.
impl std::fmt::Debug for JobRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobRow")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("state", &self.state)
            .field("attempts", &self.attempts)
            .field("run_at", &self.run_at)
            .finish_non_exhaustive()
    }
}

const TABLE: &str = "jobs";

const COLS: &str = "id, kind, payload, state, dedup_key, attempts, max_attempts, run_at, locked_by, \
                    locked_until, last_error, created_at, updated_at, finished_at";

/// Inserts a pending job. When `dedup_key` is already held by a live (pending or running) job,
/// nothing is inserted and that job is returned instead.
pub async fn insert(c: &mut AnyConnection, id: &str, kind: &str, payload: &str, dedup_key: Option<&str>, max_attempts: i64, run_at: i64) -> Result<JobRow, sqlx::Error> {
    let now = now_ms();
    let sql = format!(
        "INSERT INTO jobs (id, kind, payload, state, dedup_key, attempts, max_attempts, run_at, created_at, updated_at) \
         VALUES ($1, $2, $3, 'pending', $4, 0, $5, $6, $7, $7) ON CONFLICT DO NOTHING RETURNING {COLS}"
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .bind(kind)
        .bind(payload)
        .bind(dedup_key)
        .bind(max_attempts)
        .bind(run_at)
        .bind(now)
        .fetch_optional(&mut *c)
        .await?;
    if let Some(row) = row {
        return typed(TABLE, "id", &row);
    }
    // The only unique index besides the fresh primary key is the live key, so the key exists.
    // Newest first: had that job finished in the meantime, its row still answers the caller.
    let sql = format!("SELECT {COLS} FROM jobs WHERE dedup_key = $1 ORDER BY created_at DESC, id DESC LIMIT 1");
    let row = sqlx::query(&sql).bind(dedup_key).fetch_one(&mut *c).await?;
    typed(TABLE, "id", &row)
}

pub async fn find(c: &mut AnyConnection, id: &str) -> Result<Option<JobRow>, sqlx::Error> {
    let sql = format!("SELECT {COLS} FROM jobs WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(c).await?;
    typed_opt(TABLE, "id", row)
}

/// Claims up to `limit` jobs for `worker`: due pending jobs, and running jobs whose lease
/// expired (their worker died). Must run inside a write transaction (on SQLite `BEGIN
/// IMMEDIATE`; on PostgreSQL the rows are locked with `FOR UPDATE SKIP LOCKED`, so concurrent
/// claimers skip each other's rows). A lost job that already used all its attempts is marked
/// dead instead of being run again.
pub async fn claim(c: &mut AnyConnection, backend: Backend, worker: &str, limit: i64, now: i64, locked_until: i64) -> Result<Vec<JobRow>, sqlx::Error> {
    claim_kinds(c, backend, worker, limit, now, locked_until, Kinds::All).await
}

/// Which kinds a claim takes.
#[derive(Debug, Clone, Copy)]
pub enum Kinds<'a> {
    All,
    Only(&'a [&'a str]),
    Except(&'a [&'a str]),
}

/// [`claim`], restricted to some kinds. The kind names are the application's constants,
/// written into the SQL as literals (never user input).
pub async fn claim_kinds(
    c: &mut AnyConnection,
    backend: Backend,
    worker: &str,
    limit: i64,
    now: i64,
    locked_until: i64,
    kinds: Kinds<'_>,
) -> Result<Vec<JobRow>, sqlx::Error> {
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let list = |ks: &[&str]| ks.iter().map(|k| format!("'{}'", k.replace('\'', "''"))).collect::<Vec<_>>().join(", ");
    let filter = match kinds {
        Kinds::All => String::new(),
        Kinds::Only(ks) => format!(" AND kind IN ({})", list(ks)),
        Kinds::Except(ks) => format!(" AND kind NOT IN ({})", list(ks)),
    };
    let sql = format!(
        "SELECT id, state, attempts, max_attempts FROM jobs \
         WHERE ((state = 'pending' AND run_at <= $1) OR (state = 'running' AND locked_until < $1)){filter} \
         ORDER BY run_at, id LIMIT $2{lock}"
    );
    #[derive(sqlx::FromRow)]
    struct Candidate {
        id: String,
        #[sqlx(try_from = "super::Stored<JobState>")]
        state: JobState,
        attempts: i64,
        max_attempts: i64,
    }
    let candidates = sqlx::query(&sql).bind(now).bind(limit).fetch_all(&mut *c).await?;
    let candidates: Vec<Candidate> = typed_all(TABLE, "id", candidates)?;
    let mut claimed = Vec::with_capacity(candidates.len());
    for Candidate { id, state, attempts, max_attempts } in candidates {
        if state == JobState::Running && attempts >= max_attempts {
            sqlx::query(
                "UPDATE jobs SET state = 'dead', locked_by = NULL, locked_until = NULL, finished_at = $1, \
                 updated_at = $1, last_error = $2 WHERE id = $3",
            )
            .bind(now)
            .bind(format!("the worker was lost during attempt {attempts} of {max_attempts} (lease expired)"))
            .bind(&id)
            .execute(&mut *c)
            .await?;
            continue;
        }
        let sql = format!(
            "UPDATE jobs SET state = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1, \
             updated_at = $3 WHERE id = $4 RETURNING {COLS}"
        );
        let row = sqlx::query(&sql).bind(worker).bind(locked_until).bind(now).bind(&id).fetch_one(&mut *c).await?;
        claimed.push(typed(TABLE, "id", &row)?);
    }
    Ok(claimed)
}

const HELD: &str = "state = 'running' AND locked_by = $1 AND attempts = $2 AND id = $3";

/// Extends the lease of a claim; false when the claim was lost.
pub async fn heartbeat(c: &mut AnyConnection, job: &JobRow, worker: &str, locked_until: i64) -> Result<bool, sqlx::Error> {
    let sql = format!("UPDATE jobs SET locked_until = $4, updated_at = $5 WHERE {HELD}");
    let r = sqlx::query(&sql).bind(worker).bind(job.attempts).bind(&job.id).bind(locked_until).bind(now_ms()).execute(c).await?;
    Ok(r.rows_affected() == 1)
}

/// Marks a claimed job done; false (and no change) when the claim was lost.
pub async fn complete(c: &mut AnyConnection, job: &JobRow, worker: &str) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "UPDATE jobs SET state = 'done', locked_by = NULL, locked_until = NULL, finished_at = $4, updated_at = $4 \
         WHERE {HELD}"
    );
    let r = sqlx::query(&sql).bind(worker).bind(job.attempts).bind(&job.id).bind(now_ms()).execute(c).await?;
    Ok(r.rows_affected() == 1)
}

/// Records a failed attempt: back to pending at `retry_at`, or dead when it is `None`. False
/// (and no change) when the claim was lost.
pub async fn fail(c: &mut AnyConnection, job: &JobRow, worker: &str, error: &str, retry_at: Option<i64>) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let r = match retry_at {
        Some(at) => {
            let sql = format!(
                "UPDATE jobs SET state = 'pending', run_at = $4, last_error = $5, locked_by = NULL, \
                 locked_until = NULL, updated_at = $6 WHERE {HELD}"
            );
            sqlx::query(&sql).bind(worker).bind(job.attempts).bind(&job.id).bind(at).bind(error).bind(now).execute(c).await?
        }
        None => {
            let sql = format!(
                "UPDATE jobs SET state = 'dead', last_error = $4, locked_by = NULL, locked_until = NULL, \
                 finished_at = $5, updated_at = $5 WHERE {HELD}"
            );
            sqlx::query(&sql).bind(worker).bind(job.attempts).bind(&job.id).bind(error).bind(now).execute(c).await?
        }
    };
    Ok(r.rows_affected() == 1)
}

/// Gives back every job `worker` still holds (shutdown): pending again, due now, and the
/// interrupted attempt not counted.
pub async fn release_worker(c: &mut AnyConnection, worker: &str) -> Result<u64, sqlx::Error> {
    let now = now_ms();
    let r = sqlx::query(
        "UPDATE jobs SET state = 'pending', attempts = attempts - 1, run_at = $2, locked_by = NULL, \
         locked_until = NULL, updated_at = $2 WHERE state = 'running' AND locked_by = $1",
    )
    .bind(worker)
    .bind(now)
    .execute(c)
    .await?;
    Ok(r.rows_affected())
}

/// Jobs in the given states, soonest first, at most `limit`.
pub async fn list(c: &mut AnyConnection, states: &[JobState], limit: i64) -> Result<Vec<JobRow>, sqlx::Error> {
    // The states are our own constants, never input, so they are safe to inline.
    let set = states.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ");
    if set.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("SELECT {COLS} FROM jobs WHERE state IN ({set}) ORDER BY run_at, id LIMIT $1");
    let rows = sqlx::query(&sql).bind(limit).fetch_all(c).await?;
    typed_all(TABLE, "id", rows)
}

/// Whether another live job holds `key`.
pub async fn live_key_taken(c: &mut AnyConnection, key: &str, except_id: &str) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT id FROM jobs WHERE dedup_key = $1 AND state IN ('pending', 'running') AND id <> $2 LIMIT 1")
        .bind(key)
        .bind(except_id)
        .fetch_optional(c)
        .await?;
    Ok(row.is_some())
}

/// Puts a dead job back to pending, due now, with a fresh set of attempts. False when the job
/// is not dead.
pub async fn revive(c: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let r = sqlx::query(
        "UPDATE jobs SET state = 'pending', attempts = 0, run_at = $2, finished_at = NULL, updated_at = $2 \
         WHERE id = $1 AND state = 'dead'",
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Deletes jobs that finished successfully before `before`. Dead jobs stay for inspection.
pub async fn prune_done(c: &mut AnyConnection, before: i64) -> Result<u64, sqlx::Error> {
    let r = sqlx::query("DELETE FROM jobs WHERE state = 'done' AND finished_at < $1").bind(before).execute(c).await?;
    Ok(r.rows_affected())
}
