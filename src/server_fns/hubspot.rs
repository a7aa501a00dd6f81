//! HubSpot server functions for `/settings/integrations/hubspot`: the connection (token, create
//! contacts, property mappings typed one per line as `question = property`), disconnecting, and
//! the sync log with a retry per entry. Adapters only: the rules live in `services::hubspot`.

use crate::model::{AppError, HubSpotSettingsView, HubSpotSyncView, PropertyMapping};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::server::{http::sf, services};

/// Entries per page of the sync log.
pub const PAGE_SIZE: i64 = 25;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncPage {
    pub entries: Vec<HubSpotSyncView>,
    pub next_cursor: Option<String>,
}

/// Mappings as typed: one `question = property` per line; blank lines are ignored. A line
/// without `=` is an error naming its line.
pub fn parse_mappings(text: &str) -> Result<Vec<PropertyMapping>, AppError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((q, p)) = line.split_once('=') else {
            return Err(AppError::field("mappings", format!("Line {}: write it as question = property.", i + 1)));
        };
        out.push(PropertyMapping { question: q.trim().to_string(), property: p.trim().to_string() });
    }
    Ok(out)
}

/// The mappings as the form shows them.
pub fn mappings_text(m: &[PropertyMapping]) -> String {
    m.iter().map(|m| format!("{} = {}", m.question, m.property)).collect::<Vec<_>>().join("\n")
}

#[server(prefix = "/rpc", endpoint = "hubspot_settings")]
pub async fn hubspot_settings(project_id: String) -> Result<Option<HubSpotSettingsView>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.read(async |c| services::hubspot::settings(c, &a, &project_id).await).await
    })
    .await
}

/// Connects, or saves the settings (an empty token keeps the stored one).
#[server(prefix = "/rpc", endpoint = "connect_hubspot")]
pub async fn connect_hubspot(
    project_id: String,
    token: Option<String>,
    create_contacts: Option<String>,
    mappings: Option<String>,
) -> Result<HubSpotSettingsView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let mappings = parse_mappings(mappings.as_deref().unwrap_or(""))?;
        let input = services::hubspot::Connect { token, create_contacts: create_contacts.is_some(), mappings };
        let v = services::hubspot::connect(&st, &a, &project_id, input).await.map_err(|mut e| {
            // The form has one box for every mapping.
            for d in &mut e.details {
                if d.field.starts_with("mappings[") {
                    d.field = "mappings".to_string();
                }
            }
            e
        })?;
        sf::done_without_js("/settings/integrations/hubspot?saved=1");
        Ok(v)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "disconnect_hubspot")]
pub async fn disconnect_hubspot(project_id: String) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.write(async |tx| services::hubspot::disconnect(tx, &a, &project_id).await).await?;
        sf::done_without_js("/settings/integrations/hubspot?disconnected=1");
        Ok(())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "hubspot_sync_log")]
pub async fn hubspot_sync_log(project_id: String, cursor: Option<String>) -> Result<SyncPage, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let before = sf::page_after(cursor.as_deref())?;
        let mut entries = st.read(async |c| services::hubspot::sync_log(c, &a, &project_id, before, PAGE_SIZE + 1).await).await?;
        let next_cursor = sf::next_page(&mut entries, PAGE_SIZE, |e| (e.created_at, e.id.clone()));
        Ok(SyncPage { entries, next_cursor })
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "retry_hubspot_sync")]
pub async fn retry_hubspot_sync(project_id: String, entry_id: String) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.write(async |tx| services::hubspot::retry(tx, &a, &project_id, &entry_id).await).await?;
        sf::done_without_js("/settings/integrations/hubspot?retried=1");
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_are_read_one_per_line() {
        let m = parse_mappings("summary = last_call_summary\n\n  budget=budget_range  ").unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!((m[1].question.as_str(), m[1].property.as_str()), ("budget", "budget_range"));
        assert_eq!(mappings_text(&m), "summary = last_call_summary\nbudget = budget_range");
        let e = parse_mappings("summary\n").unwrap_err();
        assert_eq!(e.details[0].field, "mappings");
        assert!(e.message.contains("Line 1") || e.details[0].message.contains("Line 1"));
    }
}
