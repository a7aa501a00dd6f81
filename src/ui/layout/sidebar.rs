//! The main navigation: a sidebar on large screens, a collapsible menu under the top bar on small
//! ones. There is one `<nav aria-label="Main">`; its links mark the current page with
//! `aria-current="page"` (set by the router's `<A>`), which also drives the highlight.

use crate::ui::components::icons::{Icon, IconKind};
use leptos::prelude::*;
use leptos_router::components::A;

pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub icon: IconKind,
    /// Only active on an exact path match (the overview at `/`).
    pub exact: bool,
}

pub const NAV_ITEMS: &[NavItem] = &[
    NavItem { label: "Overview", href: "/", icon: IconKind::Home, exact: true },
    NavItem { label: "Agents", href: "/agents", icon: IconKind::Agents, exact: false },
    NavItem { label: "Calls", href: "/calls", icon: IconKind::Calls, exact: false },
    NavItem { label: "Batches", href: "/batches", icon: IconKind::Batches, exact: false },
    NavItem { label: "Phone numbers", href: "/phone-numbers", icon: IconKind::PhoneNumbers, exact: false },
    NavItem { label: "Voices", href: "/voices", icon: IconKind::Voices, exact: false },
    NavItem { label: "Settings", href: "/settings", icon: IconKind::Settings, exact: false },
];

const LINK: &str = "group flex items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium text-slate-600 \
    hover:bg-slate-100 hover:text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 \
    aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-700";

/// The navigation list. `on_navigate` runs when a link is clicked (closes the mobile menu).
#[component]
pub fn MainNav(
    /// Extra classes on the `<nav>` (visibility on small screens).
    #[prop(into)]
    class: Signal<String>,
    on_navigate: Callback<()>,
) -> impl IntoView {
    view! {
        <nav id="main-nav" aria-label="Main" class=class>
            <ul class="space-y-1">
                {NAV_ITEMS
                    .iter()
                    .map(|item| {
                        view! {
                            <li on:click=move |_| on_navigate.run(())>
                                <A href=item.href exact=item.exact attr:class=LINK>
                                    <span class="text-slate-400 group-hover:text-slate-600 group-aria-[current=page]:text-indigo-600">
                                        <Icon kind=item.icon/>
                                    </span>
                                    {item.label}
                                </A>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}
