//! API keys: `tdk_` + 256 random bits, shown once, stored as SHA-256, revocable with immediate
//! effect. A key acts with its creator's role on each project, limited to one project when it
//! was created for one. Talkstack's `generate-apikey` keeps one such key per user and replaces it.

use super::access::{self, Need};
use super::audit;
use crate::model::{ApiKeyCreated, ApiKeyView, AppError, ErrorCode};
use crate::server::auth::{cache, secrets, Actor, AuthVia, Principal};
use crate::server::db::projects::{self, ApiKeyRow};
use crate::server::db::{new_id, now_ms, Tx};
use crate::server::domain::AuditAction;
use crate::server::state::AppState;
use sqlx::AnyConnection;

pub const KEY_PREFIX: &str = "tdk_";
/// How many characters of a key are kept in clear to recognise it.
const SHOWN: usize = 12;
/// How precisely a key's last use is recorded.
const KEY_USE_RESOLUTION_MS: i64 = 60_000;

fn view(k: &ApiKeyRow) -> ApiKeyView {
    ApiKeyView {
        id: k.id.clone(),
        name: k.name.clone(),
        prefix: k.prefix.clone(),
        project_id: k.project_id.clone(),
        project_name: k.project_name.clone(),
        created_at: k.created_at,
        last_used_at: k.last_used_at,
    }
}

fn new_secret() -> String {
    format!("{KEY_PREFIX}{}", secrets::new_token())
}

/// A new key: the secret (shown once), its recognisable prefix and its stored hash.
struct NewKey {
    secret: String,
    prefix: String,
    hash: String,
}

impl NewKey {
    fn generate() -> Self {
        let secret = new_secret();
        NewKey { prefix: secret.chars().take(SHOWN).collect(), hash: secrets::sha256_hex(&secret), secret }
    }
}

/// Keys are managed by people: another key (or the system) cannot make or see them.
fn key_manager(actor: &Actor) -> Result<&Principal, AppError> {
    match actor {
        Actor::User(p) => Ok(p),
        _ => Err(AppError::forbidden("API keys cannot manage API keys. Log in or use an access token.")),
    }
}

fn parse_name(raw: &str) -> Result<String, AppError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(AppError::field("name", "Give the key a name, e.g. where it is used."));
    }
    if s.chars().count() > crate::model::limits::api_key::NAME_MAX {
        return Err(AppError::field("name", crate::model::limits::at_most(crate::model::limits::api_key::NAME_MAX)));
    }
    Ok(s.to_string())
}

pub async fn create(tx: &mut Tx, actor: &Actor, name: &str, project_id: Option<&str>) -> Result<ApiKeyCreated, AppError> {
    let project_id = project_id.map(str::trim).filter(|s| !s.is_empty());
    let key = NewKey::generate();
    let id = new_id();
    // A project the caller cannot see answers 404 before anything else is said about it.
    if let Some(pid) = project_id {
        access::project(&mut *tx, actor, pid, Need::Manage).await?;
    }
    let p = key_manager(actor)?;
    let name = parse_name(name)?;
    projects::insert_key(&mut *tx, &id, p.user_id(), project_id, &name, &key.prefix, &key.hash, false).await?;
    if let Some(pid) = project_id {
        audit::record(&mut *tx, actor, pid, AuditAction::ApiKeyCreated, Some(&key.prefix), Some(&name)).await?;
    }
    let row = projects::keys_of(&mut *tx, p.user_id()).await?.into_iter().find(|k| k.id == id).ok_or_else(AppError::internal)?;
    Ok(ApiKeyCreated { key: view(&row), secret: key.secret })
}

pub async fn list(c: &mut AnyConnection, actor: &Actor) -> Result<Vec<ApiKeyView>, AppError> {
    let p = key_manager(actor)?;
    Ok(projects::keys_of(&mut *c, p.user_id()).await?.iter().map(view).collect())
}

pub async fn revoke(tx: &mut Tx, actor: &Actor, id: &str) -> Result<(), AppError> {
    let p = key_manager(actor)?;
    let key = projects::keys_of(&mut *tx, p.user_id()).await?.into_iter().find(|k| k.id == id);
    let Some(key) = key else { return Err(AppError::not_found("API key")) };
    projects::revoke_key(&mut *tx, p.user_id(), id).await?;
    if let Some(pid) = &key.project_id {
        audit::record(&mut *tx, actor, pid, AuditAction::ApiKeyRevoked, Some(&key.prefix), Some(&key.name)).await?;
    }
    Ok(())
}

/// Talkstack's one-key-per-user: revokes the previous key made this way and returns a new one.
pub async fn regenerate_legacy(tx: &mut Tx, actor: &Actor) -> Result<String, AppError> {
    let Actor::User(p) = actor else {
        return Err(AppError::forbidden("Generate API keys with a bearer access token, not with an API key."));
    };
    let key = NewKey::generate();
    projects::revoke_legacy_keys(&mut *tx, p.user_id()).await?;
    projects::insert_key(&mut *tx, &new_id(), p.user_id(), None, "Talkstack API key", &key.prefix, &key.hash, true).await?;
    Ok(key.secret)
}

/// The principal behind an API key.
pub async fn authenticate(c: &mut AnyConnection, raw: &str) -> Result<Principal, AppError> {
    let invalid = || AppError::new(ErrorCode::Unauthenticated, "The API key is invalid or has been revoked.");
    let raw = raw.trim();
    if !raw.starts_with(KEY_PREFIX) {
        return Err(invalid());
    }
    let found = projects::key_owner_by_hash(&mut *c, &secrets::sha256_hex(raw)).await?.filter(|k| k.user.verified()).ok_or_else(invalid)?;
    // Use is recorded at most once a minute per key, so a hot key does not write on every request.
    // The row just read says whether it is due, so a hot key costs no write statement at all
    // (on SQLite even an UPDATE matching nothing takes the write lock).
    let now = now_ms();
    let due = found.key_last_used_at.is_none_or(|t| t < now - KEY_USE_RESOLUTION_MS);
    if due {
        if let Err(e) = projects::touch_key(&mut *c, &found.key_id, now, now - KEY_USE_RESOLUTION_MS).await {
            tracing::warn!(error = %e, "could not record API key use");
        }
    }
    Ok(Principal { user: found.user, via: AuthVia::ApiKey { key_id: found.key_id, project_id: found.key_project_id } })
}

/// [`authenticate`], answered from `auth::cache` while the key's owner was read fresh (a busy key
/// then costs no query; its use is still recorded once a minute, as a lookup past the memo's
/// lifetime finds it due).
pub async fn authenticate_memo(st: &AppState, raw: &str) -> Result<Principal, AppError> {
    let found = cache::principal(&format!("k:{}", secrets::sha256_hex(raw.trim())), async || st.read(async |c| authenticate(c, raw).await).await.map(Some)).await?;
    // `authenticate` answers an unknown key with its own error, never with nothing.
    found.ok_or_else(AppError::unauthenticated)
}

/// One keyset page of the caller's live keys, newest first; `after` is the previous page's last (created_at, id).
pub async fn page(c: &mut AnyConnection, actor: &Actor, after: Option<(i64, String)>, limit: i64) -> Result<Vec<ApiKeyView>, AppError> {
    let p = key_manager(actor)?;
    Ok(projects::keys_page(&mut *c, p.user_id(), after, limit).await?.iter().map(view).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_and_long() {
        let s = new_secret();
        assert!(s.starts_with("tdk_"));
        assert_eq!(s.len(), 4 + 43);
        assert_ne!(s, new_secret());
    }

    #[test]
    fn names_are_required() {
        assert!(parse_name("  ").is_err());
        assert_eq!(parse_name(" CI ").unwrap(), "CI");
    }
}
