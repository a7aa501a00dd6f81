//! The actions the audit log records. Stored as their dotted names (`agent.created`); the enum
//! keeps writers to the known set, and reading back an unknown name is an error, not a guess.

/// One audited action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    AgentCallingUpdated,
    AgentCreated,
    AgentDeleted,
    AgentDuplicated,
    AgentUpdated,
    ApiKeyCreated,
    ApiKeyRevoked,
    BatchCanceled,
    BatchCreated,
    BatchPaused,
    BatchResumed,
    BatchStarted,
    DoNotCallAdded,
    DoNotCallRemoved,
    HubSpotConnected,
    HubSpotDisconnected,
    InvitationAccepted,
    InvitationCreated,
    InvitationResent,
    InvitationRevoked,
    MemberLeft,
    MemberRemoved,
    MemberRoleChanged,
    NumberAdded,
    NumberAssigned,
    NumberReleased,
    NumberUnassigned,
    ProjectActiveAgentCleared,
    ProjectActiveAgentSet,
    ProjectCreated,
    ProjectDeleted,
    ProjectTransferred,
    ProjectWebhookChanged,
    TwilioCredentialsRemoved,
    TwilioCredentialsSaved,
    TwilioNumbersImported,
    WebhookEndpointCreated,
    WebhookEndpointDeleted,
    WebhookEndpointDisabled,
    WebhookEndpointUpdated,
    WebhookSecretRotated,
    WebhookReplayed,
}

impl AuditAction {
    pub const ALL: &'static [AuditAction] = &[
        AuditAction::AgentCallingUpdated,
        AuditAction::AgentCreated,
        AuditAction::AgentDeleted,
        AuditAction::AgentDuplicated,
        AuditAction::AgentUpdated,
        AuditAction::ApiKeyCreated,
        AuditAction::ApiKeyRevoked,
        AuditAction::BatchCanceled,
        AuditAction::BatchCreated,
        AuditAction::BatchPaused,
        AuditAction::BatchResumed,
        AuditAction::BatchStarted,
        AuditAction::DoNotCallAdded,
        AuditAction::DoNotCallRemoved,
        AuditAction::HubSpotConnected,
        AuditAction::HubSpotDisconnected,
        AuditAction::InvitationAccepted,
        AuditAction::InvitationCreated,
        AuditAction::InvitationResent,
        AuditAction::InvitationRevoked,
        AuditAction::MemberLeft,
        AuditAction::MemberRemoved,
        AuditAction::MemberRoleChanged,
        AuditAction::NumberAdded,
        AuditAction::NumberAssigned,
        AuditAction::NumberReleased,
        AuditAction::NumberUnassigned,
        AuditAction::ProjectActiveAgentCleared,
        AuditAction::ProjectActiveAgentSet,
        AuditAction::ProjectCreated,
        AuditAction::ProjectDeleted,
        AuditAction::ProjectTransferred,
        AuditAction::ProjectWebhookChanged,
        AuditAction::TwilioCredentialsRemoved,
        AuditAction::TwilioCredentialsSaved,
        AuditAction::TwilioNumbersImported,
        AuditAction::WebhookEndpointCreated,
        AuditAction::WebhookEndpointDeleted,
        AuditAction::WebhookEndpointDisabled,
        AuditAction::WebhookEndpointUpdated,
        AuditAction::WebhookSecretRotated,
        AuditAction::WebhookReplayed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::AgentCallingUpdated => "agent.calling_updated",
            AuditAction::AgentCreated => "agent.created",
            AuditAction::AgentDeleted => "agent.deleted",
            AuditAction::AgentDuplicated => "agent.duplicated",
            AuditAction::AgentUpdated => "agent.updated",
            AuditAction::ApiKeyCreated => "api_key.created",
            AuditAction::ApiKeyRevoked => "api_key.revoked",
            AuditAction::BatchCanceled => "batch.canceled",
            AuditAction::BatchCreated => "batch.created",
            AuditAction::BatchPaused => "batch.paused",
            AuditAction::BatchResumed => "batch.resumed",
            AuditAction::BatchStarted => "batch.started",
            AuditAction::DoNotCallAdded => "do_not_call.added",
            AuditAction::DoNotCallRemoved => "do_not_call.removed",
            AuditAction::HubSpotConnected => "hubspot.connected",
            AuditAction::HubSpotDisconnected => "hubspot.disconnected",
            AuditAction::InvitationAccepted => "invitation.accepted",
            AuditAction::InvitationCreated => "invitation.created",
            AuditAction::InvitationResent => "invitation.resent",
            AuditAction::InvitationRevoked => "invitation.revoked",
            AuditAction::MemberLeft => "member.left",
            AuditAction::MemberRemoved => "member.removed",
            AuditAction::MemberRoleChanged => "member.role_changed",
            AuditAction::NumberAdded => "number.added",
            AuditAction::NumberAssigned => "number.assigned",
            AuditAction::NumberReleased => "number.released",
            AuditAction::NumberUnassigned => "number.unassigned",
            AuditAction::ProjectActiveAgentCleared => "project.active_agent_cleared",
            AuditAction::ProjectActiveAgentSet => "project.active_agent_set",
            AuditAction::ProjectCreated => "project.created",
            AuditAction::ProjectDeleted => "project.deleted",
            AuditAction::ProjectTransferred => "project.transferred",
            AuditAction::ProjectWebhookChanged => "project.webhook_changed",
            AuditAction::TwilioCredentialsRemoved => "twilio.credentials_removed",
            AuditAction::TwilioCredentialsSaved => "twilio.credentials_saved",
            AuditAction::TwilioNumbersImported => "twilio.numbers_imported",
            AuditAction::WebhookEndpointCreated => "webhook.endpoint_created",
            AuditAction::WebhookEndpointDeleted => "webhook.endpoint_deleted",
            AuditAction::WebhookEndpointDisabled => "webhook.endpoint_disabled",
            AuditAction::WebhookEndpointUpdated => "webhook.endpoint_updated",
            AuditAction::WebhookSecretRotated => "webhook.secret_rotated",
            AuditAction::WebhookReplayed => "webhook.replayed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.as_str() == s)
    }
}

/// A stored action read back (`audit_log.action`): an unknown one is an error, not a guess.
impl TryFrom<String> for AuditAction {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        AuditAction::parse(&s).ok_or_else(|| format!("unknown audit action {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(*a));
            assert!(seen.insert(a.as_str()), "{a:?} twice");
        }
        assert_eq!(AuditAction::parse("agent.exploded"), None);
    }

    #[test]
    fn stored_actions_convert_or_name_the_bad_value() {
        assert_eq!(AuditAction::try_from("agent.created".to_string()), Ok(AuditAction::AgentCreated));
        assert_eq!(AuditAction::try_from("agent.exploded".to_string()), Err("unknown audit action \"agent.exploded\"".to_string()));
    }
}
