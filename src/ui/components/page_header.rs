//! The heading block at the top of an app page.

use leptos::prelude::*;

#[component]
pub fn PageHeader(title: &'static str, #[prop(optional)] description: Option<&'static str>) -> impl IntoView {
    view! {
        <div class="mb-8">
            <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
            {description.map(|d| view! { <p class="mt-1 text-sm text-slate-600">{d}</p> })}
        </div>
    }
}
