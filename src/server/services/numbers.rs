//! Phone numbers of a project: add (normalised to E.164 from whatever was typed), list, label,
//! release, assign to and unassign from agents.
//!
//! Decisions: admins and above manage numbers; viewers read. A number lives in one project at
//! most, across all projects (a unique index backs this); adding one that is elsewhere is
//! refused without saying which project holds it. Releasing removes the number from Talkdeck
//! (and from its agents); a Twilio number stays in the Twilio account.

use super::access::{self, Access, Need};
use super::agents::{self as agents_svc, agent_not_found};
use super::audit;
use crate::model::{AgentRef, AppError, Direction, ErrorCode, NumberProvider, NumberStatus, PhoneNumberView};
use crate::server::auth::Actor;
use crate::server::db::agents::{self as agents_db, LinkRow};
use crate::server::db::numbers::{self as db, NumberRow};
use crate::server::db::{new_id, now_ms, Tx};
use crate::server::domain::AuditAction;
use crate::server::domain::E164;
use crate::server::state::AppState;
use sqlx::AnyConnection;

/// A number to add, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewNumber {
    pub number: String,
    /// ISO 3166 alpha-2, for national input.
    pub country: Option<String>,
    pub label: String,
    pub twilio_sid: Option<String>,
}

pub fn number_not_found() -> AppError {
    AppError::not_found("Phone number")
}

pub fn view(n: &NumberRow, links: &[LinkRow]) -> PhoneNumberView {
    let agents: Vec<AgentRef> = links
        .iter()
        .filter(|l| l.phone_number_id == n.id)
        .map(|l| AgentRef { id: l.agent_id.clone(), name: l.agent_name.clone(), direction: l.direction })
        .collect();
    let agent_id = agents.iter().find(|a| a.direction == Direction::Inbound).or_else(|| agents.first()).map(|a| a.id.clone());
    PhoneNumberView {
        id: n.id.clone(),
        project_id: n.project_id.clone(),
        number: n.e164.clone(),
        country_code: n.country_code.clone(),
        formatted_number: n.national_format.clone(),
        international_number: n.international_format.clone(),
        provider: n.provider.as_str().into(),
        status: n.status.as_str().into(),
        label: n.label.clone(),
        agent_id,
        agents,
        twilio_sid: n.twilio_sid.clone(),
        created_at: n.created_at,
        updated_at: n.updated_at,
    }
}

async fn view_one(c: &mut AnyConnection, n: &NumberRow) -> Result<PhoneNumberView, AppError> {
    let links = agents_db::links(&mut *c, &n.project_id).await?;
    Ok(view(n, &links))
}

fn clean_label(label: &str) -> Result<String, AppError> {
    let l = label.trim();
    if l.chars().count() > crate::model::limits::number::LABEL_MAX || l.chars().any(char::is_control) {
        return Err(AppError::field("label", crate::model::limits::number::label_too_long()));
    }
    Ok(l.to_string())
}

/// Finds a number the caller may act on with `need`; invisible or unknown numbers are 404.
async fn load(c: &mut AnyConnection, actor: &Actor, number_id: &str, need: Need) -> Result<(Access, NumberRow), AppError> {
    let project_id = db::project_of(&mut *c, number_id).await?.ok_or_else(number_not_found)?;
    let a = access::project(&mut *c, actor, &project_id, need)
        .await
        .map_err(|e| if e.code == ErrorCode::NotFound { number_not_found() } else { e })?;
    let row = db::find(&mut *c, &project_id, number_id).await?.ok_or_else(number_not_found)?;
    Ok((a, row))
}

fn elsewhere(e164: &str) -> AppError {
    let mut e = AppError::field("number", format!("{e164} is already in use in another project."));
    e.code = ErrorCode::Conflict;
    e
}

/// Why `n` cannot be added to `project_id`, if some project has it already.
async fn taken(c: &mut AnyConnection, project_id: &str, n: &E164) -> Result<Option<AppError>, AppError> {
    Ok(db::find_by_e164(&mut *c, n.as_str()).await?.map(|existing| {
        if existing.project_id == project_id {
            let mut e = AppError::field("number", format!("{} is already in this project.", n.as_str()));
            e.code = ErrorCode::Conflict;
            e
        } else {
            elsewhere(n.as_str())
        }
    }))
}

/// Inserts a parsed number into a project, or refuses it when any project has it. The unique
/// index on `e164` decides races; the loser gets the same answer as the pre-check.
async fn insert(c: &mut AnyConnection, st: &AppState, project_id: &str, n: &E164, label: &str, twilio_sid: Option<&str>) -> Result<NumberRow, AppError> {
    if let Some(e) = taken(&mut *c, project_id, n).await? {
        return Err(e);
    }
    let now = now_ms();
    let row = NumberRow {
        id: new_id(),
        project_id: project_id.into(),
        e164: n.as_str().into(),
        country_code: n.country().map(str::to_string),
        national_format: n.national().into(),
        international_format: n.international().into(),
        provider: if twilio_sid.is_some() {
            NumberProvider::Twilio
        } else {
            // The configuration accepts only known providers.
            NumberProvider::parse(&st.config.telephony_provider).ok_or_else(AppError::internal)?
        },
        status: NumberStatus::Active,
        label: label.into(),
        twilio_sid: twilio_sid.map(str::to_string),
        created_at: now,
        updated_at: now,
    };
    let mut sp = sqlx::Connection::begin(&mut *c).await?;
    let r = db::insert(&mut sp, &row).await;
    if let Err(e) = crate::server::db::settle(sp, r).await {
        if crate::server::error::is_unique_violation(&e) {
            if let Some(conflict) = taken(&mut *c, project_id, n).await? {
                return Err(conflict);
            }
        }
        return Err(e.into());
    }
    Ok(row)
}

pub(crate) async fn insert_imported(c: &mut AnyConnection, st: &AppState, project_id: &str, n: &E164, label: &str, sid: &str) -> Result<NumberRow, AppError> {
    insert(c, st, project_id, n, label, Some(sid)).await
}

pub async fn list(c: &mut AnyConnection, actor: &Actor, project_id: &str) -> Result<Vec<PhoneNumberView>, AppError> {
    access::project(&mut *c, actor, project_id, Need::Read).await?;
    let rows = db::list(&mut *c, project_id).await?;
    let links = agents_db::links(&mut *c, project_id).await?;
    Ok(rows.iter().map(|r| view(r, &links)).collect())
}

pub async fn get(c: &mut AnyConnection, actor: &Actor, number_id: &str) -> Result<PhoneNumberView, AppError> {
    let (_, row) = load(&mut *c, actor, number_id, Need::Read).await?;
    view_one(&mut *c, &row).await
}

pub async fn add(st: &AppState, tx: &mut Tx, actor: &Actor, project_id: &str, new: NewNumber) -> Result<PhoneNumberView, AppError> {
    let n = E164::parse(&new.number, new.country.as_deref(), "number")?;
    let label = clean_label(&new.label)?;
    access::project(&mut *tx, actor, project_id, Need::Manage).await?;
    let row = insert(&mut *tx, st, project_id, &n, &label, new.twilio_sid.as_deref()).await?;
    audit::record(&mut *tx, actor, project_id, AuditAction::NumberAdded, Some(&row.id), Some(&row.e164)).await?;
    let v = view_one(&mut *tx, &row).await?;
    Ok(v)
}

/// Talkstack's add-number: puts `e164` in the project if it is new there, then assigns it to the
/// agent. Everything or nothing.
pub async fn add_and_assign(st: &AppState, tx: &mut Tx, actor: &Actor, project_id: &str, agent_id: &str, e164: &str) -> Result<PhoneNumberView, AppError> {
    let n = E164::parse(e164, None, "e164")?;
    access::project(&mut *tx, actor, project_id, Need::Manage).await?;
    agents_db::find(&mut *tx, project_id, agent_id).await?.ok_or_else(agent_not_found)?;
    let row = match db::find_by_e164(&mut *tx, n.as_str()).await? {
        Some(existing) if existing.project_id == project_id => existing,
        Some(_) => return Err(elsewhere(n.as_str())),
        None => match insert(&mut *tx, st, project_id, &n, "", None).await {
            Ok(row) => {
                audit::record(&mut *tx, actor, project_id, AuditAction::NumberAdded, Some(&row.id), Some(&row.e164)).await?;
                row
            }
            // A concurrent call added it to this project first: reuse it, as a later call would.
            Err(e) if e.code == ErrorCode::Conflict => match db::find_by_e164(&mut *tx, n.as_str()).await? {
                Some(existing) if existing.project_id == project_id => existing,
                _ => return Err(e),
            },
            Err(e) => return Err(e),
        },
    };
    link(&mut *tx, actor, &row, agent_id).await?;
    let v = view_one(&mut *tx, &row).await?;
    Ok(v)
}

pub async fn set_label(tx: &mut Tx, actor: &Actor, number_id: &str, label: &str) -> Result<PhoneNumberView, AppError> {
    let label = clean_label(label)?;
    let (_, mut row) = load(&mut *tx, actor, number_id, Need::Manage).await?;
    db::set_label(&mut *tx, &row.project_id, &row.id, &label).await?;
    row.label = label;
    let v = view_one(&mut *tx, &row).await?;
    Ok(v)
}

pub async fn release(tx: &mut Tx, actor: &Actor, number_id: &str) -> Result<(), AppError> {
    let (_, row) = load(&mut *tx, actor, number_id, Need::Manage).await?;
    for l in agents_db::links(&mut *tx, &row.project_id).await?.iter().filter(|l| l.phone_number_id == row.id) {
        agents_db::touch(&mut *tx, &row.project_id, &l.agent_id).await?;
    }
    super::twilio_calls::number_released(&mut *tx, &row.project_id, &row.id).await?;
    db::delete(&mut *tx, &row.project_id, &row.id).await?;
    audit::record(&mut *tx, actor, &row.project_id, AuditAction::NumberReleased, Some(&row.id), Some(&row.e164)).await?;
    Ok(())
}

/// Links a number to an agent of its project, keeping one inbound agent per number.
async fn link(c: &mut AnyConnection, actor: &Actor, n: &NumberRow, agent_id: &str) -> Result<(), AppError> {
    agents_db::find(&mut *c, &n.project_id, agent_id).await?.ok_or_else(agent_not_found)?;
    let links = agents_db::links(&mut *c, &n.project_id).await?;
    if links.iter().any(|l| l.agent_id == agent_id && l.phone_number_id == n.id) {
        return Ok(());
    }
    // Bumping the agent's version first locks its row, so its direction cannot change under us
    // before the link (which mirrors the direction) is written.
    let direction = agents_db::touch(&mut *c, &n.project_id, agent_id).await?.ok_or_else(agent_not_found)?;
    let inbound = direction == Direction::Inbound;
    let ids = std::slice::from_ref(&n.id);
    if inbound {
        agents_svc::check_inbound(&mut *c, &n.project_id, agent_id, ids).await?;
    }
    let mut sp = sqlx::Connection::begin(&mut *c).await?;
    let r = agents_db::link(&mut sp, &n.project_id, agent_id, &n.id, inbound).await;
    if let Err(e) = crate::server::db::settle(sp, r).await {
        return Err(agents_svc::link_refused(c, &n.project_id, agent_id, ids, e).await);
    }
    if inbound {
        super::twilio_calls::numbers_changed(&mut *c, &n.project_id).await?;
    }
    audit::record(c, actor, &n.project_id, AuditAction::NumberAssigned, Some(&n.id), Some(agent_id)).await?;
    Ok(())
}

pub async fn assign(tx: &mut Tx, actor: &Actor, number_id: &str, agent_id: &str) -> Result<PhoneNumberView, AppError> {
    let (_, row) = load(&mut *tx, actor, number_id, Need::Manage).await?;
    link(&mut *tx, actor, &row, agent_id).await?;
    let v = view_one(&mut *tx, &row).await?;
    Ok(v)
}

/// Unlinks a number from an agent (nothing to do when it was not linked).
pub async fn unassign(tx: &mut Tx, actor: &Actor, number_id: &str, agent_id: &str) -> Result<PhoneNumberView, AppError> {
    let (_, row) = load(&mut *tx, actor, number_id, Need::Manage).await?;
    agents_db::find(&mut *tx, &row.project_id, agent_id).await?.ok_or_else(agent_not_found)?;
    if agents_db::unlink(&mut *tx, &row.project_id, agent_id, &row.id).await? {
        agents_db::touch(&mut *tx, &row.project_id, agent_id).await?;
        super::twilio_calls::numbers_changed(&mut *tx, &row.project_id).await?;
        audit::record(&mut *tx, actor, &row.project_id, AuditAction::NumberUnassigned, Some(&row.id), Some(agent_id)).await?;
    }
    let v = view_one(&mut *tx, &row).await?;
    Ok(v)
}

/// Talkstack's POST /phone-number lookup: one number, the numbers of an agent, or of a project.
pub async fn of_agent(c: &mut AnyConnection, actor: &Actor, agent_id: &str) -> Result<Vec<PhoneNumberView>, AppError> {
    let (_, agent) = agents_svc::load(&mut *c, actor, agent_id, Need::Read).await?;
    let rows = db::list(&mut *c, &agent.project_id).await?;
    let links = agents_db::links(&mut *c, &agent.project_id).await?;
    Ok(rows
        .iter()
        .filter(|r| links.iter().any(|l| l.agent_id == agent.id && l.phone_number_id == r.id))
        .map(|r| view(r, &links))
        .collect())
}

/// One keyset page of a project's numbers, oldest first; `after` is the previous page's last (created_at, id).
pub async fn page(c: &mut AnyConnection, actor: &Actor, project_id: &str, after: Option<(i64, String)>, limit: i64) -> Result<Vec<PhoneNumberView>, AppError> {
    access::project(&mut *c, actor, project_id, Need::Read).await?;
    let rows = db::page(&mut *c, project_id, after, limit).await?;
    let links = agents_db::links(&mut *c, project_id).await?;
    Ok(rows.iter().map(|r| view(r, &links)).collect())
}
