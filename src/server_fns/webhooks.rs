//! Webhook server functions for `/settings/webhooks`: the active project's endpoints (add,
//! change, enable or disable, delete), their secrets (reveal, rotate), a test event, and the
//! delivery log with replays. Adapters only: the rules live in `services::webhooks`.
//!
//! Event filters come from one checkbox per event type (`ev_call_ended=on`): plain forms post
//! them without JavaScript, and no checkbox at all means every event.

use crate::model::{AppError, EventType, WebhookDeliveryDetail, WebhookDeliveryView, WebhookEndpointView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::server::{http::sf, services};

/// Deliveries per page of the log.
pub const PAGE_SIZE: i64 = 25;

/// The form name of an event type's checkbox.
pub fn event_field(e: EventType) -> String {
    format!("ev_{}", e.as_str().replace('.', "_"))
}

/// The checkboxes of an event filter, as posted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventChoice {
    #[serde(default)]
    pub ev_call_queued: Option<String>,
    #[serde(default)]
    pub ev_call_ringing: Option<String>,
    #[serde(default)]
    pub ev_call_answered: Option<String>,
    #[serde(default)]
    pub ev_call_ended: Option<String>,
    #[serde(default)]
    pub ev_call_analyzed: Option<String>,
    #[serde(default)]
    pub ev_batch_started: Option<String>,
    #[serde(default)]
    pub ev_batch_completed: Option<String>,
}

impl EventChoice {
    /// The checked types' names (empty: every event).
    pub fn names(&self) -> Vec<String> {
        let all = [
            (&self.ev_call_queued, EventType::CallQueued),
            (&self.ev_call_ringing, EventType::CallRinging),
            (&self.ev_call_answered, EventType::CallAnswered),
            (&self.ev_call_ended, EventType::CallEnded),
            (&self.ev_call_analyzed, EventType::CallAnalyzed),
            (&self.ev_batch_started, EventType::BatchStarted),
            (&self.ev_batch_completed, EventType::BatchCompleted),
        ];
        all.into_iter().filter(|(v, _)| v.is_some()).map(|(_, e)| e.as_str().to_string()).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointCreated {
    pub endpoint: WebhookEndpointView,
    /// Shown once here; admins can reveal it again on the endpoint's page.
    pub secret: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryPage {
    pub deliveries: Vec<WebhookDeliveryView>,
    /// The cursor of the next (older) page, if any.
    pub next_cursor: Option<String>,
}

/// The project's endpoints, oldest first (a project has at most 20).
#[server(prefix = "/rpc", endpoint = "list_webhook_endpoints")]
pub async fn list_webhook_endpoints(project_id: String) -> Result<Vec<WebhookEndpointView>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.read(async |c| services::webhooks::list(c, &a, &project_id, None, services::webhooks::MAX_ENDPOINTS as i64).await).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "get_webhook_endpoint")]
pub async fn get_webhook_endpoint(endpoint_id: String) -> Result<WebhookEndpointView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.read(async |c| services::webhooks::get(c, &a, &endpoint_id).await).await
    })
    .await
}

/// Adds an endpoint. Without JS the browser lands on its page.
#[server(prefix = "/rpc", endpoint = "create_webhook_endpoint")]
pub async fn create_webhook_endpoint(project_id: String, url: String, description: Option<String>, events: Option<EventChoice>) -> Result<EndpointCreated, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let input = services::webhooks::EndpointInput { url: Some(url), description, events: Some(events.unwrap_or_default().names()), enabled: None };
        let w = st.write(async |tx| services::webhooks::create(&st, tx, &a, &project_id, input).await).await?;
        sf::done_without_js(&format!("/settings/webhooks/{}?created=1", w.endpoint.id));
        Ok(EndpointCreated { endpoint: w.endpoint, secret: w.secret })
    })
    .await
}

/// Changes an endpoint's URL, description and events.
#[server(prefix = "/rpc", endpoint = "update_webhook_endpoint")]
pub async fn update_webhook_endpoint(
    endpoint_id: String,
    url: Option<String>,
    description: String,
    events: Option<EventChoice>,
    expected_version: i64,
) -> Result<WebhookEndpointView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let input = services::webhooks::EndpointInput { url, description: Some(description), events: Some(events.unwrap_or_default().names()), enabled: None };
        let v = st.write(async |tx| services::webhooks::update(&st, tx, &a, &endpoint_id, input, Some(expected_version)).await).await?;
        sf::done_without_js(&format!("/settings/webhooks/{endpoint_id}?saved=1"));
        Ok(v)
    })
    .await
}

/// Enables (`enabled=true`) or disables an endpoint.
#[server(prefix = "/rpc", endpoint = "set_webhook_enabled")]
pub async fn set_webhook_enabled(endpoint_id: String, enabled: bool) -> Result<WebhookEndpointView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let input = services::webhooks::EndpointInput { enabled: Some(enabled), ..Default::default() };
        let v = st.write(async |tx| services::webhooks::update(&st, tx, &a, &endpoint_id, input, None).await).await?;
        sf::done_without_js(&format!("/settings/webhooks/{endpoint_id}"));
        Ok(v)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "delete_webhook_endpoint")]
pub async fn delete_webhook_endpoint(endpoint_id: String) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.write(async |tx| services::webhooks::delete(tx, &a, &endpoint_id).await).await?;
        sf::done_without_js("/settings/webhooks?deleted=1");
        Ok(())
    })
    .await
}

/// The endpoint's current signing secret.
#[server(prefix = "/rpc", endpoint = "reveal_webhook_secret")]
pub async fn reveal_webhook_secret(endpoint_id: String) -> Result<String, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let secret = st.read(async |c| services::webhooks::secret(&st, c, &a, &endpoint_id).await).await?.secret;
        sf::done_without_js(&format!("/settings/webhooks/{endpoint_id}?reveal=1"));
        Ok(secret)
    })
    .await
}

/// A new secret; the old one signs beside it for 24 hours.
#[server(prefix = "/rpc", endpoint = "rotate_webhook_secret")]
pub async fn rotate_webhook_secret(endpoint_id: String) -> Result<String, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let secret = st.write(async |tx| services::webhooks::rotate_secret(&st, tx, &a, &endpoint_id).await).await?.secret;
        // Without JS the page shows the new secret on its next load (a read, not this post).
        sf::done_without_js(&format!("/settings/webhooks/{endpoint_id}?reveal=1&rotated=1"));
        Ok(secret)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "send_webhook_test")]
pub async fn send_webhook_test(endpoint_id: String) -> Result<WebhookDeliveryView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let d = st.write(async |tx| services::webhooks::send_test(&st, tx, &a, &endpoint_id).await).await?;
        sf::done_without_js(&format!("/settings/webhooks/{endpoint_id}?tested=1"));
        Ok(d)
    })
    .await
}

/// One page of the endpoint's deliveries, newest first, optionally in one state.
#[server(prefix = "/rpc", endpoint = "list_webhook_deliveries")]
pub async fn list_webhook_deliveries(endpoint_id: String, state: Option<String>, cursor: Option<String>) -> Result<DeliveryPage, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let filter = services::webhooks::state_filter(state.as_deref())?;
        let before = sf::page_after(cursor.as_deref())?;
        let mut deliveries = st.read(async |c| services::webhooks::deliveries(c, &a, &endpoint_id, filter, before, PAGE_SIZE + 1).await).await?;
        let next_cursor = sf::next_page(&mut deliveries, PAGE_SIZE, |d| (d.created_at, d.id.clone()));
        Ok(DeliveryPage { deliveries, next_cursor })
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "webhook_delivery")]
pub async fn webhook_delivery(endpoint_id: String, delivery_id: String) -> Result<WebhookDeliveryDetail, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.read(async |c| services::webhooks::delivery(c, &a, &endpoint_id, &delivery_id).await).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "replay_webhook_delivery")]
pub async fn replay_webhook_delivery(endpoint_id: String, delivery_id: String) -> Result<WebhookDeliveryView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let d = st.write(async |tx| services::webhooks::replay(&st, tx, &a, &endpoint_id, &delivery_id).await).await?;
        sf::done_without_js(&format!("/settings/webhooks/{endpoint_id}?replayed=1"));
        Ok(d)
    })
    .await
}

/// Sends again every failed delivery since `since` (RFC 3339, or a `datetime-local` value read
/// as UTC).
#[server(prefix = "/rpc", endpoint = "replay_failed_webhooks")]
pub async fn replay_failed_webhooks(endpoint_id: String, since: String) -> Result<usize, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let raw = since.trim();
        // `datetime-local` posts `2026-11-29T10:00` without seconds or zone.
        let normal = if raw.len() == 16 && raw.as_bytes().get(10) == Some(&b'T') { format!("{raw}:00Z") } else { raw.to_string() };
        let at = services::call_history::time_filter("since", Some(&normal))?.ok_or_else(|| AppError::field("since", "Choose the time to replay from."))?;
        let n = st.write(async |tx| services::webhooks::replay_failed_since(&st, tx, &a, &endpoint_id, at).await).await?;
        sf::done_without_js(&format!("/settings/webhooks/{endpoint_id}?replayed={n}"));
        Ok(n)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkboxes_name_their_event_types() {
        let c = EventChoice { ev_call_ended: Some("on".into()), ev_batch_completed: Some("on".into()), ..Default::default() };
        assert_eq!(c.names(), ["call.ended", "batch.completed"]);
        assert!(EventChoice::default().names().is_empty());
        assert_eq!(event_field(EventType::CallAnalyzed), "ev_call_analyzed");
        // Every subscribable type has a checkbox.
        for e in EventType::subscribable() {
            let v = serde_json::json!({ event_field(e): "on" });
            let c: EventChoice = serde_json::from_value(v).unwrap();
            assert_eq!(c.names(), [e.as_str()]);
        }
    }
}
