//! Dashboard sections that have no content yet: each shows what will appear there.

use crate::ui::components::icons::{Icon, IconKind};
use crate::ui::components::{EmptyState, PageHeader};
use crate::ui::layout::with_project;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
fn Section(title: &'static str, description: &'static str, icon: IconKind, empty_title: &'static str, empty_text: &'static str) -> impl IntoView {
    view! {
        <Title text=format!("{title} · Talkdeck")/>
        <PageHeader title=title description=description/>
        {with_project(move |_| {
            view! {
                <EmptyState title=empty_title description=empty_text>
                    <Icon kind=icon class="size-6"/>
                </EmptyState>
            }
                .into_any()
        })}
    }
}

#[component]
pub fn BatchesPage() -> impl IntoView {
    view! {
        <Section
            title="Batches"
            description="Outbound campaigns that call a list of contacts."
            icon=IconKind::Batches
            empty_title="No batches yet"
            empty_text="Batches you start will be listed here with their progress and results."
        />
    }
}
