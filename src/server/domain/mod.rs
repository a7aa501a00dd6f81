//! Validated newtypes: once constructed, a value is known to be well-formed. Each `parse()`
//! returns a client-facing [`AppError`](crate::model::AppError) naming the field.

mod email;
mod password;
mod text;

pub use email::Email;
pub use password::Password;
pub use text::{CompanyName, PersonName, VerificationCode};
