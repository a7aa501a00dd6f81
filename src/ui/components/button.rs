//! Buttons.

use leptos::prelude::*;

/// The primary submit button of a form: validates on click (cancelling the submission when the
/// check fails) and shows a pending state while the server function runs.
#[component]
pub fn SubmitButton(
    label: &'static str,
    /// True while the action runs: the button is disabled and its text gets an ellipsis.
    #[prop(into)]
    pending: Signal<bool>,
    /// Client-side check run on click; returning false cancels the submission.
    #[prop(optional)]
    validate: Option<Callback<(), bool>>,
    /// Full width (auth cards) or auto width (settings forms).
    #[prop(optional)]
    full_width: bool,
) -> impl IntoView {
    let class = if full_width {
        "inline-flex w-full items-center justify-center gap-2 rounded-lg bg-indigo-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:cursor-wait disabled:opacity-70"
    } else {
        "inline-flex items-center justify-center gap-2 rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:cursor-wait disabled:opacity-70"
    };
    view! {
        <button
            type="submit"
            class=class
            disabled=move || pending.get()
            aria-busy=move || pending.get().then_some("true")
            on:click=move |ev| {
                if let Some(validate) = validate {
                    if !validate.run(()) {
                        ev.prevent_default();
                    }
                }
            }
        >
            <Show when=move || pending.get()>
                <svg class="size-4 animate-spin" viewBox="0 0 24 24" fill="none" aria-hidden="true">
                    <circle class="opacity-25" cx="12" cy="12" r="10" stroke="currentColor" stroke-width="4"></circle>
                    <path class="opacity-75" fill="currentColor" d="M4 12a8 8 0 0 1 8-8v4a4 4 0 0 0-4 4H4Z"></path>
                </svg>
            </Show>
            {move || if pending.get() { format!("{label}…") } else { label.to_string() }}
        </button>
    }
}

/// Classes for a secondary (outlined) button.
pub const SECONDARY_BUTTON: &str = "inline-flex items-center justify-center gap-1.5 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-xs hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 disabled:cursor-wait disabled:opacity-60";

/// Classes for a destructive button.
pub const DANGER_BUTTON: &str = "inline-flex items-center justify-center gap-1.5 rounded-lg bg-red-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-red-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 focus-visible:ring-offset-2 disabled:cursor-wait disabled:opacity-60";

/// A small submit button for row actions (Save, Remove, Resend…). `context` is read by screen
/// readers after the visible label, e.g. "Remove" + " ana@example.com".
#[component]
pub fn SecondaryButton(
    label: &'static str,
    #[prop(optional, into)] context: Option<String>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(optional)] danger: bool,
) -> impl IntoView {
    let class = if danger {
        "inline-flex items-center justify-center gap-1.5 rounded-lg border border-red-200 bg-white px-3 py-1.5 text-sm font-medium text-red-700 shadow-xs hover:bg-red-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 disabled:cursor-wait disabled:opacity-60"
    } else {
        SECONDARY_BUTTON
    };
    view! {
        <button type="submit" class=class disabled=move || pending.get()>
            {label}
            {context.map(|c| view! { <span class="sr-only">{format!(" {c}")}</span> })}
        </button>
    }
}
