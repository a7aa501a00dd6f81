//! Who is calling. Built by `services::accounts` from a session cookie or a bearer token; the
//! entry points only carry it along.

use crate::server::db::users::UserRow;

#[derive(Debug, Clone)]
pub enum AuthVia {
    /// A browser session; holds the stored hash of the session id.
    Session { id_hash: String },
    /// A bearer access token of this refresh-token family.
    AccessToken { family_id: String },
    /// An API key, optionally limited to one project.
    ApiKey { key_id: String, project_id: Option<String> },
}

#[derive(Debug, Clone)]
pub struct Principal {
    pub user: UserRow,
    pub via: AuthVia,
}

impl Principal {
    pub fn user_id(&self) -> &str {
        &self.user.id
    }

    /// The one project an API key is limited to, if any.
    pub fn project_scope(&self) -> Option<&str> {
        match &self.via {
            AuthVia::ApiKey { project_id, .. } => project_id.as_deref(),
            _ => None,
        }
    }

    pub fn is_api_key(&self) -> bool {
        matches!(self.via, AuthVia::ApiKey { .. })
    }
}

/// Who a service operation acts for. Services take an actor, never a request: the same operation
/// serves the dashboard, the REST APIs, jobs and provider callbacks.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A person, through a browser session or a bearer access token.
    User(Principal),
    /// An API key: its creator's role, capped by the key's project scope.
    ApiKey(Principal),
    /// Background work and provider callbacks: no person behind it, so it is trusted with the
    /// project the work belongs to and recorded as `system` in the audit log.
    System,
}

/// How the audit log names an actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    User,
    ApiKey,
    System,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::User => "user",
            ActorKind::ApiKey => "api_key",
            ActorKind::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "user" => Some(ActorKind::User),
            "api_key" => Some(ActorKind::ApiKey),
            "system" => Some(ActorKind::System),
            _ => None,
        }
    }
}

/// A stored actor kind read back: an unknown spelling is an error, never a guess.
impl TryFrom<String> for ActorKind {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).ok_or_else(|| format!("unknown actor kind {s:?}"))
    }
}

impl From<Principal> for Actor {
    fn from(p: Principal) -> Self {
        if p.is_api_key() {
            Actor::ApiKey(p)
        } else {
            Actor::User(p)
        }
    }
}

impl Actor {
    /// The authenticated caller; `None` for the system.
    pub fn principal(&self) -> Option<&Principal> {
        match self {
            Actor::User(p) | Actor::ApiKey(p) => Some(p),
            Actor::System => None,
        }
    }

    /// The person acting (an API key acts for its creator); `None` for the system.
    pub fn user_id(&self) -> Option<&str> {
        self.principal().map(Principal::user_id)
    }

    pub fn kind(&self) -> ActorKind {
        match self {
            Actor::User(_) => ActorKind::User,
            Actor::ApiKey(_) => ActorKind::ApiKey,
            Actor::System => ActorKind::System,
        }
    }

    /// The one project an API key is limited to, if any.
    pub fn project_scope(&self) -> Option<&str> {
        self.principal().and_then(Principal::project_scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_kinds_round_trip() {
        for k in [ActorKind::User, ActorKind::ApiKey, ActorKind::System] {
            assert_eq!(ActorKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ActorKind::parse("robot"), None);
        assert_eq!(Actor::System.kind(), ActorKind::System);
        assert!(Actor::System.user_id().is_none());
    }
}
