//! The "New call" dialog of `/calls?new=1`: agent, destination, caller number, the agent's
//! variables as fields, an optional start time and metadata.
//!
//! A plain form post before hydration (the server answers by redirecting to the new call; errors
//! come back to the dialog). Without JavaScript, "Show its fields" reloads the dialog for another
//! agent; with it, the fields follow the agent picker at once.

use crate::model::{AgentView, AppError, Direction, ProjectView};
use crate::server_fns::calls::PlaceCall;
use crate::ui::components::{on_action_ok, Alert, FormError, ServerErrors, SubmitButton, SECONDARY_BUTTON, SELECT_CLASS};
use crate::ui::layout::{use_agents, use_hydrated};
use crate::ui::pages::TEXT_LINK;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

const INPUT: &str = crate::ui::components::INPUT_CLASS;

/// The agent the dialog opens with: the one in the URL, else the active agent, else the first.
fn initial_agent(agents: &[AgentView], asked: Option<String>, active: Option<String>) -> Option<String> {
    let known = |id: &String| agents.iter().any(|a| &a.id == id);
    asked.filter(known).or(active.filter(known)).or_else(|| agents.first().map(|a| a.id.clone()))
}

#[component]
pub fn NewCallDialog(project: ProjectView, back: String) -> impl IntoView {
    let agents = use_agents();
    let query = use_query_map();
    let asked = query.with_untracked(|m| m.get("agent_id"));
    let action = ServerAction::<PlaceCall>::new();
    let navigate = use_navigate();
    let placed_back = back.clone();
    on_action_ok(action, move |_| navigate(&placed_back, Default::default()));
    let close = back.clone();
    let on_key = {
        let navigate = use_navigate();
        move |ev: leptos::ev::KeyboardEvent| {
            if ev.key() == "Escape" {
                navigate(&close, Default::default());
            }
        }
    };
    view! {
        <div class="fixed inset-0 z-40 bg-slate-900/40" aria-hidden="true"></div>
        <div
            role="dialog"
            aria-modal="true"
            aria-labelledby="new-call-title"
            class="fixed inset-x-0 top-0 z-50 mx-auto mt-4 max-h-[calc(100vh-2rem)] w-[calc(100%-2rem)] max-w-lg overflow-y-auto rounded-xl bg-white p-5 shadow-xl sm:mt-16"
            on:keydown=on_key
        >
            <div class="mb-4 flex items-start justify-between gap-4">
                <div>
                    <h2 id="new-call-title" class="text-lg font-semibold text-slate-900">"New call"</h2>
                    <p class="mt-1 text-sm text-slate-600">"Your agent calls this number. Calls run on the simulator until a carrier is connected."</p>
                </div>
                <a href=back.clone() class="rounded p-1 text-slate-500 hover:bg-slate-100 hover:text-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500" aria-label="Close">
                    <span aria-hidden="true" class="text-xl leading-none">"×"</span>
                </a>
            </div>
            <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading agents…"</p> }>
                {
                    let project = project.clone();
                    let asked = asked.clone();
                    move || agents.list.get().map(|r| match r {
                        Ok(list) if list.is_empty() => view! {
                            <p class="text-sm text-slate-700">
                                "This project has no agent yet. "
                                <a href="/agents" class=TEXT_LINK>"Create an agent"</a>
                                " first."
                            </p>
                        }.into_any(),
                        Ok(list) => {
                            let first = initial_agent(&list, asked.clone(), project.active_agent.clone());
                            view! { <PlaceCallForm agents=list project_id=project.id.clone() initial=first.unwrap_or_default() action=action/> }.into_any()
                        }
                        Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                    })
                }
            </Suspense>
        </div>
    }
}

fn field_error(e: &Option<AppError>, field: &str) -> Option<String> {
    e.as_ref().and_then(|e| e.field_message(field)).map(str::to_string)
}

#[component]
fn PlaceCallForm(agents: Vec<AgentView>, project_id: String, initial: String, action: ServerAction<PlaceCall>) -> impl IntoView {
    let hydrated = use_hydrated();
    let chosen = RwSignal::new(initial);
    let agents = StoredValue::new(agents);
    let agent = Memo::new(move |_| agents.with_value(|l| l.iter().find(|a| a.id == chosen.get()).cloned()));
    let server = ServerErrors::of(action);
    let error = server.error();
    let to_ref = NodeRef::<Input>::new();
    Effect::new(move |_| {
        if let Some(el) = to_ref.get() {
            let _ = el.focus();
        }
    });
    view! {
        <ActionForm action=action attr:class="space-y-4">
            <input type="hidden" name="project_id" value=project_id/>
            <input type="hidden" name="new" value="1"/>
            <FormError error=error fields=&["to", "from", "agent_id", "metadata", "scheduled_at", "dynamicVariables"]/>
            <div class="space-y-1.5">
                <label for="call-agent" class="block text-sm font-medium text-slate-700">"Agent"</label>
                <div class="flex gap-2">
                    <select
                        id="call-agent"
                        name="agent_id"
                        class=SELECT_CLASS
                        on:change=move |ev| chosen.set(event_target_value(&ev))
                    >
                        {agents.with_value(|l| l.iter().map(|a| {
                            let selected = a.id == chosen.get_untracked();
                            let label = if a.direction == Direction::Inbound { format!("{} (answers calls only)", a.name) } else { a.name.clone() };
                            view! { <option value=a.id.clone() selected=selected>{label}</option> }
                        }).collect_view())}
                    </select>
                    // Without JS the variables below belong to the agent the dialog opened with:
                    // this reloads the dialog for the one picked.
                    <button type="submit" formmethod="get" formaction="/calls" class=SECONDARY_BUTTON hidden=move || hydrated.get()>
                        "Show its fields"
                    </button>
                </div>
                {move || field_error(&error.get(), "agent_id").map(|m| view! { <p role="alert" class="text-sm text-red-700">{m}</p> })}
            </div>
            {move || agent.get().map(|a| {
                let outbound: Vec<_> = if a.direction == Direction::Outbound { a.phone_numbers.clone() } else { Vec::new() };
                let problem = if a.direction == Direction::Inbound {
                    Some("This agent only answers calls. Pick an outbound agent, or change its direction in the agent's settings.")
                } else if outbound.is_empty() {
                    Some("This agent has no number to call from. Assign one on the Phone numbers page.")
                } else {
                    None
                };
                let no_numbers = outbound.is_empty();
                view! {
                    {problem.map(|p| view! { <p class="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900" role="status">{p}</p> })}
                    <div class="space-y-1.5">
                        <label for="call-from" class="block text-sm font-medium text-slate-700">"Call from"</label>
                        <select id="call-from" name="from" class=SELECT_CLASS disabled=no_numbers>
                            {outbound.into_iter().map(|n| view! { <option value=n.number.clone()>{format!("{} ({})", n.formatted_number, n.number)}</option> }).collect_view()}
                        </select>
                        {move || field_error(&error.get(), "from").map(|m| view! { <p role="alert" class="text-sm text-red-700">{m}</p> })}
                    </div>
                    {(!a.variables.is_empty()).then(|| view! {
                        <fieldset class="space-y-3 rounded-lg border border-slate-200 p-3">
                            <legend class="px-1 text-sm font-medium text-slate-700">"Variables"</legend>
                            <p class="text-xs text-slate-500">"The agent's prompt and first message use these; each needs a value."</p>
                            {a.variables.iter().map(|v| {
                                let id = format!("call-var-{v}");
                                let name = format!("variables[{v}]");
                                let var = v.clone();
                                view! {
                                    <div class="space-y-1">
                                        <label for=id.clone() class="block text-sm font-medium text-slate-700">{v.clone()}</label>
                                        <input id=id name=name type="text" required=true autocomplete="off" class=INPUT/>
                                        {move || field_error(&error.get(), &var).map(|m| view! { <p role="alert" class="text-sm text-red-700">{m}</p> })}
                                    </div>
                                }
                            }).collect_view()}
                        </fieldset>
                    })}
                }
            })}
            <div class="space-y-1.5">
                <label for="call-to" class="block text-sm font-medium text-slate-700">"Number to call"</label>
                <input id="call-to" name="to" type="tel" required=true autocomplete="off" placeholder="+1 415 555 2671" class=INPUT node_ref=to_ref aria-describedby="call-to-hint"/>
                {move || match field_error(&error.get(), "to") {
                    Some(m) => view! { <p role="alert" class="text-sm text-red-700">{m}</p> }.into_any(),
                    None => view! { <p id="call-to-hint" class="text-xs text-slate-500">"International format, or as you would dial it in the number's country. On the simulator the last four digits pick the outcome (0001 busy, 0002 no answer, …)."</p> }.into_any(),
                }}
            </div>
            <details class="rounded-lg border border-slate-200 p-3">
                <summary class="cursor-pointer select-none text-sm font-medium text-slate-700">"Schedule and metadata"</summary>
                <div class="mt-3 space-y-3">
                    <div class="space-y-1.5">
                        <label for="call-at" class="block text-sm font-medium text-slate-700">"Start at (UTC, optional)"</label>
                        <input id="call-at" name="scheduled_at" type="datetime-local" class=INPUT/>
                        {move || field_error(&error.get(), "scheduled_at").map(|m| view! { <p role="alert" class="text-sm text-red-700">{m}</p> })}
                    </div>
                    <div class="space-y-1.5">
                        <label for="call-metadata" class="block text-sm font-medium text-slate-700">"Metadata (JSON object, optional)"</label>
                        <textarea id="call-metadata" name="metadata" rows="2" class=INPUT placeholder="{\"order\": \"A-1042\"}"></textarea>
                        {move || field_error(&error.get(), "metadata").map(|m| view! { <p role="alert" class="text-sm text-red-700">{m}</p> })}
                    </div>
                </div>
            </details>
            <div class="flex justify-end">
                <SubmitButton label="Place call" pending=action.pending()/>
            </div>
        </ActionForm>
    }
}
