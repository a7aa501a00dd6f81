//! The OpenAPI 3.1 document. The v1 operations are described on their handlers and registered
//! with their routes (`utoipa_axum::routes!` in `v1::router`), so a v1 route cannot exist without
//! its path item nor the reverse. The Talkstack-compatible operations are still described by the
//! stub functions below (their handlers keep their plain signatures) and joined here; their
//! routes are listed in `talkstack::router`.
#![allow(dead_code)]

use super::types::ErrorEnvelope;
use serde::Deserialize;
use utoipa::{IntoResponses, OpenApi, ToSchema};

#[derive(Deserialize, ToSchema)]
pub struct SignupRequest {
    #[schema(example = "ada@example.com")]
    pub email: String,
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
pub struct VerifyEmailRequest {
    pub email: String,
    #[schema(example = "123456")]
    pub code: String,
}

#[derive(Deserialize, ToSchema)]
pub struct EmailRequest {
    pub email: String,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct RefreshRequest {
    #[serde(rename = "refreshToken")]
    pub refresh_token: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    #[serde(rename = "oldPassword")]
    pub old_password: String,
    #[serde(rename = "newPassword")]
    pub new_password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ResetPasswordRequest {
    pub token: String,
    #[serde(rename = "newPassword")]
    pub new_password: String,
}

/// Envelope of every Talkstack response; endpoints add their own fields beside these.
#[derive(Deserialize, ToSchema)]
pub struct Envelope {
    pub message: String,
    #[schema(example = "success")]
    pub status: String,
    /// Stable error code, on errors only.
    pub code: Option<String>,
}

#[utoipa::path(post, path = "/api/auth/signup", tag = "auth", request_body = SignupRequest,
    responses(
        (status = 200, description = "Created (signupStatus 3) or re-sent code for an unverified account (2). No tokens until verified.", body = Envelope),
        (status = 400, description = "Missing fields (0), invalid email (5) or password refused (4)", body = Envelope),
        (status = 409, description = "Account exists (1)", body = Envelope),
        (status = 429, description = "Throttled; see Retry-After", body = Envelope),
    ))]
fn signup() {}

#[utoipa::path(post, path = "/api/auth/verify-email", tag = "auth", request_body = VerifyEmailRequest,
    responses(
        (status = 200, description = "Verified (verificationStatus 2): userData, token, refreshToken, expirationTime", body = Envelope),
        (status = 400, description = "Missing (0), wrong code (1), expired or used up (3)", body = Envelope),
        (status = 404, description = "No such account (5)", body = Envelope),
        (status = 409, description = "Already verified (4)", body = Envelope),
        (status = 429, description = "Throttled", body = Envelope),
    ))]
fn verify_email() {}

#[utoipa::path(post, path = "/api/auth/resend-code", tag = "auth", request_body = EmailRequest,
    responses((status = 200, description = "Same answer whether or not the account exists", body = Envelope), (status = 429, description = "Throttled", body = Envelope)))]
fn resend_code() {}

#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "token (2 h), refreshToken, expirationTime, user", body = Envelope),
        (status = 401, description = "Invalid email or password", body = Envelope),
        (status = 403, description = "Email not verified yet", body = Envelope),
        (status = 429, description = "Throttled", body = Envelope),
    ))]
fn login() {}

#[utoipa::path(post, path = "/api/auth/refresh-token", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token and a new refreshToken (rotation)", body = Envelope),
        (status = 401, description = "Invalid, expired or replayed (a replay revokes the whole family)", body = Envelope),
    ))]
fn refresh_token() {}

#[utoipa::path(post, path = "/api/auth/change-password", tag = "auth", request_body = ChangePasswordRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed; other sessions and token families are revoked", body = Envelope),
        (status = 400, description = "New password refused", body = Envelope),
        (status = 401, description = "Not authenticated or wrong old password", body = Envelope),
    ))]
fn change_password() {}

#[utoipa::path(post, path = "/api/auth/forgot-password", tag = "auth", request_body = EmailRequest,
    responses((status = 200, description = "Always: If the email is registered, a reset link has been sent.", body = Envelope), (status = 429, description = "Throttled", body = Envelope)))]
fn forgot_password() {}

#[utoipa::path(post, path = "/api/auth/reset-password", tag = "auth", request_body = ResetPasswordRequest,
    responses(
        (status = 200, description = "Reset; every session and token of the user is revoked", body = Envelope),
        (status = 400, description = "Invalid, expired or used token, or password refused", body = Envelope),
        (status = 429, description = "Throttled", body = Envelope),
    ))]
fn reset_password() {}

#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "The caller's token family is revoked", body = Envelope), (status = 401, description = "Not authenticated", body = Envelope)))]
fn logout() {}

#[utoipa::path(get, path = "/api/user/get-active-project", tag = "user", security(("bearer" = [])),
    responses((status = 200, description = "projectData", body = Envelope), (status = 404, description = "No active project", body = Envelope), (status = 401, description = "Not authenticated", body = Envelope)))]
fn get_active_project() {}

#[derive(Deserialize, ToSchema)]
pub struct CreateProjectRequest {
    #[schema(example = "Demo Project")]
    pub name: String,
    #[schema(example = "This is a demo project.")]
    pub description: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ProjectIdRequest {
    #[serde(rename = "projectId")]
    pub project_id: String,
}

#[derive(Deserialize, ToSchema)]
pub struct WebhookRequest {
    #[serde(rename = "projectId")]
    pub project_id: String,
    #[serde(rename = "webhookURL")]
    pub webhook_url: String,
}

#[utoipa::path(post, path = "/api/project/create-project", tag = "project", request_body = CreateProjectRequest, security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "data{name,user_id,status,description,call_status_webhook,id,active_agent,created_at,updated_at}", body = Envelope),
              (status = 400, description = "Missing fields or a project with this name exists", body = Envelope), (status = 401, description = "Not authenticated", body = Envelope)))]
fn ts_create_project() {}

#[utoipa::path(get, path = "/api/project", tag = "project", security(("bearer" = []), ("api_key" = [])), responses((status = 200, description = "data: the caller's projects", body = Envelope)))]
fn ts_list_projects() {}

#[utoipa::path(get, path = "/api/project/{projectId}", tag = "project", params(("projectId" = String, Path)), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "data with is_deleted", body = Envelope), (status = 404, description = "Not found or not visible", body = Envelope)))]
fn ts_get_project() {}

#[utoipa::path(put, path = "/api/project/{projectId}", tag = "project", params(("projectId" = String, Path)), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Updated (admin+): name, description, webhookUrl", body = Envelope), (status = 403, description = "Role too weak", body = Envelope), (status = 404, description = "Not visible", body = Envelope)))]
fn ts_update_project() {}

#[utoipa::path(delete, path = "/api/project/{projectId}", tag = "project", params(("projectId" = String, Path)), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Deleted (owner; body {cascade})", body = Envelope), (status = 403, description = "Not the owner", body = Envelope), (status = 404, description = "Not visible", body = Envelope)))]
fn ts_delete_project() {}

#[utoipa::path(post, path = "/api/project/call-status/add-webhookurl", tag = "project", request_body = WebhookRequest, security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Webhook URL set (admin+)", body = Envelope), (status = 403, description = "Role too weak", body = Envelope), (status = 404, description = "Not visible", body = Envelope)))]
fn ts_add_webhook() {}

#[utoipa::path(post, path = "/api/user/set-active-project", tag = "user", request_body = ProjectIdRequest, security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "userData, projectData", body = Envelope), (status = 404, description = "Not visible", body = Envelope)))]
fn ts_set_active_project() {}

#[utoipa::path(get, path = "/api/user/generate-apikey", tag = "user", security(("bearer" = [])),
    responses((status = 200, description = "apiKey (replaces the previous key made this way)", body = Envelope), (status = 403, description = "Called with an API key", body = Envelope)))]
fn ts_generate_apikey() {}

macro_rules! ts_doc {
    ($name:ident, $method:ident, $path:literal, $desc:literal $(, $param:literal)*) => {
        #[utoipa::path($method, path = $path, tag = "talkstack", security(("bearer" = []), ("api_key" = [])),
            params($(($param = String, Path),)*),
            responses((status = 200, description = $desc, body = Envelope),
                      (status = 400, description = "Missing or invalid fields", body = Envelope),
                      (status = 401, description = "Not authenticated", body = Envelope),
                      (status = 403, description = "Role too weak", body = Envelope),
                      (status = 404, description = "Project, agent, number or voice not found (or not visible)", body = Envelope),
                      (status = 409, description = "Conflict (number in another project, inbound number taken)", body = Envelope)))]
        fn $name() {}
    };
}

ts_doc!(ts_create_agent, post, "/api/agent/create-agent", "{name, systemInstruction, projectId, phoneNumber?, voice_id?} and any setting: data is the agent");
ts_doc!(ts_get_agent, post, "/api/agent", "{projectId, agentId}: data is the agent");
ts_doc!(ts_update_agent, put, "/api/agent", "{projectId, agentId, name?, systemInstruction?, ...settings}");
ts_doc!(ts_delete_agent, delete, "/api/agent", "{projectId, agentId}; its numbers are released");
ts_doc!(ts_list_agents, get, "/api/agent/{projectId}", "data: the project's agents", "projectId");
ts_doc!(ts_get_active_agent, post, "/api/project/active-agent", "{projectId}: active_agent (id or null) and agent");
ts_doc!(
    ts_set_active_agent,
    patch,
    "/api/project/active-agent",
    "{projectId, active_agent}: project{name, description, active_agent, created_at, call_status_webhook, user_id}"
);
ts_doc!(ts_remove_active_agent, patch, "/api/project/active-agent/{agentId}", "The agent stops being its project's active agent", "agentId");
ts_doc!(
    ts_list_voices,
    get,
    "/api/voices",
    "voices[{voice_id, name, provider, language, labels{accent, description, age, gender, use_case}, preview_url}]; filters provider, language, gender, accent, q"
);
ts_doc!(ts_get_voice, get, "/api/voices/{voice_id}", "voice", "voice_id");
ts_doc!(ts_me, get, "/api/user/me", "userData: the caller's account");
ts_doc!(ts_get_number, post, "/api/phone-number", "{phoneNumberId | agentId | projectId}: data{e164, id, status, projectId, agentId} (a list for agentId and projectId)");
ts_doc!(ts_add_number, post, "/api/phone-number/add-number", "{e164, agentId, projectId}: adds the number to the project if new, then assigns it");

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()));
        components
            .add_security_scheme("api_key", SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Header(utoipa::openapi::security::ApiKeyValue::new("x-api-key"))));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Talkdeck API", description = "Talkstack-compatible API under /api and the versioned API under /api/v1."),
    paths(signup, verify_email, resend_code, login, refresh_token, change_password, forgot_password, reset_password, logout, get_active_project,
          ts_create_project, ts_list_projects, ts_get_project, ts_update_project, ts_delete_project, ts_add_webhook, ts_set_active_project, ts_generate_apikey,
          ts_create_agent, ts_get_agent, ts_update_agent, ts_delete_agent, ts_list_agents, ts_get_active_agent, ts_set_active_agent,
          ts_remove_active_agent, ts_list_voices, ts_get_voice, ts_get_number, ts_add_number, ts_me),
    components(schemas(SignupRequest, VerifyEmailRequest, EmailRequest, LoginRequest, RefreshRequest, ChangePasswordRequest, ResetPasswordRequest, Envelope,
                       CreateProjectRequest, ProjectIdRequest, WebhookRequest, ErrorEnvelope, super::types::Timestamp)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

/// The document's fixed part: info, security schemes and the Talkstack operations. The v1
/// operations are added by the router that serves them (see `rest::document`).
pub fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

// ---- the error responses of the v1 operations (one type per status, listed on each handler) ----

/// Invalid input: a field (named in `details`), the query string, a path parameter, a cursor or
/// `limit`, or a body that is not the documented JSON.
#[derive(IntoResponses)]
#[response(status = 400)]
pub struct E400(ErrorEnvelope);

/// No valid credentials (bearer access token or `x-api-key`).
#[derive(IntoResponses)]
#[response(status = 401)]
pub struct E401(ErrorEnvelope);

/// The caller's role on the project is too weak, or the operation needs a person, not an API key.
#[derive(IntoResponses)]
#[response(status = 403)]
pub struct E403(ErrorEnvelope);

/// Not found, or not visible to the caller (other projects answer 404, never 403).
#[derive(IntoResponses)]
#[response(status = 404)]
pub struct E404(ErrorEnvelope);

/// Conflicts with the current state (a duplicate, a stale version, the last owner).
#[derive(IntoResponses)]
#[response(status = 409)]
pub struct E409(ErrorEnvelope);

/// An `Idempotency-Key` already used with a different request (`idempotency_key_reused`).
#[derive(IntoResponses)]
#[response(status = 422)]
pub struct E422(ErrorEnvelope);

/// The body is larger than 1 MiB (`payload_too_large`).
#[derive(IntoResponses)]
#[response(status = 413)]
pub struct E413(ErrorEnvelope);

/// The body is not declared as JSON (`unsupported_media_type`).
#[derive(IntoResponses)]
#[response(status = 415)]
pub struct E415(ErrorEnvelope);

/// A service we depend on (Twilio) failed or could not be reached (`upstream_error`).
#[derive(IntoResponses)]
#[response(status = 502)]
pub struct E502(ErrorEnvelope);
