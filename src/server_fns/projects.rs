//! Project, active project, team, invitation, API key and audit server functions for the
//! dashboard. Adapters only: every rule lives in `services`.

use crate::model::{ApiKeyCreated, ApiKeyView, AppError, AuditEntryView, InvitationPreview, InvitationView, MemberView, ProjectView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::{http::sf, services};

#[server(prefix = "/rpc", endpoint = "list_projects")]
pub async fn list_projects() -> Result<Vec<ProjectView>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.read(async |c| services::projects::list(c, &a).await).await
    })
    .await
}

/// The active project, or `None` when none is set.
#[server(prefix = "/rpc", endpoint = "active_project")]
pub async fn active_project() -> Result<Option<ProjectView>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        match st.read(async |c| services::projects::get_active(c, &a).await).await {
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
        let a = sf::actor().await?;
        // The new project becomes the active one, in the same transaction.
        let project = st
            .write(async |tx| {
                let project = services::projects::create(tx, &a, &name, &description).await?;
                services::projects::set_active(tx, &a, &project.id).await?;
                Ok(project)
            })
            .await?;
        sf::done_without_js("/");
        Ok(project)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "set_active_project")]
pub async fn set_active_project(project_id: String) -> Result<ProjectView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let (_, project) = st.write(async |tx| services::projects::set_active(tx, &a, &project_id).await).await?;
        sf::done_without_js("/");
        Ok(project)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "update_project")]
pub async fn update_project(project_id: String, name: String, description: String, call_status_webhook: String) -> Result<ProjectView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let u = services::projects::ProjectUpdate {
            name: Some(name),
            description: Some(description),
            webhook: Some(call_status_webhook),
            max_concurrent_calls: None,
        };
        let a = sf::actor().await?;
        let project = st.write(async |tx| services::projects::update(&st, tx, &a, &project_id, u).await).await?;
        sf::done_without_js("/settings/project?saved=1");
        Ok(project)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "delete_project")]
pub async fn delete_project(project_id: String, cascade: Option<String>) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.write(async |tx| services::projects::delete(tx, &a, &project_id, cascade.is_some()).await).await?;
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "list_members")]
pub async fn list_members(project_id: String) -> Result<Vec<MemberView>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.read(async |c| services::team::members(c, &a, &project_id).await).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "change_member_role")]
pub async fn change_member_role(project_id: String, user_id: String, role: String) -> Result<MemberView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let m = st.write(async |tx| services::team::change_role(tx, &a, &project_id, &user_id, &role).await).await?;
        sf::done_without_js("/settings/team");
        Ok(m)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "remove_member")]
pub async fn remove_member(project_id: String, user_id: String) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.write(async |tx| services::team::remove(tx, &a, &project_id, &user_id).await).await?;
        sf::done_without_js("/settings/team");
        Ok(())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "leave_project")]
pub async fn leave_project(project_id: String) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.write(async |tx| services::team::leave(tx, &a, &project_id).await).await?;
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "transfer_project")]
pub async fn transfer_project(project_id: String, user_id: String) -> Result<ProjectView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let p = st.write(async |tx| services::team::transfer(tx, &a, &project_id, &user_id).await).await?;
        sf::done_without_js("/settings/team");
        Ok(p)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "list_invitations")]
pub async fn list_invitations(project_id: String) -> Result<Vec<InvitationView>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.read(async |c| services::team::invitations(c, &a, &project_id).await).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "invite_member")]
pub async fn invite_member(project_id: String, email: String, role: String) -> Result<InvitationView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let inv = st.write(async |tx| services::team::invite(&st, tx, &a, &project_id, &email, &role).await).await?;
        sf::done_without_js("/settings/team?invited=1");
        Ok(inv)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "resend_invitation")]
pub async fn resend_invitation(project_id: String, invitation_id: String) -> Result<InvitationView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let inv = st.write(async |tx| services::team::resend(&st, tx, &a, &project_id, &invitation_id).await).await?;
        sf::done_without_js("/settings/team");
        Ok(inv)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "revoke_invitation")]
pub async fn revoke_invitation(project_id: String, invitation_id: String) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.write(async |tx| services::team::revoke(tx, &a, &project_id, &invitation_id).await).await?;
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
        st.read(async |c| services::team::preview(c, &token).await).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "accept_invitation")]
pub async fn accept_invitation(token: String) -> Result<ProjectView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let project = st
            .write(async |tx| {
                let project = services::team::accept(tx, &a, &token).await?;
                services::projects::set_active(tx, &a, &project.id).await?;
                Ok(project)
            })
            .await?;
        leptos_axum::redirect("/");
        Ok(project)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "list_api_keys")]
pub async fn list_api_keys() -> Result<Vec<ApiKeyView>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.read(async |c| services::api_keys::list(c, &a).await).await
    })
    .await
}

/// `project_id` empty means a key for all of the user's projects.
#[server(prefix = "/rpc", endpoint = "create_api_key")]
pub async fn create_api_key(name: String, project_id: String) -> Result<ApiKeyCreated, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.write(async |tx| services::api_keys::create(tx, &a, &name, Some(&project_id)).await).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "revoke_api_key")]
pub async fn revoke_api_key(key_id: String) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.write(async |tx| services::api_keys::revoke(tx, &a, &key_id).await).await?;
        sf::done_without_js("/settings/api-keys?revoked=1");
        Ok(())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "audit_log")]
pub async fn audit_log(project_id: String) -> Result<Vec<AuditEntryView>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.read(async |c| services::audit::page(c, &a, &project_id, None, 100).await).await
    })
    .await
}
