//! The `mail.send` job: every mail Talkdeck sends (verification codes, reset links,
//! invitations) is enqueued in the transaction that creates the code, token or invitation it
//! carries, and delivered by a worker, retried while SMTP fails.
//!
//! The mail holds live secrets (codes, reset and invitation tokens), so the payload is sealed
//! (XChaCha20-Poly1305 under a key derived from `SECRET_KEY`, see
//! [`crate::server::auth::sealed`]); the database only ever holds `{"sealed": "v1...."}`.

use super::{JobContext, JobError, NewJob};
use crate::model::AppError;
use crate::server::auth::sealed;
use crate::server::error::OrInternal;
use crate::server::mail::OutgoingMail;
use crate::server::state::AppState;
use serde::Deserialize;
use sqlx::AnyConnection;

pub const KIND: &str = "mail.send";
/// Associated data of the seal: a sealed mail opens only as a mail job's payload.
const SEAL_CONTEXT: &str = "job:mail.send";
/// With the default backoff (5 s doubling) the last try comes about 10 minutes after the first,
/// the lifetime of a verification code.
const MAX_ATTEMPTS: i64 = 8;

#[derive(Deserialize)]
struct Payload {
    sealed: String,
}

/// Enqueues `mail` on `c` (the caller's transaction). Call `st.jobs.wake()` after committing.
pub async fn enqueue(c: &mut AnyConnection, st: &AppState, mail: &OutgoingMail) -> Result<(), AppError> {
    let plain = serde_json::to_string(mail).or_internal("encoding a mail")?;
    let sealed = sealed::seal(&st.config.secret_key, SEAL_CONTEXT, &plain)?;
    super::enqueue(c, NewJob::new(KIND, serde_json::json!({ "sealed": sealed })).max_attempts(MAX_ATTEMPTS)).await?;
    Ok(())
}

pub async fn handle(st: AppState, job: JobContext) -> Result<(), JobError> {
    let p: Payload = job.json()?;
    // `open` logs the failure (without the value); the usual cause is a changed SECRET_KEY,
    // which no retry fixes.
    let plain =
        sealed::open(&st.config.secret_key, SEAL_CONTEXT, &p.sealed).map_err(|_| JobError::permanent("the mail cannot be decrypted (was SECRET_KEY changed?)"))?;
    let mail: OutgoingMail = serde_json::from_str(&plain).map_err(|_| JobError::permanent("the sealed mail does not decode"))?;
    st.mailer.send(mail).await.map_err(|e| JobError::new(format!("mail not sent: {e}")))
}
