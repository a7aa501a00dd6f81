//! `/agents`: the active project's agents with search and sort, a "New agent" form and per-agent
//! actions (open, set active, duplicate, delete after a confirmation).
//!
//! Works before hydration: search and sort are a GET form (`?q=…&sort=…`), "New agent",
//! "Duplicate" and "Set active" are plain form posts the server answers by redirecting (to the new
//! agent's editor, or back here), and the delete confirmation is a native `<details>`.

use super::{direction_label, ActiveBadge, StatusBadge};
use crate::model::{AgentView, ProjectView};
use crate::server_fns::agents::{list_agents, CreateAgent, DeleteAgent, DuplicateAgent};
use crate::ui::components::icons::{Icon, IconKind};
use crate::ui::components::{
    on_action_ok, validate_all, Alert, Card, DataTable, EmptyState, FieldState, FormError, PageHeader, SecondaryButton, ServerErrors, Status, SubmitButton, TextField,
    DANGER_BUTTON, SECONDARY_BUTTON, SELECT_CLASS,
};
use crate::ui::layout::{use_agents, use_projects, with_project, LoadingPanel};
use crate::ui::util::format_time;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use std::time::Duration;

#[derive(Clone, Copy)]
struct ListActions {
    create: ServerAction<CreateAgent>,
    duplicate: ServerAction<DuplicateAgent>,
    delete: ServerAction<DeleteAgent>,
}

#[component]
pub fn AgentsPage() -> impl IntoView {
    let agents = use_agents();
    let projects = use_projects();
    let a = ListActions { create: ServerAction::new(), duplicate: ServerAction::new(), delete: ServerAction::new() };
    let deleted = RwSignal::new(false);
    let navigate = use_navigate();
    let go = navigate.clone();
    on_action_ok(a.create, move |agent| {
        agents.refresh();
        go(&format!("/agents/{}", agent.id), Default::default());
    });
    on_action_ok(a.duplicate, move |agent| {
        agents.refresh();
        navigate(&format!("/agents/{}", agent.id), Default::default());
    });
    on_action_ok(a.delete, move |_| {
        deleted.set(true);
        agents.refresh();
        // The deleted agent may have been the active one.
        projects.refresh();
    });
    let query = use_query_map();
    let show_deleted = move || deleted.get() || query.with(|q| q.get("deleted").is_some());

    view! {
        <Title text="Agents · Talkdeck"/>
        <PageHeader title="Agents" description="The AI voices that answer and place your calls."/>
        <div class="space-y-6">
            {move || show_deleted().then(|| view! { <Status><p>"Agent deleted."</p></Status> })}
            {with_project(move |p| view! { <AgentsBody project=p actions=a/> }.into_any())}
        </div>
    }
}

#[component]
fn AgentsBody(project: ProjectView, actions: ListActions) -> impl IntoView {
    let a = actions;
    let agents = use_agents();
    let can_edit = project.role.can_edit();
    let pid = project.id.clone();

    let query = use_query_map();
    let initial_q = query.with_untracked(|m| m.get("q")).unwrap_or_default();
    let initial_sort = query.with_untracked(|m| m.get("sort")).filter(|s| s == "name").unwrap_or_else(|| "updated".into());
    let q_text = RwSignal::new(initial_q.clone());
    let q = RwSignal::new(initial_q);
    let sort = RwSignal::new(initial_sort);
    let generation = StoredValue::new(0u64);
    let type_search = move |v: String| {
        q_text.set(v.clone());
        generation.update_value(|g| *g += 1);
        let g = generation.get_value();
        set_timeout(
            move || {
                if generation.try_get_value() == Some(g) && q.get_untracked() != v {
                    q.set(v);
                }
            },
            Duration::from_millis(250),
        );
    };

    let list = Resource::new(
        {
            let pid = pid.clone();
            move || (pid.clone(), q.get(), sort.get(), agents.changes())
        },
        |(pid, q, sort, _)| {
            let q = (!q.trim().is_empty()).then(|| q.trim().to_string());
            list_agents(pid, q, Some(sort))
        },
    );

    view! {
        {can_edit.then(|| view! { <NewAgent project_id=pid.clone() create=a.create/> })}
        <section aria-labelledby="agents-heading" class="space-y-3">
            <div class="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
                <h2 id="agents-heading" class="text-base font-semibold text-slate-900">"Your agents"</h2>
                <form
                    method="get"
                    action="/agents"
                    role="search"
                    aria-label="Find agents"
                    class="flex flex-wrap items-end gap-2"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        generation.update_value(|g| *g += 1);
                        q.set(q_text.get_untracked());
                    }
                >
                    <div class="space-y-1">
                        <label for="agent-search" class="block text-xs font-medium text-slate-600">"Search"</label>
                        <input
                            id="agent-search"
                            name="q"
                            type="search"
                            autocomplete="off"
                            placeholder="Agent name"
                            value=q_text.get_untracked()
                            prop:value=move || q_text.get()
                            on:input=move |ev| type_search(event_target_value(&ev))
                            class="block w-56 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 focus:outline-none focus-visible:border-indigo-500 focus-visible:ring-2 focus-visible:ring-indigo-500/40"
                        />
                    </div>
                    <div class="space-y-1">
                        <label for="agent-sort" class="block text-xs font-medium text-slate-600">"Sort by"</label>
                        <select
                            id="agent-sort"
                            name="sort"
                            class=format!("{SELECT_CLASS} w-auto py-1.5")
                            on:change=move |ev| sort.set(event_target_value(&ev))
                        >
                            <option value="updated" selected=move || sort.get() == "updated">"Last update"</option>
                            <option value="name" selected=move || sort.get() == "name">"Name"</option>
                        </select>
                    </div>
                    <button type="submit" class=SECONDARY_BUTTON>"Apply"</button>
                </form>
            </div>
            <FormError error=ServerErrors::of(agents.set_active).error()/>
            <FormError error=ServerErrors::of(a.duplicate).error()/>
            <FormError error=ServerErrors::of(a.delete).error()/>
            <Transition fallback=|| view! { <LoadingPanel label="Loading agents…"/> }>
                {
                    let project = project.clone();
                    move || {
                        list.get()
                            .map(|r| match r {
                                Ok(l) if l.is_empty() && !q.with(|q| q.trim().is_empty()) => {
                                    view! {
                                        <EmptyState
                                            title="No agent matches this search"
                                            description="Check the spelling, or clear the search to see every agent."
                                        >
                                            <Icon kind=IconKind::Agents class="size-6"/>
                                        </EmptyState>
                                    }
                                        .into_any()
                                }
                                Ok(l) if l.is_empty() => {
                                    view! {
                                        <EmptyState
                                            title="No agents yet"
                                            description=if can_edit {
                                                "Create your first agent above: give it a name, then write its instructions, pick a voice and connect a number."
                                            } else {
                                                "Agents created by your team will be listed here."
                                            }
                                        >
                                            <Icon kind=IconKind::Agents class="size-6"/>
                                        </EmptyState>
                                    }
                                        .into_any()
                                }
                                Ok(l) => view! { <AgentTable agents=l project=project.clone() actions=a/> }.into_any(),
                                Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                            })
                    }
                }
            </Transition>
        </section>
    }
}

#[component]
fn NewAgent(project_id: String, create: ServerAction<CreateAgent>) -> impl IntoView {
    let server = ServerErrors::of(create);
    let name = FieldState::new("name", server, |v| {
        use crate::model::limits::agent as limits;
        if v.trim().is_empty() {
            Some(limits::name_missing())
        } else if v.trim().chars().count() > limits::NAME_MAX || v.chars().any(char::is_control) {
            Some(limits::name_too_long())
        } else {
            None
        }
    });
    let check = Callback::new(move |_| validate_all(&[name]));
    view! {
        <section aria-labelledby="new-agent-heading" class="space-y-3">
            <h2 id="new-agent-heading" class="text-base font-semibold text-slate-900">"New agent"</h2>
            <Card>
                <ActionForm action=create attr:class="flex flex-col gap-4 sm:flex-row sm:items-start">
                    <input type="hidden" name="project_id" value=project_id/>
                    <div class="flex-1 space-y-3">
                        <FormError error=server.error() fields=&["name"]/>
                        <TextField
                            label="Agent name"
                            field=name
                            id="new-agent-name"
                            required=true
                            autocomplete="off"
                            hint="For example “Appointment reminders”. Everything else can be set in the editor."
                        />
                    </div>
                    <div class="sm:pt-7">
                        <SubmitButton label="Create agent" pending=create.pending() validate=check/>
                    </div>
                </ActionForm>
            </Card>
        </section>
    }
}

#[component]
fn AgentTable(agents: Vec<AgentView>, project: ProjectView, actions: ListActions) -> impl IntoView {
    let can_edit = project.role.can_edit();
    let active = project.active_agent.clone();
    view! {
        <DataTable headers=vec!["Name", "Status", "Direction", "Voice", "Numbers", "Last updated"] actions=true>
                    {agents
                        .into_iter()
                        .map(|ag| {
                            let is_active = ag.is_active || active.as_deref() == Some(ag.id.as_str());
                            view! { <AgentRow agent=ag project_id=project.id.clone() is_active=is_active can_edit=can_edit actions=actions/> }
                        })
                        .collect_view()}
                </DataTable>
    }
}

#[component]
fn AgentRow(agent: AgentView, project_id: String, is_active: bool, can_edit: bool, actions: ListActions) -> impl IntoView {
    let a = actions;
    let set_active = use_agents().set_active;
    let href = format!("/agents/{}", agent.id);
    let name = agent.name.clone();
    let numbers = agent.phone_numbers.len();
    let edit_actions = can_edit.then(|| {
        let (id_active, id_dup, id_del) = (agent.id.clone(), agent.id.clone(), agent.id.clone());
        let (name_active, name_dup, name_del) = (name.clone(), name.clone(), name.clone());
        let set_active_form = (!is_active).then(move || {
            view! {
                <ActionForm action=set_active>
                    <input type="hidden" name="project_id" value=project_id/>
                    <input type="hidden" name="agent_id" value=id_active/>
                    <SecondaryButton label="Set active" context=name_active pending=set_active.pending()/>
                </ActionForm>
            }
        });
        view! {
            {set_active_form}
            <ActionForm action=a.duplicate>
                <input type="hidden" name="agent_id" value=id_dup/>
                <SecondaryButton label="Duplicate" context=name_dup pending=a.duplicate.pending()/>
            </ActionForm>
            <DeleteAgentButton agent_id=id_del name=name_del delete=a.delete/>
        }
    });
    view! {
        <tr>
            <td class="px-4 py-3">
                <div class="flex items-center gap-2">
                    <a
                        href=href.clone()
                        class="font-medium text-slate-900 hover:text-indigo-600 focus:outline-none focus-visible:rounded focus-visible:ring-2 focus-visible:ring-indigo-500"
                    >
                        {name.clone()}
                    </a>
                    {is_active.then(|| view! { <ActiveBadge/> })}
                </div>
            </td>
            <td class="px-4 py-3"><StatusBadge status=agent.status/></td>
            <td class="px-4 py-3 text-slate-600">{direction_label(agent.direction)}</td>
            <td class="px-4 py-3 text-slate-600">
                {agent.voice_name.clone().or(agent.voice_id.clone()).unwrap_or_else(|| "—".to_string())}
            </td>
            <td class="px-4 py-3 text-slate-600">{numbers}</td>
            <td class="whitespace-nowrap px-4 py-3 text-slate-600">{format_time(agent.updated_at)}</td>
            <td class="px-4 py-3">
                <div class="flex flex-wrap items-center justify-end gap-2">
                    <a href=href class=SECONDARY_BUTTON>
                        "Open"
                        <span class="sr-only">{format!(" {name}")}</span>
                    </a>
                    {edit_actions}
                </div>
            </td>
        </tr>
    }
}

/// "Delete" that asks first: a native `<details>` holding the confirming form.
#[component]
pub fn DeleteAgentButton(
    agent_id: String,
    name: String,
    delete: ServerAction<DeleteAgent>,
    /// Opens the confirmation upwards-right (the editor's footer) instead of down-left.
    #[prop(optional)]
    up: bool,
) -> impl IntoView {
    let panel = if up {
        "absolute bottom-full left-0 z-10 mb-2 w-72 rounded-xl border border-slate-200 bg-white p-4 text-left shadow-lg"
    } else {
        "absolute right-0 z-10 mt-2 w-72 rounded-xl border border-slate-200 bg-white p-4 text-left shadow-lg"
    };
    view! {
        <details class="relative inline-block text-left">
            <summary class=format!(
                "{SECONDARY_BUTTON} cursor-pointer list-none border-red-200 text-red-700 hover:bg-red-50 [&::-webkit-details-marker]:hidden",
            )>
                "Delete"
                <span class="sr-only">{format!(" {name}")}</span>
            </summary>
            <div class=panel>
                <p class="text-sm text-slate-700">
                    {format!("Delete “{name}”? Its settings are removed and its numbers are freed. Past calls stay in the history.")}
                </p>
                <ActionForm action=delete attr:class="mt-3 flex justify-end">
                    <input type="hidden" name="agent_id" value=agent_id/>
                    <button type="submit" class=DANGER_BUTTON disabled=move || delete.pending().get()>
                        {move || if delete.pending().get() { "Deleting…" } else { "Delete agent" }}
                    </button>
                </ActionForm>
            </div>
        </details>
    }
}
