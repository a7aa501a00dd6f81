//! `/batches/new`: the upload form (agent, name, file). A plain `multipart/form-data` post to
//! `/batches/upload` (`server::batch_pages`), with or without JavaScript: the server answers with
//! the new draft's page, or sends the browser back here with `?error=…&field=…` and what was
//! typed (the file input cannot be refilled).

use super::INPUT;
use crate::model::{AgentView, Direction, ProjectView};
use crate::ui::components::{Alert, Card, Notice, FILE_INPUT_CLASS, SELECT_CLASS};
use crate::ui::layout::{use_agents, with_project};
use crate::ui::pages::TEXT_LINK;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// What the server sent back with a refused upload.
#[derive(Clone, Default, PartialEq)]
struct Returned {
    error: String,
    field: String,
    agent_id: String,
    name: String,
}

#[component]
pub fn NewBatchPage() -> impl IntoView {
    let query = use_query_map();
    let returned = Memo::new(move |_| {
        query.with(|m| Returned {
            error: m.get("error").unwrap_or_default(),
            field: m.get("field").unwrap_or_default(),
            agent_id: m.get("agent_id").unwrap_or_default(),
            name: m.get("name").unwrap_or_default(),
        })
    });
    view! {
        <Title text="New batch · Talkdeck"/>
        <nav aria-label="Breadcrumb" class="mb-4 text-sm">
            <a href="/batches" class=TEXT_LINK>"← All batches"</a>
        </nav>
        <div class="mb-6">
            <h1 class="text-2xl font-semibold tracking-tight text-slate-900">"New batch"</h1>
            <p class="mt-1 max-w-2xl text-slate-600">
                "Upload the contacts to call. You get a report of the rows that cannot be called, then choose the numbers, pace and hours before starting."
            </p>
        </div>
        {with_project(move |p| view! { <NewBatchBody project=p returned=returned/> }.into_any())}
    }
}

#[component]
fn NewBatchBody(project: ProjectView, returned: Memo<Returned>) -> impl IntoView {
    if !project.role.can_edit() {
        return view! {
            <Notice>
                <p>"Your role on this project (" {project.role.label()} ") lets you see batches but not create them. Ask an admin for the member role."</p>
            </Notice>
        }
        .into_any();
    }
    let agents = use_agents();
    let project_id = project.id.clone();
    let active_agent = project.active_agent.clone();
    view! {
        <Card>
            <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading agents…"</p> }>
                {
                    let project_id = project_id.clone();
                    let active_agent = active_agent.clone();
                    move || agents.list.get().map(|r| match r {
                        Ok(list) => {
                            let outbound: Vec<AgentView> = list.into_iter().filter(|a| a.direction == Direction::Outbound).collect();
                            if outbound.is_empty() {
                                view! {
                                    <p class="text-sm text-slate-700">
                                        "A batch needs an outbound agent with a number to call from, and this project has none. "
                                        <a href="/agents" class=TEXT_LINK>"Set up an agent"</a>
                                        " first."
                                    </p>
                                }
                                    .into_any()
                            } else {
                                view! { <UploadForm agents=outbound project_id=project_id.clone() active_agent=active_agent.clone() returned=returned.get()/> }.into_any()
                            }
                        }
                        Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                    })
                }
            </Suspense>
        </Card>
    }
    .into_any()
}

fn field_message(r: &Returned, field: &str) -> Option<String> {
    (!r.error.is_empty() && r.field == field).then(|| r.error.clone())
}

#[component]
fn UploadForm(agents: Vec<AgentView>, project_id: String, active_agent: Option<String>, returned: Returned) -> impl IntoView {
    let chosen = if agents.iter().any(|a| a.id == returned.agent_id) {
        returned.agent_id.clone()
    } else if let Some(a) = active_agent.filter(|id| agents.iter().any(|a| &a.id == id)) {
        a
    } else {
        agents.first().map(|a| a.id.clone()).unwrap_or_default()
    };
    let form_level = (!returned.error.is_empty() && !["agent_id", "name", "file"].contains(&returned.field.as_str())).then(|| returned.error.clone());
    let agent_error = field_message(&returned, "agent_id");
    let name_error = field_message(&returned, "name");
    let file_error = field_message(&returned, "file");
    let sending = RwSignal::new(false);
    let error_text = |id: &'static str, m: Option<String>| m.map(|m| view! { <p id=id role="alert" class="text-sm text-red-700">{m}</p> });
    view! {
        <form
            method="post"
            action="/batches/upload"
            enctype="multipart/form-data"
            class="max-w-xl space-y-5"
            aria-label="New batch"
            on:submit=move |_| sending.set(true)
        >
            <input type="hidden" name="project_id" value=project_id/>
            {form_level.map(|m| view! { <Alert><p>{m}</p></Alert> })}
            <div class="space-y-1.5">
                <label for="batch-agent" class="block text-sm font-medium text-slate-700">"Agent"</label>
                <select
                    id="batch-agent"
                    name="agent_id"
                    required=true
                    class=SELECT_CLASS
                    aria-invalid=agent_error.is_some().then_some("true")
                    aria-describedby=agent_error.is_some().then_some("batch-agent-error")
                >
                    {agents.iter().map(|a| {
                        let label = if a.phone_numbers.is_empty() { format!("{} (no number to call from)", a.name) } else { a.name.clone() };
                        view! { <option value=a.id.clone() selected=a.id == chosen>{label}</option> }
                    }).collect_view()}
                </select>
                {error_text("batch-agent-error", agent_error.clone())}
            </div>
            <div class="space-y-1.5">
                <label for="batch-name" class="block text-sm font-medium text-slate-700">"Name"</label>
                <input
                    id="batch-name"
                    name="name"
                    type="text"
                    required=true
                    maxlength="200"
                    autocomplete="off"
                    placeholder="Spring renewals"
                    value=returned.name.clone()
                    class=INPUT
                    aria-invalid=name_error.is_some().then_some("true")
                    aria-describedby=name_error.is_some().then_some("batch-name-error")
                />
                {error_text("batch-name-error", name_error.clone())}
            </div>
            <div class="space-y-1.5">
                <label for="batch-file" class="block text-sm font-medium text-slate-700">"Contacts file"</label>
                <input
                    id="batch-file"
                    name="file"
                    type="file"
                    required=true
                    accept=".csv,.tsv,.txt,.xlsx,.xls,.ods,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel,application/vnd.oasis.opendocument.spreadsheet"
                    class=FILE_INPUT_CLASS
                    aria-invalid=file_error.is_some().then_some("true")
                    aria-describedby={if file_error.is_some() { "batch-file-error batch-file-hint" } else { "batch-file-hint" }}
                />
                {error_text("batch-file-error", file_error.clone())}
                <p id="batch-file-hint" class="text-xs text-slate-500">
                    "CSV, xlsx, xls or ods (first sheet), up to 100,000 rows and 20 MiB. A "
                    <code class="font-mono">"number"</code>
                    " column (or "
                    <code class="font-mono">"phone_number"</code>
                    ", "
                    <code class="font-mono">"phone"</code>
                    ") in international format; every other column fills the agent's variable of the same name."
                </p>
            </div>
            <div class="flex items-center gap-3">
                <button
                    type="submit"
                    class="inline-flex items-center justify-center gap-2 rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:cursor-wait disabled:opacity-70"
                    aria-busy=move || sending.get().then_some("true")
                >
                    {move || if sending.get() { "Uploading…" } else { "Upload and check" }}
                </button>
                <a href="/batches" class=TEXT_LINK>"Cancel"</a>
            </div>
        </form>
    }
}
