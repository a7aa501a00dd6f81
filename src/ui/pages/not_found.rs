use crate::ui::components::Wordmark;
use crate::ui::pages::TEXT_LINK;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }

    view! {
        <Title text="Page not found · Talkdeck"/>
        <main class="flex min-h-screen flex-col items-center justify-center bg-slate-50 px-4 py-12 text-center">
            <a href="/" class="mb-10 rounded-lg focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500">
                <Wordmark large=true/>
            </a>
            <p class="text-sm font-semibold text-indigo-600">"404"</p>
            <h1 class="mt-2 text-2xl font-semibold tracking-tight text-slate-900">"Page not found"</h1>
            <p class="mt-2 max-w-sm text-sm text-slate-600">
                "The page you are looking for does not exist or has moved."
            </p>
            <a href="/" class=format!("mt-6 text-sm {TEXT_LINK}")>"Back to the dashboard"</a>
        </main>
    }
}
