//! Operating the job queue (the `talkdeck jobs` command): listing what is waiting, running or
//! dead, and putting a dead job back in line. Operator-only: there is no principal, the caller
//! is whoever can run the binary against the database.

use crate::model::{AppError, ErrorCode};
use crate::server::db::jobs::{self as store, JobRow, JobState};
use crate::server::db::Tx;
use sqlx::AnyConnection;

/// Jobs that are pending, running or dead (and done too with `include_done`), soonest first.
pub async fn list(c: &mut AnyConnection, include_done: bool, limit: i64) -> Result<Vec<JobRow>, AppError> {
    let mut states = vec![JobState::Pending, JobState::Running, JobState::Dead];
    if include_done {
        states.push(JobState::Done);
    }
    Ok(store::list(c, &states, limit.clamp(1, 10_000)).await?)
}

/// Puts a dead job back to pending, due now, with its attempts reset.
pub async fn retry(tx: &mut Tx, id: &str) -> Result<JobRow, AppError> {
    let job = store::find(&mut *tx, id.trim()).await?.ok_or_else(|| AppError::not_found("Job"))?;
    if job.state != JobState::Dead {
        return Err(AppError::new(ErrorCode::Conflict, format!("Job {} is {}, not dead: only dead jobs can be retried.", job.id, job.state.as_str())));
    }
    if let Some(key) = &job.dedup_key {
        if store::live_key_taken(&mut *tx, key, &job.id).await? {
            return Err(AppError::new(ErrorCode::Conflict, format!("Another pending or running job has the key {key}; retry it after that one finishes.")));
        }
    }
    if !store::revive(&mut *tx, &job.id).await? {
        return Err(AppError::internal());
    }
    let job = store::find(&mut *tx, &job.id).await?.ok_or_else(AppError::internal)?;
    tracing::info!(job_id = %job.id, kind = %job.kind, "dead job put back to pending");
    Ok(job)
}
