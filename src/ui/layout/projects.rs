//! The user's projects as shared state of the shell: [`Projects`] (the active project and the
//! list, refetched together), the top bar [`ProjectPicker`] and [`with_project`], which renders a
//! page body for the active project or, without one, the "create your first project" state.
//!
//! The shell owns the actions that change which projects exist or which one is active (switch,
//! create, delete, leave), so their results refresh the shared state even when the page that
//! dispatched them has been left (delete and leave redirect home).

use super::disclosure::{picker_panel_class, Disclosure, MENU_ITEM, PICKER_BUTTON};
use crate::model::{AppError, ProjectView};
use crate::server_fns::projects::{active_project, list_projects, CreateProject, DeleteProject, LeaveProject, SetActiveProject};
use crate::ui::components::icons::{Icon, IconKind};
use crate::ui::components::{Alert, Card};
use leptos::prelude::*;

pub type ActiveResource = Resource<Result<Option<ProjectView>, AppError>>;
pub type ListResource = Resource<Result<Vec<ProjectView>, AppError>>;

/// The shell's project state, provided as context to every dashboard page.
#[derive(Clone, Copy)]
pub struct Projects {
    refresh: RwSignal<u64>,
    /// The active project (`None` when the user has none yet).
    pub active: ActiveResource,
    /// Every project the user belongs to.
    pub list: ListResource,
    pub switch: ServerAction<SetActiveProject>,
    pub create: ServerAction<CreateProject>,
    pub delete: ServerAction<DeleteProject>,
    pub leave: ServerAction<LeaveProject>,
}

impl Projects {
    /// Creates the state and refreshes it after every successful switch, create, delete or leave.
    pub fn new() -> Self {
        let refresh = RwSignal::new(0u64);
        let active = Resource::new(move || refresh.get(), |_| active_project());
        let list = Resource::new(move || refresh.get(), |_| list_projects());
        let this = Self {
            refresh,
            active,
            list,
            switch: ServerAction::new(),
            create: ServerAction::new(),
            delete: ServerAction::new(),
            leave: ServerAction::new(),
        };
        refresh_on_success(this.switch, this);
        refresh_on_success(this.create, this);
        refresh_on_success(this.delete, this);
        refresh_on_success(this.leave, this);
        this
    }

    /// Refetches the active project and the list (after a rename, a role change, …).
    pub fn refresh(&self) {
        self.refresh.update(|n| *n += 1);
    }

    /// A counter that moves with every refresh (tracked): state derived from the active project
    /// (the shell's agent list) keys its own resources on it instead of reading `active` outside
    /// a `<Suspense/>`.
    pub fn changes(&self) -> u64 {
        self.refresh.get()
    }
}

impl Default for Projects {
    fn default() -> Self {
        Self::new()
    }
}

fn refresh_on_success<S>(action: ServerAction<S>, projects: Projects)
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let version = action.version();
    Effect::new(move |prev: Option<usize>| {
        let v = version.get();
        if prev.is_some_and(|p| p != v) && action.value().with_untracked(|r| matches!(r, Some(Ok(_)))) {
            projects.refresh();
        }
        v
    });
}

/// The shell's project state. Outside the shell (public pages) a fresh, unshared one.
pub fn use_projects() -> Projects {
    use_context::<Projects>().unwrap_or_default()
}

/// The active project resource shared by the shell.
pub fn use_active_project() -> ActiveResource {
    use_projects().active
}

/// Renders `render(project)` for the active project, the first-project empty state when there is
/// none, or the error. Re-renders when the active project changes (switch, rename, role change).
pub fn with_project<F>(render: F) -> impl IntoView
where
    F: Fn(ProjectView) -> AnyView + Send + Sync + 'static,
{
    let projects = use_projects();
    view! {
        <Transition fallback=|| view! { <LoadingPanel/> }>
            {move || {
                projects
                    .active
                    .get()
                    .map(|r| match r {
                        Ok(Some(p)) => render(p),
                        Ok(None) => view! { <NoProjectYet/> }.into_any(),
                        Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                    })
            }}
        </Transition>
    }
}

/// A resource of the active project's data: `fetch(project_id, key())`, refetched when the key or
/// the active project changes. Create it at the top of a page component, never inside
/// [`with_project`]'s render: server rendering walks a `<Suspense/>`'s children several times
/// (to find what it must wait for), so a resource created in there is created, fetched and
/// written into the page once per walk (three times for the Calls page).
pub fn project_resource<K, T, Fut>(
    key: impl Fn() -> K + Send + Sync + 'static,
    fetch: impl Fn(String, K) -> Fut + Send + Sync + Clone + 'static,
) -> Resource<Result<T, AppError>>
where
    K: PartialEq + Clone + Send + Sync + 'static,
    T: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
{
    let projects = use_projects();
    let active = projects.active;
    Resource::new(
        move || (projects.changes(), key()),
        move |(_, k)| {
            let fetch = fetch.clone();
            async move {
                match active.await {
                    Ok(Some(p)) => fetch(p.id, k).await,
                    // `with_project` shows the first-project state or the error instead.
                    Ok(None) => Err(AppError::new(crate::model::ErrorCode::NotFound, "There is no active project.")),
                    Err(e) => Err(e),
                }
            }
        },
    )
}

/// A neutral placeholder while data loads.
#[component]
pub fn LoadingPanel(#[prop(default = "Loading…")] label: &'static str) -> impl IntoView {
    view! {
        <Card>
            <div class="flex items-center gap-3 text-sm text-slate-500" aria-busy="true">
                <svg class="size-4 animate-spin" viewBox="0 0 24 24" fill="none" aria-hidden="true">
                    <circle class="opacity-25" cx="12" cy="12" r="10" stroke="currentColor" stroke-width="4"></circle>
                    <path class="opacity-75" fill="currentColor" d="M4 12a8 8 0 0 1 8-8v4a4 4 0 0 0-4 4H4Z"></path>
                </svg>
                {label}
            </div>
        </Card>
    }
}

/// Shown instead of a page's content while the user has no project.
#[component]
pub fn NoProjectYet() -> impl IntoView {
    view! {
        <div class="flex flex-col items-center rounded-xl border border-dashed border-slate-300 bg-white px-6 py-14 text-center">
            <div class="flex size-12 items-center justify-center rounded-full bg-indigo-50 text-indigo-600" aria-hidden="true">
                <Icon kind=IconKind::Folder class="size-6"/>
            </div>
            <h2 class="mt-4 text-base font-semibold text-slate-900">"No project yet"</h2>
            <p class="mt-1 max-w-md text-sm text-slate-600">
                "Projects hold your agents, phone numbers and calls. Create one to get started, or ask a colleague to invite you to theirs."
            </p>
            <a
                href="/projects/new"
                class="mt-6 inline-flex items-center gap-2 rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2"
            >
                <Icon kind=IconKind::Plus class="size-4"/>
                "Create your first project"
            </a>
        </div>
    }
}

/// The project picker in the top bar: a disclosure button showing the active project and a panel
/// listing the user's projects (each a small form switching to it) and "New project".
///
/// Without JavaScript the panel opens through CSS while focus is inside (as the user menu does)
/// and choosing a project is a plain form post; with it, switching updates the shell in place.
#[component]
pub fn ProjectPicker() -> impl IntoView {
    let projects = use_projects();
    let picker = Disclosure::new();
    let open = picker.open;
    let switch = projects.switch;

    // Close once a switch went through.
    Effect::new(move |prev: Option<usize>| {
        let v = switch.version().get();
        if prev.is_some_and(|p| p != v) {
            open.set(false);
        }
        v
    });

    let panel_class = move || picker_panel_class(picker);

    let active_name = move || {
        projects.active.get().map(|r| match r {
            Ok(Some(p)) => p.name,
            Ok(None) => "No project yet".to_string(),
            Err(_) => "Projects unavailable".to_string(),
        })
    };
    let active_id = move || projects.active.get().and_then(|r| r.ok().flatten()).map(|p| p.id);

    view! {
        <div class="group relative min-w-0" node_ref=picker.root on:keydown=move |e| picker.on_keydown(e) on:focusout=move |e| picker.on_focusout(e)>
            <button
                type="button"
                node_ref=picker.button
                aria-label="Project"
                aria-describedby="project-picker-current"
                aria-haspopup="true"
                aria-controls="project-picker-panel"
                aria-expanded=move || picker.expanded()
                on:click=move |_| picker.toggle()
                class=PICKER_BUTTON
            >
                <Icon kind=IconKind::Folder class="size-4 shrink-0 text-slate-400"/>
                <span id="project-picker-current" class="truncate">
                    <Transition fallback=|| "Loading projects…">{active_name}</Transition>
                </span>
                <Icon kind=IconKind::ChevronDown class="size-4 shrink-0 text-slate-400"/>
            </button>
            <div id="project-picker-panel" class=panel_class>
                <p id="project-picker-heading" class="px-3 pb-1 pt-1.5 text-xs font-medium uppercase tracking-wide text-slate-500">
                    "Switch project"
                </p>
                <Transition fallback=|| view! { <p class="px-3 py-2 text-sm text-slate-500">"Loading…"</p> }>
                    {move || {
                        let current = active_id();
                        projects
                            .list
                            .get()
                            .map(|r| match r {
                                Ok(list) if list.is_empty() => {
                                    view! { <p class="px-3 py-2 text-sm text-slate-500">"You have no projects yet."</p> }
                                        .into_any()
                                }
                                Ok(list) => {
                                    view! {
                                        <ul aria-labelledby="project-picker-heading" class="max-h-72 overflow-y-auto">
                                            {list
                                                .into_iter()
                                                .map(|p| {
                                                    let is_active = current.as_deref() == Some(p.id.as_str());
                                                    view! {
                                                        <li>
                                                            <ActionForm action=switch>
                                                                <input type="hidden" name="project_id" value=p.id.clone()/>
                                                                <button
                                                                    type="submit"
                                                                    class=MENU_ITEM
                                                                    aria-current=is_active.then_some("true")
                                                                    disabled=move || switch.pending().get()
                                                                >
                                                                    <span class="min-w-0 flex-1 truncate font-medium">{p.name.clone()}</span>
                                                                    <span class="shrink-0 text-xs text-slate-500">{p.role.label()}</span>
                                                                    {is_active
                                                                        .then(|| {
                                                                            view! {
                                                                                <Icon kind=IconKind::Check class="size-4 shrink-0 text-indigo-600"/>
                                                                            }
                                                                        })}
                                                                </button>
                                                            </ActionForm>
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    }
                                        .into_any()
                                }
                                Err(e) => {
                                    view! { <p role="alert" class="px-3 py-2 text-sm text-red-700">{e.message}</p> }
                                        .into_any()
                                }
                            })
                    }}
                </Transition>
                {move || {
                    switch
                        .value()
                        .with(|v| match v {
                            Some(Err(e)) => Some(e.message.clone()),
                            _ => None,
                        })
                        .map(|m| view! { <p role="alert" class="px-3 py-2 text-sm text-red-700">{m}</p> })
                }}
                <div class="my-1 border-t border-slate-100"></div>
                <a href="/projects/new" class=MENU_ITEM on:click=move |_| open.set(false)>
                    <Icon kind=IconKind::Plus class="size-4 text-slate-400"/>
                    "New project"
                </a>
            </div>
        </div>
    }
}
