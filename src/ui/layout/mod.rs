//! Page frames: [`AuthLayout`] for the public account pages and [`AppShell`] (sidebar, top bar,
//! pickers, user menu) for the signed-in dashboard.

pub mod agents;
pub mod app_shell;
pub mod auth_layout;
pub mod disclosure;
pub mod projects;
pub mod sidebar;
pub mod user_menu;

pub use agents::{use_agents, AgentPicker, Agents};
pub use app_shell::{AppShell, CurrentUser};
pub use auth_layout::AuthLayout;
pub use projects::{project_resource, use_active_project, use_projects, with_project, LoadingPanel, NoProjectYet, Projects};

use leptos::prelude::*;

/// False during server rendering and until the WASM bundle has hydrated the page, then true.
/// Lets markup work without JavaScript first (e.g. menus shown by CSS) and switch to scripted
/// behaviour afterwards, without a hydration mismatch.
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}
