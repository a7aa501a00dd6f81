//! The editor's Voice section: the chosen voice with its preview, and a picker that filters the
//! catalog with the same [`VoiceFilters`] as the Voices page and plays previews through one
//! shared [`VoicePlayer`]. Below the chosen voice, the voice Twilio calls speak with instead
//! (Twilio's `<Say>` has only Polly and Google voices; see [`crate::model::twilio`]), following
//! the chosen voice and the agent's language as they are edited.

use super::editor::{Editor, EditorSection, HINT};
use crate::model::twilio::say_voice;
use crate::model::{VoiceFilter, VoiceView};
use crate::server_fns::agents::list_voices;
use crate::ui::components::{Alert, SECONDARY_BUTTON};
use crate::ui::pages::voices::{voice_facts, PlayButton, VoiceAudio, VoiceFilterState, VoiceFilters, VoicePlayer};
use leptos::html::Button;
use leptos::prelude::*;

#[component]
pub(super) fn VoiceSection(ed: Editor) -> impl IntoView {
    let player = VoicePlayer::new();
    let open = RwSignal::new(false);
    let toggle = NodeRef::<Button>::new();
    // The whole catalog, to show the chosen voice's details.
    let catalog = Resource::new(|| (), |_| list_voices(VoiceFilter::default()));
    let voice_id = Memo::new(move |_| ed.draft.with(|d| d.voice_id.clone()));
    let error = ed.error(&["voice_id", "voiceId", "voice"]);
    let choose = Callback::new(move |id: String| {
        ed.edit(|d| d.voice_id = Some(id));
        open.set(false);
        if let Some(b) = toggle.get_untracked() {
            let _ = b.focus();
        }
    });

    view! {
        <EditorSection id="voice" title="Voice" description="How the agent sounds. Listen to previews before you choose.">
            <VoiceAudio player=player/>
            <div class="flex flex-col gap-4 sm:flex-row sm:items-center">
                <div class="min-w-0 flex-1" data-testid="current-voice">
                    <Transition fallback=|| view! { <p class=HINT>"Loading voice…"</p> }>
                        {move || {
                            let id = voice_id.get();
                            let list = catalog.get().and_then(Result::ok).unwrap_or_default();
                            match id {
                                None => view! { <p class="text-sm text-slate-600">"No voice chosen."</p> }.into_any(),
                                Some(id) => {
                                    match list.into_iter().find(|v| v.voice_id == id) {
                                        Some(v) => {
                                            let facts = voice_facts(&v);
                                            view! {
                                                <div class="flex items-center gap-3">
                                                    <PlayButton player=player voice=v.clone()/>
                                                    <div class="min-w-0">
                                                        <p class="font-medium text-slate-900">
                                                            <span class="sr-only">"Current voice: "</span>
                                                            {v.name.clone()}
                                                        </p>
                                                        <p class="truncate text-xs text-slate-500">{facts}</p>
                                                    </div>
                                                </div>
                                            }
                                                .into_any()
                                        }
                                        None => {
                                            let name = ed.saved.with(|s| (s.voice_id.as_deref() == Some(id.as_str())).then(|| s.voice_name.clone()).flatten());
                                            view! {
                                                <p class="text-sm text-slate-900">
                                                    <span class="sr-only">"Current voice: "</span>
                                                    <span class="font-medium">{name.unwrap_or_else(|| id.clone())}</span>
                                                    <span class="ml-2 font-mono text-xs text-slate-500">{id.clone()}</span>
                                                </p>
                                            }
                                                .into_any()
                                        }
                                    }
                                }
                            }
                        }}
                        {move || {
                            let list = catalog.get().and_then(Result::ok).unwrap_or_default();
                            let voice = voice_id.get().and_then(|id| list.into_iter().find(|v| v.voice_id == id));
                            let say = ed.draft.with(|d| twilio_voice(voice.as_ref(), &d.language));
                            view! {
                                <p class="mt-2 text-xs text-slate-500" data-testid="twilio-voice">
                                    "On Twilio calls the agent speaks with "
                                    <span class="font-mono">{say}</span>
                                </p>
                            }
                        }}
                    </Transition>
                    {move || error.get().map(|m| view! { <p role="alert" class="mt-1 text-sm text-red-700">{m}</p> })}
                </div>
                <button
                    type="button"
                    node_ref=toggle
                    class=SECONDARY_BUTTON
                    aria-expanded=move || if open.get() { "true" } else { "false" }
                    aria-controls="voice-picker"
                    disabled=move || !ed.can_edit.get()
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    {move || if open.get() { "Close voice picker" } else { "Choose voice" }}
                </button>
            </div>
            <Show when=move || open.get()>
                <VoicePicker player=player selected=voice_id choose=choose close=Callback::new(move |_| open.set(false))/>
            </Show>
        </EditorSection>
    }
}

/// The `<Say>` voice of a Twilio call for the chosen voice (`None`: no voice, or one missing
/// from the catalog, whose provider is unknown) and the agent's language.
fn twilio_voice(voice: Option<&VoiceView>, language: &str) -> String {
    match voice {
        Some(v) => say_voice(Some(&v.provider), Some(&v.voice_id), Some(&v.gender), language),
        None => say_voice(None, None, None, language),
    }
}

#[component]
fn VoicePicker(player: VoicePlayer, selected: Memo<Option<String>>, choose: Callback<String>, close: Callback<()>) -> impl IntoView {
    let state = VoiceFilterState::new(VoiceFilter::default());
    let voices = Resource::new(move || state.filter.get(), list_voices);
    view! {
        <section
            id="voice-picker"
            aria-label="Voice picker"
            class="mt-5 space-y-4 rounded-xl bg-slate-50 p-4 ring-1 ring-inset ring-slate-200"
            on:keydown=move |e| {
                if e.key() == "Escape" {
                    e.prevent_default();
                    close.run(());
                }
            }
        >
            <VoiceFilters state=state id_prefix="picker"/>
            <Transition fallback=|| view! { <p class=HINT>"Loading voices…"</p> }>
                {move || {
                    voices
                        .get()
                        .map(|r| match r {
                            Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                            Ok(list) if list.is_empty() => {
                                view! {
                                    <div class="rounded-lg border border-dashed border-slate-300 bg-white px-4 py-8 text-center">
                                        <p class="text-sm font-medium text-slate-900">"No voice matches these filters"</p>
                                        <button
                                            type="button"
                                            class=format!("mt-3 {SECONDARY_BUTTON}")
                                            on:click=move |_| state.clear()
                                        >
                                            "Clear filters"
                                        </button>
                                    </div>
                                }
                                    .into_any()
                            }
                            Ok(list) => {
                                view! {
                                    <ul aria-label="Matching voices" class="max-h-[28rem] divide-y divide-slate-200 overflow-y-auto rounded-lg border border-slate-200 bg-white">
                                        {list
                                            .into_iter()
                                            .map(|v| view! { <PickerRow voice=v player=player selected=selected choose=choose/> })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn PickerRow(voice: VoiceView, player: VoicePlayer, selected: Memo<Option<String>>, choose: Callback<String>) -> impl IntoView {
    let id = voice.voice_id.clone();
    let is_selected = {
        let id = id.clone();
        Memo::new(move |_| selected.with(|s| s.as_deref() == Some(id.as_str())))
    };
    let facts = voice_facts(&voice);
    let name = voice.name.clone();
    view! {
        <li class="flex items-start gap-3 p-3">
            <PlayButton player=player voice=voice.clone()/>
            <div class="min-w-0 flex-1">
                <p class="font-medium text-slate-900">{voice.name.clone()}</p>
                <p class="text-xs text-slate-500">{facts}</p>
                {(!voice.description.trim().is_empty()).then(|| view! { <p class="mt-1 text-sm text-slate-600">{voice.description.clone()}</p> })}
            </div>
            <button
                type="button"
                aria-label=format!("Use {name}")
                aria-pressed=move || if is_selected.get() { "true" } else { "false" }
                on:click=move |_| choose.run(id.clone())
                class=move || {
                    if is_selected.get() {
                        "inline-flex shrink-0 items-center rounded-lg bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white shadow-xs focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2"
                    } else {
                        SECONDARY_BUTTON
                    }
                }
            >
                {move || if is_selected.get() { "Selected" } else { "Use" }}
            </button>
        </li>
    }
}
