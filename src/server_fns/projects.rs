//! Project, active project, team, invitation, API key and audit server functions for the
//! dashboard. Adapters only: every rule lives in `services`.

use crate::model::{
    ApiKeyCreated, ApiKeyView, AppError, AuditEntryView, InvitationPreview, InvitationView, MemberView, ProjectView,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::{http::sf, services};

#[server(prefix = "/rpc", endpoint = "list_projects")]
pub async fn list_projects() -> Result<Vec<ProjectView>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        services::projects::list(&st, &sf::principal().await?).await
    })
    .await
}

/// The active project, or `None` when none is set.
#[server(prefix = "/rpc", endpoint = "active_project")]
pub async fn active_project() -> Result<Option<ProjectView>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        match services::projects::get_active(&st, &sf::principal().await?).await {
            Ok(p) => Ok(Some(p)),
            Err(e) if e.code == crate::model::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "create_project")]
pub async fn create_project(name: String, description: String) -> Result<ProjectView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let p = sf::principal().await?;
        let project = services::projects::create(&st, &p, &name, &description).await?;
        // The new project becomes the active one.
        services::projects::set_active(&st, &p, &project.id).await?;
        sf::done_without_js("/");
        Ok(project)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "set_active_project")]
pub async fn set_active_project(project_id: String) -> Result<ProjectView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let (_, project) = services::projects::set_active(&st, &sf::principal().await?, &project_id).await?;
        sf::done_without_js("/");
        Ok(project)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "update_project")]
pub async fn update_project(
    project_id: String,
    name: String,
    description: String,
    call_status_webhook: String,
) -> Result<ProjectView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let u = services::projects::ProjectUpdate { name: Some(name), description: Some(description), webhook: Some(call_status_webhook) };
        let project = services::projects::update(&st, &sf::principal().await?, &project_id, u).await?;
        sf::done_without_js("/settings/project?saved=1");
        Ok(project)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "delete_project")]
pub async fn delete_project(project_id: String, cascade: Option<String>) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        services::projects::delete(&st, &sf::principal().await?, &project_id, cascade.is_some()).await?;
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "list_members")]
pub async fn list_members(project_id: String) -> Result<Vec<MemberView>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        services::team::members(&st, &sf::principal().await?, &project_id).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "change_member_role")]
pub async fn change_member_role(project_id: String, user_id: String, role: String) -> Result<MemberView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let m = services::team::change_role(&st, &sf::principal().await?, &project_id, &user_id, &role).await?;
        sf::done_without_js("/settings/team");
        Ok(m)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "remove_member")]
pub async fn remove_member(project_id: String, user_id: String) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        services::team::remove(&st, &sf::principal().await?, &project_id, &user_id).await?;
        sf::done_without_js("/settings/team");
        Ok(())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "leave_project")]
pub async fn leave_project(project_id: String) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        services::team::leave(&st, &sf::principal().await?, &project_id).await?;
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "transfer_project")]
pub async fn transfer_project(project_id: String, user_id: String) -> Result<ProjectView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let p = services::team::transfer(&st, &sf::principal().await?, &project_id, &user_id).await?;
        sf::done_without_js("/settings/team");
        Ok(p)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "list_invitations")]
pub async fn list_invitations(project_id: String) -> Result<Vec<InvitationView>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        services::team::invitations(&st, &sf::principal().await?, &project_id).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "invite_member")]
pub async fn invite_member(project_id: String, email: String, role: String) -> Result<InvitationView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let inv = services::team::invite(&st, &sf::principal().await?, &project_id, &email, &role).await?;
        sf::done_without_js("/settings/team?invited=1");
        Ok(inv)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "resend_invitation")]
pub async fn resend_invitation(project_id: String, invitation_id: String) -> Result<InvitationView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let inv = services::team::resend(&st, &sf::principal().await?, &project_id, &invitation_id).await?;
        sf::done_without_js("/settings/team");
        Ok(inv)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "revoke_invitation")]
pub async fn revoke_invitation(project_id: String, invitation_id: String) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        services::team::revoke(&st, &sf::principal().await?, &project_id, &invitation_id).await?;
        sf::done_without_js("/settings/team");
        Ok(())
    })
    .await
}

/// Public: what the invitation page shows before the invitee logs in or signs up.
#[server(prefix = "/rpc", endpoint = "preview_invitation")]
pub async fn preview_invitation(token: String) -> Result<InvitationPreview, AppError> {
    sf::run(async {
        let st = sf::state()?;
        services::team::preview(&st, &token).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "accept_invitation")]
pub async fn accept_invitation(token: String) -> Result<ProjectView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let p = sf::principal().await?;
        let project = services::team::accept(&st, &p, &token).await?;
        services::projects::set_active(&st, &p, &project.id).await?;
        leptos_axum::redirect("/");
        Ok(project)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "list_api_keys")]
pub async fn list_api_keys() -> Result<Vec<ApiKeyView>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        services::api_keys::list(&st, &sf::principal().await?).await
    })
    .await
}

/// `project_id` empty means a key for all of the user's projects.
#[server(prefix = "/rpc", endpoint = "create_api_key")]
pub async fn create_api_key(name: String, project_id: String) -> Result<ApiKeyCreated, AppError> {
    sf::run(async {
        let st = sf::state()?;
        services::api_keys::create(&st, &sf::principal().await?, &name, Some(&project_id)).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "revoke_api_key")]
pub async fn revoke_api_key(key_id: String) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        services::api_keys::revoke(&st, &sf::principal().await?, &key_id).await?;
        sf::done_without_js("/settings/api-keys?revoked=1");
        Ok(())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "audit_log")]
pub async fn audit_log(project_id: String) -> Result<Vec<AuditEntryView>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        services::audit::page(&st, &sf::principal().await?, &project_id, None, 100).await
    })
    .await
}
