//! `/voices`: the voice catalog, and the pieces the agent editor's voice picker shares with it:
//! [`VoiceFilterState`] + [`VoiceFilters`] (provider, language, gender, accent, text search) and
//! [`VoicePlayer`] (one `<audio>` element per page, so only one preview plays at a time) with its
//! [`PlayButton`].
//!
//! Without JavaScript the filters are a plain GET form on `/voices` (the page reads its query);
//! with it they apply as the user changes them (the search box after a short pause).

use crate::model::{AppError, VoiceFacets, VoiceFilter, VoiceView};
use crate::server_fns::agents::{list_voices, voice_facets};
use crate::ui::components::icons::{Icon, IconKind};
use crate::ui::components::{Alert, Card, PageHeader, SECONDARY_BUTTON, SELECT_CLASS};
use crate::ui::layout::{with_project, LoadingPanel};
use crate::ui::util::write_clipboard;
use leptos::html::Audio;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use std::time::Duration;

/// A readable name for the common BCP 47 tags of the catalog; the tag itself otherwise.
pub fn language_label(tag: &str) -> String {
    let name = match tag {
        "en" => "English",
        "en-US" => "English (US)",
        "en-GB" => "English (UK)",
        "en-AU" => "English (Australia)",
        "en-IN" => "English (India)",
        "en-IE" => "English (Ireland)",
        "en-CA" => "English (Canada)",
        "es" => "Spanish",
        "es-ES" => "Spanish (Spain)",
        "es-MX" => "Spanish (Mexico)",
        "es-US" => "Spanish (US)",
        "fr" => "French",
        "fr-FR" => "French (France)",
        "fr-CA" => "French (Canada)",
        "de" => "German",
        "de-DE" => "German",
        "it" | "it-IT" => "Italian",
        "pt-BR" => "Portuguese (Brazil)",
        "pt-PT" => "Portuguese (Portugal)",
        "nl" | "nl-NL" => "Dutch",
        "ja" | "ja-JP" => "Japanese",
        "hi" | "hi-IN" => "Hindi",
        "zh-CN" => "Chinese (Mandarin)",
        "multi" => "Multilingual",
        _ => return tag.to_string(),
    };
    format!("{name} · {tag}")
}

/// A provider's own spelling (`elevenlabs` → `ElevenLabs`); unknown ones are capitalised.
pub fn provider_label(p: &str) -> String {
    match p {
        "elevenlabs" => "ElevenLabs".into(),
        "openai" => "OpenAI".into(),
        "azure" => "Azure".into(),
        "google" => "Google".into(),
        "deepgram" => "Deepgram".into(),
        "cartesia" => "Cartesia".into(),
        "twilio" => "Twilio".into(),
        other => capitalize(other),
    }
}

/// `female` → `Female`.
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn non_empty(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The filters of a voice list and the search box's text (which reaches the filter after a pause).
#[derive(Clone, Copy)]
pub struct VoiceFilterState {
    pub filter: RwSignal<VoiceFilter>,
    text: RwSignal<String>,
    generation: StoredValue<u64>,
}

impl VoiceFilterState {
    pub fn new(initial: VoiceFilter) -> Self {
        let text = RwSignal::new(initial.q.clone().unwrap_or_default());
        Self { filter: RwSignal::new(initial), text, generation: StoredValue::new(0) }
    }

    /// Filters from the page's query string (`?provider=…&language=…&gender=…&accent=…&q=…`).
    pub fn from_query() -> Self {
        let q = use_query_map();
        let get = |k: &str| q.with_untracked(|m| m.get(k)).and_then(non_empty);
        Self::new(VoiceFilter {
            provider: get("provider"),
            language: get("language"),
            gender: get("gender"),
            accent: get("accent"),
            q: get("q"),
        })
    }

    pub fn is_active(&self) -> bool {
        self.filter.with(|f| f != &VoiceFilter::default())
    }

    pub fn clear(&self) {
        self.generation.update_value(|g| *g += 1);
        self.text.set(String::new());
        self.filter.set(VoiceFilter::default());
    }

    /// The search box changed: apply it after 250 ms without further typing.
    fn type_search(&self, v: String) {
        self.text.set(v.clone());
        self.generation.update_value(|g| *g += 1);
        let g = self.generation.get_value();
        let this = *self;
        set_timeout(
            move || {
                if this.generation.try_get_value() == Some(g) {
                    let q = non_empty(v);
                    if this.filter.with_untracked(|f| f.q != q) {
                        this.filter.update(|f| f.q = q);
                    }
                }
            },
            Duration::from_millis(250),
        );
    }

    /// Applies the search box now (Enter).
    fn apply_search(&self) {
        self.generation.update_value(|g| *g += 1);
        let q = non_empty(self.text.get_untracked());
        if self.filter.with_untracked(|f| f.q != q) {
            self.filter.update(|f| f.q = q);
        }
    }
}

/// The voice filters: four selects filled from the catalog's facets and a search box.
///
/// `get_action` makes it a GET form to that page for use without JavaScript (the Voices page);
/// without it (the editor's picker, only shown after hydration) submitting just applies the search.
#[component]
pub fn VoiceFilters(
    state: VoiceFilterState,
    /// Prefix of the element ids, unique per page.
    id_prefix: &'static str,
    #[prop(optional)] get_action: Option<&'static str>,
) -> impl IntoView {
    let facets = Resource::new(|| (), |_| voice_facets());
    let filter = state.filter;
    let id = move |s: &str| format!("{id_prefix}-{s}");
    let select = move |label: &'static str,
                       name: &'static str,
                       values: Vec<String>,
                       current: fn(&VoiceFilter) -> Option<String>,
                       set: fn(&mut VoiceFilter, Option<String>),
                       display: fn(&str) -> String| {
        let select_id = id(name);
        view! {
            <div class="space-y-1.5">
                <label for=select_id.clone() class="block text-sm font-medium text-slate-700">{label}</label>
                <select
                    id=select_id
                    name=name
                    class=SELECT_CLASS
                    on:change=move |ev| {
                        let v = non_empty(event_target_value(&ev));
                        filter.update(|f| set(f, v));
                    }
                    prop:value=move || filter.with(current).unwrap_or_default()
                >
                    <option value="" selected=move || filter.with(current).is_none()>"Any"</option>
                    {values
                        .into_iter()
                        .map(|v| {
                            let text = display(&v);
                            let v2 = v.clone();
                            view! {
                                <option value=v.clone() selected=move || filter.with(current).as_deref() == Some(v2.as_str())>
                                    {text}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
        }
    };
    let search_id = id("q");
    view! {
        <form
            method="get"
            action=get_action
            role="search"
            aria-label="Voice filters"
            class="grid gap-4 sm:grid-cols-2 lg:grid-cols-[repeat(4,minmax(0,1fr))_minmax(0,1.5fr)]"
            on:submit=move |ev| {
                ev.prevent_default();
                state.apply_search();
            }
        >
            <Transition fallback=move || {
                view! { <p class="text-sm text-slate-500 sm:col-span-2 lg:col-span-4">"Loading filters…"</p> }
            }>
                {move || {
                    facets
                        .get()
                        .map(|r| {
                            let f: VoiceFacets = r.unwrap_or_default();
                            view! {
                                {select(
                                    "Provider",
                                    "provider",
                                    f.providers,
                                    |f| f.provider.clone(),
                                    |f, v| f.provider = v,
                                    provider_label,
                                )}
                                {select(
                                    "Language",
                                    "language",
                                    f.languages,
                                    |f| f.language.clone(),
                                    |f, v| f.language = v,
                                    language_label,
                                )}
                                {select("Gender", "gender", f.genders, |f| f.gender.clone(), |f, v| f.gender = v, capitalize)}
                                {select("Accent", "accent", f.accents, |f| f.accent.clone(), |f, v| f.accent = v, capitalize)}
                            }
                        })
                }}
            </Transition>
            <div class="space-y-1.5 sm:col-span-2 lg:col-span-1">
                <label for=search_id.clone() class="block text-sm font-medium text-slate-700">"Search voices"</label>
                <div class="flex gap-2">
                    <input
                        id=search_id
                        name="q"
                        type="search"
                        autocomplete="off"
                        placeholder="Name, style, use case…"
                        value=state.text.get_untracked()
                        prop:value=move || state.text.get()
                        on:input=move |ev| state.type_search(event_target_value(&ev))
                        class="block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 focus:outline-none focus-visible:border-indigo-500 focus-visible:ring-2 focus-visible:ring-indigo-500/40"
                    />
                    <button type="submit" class=SECONDARY_BUTTON>"Search"</button>
                </div>
            </div>
            {move || {
                state
                    .is_active()
                    .then(|| {
                        view! {
                            <div class="sm:col-span-2 lg:col-span-5">
                                <button
                                    type="button"
                                    class="text-sm font-medium text-indigo-600 hover:text-indigo-500 focus:outline-none focus-visible:rounded focus-visible:ring-2 focus-visible:ring-indigo-500"
                                    on:click=move |_| state.clear()
                                >
                                    "Clear filters"
                                </button>
                            </div>
                        }
                    })
            }}
        </form>
    }
}

/// One `<audio>` element shared by every play button of a page: starting a preview stops the
/// one playing.
#[derive(Clone, Copy)]
pub struct VoicePlayer {
    audio: NodeRef<Audio>,
    /// The voice whose preview is playing.
    playing: RwSignal<Option<String>>,
    error: RwSignal<Option<String>>,
}

impl VoicePlayer {
    pub fn new() -> Self {
        Self { audio: NodeRef::new(), playing: RwSignal::new(None), error: RwSignal::new(None) }
    }

    pub fn is_playing(&self, voice_id: &str) -> bool {
        self.playing.with(|p| p.as_deref() == Some(voice_id))
    }

    /// Plays `url` for `voice_id`, or pauses it when it is the one playing.
    pub fn toggle(&self, voice_id: &str, name: &str, url: &str) {
        let Some(audio) = self.audio.get_untracked() else { return };
        self.error.set(None);
        if self.playing.get_untracked().as_deref() == Some(voice_id) {
            let _ = audio.pause();
            self.playing.set(None);
            return;
        }
        audio.set_src(url);
        self.playing.set(Some(voice_id.to_string()));
        match audio.play() {
            Ok(promise) => {
                use leptos::wasm_bindgen::closure::Closure;
                use leptos::wasm_bindgen::JsValue;
                let this = *self;
                let (id, name) = (voice_id.to_string(), name.to_string());
                let failed = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
                    if this.playing.try_get_untracked().flatten().as_deref() == Some(id.as_str()) {
                        this.playing.set(None);
                        this.error.set(Some(format!("The preview of {name} could not be played.")));
                    }
                });
                let _ = promise.catch(&failed);
                failed.forget();
            }
            Err(_) => {
                self.playing.set(None);
                self.error.set(Some(format!("The preview of {name} could not be played.")));
            }
        }
    }

    /// Stops whatever plays (e.g. when the picker closes).
    pub fn stop(&self) {
        if let Some(audio) = self.audio.get_untracked() {
            let _ = audio.pause();
        }
        self.playing.set(None);
    }
}

impl Default for VoicePlayer {
    fn default() -> Self {
        Self::new()
    }
}

/// The shared `<audio>` element and the player's error. Render once per page.
#[component]
pub fn VoiceAudio(player: VoicePlayer) -> impl IntoView {
    let ended = move || {
        // A `pause` queued by switching to another voice arrives after the new one started;
        // only a paused element means nothing plays.
        if player.audio.get_untracked().is_some_and(|a| a.paused()) {
            player.playing.set(None);
        }
    };
    view! {
        <audio
            node_ref=player.audio
            preload="none"
            class="hidden"
            data-testid="voice-preview-audio"
            on:ended=move |_| player.playing.set(None)
            on:pause=move |_| ended()
        ></audio>
        {move || player.error.get().map(|m| view! { <Alert><p>{m}</p></Alert> })}
    }
}

/// A round play/pause button for one voice's preview.
#[component]
pub fn PlayButton(player: VoicePlayer, voice: VoiceView) -> impl IntoView {
    let VoiceView { voice_id, name, preview_url, .. } = voice;
    let playing = {
        let id = voice_id.clone();
        Memo::new(move |_| player.is_playing(&id))
    };
    let label = {
        let name = name.clone();
        move || {
            if playing.get() {
                format!("Pause preview of {name}")
            } else {
                format!("Play preview of {name}")
            }
        }
    };
    let disabled = preview_url.trim().is_empty();
    view! {
        <button
            type="button"
            aria-label=label
            aria-pressed=move || if playing.get() { "true" } else { "false" }
            disabled=disabled
            on:click=move |_| player.toggle(&voice_id, &name, &preview_url)
            class=move || {
                format!(
                    "inline-flex size-9 shrink-0 items-center justify-center rounded-full border shadow-xs focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 disabled:cursor-not-allowed disabled:opacity-50 {}",
                    if playing.get() {
                        "border-indigo-600 bg-indigo-600 text-white hover:bg-indigo-500"
                    } else {
                        "border-slate-300 bg-white text-slate-700 hover:bg-slate-50"
                    },
                )
            }
        >
            {move || {
                if playing.get() {
                    view! {
                        <svg class="size-4" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
                            <path d="M5.75 3a.75.75 0 0 0-.75.75v12.5c0 .41.34.75.75.75h2.5a.75.75 0 0 0 .75-.75V3.75A.75.75 0 0 0 8.25 3h-2.5ZM11.75 3a.75.75 0 0 0-.75.75v12.5c0 .41.34.75.75.75h2.5a.75.75 0 0 0 .75-.75V3.75a.75.75 0 0 0-.75-.75h-2.5Z"></path>
                        </svg>
                    }
                        .into_any()
                } else {
                    view! {
                        <svg class="ml-0.5 size-4" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
                            <path d="M6.3 2.84A1.5 1.5 0 0 0 4 4.11v11.78a1.5 1.5 0 0 0 2.3 1.27l9.34-5.89a1.5 1.5 0 0 0 0-2.54L6.3 2.84Z"></path>
                        </svg>
                    }
                        .into_any()
                }
            }}
        </button>
    }
}

/// The small grey facts under a voice's name: provider · language · accent · gender · age.
pub fn voice_facts(v: &VoiceView) -> String {
    let mut parts = vec![provider_label(&v.provider), language_label(&v.language)];
    for s in [&v.accent, &v.gender, &v.age] {
        if !s.trim().is_empty() {
            parts.push(capitalize(s));
        }
    }
    parts.join(" · ")
}

#[component]
pub fn VoicesPage() -> impl IntoView {
    view! {
        <Title text="Voices · Talkdeck"/>
        <PageHeader title="Voices" description="Speech voices your agents can use. Listen to a preview before you pick one."/>
        {with_project(move |_| view! { <VoiceCatalog/> }.into_any())}
    }
}

#[component]
fn VoiceCatalog() -> impl IntoView {
    let state = VoiceFilterState::from_query();
    let voices = Resource::new(move || state.filter.get(), list_voices);
    let player = VoicePlayer::new();
    view! {
        <div class="space-y-6">
            <Card>
                <VoiceFilters state=state id_prefix="voices" get_action="/voices"/>
            </Card>
            <VoiceAudio player=player/>
            <Transition fallback=|| view! { <LoadingPanel label="Loading voices…"/> }>
                {move || voices.get().map(|r| view! { <VoiceGrid result=r state=state player=player/> })}
            </Transition>
        </div>
    }
}

#[component]
fn VoiceGrid(result: Result<Vec<VoiceView>, AppError>, state: VoiceFilterState, player: VoicePlayer) -> impl IntoView {
    match result {
        Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
        Ok(list) if list.is_empty() => view! { <NoVoiceMatches state=state/> }.into_any(),
        Ok(list) => {
            let count = list.len();
            view! {
                <p class="text-sm text-slate-600" aria-live="polite">
                    {if count == 1 { "1 voice".to_string() } else { format!("{count} voices") }}
                </p>
                <ul class="grid gap-4 sm:grid-cols-2 xl:grid-cols-3" aria-label="Voices">
                    {list.into_iter().map(|v| view! { <VoiceCard voice=v player=player/> }).collect_view()}
                </ul>
            }
            .into_any()
        }
    }
}

/// "No voice matches these filters" with a way out.
#[component]
pub fn NoVoiceMatches(state: VoiceFilterState) -> impl IntoView {
    view! {
        <div class="flex flex-col items-center rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center">
            <div class="flex size-12 items-center justify-center rounded-full bg-indigo-50 text-indigo-600" aria-hidden="true">
                <Icon kind=IconKind::Voices class="size-6"/>
            </div>
            <h2 class="mt-4 text-base font-semibold text-slate-900">"No voice matches these filters"</h2>
            <p class="mt-1 max-w-md text-sm text-slate-600">"Try another language or accent, or search for a different word."</p>
            // A link without JavaScript, a button with it.
            <a
                href="/voices"
                class=format!("mt-5 {SECONDARY_BUTTON}")
                on:click=move |ev| {
                    ev.prevent_default();
                    state.clear();
                }
            >
                "Clear filters"
            </a>
        </div>
    }
}

#[component]
fn VoiceCard(voice: VoiceView, player: VoicePlayer) -> impl IntoView {
    let copied = RwSignal::new(false);
    let id_for_copy = voice.voice_id.clone();
    let heading_id = format!("voice-{}", voice.voice_id);
    let labelledby = heading_id.clone();
    let facts = voice_facts(&voice);
    view! {
        <li
            aria-labelledby=labelledby
            class="flex flex-col gap-3 rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
        >
            <div class="flex items-start gap-3">
                <PlayButton player=player voice=voice.clone()/>
                <div class="min-w-0 flex-1">
                    <h2 id=heading_id class="truncate text-base font-semibold text-slate-900">{voice.name.clone()}</h2>
                    <p class="text-xs text-slate-500">{facts}</p>
                </div>
            </div>
            {(!voice.description.trim().is_empty())
                .then(|| view! { <p class="text-sm text-slate-700">{voice.description.clone()}</p> })}
            {(!voice.use_case.trim().is_empty())
                .then(|| {
                    view! {
                        <p>
                            <span class="inline-flex rounded-full bg-indigo-50 px-2.5 py-0.5 text-xs font-medium text-indigo-700">
                                {capitalize(&voice.use_case)}
                            </span>
                        </p>
                    }
                })}
            <div class="mt-auto flex items-center gap-2 border-t border-slate-100 pt-3">
                <span class="text-xs text-slate-500">"Voice ID"</span>
                <code class="min-w-0 flex-1 truncate rounded bg-slate-50 px-1.5 py-0.5 font-mono text-xs text-slate-700">
                    {voice.voice_id.clone()}
                </code>
                <button
                    type="button"
                    class="rounded px-1.5 py-0.5 text-xs font-medium text-indigo-600 hover:text-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
                    aria-label=format!("Copy voice ID of {}", voice.name)
                    on:click=move |_| {
                        if write_clipboard(&id_for_copy) {
                            copied.set(true);
                            set_timeout(
                                move || {
                                    let _ = copied.try_set(false);
                                },
                                Duration::from_secs(2),
                            );
                        }
                    }
                >
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </div>
        </li>
    }
}
