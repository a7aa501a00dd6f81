//! The editor's Analysis section: call summary on/off, success criteria and typed custom
//! questions (Boolean, Text, Number, Selector with its options).
//!
//! Rows are keyed by position and every input reads its value from the draft, so removing a row
//! shifts the values without rebuilding the inputs being typed in (focus stays put).

use super::editor::{Editor, EditorSection, CHECKBOX, HINT, INPUT, LABEL};
use crate::model::{CustomQuestion, QuestionKind};
use crate::ui::components::icons::{Icon, IconKind};
use crate::ui::components::{Alert, SECONDARY_BUTTON, SELECT_CLASS};
use leptos::prelude::*;

fn kind_label(k: QuestionKind) -> &'static str {
    match k {
        QuestionKind::Boolean => "Yes / no",
        QuestionKind::Text => "Text",
        QuestionKind::Number => "Number",
        QuestionKind::Selector => "One of a list",
    }
}

const ICON_BUTTON: &str = "inline-flex size-8 shrink-0 items-center justify-center rounded-lg text-slate-400 hover:bg-slate-100 hover:text-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500";

#[component]
pub(super) fn AnalysisSection(ed: Editor) -> impl IntoView {
    let initial = ed.draft.get_untracked();
    let count = Memo::new(move |_| ed.draft.with(|d| d.analysis.questions.len()));
    let problems = ed.errors_with_prefix("analysis");
    let criteria_error = ed.error(&["success_criteria", "analysis.success_criteria"]);
    view! {
        <EditorSection
            id="analysis"
            title="Analysis"
            description="What Talkdeck extracts from each call once it ends."
        >
            <fieldset disabled=move || !ed.can_edit.get() class="space-y-5">
                <div class="flex items-start gap-3">
                    <input
                        id="analysis-summary"
                        type="checkbox"
                        class=format!("mt-0.5 {CHECKBOX}")
                        checked=initial.analysis.summary
                        prop:checked=move || ed.draft.with(|d| d.analysis.summary)
                        on:change=move |ev| ed.edit(|d| d.analysis.summary = event_target_checked(&ev))
                    />
                    <div>
                        <label for="analysis-summary" class=LABEL>"Write a call summary"</label>
                        <p class=HINT>"A few sentences on what was said and agreed, with the caller's sentiment."</p>
                    </div>
                </div>
                <div class="space-y-1.5">
                    <label for="analysis-success" class=LABEL>"Success criteria"</label>
                    <textarea
                        id="analysis-success"
                        rows="3"
                        class=INPUT
                        placeholder="The caller confirmed or rescheduled the appointment."
                        prop:value=move || ed.draft.with(|d| d.analysis.success_criteria.clone())
                        on:input=move |ev| ed.edit(|d| d.analysis.success_criteria = event_target_value(&ev))
                        aria-invalid=move || criteria_error.with(Option::is_some).then_some("true")
                        aria-describedby="analysis-success-hint"
                    >
                        {initial.analysis.success_criteria.clone()}
                    </textarea>
                    {move || match criteria_error.get() {
                        Some(m) => view! { <p id="analysis-success-hint" role="alert" class="text-sm text-red-700">{m}</p> }.into_any(),
                        None => view! { <p id="analysis-success-hint" class=HINT>"When is a call a success? The analysis marks each call against this."</p> }.into_any(),
                    }}
                </div>
                <div class="space-y-3">
                    <h3 class="text-sm font-medium text-slate-700">"Custom questions"</h3>
                    {move || {
                        (count.get() == 0)
                            .then(|| view! { <p class=HINT>"None yet. Ask for what you need from every call, like “Did the caller agree to a follow-up?”."</p> })
                    }}
                    <ol class="space-y-3">
                        <For each=move || 0..count.get() key=|i| *i let:i>
                            <QuestionRow ed=ed index=i/>
                        </For>
                    </ol>
                    {move || {
                        let p = problems.get();
                        (!p.is_empty()).then(|| view! { <Alert>{p.into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}</Alert> })
                    }}
                    <button
                        type="button"
                        class=SECONDARY_BUTTON
                        on:click=move |_| ed.edit(|d| d.analysis.questions.push(CustomQuestion::default()))
                    >
                        <Icon kind=IconKind::Plus class="size-4"/>
                        "Add question"
                    </button>
                </div>
            </fieldset>
        </EditorSection>
    }
}

#[component]
fn QuestionRow(ed: Editor, index: usize) -> impl IntoView {
    let i = index;
    let n = i + 1;
    let kind = Memo::new(move |_| ed.draft.with(|d| d.analysis.questions.get(i).map(|q| q.kind).unwrap_or_default()));
    let options = Memo::new(move |_| ed.draft.with(|d| d.analysis.questions.get(i).map(|q| q.options.len()).unwrap_or(0)));
    let text_id = format!("question-{i}-text");
    let kind_id = format!("question-{i}-kind");
    view! {
        <li class="rounded-lg border border-slate-200 p-4">
            <fieldset class="space-y-3">
                <legend class="sr-only">{format!("Question {n}")}</legend>
                <div class="flex items-start gap-3">
                    <div class="grid flex-1 gap-3 sm:grid-cols-[1fr_11rem]">
                        <div class="space-y-1.5">
                            <label for=text_id.clone() class=LABEL>{format!("Question {n}")}</label>
                            <input
                                id=text_id
                                type="text"
                                autocomplete="off"
                                class=INPUT
                                placeholder="Did the caller agree to a follow-up?"
                                value=ed.draft.with_untracked(|d| d.analysis.questions.get(i).map(|q| q.question.clone()).unwrap_or_default())
                                prop:value=move || ed.draft.with(|d| d.analysis.questions.get(i).map(|q| q.question.clone()).unwrap_or_default())
                                on:input=move |ev| {
                                    let v = event_target_value(&ev);
                                    ed.edit(|d| {
                                        if let Some(q) = d.analysis.questions.get_mut(i) {
                                            q.question = v;
                                        }
                                    })
                                }
                            />
                        </div>
                        <div class="space-y-1.5">
                            <label for=kind_id.clone() class=LABEL>"Answer type"</label>
                            <select
                                id=kind_id
                                class=SELECT_CLASS
                                prop:value=move || kind.get().as_str()
                                on:change=move |ev| {
                                    if let Some(k) = QuestionKind::parse(&event_target_value(&ev)) {
                                        ed.edit(|d| {
                                            if let Some(q) = d.analysis.questions.get_mut(i) {
                                                q.kind = k;
                                                if k == QuestionKind::Selector && q.options.is_empty() {
                                                    q.options = vec![String::new(), String::new()];
                                                }
                                            }
                                        })
                                    }
                                }
                            >
                                {QuestionKind::ALL
                                    .iter()
                                    .map(|k| {
                                        let k = *k;
                                        view! { <option value=k.as_str() selected=move || kind.get() == k>{kind_label(k)}</option> }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                    </div>
                    <button
                        type="button"
                        class=format!("{ICON_BUTTON} mt-7")
                        aria-label=format!("Remove question {n}")
                        on:click=move |_| {
                            ed.edit(|d| {
                                if i < d.analysis.questions.len() {
                                    d.analysis.questions.remove(i);
                                }
                            })
                        }
                    >
                        <Icon kind=IconKind::Close class="size-4"/>
                    </button>
                </div>
                <Show when=move || kind.get() == QuestionKind::Selector>
                    <div class="space-y-2 border-l-2 border-indigo-100 pl-4">
                        <p class="text-sm font-medium text-slate-700">"Options"</p>
                        <ul class="space-y-2">
                            <For each=move || 0..options.get() key=|j| *j let:j>
                                <li class="flex items-center gap-2">
                                    <input
                                        type="text"
                                        autocomplete="off"
                                        aria-label=format!("Option {} of question {n}", j + 1)
                                        placeholder=format!("Option {}", j + 1)
                                        class=format!("{INPUT} py-1.5")
                                        value=ed
                                            .draft
                                            .with_untracked(|d| {
                                                d.analysis.questions.get(i).and_then(|q| q.options.get(j)).cloned().unwrap_or_default()
                                            })
                                        prop:value=move || {
                                            ed.draft.with(|d| {
                                                d.analysis.questions.get(i).and_then(|q| q.options.get(j)).cloned().unwrap_or_default()
                                            })
                                        }
                                        on:input=move |ev| {
                                            let v = event_target_value(&ev);
                                            ed.edit(|d| {
                                                if let Some(o) = d.analysis.questions.get_mut(i).and_then(|q| q.options.get_mut(j)) {
                                                    *o = v;
                                                }
                                            })
                                        }
                                    />
                                    <button
                                        type="button"
                                        class=ICON_BUTTON
                                        aria-label=format!("Remove option {} of question {n}", j + 1)
                                        on:click=move |_| {
                                            ed.edit(|d| {
                                                if let Some(q) = d.analysis.questions.get_mut(i) {
                                                    if j < q.options.len() {
                                                        q.options.remove(j);
                                                    }
                                                }
                                            })
                                        }
                                    >
                                        <Icon kind=IconKind::Close class="size-4"/>
                                    </button>
                                </li>
                            </For>
                        </ul>
                        <button
                            type="button"
                            class="text-sm font-medium text-indigo-600 hover:text-indigo-500 focus:outline-none focus-visible:rounded focus-visible:ring-2 focus-visible:ring-indigo-500"
                            on:click=move |_| {
                                ed.edit(|d| {
                                    if let Some(q) = d.analysis.questions.get_mut(i) {
                                        q.options.push(String::new());
                                    }
                                })
                            }
                        >
                            {format!("+ Add option to question {n}")}
                        </button>
                    </div>
                </Show>
            </fieldset>
        </li>
    }
}
