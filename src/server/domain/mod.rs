//! Validated newtypes: once constructed, a value is known to be well-formed. Each `parse()`
//! returns a client-facing [`AppError`](crate::model::AppError) naming the field.

mod audit;
mod email;
mod password;
mod phone;
mod project;

mod text;

pub use crate::model::template::PromptTemplate;
pub use audit::AuditAction;
pub use email::Email;
pub use password::Password;
pub use phone::E164;
pub use project::{Description, ProjectName, WebhookUrl};
pub use text::{CompanyName, PersonName, VerificationCode};
