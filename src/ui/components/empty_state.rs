//! The placeholder for a list that has nothing in it yet.

use leptos::prelude::*;

#[component]
pub fn EmptyState(
    /// Short headline, e.g. "No agents yet".
    title: &'static str,
    /// One or two sentences on what will appear here and how.
    description: &'static str,
    /// An icon (decorative).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="flex flex-col items-center rounded-xl border border-dashed border-slate-300 bg-white px-6 py-14 text-center">
            <div class="flex size-12 items-center justify-center rounded-full bg-indigo-50 text-indigo-600" aria-hidden="true">
                {children.map(|i| i())}
            </div>
            <h2 class="mt-4 text-base font-semibold text-slate-900">{title}</h2>
            <p class="mt-1 max-w-md text-sm text-slate-600">{description}</p>
        </div>
    }
}
