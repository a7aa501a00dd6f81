//! The OpenAPI 3.1 document. The path items below describe the handlers in `rest::talkstack`
//! (which keep their own plain signatures); each function here exists only to carry its
//! `#[utoipa::path]` description.
#![allow(dead_code)]

use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};

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

/// The v1 envelope: `data` holds the resource (or a list with `meta` for pagination); errors are
/// `{success:false, error{code, message, details}}`.
#[derive(Deserialize, ToSchema)]
pub struct V1Envelope {
    pub success: bool,
    pub message: Option<String>,
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

macro_rules! v1_doc {
    ($name:ident, $method:ident, $path:literal, $desc:literal) => {
        #[utoipa::path($method, path = $path, tag = "v1", security(("bearer" = []), ("api_key" = [])),
            responses((status = 200, description = $desc, body = V1Envelope),
                      (status = 400, description = "Invalid input", body = V1Envelope),
                      (status = 401, description = "Not authenticated", body = V1Envelope),
                      (status = 403, description = "Role too weak", body = V1Envelope),
                      (status = 404, description = "Not found or not visible", body = V1Envelope)))]
        fn $name() {}
    };
}

v1_doc!(v1_list_projects, get, "/api/v1/projects", "Paginated (page, per_page) list of the caller's projects");
v1_doc!(v1_create_project, post, "/api/v1/projects", "Created {name, description} (201)");
v1_doc!(v1_get_project, get, "/api/v1/projects/{id}", "A project, with the caller's role");
v1_doc!(v1_update_project, put, "/api/v1/projects/{id}", "Updated {name?, description?, call_status_webhook?} (admin+)");
v1_doc!(v1_delete_project, delete, "/api/v1/projects/{id}", "Deleted {cascade?} (owner)");
v1_doc!(v1_members, get, "/api/v1/projects/{id}/members", "Paginated members");
v1_doc!(v1_change_role, put, "/api/v1/projects/{id}/members/{user_id}", "Role changed {role} (admin+)");
v1_doc!(v1_remove_member, delete, "/api/v1/projects/{id}/members/{user_id}", "Member removed (admin+; the last owner cannot be removed)");
v1_doc!(v1_leave, post, "/api/v1/projects/{id}/leave", "The caller left (409 for the last owner)");
v1_doc!(v1_transfer, post, "/api/v1/projects/{id}/transfer", "Ownership transferred {user_id} (owner)");
v1_doc!(v1_invitations, get, "/api/v1/projects/{id}/invitations", "Paginated invitations (admin+)");
v1_doc!(v1_invite, post, "/api/v1/projects/{id}/invitations", "Invitation mailed {email, role} (201, admin+)");
v1_doc!(v1_resend, post, "/api/v1/projects/{id}/invitations/{invitation_id}/resend", "Mailed again with a new link");
v1_doc!(v1_revoke, delete, "/api/v1/projects/{id}/invitations/{invitation_id}", "Revoked");
v1_doc!(v1_accept, post, "/api/v1/invitations/accept", "Accepted {token} by the logged-in invitee");
v1_doc!(v1_audit, get, "/api/v1/projects/{id}/audit-log", "Newest first; pass meta.next_before as ?before= (admin+)");
v1_doc!(v1_list_keys, get, "/api/v1/api-keys", "The caller's keys (no secrets)");
v1_doc!(v1_create_key, post, "/api/v1/api-keys", "Created {name, project_id?}; the secret is in data.secret, shown once (201)");
v1_doc!(v1_revoke_key, delete, "/api/v1/api-keys/{id}", "Revoked with immediate effect");
v1_doc!(v1_get_active, get, "/api/v1/me/active-project", "The active project (404 if none)");
v1_doc!(v1_set_active, put, "/api/v1/me/active-project", "Set {project_id}");

macro_rules! ts_doc {
    ($name:ident, $method:ident, $path:literal, $desc:literal) => {
        #[utoipa::path($method, path = $path, tag = "talkstack", security(("bearer" = []), ("api_key" = [])),
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
ts_doc!(ts_list_agents, get, "/api/agent/{projectId}", "data: the project's agents");
ts_doc!(ts_get_active_agent, post, "/api/project/active-agent", "{projectId}: active_agent (id or null) and agent");
ts_doc!(ts_set_active_agent, patch, "/api/project/active-agent", "{projectId, active_agent}: project{name, description, active_agent, created_at, call_status_webhook, user_id}");
ts_doc!(ts_remove_active_agent, patch, "/api/project/active-agent/{agentId}", "The agent stops being its project's active agent");
ts_doc!(ts_list_voices, get, "/api/voices", "voices[{voice_id, name, provider, language, labels{accent, description, age, gender, use_case}, preview_url}]; filters provider, language, gender, accent, q");
ts_doc!(ts_get_voice, get, "/api/voices/{voice_id}", "voice");
ts_doc!(ts_get_number, post, "/api/phone-number", "{phoneNumberId | agentId | projectId}: data{e164, id, status, projectId, agentId} (a list for agentId and projectId)");
ts_doc!(ts_add_number, post, "/api/phone-number/add-number", "{e164, agentId, projectId}: adds the number to the project if new, then assigns it");

v1_doc!(v1_list_agents, get, "/api/v1/agents", "Paginated agents of project_id (default: the key's or active project); q, sort=name|updated_at");
v1_doc!(v1_create_agent, post, "/api/v1/agents", "Created (201) {project_id?, name, system_prompt, first_message, voice_id, language, llm_model, temperature, speaks_first, max_duration_secs, recording, direction, status, analysis}");
v1_doc!(v1_get_agent, get, "/api/v1/agents/{id}", "An agent with its variables, numbers and version");
v1_doc!(v1_update_agent, put, "/api/v1/agents/{id}", "Partial update; expected_version makes a stale update fail with 409");
v1_doc!(v1_delete_agent, delete, "/api/v1/agents/{id}", "Deleted; its numbers are released");
v1_doc!(v1_duplicate_agent, post, "/api/v1/agents/{id}/duplicate", "A draft copy without numbers (201)");
v1_doc!(v1_set_voice, put, "/api/v1/agents/{id}/voice", "{voice_id}");
v1_doc!(v1_render, post, "/api/v1/agents/{id}/render", "{variables{}}: the rendered prompt and first message; 400 names missing variables");
v1_doc!(v1_get_active_agent, get, "/api/v1/projects/{id}/active-agent", "The active agent or null");
v1_doc!(v1_set_active_agent, put, "/api/v1/projects/{id}/active-agent", "{agent_id} (member+)");
v1_doc!(v1_clear_active_agent, delete, "/api/v1/projects/{id}/active-agent", "Cleared (member+)");
v1_doc!(v1_list_voices, get, "/api/v1/voices", "Paginated voices; provider, language (en or en-GB), gender, accent, q");
v1_doc!(v1_voice_filters, get, "/api/v1/voices/filters", "The values each voice filter can take");
v1_doc!(v1_get_voice, get, "/api/v1/voices/{id}", "A voice");
v1_doc!(v1_list_numbers, get, "/api/v1/phone-numbers", "Paginated numbers of project_id (default: the key's or active project)");
v1_doc!(v1_add_number, post, "/api/v1/phone-numbers", "Added (201, admin+) {project_id?, number, country?, label?}; 409 when in any project");
v1_doc!(v1_get_number, get, "/api/v1/phone-numbers/{id}", "A number with its formats and agents");
v1_doc!(v1_label_number, patch, "/api/v1/phone-numbers/{id}", "{label} (admin+)");
v1_doc!(v1_release_number, delete, "/api/v1/phone-numbers/{id}", "Released from the project (admin+)");
v1_doc!(v1_assign_number, post, "/api/v1/phone-numbers/{id}/assign", "{agent_id} (admin+); one inbound agent per number (409)");
v1_doc!(v1_unassign_number, post, "/api/v1/phone-numbers/{id}/unassign", "{agent_id} (admin+)");
v1_doc!(v1_get_twilio, get, "/api/v1/projects/{id}/twilio", "The account SID and the token's last 4 characters (admin+)");
v1_doc!(v1_put_twilio, put, "/api/v1/projects/{id}/twilio", "{account_sid, auth_token}; the token is encrypted at rest (admin+)");
v1_doc!(v1_delete_twilio, delete, "/api/v1/projects/{id}/twilio", "Removed (admin+)");
v1_doc!(v1_import_twilio, post, "/api/v1/projects/{id}/twilio/import", "Imports the account's numbers: imported, already_present, skipped (admin+)");

#[utoipa::path(put, path = "/api/v1/agents/{agent_id}/calling", tag = "v1", request_body = super::agents::CallingBody,
    params(("agent_id" = String, Path)), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "data{id, name, direction, current_status, phone_numbers[{id, number, country_code, formatted_number, current_status}], updated_at}", body = V1Envelope),
              (status = 400, description = "direction missing or invalid", body = V1Envelope),
              (status = 403, description = "Changing numbers needs admin+", body = V1Envelope),
              (status = 404, description = "Agent not visible, or a phone_number_ids entry not in the agent's project (nothing changes)", body = V1Envelope),
              (status = 409, description = "A number already answers for another inbound agent", body = V1Envelope)))]
fn v1_set_calling() {}

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Header(
                utoipa::openapi::security::ApiKeyValue::new("x-api-key"),
            )),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Talkdeck API", description = "Talkstack-compatible API under /api and the versioned API under /api/v1."),
    paths(signup, verify_email, resend_code, login, refresh_token, change_password, forgot_password, reset_password, logout, get_active_project,
          ts_create_project, ts_list_projects, ts_get_project, ts_update_project, ts_delete_project, ts_add_webhook, ts_set_active_project, ts_generate_apikey,
          v1_list_projects, v1_create_project, v1_get_project, v1_update_project, v1_delete_project, v1_members, v1_change_role, v1_remove_member,
          v1_leave, v1_transfer, v1_invitations, v1_invite, v1_resend, v1_revoke, v1_accept, v1_audit, v1_list_keys, v1_create_key, v1_revoke_key,
          v1_get_active, v1_set_active,
          ts_create_agent, ts_get_agent, ts_update_agent, ts_delete_agent, ts_list_agents, ts_get_active_agent, ts_set_active_agent,
          ts_remove_active_agent, ts_list_voices, ts_get_voice, ts_get_number, ts_add_number,
          v1_list_agents, v1_create_agent, v1_get_agent, v1_update_agent, v1_delete_agent, v1_duplicate_agent, v1_set_voice, v1_render,
          v1_set_calling, v1_get_active_agent, v1_set_active_agent, v1_clear_active_agent, v1_list_voices, v1_voice_filters, v1_get_voice,
          v1_list_numbers, v1_add_number, v1_get_number, v1_label_number, v1_release_number, v1_assign_number, v1_unassign_number,
          v1_get_twilio, v1_put_twilio, v1_delete_twilio, v1_import_twilio),
    components(schemas(SignupRequest, VerifyEmailRequest, EmailRequest, LoginRequest, RefreshRequest, ChangePasswordRequest, ResetPasswordRequest, Envelope,
                       CreateProjectRequest, ProjectIdRequest, WebhookRequest, V1Envelope, super::agents::CallingBody)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
