//! The editor's Calling settings: the direction (the same draft value as in Basics) and which of
//! the project's numbers the agent uses, saved together through `set_agent_calling`. An inbound
//! number answers for one agent only; the server refuses a second one (409) and its message is
//! shown here.

use super::direction_label;
use super::editor::{Editor, EditorSection, CHECKBOX, HINT};
use crate::model::{Direction, PhoneNumberView};
use crate::server_fns::agents::{list_numbers, SetAgentCalling};
use crate::ui::components::{on_action_ok, Alert, FormError, ServerErrors, Status, SECONDARY_BUTTON};
use crate::ui::pages::TEXT_LINK;
use leptos::prelude::*;

#[component]
pub(super) fn CallingSection(ed: Editor, project_id: String) -> impl IntoView {
    let numbers = Resource::new(move || project_id.clone(), list_numbers);
    let save = ServerAction::<SetAgentCalling>::new();
    let chosen = RwSignal::new(ed.saved.with_untracked(|s| s.phone_numbers.iter().map(|n| n.id.clone()).collect::<Vec<_>>()));
    let saved_ok = RwSignal::new(false);
    on_action_ok(save, move |view| {
        ed.saved.set(view.clone());
        chosen.set(view.phone_numbers.iter().map(|n| n.id.clone()).collect());
        saved_ok.set(true);
    });
    let dirty = Memo::new(move |_| {
        let mut a = chosen.get();
        a.sort();
        let (mut b, dir) = ed.saved.with(|s| (s.phone_numbers.iter().map(|n| n.id.clone()).collect::<Vec<_>>(), s.direction));
        b.sort();
        a != b || ed.draft.with(|d| d.direction) != dir
    });
    Effect::new(move |_| {
        if dirty.get() {
            saved_ok.set(false);
        }
    });
    let agent_id = ed.agent_id;
    let submit = move |_| {
        save.dispatch(SetAgentCalling {
            agent_id: agent_id.get_value(),
            direction: ed.draft.with_untracked(|d| d.direction.as_str().to_string()),
            phone_number_ids: chosen.get_untracked(),
        });
    };
    let server = ServerErrors::of(save);

    view! {
        <EditorSection
            id="calling"
            title="Calling settings"
            description="Whether the agent answers or places calls, and on which of the project's numbers."
        >
            <div class="space-y-5">
                <fieldset disabled=move || !ed.can_edit.get()>
                    <legend class="text-sm font-medium text-slate-700">"Call direction"</legend>
                    <div class="mt-2 grid gap-3 sm:grid-cols-2">
                        {Direction::ALL
                            .iter()
                            .map(|d| {
                                let d = *d;
                                let id = format!("calling-direction-{}", d.as_str());
                                let label_for = id.clone();
                                let text = match d {
                                    Direction::Inbound => "Answers calls to the numbers below.",
                                    Direction::Outbound => "Places calls from the numbers below.",
                                };
                                view! {
                                    <label
                                        for=label_for
                                        class="flex cursor-pointer items-start gap-3 rounded-lg border border-slate-200 p-3 has-[:checked]:border-indigo-500 has-[:checked]:bg-indigo-50/50"
                                    >
                                        <input
                                            id=id
                                            type="radio"
                                            name="calling-direction"
                                            value=d.as_str()
                                            class="mt-0.5 size-4 border-slate-300 text-indigo-600 focus-visible:ring-2 focus-visible:ring-indigo-500"
                                            checked=ed.draft.with_untracked(|x| x.direction == d)
                                            prop:checked=move || ed.draft.with(|x| x.direction == d)
                                            on:change=move |_| ed.edit(|x| x.direction = d)
                                        />
                                        <span>
                                            <span class="block text-sm font-medium text-slate-900">{direction_label(d)}</span>
                                            <span class="block text-sm text-slate-600">{text}</span>
                                        </span>
                                    </label>
                                }
                            })
                            .collect_view()}
                    </div>
                </fieldset>
                <Transition fallback=|| view! { <p class=HINT>"Loading numbers…"</p> }>
                    {move || {
                        numbers
                            .get()
                            .map(|r| match r {
                                Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                                Ok(list) if list.is_empty() => {
                                    view! {
                                        <p class="rounded-lg border border-dashed border-slate-300 px-4 py-5 text-sm text-slate-600">
                                            "This project has no phone numbers yet. "
                                            <a href="/phone-numbers" class=TEXT_LINK>"Add one on Phone numbers"</a>
                                            ", then choose it here."
                                        </p>
                                    }
                                        .into_any()
                                }
                                Ok(list) => view! { <NumberChoices numbers=list ed=ed chosen=chosen/> }.into_any(),
                            })
                    }}
                </Transition>
                <FormError error=server.error()/>
                <div class="flex flex-wrap items-center justify-end gap-3">
                    <div class="mr-auto text-sm" aria-live="polite">
                        {move || {
                            if saved_ok.get() {
                                view! { <Status><p>"Calling settings saved."</p></Status> }.into_any()
                            } else if dirty.get() {
                                view! { <span class="font-medium text-amber-700">"Calling settings not saved yet"</span> }.into_any()
                            } else {
                                ().into_any()
                            }
                        }}
                    </div>
                    {move || {
                        ed.can_edit
                            .get()
                            .then(|| {
                                view! {
                                    <button type="button" class=SECONDARY_BUTTON disabled=move || save.pending().get() on:click=submit>
                                        {move || if save.pending().get() { "Saving…" } else { "Save calling settings" }}
                                    </button>
                                }
                            })
                    }}
                </div>
                <div>
                    <h3 id="agent-numbers-heading" class="text-sm font-medium text-slate-700">"Numbers this agent uses"</h3>
                    {move || {
                        let list = ed.saved.with(|s| s.phone_numbers.clone());
                        if list.is_empty() {
                            view! { <p class="mt-1 text-sm text-slate-500">"None yet."</p> }.into_any()
                        } else {
                            view! {
                                <ul aria-labelledby="agent-numbers-heading" class="mt-2 flex flex-wrap gap-2">
                                    {list
                                        .into_iter()
                                        .map(|n| {
                                            view! {
                                                <li class="rounded-lg bg-slate-100 px-3 py-1.5 text-sm text-slate-800">
                                                    <span class="font-mono font-medium">{n.number.clone()}</span>
                                                    <span class="ml-2 text-slate-600">{n.formatted_number.clone()}</span>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                    }}
                </div>
            </div>
        </EditorSection>
    }
}

#[component]
fn NumberChoices(numbers: Vec<PhoneNumberView>, ed: Editor, chosen: RwSignal<Vec<String>>) -> impl IntoView {
    let me = ed.agent_id.get_value();
    view! {
        <fieldset disabled=move || !ed.can_edit.get()>
            <legend class="text-sm font-medium text-slate-700">"Phone numbers"</legend>
            <ul class="mt-2 divide-y divide-slate-100 rounded-lg border border-slate-200">
                {numbers
                    .into_iter()
                    .map(|n| {
                        let id = format!("calling-number-{}", n.id);
                        let nid = n.id.clone();
                        let nid2 = n.id.clone();
                        // Another inbound agent answering this number.
                        let answered_by = n
                            .agents
                            .iter()
                            .find(|a| a.id != me && a.direction == Direction::Inbound)
                            .map(|a| a.name.clone());
                        let others: Vec<String> = n.agents.iter().filter(|a| a.id != me).map(|a| a.name.clone()).collect();
                        let note = match (&answered_by, others.is_empty()) {
                            (Some(a), _) => Some(format!("Answered by {a}: an inbound agent cannot share it.")),
                            (None, false) => Some(format!("Also used by {}.", others.join(", "))),
                            (None, true) => None,
                        };
                        view! {
                            <li class="flex items-start gap-3 px-3 py-2.5">
                                <input
                                    id=id.clone()
                                    type="checkbox"
                                    class=format!("mt-0.5 {CHECKBOX}")
                                    checked=chosen.with_untracked(|c| c.contains(&nid))
                                    prop:checked=move || chosen.with(|c| c.contains(&nid))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|c| {
                                            c.retain(|x| x != &nid2);
                                            if on {
                                                c.push(nid2.clone());
                                            }
                                        });
                                    }
                                />
                                <label for=id class="min-w-0 flex-1 cursor-pointer text-sm">
                                    <span class="font-mono font-medium text-slate-900">{n.number.clone()}</span>
                                    <span class="ml-2 text-slate-600">{n.formatted_number.clone()}</span>
                                    {(!n.label.is_empty()).then(|| view! { <span class="ml-2 text-slate-500">{format!("· {}", n.label)}</span> })}
                                    {note.map(|t| view! { <span class="block text-xs text-slate-500">{t}</span> })}
                                </label>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </fieldset>
    }
}
