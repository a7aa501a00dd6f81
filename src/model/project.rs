//! Project, team, invitation, API key and audit DTOs, and the role ladder.

use serde::{Deserialize, Serialize};

/// Roles on a project, weakest first so that `>=` reads as "at least".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Role {
    Viewer,
    Member,
    Admin,
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Member => "member",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "viewer" => Some(Role::Viewer),
            "member" => Some(Role::Member),
            "admin" => Some(Role::Admin),
            "owner" => Some(Role::Owner),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Viewer => "Viewer",
            Role::Member => "Member",
            Role::Admin => "Admin",
            Role::Owner => "Owner",
        }
    }

    /// Members and above edit agents and place calls.
    pub fn can_edit(self) -> bool {
        self >= Role::Member
    }

    /// Admins and above manage members, numbers, webhooks, integrations and API keys.
    pub fn can_manage(self) -> bool {
        self >= Role::Admin
    }
}

/// A stored role read back (`#[sqlx(try_from = "String")]`): an unknown one is an error.
impl TryFrom<String> for Role {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Role::parse(&s).ok_or_else(|| format!("unknown role {s:?}"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub status: String,
    pub owner_id: String,
    pub owner_name: String,
    pub owner_email: String,
    pub call_status_webhook: Option<String>,
    pub active_agent: Option<String>,
    /// Calls that may be live at once; more wait queued.
    pub max_concurrent_calls: i64,
    /// The caller's role on this project.
    pub role: Role,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub joined_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub id: String,
    pub project_id: String,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    /// pending, accepted, revoked or expired
    pub state: String,
}

/// What an invitee sees before accepting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPreview {
    pub project_name: String,
    pub invited_by: String,
    pub email: String,
    pub role: Role,
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyView {
    pub id: String,
    pub name: String,
    /// The first characters of the key, enough to recognise it.
    pub prefix: String,
    pub project_id: Option<String>,
    pub project_name: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// A key right after creation: the only time the secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyCreated {
    pub key: ApiKeyView,
    pub secret: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub id: String,
    /// `user`, `api_key` (acting for `actor_id`, its creator) or `system` (jobs, callbacks).
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub details: Option<String>,
    pub created_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_order_and_parse() {
        assert!(Role::Owner > Role::Admin && Role::Admin > Role::Member && Role::Member > Role::Viewer);
        for r in [Role::Viewer, Role::Member, Role::Admin, Role::Owner] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse(" ADMIN "), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
        assert!(Role::Member.can_edit() && !Role::Viewer.can_edit());
        assert!(Role::Admin.can_manage() && !Role::Member.can_manage());
    }

    #[test]
    fn stored_roles_convert_or_name_the_bad_value() {
        assert_eq!(Role::try_from("owner".to_string()), Ok(Role::Owner));
        assert_eq!(Role::try_from("viewer".to_string()), Ok(Role::Viewer));
        assert_eq!(Role::try_from("root".to_string()), Err("unknown role \"root\"".to_string()));
    }
}
