//! One module per page. Public account pages live in `auth`, the signed-in ones next to it.

pub mod agents;
pub mod auth;
pub mod batches;
pub mod calls;
pub mod invitation;
pub mod not_found;
pub mod overview;
mod overview_stats;
pub mod phone_numbers;
pub mod projects;
pub mod settings;
pub mod voices;

pub use agents::{AgentEditorPage, AgentsPage};
pub use auth::{ForgotPasswordPage, LoginPage, ResetPasswordPage, SignupPage, VerifyPage};
pub use batches::{BatchDetailPage, BatchesPage, NewBatchPage};
pub use calls::{CallDetailPage, CallsPage};
pub use invitation::AcceptInvitationPage;
pub use not_found::NotFound;
pub use overview::OverviewPage;
pub use phone_numbers::PhoneNumbersPage;
pub use projects::NewProjectPage;
pub use settings::{
    ApiKeysPage, AuditLogPage, ChangePasswordPage, DoNotCallPage, HubSpotPage, ProfilePage, ProjectSettingsPage, SettingsPage, TeamPage, WebhookEndpointPage,
    WebhooksPage,
};
pub use voices::VoicesPage;

/// Classes for inline text links.
pub(crate) const TEXT_LINK: &str = "font-medium text-indigo-600 underline-offset-4 hover:text-indigo-500 hover:underline focus:outline-none focus-visible:rounded focus-visible:ring-2 focus-visible:ring-indigo-500";
