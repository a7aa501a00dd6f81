use crate::ui::components::icons::{Icon, IconKind};
use crate::ui::layout::app_shell::use_user;
use crate::ui::layout::with_project;
use crate::ui::pages::TEXT_LINK;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OverviewPage() -> impl IntoView {
    let user = use_user();
    let welcome = move || {
        let name = user.get().and_then(|r| r.ok().flatten()).map(|u| u.name);
        match name {
            Some(n) => format!("Welcome, {n}"),
            None => "Welcome".to_string(),
        }
    };

    let stats = super::overview_stats::StatsData::new();
    view! {
        <Title text="Overview · Talkdeck"/>
        <div class="mb-8">
            <h1 class="text-2xl font-semibold tracking-tight text-slate-900">"Overview"</h1>
            <Suspense fallback=|| view! { <p class="mt-1 h-5 w-40 animate-pulse rounded bg-slate-200"></p> }>
                <p class="mt-1 text-slate-600">{welcome}</p>
            </Suspense>
        </div>
        {with_project(move |p| {
            view! {
                <section aria-labelledby="active-project" class="mb-8 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
                    <p class="text-xs font-medium uppercase tracking-wide text-slate-500">"Active project"</p>
                    <h2 id="active-project" class="mt-1 text-lg font-semibold text-slate-900">{p.name.clone()}</h2>
                    {(!p.description.trim().is_empty())
                        .then(|| view! { <p class="mt-1 text-sm text-slate-600">{p.description.clone()}</p> })}
                    <p class="mt-3 text-sm text-slate-600">
                        {format!("Your role: {}", p.role.label())}
                        " · "
                        <a href="/settings/project" class=TEXT_LINK>"Project settings"</a>
                    </p>
                </section>
                <super::overview_stats::CallStats data=stats/>
                <section aria-labelledby="get-started">
                    <h2 id="get-started" class="text-base font-semibold text-slate-900">"Get started"</h2>
                    <p class="mt-1 text-sm text-slate-600">
                        "Three steps from an empty account to your first conversation with an agent."
                    </p>
                    <ol class="mt-5 grid gap-4 md:grid-cols-3">
                        <Step
                            number=1
                            icon=IconKind::Folder
                            title="Create a project"
                            text="Projects keep agents, phone numbers and calls apart, for example one per customer or environment. Invite your team from the project's settings."
                            link=("/settings/team", "Invite your team")
                        />
                        <Step
                            number=2
                            icon=IconKind::Agents
                            title="Configure an agent"
                            text="Write the agent’s instructions, choose its voice and decide how it greets callers."
                            link=("/agents", "Set up an agent")
                        />
                        <Step
                            number=3
                            icon=IconKind::Calls
                            title="Place a test call"
                            text="Call your agent to hear how it sounds and behaves before real callers reach it."
                            link=("/calls", "Try a test call")
                        />
                    </ol>
                </section>
            }
                .into_any()
        })}
    }
}

#[component]
fn Step(number: u8, icon: IconKind, title: &'static str, text: &'static str, #[prop(optional)] link: Option<(&'static str, &'static str)>) -> impl IntoView {
    view! {
        <li class="flex flex-col rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <div class="flex items-center gap-3">
                <span class="flex size-9 items-center justify-center rounded-lg bg-indigo-50 text-indigo-600">
                    <Icon kind=icon/>
                </span>
                <span class="text-xs font-medium uppercase tracking-wide text-slate-500">
                    {format!("Step {number}")}
                </span>
            </div>
            <h3 class="mt-4 font-semibold text-slate-900">{title}</h3>
            <p class="mt-1 flex-1 text-sm text-slate-600">{text}</p>
            {link
                .map(|(href, label)| {
                    view! {
                        <a href=href class=format!("mt-4 inline-flex items-center gap-1 text-sm {TEXT_LINK}")>
                            {label}
                            <Icon kind=IconKind::ArrowRight class="size-4"/>
                        </a>
                    }
                })}
        </li>
    }
}
