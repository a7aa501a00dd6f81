//! Queries on agents and their links to phone numbers. Every query filters by project id, except
//! [`project_of`], which only tells which project an id belongs to so that access can be checked.

use super::{now_ms, typed_all, typed_opt};
use crate::model::{AgentStatus, AnalysisConfig, Direction, MachineDetection, SpeaksFirst};
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgentRow {
    pub id: String,
    pub project_id: String,
    pub name: String,
    pub system_prompt: String,
    pub first_message: String,
    pub voice_id: Option<String>,
    pub language: String,
    pub llm_model: String,
    pub temperature: f64,
    #[sqlx(try_from = "super::Stored<SpeaksFirst>")]
    pub speaks_first: SpeaksFirst,
    #[sqlx(try_from = "super::Stored<MachineDetection>")]
    pub machine_detection: MachineDetection,
    pub max_duration_secs: i64,
    #[sqlx(try_from = "super::Flag")]
    pub recording: bool,
    #[sqlx(try_from = "super::Stored<Direction>")]
    pub direction: Direction,
    #[sqlx(try_from = "super::Stored<AgentStatus>")]
    pub status: AgentStatus,
    /// Stored as the JSON of `model::AnalysisConfig`.
    #[sqlx(try_from = "super::Stored<AnalysisConfig>")]
    pub analysis: AnalysisConfig,
    pub version: i64,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, project_id, name, system_prompt, first_message, voice_id, language, llm_model, temperature, \
     speaks_first, machine_detection, max_duration_secs, recording, direction, status, analysis, version, created_by, created_at, updated_at";

const TABLE: &str = "agents";

fn analysis_json(a: &AgentRow) -> Result<String, sqlx::Error> {
    serde_json::to_string(&a.analysis).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

/// The project an agent id belongs to (live projects only).
pub async fn project_of(c: &mut AnyConnection, id: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT a.project_id FROM agents a JOIN projects p ON p.id = a.project_id WHERE a.id = $1 AND p.is_deleted = 0")
        .bind(id)
        .fetch_optional(c)
        .await?;
    row.map(|r| r.try_get("project_id")).transpose()
}

pub async fn find(c: &mut AnyConnection, project_id: &str, id: &str) -> Result<Option<AgentRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM agents WHERE project_id = $1 AND id = $2");
    let row = sqlx::query(&sql).bind(project_id).bind(id).fetch_optional(c).await?;
    typed_opt(TABLE, "id", row)
}

/// A project's agents; `search` matches names (case-insensitive substring), `by_name` sorts by
/// name, otherwise the most recently updated come first.
pub async fn list(c: &mut AnyConnection, project_id: &str, search: Option<&str>, by_name: bool) -> Result<Vec<AgentRow>, sqlx::Error> {
    let order = if by_name { "lower(name), id" } else { "updated_at DESC, id DESC" };
    let pattern = search.map(|s| format!("%{}%", like_escape(&s.to_lowercase())));
    let rows = match &pattern {
        Some(p) => {
            let sql = format!("SELECT {COLUMNS} FROM agents WHERE project_id = $1 AND lower(name) LIKE $2 ESCAPE '\\' ORDER BY {order}");
            sqlx::query(&sql).bind(project_id).bind(p).fetch_all(c).await?
        }
        None => {
            let sql = format!("SELECT {COLUMNS} FROM agents WHERE project_id = $1 ORDER BY {order}");
            sqlx::query(&sql).bind(project_id).fetch_all(c).await?
        }
    };
    typed_all(TABLE, "id", rows)
}

/// Escapes LIKE wildcards so a search for `50%` finds the text `50%`.
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

pub async fn insert(c: &mut AnyConnection, a: &AgentRow) -> Result<(), sqlx::Error> {
    let sql = format!("INSERT INTO agents ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)");
    sqlx::query(&sql)
        .bind(&a.id)
        .bind(&a.project_id)
        .bind(&a.name)
        .bind(&a.system_prompt)
        .bind(&a.first_message)
        .bind(&a.voice_id)
        .bind(&a.language)
        .bind(&a.llm_model)
        .bind(a.temperature)
        .bind(a.speaks_first.as_str())
        .bind(a.machine_detection.as_str())
        .bind(a.max_duration_secs)
        .bind(a.recording as i64)
        .bind(a.direction.as_str())
        .bind(a.status.as_str())
        .bind(analysis_json(a)?)
        .bind(a.version)
        .bind(&a.created_by)
        .bind(a.created_at)
        .bind(a.updated_at)
        .execute(c)
        .await?;
    Ok(())
}

/// Writes every setting and the new version, only if the stored version is still `expected`
/// (optimistic locking enforced by the write itself: under concurrency exactly one writer of a
/// version wins). False when another save got there first.
pub async fn update(c: &mut AnyConnection, a: &AgentRow, expected: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE agents SET name = $1, system_prompt = $2, first_message = $3, voice_id = $4, language = $5, llm_model = $6, \
         temperature = $7, speaks_first = $8, max_duration_secs = $9, recording = $10, direction = $11, status = $12, \
         analysis = $13, version = $14, updated_at = $15, machine_detection = $16 WHERE project_id = $17 AND id = $18 AND version = $19",
    )
    .bind(&a.name)
    .bind(&a.system_prompt)
    .bind(&a.first_message)
    .bind(&a.voice_id)
    .bind(&a.language)
    .bind(&a.llm_model)
    .bind(a.temperature)
    .bind(a.speaks_first.as_str())
    .bind(a.max_duration_secs)
    .bind(a.recording as i64)
    .bind(a.direction.as_str())
    .bind(a.status.as_str())
    .bind(analysis_json(a)?)
    .bind(a.version)
    .bind(a.updated_at)
    .bind(a.machine_detection.as_str())
    .bind(&a.project_id)
    .bind(&a.id)
    .bind(expected)
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Marks a change that is not a settings column (its numbers): bumps version and `updated_at`,
/// and returns the agent's direction as of that write. Being an UPDATE, it also holds the agent's
/// row lock until the transaction ends, so a concurrent direction switch waits for the caller's
/// link changes instead of missing them.
pub async fn touch(c: &mut AnyConnection, project_id: &str, id: &str) -> Result<Option<Direction>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Touched {
        #[sqlx(try_from = "super::Stored<Direction>")]
        direction: Direction,
    }
    let row = sqlx::query("UPDATE agents SET version = version + 1, updated_at = $1 WHERE project_id = $2 AND id = $3 RETURNING id, direction")
        .bind(now_ms())
        .bind(project_id)
        .bind(id)
        .fetch_optional(c)
        .await?;
    Ok(typed_opt::<Touched>(TABLE, "id", row)?.map(|t| t.direction))
}

/// Deletes an agent; its number links go with it (ON DELETE CASCADE), and it stops being active.
pub async fn delete(c: &mut AnyConnection, project_id: &str, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM agent_numbers WHERE project_id = $1 AND agent_id = $2")
        .bind(project_id)
        .bind(id)
        .execute(&mut *c)
        .await?;
    sqlx::query("UPDATE projects SET active_agent_id = NULL WHERE id = $1 AND active_agent_id = $2")
        .bind(project_id)
        .bind(id)
        .execute(&mut *c)
        .await?;
    sqlx::query("DELETE FROM agents WHERE project_id = $1 AND id = $2").bind(project_id).bind(id).execute(c).await?;
    Ok(())
}

pub async fn count(c: &mut AnyConnection, project_id: &str) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM agents WHERE project_id = $1").bind(project_id).fetch_one(c).await?;
    row.try_get("n")
}

/// Removes every agent and number link of a project (project deletion with cascade).
/// Takes the agent's row lock until the transaction ends (a batch starting, against a delete);
/// `false` when the agent is gone.
pub async fn lock(c: &mut AnyConnection, project_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("UPDATE agents SET version = version WHERE project_id = $1 AND id = $2").bind(project_id).bind(id).execute(c).await?;
    Ok(r.rows_affected() == 1)
}

pub async fn delete_all(c: &mut AnyConnection, project_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM agent_numbers WHERE project_id = $1").bind(project_id).execute(&mut *c).await?;
    sqlx::query("UPDATE projects SET active_agent_id = NULL WHERE id = $1").bind(project_id).execute(&mut *c).await?;
    sqlx::query("DELETE FROM agents WHERE project_id = $1").bind(project_id).execute(c).await?;
    Ok(())
}

// ---- agent <-> number links --------------------------------------------------------------------

/// One link, with the agent's name and direction.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkRow {
    pub agent_id: String,
    pub agent_name: String,
    /// The agent's (read from the `agents` row named by `agent_id`).
    #[sqlx(try_from = "super::Stored<Direction>")]
    pub direction: Direction,
    pub phone_number_id: String,
}

/// Every link of a project, in the order they were made.
pub async fn links(c: &mut AnyConnection, project_id: &str) -> Result<Vec<LinkRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT l.agent_id, a.name AS agent_name, a.direction, l.phone_number_id FROM agent_numbers l \
         JOIN agents a ON a.id = l.agent_id AND a.project_id = l.project_id \
         WHERE l.project_id = $1 ORDER BY l.created_at, l.agent_id, l.phone_number_id",
    )
    .bind(project_id)
    .fetch_all(c)
    .await?;
    typed_all(TABLE, "agent_id", rows)
}

/// Links a number to an agent. `inbound` mirrors the agent's direction: a partial unique index
/// on `(phone_number_id) WHERE inbound = 1` makes the database refuse a second inbound agent for
/// one number, whatever races the service's pre-check loses.
pub async fn link(c: &mut AnyConnection, project_id: &str, agent_id: &str, number_id: &str, inbound: bool) -> Result<(), sqlx::Error> {
    link_at(c, project_id, agent_id, number_id, inbound, now_ms()).await
}

/// [`link`] with an explicit creation time: links are listed in creation order, so a caller
/// adding several at once spaces them by a millisecond to keep the order it was given.
pub async fn link_at(c: &mut AnyConnection, project_id: &str, agent_id: &str, number_id: &str, inbound: bool, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO agent_numbers (project_id, agent_id, phone_number_id, inbound, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (agent_id, phone_number_id) DO NOTHING",
    )
    .bind(project_id)
    .bind(agent_id)
    .bind(number_id)
    .bind(inbound as i64)
    .bind(at)
    .execute(c)
    .await?;
    Ok(())
}

/// Keeps the links' `inbound` flag in step with the agent's direction (see [`link`]).
pub async fn set_links_inbound(c: &mut AnyConnection, project_id: &str, agent_id: &str, inbound: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE agent_numbers SET inbound = $1 WHERE project_id = $2 AND agent_id = $3 AND inbound <> $1")
        .bind(inbound as i64)
        .bind(project_id)
        .bind(agent_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Removes a link; true when there was one.
pub async fn unlink(c: &mut AnyConnection, project_id: &str, agent_id: &str, number_id: &str) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("DELETE FROM agent_numbers WHERE project_id = $1 AND agent_id = $2 AND phone_number_id = $3")
        .bind(project_id)
        .bind(agent_id)
        .bind(number_id)
        .execute(c)
        .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn unlink_all_of_agent(c: &mut AnyConnection, project_id: &str, agent_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM agent_numbers WHERE project_id = $1 AND agent_id = $2")
        .bind(project_id)
        .bind(agent_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Where an agent page starts: after the last row of the previous page, in the list's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentAfter {
    /// Sorted by (lower(name), id): the previous row's name and id.
    Name(String, String),
    /// Sorted by (updated_at DESC, id DESC): the previous row's updated_at and id.
    Updated(i64, String),
}

/// One keyset page of a project's agents; `by_name` as in [`list`]; `after` must match the order.
pub async fn page(
    c: &mut AnyConnection,
    project_id: &str,
    search: Option<&str>,
    by_name: bool,
    after: Option<AgentAfter>,
    limit: i64,
) -> Result<Vec<AgentRow>, sqlx::Error> {
    let mut b = super::page::Binds::default();
    let mut sql = format!("SELECT {COLUMNS} FROM agents WHERE project_id = {}", b.text(project_id));
    if let Some(s) = search {
        let p = b.text(format!("%{}%", super::page::like_escape(&s.to_lowercase())));
        sql.push_str(&format!(" AND lower(name) LIKE {p} ESCAPE '\\'"));
    }
    match after {
        Some(AgentAfter::Name(name, id)) => {
            let (n, i) = (b.text(name), b.text(id));
            sql.push_str(&format!(" AND (lower(name) > lower({n}) OR (lower(name) = lower({n}) AND id > {i}))"));
        }
        Some(AgentAfter::Updated(t, id)) => {
            let (t, i) = (b.int(t), b.text(id));
            sql.push_str(&format!(" AND (updated_at < {t} OR (updated_at = {t} AND id < {i}))"));
        }
        None => {}
    }
    let order = if by_name { "lower(name), id" } else { "updated_at DESC, id DESC" };
    sql.push_str(&format!(" ORDER BY {order} LIMIT {}", b.int(limit)));
    let rows = b.fetch_all(c, &sql).await?;
    typed_all(TABLE, "id", rows)
}
