//! `/api/user/*`.

use super::{ok, TsError};
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
