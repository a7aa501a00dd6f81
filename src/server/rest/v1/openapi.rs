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
          v1_get_active, v1_set_active),
    components(schemas(SignupRequest, VerifyEmailRequest, EmailRequest, LoginRequest, RefreshRequest, ChangePasswordRequest, ResetPasswordRequest, Envelope,
                       CreateProjectRequest, ProjectIdRequest, WebhookRequest, V1Envelope)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
