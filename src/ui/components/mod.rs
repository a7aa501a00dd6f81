//! The design system: small, accessible building blocks shared by every page.

pub mod alert;
pub mod button;
pub mod card;
pub mod empty_state;
pub mod field;
pub mod icons;
pub mod page_header;
pub mod table;
pub mod wordmark;

pub use alert::{Alert, FormError, Notice, Status};
pub use button::{SecondaryButton, SubmitButton, DANGER_BUTTON, SECONDARY_BUTTON};
pub use card::Card;
pub use empty_state::EmptyState;
pub use field::{
    action_ok, action_ok_or_flag, on_action_ok, validate_all, FieldState, ServerErrors, ServerInput, TextAreaField, TextField, FILE_INPUT_CLASS, INPUT_CLASS,
    SELECT_CLASS,
};
pub use page_header::PageHeader;
pub use table::DataTable;
pub use wordmark::Wordmark;
