//! `/agents/:id`: the agent editor.
//!
//! The editor keeps a draft ([`AgentInput`]) next to the last version known from the server
//! ([`AgentView`]); every control writes to the draft, "Unsaved changes" is their difference, and
//! Save sends the whole draft with `expected_version`, so saving over someone else's newer change
//! is refused (409) and offered as "load theirs" or "overwrite with mine". Field errors from the
//! server (`AppError.details`) and from the quick checks made before saving show next to their
//! fields. Calling settings (direction + numbers) save separately through `set_agent_calling`.
//!
//! Sections live in their own modules: prompt and preview ([`super::prompt`]), voice
//! ([`super::voice`]), calling ([`super::calling`]) and analysis ([`super::analysis`]).

use super::analysis::AnalysisSection;
use super::calling::CallingSection;
use super::list::DeleteAgentButton;
use super::prompt::PromptSection;
use super::voice::VoiceSection;
use super::{direction_label, machine_detection_label, status_label, ActiveBadge, StatusBadge};
use crate::model::error::FieldError;
use crate::model::{defaults, AgentInput, AgentStatus, AgentView, AppError, Direction, ErrorCode, MachineDetection, PromptTemplate, SpeaksFirst};
use crate::server_fns::agents::{get_agent, DeleteAgent, DuplicateAgent, UpdateAgent};
use crate::ui::components::{on_action_ok, Alert, Card, FormError, Notice, SecondaryButton, Status, SELECT_CLASS};
use crate::ui::layout::{use_agents, use_hydrated, use_projects, LoadingPanel};
use crate::ui::util::format_time;
use leptos::ev;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

/// Classes of the editor's text inputs and textareas.
pub(super) const INPUT: &str = "block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-xs \
     placeholder:text-slate-400 focus:outline-none focus-visible:border-indigo-500 focus-visible:ring-2 focus-visible:ring-indigo-500/40 \
     disabled:bg-slate-50 disabled:text-slate-600 aria-[invalid=true]:border-red-400";
pub(super) const LABEL: &str = "block text-sm font-medium text-slate-700";
pub(super) const HINT: &str = "text-sm text-slate-500";
pub(super) const CHECKBOX: &str = "size-4 rounded border-slate-300 text-indigo-600 focus-visible:ring-2 focus-visible:ring-indigo-500 disabled:opacity-60";

/// Every field the editor shows an inline error for (server names; also their camelCase forms).
const INLINE_FIELDS: &[&str] = &[
    "name",
    "system_prompt",
    "systemPrompt",
    "first_message",
    "firstMessage",
    "voice_id",
    "voiceId",
    "language",
    "llm_model",
    "llmModel",
    "temperature",
    "speaks_first",
    "machine_detection",
    "max_duration_secs",
    "maxDurationSecs",
    "recording",
    "direction",
    "status",
    "success_criteria",
    "analysis.success_criteria",
];

/// The editor's shared state.
#[derive(Clone, Copy)]
pub(super) struct Editor {
    pub agent_id: StoredValue<String>,
    /// The agent as last saved (or loaded).
    pub saved: RwSignal<AgentView>,
    pub draft: RwSignal<AgentInput>,
    pub can_edit: Signal<bool>,
    /// Problems found before saving; while there are any they are shown instead of the server's.
    pub client_errors: RwSignal<Vec<FieldError>>,
    pub server_error: Signal<Option<AppError>>,
}

impl Editor {
    /// The message for a field (any of `names`), from the quick checks or the last save.
    pub fn error(&self, names: &'static [&'static str]) -> Signal<Option<String>> {
        let this = *self;
        Signal::derive(move || {
            let found = this.client_errors.with(|c| c.iter().find(|e| names.contains(&e.field.as_str())).map(|e| e.message.clone()));
            if found.is_some() || this.client_errors.with(|c| !c.is_empty()) {
                return found;
            }
            this.server_error
                .with(|e| e.as_ref().and_then(|e| e.details.iter().find(|d| names.contains(&d.field.as_str()))).map(|d| d.message.clone()))
        })
    }

    /// Messages for fields starting with `prefix` (a section's own list, e.g. `analysis`).
    pub fn errors_with_prefix(&self, prefix: &'static str) -> Signal<Vec<String>> {
        let this = *self;
        Signal::derive(move || {
            let from = |list: &[FieldError]| {
                list.iter()
                    .filter(|d| d.field.starts_with(prefix) && !INLINE_FIELDS.contains(&d.field.as_str()))
                    .map(|d| d.message.clone())
                    .collect::<Vec<_>>()
            };
            let client = this.client_errors.with(|c| from(c));
            if !client.is_empty() || this.client_errors.with(|c| !c.is_empty()) {
                return client;
            }
            this.server_error.with(|e| e.as_ref().map(|e| from(&e.details)).unwrap_or_default())
        })
    }

    pub fn edit(&self, f: impl FnOnce(&mut AgentInput)) {
        self.draft.update(f);
    }
}

/// A field's error paragraph (`role="alert"`), with the id its input points at.
pub(super) fn field_error(id: &'static str, error: Signal<Option<String>>) -> impl IntoView {
    move || error.get().map(|m| view! { <p id=format!("{id}-error") role="alert" class="text-sm text-red-700">{m}</p> })
}

pub(super) fn invalid(error: Signal<Option<String>>) -> impl Fn() -> Option<&'static str> + Send + Sync + Copy + 'static {
    move || error.with(Option::is_some).then_some("true")
}

#[component]
pub fn AgentEditorPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let reload = RwSignal::new(0u64);
    let agent = Resource::new(move || (id.get(), reload.get()), |(id, _)| get_agent(id));
    view! {
        <nav aria-label="Breadcrumb" class="mb-2 text-sm">
            <a
                href="/agents"
                class="text-slate-500 hover:text-slate-700 focus:outline-none focus-visible:rounded focus-visible:ring-2 focus-visible:ring-indigo-500"
            >
                "← All agents"
            </a>
        </nav>
        <Transition fallback=|| view! { <LoadingPanel label="Loading agent…"/> }>
            {move || {
                agent
                    .get()
                    .map(|r| match r {
                        Ok(a) => view! { <EditorBody agent=a reload=reload/> }.into_any(),
                        Err(e) if e.code == ErrorCode::NotFound => {
                            view! {
                                <Title text="Agent not found · Talkdeck"/>
                                <h1 class="text-2xl font-semibold tracking-tight text-slate-900">"Agent not found"</h1>
                                <p class="mt-2 text-sm text-slate-600">
                                    "It may have been deleted, or it belongs to a project you are not a member of. "
                                    <a href="/agents" class=crate::ui::pages::TEXT_LINK>"Back to agents"</a>
                                </p>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn EditorBody(agent: AgentView, reload: RwSignal<u64>) -> impl IntoView {
    let projects = use_projects();
    let agents = use_agents();
    let hydrated = use_hydrated();
    let save = ServerAction::<UpdateAgent>::new();
    let duplicate = ServerAction::<DuplicateAgent>::new();
    let delete = ServerAction::<DeleteAgent>::new();
    let project_id = agent.project_id.clone();
    let can_edit = {
        let pid = project_id.clone();
        Signal::derive(move || projects.list.get().and_then(Result::ok).and_then(|l| l.into_iter().find(|p| p.id == pid)).is_some_and(|p| p.role.can_edit()))
    };
    let server_error = Signal::derive(move || {
        save.value().with(|v| match v {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        })
    });
    let ed = Editor {
        agent_id: StoredValue::new(agent.id.clone()),
        saved: RwSignal::new(agent.clone()),
        draft: RwSignal::new(agent.input()),
        can_edit,
        client_errors: RwSignal::new(Vec::new()),
        server_error,
    };
    let dirty = Memo::new(move |_| ed.saved.with(|s| ed.draft.with(|d| *d != s.input())));
    let saved_message = RwSignal::new(None::<String>);
    let sent = StoredValue::new(None::<AgentInput>);

    // Typing after a save hides the "Saved" message.
    Effect::new(move |_| {
        if dirty.get() {
            saved_message.set(None);
        }
    });

    let do_save = move || {
        if save.pending().get_untracked() || !can_edit.get_untracked() {
            return;
        }
        let draft = ed.draft.get_untracked();
        let problems = check(&draft);
        let ok = problems.is_empty();
        ed.client_errors.set(problems);
        if !ok {
            saved_message.set(None);
            return;
        }
        sent.set_value(Some(draft.clone()));
        save.dispatch(UpdateAgent {
            agent_id: ed.agent_id.get_value(),
            input: tidy(draft),
            expected_version: Some(ed.saved.with_untracked(|s| s.version)),
        });
    };
    on_action_ok(save, move |view| {
        let unchanged_since = sent.with_value(|s| ed.draft.with_untracked(|d| s.as_ref() == Some(d)));
        ed.saved.set(view.clone());
        if unchanged_since {
            ed.draft.set(view.input());
        }
        saved_message.set(Some(format!("Saved. This is version {}.", view.version)));
        agents.refresh();
    });
    let navigate = use_navigate();
    let go = navigate.clone();
    on_action_ok(duplicate, move |copy| {
        agents.refresh();
        go(&format!("/agents/{}", copy.id), Default::default());
    });
    on_action_ok(delete, move |_| {
        agents.refresh();
        projects.refresh();
        navigate("/agents?deleted=1", Default::default());
    });

    // Ctrl/Cmd+S saves; leaving the page with unsaved changes asks first.
    let keydown = window_event_listener(ev::keydown, move |e| {
        if (e.ctrl_key() || e.meta_key()) && e.key().eq_ignore_ascii_case("s") {
            e.prevent_default();
            do_save();
        }
    });
    let before_unload = window_event_listener(ev::beforeunload, move |e| {
        if dirty.try_get_untracked() == Some(true) {
            e.prevent_default();
            e.set_return_value("You have unsaved changes.");
        }
    });
    on_cleanup(move || {
        keydown.remove();
        before_unload.remove();
    });

    let conflict = Signal::derive(move || server_error.with(|e| e.as_ref().is_some_and(|e| e.code == ErrorCode::Conflict)));
    let overwrite = move |_| {
        let id = ed.agent_id.get_value();
        leptos::task::spawn_local(async move {
            if let Ok(latest) = get_agent(id).await {
                ed.saved.update(|s| s.version = latest.version);
                do_save();
            }
        });
    };

    let is_active = {
        let id = agent.id.clone();
        Signal::derive(move || projects.active.get().and_then(|r| r.ok().flatten()).is_some_and(|p| p.active_agent.as_deref() == Some(id.as_str())))
    };
    let name = move || ed.saved.with(|s| s.name.clone());
    let set_active = agents.set_active;

    view! {
        <Title text=move || format!("{} · Agents · Talkdeck", name())/>
        <div class="space-y-6">
            <header class="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
                <div class="min-w-0">
                    <h1 class="truncate text-2xl font-semibold tracking-tight text-slate-900">{name}</h1>
                    <p class="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-600">
                        {move || view! { <StatusBadge status=ed.saved.with(|s| s.status)/> }}
                        {move || is_active.get().then(|| view! { <ActiveBadge/> })}
                        <span data-testid="agent-version">{move || format!("Version {}", ed.saved.with(|s| s.version))}</span>
                        <span aria-hidden="true">"·"</span>
                        <span>{move || format!("Updated {}", format_time(ed.saved.with(|s| s.updated_at)))}</span>
                    </p>
                </div>
                {move || {
                    can_edit
                        .get()
                        .then(|| {
                            let agent_id = ed.agent_id.get_value();
                            let (id_active, id_dup) = (agent_id.clone(), agent_id.clone());
                            let pid = project_id.clone();
                            view! {
                                <div class="flex flex-wrap items-center gap-2">
                                    {(!is_active.get())
                                        .then(|| {
                                            view! {
                                                <ActionForm action=set_active>
                                                    <input type="hidden" name="project_id" value=pid/>
                                                    <input type="hidden" name="agent_id" value=id_active/>
                                                    <SecondaryButton label="Set active" pending=set_active.pending()/>
                                                </ActionForm>
                                            }
                                        })}
                                    <ActionForm action=duplicate>
                                        <input type="hidden" name="agent_id" value=id_dup/>
                                        <SecondaryButton label="Duplicate" pending=duplicate.pending()/>
                                    </ActionForm>
                                    <DeleteAgentButton agent_id=agent_id name=name() delete=delete/>
                                </div>
                            }
                        })
                }}
            </header>
            <FormError error=ServerErrors_of(duplicate)/>
            <FormError error=ServerErrors_of(delete)/>
            // Shown by the server and hidden once the page is interactive (a class, not a branch, so
            // hydration sees the same nodes): saving needs JavaScript.
            <div class=move || if hydrated.get() { "hidden" } else { "" }>
                <Notice>
                    <p>"The editor is loading. If this stays, enable JavaScript: saving changes needs it."</p>
                </Notice>
            </div>
            {move || {
                (!can_edit.get())
                    .then(|| {
                        view! {
                            <Notice>
                                <p>"You can look at this agent but not change it: members and above edit agents."</p>
                            </Notice>
                        }
                    })
            }}
            <nav aria-label="Editor sections" class="flex flex-wrap gap-1 text-sm">
                {[
                    ("#basics", "Basics"),
                    ("#prompt", "Prompt"),
                    ("#voice", "Voice"),
                    ("#model", "Model"),
                    ("#calling", "Calling"),
                    ("#analysis", "Analysis"),
                ]
                    .into_iter()
                    .map(|(href, label)| {
                        view! {
                            <a
                                href=href
                                class="rounded-lg px-3 py-1.5 font-medium text-slate-600 hover:bg-white hover:text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
                            >
                                {label}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
            <BasicsSection ed=ed/>
            <PromptSection ed=ed/>
            <VoiceSection ed=ed/>
            <ModelSection ed=ed/>
            <CallingSection ed=ed project_id=agent.project_id.clone()/>
            <AnalysisSection ed=ed/>
        </div>
        // The save bar stays in view at the bottom of the window.
        <div class="sticky bottom-0 z-10 -mx-4 mt-6 border-t border-slate-200 bg-white/95 px-4 py-3 backdrop-blur sm:-mx-6 sm:px-6 lg:-mx-8 lg:px-8">
            <div class="space-y-3">
                {move || {
                    conflict
                        .get()
                        .then(|| {
                            view! {
                                <Alert>
                                    <p class="font-medium">"Someone else saved this agent after you opened it."</p>
                                    <p>
                                        "Your changes were not saved. Load their version (your edits here are discarded) or overwrite it with yours."
                                    </p>
                                    <div class="mt-2 flex flex-wrap gap-2">
                                        <button type="button" class=crate::ui::components::SECONDARY_BUTTON on:click=move |_| reload.update(|n| *n += 1)>
                                            "Load the latest version"
                                        </button>
                                        <button type="button" class=crate::ui::components::SECONDARY_BUTTON on:click=overwrite>
                                            "Overwrite with my changes"
                                        </button>
                                    </div>
                                </Alert>
                            }
                        })
                }}
                {move || {
                    // Field problems show next to their fields; other errors here.
                    server_error
                        .get()
                        .filter(|e| e.code != ErrorCode::Conflict)
                        .map(|e| {
                            let text = if e.code == ErrorCode::InvalidInput && !e.details.is_empty() {
                                let n = e.details.len();
                                if n == 1 {
                                    "Not saved: one field needs attention (see the message next to it).".to_string()
                                } else {
                                    format!("Not saved: {n} fields need attention (see the messages next to them).")
                                }
                            } else {
                                e.message
                            };
                            view! { <Alert><p>{text}</p></Alert> }
                        })
                }}
                {move || {
                    let n = ed.client_errors.with(Vec::len);
                    (n > 0)
                        .then(|| {
                            view! {
                                <Alert>
                                    <p>
                                        {if n == 1 {
                                            "One field needs attention before saving.".to_string()
                                        } else {
                                            format!("{n} fields need attention before saving.")
                                        }}
                                    </p>
                                </Alert>
                            }
                        })
                }}
                <div class="flex flex-wrap items-center justify-end gap-3">
                    <div class="mr-auto text-sm" aria-live="polite">
                        {move || match saved_message.get() {
                            Some(m) => view! { <Status><p>{m}</p></Status> }.into_any(),
                            None if dirty.get() => {
                                view! {
                                    <span class="inline-flex items-center gap-2 font-medium text-amber-700">
                                        <span class="size-2 rounded-full bg-amber-500" aria-hidden="true"></span>
                                        "Unsaved changes"
                                    </span>
                                }
                                    .into_any()
                            }
                            None => view! { <span class="text-slate-500">"All changes saved"</span> }.into_any(),
                        }}
                    </div>
                    {move || {
                        can_edit
                            .get()
                            .then(|| {
                                view! {
                                    <button
                                        type="button"
                                        disabled=move || !hydrated.get() || save.pending().get()
                                        aria-busy=move || save.pending().get().then_some("true")
                                        aria-keyshortcuts="Control+S Meta+S"
                                        on:click=move |_| do_save()
                                        class="inline-flex items-center justify-center gap-2 rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:cursor-wait disabled:opacity-70"
                                    >
                                        {move || if save.pending().get() { "Saving…" } else { "Save agent" }}
                                    </button>
                                }
                            })
                    }}
                </div>
            </div>
        </div>
    }
}

#[allow(non_snake_case)]
fn ServerErrors_of<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    crate::ui::components::ServerErrors::of(action).error()
}

/// The quick checks made before saving (the server checks everything again, with the same
/// limits and messages from `model::limits`).
fn check(d: &AgentInput) -> Vec<FieldError> {
    use crate::model::limits::agent as limits;
    let mut out = Vec::new();
    let mut bad = |field: &str, message: String| out.push(FieldError { field: field.to_string(), message });
    let count = |s: &str| s.chars().count();
    let name = count(d.name.trim());
    if name == 0 {
        bad("name", limits::name_missing());
    } else if name > limits::NAME_MAX || d.name.chars().any(char::is_control) {
        bad("name", limits::name_too_long());
    }
    if count(&d.system_prompt) > limits::PROMPT_MAX {
        bad("system_prompt", limits::prompt_too_long());
    } else if let Err(e) = PromptTemplate::parse(&d.system_prompt, "system_prompt") {
        bad("system_prompt", e.message);
    }
    if count(&d.first_message) > limits::FIRST_MESSAGE_MAX {
        bad("first_message", limits::first_message_too_long());
    } else if let Err(e) = PromptTemplate::parse(&d.first_message, "first_message") {
        bad("first_message", e.message);
    }
    if !(limits::TEMPERATURE_MIN..=limits::TEMPERATURE_MAX).contains(&d.temperature) || d.temperature.is_nan() {
        bad("temperature", limits::temperature());
    }
    if !(limits::MAX_DURATION_MIN..=limits::MAX_DURATION_MAX).contains(&d.max_duration_secs) {
        bad("max_duration_secs", limits::max_duration());
    }
    if d.llm_model.trim().is_empty() {
        bad("llm_model", "Enter a model name.".into());
    }
    if d.language.trim().is_empty() {
        bad("language", "Enter a language, like en-US.".into());
    }
    if count(d.analysis.success_criteria.trim()) > limits::CRITERIA_MAX {
        bad("analysis.success_criteria", limits::criteria_too_long());
    }
    if d.analysis.questions.len() > limits::QUESTIONS_MAX {
        bad("analysis.questions", limits::too_many_questions());
    }
    for (i, q) in d.analysis.questions.iter().enumerate() {
        let text = count(q.question.trim());
        if text == 0 {
            bad(&format!("analysis.questions.{i}.question"), limits::question_missing(i + 1));
        } else if text > limits::QUESTION_MAX {
            bad(&format!("analysis.questions.{i}.question"), limits::question_too_long(i + 1));
        }
        if q.kind == crate::model::QuestionKind::Selector {
            let options: Vec<&str> = q.options.iter().map(|o| o.trim()).filter(|o| !o.is_empty()).collect();
            if options.iter().any(|o| count(o) > limits::OPTION_MAX) {
                bad(&format!("analysis.questions.{i}.options"), limits::option_too_long(i + 1));
            } else if !(limits::OPTIONS_MIN..=limits::OPTIONS_MAX).contains(&options.len()) {
                bad(&format!("analysis.questions.{i}.options"), limits::option_count(i + 1));
            }
        }
    }
    out
}

/// What is sent: trimmed names, options only for Selector questions, no empty options.
fn tidy(mut d: AgentInput) -> AgentInput {
    d.name = d.name.trim().to_string();
    d.llm_model = d.llm_model.trim().to_string();
    d.language = d.language.trim().to_string();
    for q in &mut d.analysis.questions {
        q.question = q.question.trim().to_string();
        if q.kind == crate::model::QuestionKind::Selector {
            q.options = q.options.iter().map(|o| o.trim().to_string()).filter(|o| !o.is_empty()).collect();
        } else {
            q.options.clear();
        }
    }
    d
}

/// A titled card for one part of the editor, linkable by `id`.
#[component]
pub(super) fn EditorSection(id: &'static str, title: &'static str, description: &'static str, children: Children) -> impl IntoView {
    let heading = format!("{id}-heading");
    let labelledby = heading.clone();
    view! {
        <section id=id aria-labelledby=labelledby class="scroll-mt-24">
            <Card>
                <div class="mb-5">
                    <h2 id=heading class="text-base font-semibold text-slate-900">{title}</h2>
                    <p class="mt-1 text-sm text-slate-600">{description}</p>
                </div>
                {children()}
            </Card>
        </section>
    }
}

#[component]
fn BasicsSection(ed: Editor) -> impl IntoView {
    let name_error = ed.error(&["name"]);
    let status_error = ed.error(&["status"]);
    let direction_error = ed.error(&["direction"]);
    let initial = ed.draft.get_untracked();
    view! {
        <EditorSection id="basics" title="Basics" description="How the agent is called in Talkdeck and whether it is ready for real traffic.">
            <fieldset disabled=move || !ed.can_edit.get() class="grid gap-5 sm:grid-cols-[1fr_12rem_12rem]">
                <div class="space-y-1.5">
                    <label for="agent-name" class=LABEL>"Name"</label>
                    <input
                        id="agent-name"
                        type="text"
                        autocomplete="off"
                        class=INPUT
                        value=initial.name.clone()
                        prop:value=move || ed.draft.with(|d| d.name.clone())
                        on:input=move |ev| ed.edit(|d| d.name = event_target_value(&ev))
                        aria-invalid=invalid(name_error)
                        aria-describedby=move || name_error.with(Option::is_some).then_some("agent-name-error")
                    />
                    {field_error("agent-name", name_error)}
                </div>
                <div class="space-y-1.5">
                    <label for="agent-status" class=LABEL>"Status"</label>
                    <select
                        id="agent-status"
                        class=SELECT_CLASS
                        aria-invalid=invalid(status_error)
                        on:change=move |ev| {
                            if let Some(s) = AgentStatus::parse(&event_target_value(&ev)) {
                                ed.edit(|d| d.status = s);
                            }
                        }
                    >
                        {AgentStatus::ALL
                            .iter()
                            .map(|s| {
                                let s = *s;
                                view! {
                                    <option value=s.as_str() selected=move || ed.draft.with(|d| d.status == s)>
                                        {status_label(s)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    {field_error("agent-status", status_error)}
                </div>
                <div class="space-y-1.5">
                    <label for="agent-direction" class=LABEL>"Direction"</label>
                    <select
                        id="agent-direction"
                        class=SELECT_CLASS
                        aria-invalid=invalid(direction_error)
                        prop:value=move || ed.draft.with(|d| d.direction.as_str())
                        on:change=move |ev| {
                            if let Some(v) = Direction::parse(&event_target_value(&ev)) {
                                ed.edit(|d| d.direction = v);
                            }
                        }
                    >
                        {Direction::ALL
                            .iter()
                            .map(|v| {
                                let v = *v;
                                view! {
                                    <option value=v.as_str() selected=move || ed.draft.with(|d| d.direction == v)>
                                        {direction_label(v)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    {field_error("agent-direction", direction_error)}
                </div>
            </fieldset>
        </EditorSection>
    }
}

/// Common BCP 47 tags offered for the agent's language (any tag is accepted).
const LANGUAGES: &[&str] = &["en-US", "en-GB", "en-AU", "en-IN", "es-ES", "es-MX", "fr-FR", "fr-CA", "de-DE", "it-IT", "pt-BR", "nl-NL", "ja-JP", "hi-IN"];

#[component]
fn ModelSection(ed: Editor) -> impl IntoView {
    let initial = ed.draft.get_untracked();
    let model_error = ed.error(&["llm_model", "llmModel"]);
    let temp_error = ed.error(&["temperature"]);
    let duration_error = ed.error(&["max_duration_secs", "maxDurationSecs"]);
    let language_error = ed.error(&["language"]);
    let speaks_error = ed.error(&["speaks_first"]);
    let machine_error = ed.error(&["machine_detection"]);
    // The number box keeps what is typed ("1." on the way to "1.5"); the slider writes it.
    let temp_text = RwSignal::new(format!("{}", initial.temperature));
    let duration_minutes = move || {
        let s = ed.draft.with(|d| d.max_duration_secs);
        if s >= 60 {
            let (m, r) = (s / 60, s % 60);
            if r == 0 {
                format!("{m} min")
            } else {
                format!("{m} min {r} s")
            }
        } else {
            format!("{s} s")
        }
    };
    view! {
        <EditorSection id="model" title="Model" description="The language model behind the conversation and how the call runs.">
            <fieldset disabled=move || !ed.can_edit.get() class="grid gap-5 sm:grid-cols-2">
                <div class="space-y-1.5">
                    <label for="agent-model" class=LABEL>"LLM model"</label>
                    <input
                        id="agent-model"
                        type="text"
                        list="llm-models"
                        autocomplete="off"
                        class=INPUT
                        value=initial.llm_model.clone()
                        prop:value=move || ed.draft.with(|d| d.llm_model.clone())
                        on:input=move |ev| ed.edit(|d| d.llm_model = event_target_value(&ev))
                        aria-invalid=invalid(model_error)
                        aria-describedby="agent-model-hint"
                    />
                    <datalist id="llm-models">
                        {defaults::LLM_MODELS.iter().map(|m| view! { <option value=*m></option> }).collect_view()}
                    </datalist>
                    {move || match model_error.get() {
                        Some(m) => view! { <p id="agent-model-hint" role="alert" class="text-sm text-red-700">{m}</p> }.into_any(),
                        None => view! { <p id="agent-model-hint" class=HINT>"Any OpenAI-compatible model name."</p> }.into_any(),
                    }}
                </div>
                <div class="space-y-1.5">
                    <label for="agent-language" class=LABEL>"Language"</label>
                    <input
                        id="agent-language"
                        type="text"
                        list="agent-languages"
                        autocomplete="off"
                        class=INPUT
                        value=initial.language.clone()
                        prop:value=move || ed.draft.with(|d| d.language.clone())
                        on:input=move |ev| ed.edit(|d| d.language = event_target_value(&ev))
                        aria-invalid=invalid(language_error)
                        aria-describedby="agent-language-hint"
                    />
                    <datalist id="agent-languages">
                        {LANGUAGES.iter().map(|l| view! { <option value=*l></option> }).collect_view()}
                    </datalist>
                    {move || match language_error.get() {
                        Some(m) => view! { <p id="agent-language-hint" role="alert" class="text-sm text-red-700">{m}</p> }.into_any(),
                        None => view! { <p id="agent-language-hint" class=HINT>"The language the agent speaks, as a BCP 47 tag like en-US."</p> }.into_any(),
                    }}
                </div>
                <div class="space-y-1.5">
                    <label for="agent-temperature" class=LABEL>"Temperature"</label>
                    <div class="flex items-center gap-3">
                        <input
                            id="agent-temperature"
                            type="range"
                            min=crate::model::limits::agent::TEMPERATURE_MIN.to_string()
                            max=crate::model::limits::agent::TEMPERATURE_MAX.to_string()
                            step="0.1"
                            class="h-2 w-full cursor-pointer accent-indigo-600"
                            value=initial.temperature.to_string()
                            prop:value=move || ed.draft.with(|d| d.temperature.to_string())
                            on:input=move |ev| {
                                if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                                    temp_text.set(format!("{v}"));
                                    ed.edit(|d| d.temperature = v);
                                }
                            }
                            aria-describedby="agent-temperature-hint"
                        />
                        <input
                            type="number"
                            min=crate::model::limits::agent::TEMPERATURE_MIN.to_string()
                            max=crate::model::limits::agent::TEMPERATURE_MAX.to_string()
                            step="0.05"
                            inputmode="decimal"
                            aria-label="Temperature value"
                            class=format!("{INPUT} w-24")
                            value=temp_text.get_untracked()
                            prop:value=move || temp_text.get()
                            on:input=move |ev| {
                                let raw = event_target_value(&ev);
                                match raw.trim().parse::<f64>() {
                                    Ok(v) => ed.edit(|d| d.temperature = v),
                                    Err(_) => ed.edit(|d| d.temperature = f64::NAN),
                                }
                            }
                            aria-invalid=invalid(temp_error)
                        />
                    </div>
                    {move || match temp_error.get() {
                        Some(m) => view! { <p id="agent-temperature-hint" role="alert" class="text-sm text-red-700">{m}</p> }.into_any(),
                        None => view! { <p id="agent-temperature-hint" class=HINT>"0 keeps answers predictable, 2 makes them most varied."</p> }.into_any(),
                    }}
                </div>
                <div class="space-y-1.5">
                    <label for="agent-duration" class=LABEL>"Max call duration (seconds)"</label>
                    <div class="flex items-center gap-3">
                        <input
                            id="agent-duration"
                            type="number"
                            min=crate::model::limits::agent::MAX_DURATION_MIN.to_string()
                            max=crate::model::limits::agent::MAX_DURATION_MAX.to_string()
                            step="1"
                            inputmode="numeric"
                            class=format!("{INPUT} w-32")
                            value=initial.max_duration_secs.to_string()
                            on:input=move |ev| {
                                let v = event_target_value(&ev).trim().parse::<i64>().unwrap_or(0);
                                ed.edit(|d| d.max_duration_secs = v);
                            }
                            aria-invalid=invalid(duration_error)
                            aria-describedby="agent-duration-hint"
                        />
                        <span class="text-sm text-slate-600">{duration_minutes}</span>
                    </div>
                    {move || match duration_error.get() {
                        Some(m) => view! { <p id="agent-duration-hint" role="alert" class="text-sm text-red-700">{m}</p> }.into_any(),
                        None => view! { <p id="agent-duration-hint" class=HINT>"From 1 to 3600. The call ends when it is reached."</p> }.into_any(),
                    }}
                </div>
                <div class="space-y-1.5">
                    <label for="agent-speaks-first" class=LABEL>"Who speaks first"</label>
                    <select
                        id="agent-speaks-first"
                        class=SELECT_CLASS
                        aria-invalid=invalid(speaks_error)
                        on:change=move |ev| {
                            if let Some(v) = SpeaksFirst::parse(&event_target_value(&ev)) {
                                ed.edit(|d| d.speaks_first = v);
                            }
                        }
                    >
                        <option value="agent" selected=move || ed.draft.with(|d| d.speaks_first == SpeaksFirst::Agent)>
                            "The agent (says the first message)"
                        </option>
                        <option value="user" selected=move || ed.draft.with(|d| d.speaks_first == SpeaksFirst::User)>
                            "The person called"
                        </option>
                    </select>
                    {field_error("agent-speaks-first", speaks_error)}
                </div>
                <div class="space-y-1.5">
                    <label for="agent-machine-detection" class=LABEL>"When an answering machine picks up (Twilio calls)"</label>
                    <select
                        id="agent-machine-detection"
                        class=SELECT_CLASS
                        aria-invalid=invalid(machine_error)
                        aria-describedby="agent-machine-detection-hint"
                        prop:value=move || ed.draft.with(|d| d.machine_detection.as_str())
                        on:change=move |ev| {
                            if let Some(v) = MachineDetection::parse(&event_target_value(&ev)) {
                                ed.edit(|d| d.machine_detection = v);
                            }
                        }
                    >
                        {MachineDetection::ALL
                            .iter()
                            .map(|m| {
                                let m = *m;
                                view! {
                                    <option value=m.as_str() selected=move || ed.draft.with(|d| d.machine_detection == m)>
                                        {machine_detection_label(m)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    {move || match machine_error.get() {
                        Some(m) => view! { <p id="agent-machine-detection-hint" role="alert" class="text-sm text-red-700">{m}</p> }.into_any(),
                        None => {
                            view! {
                                <p id="agent-machine-detection-hint" class=HINT>
                                    "With detection on, Twilio listens to the start of each call to tell a person from a machine."
                                </p>
                            }
                                .into_any()
                        }
                    }}
                </div>
                <div class="flex items-start gap-3 sm:pt-7">
                    <input
                        id="agent-recording"
                        type="checkbox"
                        class=format!("mt-0.5 {CHECKBOX}")
                        checked=initial.recording
                        prop:checked=move || ed.draft.with(|d| d.recording)
                        on:change=move |ev| ed.edit(|d| d.recording = event_target_checked(&ev))
                        aria-describedby="agent-recording-hint"
                    />
                    <div>
                        <label for="agent-recording" class=LABEL>"Record calls"</label>
                        <p id="agent-recording-hint" class=HINT>"Keep an audio recording of each call next to its transcript."</p>
                    </div>
                </div>
            </fieldset>
        </EditorSection>
    }
}
