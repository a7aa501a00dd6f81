//! Project members and invitations.
//!
//! Rules: admins and owners invite, re-role and remove; nobody grants a role above their own and
//! the owner role only moves by transfer; the last owner can neither leave nor be removed nor be
//! demoted. Invitation tokens are 128-bit, stored hashed, valid 7 days, single use, and only
//! the invited address can accept them. The invitation mail is enqueued in the transaction that
//! stores its token.

use super::access::{self, Need};
use super::audit;
use crate::model::{AppError, ErrorCode, InvitationPreview, InvitationView, MemberView, ProjectView, Role};
use crate::server::auth::{secrets, Actor};
use crate::server::db::projects::{self, InvitationRow};
use crate::server::db::{now_ms, Tx};
use crate::server::domain::AuditAction;
use crate::server::domain::Email;
use crate::server::error::OnUnique;
use crate::server::jobs;
use crate::server::mail::templates;
use crate::server::services::projects::view as project_view;
use crate::server::state::AppState;
use sqlx::AnyConnection;

pub const INVITATION_TTL_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// Where an invitation stands; derived from its timestamps at `now`, never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl InvitationState {
    pub fn of(i: &InvitationRow, now: i64) -> Self {
        if i.accepted_at.is_some() {
            InvitationState::Accepted
        } else if i.revoked_at.is_some() {
            InvitationState::Revoked
        } else if i.expires_at <= now {
            InvitationState::Expired
        } else {
            InvitationState::Pending
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InvitationState::Pending => "pending",
            InvitationState::Accepted => "accepted",
            InvitationState::Revoked => "revoked",
            InvitationState::Expired => "expired",
        }
    }
}

fn inv_view(i: &InvitationRow) -> InvitationView {
    InvitationView {
        id: i.id.clone(),
        project_id: i.project_id.clone(),
        email: i.email.clone(),
        role: i.role,
        invited_by: i.inviter_name.clone(),
        created_at: i.created_at,
        expires_at: i.expires_at,
        state: InvitationState::of(i, now_ms()).as_str().to_string(),
    }
}

fn parse_role(raw: &str) -> Result<Role, AppError> {
    Role::parse(raw).ok_or_else(|| AppError::field("role", "Choose a role: viewer, member, admin or owner."))
}

fn member_view(m: projects::MemberRow) -> MemberView {
    MemberView { user_id: m.user_id, name: m.name, email: m.email, role: m.role, joined_at: m.created_at }
}

pub async fn members(c: &mut AnyConnection, actor: &Actor, project_id: &str) -> Result<Vec<MemberView>, AppError> {
    access::project(&mut *c, actor, project_id, Need::Read).await?;
    Ok(projects::members(&mut *c, project_id).await?.into_iter().map(member_view).collect())
}

fn member_not_found() -> AppError {
    AppError::not_found("Member")
}

pub async fn change_role(tx: &mut Tx, actor: &Actor, project_id: &str, user_id: &str, role: &str) -> Result<MemberView, AppError> {
    let role = parse_role(role)?;
    let a = access::project(&mut *tx, actor, project_id, Need::Manage).await?;
    let current = projects::member_role(&mut *tx, project_id, user_id).await?.ok_or_else(member_not_found)?;
    if role == Role::Owner {
        return Err(AppError::field("role", "Ownership moves by transfer: use \"Transfer ownership\"."));
    }
    if current == Role::Owner && a.role < Role::Owner {
        return Err(AppError::forbidden("Only an owner can change another owner's role."));
    }
    if role > a.role {
        return Err(AppError::forbidden("You cannot grant a role above your own."));
    }
    if current == Role::Owner && projects::owner_count(&mut *tx, project_id).await? <= 1 {
        return Err(AppError::new(ErrorCode::Conflict, "A project needs an owner: transfer ownership before changing this role."));
    }
    projects::set_role(&mut *tx, project_id, user_id, role).await?;
    let detail = format!("{} -> {}", current.as_str(), role.as_str());
    audit::record(&mut *tx, actor, project_id, AuditAction::MemberRoleChanged, Some(user_id), Some(&detail)).await?;
    let m = projects::members(&mut *tx, project_id).await?.into_iter().find(|m| m.user_id == user_id).ok_or_else(AppError::internal)?;
    Ok(member_view(m))
}

pub async fn remove(tx: &mut Tx, actor: &Actor, project_id: &str, user_id: &str) -> Result<(), AppError> {
    if actor.user_id() == Some(user_id) {
        return leave(tx, actor, project_id).await;
    }
    let a = access::project(&mut *tx, actor, project_id, Need::Manage).await?;
    let current = projects::member_role(&mut *tx, project_id, user_id).await?.ok_or_else(member_not_found)?;
    if current > a.role {
        return Err(AppError::forbidden("You cannot remove someone with a higher role than yours."));
    }
    if current == Role::Owner && projects::owner_count(&mut *tx, project_id).await? <= 1 {
        return Err(AppError::new(ErrorCode::Conflict, "The last owner cannot be removed."));
    }
    drop_member(tx, project_id, user_id).await?;
    audit::record(&mut *tx, actor, project_id, AuditAction::MemberRemoved, Some(user_id), None).await?;
    Ok(())
}

/// Ends a membership: the project stops being the user's active one, and the user's API keys
/// scoped to it are revoked (a key must not outlive its creator's access).
async fn drop_member(tx: &mut Tx, project_id: &str, user_id: &str) -> Result<(), AppError> {
    projects::remove_member(&mut *tx, project_id, user_id).await?;
    projects::clear_active_project_of(&mut *tx, user_id, project_id).await?;
    projects::revoke_project_keys(&mut *tx, user_id, project_id).await?;
    Ok(())
}

pub async fn leave(tx: &mut Tx, actor: &Actor, project_id: &str) -> Result<(), AppError> {
    let p = access::user(actor)?;
    let a = access::project(&mut *tx, actor, project_id, Need::Read).await?;
    if a.role == Role::Owner && projects::owner_count(&mut *tx, project_id).await? <= 1 {
        return Err(AppError::new(ErrorCode::Conflict, "You are the last owner: transfer ownership or delete the project instead of leaving."));
    }
    drop_member(tx, project_id, p.user_id()).await?;
    audit::record(&mut *tx, actor, project_id, AuditAction::MemberLeft, Some(p.user_id()), None).await?;
    Ok(())
}

/// Makes another member the owner; the caller becomes an admin.
pub async fn transfer(tx: &mut Tx, actor: &Actor, project_id: &str, user_id: &str) -> Result<ProjectView, AppError> {
    access::project(&mut *tx, actor, project_id, Need::Own).await?;
    let p = access::user(actor)?;
    if user_id == p.user_id() {
        return Err(AppError::field("user_id", "Choose another member to transfer the project to."));
    }
    projects::member_role(&mut *tx, project_id, user_id).await?.ok_or_else(member_not_found)?;
    projects::set_role(&mut *tx, project_id, user_id, Role::Owner).await?;
    projects::set_role(&mut *tx, project_id, p.user_id(), Role::Admin).await?;
    projects::set_owner(&mut *tx, project_id, user_id).await?;
    audit::record(&mut *tx, actor, project_id, AuditAction::ProjectTransferred, Some(user_id), None).await?;
    let row = projects::find(&mut *tx, project_id).await?.ok_or_else(AppError::internal)?;
    Ok(project_view(&row, Role::Admin))
}

// ---- invitations -------------------------------------------------------------------------------

/// Enqueues the invitation mail on the caller's transaction.
async fn queue_invitation(tx: &mut sqlx::AnyConnection, st: &AppState, to: &str, inviter: &str, project: &str, role: Role, token: &str) -> Result<(), AppError> {
    let link = st.config.link(&format!("/invitations/accept?token={token}"));
    jobs::mail::enqueue(tx, st, &templates::invitation(to, inviter, project, role.label(), &link)).await
}

pub async fn invite(st: &AppState, tx: &mut Tx, actor: &Actor, project_id: &str, email: &str, role: &str) -> Result<InvitationView, AppError> {
    let email = Email::parse(email)?;
    let role = parse_role(role)?;
    let token = secrets::new_link_token();
    let a = access::project(&mut *tx, actor, project_id, Need::Manage).await?;
    let p = access::user(actor)?;
    if role == Role::Owner {
        return Err(AppError::field("role", "Invite as admin, then transfer ownership."));
    }
    if role > a.role {
        return Err(AppError::forbidden("You cannot invite someone with a role above your own."));
    }
    if projects::members(&mut *tx, project_id).await?.iter().any(|m| m.email == email.as_str()) {
        return Err(AppError::new(ErrorCode::Conflict, "This person is already a member of the project."));
    }
    projects::revoke_pending_for(&mut *tx, project_id, email.as_str()).await?;
    let id = projects::insert_invitation(&mut *tx, project_id, email.as_str(), role, &secrets::sha256_hex(&token), p.user_id(), now_ms() + INVITATION_TTL_MS).await?;
    audit::record(&mut *tx, actor, project_id, AuditAction::InvitationCreated, Some(email.as_str()), Some(role.as_str())).await?;
    let inv = projects::invitation(&mut *tx, project_id, &id).await?.ok_or_else(AppError::internal)?;
    queue_invitation(&mut *tx, st, email.as_str(), &p.user.name, &a.project.name, role, &token).await?;
    Ok(inv_view(&inv))
}

pub async fn invitations(c: &mut AnyConnection, actor: &Actor, project_id: &str) -> Result<Vec<InvitationView>, AppError> {
    access::project(&mut *c, actor, project_id, Need::Manage).await?;
    Ok(projects::invitations(&mut *c, project_id).await?.iter().map(inv_view).collect())
}

fn invitation_not_found() -> AppError {
    AppError::not_found("Invitation")
}

/// Sends a pending or expired invitation again with a new link and a new 7-day window.
pub async fn resend(st: &AppState, tx: &mut Tx, actor: &Actor, project_id: &str, invitation_id: &str) -> Result<InvitationView, AppError> {
    let token = secrets::new_link_token();
    let a = access::project(&mut *tx, actor, project_id, Need::Manage).await?;
    let p = access::user(actor)?;
    let inv = projects::invitation(&mut *tx, project_id, invitation_id).await?.ok_or_else(invitation_not_found)?;
    if matches!(InvitationState::of(&inv, now_ms()), InvitationState::Accepted | InvitationState::Revoked) {
        return Err(AppError::new(ErrorCode::Conflict, "This invitation was already accepted or revoked."));
    }
    projects::renew_invitation(&mut *tx, project_id, invitation_id, &secrets::sha256_hex(&token), now_ms() + INVITATION_TTL_MS).await?;
    audit::record(&mut *tx, actor, project_id, AuditAction::InvitationResent, Some(&inv.email), None).await?;
    let inv = projects::invitation(&mut *tx, project_id, invitation_id).await?.ok_or_else(AppError::internal)?;
    queue_invitation(&mut *tx, st, &inv.email, &p.user.name, &a.project.name, inv.role, &token).await?;
    Ok(inv_view(&inv))
}

pub async fn revoke(tx: &mut Tx, actor: &Actor, project_id: &str, invitation_id: &str) -> Result<(), AppError> {
    access::project(&mut *tx, actor, project_id, Need::Manage).await?;
    let inv = projects::invitation(&mut *tx, project_id, invitation_id).await?.ok_or_else(invitation_not_found)?;
    if InvitationState::of(&inv, now_ms()) == InvitationState::Accepted {
        return Err(AppError::new(ErrorCode::Conflict, "This invitation was already accepted; remove the member instead."));
    }
    projects::revoke_invitation(&mut *tx, project_id, invitation_id).await?;
    audit::record(&mut *tx, actor, project_id, AuditAction::InvitationRevoked, Some(&inv.email), None).await?;
    Ok(())
}

fn bad_token() -> AppError {
    AppError::new(ErrorCode::InvalidCode, "This invitation link is invalid. Ask for a new invitation.")
}

/// What the accept page shows before the invitee decides (no login needed; the token is the secret).
pub async fn preview(c: &mut AnyConnection, token: &str) -> Result<InvitationPreview, AppError> {
    let inv = projects::invitation_by_token(&mut *c, &secrets::sha256_hex(token.trim())).await?.ok_or_else(bad_token)?;
    let project = projects::find(&mut *c, &inv.project_id).await?.ok_or_else(bad_token)?;
    Ok(InvitationPreview {
        project_name: project.name,
        invited_by: inv.inviter_name.clone(),
        email: inv.email.clone(),
        role: inv.role,
        state: InvitationState::of(&inv, now_ms()).as_str().to_string(),
    })
}

/// Accepts an invitation as the logged-in invitee.
pub async fn accept(tx: &mut Tx, actor: &Actor, token: &str) -> Result<ProjectView, AppError> {
    if token.trim().is_empty() {
        return Err(AppError::field("token", "The invitation token is missing."));
    }
    let p = access::person(actor)?;
    let inv = projects::invitation_by_token(&mut *tx, &secrets::sha256_hex(token.trim())).await?.ok_or_else(bad_token)?;
    match InvitationState::of(&inv, now_ms()) {
        InvitationState::Pending => {}
        InvitationState::Expired => return Err(AppError::new(ErrorCode::CodeExpired, "This invitation has expired. Ask for a new one.")),
        _ => return Err(AppError::new(ErrorCode::CodeExpired, "This invitation was already used or revoked.")),
    }
    if inv.email != p.user.email {
        return Err(AppError::forbidden(format!(
            "This invitation was sent to another email address. Log in as that address to accept it (you are logged in as {}).",
            p.user.email
        )));
    }
    let project = projects::find(&mut *tx, &inv.project_id).await?.ok_or_else(bad_token)?;
    if !projects::accept_invitation(&mut *tx, &inv.id, p.user_id()).await? {
        return Err(AppError::new(ErrorCode::CodeExpired, "This invitation was already used or revoked."));
    }
    let role = match projects::member_role(&mut *tx, &inv.project_id, p.user_id()).await? {
        Some(existing) => existing,
        None => {
            projects::add_member(&mut *tx, &inv.project_id, p.user_id(), inv.role)
                .await
                .on_unique(|| AppError::new(ErrorCode::Conflict, "You are already a member of this project."))?;
            inv.role
        }
    };
    if p.user.active_project_id.is_none() {
        projects::set_active_project(&mut *tx, p.user_id(), Some(&inv.project_id)).await?;
    }
    audit::record(&mut *tx, actor, &inv.project_id, AuditAction::InvitationAccepted, Some(&inv.email), Some(role.as_str())).await?;
    Ok(project_view(&project, role))
}

/// One keyset page of members, oldest first; `after` is the previous page's last (joined_at, user_id).
pub async fn members_page(c: &mut AnyConnection, actor: &Actor, project_id: &str, after: Option<(i64, String)>, limit: i64) -> Result<Vec<MemberView>, AppError> {
    access::project(&mut *c, actor, project_id, Need::Read).await?;
    Ok(projects::members_page(&mut *c, project_id, after, limit).await?.into_iter().map(member_view).collect())
}

/// One keyset page of invitations, newest first; `after` is the previous page's last (created_at, id).
pub async fn invitations_page(c: &mut AnyConnection, actor: &Actor, project_id: &str, after: Option<(i64, String)>, limit: i64) -> Result<Vec<InvitationView>, AppError> {
    access::project(&mut *c, actor, project_id, Need::Manage).await?;
    Ok(projects::invitations_page(&mut *c, project_id, after, limit).await?.iter().map(inv_view).collect())
}
