//! Who is calling. Built by `services::accounts` from a session cookie or a bearer token; the
//! entry points only carry it along.

use crate::server::db::users::UserRow;

#[derive(Debug, Clone)]
pub enum AuthVia {
    /// A browser session; holds the stored hash of the session id.
    Session { id_hash: String },
    /// A bearer access token of this refresh-token family.
    AccessToken { family_id: String },
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
}
