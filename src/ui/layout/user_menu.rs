//! The user menu in the top bar: a disclosure button showing the user's name and a panel with
//! Profile, Change password, API docs and Log out.
//! Opening and closing, with and without JavaScript, is [`Disclosure`]'s; the Log out form works
//! as a plain POST before hydration.

use super::app_shell::use_user;
use super::disclosure::{Disclosure, MENU_ITEM};
use crate::server_fns::auth::Logout;
use crate::ui::components::icons::{Icon, IconKind};
use leptos::prelude::*;

fn initial(name: &str) -> String {
    name.trim().chars().next().map(|c| c.to_uppercase().collect()).unwrap_or_else(|| "?".to_string())
}

#[component]
pub fn UserMenu() -> impl IntoView {
    let user = use_user();
    let menu = Disclosure::new();
    let logout = ServerAction::<Logout>::new();
    let close = move || menu.close();

    let panel_class =
        move || format!("absolute right-0 z-40 mt-2 w-64 rounded-xl border border-slate-200 bg-white p-1.5 shadow-lg ring-1 ring-slate-900/5 {}", menu.visibility());

    let name = move || user.get().and_then(|r| r.ok().flatten()).map(|u| u.name);
    let email = move || user.get().and_then(|r| r.ok().flatten()).map(|u| u.email);

    view! {
        <div class="group relative" node_ref=menu.root on:keydown=move |e| menu.on_keydown(e) on:focusout=move |e| menu.on_focusout(e)>
            <button
                type="button"
                node_ref=menu.button
                aria-label="User menu"
                aria-haspopup="true"
                aria-controls="user-menu-panel"
                aria-expanded=move || menu.expanded()
                on:click=move |_| menu.toggle()
                class="flex items-center gap-2 rounded-full py-1 pl-1 pr-2 text-sm font-medium text-slate-700 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
            >
                <Transition fallback=|| {
                    view! {
                        <span class="size-8 rounded-full bg-slate-200" aria-hidden="true"></span>
                        <span class="text-slate-500">"Account"</span>
                    }
                }>
                    {move || {
                        let n = name().unwrap_or_else(|| "Account".to_string());
                        view! {
                            // The initial is drawn by CSS so the button's text is just the name.
                            <span
                                data-initial=initial(&n)
                                class="flex size-8 items-center justify-center rounded-full bg-indigo-600 text-sm font-semibold text-white before:content-[attr(data-initial)]"
                                aria-hidden="true"
                            ></span>
                            <span class="max-w-[8rem] truncate sm:max-w-[14rem]">{n}</span>
                        }
                    }}
                </Transition>
                <Icon kind=IconKind::ChevronDown class="size-4 text-slate-400"/>
            </button>
            <div id="user-menu-panel" class=panel_class>
                <Transition fallback=|| ()>
                    {move || {
                        email()
                            .map(|e| {
                                view! {
                                    <div class="mb-1 border-b border-slate-100 px-3 pb-2.5 pt-1.5">
                                        <p class="text-xs text-slate-500">"Signed in as"</p>
                                        <p class="truncate text-sm font-medium text-slate-900">{e}</p>
                                    </div>
                                }
                            })
                    }}
                </Transition>
                <a href="/settings/profile" class=MENU_ITEM on:click=move |_| close()>
                    <Icon kind=IconKind::User class="size-4 text-slate-400"/>
                    "Profile"
                </a>
                <a href="/settings/password" class=MENU_ITEM on:click=move |_| close()>
                    <Icon kind=IconKind::Key class="size-4 text-slate-400"/>
                    "Change password"
                </a>
                // `/docs` is served by the server, not the client router: `rel="external"` makes
                // the router leave the click to the browser.
                <a href="/docs" rel="external" target="_blank" class=MENU_ITEM on:click=move |_| close()>
                    <Icon kind=IconKind::Book class="size-4 text-slate-400"/>
                    "API docs"
                </a>
                <div class="my-1 border-t border-slate-100"></div>
                <ActionForm action=logout>
                    <button type="submit" class=MENU_ITEM disabled=move || logout.pending().get()>
                        <Icon kind=IconKind::ArrowRight class="size-4 text-slate-400"/>
                        "Log out"
                    </button>
                </ActionForm>
            </div>
        </div>
    }
}
