//! The one place that decides who may do what on a project.
//!
//! Roles: owner > admin > member > viewer. Viewers read; members also place calls and edit
//! agents; admins also manage numbers, webhooks, integrations, API keys and members; owners also
//! delete and transfer the project. A project the caller cannot see (not a member, deleted, or
//! outside an API key's scope) answers 404 so ids cannot be probed; a visible project with too
//! weak a role answers 403. The system actor (jobs, provider callbacks) acts with the owner's
//! rights on the live project its work names.

use crate::model::{AppError, Role};
use crate::server::auth::{cache, Actor, Principal};
use crate::server::db::native::Reader;
use crate::server::db::projects::{self, ProjectRow};
use sqlx::AnyConnection;

/// What an action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// See the project and everything in it.
    Read,
    /// Edit agents, place calls.
    Edit,
    /// Manage members, invitations, numbers, webhooks, integrations, API keys, project settings.
    Manage,
    /// Delete or transfer the project.
    Own,
}

impl Need {
    pub fn role(self) -> Role {
        match self {
            Need::Read => Role::Viewer,
            Need::Edit => Role::Member,
            Need::Manage => Role::Admin,
            Need::Own => Role::Owner,
        }
    }
}

pub struct Access {
    pub project: ProjectRow,
    pub role: Role,
}

pub fn project_not_found() -> AppError {
    AppError::not_found("Project")
}

/// Checks the caller's access to a project and returns it with the caller's role.
pub async fn project(c: &mut AnyConnection, actor: &Actor, project_id: &str, need: Need) -> Result<Access, AppError> {
    let Some(p) = actor.principal() else {
        let project = projects::find(&mut *c, project_id).await?.ok_or_else(project_not_found)?;
        return Ok(Access { project, role: Role::Owner });
    };
    in_scope(p, project_id)?;
    let (project, role) = projects::find_for_member(&mut *c, project_id, p.user_id()).await?.ok_or_else(project_not_found)?;
    enough(role, need)?;
    Ok(Access { project, role })
}

/// An API key limited to another project does not see this one.
fn in_scope(p: &Principal, project_id: &str) -> Result<(), AppError> {
    if p.project_scope().is_some_and(|scope| scope != project_id) {
        return Err(project_not_found());
    }
    Ok(())
}

fn enough(role: Role, need: Need) -> Result<(), AppError> {
    if role < need.role() {
        return Err(AppError::forbidden(format!("Your role on this project ({}) does not allow this. Ask an admin or owner.", role.label())));
    }
    Ok(())
}

/// [`project`] for reads that need only the decision: the caller's role, answered from
/// `auth::cache` while it was read fresh. Never inside a write transaction (the memo does not
/// see that transaction's own changes).
/// Takes a read session, so that a memoized answer needs no connection.
pub async fn check_read(r: &mut Reader<'_>, actor: &Actor, project_id: &str, need: Need) -> Result<Role, AppError> {
    let Some(p) = actor.principal() else {
        return project(r.any().await?, actor, project_id, need).await.map(|a| a.role);
    };
    in_scope(p, project_id)?;
    let role = match cache::role(p.user_id(), project_id) {
        Some(role) => role,
        None => {
            let at = cache::mark();
            let (_, role) = projects::find_for_member(r.any().await?, project_id, p.user_id()).await?.ok_or_else(project_not_found)?;
            cache::keep_role(p.user_id(), project_id, role, at);
            role
        }
    };
    enough(role, need)?;
    Ok(role)
}

/// Actions that exist outside any project (creating a project, managing one's keys) are refused
/// to API keys limited to one project.
pub fn require_unscoped(actor: &Actor) -> Result<(), AppError> {
    if actor.project_scope().is_some() {
        return Err(AppError::forbidden("This API key is limited to one project and cannot do this."));
    }
    Ok(())
}

/// The person behind an action that only people take (accepting an invitation sent to their
/// address); an API key or the system is refused.
pub fn person(actor: &Actor) -> Result<&crate::server::auth::Principal, AppError> {
    match actor {
        Actor::User(p) => Ok(p),
        Actor::ApiKey(_) => Err(AppError::forbidden("API keys cannot do this. Log in or use an access token.")),
        Actor::System => Err(AppError::forbidden("This needs a person, not background work.")),
    }
}

/// The user an action is taken for: a person, or the creator of an API key.
pub fn user(actor: &Actor) -> Result<&crate::server::auth::Principal, AppError> {
    actor.principal().ok_or_else(|| AppError::forbidden("This needs a signed-in user, not background work."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_map_to_the_role_ladder() {
        assert_eq!(Need::Read.role(), Role::Viewer);
        assert_eq!(Need::Edit.role(), Role::Member);
        assert_eq!(Need::Manage.role(), Role::Admin);
        assert_eq!(Need::Own.role(), Role::Owner);
    }
}
