//! `/api/user/*`.

use super::{ok, TsError};
use crate::model::{AppError, ErrorCode};
use crate::server::services::accounts;
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

pub async fn me(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, TsError> {
    let p = crate::server::http::principal(&st, &headers).await?;
    Ok(ok("User fetched.", json!({"userData": super::auth::user_json(&accounts::user_view(&p.user))})))
}

/// 404 while no project is active (projects arrive with the projects feature).
pub async fn get_active_project(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, TsError> {
    let p = crate::server::http::principal(&st, &headers).await?;
    match p.user.active_project_id {
        None => Err(AppError::new(ErrorCode::NotFound, "No active project is set. Create or select a project first.").into()),
        Some(_) => Err(AppError::new(ErrorCode::NotFound, "The active project no longer exists.").into()),
    }
}
