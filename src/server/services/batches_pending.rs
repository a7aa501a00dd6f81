//! TEMPORARY stand-ins for the batch dispatcher's operations (start, pause, resume, cancel,
//! export), with the signatures the lead announced, so the batch pages compile and can be tried
//! before the dispatcher lands. They only move the batch's status (nothing is dialled). This file
//! is deleted when the "Batch dispatcher" commit is merged.

use crate::model::{AppError, BatchOptions, BatchStatus, BatchView};
use crate::server::auth::Actor;
use crate::server::db::{now_ms, Tx};
use crate::server::state::AppState;
use sqlx::AnyConnection;

async fn set_status(tx: &mut Tx, actor: &Actor, batch_id: &str, from: &[BatchStatus], to: BatchStatus) -> Result<BatchView, AppError> {
    let b = super::batches::get(&mut *tx, actor, batch_id).await?;
    super::batches::may_upload(&mut *tx, actor, &b.project_id).await?;
    if !from.contains(&b.status) {
        return Err(AppError::new(crate::model::ErrorCode::Conflict, format!("A {} batch cannot become {}.", b.status.as_str(), to.as_str())));
    }
    sqlx::query("UPDATE batches SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND project_id = $4")
        .bind(to.as_str())
        .bind(now_ms())
        .bind(batch_id)
        .bind(&b.project_id)
        .execute(&mut **tx)
        .await
        .map_err(|_| AppError::internal())?;
    super::batches::get(&mut *tx, actor, batch_id).await
}

pub async fn start(_st: &AppState, tx: &mut Tx, actor: &Actor, batch_id: &str, _opts: BatchOptions) -> Result<BatchView, AppError> {
    set_status(tx, actor, batch_id, &[BatchStatus::Draft], BatchStatus::Running).await
}

pub async fn pause(_st: &AppState, tx: &mut Tx, actor: &Actor, batch_id: &str) -> Result<BatchView, AppError> {
    set_status(tx, actor, batch_id, &[BatchStatus::Running, BatchStatus::Scheduled], BatchStatus::Paused).await
}

pub async fn resume(_st: &AppState, tx: &mut Tx, actor: &Actor, batch_id: &str) -> Result<BatchView, AppError> {
    set_status(tx, actor, batch_id, &[BatchStatus::Paused], BatchStatus::Running).await
}

pub async fn cancel(_st: &AppState, tx: &mut Tx, actor: &Actor, batch_id: &str) -> Result<BatchView, AppError> {
    set_status(tx, actor, batch_id, &[BatchStatus::Draft, BatchStatus::Scheduled, BatchStatus::Running, BatchStatus::Paused], BatchStatus::Canceled).await
}

pub async fn export_csv(c: &mut AnyConnection, actor: &Actor, batch_id: &str) -> Result<(String, String), AppError> {
    let b = super::batches::get(&mut *c, actor, batch_id).await?;
    let mut out = String::from("row,number,state,attempts,outcome,last_call_id\n");
    let mut after = None;
    loop {
        let rows = super::batches::rows(&mut *c, actor, batch_id, None, after, 500).await?;
        for r in &rows {
            out.push_str(&format!(
                "{},{},{},{},{},{}\n",
                r.row,
                r.number.replace(',', " "),
                r.state.as_str(),
                r.attempts,
                r.outcome.clone().unwrap_or_default(),
                r.last_call_id.clone().unwrap_or_default()
            ));
        }
        match rows.last() {
            Some(r) if rows.len() == 500 => after = Some(r.row),
            _ => break,
        }
    }
    Ok((format!("{}-results.csv", b.id), out))
}
