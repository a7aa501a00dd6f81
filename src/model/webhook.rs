//! Webhook DTOs: endpoints, the event types they subscribe to, deliveries and their attempts.
//! Storing, signing and sending is `server::services::webhooks` and `server::webhooks`.

use serde::{Deserialize, Serialize};

str_enum!(
    /// What an event reports. `webhook.test` is only ever sent by "send a test event".
    EventType ("webhook event type") {
        CallQueued = "call.queued",
        CallRinging = "call.ringing",
        CallAnswered = "call.answered",
        CallEnded = "call.ended",
        CallAnalyzed = "call.analyzed",
        BatchStarted = "batch.started",
        BatchCompleted = "batch.completed",
        Test = "webhook.test",
    } default Test
);

impl EventType {
    /// The types an endpoint can subscribe to (every one but the test event, which is sent to
    /// one endpoint on request whatever its filter).
    pub fn subscribable() -> impl Iterator<Item = EventType> {
        EventType::ALL.iter().copied().filter(|e| *e != EventType::Test)
    }
}

str_enum!(
    /// `pending` (waiting for its turn or its next attempt), `succeeded`, or `failed` (attempts
    /// used up, the endpoint disabled, or the target refused).
    DeliveryState ("delivery state") {
        Pending = "pending",
        Succeeded = "succeeded",
        Failed = "failed",
    } default Pending
);

/// An endpoint as admins see it (without its secret, which has its own reveal).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEndpointView {
    pub id: String,
    pub project_id: String,
    pub url: String,
    pub description: String,
    /// Subscribed types; empty: every event.
    pub events: Vec<EventType>,
    pub enabled: bool,
    /// Why it was disabled (`410 Gone`, failing for three days, by an admin).
    pub disabled_reason: Option<String>,
    /// Since when every attempt has failed (Unix ms); `None` while healthy.
    pub failing_since: Option<i64>,
    /// The endpoint mirroring the project's `call_status_webhook` setting.
    pub is_status: bool,
    /// Until when the secret before the last rotation also signs (Unix ms).
    pub previous_secret_expires_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

/// One event sent to one endpoint, with its outcome so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookDeliveryView {
    pub id: String,
    pub endpoint_id: String,
    /// The `webhook-id` header: the same on every attempt and every endpoint.
    pub event_id: String,
    pub event_type: EventType,
    /// The call or batch the event is about.
    pub subject: String,
    pub state: DeliveryState,
    pub attempts: i64,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One HTTP attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookAttemptView {
    pub attempt: i64,
    pub attempted_at: i64,
    /// The answer's status; `None` when there was none (refused, unreachable, timed out).
    pub status_code: Option<i64>,
    /// The start of the answer (up to 1 KiB).
    pub response_excerpt: String,
    pub duration_ms: i64,
    pub error: Option<String>,
}

/// A delivery with its attempts and the body it sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookDeliveryDetail {
    pub delivery: WebhookDeliveryView,
    pub attempts: Vec<WebhookAttemptView>,
    pub body: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_parse_their_wire_names_only() {
        assert_eq!(EventType::parse("call.ended"), Some(EventType::CallEnded));
        assert_eq!(EventType::parse(" Batch.Completed "), Some(EventType::BatchCompleted));
        assert_eq!(EventType::parse("call_ended"), None);
        assert_eq!(EventType::try_from("nope".to_string()), Err("unknown webhook event type \"nope\"".to_string()));
        assert!(!EventType::subscribable().any(|e| e == EventType::Test));
        assert_eq!(EventType::subscribable().count(), 7);
    }
}
