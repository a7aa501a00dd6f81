//! Account DTOs. `UserView` never carries secrets (no password hash, no tokens).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub company_name: Option<String>,
    pub verified: bool,
    pub active_project: Option<String>,
    /// Unix milliseconds (UTC).
    pub created_at: i64,
    pub updated_at: i64,
}
