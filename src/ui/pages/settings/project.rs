//! `/settings/project`: the active project's name, description and call status webhook. Admins
//! and owners edit them; other roles see the values read-only. The owner also gets the danger zone.

use super::SettingsHeader;
use crate::model::ProjectView;
use crate::server_fns::projects::UpdateProject;
use crate::ui::components::{action_ok, validate_all, Card, FieldState, FormError, Notice, ServerErrors, Status, SubmitButton, TextAreaField, TextField, DANGER_BUTTON};
use crate::ui::layout::{use_projects, with_project, Projects};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ProjectSettingsPage() -> impl IntoView {
    let projects = use_projects();
    let update = ServerAction::<UpdateProject>::new();
    let ok = action_ok(update);
    // A plain form post (no JS) comes back as `?saved=1`.
    let query = use_query_map();
    let saved = Signal::derive(move || ok.with(Option::is_some) || query.with(|q| q.get("saved").is_some()));
    // A rename shows in the picker at once.
    let version = update.version();
    Effect::new(move |prev: Option<usize>| {
        let v = version.get();
        if prev.is_some_and(|p| p != v) && update.value().with_untracked(|r| matches!(r, Some(Ok(_)))) {
            projects.refresh();
        }
        v
    });

    view! {
        <SettingsHeader title="Project" description="Name, description and webhooks of the active project."/>
        <div class="max-w-2xl space-y-6">
            {move || {
                (saved.get() && !update.pending().get())
                    .then(|| view! { <Status><p>"Project saved."</p></Status> })
            }}
            {with_project(move |p| {
                let owner = p.role == crate::model::Role::Owner;
                view! {
                    {if p.role.can_manage() {
                        view! { <EditProject project=p.clone() update=update/> }.into_any()
                    } else {
                        view! { <ReadOnlyProject project=p.clone()/> }.into_any()
                    }}
                    {owner.then(|| view! { <DangerZone project=p.clone() projects=projects/> })}
                }
                    .into_any()
            })}
        </div>
    }
}

#[component]
fn EditProject(project: ProjectView, update: ServerAction<UpdateProject>) -> impl IntoView {
    let server = ServerErrors::of(update);
    let name = FieldState::new("name", server, |v| v.trim().is_empty().then(|| "Enter a project name.".to_string()));
    let webhook = FieldState::new("call_status_webhook", server, |v| {
        let v = v.trim();
        (!(v.is_empty() || v.starts_with("https://") || v.starts_with("http://"))).then(|| "Enter a URL starting with https://.".to_string())
    });
    let check = Callback::new(move |_| validate_all(&[name, webhook]));
    view! {
        <Card>
            <ActionForm action=update attr:class="space-y-5">
                <FormError error=server.error() fields=&["name", "description", "call_status_webhook"]/>
                <input type="hidden" name="project_id" value=project.id.clone()/>
                <TextField label="Project name" field=name required=true autocomplete="off" value=project.name.clone()/>
                <TextAreaField label="Description" name="description" server=server value=project.description.clone()/>
                <TextField
                    label="Call status webhook URL"
                    field=webhook
                    kind="url"
                    autocomplete="off"
                    value=project.call_status_webhook.clone().unwrap_or_default()
                    hint="Optional. Talkdeck POSTs call status changes here. Leave empty to turn it off."
                />
                <div class="flex justify-end">
                    <SubmitButton label="Save changes" pending=update.pending() validate=check/>
                </div>
            </ActionForm>
        </Card>
    }
}

#[component]
fn ReadOnlyProject(project: ProjectView) -> impl IntoView {
    let row = |label: &'static str, value: String| {
        view! {
            <div class="py-3 sm:grid sm:grid-cols-3 sm:gap-4">
                <dt class="text-sm font-medium text-slate-700">{label}</dt>
                <dd class="mt-1 break-words text-sm text-slate-900 sm:col-span-2 sm:mt-0">{value}</dd>
            </div>
        }
    };
    let or_dash = |s: String| if s.trim().is_empty() { "—".to_string() } else { s };
    view! {
        <Notice>
            <p>
                {format!(
                    "You are a {} on this project. Only admins and owners can change its settings.",
                    project.role.label().to_lowercase(),
                )}
            </p>
        </Notice>
        <Card>
            <dl class="divide-y divide-slate-100">
                {row("Project name", project.name.clone())}
                {row("Description", or_dash(project.description.clone()))}
                {row("Call status webhook URL", or_dash(project.call_status_webhook.clone().unwrap_or_default()))}
                {row("Owner", format!("{} ({})", project.owner_name, project.owner_email))}
            </dl>
        </Card>
    }
}

#[component]
fn DangerZone(project: ProjectView, projects: Projects) -> impl IntoView {
    let delete = projects.delete;
    let server = ServerErrors::of(delete);
    view! {
        <section aria-labelledby="danger-zone" class="rounded-xl border border-red-200 bg-white p-6 shadow-sm">
            <h2 id="danger-zone" class="text-base font-semibold text-red-800">"Danger zone"</h2>
            <p class="mt-1 text-sm text-slate-600">
                {format!(
                    "Deleting “{}” removes it for every member, together with its agents, phone numbers, calls and invitations. This cannot be undone.",
                    project.name,
                )}
            </p>
            <ActionForm action=delete attr:class="mt-5 space-y-4">
                <FormError error=server.error()/>
                <input type="hidden" name="project_id" value=project.id.clone()/>
                <div class="flex items-start gap-3">
                    <input
                        id="delete-confirm"
                        type="checkbox"
                        name="cascade"
                        value="on"
                        required=true
                        class="mt-0.5 size-4 rounded border-slate-300 text-red-600 focus-visible:ring-2 focus-visible:ring-red-500"
                    />
                    <label for="delete-confirm" class="text-sm text-slate-700">
                        "I understand that this project and everything in it will be deleted."
                    </label>
                </div>
                <button type="submit" class=DANGER_BUTTON disabled=move || delete.pending().get()>
                    {move || if delete.pending().get() { "Deleting project…" } else { "Delete project" }}
                </button>
            </ActionForm>
        </section>
    }
}
