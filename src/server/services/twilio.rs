//! A project's Twilio account: credentials (the auth token sealed at rest) and importing the
//! account's phone numbers.
//!
//! Decisions: admins and above manage credentials and imports. A project without its own
//! credentials falls back to the server-wide `TWILIO_ACCOUNT_SID`/`TWILIO_AUTH_TOKEN`. Twilio is
//! called before the write transaction opens, so a slow Twilio never holds the database lock.
//! Import is idempotent: numbers already in the project get their SID refreshed, numbers held by
//! another project are skipped with a reason.

use super::access::{self, Need};
use super::audit;
use crate::model::{AppError, ErrorCode, ImportReport, SkippedNumber, TwilioSettingsView};
use crate::server::auth::{sealed, Actor};
use crate::server::db::{integrations, numbers as numbers_db, Tx};
use crate::server::domain::AuditAction;
use crate::server::domain::E164;
use crate::server::state::AppState;
use serde::Deserialize;
use sqlx::AnyConnection;
use std::time::Duration;

const KIND: &str = "twilio";
/// Pages followed at most (Twilio pages hold up to 1000 numbers).
const MAX_PAGES: usize = 20;

fn context(project_id: &str) -> String {
    format!("twilio:{project_id}")
}

fn valid_sid(s: &str) -> bool {
    s.len() == 34 && s.starts_with("AC") && s[2..].chars().all(|c| c.is_ascii_hexdigit())
}

use crate::server::auth::secrets::hint;

#[derive(Deserialize)]
struct PublicConfig {
    account_sid: String,
    auth_token_hint: String,
}

pub async fn settings(c: &mut AnyConnection, actor: &Actor, project_id: &str) -> Result<Option<TwilioSettingsView>, AppError> {
    access::project(&mut *c, actor, project_id, Need::Manage).await?;
    let Some(row) = integrations::get(&mut *c, project_id, KIND).await? else { return Ok(None) };
    let cfg: PublicConfig = serde_json::from_str(&row.public_config).map_err(|e| {
        tracing::error!(error = %e, "stored Twilio settings are unreadable");
        AppError::internal()
    })?;
    Ok(Some(TwilioSettingsView { account_sid: cfg.account_sid, auth_token_hint: cfg.auth_token_hint, updated_at: row.updated_at }))
}

pub async fn save(st: &AppState, tx: &mut Tx, actor: &Actor, project_id: &str, account_sid: &str, auth_token: &str) -> Result<TwilioSettingsView, AppError> {
    let sid = account_sid.trim();
    let token = auth_token.trim();
    let mut problems = Vec::new();
    if !valid_sid(sid) {
        problems.push(("account_sid", "An account SID starts with AC followed by 32 hexadecimal characters."));
    }
    if token.len() < 16 || token.len() > 128 || !token.chars().all(|c| c.is_ascii_graphic()) {
        problems.push(("auth_token", "Paste the auth token from the Twilio console (16 to 128 characters, no spaces)."));
    }
    if let Some((field, msg)) = problems.first() {
        let mut e = AppError::field(field, *msg);
        e.details = problems.iter().map(|(f, m)| crate::model::error::FieldError { field: f.to_string(), message: m.to_string() }).collect();
        return Err(e);
    }
    let sealed_token = sealed::seal(&st.config.secret_key, &context(project_id), token)?;
    let public = serde_json::json!({"account_sid": sid, "auth_token_hint": hint(token)}).to_string();
    access::project(&mut *tx, actor, project_id, Need::Manage).await?;
    integrations::put(&mut *tx, project_id, KIND, &public, &sealed_token).await?;
    audit::record(&mut *tx, actor, project_id, AuditAction::TwilioCredentialsSaved, None, Some(sid)).await?;
    let row = integrations::get(&mut *tx, project_id, KIND).await?.ok_or_else(AppError::internal)?;
    Ok(TwilioSettingsView { account_sid: sid.into(), auth_token_hint: hint(token), updated_at: row.updated_at })
}

pub async fn delete(tx: &mut Tx, actor: &Actor, project_id: &str) -> Result<(), AppError> {
    access::project(&mut *tx, actor, project_id, Need::Manage).await?;
    if integrations::delete(&mut *tx, project_id, KIND).await? {
        audit::record(&mut *tx, actor, project_id, AuditAction::TwilioCredentialsRemoved, None, None).await?;
    }
    Ok(())
}

/// The account to use for a project: its own, else the server-wide one.
pub(super) async fn credentials(st: &AppState, c: &mut AnyConnection, project_id: &str) -> Result<Option<(String, String)>, AppError> {
    if let Some(row) = integrations::get(&mut *c, project_id, KIND).await? {
        let cfg: PublicConfig = serde_json::from_str(&row.public_config).map_err(|_| AppError::internal())?;
        let token = sealed::open(&st.config.secret_key, &context(project_id), &row.secret_sealed)?;
        return Ok(Some((cfg.account_sid, token)));
    }
    Ok(st.config.twilio_account_sid.clone().zip(st.config.twilio_auth_token.clone()))
}

#[derive(Deserialize)]
struct NumbersPage {
    #[serde(default)]
    incoming_phone_numbers: Vec<IncomingNumber>,
    next_page_uri: Option<String>,
}

#[derive(Deserialize)]
pub struct IncomingNumber {
    sid: String,
    phone_number: String,
    #[serde(default)]
    friendly_name: String,
}

fn upstream(msg: &str) -> AppError {
    AppError::new(ErrorCode::Upstream, msg)
}

/// Every incoming number of the account, following Twilio's pagination.
async fn fetch_numbers(base: &str, sid: &str, token: &str) -> Result<Vec<IncomingNumber>, AppError> {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().map_err(|e| {
        tracing::error!(error = %e, "cannot build the HTTP client");
        AppError::internal()
    })?;
    let mut url = format!("{base}/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json?PageSize=1000");
    let mut out = Vec::new();
    for _ in 0..MAX_PAGES {
        let res = client.get(&url).basic_auth(sid, Some(token)).send().await.map_err(|e| {
            tracing::warn!(error = %e, "Twilio unreachable");
            upstream("Twilio could not be reached. Try again in a moment.")
        })?;
        match res.status().as_u16() {
            200 => {}
            401 | 403 => {
                let mut e = AppError::field("auth_token", "Twilio refused these credentials. Check the account SID and auth token.");
                e.code = ErrorCode::InvalidInput;
                return Err(e);
            }
            404 => return Err(AppError::field("account_sid", "Twilio does not know this account SID.")),
            s => {
                tracing::warn!(status = s, "Twilio answered the number list with an error");
                return Err(upstream("Twilio answered with an error. Try again in a moment."));
            }
        }
        let page: NumbersPage = res.json().await.map_err(|e| {
            tracing::warn!(error = %e, "Twilio number list unreadable");
            upstream("Twilio's answer could not be read.")
        })?;
        out.extend(page.incoming_phone_numbers);
        match page.next_page_uri.filter(|u| u.starts_with('/')) {
            Some(next) => url = format!("{base}{next}"),
            None => return Ok(out),
        }
    }
    Ok(out)
}

/// Imports the account's numbers: the one workflow that opens its own transactions, because
/// Twilio is asked first ([`fetch_importable`], outside any transaction, so a slow Twilio never
/// holds the database lock) and the answer is stored after ([`store_import`], in one).
pub async fn import_numbers(st: &AppState, actor: &Actor, project_id: &str) -> Result<ImportReport, AppError> {
    let fetched = fetch_importable(st, actor, project_id).await?;
    st.write(async |tx| store_import(st, tx, actor, project_id, fetched).await).await
}

/// The numbers of the project's Twilio account, as Twilio lists them.
pub async fn fetch_importable(st: &AppState, actor: &Actor, project_id: &str) -> Result<Vec<IncomingNumber>, AppError> {
    let (sid, token) = st
        .read(async |c| {
            access::project(&mut *c, actor, project_id, Need::Manage).await?;
            credentials(st, c, project_id).await
        })
        .await?
        // The request is fine; the project is not ready for it: a conflict with its state, not bad input.
        .ok_or_else(|| AppError::new(ErrorCode::Conflict, "Add your Twilio account SID and auth token first."))?;
    fetch_numbers(&st.config.twilio_api_base, &sid, &token).await
}

/// Stores fetched numbers: new ones are added, known ones get their SID refreshed, numbers of
/// another project are skipped with a reason.
pub async fn store_import(st: &AppState, tx: &mut Tx, actor: &Actor, project_id: &str, fetched: Vec<IncomingNumber>) -> Result<ImportReport, AppError> {
    access::project(&mut *tx, actor, project_id, Need::Manage).await?;
    let mut report = ImportReport::default();
    for n in fetched {
        let parsed = match E164::parse(&n.phone_number, None, "number") {
            Ok(e) => e,
            Err(_) => {
                report.skipped.push(SkippedNumber { number: n.phone_number, reason: "Not a valid phone number.".into() });
                continue;
            }
        };
        match numbers_db::find_by_e164(&mut *tx, parsed.as_str()).await? {
            Some(existing) if existing.project_id == project_id => {
                numbers_db::set_twilio(&mut *tx, project_id, &existing.id, &n.sid).await?;
                report.already_present += 1;
            }
            Some(_) => report.skipped.push(SkippedNumber { number: parsed.as_str().into(), reason: "Already in use in another project.".into() }),
            None => {
                let label: String = n.friendly_name.trim().chars().take(100).collect();
                let row = super::numbers::insert_imported(&mut *tx, st, project_id, &parsed, &label, &n.sid).await?;
                report.imported.push(super::numbers::view(&row, &[]));
            }
        }
    }
    // Numbers already answered by an inbound agent get their voice URL pointed at us.
    super::twilio_calls::numbers_changed(&mut *tx, project_id).await?;
    audit::record(
        &mut *tx,
        actor,
        project_id,
        AuditAction::TwilioNumbersImported,
        None,
        Some(&format!("{} imported, {} present, {} skipped", report.imported.len(), report.already_present, report.skipped.len())),
    )
    .await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sids_and_hints() {
        assert!(valid_sid("AC0123456789abcdef0123456789abcdef"));
        assert!(!valid_sid("AC0123"));
        assert!(!valid_sid("XX0123456789abcdef0123456789abcdef"));
        assert_eq!(hint("abcdef123456"), "…3456");
    }
}
