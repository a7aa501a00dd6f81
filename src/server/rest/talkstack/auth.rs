//! `/api/auth/*`: Talkstack's account endpoints. `signupStatus` and `verificationStatus` follow
//! the documented numbering; see `services::accounts` for the behaviour behind them.

use super::{ok, TsError};
use crate::model::{AppError, ErrorCode, UserView};
use crate::server::rest::extract::{json_body, ClientAddr};
use crate::server::services::accounts::{self, TokenPair};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};

/// RFC 3339 (UTC) for a Unix-millisecond timestamp.
pub fn iso_ms(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

pub fn user_json(u: &UserView) -> Value {
    json!({
        "id": u.id,
        "email": u.email,
        "name": u.name,
        "verified": u.verified,
        "active_project": u.active_project,
        "company_name": u.company_name,
        "created_at": iso_ms(u.created_at),
        "updated_at": iso_ms(u.updated_at),
    })
}

fn tokens_json(t: &TokenPair) -> Value {
    json!({
        "token": t.access_token,
        "refreshToken": t.refresh_token,
        "expirationTime": iso_ms(t.expires_at * 1000),
    })
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Value::Object(a), Value::Object(b)) = (&mut a, b) {
        a.extend(b);
    }
    a
}

pub(crate) fn required(fields: &[(&str, &Option<String>)]) -> Result<(), AppError> {
    let missing: Vec<&str> = fields.iter().filter(|(_, v)| v.as_deref().is_none_or(|s| s.trim().is_empty())).map(|(k, _)| *k).collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(AppError::missing_fields(&missing))
}

#[derive(Deserialize, Default)]
pub struct SignupBody {
    email: Option<String>,
    password: Option<String>,
    name: Option<String>,
}

pub async fn signup(State(st): State<AppState>, ClientAddr(client): ClientAddr, body: Bytes) -> Result<Response, TsError> {
    let b: SignupBody = json_body(&body).map_err(|e| TsError::from(e).with("signupStatus", 0))?;
    required(&[("email", &b.email), ("password", &b.password), ("name", &b.name)]).map_err(|e| TsError::from(e).with("signupStatus", 0))?;
    let (email, password, name) = (b.email.unwrap_or_default(), b.password.unwrap_or_default(), b.name.unwrap_or_default());
    // Statuses 1 (account exists) and 2 (not verified) are never sent: sign-up answers alike for
    // every address so it cannot reveal who has an account (the mailbox owner learns the rest).
    let r = accounts::signup(&st, client, &name, &email, &password).await.map_err(|e| {
        let status = match e.code {
            ErrorCode::InvalidInput if e.field_message("email").is_some() => 5,
            _ => 4,
        };
        TsError::from(e).with("signupStatus", status)
    })?;
    // The mail is queued in the sign-up's own transaction and retried by the job worker, so
    // "6 email not sent" cannot happen here.
    // No credentials before the address is proven: tokens come from verify-email or login.
    Ok(ok(
        "Check your email: we sent a 6-digit code to verify this address.",
        json!({
            "signupStatus": 3,
            "token": null,
            "refreshToken": null,
            "expirationTime": null,
            "user": user_json(&r.user),
        }),
    ))
}

#[derive(Deserialize, Default)]
pub struct VerifyBody {
    email: Option<String>,
    code: Option<Value>,
}

pub async fn verify_email(State(st): State<AppState>, ClientAddr(client): ClientAddr, body: Bytes) -> Result<Response, TsError> {
    let b: VerifyBody = json_body(&body).map_err(|e| TsError::from(e).with("verificationStatus", 0))?;
    // Clients send the code as a string or a number.
    let code = match b.code {
        Some(Value::String(s)) => Some(s),
        // A number loses leading zeros: 12345 is the code "012345".
        Some(Value::Number(n)) => Some(n.as_u64().map(|v| format!("{v:06}")).unwrap_or_else(|| n.to_string())),
        _ => None,
    };
    required(&[("email", &b.email), ("code", &code)]).map_err(|e| TsError::from(e).with("verificationStatus", 0))?;
    let user = accounts::verify_email(&st, client, b.email.as_deref().unwrap_or_default(), code.as_deref().unwrap_or_default())
        .await
        .map_err(|e| {
            let status = match e.code {
                ErrorCode::InvalidCode => 1,
                ErrorCode::InvalidInput if e.field_message("code").is_some() => 1,
                ErrorCode::InvalidInput => 0,
                ErrorCode::CodeExpired => 3,
                ErrorCode::Conflict => 4,
                ErrorCode::NotFound => 5,
                _ => 1,
            };
            TsError::from(e).with("verificationStatus", status)
        })?;
    let tokens = accounts::issue_tokens(&st, &user.id).await?;
    Ok(ok("Email verified successfully.", merge(json!({"verificationStatus": 2, "userData": user_json(&accounts::user_view(&user))}), tokens_json(&tokens))))
}

#[derive(Deserialize, Default)]
pub struct EmailBody {
    email: Option<String>,
}

pub async fn resend_code(State(st): State<AppState>, ClientAddr(client): ClientAddr, body: Bytes) -> Result<Response, TsError> {
    let b: EmailBody = json_body(&body)?;
    required(&[("email", &b.email)])?;
    accounts::resend_code(&st, client, b.email.as_deref().unwrap_or_default()).await?;
    Ok(ok("If this email has an account that is not verified yet, a new verification code has been sent.", json!({})))
}

#[derive(Deserialize, Default)]
pub struct LoginBody {
    email: Option<String>,
    password: Option<String>,
}

pub async fn login(State(st): State<AppState>, ClientAddr(client): ClientAddr, body: Bytes) -> Result<Response, TsError> {
    let b: LoginBody = json_body(&body)?;
    required(&[("email", &b.email), ("password", &b.password)])?;
    let user = accounts::login(&st, client, b.email.as_deref().unwrap_or_default(), b.password.as_deref().unwrap_or_default()).await?;
    let tokens = accounts::issue_tokens(&st, &user.id).await?;
    let mut res = ok("Login successful.", merge(tokens_json(&tokens), json!({"user": user_json(&accounts::user_view(&user))})));
    // Clients that keep cookies get the device token too (see `auth::throttle`); others ignore it.
    let device = crate::server::auth::throttle::set_device_cookie(&accounts::device_token(&st, &user.email), st.config.secure_cookies());
    if let Ok(v) = axum::http::HeaderValue::from_str(&device) {
        res.headers_mut().append(axum::http::header::SET_COOKIE, v);
    }
    Ok(res)
}

#[derive(Deserialize, Default)]
pub struct RefreshBody {
    #[serde(rename = "refreshToken")]
    refresh_token: Option<String>,
}

pub async fn refresh_token(State(st): State<AppState>, body: Bytes) -> Result<Response, TsError> {
    let b: RefreshBody = json_body(&body)?;
    required(&[("refreshToken", &b.refresh_token)])?;
    let tokens = accounts::refresh(&st, b.refresh_token.as_deref().unwrap_or_default()).await?;
    Ok(ok("Token refreshed.", tokens_json(&tokens)))
}

#[derive(Deserialize, Default)]
pub struct ChangeBody {
    #[serde(rename = "oldPassword")]
    old_password: Option<String>,
    #[serde(rename = "newPassword")]
    new_password: Option<String>,
}

pub async fn change_password(State(st): State<AppState>, ClientAddr(client): ClientAddr, headers: HeaderMap, body: Bytes) -> Result<Response, TsError> {
    let p = crate::server::http::actor(&st, &headers).await?;
    let b: ChangeBody = json_body(&body)?;
    required(&[("oldPassword", &b.old_password), ("newPassword", &b.new_password)])?;
    accounts::change_password(&st, client, &p, b.old_password.as_deref().unwrap_or_default(), b.new_password.as_deref().unwrap_or_default()).await?;
    Ok(ok("Password changed successfully. Other sessions and tokens were signed out.", json!({})))
}

pub async fn forgot_password(State(st): State<AppState>, ClientAddr(client): ClientAddr, body: Bytes) -> Result<Response, TsError> {
    let b: EmailBody = json_body(&body)?;
    required(&[("email", &b.email)])?;
    accounts::forgot_password(&st, client, b.email.as_deref().unwrap_or_default()).await?;
    Ok(ok("If the email is registered, a reset link has been sent.", json!({})))
}

#[derive(Deserialize, Default)]
pub struct ResetBody {
    token: Option<String>,
    #[serde(rename = "newPassword")]
    new_password: Option<String>,
}

pub async fn reset_password(State(st): State<AppState>, ClientAddr(client): ClientAddr, body: Bytes) -> Result<Response, TsError> {
    let b: ResetBody = json_body(&body)?;
    required(&[("token", &b.token), ("newPassword", &b.new_password)])?;
    accounts::reset_password(&st, client, b.token.as_deref().unwrap_or_default(), b.new_password.as_deref().unwrap_or_default()).await?;
    Ok(ok("Your password has been reset. Log in with the new password.", json!({})))
}

/// Ends the caller's token family (ours; Talkstack documents no logout).
pub async fn logout(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, TsError> {
    let p = crate::server::http::actor(&st, &headers).await?;
    st.write(async |tx| accounts::logout(tx, &p).await).await?;
    Ok(ok("Logged out.", json!({})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_formatting() {
        assert_eq!(iso_ms(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_ms(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }

    #[test]
    fn required_lists_missing_fields() {
        let e = required(&[("a", &None), ("b", &Some(" ".into())), ("c", &Some("x".into()))]).unwrap_err();
        assert_eq!(e.details.len(), 2);
        assert_eq!(e.message, "a and b are required.");
    }
}
