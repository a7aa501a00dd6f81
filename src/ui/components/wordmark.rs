//! The Talkdeck logo and name.

use leptos::prelude::*;

#[component]
pub fn Wordmark(
    /// Larger variant for the auth pages.
    #[prop(optional)]
    large: bool,
) -> impl IntoView {
    let (badge, text) = if large { ("size-10 rounded-xl", "text-2xl") } else { ("size-8 rounded-lg", "text-lg") };
    view! {
        <span class="inline-flex items-center gap-2.5">
            <span class=format!("inline-flex items-center justify-center bg-indigo-600 text-white shadow-sm {badge}") aria-hidden="true">
                <svg class="size-3/5" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round">
                    <path d="M4 10v4M8 7v10M12 4v16M16 8v8M20 11v2"></path>
                </svg>
            </span>
            <span class=format!("font-semibold tracking-tight text-slate-900 {text}")>"Talkdeck"</span>
        </span>
    }
}
