//! The active project's agents as shared state of the shell: [`Agents`] (the list, refetched when
//! the project changes or a page changed an agent) and the top bar [`AgentPicker`], which shows the
//! project's active agent and switches it.
//!
//! The shell owns the "set active agent" action so the picker, the agents list and the editor
//! agree: after a switch the project state (`ProjectView.active_agent`) and the list refresh.

use super::disclosure::{picker_panel_class, Disclosure, MENU_ITEM, PICKER_BUTTON};
use super::projects::{use_projects, Projects};
use crate::model::{AgentView, AppError};
use crate::server_fns::agents::{list_agents, SetActiveAgent};
use crate::server_fns::projects::active_project;
use crate::ui::components::icons::{Icon, IconKind};
use leptos::prelude::*;

/// The shell's agent state, provided as context to every dashboard page.
#[derive(Clone, Copy)]
pub struct Agents {
    refresh: RwSignal<u64>,
    /// The active project's agents (empty without a project), most recently updated first.
    pub list: Resource<Result<Vec<AgentView>, AppError>>,
    /// Sets (or, with an empty `agent_id`, clears) the project's active agent.
    pub set_active: ServerAction<SetActiveAgent>,
}

impl Agents {
    pub fn new(projects: Projects) -> Self {
        let refresh = RwSignal::new(0u64);
        // Keyed on plain counters (not on the active project resource), so nothing reads a
        // resource outside a <Suspense/>: the fetcher asks for the active project itself.
        let list = Resource::new(
            move || (projects.changes(), refresh.get()),
            |_| async move {
                match active_project().await? {
                    Some(p) => list_agents(p.id, None, None).await,
                    None => Ok(Vec::new()),
                }
            },
        );
        let this = Agents { refresh, list, set_active: ServerAction::new() };
        let set_active = this.set_active;
        let version = set_active.version();
        Effect::new(move |prev: Option<usize>| {
            let v = version.get();
            if prev.is_some_and(|p| p != v) && set_active.value().with_untracked(|r| matches!(r, Some(Ok(_)))) {
                projects.refresh();
                this.refresh();
            }
            v
        });
        this
    }

    /// Refetches the list (after a create, rename, duplicate or delete).
    pub fn refresh(&self) {
        self.refresh.update(|n| *n += 1);
    }

    /// A counter that moves with every refresh (tracked), for pages keeping lists of their own.
    pub fn changes(&self) -> u64 {
        self.refresh.get()
    }
}

/// The shell's agent state. Outside the shell a fresh one.
pub fn use_agents() -> Agents {
    match use_context::<Agents>() {
        Some(a) => a,
        None => Agents::new(use_projects()),
    }
}

/// The agent picker in the top bar: a disclosure button named "Active agent" showing the active
/// agent of the active project, and a panel listing the project's agents (each a small form making
/// it active, so it also works as a plain form post), "No active agent" and "Manage agents".
/// Viewers see the list without the switch. Hidden when there is no project.
#[component]
pub fn AgentPicker() -> impl IntoView {
    let projects = use_projects();
    let agents = use_agents();
    let picker = Disclosure::new();
    let open = picker.open;
    let set_active = agents.set_active;

    Effect::new(move |prev: Option<usize>| {
        let v = set_active.version().get();
        if prev.is_some_and(|p| p != v) && set_active.value().with_untracked(|r| matches!(r, Some(Ok(_)))) {
            open.set(false);
        }
        v
    });

    let project = move || projects.active.get().and_then(|r| r.ok().flatten());

    let panel_class = move || picker_panel_class(picker);

    // The active agent's name, looked up in the list.
    let current_name = move || {
        let active = project().and_then(|p| p.active_agent);
        let Some(id) = active else { return "No active agent".to_string() };
        agents
            .list
            .get()
            .and_then(Result::ok)
            .and_then(|list| list.into_iter().find(|a| a.id == id).map(|a| a.name))
            .unwrap_or_else(|| "No active agent".to_string())
    };

    view! {
        <Transition fallback=|| ()>
            {move || {
                project()
                    .map(|p| {
                        let can_edit = p.role.can_edit();
                        let pid = p.id.clone();
                        let active_id = p.active_agent.clone();
                        view! {
                            <div
                                class="group relative min-w-0"
                                node_ref=picker.root
                                on:keydown=move |e| picker.on_keydown(e)
                                on:focusout=move |e| picker.on_focusout(e)
                            >
                                <button
                                    type="button"
                                    node_ref=picker.button
                                    aria-label="Active agent"
                                    aria-describedby="agent-picker-current"
                                    aria-haspopup="true"
                                    aria-controls="agent-picker-panel"
                                    aria-expanded=move || picker.expanded()
                                    on:click=move |_| picker.toggle()
                                    class=PICKER_BUTTON
                                >
                                    <Icon kind=IconKind::Agents class="size-4 shrink-0 text-slate-400"/>
                                    <span id="agent-picker-current" class="hidden truncate sm:inline">
                                        {current_name}
                                    </span>
                                    <Icon kind=IconKind::ChevronDown class="size-4 shrink-0 text-slate-400"/>
                                </button>
                                <div id="agent-picker-panel" class=panel_class>
                                    <p
                                        id="agent-picker-heading"
                                        class="px-3 pb-1 pt-1.5 text-xs font-medium uppercase tracking-wide text-slate-500"
                                    >
                                        {if can_edit { "Set active agent" } else { "Agents" }}
                                    </p>
                                    <AgentChoices project_id=pid active_id=active_id can_edit=can_edit/>
                                    {move || {
                                        set_active
                                            .value()
                                            .with(|v| match v {
                                                Some(Err(e)) => Some(e.message.clone()),
                                                _ => None,
                                            })
                                            .map(|m| view! { <p role="alert" class="px-3 py-2 text-sm text-red-700">{m}</p> })
                                    }}
                                    <div class="my-1 border-t border-slate-100"></div>
                                    <a href="/agents" class=MENU_ITEM on:click=move |_| open.set(false)>
                                        <Icon kind=IconKind::Settings class="size-4 text-slate-400"/>
                                        "Manage agents"
                                    </a>
                                </div>
                            </div>
                        }
                    })
            }}
        </Transition>
    }
}

#[component]
fn AgentChoices(project_id: String, active_id: Option<String>, can_edit: bool) -> impl IntoView {
    let agents = use_agents();
    let set_active = agents.set_active;
    let choice = move |agent_id: String, label: String, detail: Option<String>, is_active: bool, pid: String| {
        let button = view! {
            <button
                type="submit"
                class=MENU_ITEM
                aria-current=is_active.then_some("true")
                disabled=move || !can_edit || set_active.pending().get()
            >
                <span class="min-w-0 flex-1 truncate font-medium">{label}</span>
                {detail.map(|d| view! { <span class="shrink-0 text-xs text-slate-500">{d}</span> })}
                {is_active.then(|| view! { <Icon kind=IconKind::Check class="size-4 shrink-0 text-indigo-600"/> })}
            </button>
        };
        view! {
            <li>
                <ActionForm action=set_active>
                    <input type="hidden" name="project_id" value=pid/>
                    <input type="hidden" name="agent_id" value=agent_id/>
                    {button}
                </ActionForm>
            </li>
        }
    };
    view! {
        // Read directly: this already renders inside the picker's <Transition/>, and a nested
        // one there broke hydration of the pages below the header.
        {
                let (project_id, active_id) = (project_id.clone(), active_id.clone());
                move || {
                    agents
                        .list
                        .get()
                        .map(|r| match r {
                            Ok(list) if list.is_empty() => {
                                view! {
                                    <p class="px-3 py-2 text-sm text-slate-500">"This project has no agents yet."</p>
                                }
                                    .into_any()
                            }
                            Ok(list) => {
                                let none_active = active_id.is_none();
                                view! {
                                    <ul aria-labelledby="agent-picker-heading" class="max-h-72 overflow-y-auto">
                                        {list
                                            .into_iter()
                                            .map(|a| {
                                                let is_active = active_id.as_deref() == Some(a.id.as_str());
                                                choice(
                                                    a.id.clone(),
                                                    a.name.clone(),
                                                    Some(a.status.as_str().to_string()),
                                                    is_active,
                                                    project_id.clone(),
                                                )
                                            })
                                            .collect_view()}
                                        {can_edit
                                            .then(|| {
                                                choice(
                                                    String::new(),
                                                    "No active agent".to_string(),
                                                    None,
                                                    none_active,
                                                    project_id.clone(),
                                                )
                                            })}
                                    </ul>
                                }
                                    .into_any()
                            }
                            Err(e) => view! { <p role="alert" class="px-3 py-2 text-sm text-red-700">{e.message}</p> }.into_any(),
                        })
                        .unwrap_or_else(|| view! { <p class="px-3 py-2 text-sm text-slate-500">"Loading…"</p> }.into_any())
                }
        }
        {(!can_edit)
            .then(|| {
                view! { <p class="px-3 py-1 text-xs text-slate-500">"Members and above choose the active agent."</p> }
            })}
    }
}
