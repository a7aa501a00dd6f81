//! Settings: an index page, the account pages (profile, password), the active project's pages
//! (project, team, webhooks, HubSpot, do-not-call list, audit log) and the user's API keys.

mod api_keys;
mod audit_log;
mod do_not_call;
mod hubspot;
mod password;
mod profile;
mod project;
mod team;
mod webhooks;

pub use api_keys::ApiKeysPage;
pub use audit_log::AuditLogPage;
pub use do_not_call::DoNotCallPage;
pub use hubspot::HubSpotPage;
pub use password::ChangePasswordPage;
pub use profile::ProfilePage;
pub use project::ProjectSettingsPage;
pub use team::TeamPage;
pub use webhooks::{WebhookEndpointPage, WebhooksPage};

use crate::ui::components::icons::{Icon, IconKind};
use crate::ui::components::PageHeader;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <Title text="Settings · Talkdeck"/>
        <PageHeader title="Settings" description="Manage your account, the active project and your API keys."/>
        <ul class="grid gap-4 sm:grid-cols-2">
            <SettingsLink
                href="/settings/profile"
                title="Profile"
                text="Your name, company and the email you log in with."
                icon=IconKind::User
            />
            <SettingsLink
                href="/settings/password"
                title="Change password"
                text="Choose a new password. Your other sessions are logged out."
                icon=IconKind::Key
            />
            <SettingsLink
                href="/settings/project"
                title="Project"
                text="Name, description and call status webhook of the active project."
                icon=IconKind::Folder
            />
            <SettingsLink
                href="/settings/team"
                title="Team"
                text="Members of the active project, their roles and invitations."
                icon=IconKind::Team
            />
            <SettingsLink
                href="/settings/api-keys"
                title="API keys"
                text="Keys for the REST API, for all projects or just one."
                icon=IconKind::Key
            />
            <SettingsLink
                href="/settings/webhooks"
                title="Webhooks"
                text="Signed call and batch events sent to your endpoints, with a delivery log (admins and owners)."
                icon=IconKind::Key
            />
            <SettingsLink
                href="/settings/integrations/hubspot"
                title="HubSpot"
                text="Log every call on the right HubSpot contact, with a sync log (admins and owners)."
                icon=IconKind::Team
            />
            <SettingsLink
                href="/settings/do-not-call"
                title="Do-not-call list"
                text="Numbers that batch calls in the active project never dial."
                icon=IconKind::PhoneNumbers
            />
            <SettingsLink
                href="/settings/audit-log"
                title="Audit log"
                text="Who changed what in the active project (admins and owners)."
                icon=IconKind::Audit
            />
        </ul>
    }
}

/// A card whose title is the link (the whole card is clickable through a stretched link).
#[component]
fn SettingsLink(href: &'static str, title: &'static str, text: &'static str, icon: IconKind) -> impl IntoView {
    view! {
        <li class="relative flex gap-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm focus-within:ring-2 focus-within:ring-indigo-500 hover:border-indigo-300 hover:shadow">
            <span class="flex size-10 shrink-0 items-center justify-center rounded-lg bg-indigo-50 text-indigo-600">
                <Icon kind=icon/>
            </span>
            <div>
                <h2 class="font-semibold text-slate-900">
                    <a href=href class="focus:outline-none after:absolute after:inset-0 after:content-['']">
                        {title}
                    </a>
                </h2>
                <p class="mt-1 text-sm text-slate-600">{text}</p>
            </div>
        </li>
    }
}

/// Back link and heading shared by the settings sub-pages.
#[component]
fn SettingsHeader(title: &'static str, description: &'static str) -> impl IntoView {
    view! {
        <Title text=format!("{title} · Talkdeck")/>
        <nav aria-label="Breadcrumb" class="mb-2 text-sm">
            <a href="/settings" class="text-slate-500 hover:text-slate-700 focus:outline-none focus-visible:rounded focus-visible:ring-2 focus-visible:ring-indigo-500">
                "← Back to settings"
            </a>
        </nav>
        <PageHeader title=title description=description/>
    }
}
