//! The centered card used by sign-up, log-in, verification and password reset.

use crate::ui::components::Wordmark;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AuthLayout(
    /// The card heading (also the document title).
    title: &'static str,
    /// One sentence under the heading.
    #[prop(optional)]
    subtitle: Option<&'static str>,
    children: Children,
    /// Content under the card (e.g. "Already have an account? Log in").
    #[prop(optional, into)]
    footer: Option<ViewFn>,
) -> impl IntoView {
    view! {
        <Title text=format!("{title} · Talkdeck")/>
        <main class="flex min-h-screen flex-col items-center justify-center bg-linear-to-b from-slate-50 to-indigo-50/60 px-4 py-12">
            <div class="w-full max-w-md">
                <a href="/" class="mx-auto mb-8 flex w-fit rounded-lg focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-4">
                    <Wordmark large=true/>
                </a>
                <div class="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
                    <h1 class="text-xl font-semibold tracking-tight text-slate-900">{title}</h1>
                    {subtitle.map(|s| view! { <p class="mt-1 text-sm text-slate-600">{s}</p> })}
                    <div class="mt-6 space-y-5">{children()}</div>
                </div>
                {footer
                    .map(|f| {
                        view! { <div class="mt-6 text-center text-sm text-slate-600">{f.run()}</div> }
                    })}
            </div>
        </main>
    }
}
