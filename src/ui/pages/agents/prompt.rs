//! The editor's Prompt section: system prompt and first message with their `{{variables}}`
//! detected as the user types (the same [`PromptTemplate`] rules the server applies), and a
//! Preview that renders both with sample values and names the variables still missing. Nothing
//! here calls the server; sample values are not saved.

use super::editor::{invalid, Editor, EditorSection, HINT, INPUT, LABEL};
use crate::model::PromptTemplate;
use leptos::prelude::*;
use std::collections::HashMap;

/// Variables of both templates, each once, prompt first; `None` while one does not parse.
fn variables(prompt: &Result<PromptTemplate, crate::model::AppError>, first: &Result<PromptTemplate, crate::model::AppError>) -> Option<Vec<String>> {
    let (Ok(p), Ok(f)) = (prompt, first) else { return None };
    let mut out = p.variables();
    for v in f.variables() {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Some(out)
}

/// Renders `t`, writing `{{name}}` for variables without a sample value.
fn render_with(t: &PromptTemplate, samples: &HashMap<String, String>) -> String {
    let values: HashMap<String, String> = t
        .variables()
        .into_iter()
        .map(|v| {
            let value = samples.get(&v).filter(|s| !s.trim().is_empty()).cloned().unwrap_or_else(|| format!("{{{{{v}}}}}"));
            (v, value)
        })
        .collect();
    t.render(&values).unwrap_or_default()
}

#[component]
pub(super) fn PromptSection(ed: Editor) -> impl IntoView {
    let initial = ed.draft.get_untracked();
    let prompt = Memo::new(move |_| ed.draft.with(|d| PromptTemplate::parse(&d.system_prompt, "system_prompt")));
    let first = Memo::new(move |_| ed.draft.with(|d| PromptTemplate::parse(&d.first_message, "first_message")));
    // While a template is half-typed (an open `{{`) the last good list stays.
    let vars = Memo::new(move |prev: Option<&Vec<String>>| prompt.with(|p| first.with(|f| variables(p, f))).or_else(|| prev.cloned()).unwrap_or_default());
    let samples = RwSignal::new(HashMap::<String, String>::new());
    let missing = Memo::new(move |_| samples.with(|s| vars.get().into_iter().filter(|v| s.get(v).is_none_or(|x| x.trim().is_empty())).collect::<Vec<_>>()));

    // The live parse error first, else the error of the last save.
    let saved_prompt_error = ed.error(&["system_prompt", "systemPrompt", "prompt"]);
    let prompt_error = Signal::derive(move || prompt.with(|r| r.as_ref().err().map(|e| e.message.clone())).or_else(|| saved_prompt_error.get()));
    let saved_first_error = ed.error(&["first_message", "firstMessage"]);
    let first_error = Signal::derive(move || first.with(|r| r.as_ref().err().map(|e| e.message.clone())).or_else(|| saved_first_error.get()));

    let rendered_prompt = move || prompt.with(|r| r.as_ref().ok().map(|t| samples.with(|s| render_with(t, s))));
    let rendered_first = move || first.with(|r| r.as_ref().ok().map(|t| samples.with(|s| render_with(t, s))));

    view! {
        <EditorSection
            id="prompt"
            title="Prompt"
            description="What the agent knows and how it behaves. Write {{variable}} for a value that is filled in for each call."
        >
            <div class="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
                <fieldset disabled=move || !ed.can_edit.get() class="space-y-5">
                    <div class="space-y-1.5">
                        <label for="agent-system-prompt" class=LABEL>"System prompt"</label>
                        <textarea
                            id="agent-system-prompt"
                            rows="12"
                            class=format!("{INPUT} font-mono leading-relaxed")
                            placeholder="You are a friendly assistant for {{company}}. Confirm the appointment of {{customer_name}}…"
                            prop:value=move || ed.draft.with(|d| d.system_prompt.clone())
                            on:input=move |ev| ed.edit(|d| d.system_prompt = event_target_value(&ev))
                            aria-invalid=invalid(prompt_error)
                            aria-describedby="agent-system-prompt-hint"
                        >
                            {initial.system_prompt.clone()}
                        </textarea>
                        {move || match prompt_error.get() {
                            Some(m) => view! { <p id="agent-system-prompt-hint" role="alert" class="text-sm text-red-700">{m}</p> }.into_any(),
                            None => {
                                view! {
                                    <p id="agent-system-prompt-hint" class=HINT>
                                        {move || format!("{} characters. Write \\{{{{ for a literal {{{{.", ed.draft.with(|d| d.system_prompt.chars().count()))}
                                    </p>
                                }
                                    .into_any()
                            }
                        }}
                    </div>
                    <div class="space-y-1.5">
                        <label for="agent-first-message" class=LABEL>"First message"</label>
                        <textarea
                            id="agent-first-message"
                            rows="3"
                            class=INPUT
                            placeholder="Hi {{customer_name}}, this is Ava from {{company}}."
                            prop:value=move || ed.draft.with(|d| d.first_message.clone())
                            on:input=move |ev| ed.edit(|d| d.first_message = event_target_value(&ev))
                            aria-invalid=invalid(first_error)
                            aria-describedby="agent-first-message-hint"
                        >
                            {initial.first_message.clone()}
                        </textarea>
                        {move || match first_error.get() {
                            Some(m) => view! { <p id="agent-first-message-hint" role="alert" class="text-sm text-red-700">{m}</p> }.into_any(),
                            None => {
                                view! {
                                    <p id="agent-first-message-hint" class=HINT>
                                        "What the agent says when the call connects (if it speaks first). Leave empty to let the model open."
                                    </p>
                                }
                                    .into_any()
                            }
                        }}
                    </div>
                    <div class="space-y-2">
                        <h3 id="variables-heading" class="text-sm font-medium text-slate-700">"Variables"</h3>
                        {move || {
                            if vars.with(Vec::is_empty) {
                                view! {
                                    <p class=HINT>"None yet. Write {{customer_name}} in the prompt or first message to add one."</p>
                                }
                                    .into_any()
                            } else {
                                view! {
                                    <ul aria-label="Detected variables" class="flex flex-wrap gap-2">
                                        <For each=move || vars.get() key=|v| v.clone() let:v>
                                            <li class="inline-flex items-center rounded-full bg-indigo-50 px-2.5 py-1 font-mono text-xs font-medium text-indigo-700 ring-1 ring-inset ring-indigo-600/20">
                                                {format!("{{{{{v}}}}}")}
                                            </li>
                                        </For>
                                    </ul>
                                }
                                    .into_any()
                            }
                        }}
                    </div>
                </fieldset>
                <section aria-labelledby="preview-heading" class="space-y-4 rounded-xl bg-slate-50 p-4 ring-1 ring-inset ring-slate-200">
                    <div>
                        <h3 id="preview-heading" class="text-sm font-semibold text-slate-900">"Preview"</h3>
                        <p class=HINT>"Try sample values. They are only for this preview and are not saved."</p>
                    </div>
                    <div class="space-y-3">
                        <For each=move || vars.get() key=|v| v.clone() let:v>
                            {
                                let id = format!("sample-{v}");
                                let (v_in, v_val) = (v.clone(), v.clone());
                                view! {
                                    <div class="grid items-center gap-1.5 sm:grid-cols-[9rem_1fr]">
                                        <label for=id.clone() class="truncate font-mono text-xs font-medium text-slate-700">{v.clone()}</label>
                                        <input
                                            id=id
                                            type="text"
                                            autocomplete="off"
                                            placeholder=format!("Sample {v}")
                                            class=format!("{INPUT} py-1.5")
                                            prop:value=move || samples.with(|s| s.get(&v_val).cloned().unwrap_or_default())
                                            on:input=move |ev| {
                                                let value = event_target_value(&ev);
                                                samples.update(|s| {
                                                    s.insert(v_in.clone(), value);
                                                });
                                            }
                                        />
                                    </div>
                                }
                            }
                        </For>
                    </div>
                    <div aria-live="polite">
                        {move || {
                            let m = missing.get();
                            if vars.with(Vec::is_empty) {
                                ().into_any()
                            } else if m.is_empty() {
                                view! { <p class="text-sm font-medium text-emerald-700">"Every variable has a value."</p> }.into_any()
                            } else {
                                view! {
                                    <p class="text-sm font-medium text-amber-800" data-testid="preview-missing">
                                        {format!("Missing values: {}", m.join(", "))}
                                    </p>
                                }
                                    .into_any()
                            }
                        }}
                    </div>
                    <div class="space-y-1">
                        <h4 class="text-xs font-medium uppercase tracking-wide text-slate-500">"Prompt"</h4>
                        <div
                            data-testid="preview-prompt"
                            class="max-h-72 overflow-y-auto whitespace-pre-wrap break-words rounded-lg border border-slate-200 bg-white p-3 text-sm text-slate-800"
                        >
                            {move || match rendered_prompt() {
                                Some(t) if t.trim().is_empty() => view! { <span class="text-slate-400">"The prompt is empty."</span> }.into_any(),
                                Some(t) => t.into_any(),
                                None => view! { <span class="text-red-700">"Fix the prompt to see the preview."</span> }.into_any(),
                            }}
                        </div>
                    </div>
                    <div class="space-y-1">
                        <h4 class="text-xs font-medium uppercase tracking-wide text-slate-500">"First message"</h4>
                        <div
                            data-testid="preview-first-message"
                            class="whitespace-pre-wrap break-words rounded-lg border border-slate-200 bg-white p-3 text-sm text-slate-800"
                        >
                            {move || match rendered_first() {
                                Some(t) if t.trim().is_empty() => view! { <span class="text-slate-400">"No first message."</span> }.into_any(),
                                Some(t) => t.into_any(),
                                None => view! { <span class="text-red-700">"Fix the first message to see the preview."</span> }.into_any(),
                            }}
                        </div>
                    </div>
                </section>
            </div>
        </EditorSection>
    }
}
