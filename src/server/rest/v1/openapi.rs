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

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Talkdeck API", description = "Talkstack-compatible API under /api and the versioned API under /api/v1."),
    paths(signup, verify_email, resend_code, login, refresh_token, change_password, forgot_password, reset_password, logout, get_active_project),
    components(schemas(SignupRequest, VerifyEmailRequest, EmailRequest, LoginRequest, RefreshRequest, ChangePasswordRequest, ResetPasswordRequest, Envelope)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
