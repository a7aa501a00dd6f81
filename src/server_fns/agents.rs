//! Agent, active agent, voice, phone number and Twilio server functions for the dashboard.
//! Adapters only: every rule lives in `services`.

use crate::model::{AgentInput, AgentView, AppError, ImportReport, PhoneNumberView, ProjectView, TwilioSettingsView, VoiceFilter, VoiceView};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::server::{http::sf, services};

/// `sort`: `updated` (default, most recent first) or `name`; `q` searches names.
#[server(prefix = "/rpc", endpoint = "list_agents")]
pub async fn list_agents(project_id: String, q: Option<String>, sort: Option<String>) -> Result<Vec<AgentView>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let sort = sort.as_deref().and_then(crate::model::AgentSort::parse).unwrap_or_default();
        let a = sf::actor().await?;
        st.read(async |c| services::agents::list(c, &a, &project_id, q.as_deref(), sort).await).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "get_agent")]
pub async fn get_agent(agent_id: String) -> Result<AgentView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.read(async |c| services::agents::get(c, &a, &agent_id).await).await
    })
    .await
}

/// Creates an agent with default settings; without JS the browser goes to its editor.
#[server(prefix = "/rpc", endpoint = "create_agent")]
pub async fn create_agent(project_id: String, name: String) -> Result<AgentView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let patch = services::agents::AgentPatch { name: Some(name), ..Default::default() };
        let a = sf::actor().await?;
        let agent = st.write(async |tx| services::agents::create(tx, &a, &project_id, patch).await).await?;
        sf::done_without_js(&format!("/agents/{}", agent.id));
        Ok(agent)
    })
    .await
}

/// Saves every setting of the editor. `expected_version` (the version the editor loaded) makes
/// a save over someone else's newer change fail with a conflict instead of silently losing it.
#[server(prefix = "/rpc", endpoint = "update_agent", input = Json)]
pub async fn update_agent(agent_id: String, input: AgentInput, expected_version: Option<i64>) -> Result<AgentView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.write(async |tx| services::agents::update(tx, &a, &agent_id, input.into(), expected_version).await).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "duplicate_agent")]
pub async fn duplicate_agent(agent_id: String) -> Result<AgentView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let agent = st.write(async |tx| services::agents::duplicate(tx, &a, &agent_id).await).await?;
        sf::done_without_js(&format!("/agents/{}", agent.id));
        Ok(agent)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "delete_agent")]
pub async fn delete_agent(agent_id: String) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.write(async |tx| services::agents::delete(tx, &a, &agent_id).await).await?;
        sf::done_without_js("/agents?deleted=1");
        Ok(())
    })
    .await
}

/// Sets the project's active agent; an empty `agent_id` clears it.
#[server(prefix = "/rpc", endpoint = "set_active_agent")]
pub async fn set_active_agent(project_id: String, agent_id: String) -> Result<ProjectView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let project = st.write(async |tx| services::agents::choose_active(tx, &a, &project_id, &agent_id).await).await?;
        sf::done_without_js("/agents");
        Ok(project)
    })
    .await
}

/// Direction and the exact set of the project's numbers the agent uses (Talkover's calling settings).
#[server(prefix = "/rpc", endpoint = "set_agent_calling", input = Json)]
pub async fn set_agent_calling(agent_id: String, direction: String, phone_number_ids: Vec<String>) -> Result<AgentView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.write(async |tx| services::agents::set_calling(tx, &a, &agent_id, &direction, Some(phone_number_ids)).await).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "list_voices", input = Json)]
pub async fn list_voices(filter: VoiceFilter) -> Result<Vec<VoiceView>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.read(async |c| services::voices::list(&st, c, &a, &filter).await).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "voice_facets")]
pub async fn voice_facets() -> Result<crate::model::VoiceFacets, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.read(async |c| services::voices::facets(c, &a).await).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "list_numbers")]
pub async fn list_numbers(project_id: String) -> Result<Vec<PhoneNumberView>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.read(async |c| services::numbers::list(c, &a, &project_id).await).await
    })
    .await
}

/// Adds a number typed in any format; `country` (ISO alpha-2) reads national input.
#[server(prefix = "/rpc", endpoint = "add_number")]
pub async fn add_number(project_id: String, number: String, country: Option<String>, label: Option<String>) -> Result<PhoneNumberView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let new = services::numbers::NewNumber { number, country, label: label.unwrap_or_default(), twilio_sid: None };
        let a = sf::actor().await?;
        let n = st.write(async |tx| services::numbers::add(&st, tx, &a, &project_id, new).await).await?;
        sf::done_without_js("/phone-numbers?added=1");
        Ok(n)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "label_number")]
pub async fn label_number(number_id: String, label: String) -> Result<PhoneNumberView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let n = st.write(async |tx| services::numbers::set_label(tx, &a, &number_id, &label).await).await?;
        sf::done_without_js("/phone-numbers");
        Ok(n)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "release_number")]
pub async fn release_number(number_id: String) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.write(async |tx| services::numbers::release(tx, &a, &number_id).await).await?;
        sf::done_without_js("/phone-numbers?released=1");
        Ok(())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "assign_number")]
pub async fn assign_number(number_id: String, agent_id: String) -> Result<PhoneNumberView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let n = st.write(async |tx| services::numbers::assign(tx, &a, &number_id, &agent_id).await).await?;
        sf::done_without_js("/phone-numbers");
        Ok(n)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "unassign_number")]
pub async fn unassign_number(number_id: String, agent_id: String) -> Result<PhoneNumberView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let n = st.write(async |tx| services::numbers::unassign(tx, &a, &number_id, &agent_id).await).await?;
        sf::done_without_js("/phone-numbers");
        Ok(n)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "twilio_settings")]
pub async fn twilio_settings(project_id: String) -> Result<Option<TwilioSettingsView>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.read(async |c| services::twilio::settings(c, &a, &project_id).await).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "save_twilio_settings")]
pub async fn save_twilio_settings(project_id: String, account_sid: String, auth_token: String) -> Result<TwilioSettingsView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let s = st.write(async |tx| services::twilio::save(&st, tx, &a, &project_id, &account_sid, &auth_token).await).await?;
        sf::done_without_js("/phone-numbers?twilio=saved");
        Ok(s)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "delete_twilio_settings")]
pub async fn delete_twilio_settings(project_id: String) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.write(async |tx| services::twilio::delete(tx, &a, &project_id).await).await?;
        sf::done_without_js("/phone-numbers?twilio=removed");
        Ok(())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "import_twilio_numbers")]
pub async fn import_twilio_numbers(project_id: String) -> Result<ImportReport, AppError> {
    sf::run(async {
        let st = sf::state()?;
        services::twilio::import_numbers(&st, &sf::actor().await?, &project_id).await
    })
    .await
}
