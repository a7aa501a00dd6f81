//! Queries on call recordings (`call_recordings`) and on the conversations a model wrote for
//! simulated calls (`call_conversations`). Every query filters by project id.

use super::{typed_opt, Stored};
use crate::model::RecordingStatus;
use sqlx::{AnyConnection, Row};

const TABLE: &str = "call_recordings";

/// A recording's state, without its audio.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecordingRow {
    pub call_id: String,
    #[sqlx(try_from = "Stored<RecordingStatus>")]
    pub status: RecordingStatus,
    pub note: Option<String>,
    pub content_type: String,
    pub size_bytes: i64,
    pub duration_ms: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "call_id, status, note, content_type, size_bytes, duration_ms, updated_at";

/// Marks a call's recording as to be made (a second call is a no-op: the job is enqueued once).
pub async fn insert_pending(c: &mut AnyConnection, project_id: &str, call_id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO call_recordings (call_id, project_id, status, created_at, updated_at) VALUES ($1, $2, 'pending', $3, $3) \
         ON CONFLICT (call_id) DO NOTHING",
    )
    .bind(call_id)
    .bind(project_id)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn find(c: &mut AnyConnection, project_id: &str, call_id: &str) -> Result<Option<RecordingRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM call_recordings WHERE project_id = $1 AND call_id = $2");
    let row = sqlx::query(&sql).bind(project_id).bind(call_id).fetch_optional(c).await?;
    typed_opt(TABLE, "call_id", row)
}

/// The audio of a ready recording.
pub async fn audio(c: &mut AnyConnection, project_id: &str, call_id: &str) -> Result<Option<(String, Vec<u8>)>, sqlx::Error> {
    let row = sqlx::query("SELECT content_type, audio FROM call_recordings WHERE project_id = $1 AND call_id = $2 AND status = 'ready' AND audio IS NOT NULL")
        .bind(project_id)
        .bind(call_id)
        .fetch_optional(c)
        .await?;
    row.map(|r| Ok((r.try_get("content_type")?, r.try_get("audio")?))).transpose()
}

/// A rendered recording to store, and the path the call points at.
#[derive(Debug, Clone, Copy)]
pub struct NewAudio<'a> {
    pub content_type: &'a str,
    pub bytes: &'a [u8],
    pub duration_ms: i64,
    pub path: &'a str,
}

/// Stores the audio of a pending recording and points the call at it; `false` when the
/// recording is no longer pending (another run of the job finished it).
pub async fn complete(c: &mut AnyConnection, project_id: &str, call_id: &str, a: &NewAudio<'_>, now: i64) -> Result<bool, sqlx::Error> {
    let NewAudio { content_type, bytes: audio, duration_ms, path } = *a;
    let res = sqlx::query(
        "UPDATE call_recordings SET status = 'ready', note = NULL, content_type = $1, audio = $2, size_bytes = $3, duration_ms = $4, updated_at = $5 \
         WHERE project_id = $6 AND call_id = $7 AND status = 'pending'",
    )
    .bind(content_type)
    .bind(audio.to_vec())
    .bind(audio.len() as i64)
    .bind(duration_ms)
    .bind(now)
    .bind(project_id)
    .bind(call_id)
    .execute(&mut *c)
    .await?;
    if res.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("UPDATE calls SET recording_path = $1 WHERE project_id = $2 AND id = $3")
        .bind(path)
        .bind(project_id)
        .bind(call_id)
        .execute(c)
        .await?;
    Ok(true)
}

/// Records why a pending recording could not be made.
pub async fn fail(c: &mut AnyConnection, project_id: &str, call_id: &str, note: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE call_recordings SET status = 'unavailable', note = $1, updated_at = $2 WHERE project_id = $3 AND call_id = $4 AND status = 'pending'")
        .bind(note)
        .bind(now)
        .bind(project_id)
        .bind(call_id)
        .execute(c)
        .await?;
    Ok(())
}

// ---- model-written conversations ---------------------------------------------------------------------

/// The stored lines of a simulated call's conversation (JSON), with the model that wrote them.
pub async fn conversation(c: &mut AnyConnection, project_id: &str, call_id: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT lines FROM call_conversations WHERE project_id = $1 AND call_id = $2")
        .bind(project_id)
        .bind(call_id)
        .fetch_optional(c)
        .await?;
    row.map(|r| r.try_get("lines")).transpose()
}

/// Stores a conversation unless one is already stored (a concurrent run of the same step wrote
/// it first): the first one wins, so every step replays the same lines. Returns the stored lines.
pub async fn save_conversation(c: &mut AnyConnection, project_id: &str, call_id: &str, model: &str, lines: &str, now: i64) -> Result<String, sqlx::Error> {
    sqlx::query("INSERT INTO call_conversations (call_id, project_id, model, lines, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (call_id) DO NOTHING")
        .bind(call_id)
        .bind(project_id)
        .bind(model)
        .bind(lines)
        .bind(now)
        .execute(&mut *c)
        .await?;
    Ok(conversation(c, project_id, call_id).await?.unwrap_or_else(|| lines.to_string()))
}
