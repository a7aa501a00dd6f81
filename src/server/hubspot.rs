//! HubSpot's CRM API, the few calls Talkdeck makes: check a private-app token, find a contact by
//! phone number, create one, log a call (the CRM calls object, associated with the contact) and
//! update it, and set contact properties. Storage and decisions are `services::hubspot`.
//!
//! Every answer is classified for the sync job: 429 and 5xx are [`Failure::Retry`] (with
//! HubSpot's `Retry-After` when it sent one), a refused token is [`Failure::Auth`], anything
//! else is [`Failure::Refused`] with HubSpot's message.

use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

/// HubSpot's association type "call to contact".
pub const CALL_TO_CONTACT: u32 = 194;
const TIMEOUT: Duration = Duration::from_secs(20);

/// Why a request did not go through.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// Worth retrying: 429, 5xx, or no answer. `after`: HubSpot's `Retry-After`.
    Retry { status: Option<u16>, after: Option<Duration>, message: String },
    /// The token was refused (401/403).
    Auth { status: u16, message: String },
    /// Any other refusal (4xx).
    Refused { status: u16, message: String },
}

impl Failure {
    pub fn status(&self) -> Option<u16> {
        match self {
            Failure::Retry { status, .. } => *status,
            Failure::Auth { status, .. } | Failure::Refused { status, .. } => Some(*status),
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Failure::Retry { message, .. } | Failure::Auth { message, .. } | Failure::Refused { message, .. } => message,
        }
    }
}

/// A client for one token.
pub struct HubSpot {
    base: String,
    token: String,
    client: reqwest::Client,
}

#[derive(Deserialize)]
struct Found {
    #[serde(default)]
    results: Vec<Object>,
}

#[derive(Deserialize)]
struct Object {
    id: String,
}

impl HubSpot {
    /// `base` is `HUBSPOT_API_BASE` (`https://api.hubapi.com`, a local fake in tests).
    pub fn new(base: &str, token: &str) -> Result<Self, Failure> {
        let client = reqwest::Client::builder().timeout(TIMEOUT).build().map_err(|e| Failure::Retry {
            status: None,
            after: None,
            message: format!("the HTTP client could not be built: {e}"),
        })?;
        Ok(HubSpot { base: base.trim_end_matches('/').to_string(), token: token.to_string(), client })
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, Failure> {
        let mut req = self.client.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.map_err(|e| Failure::Retry {
            status: None,
            after: None,
            message: if e.is_timeout() { "HubSpot did not answer in time".into() } else { "HubSpot could not be reached".into() },
        })?;
        let status = res.status().as_u16();
        let after = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_secs);
        let text = res.text().await.unwrap_or_default();
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return Ok(value);
        }
        let message = value.get("message").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| format!("HubSpot answered {status}"));
        Err(match status {
            429 | 500..=599 => Failure::Retry { status: Some(status), after, message },
            401 | 403 => Failure::Auth { status, message },
            _ => Failure::Refused { status, message },
        })
    }

    /// Whether the token works: reads one contact.
    pub async fn check(&self) -> Result<(), Failure> {
        self.send(reqwest::Method::GET, "/crm/v3/objects/contacts?limit=1", None).await.map(drop)
    }

    /// The first contact whose `phone` or `mobilephone` is one of `forms` (the number in E.164
    /// and national notation).
    pub async fn find_contact(&self, forms: &[String]) -> Result<Option<String>, Failure> {
        // Filter groups are ORed (HubSpot takes up to five); IN matches any of the forms.
        let groups: Vec<Value> = ["phone", "mobilephone"]
            .iter()
            .map(|prop| json!({ "filters": [{ "propertyName": prop, "operator": "IN", "values": forms }] }))
            .collect();
        let body = json!({ "filterGroups": groups, "properties": ["phone", "mobilephone"], "limit": 1 });
        let v = self.send(reqwest::Method::POST, "/crm/v3/objects/contacts/search", Some(body)).await?;
        let found: Found =
            serde_json::from_value(v).map_err(|_| Failure::Retry { status: None, after: None, message: "HubSpot's search answer was not understood".into() })?;
        Ok(found.results.into_iter().next().map(|o| o.id))
    }

    pub async fn create_contact(&self, phone: &str) -> Result<String, Failure> {
        let v = self.send(reqwest::Method::POST, "/crm/v3/objects/contacts", Some(json!({ "properties": { "phone": phone } }))).await?;
        id_of(v)
    }

    /// Logs a call associated with `contact`; returns the HubSpot call id.
    pub async fn create_call(&self, properties: &Value, contact: &str) -> Result<String, Failure> {
        let body = json!({
            "properties": properties,
            "associations": [{
                "to": { "id": contact },
                "types": [{ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": CALL_TO_CONTACT }],
            }],
        });
        id_of(self.send(reqwest::Method::POST, "/crm/v3/objects/calls", Some(body)).await?)
    }

    pub async fn update_call(&self, id: &str, properties: &Value) -> Result<(), Failure> {
        self.send(reqwest::Method::PATCH, &format!("/crm/v3/objects/calls/{id}"), Some(json!({ "properties": properties })))
            .await
            .map(drop)
    }

    pub async fn update_contact(&self, id: &str, properties: &Value) -> Result<(), Failure> {
        self.send(reqwest::Method::PATCH, &format!("/crm/v3/objects/contacts/{id}"), Some(json!({ "properties": properties })))
            .await
            .map(drop)
    }
}

fn id_of(v: Value) -> Result<String, Failure> {
    v.get("id")
        .and_then(|i| i.as_str().map(str::to_string).or_else(|| i.as_i64().map(|n| n.to_string())))
        .ok_or_else(|| Failure::Retry { status: None, after: None, message: "HubSpot's answer had no id".into() })
}
