//! Talkdeck: a self-hostable control plane for AI voice phone agents.
//!
//! One crate, two builds: `ssr` (the server binary, everything under [`server`]) and `hydrate`
//! (the WASM bundle: UI, wire types and errors only).
#![recursion_limit = "256"]

pub mod app;
pub mod model;
pub mod server_fns;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
