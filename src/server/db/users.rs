//! Queries on users and their credentials: email codes, reset tokens, browser sessions and
//! API token families. Secrets are only ever stored hashed; callers pass hashes in.

use super::{now_ms, typed_opt};
use sqlx::{AnyConnection, Row};

#[derive(Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub company_name: Option<String>,
    pub password_hash: String,
    pub email_verified_at: Option<i64>,
    pub active_project_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

// The hash is not secret-grade sensitive, but it has no business in logs either.
impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow").field("id", &self.id).field("email", &self.email).finish_non_exhaustive()
    }
}

impl UserRow {
    pub fn verified(&self) -> bool {
        self.email_verified_at.is_some()
    }
}

const USER_COLS: &str = "id, email, name, company_name, password_hash, email_verified_at, \
                         active_project_id, created_at, updated_at";

pub async fn find_by_email(c: &mut AnyConnection, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE email = $1");
    let row = sqlx::query(&sql).bind(email).fetch_optional(c).await?;
    typed_opt("users", "id", row)
}

pub async fn find_by_id(c: &mut AnyConnection, id: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(c).await?;
    typed_opt("users", "id", row)
}

pub async fn insert(c: &mut AnyConnection, id: &str, email: &str, name: &str, password_hash: &str, verified_at: Option<i64>) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO users (id, email, name, company_name, password_hash, email_verified_at, \
         active_project_id, created_at, updated_at) VALUES ($1, $2, $3, NULL, $4, $5, NULL, $6, $6)",
    )
    .bind(id)
    .bind(email)
    .bind(name)
    .bind(password_hash)
    .bind(verified_at)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// Re-registration of a still-unverified account: the latest sign-up's name and password win.
pub async fn replace_unverified(c: &mut AnyConnection, id: &str, name: &str, password_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET name = $1, password_hash = $2, updated_at = $3 \
         WHERE id = $4 AND email_verified_at IS NULL",
    )
    .bind(name)
    .bind(password_hash)
    .bind(now_ms())
    .bind(id)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn mark_verified(c: &mut AnyConnection, id: &str) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query("UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1), updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn set_password(c: &mut AnyConnection, id: &str, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now_ms())
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn update_profile(c: &mut AnyConnection, id: &str, name: &str, company: Option<&str>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET name = $1, company_name = $2, updated_at = $3 WHERE id = $4")
        .bind(name)
        .bind(company)
        .bind(now_ms())
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

// ---- email codes -------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
pub struct EmailCodeRow {
    pub id: String,
    pub code_hash: String,
    pub attempts: i64,
    pub expires_at: i64,
}

/// Kills every live code of this purpose for the user (a new one is about to be issued, or the
/// account was verified).
pub async fn consume_codes(c: &mut AnyConnection, user_id: &str, purpose: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE email_codes SET consumed_at = $1 WHERE user_id = $2 AND purpose = $3 AND consumed_at IS NULL")
        .bind(now_ms())
        .bind(user_id)
        .bind(purpose)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn insert_code(c: &mut AnyConnection, user_id: &str, purpose: &str, code_hash: &str, expires_at: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO email_codes (id, user_id, purpose, code_hash, attempts, expires_at, consumed_at, created_at) \
         VALUES ($1, $2, $3, $4, 0, $5, NULL, $6)",
    )
    .bind(super::new_id())
    .bind(user_id)
    .bind(purpose)
    .bind(code_hash)
    .bind(expires_at)
    .bind(now_ms())
    .execute(c)
    .await?;
    Ok(())
}

/// The newest unconsumed code of this purpose, expired or not (the caller tells them apart).
pub async fn live_code(c: &mut AnyConnection, user_id: &str, purpose: &str) -> Result<Option<EmailCodeRow>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, code_hash, attempts, expires_at FROM email_codes \
         WHERE user_id = $1 AND purpose = $2 AND consumed_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(user_id)
    .bind(purpose)
    .fetch_optional(c)
    .await?;
    typed_opt("email_codes", "id", row)
}

/// Counts a wrong try; the code dies when `max` is reached. Returns the new attempt count.
pub async fn record_wrong_code(c: &mut AnyConnection, code_id: &str, max: i64) -> Result<i64, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE email_codes SET attempts = attempts + 1, \
         consumed_at = CASE WHEN attempts + 1 >= $1 THEN $2 ELSE consumed_at END \
         WHERE id = $3 RETURNING attempts",
    )
    .bind(max)
    .bind(now_ms())
    .bind(code_id)
    .fetch_one(c)
    .await?;
    r.try_get("attempts")
}

/// Uses up a code if it is still live (not consumed, not expired, under `max` wrong tries): the
/// write decides, so concurrent checks cannot use one code twice or past its limit.
pub async fn consume_code(c: &mut AnyConnection, code_id: &str, max: i64) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let r = sqlx::query("UPDATE email_codes SET consumed_at = $1 WHERE id = $2 AND consumed_at IS NULL AND expires_at > $1 AND attempts < $3")
        .bind(now)
        .bind(code_id)
        .bind(max)
        .execute(c)
        .await?;
    Ok(r.rows_affected() == 1)
}

// ---- password reset tokens ----------------------------------------------------------------

pub async fn insert_reset(c: &mut AnyConnection, user_id: &str, token_hash: &str, expires_at: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO password_resets (id, user_id, token_hash, expires_at, used_at, created_at) \
         VALUES ($1, $2, $3, $4, NULL, $5)",
    )
    .bind(super::new_id())
    .bind(user_id)
    .bind(token_hash)
    .bind(expires_at)
    .bind(now_ms())
    .execute(c)
    .await?;
    Ok(())
}

/// Marks the token used if it is live and returns its user; `None` for unknown, used or expired.
/// The single UPDATE makes reuse impossible even under concurrent requests.
pub async fn take_reset(c: &mut AnyConnection, token_hash: &str) -> Result<Option<String>, sqlx::Error> {
    let now = now_ms();
    let row = sqlx::query(
        "UPDATE password_resets SET used_at = $1 \
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
    )
    .bind(now)
    .bind(token_hash)
    .fetch_optional(c)
    .await?;
    row.map(|r| r.try_get("user_id")).transpose()
}

pub async fn kill_resets(c: &mut AnyConnection, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(now_ms())
        .bind(user_id)
        .execute(c)
        .await?;
    Ok(())
}

// ---- browser sessions ----------------------------------------------------------------------

pub async fn insert_session(c: &mut AnyConnection, id_hash: &str, user_id: &str, expires_at: i64) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, revoked_at) \
         VALUES ($1, $2, $3, $3, $4, NULL)",
    )
    .bind(id_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(c)
    .await?;
    Ok(())
}

/// The user of a live session.
pub async fn session_user(c: &mut AnyConnection, id_hash: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2",
        USER_COLS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
    );
    let row = sqlx::query(&sql).bind(id_hash).bind(now_ms()).fetch_optional(c).await?;
    typed_opt("users", "id", row)
}

pub async fn revoke_session(c: &mut AnyConnection, id_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id_hash = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(id_hash)
        .execute(c)
        .await?;
    Ok(())
}

/// Revokes every session of the user except `keep` (the caller's own, when it should survive).
pub async fn revoke_sessions(c: &mut AnyConnection, user_id: &str, keep: Option<&str>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id_hash <> $3")
        .bind(now_ms())
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .execute(c)
        .await?;
    Ok(())
}

// ---- API token families ------------------------------------------------------------------

pub async fn insert_family(c: &mut AnyConnection, id: &str, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO token_families (id, user_id, created_at, revoked_at) VALUES ($1, $2, $3, NULL)")
        .bind(id)
        .bind(user_id)
        .bind(now_ms())
        .execute(c)
        .await?;
    Ok(())
}

/// True when the family exists, is not revoked and belongs to the user.
pub async fn family_live(c: &mut AnyConnection, id: &str, user_id: &str) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT 1 AS one FROM token_families WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
        .bind(id)
        .bind(user_id)
        .fetch_optional(c)
        .await?;
    Ok(row.is_some())
}

pub async fn revoke_family(c: &mut AnyConnection, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE token_families SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn revoke_families(c: &mut AnyConnection, user_id: &str, keep: Option<&str>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE token_families SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3")
        .bind(now_ms())
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .execute(c)
        .await?;
    Ok(())
}

pub async fn insert_refresh(c: &mut AnyConnection, family_id: &str, token_hash: &str, expires_at: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at, used_at) \
         VALUES ($1, $2, $3, $4, NULL)",
    )
    .bind(token_hash)
    .bind(family_id)
    .bind(now_ms())
    .bind(expires_at)
    .execute(c)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
pub struct RefreshRow {
    pub family_id: String,
    pub user_id: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    /// Whether the token's family was revoked (computed by the query as 0/1).
    #[sqlx(try_from = "super::Flag")]
    pub family_revoked: bool,
}

pub async fn find_refresh(c: &mut AnyConnection, token_hash: &str) -> Result<Option<RefreshRow>, sqlx::Error> {
    // The token hash is the row's key but a secret's digest: the family id names the row instead.
    let row = sqlx::query(
        "SELECT r.family_id, f.user_id, r.expires_at, r.used_at, \
         CASE WHEN f.revoked_at IS NULL THEN 0 ELSE 1 END AS family_revoked \
         FROM refresh_tokens r JOIN token_families f ON f.id = r.family_id WHERE r.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await?;
    typed_opt("refresh_tokens", "family_id", row)
}

/// Marks a refresh token used; false when it was already used (a concurrent replay lost).
pub async fn use_refresh(c: &mut AnyConnection, token_hash: &str) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
        .bind(now_ms())
        .bind(token_hash)
        .execute(c)
        .await?;
    Ok(r.rows_affected() == 1)
}
