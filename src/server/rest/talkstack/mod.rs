//! The Talkstack-compatible API (see `reference/compat-api.md`): responses carry `message` and
//! `status` ("success"/"error") beside their data; errors also carry our stable `code`.

pub mod agent;
pub mod auth;
pub mod call;
pub mod project;
pub mod user;

use crate::model::AppError;
use crate::server::rest::json::Json;
use crate::server::state::AppState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::Router;
use serde_json::{json, Map, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/signup", post(auth::signup))
        .route("/auth/verify-email", post(auth::verify_email))
        .route("/auth/resend-code", post(auth::resend_code))
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh-token", post(auth::refresh_token))
        .route("/auth/change-password", post(auth::change_password))
        .route("/auth/forgot-password", post(auth::forgot_password))
        .route("/auth/reset-password", post(auth::reset_password))
        .route("/auth/logout", post(auth::logout))
        .route("/user/me", get(user::me))
        .route("/user/get-active-project", get(project::get_active_project))
        .route("/user/set-active-project", post(project::set_active_project))
        .route("/user/generate-apikey", get(project::generate_api_key))
        .route("/project/create-project", post(project::create))
        .route("/project", get(project::list))
        .route("/project/{project_id}", get(project::get).put(project::update).delete(project::delete))
        .route("/project/call-status/add-webhookurl", post(project::add_webhook))
        .route("/project/active-agent", post(agent::get_active_agent).patch(agent::set_active_agent))
        .route("/project/active-agent/{agent_id}", patch(agent::remove_active_agent))
        .route("/agent/create-agent", post(agent::create))
        .route("/agent", post(agent::get).put(agent::update).delete(agent::delete))
        .route("/agent/{project_id}", get(agent::list))
        .route("/voices", get(agent::list_voices))
        .route("/voices/{voice_id}", get(agent::get_voice))
        .route("/phone-number", post(agent::get_number))
        .route("/phone-number/add-number", post(agent::add_number))
        .route("/call/makeCall", post(call::make_call))
        .route("/call", post(call::get_call))
        .route("/call/get-call-history", post(call::history))
        .route("/call/analysis", post(call::analysis))
        .route("/call/batch-call", post(call::batch_call).layer(axum::extract::DefaultBodyLimit::max(crate::server::rest::v1::batches::UPLOAD_MAX_BYTES)))
}

crate::api_extractors!(TsError, TsJson, TsQuery, TsPath);

/// A Talkstack error response: `{message, status:"error", code, errors?}` plus any extra fields
/// (like `signupStatus`), with `Retry-After` when throttled.
pub struct TsError {
    pub error: AppError,
    pub extra: Map<String, Value>,
}

impl From<AppError> for TsError {
    fn from(error: AppError) -> Self {
        TsError { error, extra: Map::new() }
    }
}

impl TsError {
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.into(), value.into());
        self
    }
}

impl IntoResponse for TsError {
    fn into_response(self) -> Response {
        let e = self.error;
        let status = StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = Map::new();
        body.insert("message".into(), json!(e.message));
        body.insert("status".into(), json!("error"));
        body.insert("code".into(), json!(e.code.as_str()));
        if !e.details.is_empty() {
            body.insert("errors".into(), json!(e.details));
        }
        body.extend(self.extra);
        let mut res = (status, Json(Value::Object(body))).into_response();
        if let Some(v) = crate::server::error::retry_after_header(&e) {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        res
    }
}

/// A success body: `{message, status:"success", ...fields}`.
pub fn ok(message: &str, fields: Value) -> Response {
    let mut body = Map::new();
    body.insert("message".into(), json!(message));
    body.insert("status".into(), json!("success"));
    if let Value::Object(f) = fields {
        body.extend(f);
    }
    (StatusCode::OK, Json(Value::Object(body))).into_response()
}
