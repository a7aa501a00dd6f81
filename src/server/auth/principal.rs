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
