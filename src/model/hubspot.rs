//! HubSpot integration DTOs: the connection's settings (never the token) and the sync log.
//! Storing and syncing is `server::services::hubspot`.

use serde::{Deserialize, Serialize};

/// An analysis answer copied onto a contact property when a call is analysed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PropertyMapping {
    /// The analysis field: `summary`, `sentiment`, `successful`, or a custom question's name.
    pub question: String,
    /// The HubSpot contact property's internal name.
    pub property: String,
}

/// A project's HubSpot connection, without the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubSpotSettingsView {
    /// The last four characters of the private-app token.
    pub token_hint: String,
    /// Create a contact when none has the call's number.
    pub create_contacts: bool,
    pub mappings: Vec<PropertyMapping>,
    pub updated_at: i64,
}

str_enum!(
    /// How one sync attempt ended: `succeeded`, `retrying` (HubSpot asked to wait, or failed;
    /// tried again later), `failed` (given up; retry by hand), `skipped` (no contact to log on).
    SyncOutcome ("sync outcome") {
        Succeeded = "succeeded",
        Retrying = "retrying",
        Failed = "failed",
        Skipped = "skipped",
    } default Failed
);

/// One attempt to log a call in HubSpot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubSpotSyncView {
    pub id: String,
    pub call_id: String,
    /// What started it: `ended`, `analyzed` or `retry`.
    pub event: String,
    pub attempt: i64,
    pub outcome: SyncOutcome,
    pub message: String,
    /// HubSpot's answer, when there was one.
    pub status_code: Option<i64>,
    pub hubspot_call_id: Option<String>,
    pub contact_id: Option<String>,
    pub created_at: i64,
}
