//! The behaviour shared by the top bar's pop-over menus (user menu, project picker): a button and
//! a panel inside one root element.
//!
//! Before hydration (or without JavaScript) the panel opens through CSS while focus is inside the
//! root (clicking the button focuses it), so forms in the panel still work as plain POSTs. After
//! hydration the `open` signal drives it: the button toggles, Escape closes and returns focus to
//! the button, a click or keyboard focus outside closes it.

use super::use_hydrated;
use leptos::ev;
use leptos::html::{Button, Div};
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

#[derive(Clone, Copy)]
pub struct Disclosure {
    pub open: RwSignal<bool>,
    pub root: NodeRef<Div>,
    pub button: NodeRef<Button>,
    hydrated: ReadSignal<bool>,
}

impl Disclosure {
    /// Creates the state and listens for clicks outside the root while the component lives.
    pub fn new() -> Self {
        let this = Disclosure { open: RwSignal::new(false), root: NodeRef::new(), button: NodeRef::new(), hydrated: use_hydrated() };
        let outside_click = window_event_listener(ev::click, move |e| {
            if this.open.try_get_untracked() == Some(true) && !this.contains(e.target()) {
                this.open.set(false);
            }
        });
        on_cleanup(move || outside_click.remove());
        this
    }

    fn contains(&self, target: Option<leptos::web_sys::EventTarget>) -> bool {
        let Some(root) = self.root.get_untracked() else { return false };
        target.and_then(|t| t.dyn_into::<leptos::web_sys::Node>().ok()).map(|n| root.contains(Some(&n))).unwrap_or(false)
    }

    pub fn toggle(&self) {
        self.open.update(|o| *o = !*o);
    }

    pub fn close(&self) {
        self.open.set(false);
    }

    /// For the root's `on:keydown`.
    pub fn on_keydown(&self, e: ev::KeyboardEvent) {
        if e.key() == "Escape" && self.open.get_untracked() {
            e.prevent_default();
            self.open.set(false);
            if let Some(b) = self.button.get_untracked() {
                let _ = b.focus();
            }
        }
    }

    /// For the root's `on:focusout`: keyboard focus leaving closes the panel; a null target (a
    /// click on nothing focusable) is left to the outside-click handler.
    pub fn on_focusout(&self, e: ev::FocusEvent) {
        let related = e.related_target();
        if related.is_some() && !self.contains(related) {
            self.open.set(false);
        }
    }

    /// The panel's visibility classes (the root needs the `group` class).
    pub fn visibility(&self) -> &'static str {
        match (self.hydrated.get(), self.open.get()) {
            (true, true) => "block",
            (true, false) => "hidden",
            (false, _) => "hidden group-focus-within:block",
        }
    }

    pub fn expanded(&self) -> &'static str {
        if self.open.get() {
            "true"
        } else {
            "false"
        }
    }
}

/// A row of a top-bar menu (a link, or a form's submit button).
pub const MENU_ITEM: &str = "flex w-full items-center gap-2.5 rounded-lg px-3 py-2 text-left text-sm text-slate-700 \
    hover:bg-slate-100 hover:text-slate-900 focus:outline-none focus-visible:bg-slate-100 focus-visible:ring-2 focus-visible:ring-indigo-500 \
    disabled:cursor-not-allowed disabled:opacity-60";

/// The button of a top-bar picker (project, agent).
pub const PICKER_BUTTON: &str = "inline-flex min-w-0 max-w-[12rem] items-center gap-2 rounded-lg border border-slate-300 bg-white \
    px-2.5 py-1.5 text-sm font-medium text-slate-700 shadow-xs hover:bg-slate-50 focus:outline-none focus-visible:ring-2 \
    focus-visible:ring-indigo-500 sm:max-w-[18rem] sm:px-3";

/// The panel of a top-bar picker, opening under its button.
pub fn picker_panel_class(d: Disclosure) -> String {
    format!(
        "absolute left-0 z-40 mt-2 w-72 max-w-[calc(100vw-2rem)] rounded-xl border border-slate-200 bg-white p-1.5 shadow-lg ring-1 ring-slate-900/5 {}",
        d.visibility()
    )
}

impl Default for Disclosure {
    fn default() -> Self {
        Self::new()
    }
}
