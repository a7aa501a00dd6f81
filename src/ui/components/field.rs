//! Form fields: [`TextField`] renders a labelled input with its hint and error; [`FieldState`] holds
//! the client-side state (DOM handle, inline error) and merges in the server's field errors.

use crate::model::AppError;
use leptos::html::Input;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The latest server error of an action and a counter that moves with every result, so a field
/// can hide a server error once the user edits it and show the next one again.
#[derive(Clone, Copy)]
pub struct ServerErrors {
    error: Signal<Option<AppError>>,
    version: Signal<usize>,
}

impl ServerErrors {
    pub fn of<S>(action: ServerAction<S>) -> Self
    where
        S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Send + Sync + 'static,
    {
        let error = Signal::derive(move || {
            action.value().with(|v| match v {
                Some(Err(e)) => Some(e.clone()),
                _ => None,
            })
        });
        let version = action.version();
        Self { error, version: Signal::derive(move || version.get()) }
    }

    /// The error of the latest result, if it failed.
    pub fn error(&self) -> Signal<Option<AppError>> {
        self.error
    }
}

/// The successful output of the latest result of an action.
/// The action's success value, or — after a plain form post without JS, which the server answers
/// by redirecting to the page with `?{flag}=1` — `fallback`.
pub fn action_ok_or_flag<S>(action: ServerAction<S>, flag: &'static str, fallback: S::Output) -> Signal<Option<S::Output>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let query = leptos_router::hooks::use_query_map();
    let ok = action_ok(action);
    Signal::derive(move || ok.get().or_else(|| query.with(|q| q.get(flag).is_some()).then(|| fallback.clone())))
}

pub fn action_ok<S>(action: ServerAction<S>) -> Signal<Option<S::Output>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || {
        action.value().with(|v| match v {
            Some(Ok(out)) => Some(out.clone()),
            _ => None,
        })
    })
}

/// Client-side state of one input.
#[derive(Clone, Copy)]
pub struct FieldState {
    /// The input's `name`, equal to the server function argument.
    pub name: &'static str,
    pub node: NodeRef<Input>,
    client_error: RwSignal<Option<String>>,
    /// The server result version whose error for this field the user has since edited away.
    dismissed_at: RwSignal<Option<usize>>,
    server: ServerErrors,
    validate: Callback<String, Option<String>>,
}

impl FieldState {
    pub fn new(name: &'static str, server: ServerErrors, validate: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self {
            name,
            node: NodeRef::new(),
            client_error: RwSignal::new(None),
            dismissed_at: RwSignal::new(None),
            server,
            validate: Callback::new(move |v: String| validate(&v)),
        }
    }

    /// The input's current value ("" before the element exists, e.g. on the server).
    pub fn value(&self) -> String {
        self.node.get_untracked().map(|el| el.value()).unwrap_or_default()
    }

    /// Runs the check now and shows its result; true when the value is acceptable.
    pub fn check(&self) -> bool {
        let err = self.validate.run(self.value());
        let ok = err.is_none();
        self.client_error.set(err);
        ok
    }

    fn on_blur(&self) {
        if self.value().is_empty() {
            // Do not nag while tabbing through; empty required fields are reported on submit.
            self.client_error.set(None);
        } else {
            self.check();
        }
    }

    fn on_input(&self) {
        self.dismissed_at.set(Some(self.server.version.get_untracked()));
        if self.client_error.get_untracked().is_some() {
            self.check();
        }
    }

    /// The message to show under the input: the inline check first, else the server's.
    pub fn error(&self) -> Signal<Option<String>> {
        let s = *self;
        Signal::derive(move || {
            if let Some(e) = s.client_error.get() {
                return Some(e);
            }
            if s.dismissed_at.get() == Some(s.server.version.get()) {
                return None;
            }
            s.server.error.with(|e| e.as_ref().and_then(|e| e.field_message(s.name)).map(str::to_string))
        })
    }
}

/// Checks every field (on submit). Focuses the first invalid one; true when all are acceptable.
pub fn validate_all(fields: &[FieldState]) -> bool {
    let mut first_invalid = None;
    for f in fields {
        if !f.check() && first_invalid.is_none() {
            first_invalid = Some(*f);
        }
    }
    match first_invalid {
        Some(f) => {
            if let Some(el) = f.node.get_untracked() {
                let _ = el.focus();
            }
            false
        }
        None => true,
    }
}

const INPUT_BASE: &str = "block w-full rounded-lg border bg-white px-3 py-2 text-sm text-slate-900 shadow-xs \
     placeholder:text-slate-400 focus:outline-none focus-visible:ring-2 focus-visible:ring-offset-0 \
     read-only:bg-slate-50 read-only:text-slate-600";
const INPUT_OK: &str = "border-slate-300 focus-visible:border-indigo-500 focus-visible:ring-indigo-500/40";
const INPUT_BAD: &str = "border-red-400 focus-visible:border-red-500 focus-visible:ring-red-500/30";

/// A labelled input. `name` (from `field`) must equal the server function argument.
#[component]
pub fn TextField(
    /// Visible label; also the input's accessible name.
    label: &'static str,
    field: FieldState,
    /// Element id (defaults to the field name); the label points at it.
    #[prop(optional)]
    id: Option<&'static str>,
    /// The input `type`.
    #[prop(default = "text")]
    kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] required: bool,
    /// Initial value (rendered as the `value` attribute).
    #[prop(optional, into)]
    value: Option<String>,
    /// A short help text under the input, hidden while an error shows.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// Called with the new value on every keystroke.
    #[prop(optional)]
    on_input: Option<Callback<String>>,
) -> impl IntoView {
    let id = id.unwrap_or(field.name);
    let error = field.error();
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            if error.with(Option::is_some) {
                Some(error_id.clone())
            } else {
                hint.map(|_| hint_id.clone())
            }
        }
    };
    let class = move || format!("{INPUT_BASE} {}", if error.with(Option::is_some) { INPUT_BAD } else { INPUT_OK });

    view! {
        <div class="space-y-1.5">
            <label for=id class="block text-sm font-medium text-slate-700">
                {label}
            </label>
            <input
                id=id
                name=field.name
                type=kind
                autocomplete=autocomplete
                inputmode=inputmode
                required=required
                value=value
                class=class
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=described_by
                node_ref=field.node
                on:blur=move |_| field.on_blur()
                on:input=move |ev| {
                    field.on_input();
                    if let Some(cb) = on_input {
                        cb.run(event_target_value(&ev));
                    }
                }
            />
            {move || match error.get() {
                Some(msg) => {
                    view! {
                        <p id=error_id.clone() role="alert" class="text-sm text-red-700">
                            {msg}
                        </p>
                    }
                        .into_any()
                }
                None => {
                    hint.map(|h| view! { <p id=hint_id.clone() class="text-sm text-slate-500">{h}</p> })
                        .into_any()
                }
            }}
        </div>
    }
}

/// A field whose errors come from the server only: its message (by field name), and the ids and
/// classes its input and message share. Used by [`TextAreaField`] and [`ServerInput`].
#[derive(Clone, Copy)]
struct ServerField {
    name: &'static str,
    hint: Option<&'static str>,
    error: Signal<Option<String>>,
}

impl ServerField {
    fn new(server: ServerErrors, name: &'static str, hint: Option<&'static str>) -> Self {
        let error = Signal::derive(move || server.error().with(|e| e.as_ref().and_then(|e| e.field_message(name)).map(str::to_string)));
        ServerField { name, hint, error }
    }

    fn invalid(self) -> bool {
        self.error.with(Option::is_some)
    }

    fn described_by(self) -> Option<String> {
        if self.invalid() {
            Some(format!("{}-error", self.name))
        } else {
            self.hint.map(|_| format!("{}-hint", self.name))
        }
    }

    fn class(self) -> String {
        format!("{INPUT_BASE} {}", if self.invalid() { INPUT_BAD } else { INPUT_OK })
    }

    /// The error, or else the hint, below the input.
    fn message(self) -> impl IntoView {
        move || match self.error.get() {
            Some(msg) => view! { <p id=format!("{}-error", self.name) role="alert" class="text-sm text-red-700">{msg}</p> }.into_any(),
            None => self.hint.map(|h| view! { <p id=format!("{}-hint", self.name) class="text-sm text-slate-500">{h}</p> }).into_any(),
        }
    }
}

/// A labelled multi-line input. Server-checked only: its field error comes from `server`.
#[component]
pub fn TextAreaField(
    label: &'static str,
    /// The textarea's `name`, equal to the server function argument (also its id).
    name: &'static str,
    server: ServerErrors,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = 3)] rows: u32,
    #[prop(optional)] readonly: bool,
) -> impl IntoView {
    let f = ServerField::new(server, name, hint);
    view! {
        <div class="space-y-1.5">
            <label for=name class="block text-sm font-medium text-slate-700">
                {label}
            </label>
            <textarea
                id=name
                name=name
                rows=rows
                readonly=readonly
                class=move || f.class()
                aria-invalid=move || f.invalid().then_some("true")
                aria-describedby=move || f.described_by()
            >
                {value.unwrap_or_default()}
            </textarea>
            {f.message()}
        </div>
    }
}

/// A one-line input whose errors come from the server only (no client-side field state): the
/// label, the input named like the server function argument, and the field's message or hint.
#[component]
pub fn ServerInput(
    label: &'static str,
    /// The input's `name`, equal to the server function argument (also its id).
    name: &'static str,
    server: ServerErrors,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = "text")] r#type: &'static str,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let f = ServerField::new(server, name, hint);
    view! {
        <div class="space-y-1.5">
            <label for=name class="block text-sm font-medium text-slate-700">
                {label}
            </label>
            <input
                id=name
                name=name
                type=r#type
                value=value
                placeholder=placeholder
                required=required
                autocomplete="off"
                class=move || f.class()
                aria-invalid=move || f.invalid().then_some("true")
                aria-describedby=move || f.described_by()
            />
            {f.message()}
        </div>
    }
}

/// Classes for a plain text input (one without a [`TextField`]'s field state) matching the others.
pub const INPUT_CLASS: &str = "block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 focus:outline-none focus-visible:border-indigo-500 focus-visible:ring-2 focus-visible:ring-indigo-500/40";

/// Classes for a file input: the picker button styled like a light secondary button.
pub const FILE_INPUT_CLASS: &str = "block w-full text-sm text-slate-700 file:mr-3 file:rounded-lg file:border-0 file:bg-indigo-50 file:px-3 file:py-2 file:text-sm file:font-medium file:text-indigo-700 hover:file:bg-indigo-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500";

/// Classes for a native `<select>` matching the text inputs.
pub const SELECT_CLASS: &str = "block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-xs focus:outline-none focus-visible:border-indigo-500 focus-visible:ring-2 focus-visible:ring-indigo-500/40";

/// Runs `f` with the output of every successful result of `action` from now on (in the browser;
/// effects do not run during server rendering).
pub fn on_action_ok<S>(action: ServerAction<S>, f: impl Fn(&S::Output) + 'static)
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let version = action.version();
    Effect::new(move |prev: Option<usize>| {
        let v = version.get();
        if prev.is_some_and(|p| p != v) {
            action.value().with_untracked(|r| {
                if let Some(Ok(out)) = r {
                    f(out);
                }
            });
        }
        v
    });
}
