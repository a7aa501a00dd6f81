//! The signed-in frame: sidebar navigation, a top bar with the project picker, the active agent
//! picker and the user menu, and the routed page in `<main>`.
//! The shell provides the signed-in user ([`CurrentUser`]), the project state
//! ([`super::projects::Projects`]) and the active project's agents ([`super::agents::Agents`]) to
//! every page.

use super::agents::{AgentPicker, Agents};
use super::projects::{ProjectPicker, Projects};
use super::sidebar::MainNav;
use super::use_hydrated;
use super::user_menu::UserMenu;
use crate::model::{AppError, UserView};
use crate::server_fns::auth::current_user;
use crate::ui::components::icons::{Icon, IconKind};
use crate::ui::components::Wordmark;
use crate::ui::util::encode_query_value;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

/// The signed-in user, loaded once by the shell and shared with its pages.
#[derive(Clone, Copy)]
pub struct CurrentUser(pub Resource<Result<Option<UserView>, AppError>>);

/// The shell's user resource. Outside the shell (never in practice) an empty one.
pub fn use_user() -> Resource<Result<Option<UserView>, AppError>> {
    match use_context::<CurrentUser>() {
        Some(CurrentUser(r)) => r,
        None => Resource::new(|| (), |_| async { Ok(None) }),
    }
}

#[component]
pub fn AppShell() -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    provide_context(CurrentUser(user));
    let projects = Projects::new();
    provide_context(projects);
    provide_context(Agents::new(projects));

    // The server redirects page loads without a session; this covers client-side navigation
    // after the session ended (expired, logged out elsewhere).
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(None)) = user.get() {
            let path = location.pathname.get_untracked();
            let search = location.search.get_untracked();
            let search = search.trim_start_matches('?');
            let here = if search.is_empty() { path } else { format!("{path}?{search}") };
            navigate(&format!("/login?next={}", encode_query_value(&here)), NavigateOptions { replace: true, ..Default::default() });
        }
    });

    let hydrated = use_hydrated();
    let nav_open = RwSignal::new(false);
    // Without JavaScript the small-screen menu is simply always shown.
    let nav_class = Signal::derive(move || {
        let small = if hydrated.get() && !nav_open.get() { "hidden" } else { "block" };
        format!("{small} border-t border-slate-200 px-3 py-3 lg:block lg:border-t-0 lg:px-4 lg:py-4")
    });

    view! {
        <div class="min-h-screen bg-slate-50">
            <a
                href="#main"
                class="sr-only focus:not-sr-only focus:fixed focus:left-4 focus:top-4 focus:z-50 focus:rounded-lg focus:bg-white focus:px-4 focus:py-2 focus:text-sm focus:font-medium focus:shadow-lg focus:outline-none focus:ring-2 focus:ring-indigo-500"
            >
                "Skip to content"
            </a>
            <aside class="border-b border-slate-200 bg-white lg:fixed lg:inset-y-0 lg:left-0 lg:z-30 lg:flex lg:w-64 lg:flex-col lg:border-b-0 lg:border-r">
                <div class="flex h-16 shrink-0 items-center justify-between px-4 lg:px-6">
                    <a href="/" class="rounded-lg focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500">
                        <Wordmark/>
                    </a>
                    <button
                        type="button"
                        class=move || {
                            if hydrated.get() {
                                "inline-flex items-center gap-2 rounded-lg px-2.5 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 lg:hidden"
                            } else {
                                "hidden"
                            }
                        }
                        aria-controls="main-nav"
                        aria-expanded=move || if nav_open.get() { "true" } else { "false" }
                        on:click=move |_| nav_open.update(|o| *o = !*o)
                    >
                        {move || {
                            if nav_open.get() {
                                view! { <Icon kind=IconKind::Close/> }
                            } else {
                                view! { <Icon kind=IconKind::Menu/> }
                            }
                        }}
                        "Navigation"
                    </button>
                </div>
                <MainNav class=nav_class on_navigate=Callback::new(move |_| nav_open.set(false))/>
            </aside>
            <div class="lg:pl-64">
                <header class="sticky top-0 z-20 flex h-16 items-center gap-2 border-b border-slate-200 bg-white/90 px-4 backdrop-blur sm:gap-3 sm:px-6 lg:px-8">
                    <ProjectPicker/>
                    <AgentPicker/>
                    <div class="ml-auto">
                        <UserMenu/>
                    </div>
                </header>
                <main id="main" tabindex="-1" class="mx-auto max-w-6xl px-4 py-8 focus:outline-none sm:px-6 lg:px-8">
                    <Outlet/>
                </main>
            </div>
        </div>
    }
}
