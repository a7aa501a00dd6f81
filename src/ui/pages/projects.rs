//! Creating a project (`/projects/new`). The shell owns the action so that the picker refreshes;
//! on success the new project is active and the user lands on the Overview.

use crate::ui::components::{validate_all, Card, FieldState, FormError, PageHeader, ServerErrors, SubmitButton, TextAreaField, TextField};
use crate::ui::layout::use_projects;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

#[component]
pub fn NewProjectPage() -> impl IntoView {
    let projects = use_projects();
    let action = projects.create;
    let server = ServerErrors::of(action);
    let name = FieldState::new("name", server, |v| {
        if v.trim().is_empty() {
            Some("Enter a project name.".to_string())
        } else if v.trim().chars().count() > crate::model::limits::project::NAME_MAX {
            Some(crate::model::limits::at_most(crate::model::limits::project::NAME_MAX))
        } else {
            None
        }
    });
    let check = Callback::new(move |_| validate_all(&[name]));

    // With JavaScript the server answers with the project; go to the Overview.
    let navigate = use_navigate();
    let version = action.version();
    Effect::new(move |prev: Option<usize>| {
        let v = version.get();
        if prev.is_some_and(|p| p != v) && action.value().with_untracked(|r| matches!(r, Some(Ok(_)))) {
            navigate("/", Default::default());
        }
        v
    });

    view! {
        <Title text="New project · Talkdeck"/>
        <PageHeader
            title="New project"
            description="A project keeps its own agents, phone numbers, calls and team."
        />
        <div class="max-w-xl">
            <Card>
                <ActionForm action=action attr:class="space-y-5">
                    <FormError error=server.error() fields=&["name", "description"]/>
                    <TextField label="Project name" field=name required=true autocomplete="off"/>
                    <TextAreaField
                        label="Description"
                        name="description"
                        server=server
                        hint="Optional. What this project is for."
                    />
                    <div class="flex items-center justify-end gap-3">
                        <a
                            href="/"
                            class="rounded-lg px-3 py-2 text-sm font-medium text-slate-600 hover:text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
                        >
                            "Cancel"
                        </a>
                        <SubmitButton label="Create project" pending=action.pending() validate=check/>
                    </div>
                </ActionForm>
            </Card>
        </div>
    }
}
