//! Call recordings: making them when a recording agent's call ends, and serving them.
//!
//! Decisions:
//! - A call whose agent records and that had a conversation gets a `pending` recording row and a
//!   durable `call.record` job in the transaction of its final transition. The job renders the
//!   transcript with espeak-ng ([`crate::server::audio`]) outside any transaction, then stores the
//!   WAV in the database (every server process of one database can serve it) and points the
//!   call's `recording_path` at it. Without espeak-ng the recording becomes `unavailable` with the
//!   reason, which the call's view carries; a failed render is retried (the job's attempts) and
//!   then becomes `unavailable` too.
//! - Reading a recording: members of the call's project (viewer and up); another tenant's call
//!   and a call without a ready recording are 404. Or anyone with a signed link:
//!   `?expires=<unix seconds>&signature=<hex HMAC-SHA256 over the call id and expires, keyed by the
//!   server secret>`, valid for [`LINK_TTL_SECS`]. An expired or altered link is 403 (the link
//!   names the call, so it reveals nothing a 404 would hide); a valid link to a call without a
//!   recording is 404.

use super::access::{self, Need};
use crate::model::{AppError, ErrorCode, RecordingStatus, RecordingView, TranscriptSegment};
use crate::server::auth::secrets;
use crate::server::auth::Actor;
use crate::server::db::calls::{self as calls_db, CallRow};
use crate::server::db::now_ms;
use crate::server::db::recordings as db;
use crate::server::feed::{self, Change};
use crate::server::jobs::{self, JobContext, JobError, NewJob};
use crate::server::state::AppState;
use serde::Deserialize;
use sqlx::AnyConnection;

pub const RECORD: &str = "call.record";
/// How long a signed recording link works.
pub const LINK_TTL_SECS: i64 = 60 * 60;
const RECORD_ATTEMPTS: i64 = 3;
/// Silence after the last word.
const TAIL_MS: i64 = 500;

pub fn register(r: &mut jobs::Registry) {
    r.register(RECORD, record);
}

/// Where a call's recording is served.
pub fn path(call_id: &str) -> String {
    format!("/api/v1/calls/{call_id}/recording")
}

fn signature(key: &[u8; 32], call_id: &str, expires: i64) -> String {
    hex::encode(secrets::hmac(key, &[b"call-recording", call_id.as_bytes(), expires.to_string().as_bytes()]))
}

/// A link to the recording that works without credentials until `now_ms` plus [`LINK_TTL_SECS`]
/// (rounded up to the next minute, so the views of one minute carry the same link and the
/// browser can cache it).
pub fn signed_url(key: &[u8; 32], call_id: &str, now_ms: i64) -> String {
    let expires = (now_ms / 1000 + LINK_TTL_SECS).div_euclid(60) * 60 + 60;
    format!("{}?expires={expires}&signature={}", path(call_id), signature(key, call_id, expires))
}

/// Checks a signed link; 403 when it expired or does not match.
pub fn verify(key: &[u8; 32], call_id: &str, expires: Option<i64>, sig: Option<&str>, now_ms: i64) -> Result<(), AppError> {
    let refused = |why: &str| AppError::forbidden(format!("This recording link {why}. Open the call again for a fresh link."));
    let (Some(expires), Some(sig)) = (expires, sig) else { return Err(refused("is incomplete")) };
    if !secrets::digests_equal(&signature(key, call_id, expires), &sig.to_ascii_lowercase()) {
        return Err(refused("is not valid"));
    }
    if expires.saturating_mul(1000) <= now_ms {
        return Err(refused("has expired"));
    }
    Ok(())
}

/// A recording's audio: content type and bytes.
pub struct Audio {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

fn none() -> AppError {
    AppError::not_found("Recording")
}

/// The recording of a call the caller may read (viewer and up).
pub async fn audio(c: &mut AnyConnection, actor: &Actor, call_id: &str) -> Result<Audio, AppError> {
    let project_id = calls_db::project_of(&mut *c, call_id).await?.ok_or_else(none)?;
    access::project(&mut *c, actor, &project_id, Need::Read)
        .await
        .map_err(|e| if e.code == ErrorCode::NotFound { none() } else { e })?;
    fetch(c, &project_id, call_id).await
}

/// The recording behind a signed link (already checked with [`verify`]).
pub async fn audio_by_link(c: &mut AnyConnection, call_id: &str) -> Result<Audio, AppError> {
    let project_id = calls_db::project_of(&mut *c, call_id).await?.ok_or_else(none)?;
    fetch(c, &project_id, call_id).await
}

async fn fetch(c: &mut AnyConnection, project_id: &str, call_id: &str) -> Result<Audio, AppError> {
    let (content_type, bytes) = db::audio(c, project_id, call_id).await?.ok_or_else(none)?;
    Ok(Audio { content_type, bytes })
}

/// Whether a call is recorded: the agent records and something was said.
fn wanted(row: &CallRow) -> bool {
    row.recording_enabled && row.answered_at.is_some() && row.transcript.trim() != "[]"
}

/// The recording fields of a call's view, from the row alone (lists): `ready` once there is a
/// recording, `pending` for a recording call that is still going or being rendered.
pub fn status_of(row: &CallRow) -> RecordingStatus {
    if row.recording_path.is_some() {
        RecordingStatus::Ready
    } else if (row.recording_enabled && !row.status.is_final()) || wanted(row) {
        RecordingStatus::Pending
    } else {
        RecordingStatus::None
    }
}

/// The recording fields of a single call's view: its status (with the reason when unavailable)
/// and, when ready, a signed link.
pub async fn describe(c: &mut AnyConnection, key: &[u8; 32], row: &CallRow) -> Result<(RecordingStatus, Option<String>, Option<RecordingView>), AppError> {
    let Some(r) = db::find(c, &row.project_id, &row.id).await? else { return Ok((status_of(row), None, None)) };
    let view = (r.status == RecordingStatus::Ready).then(|| RecordingView {
        url: signed_url(key, &row.id, now_ms()),
        duration_ms: r.duration_ms,
        content_type: r.content_type.clone(),
        size_bytes: r.size_bytes,
    });
    Ok((r.status, r.note.filter(|_| r.status == RecordingStatus::Unavailable), view))
}

/// In the transaction that ends `row`: asks for its recording when there should be one.
pub async fn on_call_ended(c: &mut AnyConnection, row: &CallRow, now: i64) -> Result<(), AppError> {
    if !wanted(row) {
        return Ok(());
    }
    db::insert_pending(&mut *c, &row.project_id, &row.id, now).await?;
    let payload = serde_json::json!({ "project_id": row.project_id, "call_id": row.id });
    jobs::enqueue(c, NewJob::new(RECORD, payload).key(format!("record:{}", row.id)).max_attempts(RECORD_ATTEMPTS)).await?;
    Ok(())
}

#[derive(Deserialize)]
struct RecordPayload {
    project_id: String,
    call_id: String,
}

/// Renders a pending recording and stores it (or why it cannot be made).
async fn record(st: AppState, job: JobContext) -> Result<(), JobError> {
    let p: RecordPayload = job.json()?;
    let found = st
        .read(async |c| {
            let Some(row) = calls_db::find(&mut *c, &p.project_id, &p.call_id).await? else { return Ok(None) };
            let pending = db::find(&mut *c, &p.project_id, &p.call_id).await?.is_some_and(|r| r.status == RecordingStatus::Pending);
            Ok(pending.then_some(row))
        })
        .await?;
    let Some(row) = found else { return Ok(()) };
    if row.provider == super::twilio_calls::PROVIDER {
        // Twilio records the call itself; its recording callback brings the audio.
        return Ok(());
    }
    let transcript: Vec<TranscriptSegment> = serde_json::from_str(&row.transcript).map_err(|e| JobError::permanent(format!("corrupt transcript: {e}")))?;
    // Rendering takes a while: no transaction is open meanwhile.
    // Transcript offsets are in call time (the simulator's clock runs faster than the wall
    // clock the row's duration is measured on): the recording runs to the last word, plus a beat.
    let total_ms = transcript.iter().map(|s| s.end_ms).max().unwrap_or(0) + TAIL_MS;
    let rendered = crate::server::audio::render(&transcript, total_ms).await;
    let wav = match rendered {
        Ok(wav) => Some(wav),
        Err(e @ crate::server::audio::RenderError::Failed(_)) if job.attempt < job.max_attempts => {
            return Err(JobError::new(e.note()));
        }
        Err(e) => {
            if let crate::server::audio::RenderError::Failed(why) = &e {
                tracing::warn!(call_id = %row.id, why = %why, "recording could not be rendered");
            }
            let note = e.note();
            st.write(async |tx| {
                db::fail(&mut *tx, &row.project_id, &row.id, &note, now_ms()).await?;
                changed(&st, &mut *tx, &row, RecordingStatus::Unavailable).await
            })
            .await?;
            None
        }
    };
    if let Some(wav) = wav {
        st.write(async |tx| {
            let path = path(&row.id);
            let audio = db::NewAudio { content_type: crate::server::audio::CONTENT_TYPE, bytes: &wav.bytes, duration_ms: wav.duration_ms, path: &path };
            if db::complete(&mut *tx, &row.project_id, &row.id, &audio, now_ms()).await? {
                changed(&st, &mut *tx, &row, RecordingStatus::Ready).await?;
            }
            Ok(())
        })
        .await?;
    }
    Ok(())
}

/// Tells live viewers that the call's recording changed.
pub(super) async fn changed(st: &AppState, c: &mut AnyConnection, row: &CallRow, status: RecordingStatus) -> Result<(), AppError> {
    let change = Change {
        project_id: row.project_id.clone(),
        kind: "call".into(),
        id: row.id.clone(),
        data: serde_json::json!({ "status": row.status.as_str(), "step": row.step, "recording": status.as_str() }),
    };
    feed::publish(c, st.db.backend(), &change).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_links_expire_and_resist_tampering() {
        let key = [7u8; 32];
        let now = 1_800_000_000_000;
        let url = signed_url(&key, "call_1", now);
        let q = url.split_once('?').unwrap().1;
        let expires: i64 = q.split('&').find_map(|kv| kv.strip_prefix("expires=")).unwrap().parse().unwrap();
        let sig = q.split('&').find_map(|kv| kv.strip_prefix("signature=")).unwrap();
        assert!(expires * 1000 >= now + LINK_TTL_SECS * 1000 && expires * 1000 <= now + (LINK_TTL_SECS + 120) * 1000);
        assert!(verify(&key, "call_1", Some(expires), Some(sig), now).is_ok());
        assert!(verify(&key, "call_1", Some(expires), Some(&sig.to_uppercase()), now).is_ok());
        let refused = |r: Result<(), AppError>| r.unwrap_err().code == ErrorCode::Forbidden;
        assert!(refused(verify(&key, "call_1", Some(expires), Some(sig), expires * 1000)), "expired");
        assert!(refused(verify(&key, "call_2", Some(expires), Some(sig), now)), "another call");
        assert!(refused(verify(&key, "call_1", Some(expires + 3600), Some(sig), now)), "a later expiry");
        assert!(refused(verify(&[8u8; 32], "call_1", Some(expires), Some(sig), now)), "another server key");
        assert!(refused(verify(&key, "call_1", None, Some(sig), now)) && refused(verify(&key, "call_1", Some(expires), None, now)));
    }
}
