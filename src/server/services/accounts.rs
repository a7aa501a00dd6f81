//! Accounts: sign-up with email verification, log-in, browser sessions, API token pairs with
//! rotating refresh tokens, password change / forgot / reset, and the profile.
//!
//! Decisions worth knowing:
//! - Sign-up never hands out credentials: the account only becomes usable once the mailed code
//!   proves the address (tokens come from verify-email or login). This closes the
//!   "pre-register someone else's address and keep a token" hole.
//! - Re-signing-up an address that is still unverified never changes its name or password (that
//!   was an account takeover: a stranger's password won once the owner typed the code); it only
//!   mails a fresh code. Forgot/reset verifies the address too.
//! - Sign-up, verify-email, login, resend and forgot answer identically whether or not the
//!   address is known (and, for sign-up and verify, whether it is verified); login burns a dummy
//!   argon2 verification for unknown addresses so timing matches too.
//! - Mail is never sent on the request path: it is enqueued as a `mail.send` job in the
//!   transaction that stores its code or token (so a code exists exactly when its mail is on its
//!   way), and for an unknown address resend and forgot simply enqueue nothing.
//! - Access tokens are checked against their refresh-token family on every request; replaying a
//!   used refresh token revokes the family; a password reset revokes every session and family.
//! - The credential flows (sign-up, verify, login, resend, forgot, reset, refresh, password
//!   change) and the authentication that comes before any actor exists (sessions, token pairs,
//!   API keys) open their own transactions, unlike the rest of the services: throttle counts must
//!   persist when the attempt itself fails and rolls back, a refresh-token replay must commit the
//!   family's revocation while answering an error, and argon2 hashing (about a tenth of a second)
//!   must not run while holding the write lock. What acts on
//!   an authenticated caller's own account alone ([`logout`], [`update_profile`]) takes the
//!   caller's transaction and actor like every other service operation.

use super::Client;
use crate::model::{AppError, ErrorCode, UserView};
use crate::server::auth::throttle::Action;
use crate::server::auth::{cache, password, secrets, Actor, AuthVia, Principal};
use crate::server::db::users::{self, UserRow};
use crate::server::db::{new_id, now_ms, Tx};
use crate::server::domain::{CompanyName, Email, Password, PersonName, VerificationCode};
use crate::server::error::{OnUnique, OrInternal};
use crate::server::jobs;
use crate::server::mail::templates;
use crate::server::state::AppState;

pub const CODE_TTL_MS: i64 = 10 * 60 * 1000;
pub const MAX_CODE_ATTEMPTS: i64 = 5;
pub const RESET_TTL_MS: i64 = 60 * 60 * 1000;
pub const REFRESH_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;
const VERIFY_PURPOSE: &str = "verify_email";

pub fn user_view(u: &UserRow) -> UserView {
    UserView {
        id: u.id.clone(),
        name: u.name.clone(),
        email: u.email.clone(),
        company_name: u.company_name.clone(),
        verified: u.verified(),
        active_project: u.active_project_id.clone(),
        created_at: u.created_at,
        updated_at: u.updated_at,
    }
}

/// An access token with its refresh token.
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Access token expiry, Unix seconds.
    pub expires_at: i64,
}

impl std::fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenPair").field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub struct SignupResult {
    /// The pending account as the caller may see it. For an address that already has an account
    /// this is built from the request (with a throwaway id), so the answer reveals nothing.
    pub user: UserView,
}

// ---- sign-up and verification ----------------------------------------------------------------

/// Signs up. Answers alike whether the address is new, registered but unverified, or verified,
/// so sign-up cannot be used to learn who has an account; the mailbox owner learns the rest:
/// - new: the account is created unverified and a code is mailed;
/// - unverified: name and password stay as they were (a stranger must not replace them before
///   the owner verifies) and a fresh code is mailed; an owner who forgot the password they chose
///   uses forgot/reset, which also verifies the address;
/// - verified: nothing changes; the owner is mailed that someone tried, with log-in and reset links.
pub async fn signup(st: &AppState, client: Client, name: &str, email: &str, password_raw: &str) -> Result<SignupResult, AppError> {
    let email = Email::parse(email)?;
    st.throttle.check(Action::Signup, Some(email.as_str()), client.ip).await?;
    let name = PersonName::parse(name)?;
    let password = Password::parse_new(password_raw, "password")?;
    // Hashed in every case so the three outcomes take the same time.
    let hash = password::hash(password.expose()).await?;
    let code = secrets::new_code();
    let now = now_ms();
    let pending = |id: String| UserView {
        id,
        name: name.as_str().to_string(),
        email: email.as_str().to_string(),
        company_name: None,
        verified: false,
        active_project: None,
        created_at: now,
        updated_at: now,
    };

    let mut tx = st.db.begin_write().await?;
    let (mail, user) = match users::find_by_email(&mut tx, email.as_str()).await? {
        Some(u) if u.verified() => {
            let login = st.config.link("/login");
            let reset = st.config.link("/forgot-password");
            (templates::account_exists(&u.email, &u.name, &login, &reset), pending(new_id()))
        }
        existing => {
            let (user_id, mail_name) = match existing {
                Some(u) => (u.id, u.name),
                None => {
                    let id = new_id();
                    users::insert(&mut tx, &id, email.as_str(), name.as_str(), &hash, None)
                        .await
                        // A concurrent sign-up of the same address won: its code is on the way.
                        .on_unique(|| AppError::new(ErrorCode::Conflict, "A sign-up for this email is already in progress. Check your email."))?;
                    (id.clone(), name.as_str().to_string())
                }
            };
            users::consume_codes(&mut tx, &user_id, VERIFY_PURPOSE).await?;
            let digest = secrets::code_digest(&st.config.secret_key, &user_id, &code);
            users::insert_code(&mut tx, &user_id, VERIFY_PURPOSE, &digest, now + CODE_TTL_MS).await?;
            (templates::verification_code(email.as_str(), &mail_name, &code), pending(user_id))
        }
    };
    // Queued in the sign-up's own transaction: the code exists exactly when its mail is on its way.
    jobs::mail::enqueue(&mut tx, st, &mail).await?;
    tx.commit().await?;
    st.jobs.wake();
    Ok(SignupResult { user })
}

/// Checks a verification code. Every failure (unknown address, already verified, no code, expired,
/// wrong, too many wrong tries) answers the same `InvalidCode`, so the endpoint tells nobody which
/// addresses have accounts. Wrong codes are still counted: a code dies after
/// [`MAX_CODE_ATTEMPTS`] wrong tries.
pub async fn verify_email(st: &AppState, client: Client, email: &str, code: &str) -> Result<UserRow, AppError> {
    let email = Email::parse(email)?;
    st.throttle.check(Action::Verify, Some(email.as_str()), client.ip).await?;
    let code = VerificationCode::parse(code)?;
    let invalid = || {
        let mut e = AppError::field("code", "This code is not valid. Check the newest email we sent, or ask for a new code.");
        e.code = ErrorCode::InvalidCode;
        e
    };

    let mut tx = st.db.begin_write().await?;
    let user = users::find_by_email(&mut tx, email.as_str()).await?.filter(|u| !u.verified()).ok_or_else(invalid)?;
    let live = users::live_code(&mut tx, &user.id, VERIFY_PURPOSE).await?.filter(|c| c.expires_at > now_ms()).ok_or_else(invalid)?;
    let digest = secrets::code_digest(&st.config.secret_key, &user.id, code.expose());
    if !secrets::digests_equal(&digest, &live.code_hash) {
        users::record_wrong_code(&mut tx, &live.id, MAX_CODE_ATTEMPTS).await?;
        tx.commit().await?;
        return Err(invalid());
    }
    if !users::consume_code(&mut tx, &live.id, MAX_CODE_ATTEMPTS).await? {
        return Err(invalid());
    }
    users::mark_verified(&mut tx, &user.id).await?;
    let user = users::find_by_id(&mut tx, &user.id).await?.ok_or_else(AppError::internal)?;
    tx.commit().await?;
    tracing::info!(user_id = %user.id, "email verified");
    Ok(user)
}

/// Mails a fresh code when the account exists and is unverified. Same answer in every case.
pub async fn resend_code(st: &AppState, client: Client, email: &str) -> Result<(), AppError> {
    let email = Email::parse(email)?;
    st.throttle.check(Action::Resend, Some(email.as_str()), client.ip).await?;
    // A failure is logged (with its cause, once) but answered like success, so the answer never
    // tells a known address from an unknown one.
    if let Err(e) = resend_inner(st, &email).await {
        tracing::warn!(code = e.code.as_str(), "resend failed");
    }
    Ok(())
}

async fn resend_inner(st: &AppState, email: &Email) -> Result<(), AppError> {
    let code = secrets::new_code();
    let mut tx = st.db.begin_write().await?;
    let Some(user) = users::find_by_email(&mut tx, email.as_str()).await? else { return Ok(()) };
    if user.verified() {
        return Ok(());
    }
    users::consume_codes(&mut tx, &user.id, VERIFY_PURPOSE).await?;
    let digest = secrets::code_digest(&st.config.secret_key, &user.id, &code);
    users::insert_code(&mut tx, &user.id, VERIFY_PURPOSE, &digest, now_ms() + CODE_TTL_MS).await?;
    jobs::mail::enqueue(&mut tx, st, &templates::verification_code(&user.email, &user.name, &code)).await?;
    tx.commit().await?;
    st.jobs.wake();
    Ok(())
}

// ---- log-in, sessions and tokens ---------------------------------------------------------------

/// Checks credentials. Unknown email and wrong password give the same `InvalidCredentials`.
pub async fn login(st: &AppState, client: Client, email: &str, password_raw: &str) -> Result<UserRow, AppError> {
    let invalid = || AppError::new(ErrorCode::InvalidCredentials, "Invalid email or password.");
    let email = Email::parse(email)?;
    if password_raw.is_empty() {
        return Err(AppError::field("password", "Enter your password."));
    }
    st.throttle.check_login(&st.config.secret_key, email.as_str(), client.device.as_deref(), client.ip).await?;
    let mut c = st.db.pool().acquire().await?;
    let Some(user) = users::find_by_email(&mut c, email.as_str()).await? else {
        password::verify_dummy(password_raw).await;
        return Err(invalid());
    };
    drop(c);
    if !password::verify(password_raw, &user.password_hash).await? {
        return Err(invalid());
    }
    if !user.verified() {
        return Err(AppError::new(ErrorCode::EmailNotVerified, "Verify your email before logging in: enter the 6-digit code we sent you."));
    }
    Ok(user)
}

/// A device token for the browser that just logged in as `email` (see `auth::throttle`).
pub fn device_token(st: &AppState, email: &str) -> String {
    crate::server::auth::throttle::device_token(&st.config.secret_key, email)
}

/// Starts a browser session (revoking the browser's previous one, if any) and returns the raw id
/// for the cookie.
pub async fn start_session(st: &AppState, user_id: &str, previous_raw: Option<&str>) -> Result<String, AppError> {
    let raw = secrets::new_token();
    let mut tx = st.db.begin_write().await?;
    if let Some(prev) = previous_raw {
        users::revoke_session(&mut tx, &secrets::sha256_hex(prev)).await?;
    }
    users::insert_session(&mut tx, &secrets::sha256_hex(&raw), user_id, now_ms() + crate::server::auth::cookie::SESSION_TTL_MS).await?;
    tx.commit().await?;
    Ok(raw)
}

/// The principal of a session cookie, if the session is live.
pub async fn authenticate_session(st: &AppState, raw: &str) -> Result<Option<Principal>, AppError> {
    let id_hash = secrets::sha256_hex(raw);
    cache::principal(&format!("s:{id_hash}"), async || {
        let mut c = st.db.pool().acquire().await?;
        let user = users::session_user(&mut c, &id_hash).await?;
        Ok(user.filter(UserRow::verified).map(|user| Principal { user, via: AuthVia::Session { id_hash } }))
    })
    .await
}

pub async fn end_session(st: &AppState, raw: &str) -> Result<(), AppError> {
    let mut tx = st.db.begin_write().await?;
    users::revoke_session(&mut tx, &secrets::sha256_hex(raw)).await?;
    tx.commit().await?;
    Ok(())
}

/// A new token family for the user: an access token and its first refresh token.
pub async fn issue_tokens(st: &AppState, user_id: &str) -> Result<TokenPair, AppError> {
    let family = new_id();
    let refresh = secrets::new_token();
    let mut tx = st.db.begin_write().await?;
    users::insert_family(&mut tx, &family, user_id).await?;
    users::insert_refresh(&mut tx, &family, &secrets::sha256_hex(&refresh), now_ms() + REFRESH_TTL_MS).await?;
    tx.commit().await?;
    sign_pair(st, user_id, &family, refresh)
}

fn sign_pair(st: &AppState, user_id: &str, family: &str, refresh: String) -> Result<TokenPair, AppError> {
    let (access, exp) = st.access_keys.sign(user_id, family, now_ms() / 1000).or_internal("signing access token")?;
    Ok(TokenPair { access_token: access, refresh_token: refresh, expires_at: exp })
}

/// The principal of a bearer access token.
pub async fn authenticate_bearer(st: &AppState, token: &str) -> Result<Principal, AppError> {
    let invalid = || AppError::new(ErrorCode::Unauthenticated, "The access token is invalid or has expired.");
    let claims = st.access_keys.verify(token).ok_or_else(invalid)?;
    // Verified first, so an expired token is refused whatever the memo holds.
    cache::principal(&format!("t:{}", secrets::sha256_hex(token)), async || {
        let mut c = st.db.pool().acquire().await?;
        if !users::family_live(&mut c, &claims.fam, &claims.sub).await? {
            return Ok(None);
        }
        let user = users::find_by_id(&mut c, &claims.sub).await?.filter(UserRow::verified);
        Ok::<_, AppError>(user.map(|user| Principal { user, via: AuthVia::AccessToken { family_id: claims.fam } }))
    })
    .await?
    .ok_or_else(invalid)
}

/// Rotates a refresh token. A token that was already used is a replay: its whole family is
/// revoked, which also kills the access tokens minted from it.
pub async fn refresh(st: &AppState, raw: &str) -> Result<TokenPair, AppError> {
    let invalid = || AppError::new(ErrorCode::Unauthenticated, "The refresh token is invalid or has expired. Log in again.");
    if raw.trim().is_empty() {
        return Err(AppError::field("refreshToken", "refreshToken is required."));
    }
    let hash = secrets::sha256_hex(raw.trim());
    let next = secrets::new_token();
    let mut tx = st.db.begin_write().await?;
    let row = users::find_refresh(&mut tx, &hash).await?.ok_or_else(invalid)?;
    if row.family_revoked || row.expires_at <= now_ms() {
        return Err(invalid());
    }
    if row.used_at.is_some() || !users::use_refresh(&mut tx, &hash).await? {
        users::revoke_family(&mut tx, &row.family_id).await?;
        tx.commit().await?;
        tracing::warn!(user_id = %row.user_id, "refresh token replay; family revoked");
        return Err(invalid());
    }
    users::insert_refresh(&mut tx, &row.family_id, &secrets::sha256_hex(&next), now_ms() + REFRESH_TTL_MS).await?;
    tx.commit().await?;
    sign_pair(st, &row.user_id, &row.family_id, next)
}

/// Ends what the principal is logged in with: its browser session or its token family.
pub async fn logout(tx: &mut Tx, actor: &Actor) -> Result<(), AppError> {
    let Some(p) = actor.principal() else { return Err(AppError::forbidden("Only a signed-in caller can log out.")) };
    match &p.via {
        AuthVia::Session { id_hash } => users::revoke_session(&mut *tx, id_hash).await?,
        AuthVia::AccessToken { family_id } => users::revoke_family(&mut *tx, family_id).await?,
        AuthVia::ApiKey { .. } => {
            return Err(AppError::forbidden("API keys cannot log out; revoke the key instead."));
        }
    }
    Ok(())
}

// ---- passwords ---------------------------------------------------------------------------------

/// Changes the password after checking the current one. Every other session and token family of
/// the user is revoked; the caller's own stays logged in.
pub async fn change_password(st: &AppState, client: Client, actor: &Actor, current: &str, new: &str) -> Result<(), AppError> {
    let Actor::User(p) = actor else {
        return Err(AppError::forbidden("Passwords cannot be changed with an API key. Log in instead."));
    };
    st.throttle.check_login(&st.config.secret_key, &p.user.email, client.device.as_deref(), client.ip).await?;
    if current.is_empty() {
        return Err(AppError::field("current_password", "Enter your current password."));
    }
    let new = Password::parse_new(new, "new_password")?;
    if !password::verify(current, &p.user.password_hash).await? {
        let mut e = AppError::field("current_password", "The current password is not right.");
        e.code = ErrorCode::InvalidCredentials;
        return Err(e);
    }
    if current == new.expose() {
        return Err(AppError::field("new_password", "Choose a password different from the current one."));
    }
    let hash = password::hash(new.expose()).await?;
    let (keep_session, keep_family) = match &p.via {
        AuthVia::Session { id_hash } => (Some(id_hash.as_str()), None),
        AuthVia::AccessToken { family_id } => (None, Some(family_id.as_str())),
        AuthVia::ApiKey { .. } => (None, None),
    };
    let mut tx = st.db.begin_write().await?;
    users::set_password(&mut tx, &p.user.id, &hash).await?;
    users::revoke_sessions(&mut tx, &p.user.id, keep_session).await?;
    users::revoke_families(&mut tx, &p.user.id, keep_family).await?;
    users::kill_resets(&mut tx, &p.user.id).await?;
    tx.commit().await?;
    tracing::info!(user_id = %p.user.id, "password changed");
    Ok(())
}

/// Mails a reset link when the account exists. Same answer in every case.
pub async fn forgot_password(st: &AppState, client: Client, email: &str) -> Result<(), AppError> {
    let email = Email::parse(email)?;
    st.throttle.check(Action::Forgot, Some(email.as_str()), client.ip).await?;
    // As for resend: failures are logged, never told apart in the answer.
    if let Err(e) = forgot_inner(st, &email).await {
        tracing::warn!(code = e.code.as_str(), "password reset mail not queued");
    }
    Ok(())
}

async fn forgot_inner(st: &AppState, email: &Email) -> Result<(), AppError> {
    let token = secrets::new_link_token();
    let mut tx = st.db.begin_write().await?;
    let Some(user) = users::find_by_email(&mut tx, email.as_str()).await? else { return Ok(()) };
    users::insert_reset(&mut tx, &user.id, &secrets::sha256_hex(&token), now_ms() + RESET_TTL_MS).await?;
    let link = st.config.link(&format!("/reset-password?token={token}"));
    jobs::mail::enqueue(&mut tx, st, &templates::password_reset(&user.email, &user.name, &link)).await?;
    tx.commit().await?;
    st.jobs.wake();
    Ok(())
}

/// Sets a new password with a mailed reset token. The token is single-use; afterwards every
/// session and token family of the user is revoked. Proves the address, so it also verifies it.
pub async fn reset_password(st: &AppState, client: Client, token: &str, new: &str) -> Result<(), AppError> {
    st.throttle.check(Action::Reset, None, client.ip).await?;
    let token = token.trim();
    if token.is_empty() {
        return Err(AppError::field("token", "The reset link is incomplete. Open the link from the email again."));
    }
    let new = Password::parse_new(new, "new_password")?;
    let hash = password::hash(new.expose()).await?;
    let mut tx = st.db.begin_write().await?;
    let user_id = users::take_reset(&mut tx, &secrets::sha256_hex(token))
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::InvalidCode, "This reset link is invalid, expired or already used. Ask for a new one."))?;
    users::set_password(&mut tx, &user_id, &hash).await?;
    users::mark_verified(&mut tx, &user_id).await?;
    users::revoke_sessions(&mut tx, &user_id, None).await?;
    users::revoke_families(&mut tx, &user_id, None).await?;
    users::kill_resets(&mut tx, &user_id).await?;
    users::consume_codes(&mut tx, &user_id, VERIFY_PURPOSE).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user_id, "password reset");
    Ok(())
}

// ---- profile -----------------------------------------------------------------------------------

pub async fn update_profile(tx: &mut Tx, actor: &Actor, name: &str, company: &str) -> Result<UserView, AppError> {
    let p = super::access::user(actor)?;
    let name = PersonName::parse(name)?;
    let company = CompanyName::parse(company)?;
    users::update_profile(&mut *tx, &p.user.id, name.as_str(), company.as_option()).await?;
    let user = users::find_by_id(&mut *tx, &p.user.id).await?.ok_or_else(AppError::internal)?;
    Ok(user_view(&user))
}

/// Creates an already-verified user (the `create-user` CLI command).
pub async fn create_verified_user(st: &AppState, name: &str, email: &str, password_raw: &str) -> Result<UserView, AppError> {
    let email = Email::parse(email)?;
    let name = PersonName::parse(name)?;
    let password = Password::parse_new(password_raw, "password")?;
    let hash = password::hash(password.expose()).await?;
    let mut tx = st.db.begin_write().await?;
    if users::find_by_email(&mut tx, email.as_str()).await?.is_some() {
        return Err(AppError::new(ErrorCode::Conflict, "An account with this email already exists."));
    }
    let id = new_id();
    users::insert(&mut tx, &id, email.as_str(), name.as_str(), &hash, Some(now_ms())).await?;
    let user = users::find_by_id(&mut tx, &id).await?.ok_or_else(AppError::internal)?;
    tx.commit().await?;
    Ok(user_view(&user))
}
