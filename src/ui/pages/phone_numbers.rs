//! `/phone-numbers`: the active project's numbers. Everyone sees the list; admins and owners add
//! numbers (typed in national or international format), label, release, assign and unassign them,
//! and manage the project's Twilio account (credentials and number import).
//!
//! Every form here is a plain form post before hydration: the server redirects back with a flag
//! (`?added=1`, `?released=1`, `?twilio=saved|removed`) that the page turns into its message.

use crate::model::{AgentView, AppError, ImportReport, PhoneNumberView, ProjectView, TwilioSettingsView};
use crate::server_fns::agents::{
    list_numbers, twilio_settings, AddNumber, AssignNumber, DeleteTwilioSettings, ImportTwilioNumbers, LabelNumber, ReleaseNumber, SaveTwilioSettings, UnassignNumber,
};
use crate::ui::components::icons::{Icon, IconKind};
use crate::ui::components::{
    on_action_ok, validate_all, Alert, Card, DataTable, EmptyState, FieldState, FormError, Notice, PageHeader, SecondaryButton, ServerErrors, Status, SubmitButton,
    TextField, DANGER_BUTTON, SECONDARY_BUTTON, SELECT_CLASS,
};
use crate::ui::layout::{project_resource, use_agents, with_project, LoadingPanel};
use crate::ui::pages::TEXT_LINK;
use crate::ui::util::format_time;
use leptos::html::Form;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Countries offered for national input (ISO 3166 alpha-2, name, calling code); US first.
pub const COUNTRIES: &[(&str, &str, &str)] = &[
    ("US", "United States", "+1"),
    ("CA", "Canada", "+1"),
    ("GB", "United Kingdom", "+44"),
    ("IE", "Ireland", "+353"),
    ("AU", "Australia", "+61"),
    ("NZ", "New Zealand", "+64"),
    ("DE", "Germany", "+49"),
    ("FR", "France", "+33"),
    ("ES", "Spain", "+34"),
    ("IT", "Italy", "+39"),
    ("NL", "Netherlands", "+31"),
    ("BE", "Belgium", "+32"),
    ("CH", "Switzerland", "+41"),
    ("AT", "Austria", "+43"),
    ("SE", "Sweden", "+46"),
    ("NO", "Norway", "+47"),
    ("DK", "Denmark", "+45"),
    ("PL", "Poland", "+48"),
    ("PT", "Portugal", "+351"),
    ("MX", "Mexico", "+52"),
    ("BR", "Brazil", "+55"),
    ("IN", "India", "+91"),
    ("JP", "Japan", "+81"),
    ("SG", "Singapore", "+65"),
    ("ZA", "South Africa", "+27"),
];

pub fn country_name(code: &str) -> String {
    COUNTRIES.iter().find(|c| c.0.eq_ignore_ascii_case(code)).map(|c| c.1.to_string()).unwrap_or_else(|| code.to_string())
}

/// The page's actions, shared by its sections.
#[derive(Clone, Copy)]
struct NumberActions {
    add: ServerAction<AddNumber>,
    label: ServerAction<LabelNumber>,
    release: ServerAction<ReleaseNumber>,
    assign: ServerAction<AssignNumber>,
    unassign: ServerAction<UnassignNumber>,
    save_twilio: ServerAction<SaveTwilioSettings>,
    delete_twilio: ServerAction<DeleteTwilioSettings>,
    import: ServerAction<ImportTwilioNumbers>,
    /// Bumped after every change: the list refetches.
    refresh: RwSignal<u64>,
    twilio_refresh: RwSignal<u64>,
    /// The project's numbers (created with the page, see `project_resource`).
    numbers: Resource<Result<Vec<PhoneNumberView>, AppError>>,
}

#[component]
pub fn PhoneNumbersPage() -> impl IntoView {
    let agents = use_agents();
    let refresh = RwSignal::new(0u64);
    let a = NumberActions {
        add: ServerAction::new(),
        label: ServerAction::new(),
        release: ServerAction::new(),
        assign: ServerAction::new(),
        unassign: ServerAction::new(),
        save_twilio: ServerAction::new(),
        delete_twilio: ServerAction::new(),
        import: ServerAction::new(),
        refresh,
        twilio_refresh: RwSignal::new(0),
        numbers: project_resource(move || refresh.get(), |pid, _| list_numbers(pid)),
    };
    let message = RwSignal::new(None::<String>);
    let added = RwSignal::new(None::<PhoneNumberView>);
    let done = move |m: String| {
        added.set(None);
        message.set(Some(m));
        a.refresh.update(|n| *n += 1);
        agents.refresh();
    };
    on_action_ok(a.add, move |n| {
        message.set(None);
        added.set(Some(n.clone()));
        a.refresh.update(|x| *x += 1);
    });
    on_action_ok(a.label, move |n| {
        done(if n.label.is_empty() { format!("Label of {} removed.", n.number) } else { format!("{} is now labelled “{}”.", n.number, n.label) })
    });
    on_action_ok(a.release, move |_| done("Number released.".to_string()));
    on_action_ok(a.assign, move |n| done(format!("{} assigned.", n.number)));
    on_action_ok(a.unassign, move |n| done(format!("{} unassigned.", n.number)));
    on_action_ok(a.save_twilio, move |_| {
        done("Twilio account saved.".to_string());
        a.twilio_refresh.update(|x| *x += 1);
    });
    on_action_ok(a.delete_twilio, move |_| {
        done("Twilio account removed.".to_string());
        a.twilio_refresh.update(|x| *x += 1);
    });
    on_action_ok(a.import, move |_| {
        a.refresh.update(|x| *x += 1);
    });

    // After a plain form post (no JS) the server comes back with a flag.
    let query = use_query_map();
    let flag_message = move || {
        query.with(|q| {
            if q.get("added").is_some() {
                Some("Number added.")
            } else if q.get("released").is_some() {
                Some("Number released.")
            } else {
                match q.get("twilio").as_deref() {
                    Some("saved") => Some("Twilio account saved."),
                    Some("removed") => Some("Twilio account removed."),
                    _ => None,
                }
            }
        })
    };
    let shown = move || message.get().or_else(|| (added.with(Option::is_none)).then(flag_message).flatten().map(str::to_string));

    view! {
        <Title text="Phone numbers · Talkdeck"/>
        <PageHeader title="Phone numbers" description="Numbers your agents answer and call from."/>
        <div class="space-y-8">
            {move || shown().map(|m| view! { <Status><p>{m}</p></Status> })}
            {move || added.get().map(|n| view! { <AddedNumber number=n/> })}
            {with_project(move |p| view! { <NumbersBody project=p actions=a/> }.into_any())}
        </div>
    }
}

/// The confirmation after adding a number, with its formats.
#[component]
fn AddedNumber(number: PhoneNumberView) -> impl IntoView {
    view! {
        <Status>
            <p class="font-medium">{format!("Added {}.", number.number)}</p>
            <p>
                {format!("National: {} · International: {}", number.formatted_number, number.international_number)}
            </p>
        </Status>
    }
}

#[component]
fn NumbersBody(project: ProjectView, actions: NumberActions) -> impl IntoView {
    let a = actions;
    let manage = project.role.can_manage();
    let pid = project.id.clone();
    let numbers = a.numbers;
    let agents = use_agents();
    view! {
        {manage.then(|| view! { <AddNumberSection project_id=pid.clone() actions=a/> })}
        <section aria-labelledby="numbers-heading" class="space-y-3">
            <h2 id="numbers-heading" class="text-base font-semibold text-slate-900">"Your numbers"</h2>
            {(!manage)
                .then(|| {
                    view! {
                        <Notice>
                            <p>
                                {format!(
                                    "You are a {} on this project. Admins and owners add, label, assign and release numbers.",
                                    project.role.label().to_lowercase(),
                                )}
                            </p>
                        </Notice>
                    }
                })}
            <FormError error=ServerErrors::of(a.label).error()/>
            <FormError error=ServerErrors::of(a.release).error()/>
            <FormError error=ServerErrors::of(a.assign).error()/>
            <FormError error=ServerErrors::of(a.unassign).error()/>
            <Transition fallback=|| view! { <LoadingPanel label="Loading numbers…"/> }>
                {move || {
                    let agent_list = agents.list.get().and_then(Result::ok).unwrap_or_default();
                    numbers
                        .get()
                        .map(|r| match r {
                            Ok(list) if list.is_empty() => {
                                view! {
                                    <EmptyState
                                        title="No phone numbers yet"
                                        description="Add a number above, or import the numbers of your Twilio account. Agents answer and call from these numbers."
                                    >
                                        <Icon kind=IconKind::PhoneNumbers class="size-6"/>
                                    </EmptyState>
                                }
                                    .into_any()
                            }
                            Ok(list) => {
                                view! { <NumberTable numbers=list agents=agent_list manage=manage actions=a/> }.into_any()
                            }
                            Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                        })
                }}
            </Transition>
        </section>
        {manage.then(|| view! { <TwilioSection project_id=pid.clone() actions=a/> })}
    }
}

#[component]
fn AddNumberSection(project_id: String, actions: NumberActions) -> impl IntoView {
    let add = actions.add;
    let server = ServerErrors::of(add);
    let number = FieldState::new("number", server, |v| {
        if v.trim().is_empty() {
            Some("Enter a phone number.".to_string())
        } else if !v.chars().any(|c| c.is_ascii_digit()) {
            Some("A phone number needs digits, like (415) 555-2671.".to_string())
        } else {
            None
        }
    });
    let label = FieldState::new("label", server, |v| {
        use crate::model::limits::number::{label_too_long, LABEL_MAX};
        (v.trim().chars().count() > LABEL_MAX || v.trim().chars().any(char::is_control)).then(label_too_long)
    });
    let check = Callback::new(move |_| validate_all(&[number, label]));
    let form = NodeRef::<Form>::new();
    on_action_ok(add, move |_| {
        if let Some(f) = form.get_untracked() {
            f.reset();
        }
    });
    let country_error = Signal::derive(move || server.error().with(|e| e.as_ref().and_then(|e| e.field_message("country")).map(str::to_string)));
    view! {
        <section aria-labelledby="add-number-heading" class="space-y-3">
            <h2 id="add-number-heading" class="text-base font-semibold text-slate-900">"Add number"</h2>
            <Card>
                <ActionForm action=add node_ref=form attr:class="space-y-4">
                    <FormError error=server.error() fields=&["number", "country", "label"]/>
                    <input type="hidden" name="project_id" value=project_id/>
                    <div class="grid gap-4 md:grid-cols-[14rem_1fr_1fr]">
                        <div class="space-y-1.5">
                            <label for="number-country" class="block text-sm font-medium text-slate-700">"Country"</label>
                            <select
                                id="number-country"
                                name="country"
                                class=SELECT_CLASS
                                aria-describedby="number-country-hint"
                                aria-invalid=move || country_error.with(Option::is_some).then_some("true")
                            >
                                {COUNTRIES
                                    .iter()
                                    .map(|(code, name, dial)| {
                                        view! {
                                            <option value=*code selected=*code == "US">
                                                {format!("{name} ({dial})")}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                                <option value="">"Other: type the number with its + code"</option>
                            </select>
                            {move || match country_error.get() {
                                Some(m) => view! { <p id="number-country-hint" role="alert" class="text-sm text-red-700">{m}</p> }.into_any(),
                                None => view! { <p id="number-country-hint" class="text-sm text-slate-500">"Used to read national numbers."</p> }.into_any(),
                            }}
                        </div>
                        <TextField
                            label="Phone number"
                            field=number
                            id="number-input"
                            kind="tel"
                            inputmode="tel"
                            autocomplete="off"
                            required=true
                            hint="National, like (415) 555-2671, or international, like +44 20 7946 0958."
                        />
                        <TextField
                            label="Label"
                            field=label
                            id="number-label"
                            autocomplete="off"
                            hint="Optional, e.g. “Support line”."
                        />
                    </div>
                    <div class="flex justify-end">
                        <SubmitButton label="Add number" pending=add.pending() validate=check/>
                    </div>
                </ActionForm>
            </Card>
        </section>
    }
}

const BADGE: &str = "inline-flex rounded-full px-2.5 py-0.5 text-xs font-medium";

#[component]
fn NumberTable(numbers: Vec<PhoneNumberView>, agents: Vec<AgentView>, manage: bool, actions: NumberActions) -> impl IntoView {
    let a = actions;
    view! {
        <DataTable headers=vec!["Number", "Country", "Provider", "Status", "Label", "Agents"] actions=manage>
                    {numbers
                        .into_iter()
                        .map(|n| view! { <NumberRow number=n agents=agents.clone() manage=manage actions=a/> })
                        .collect_view()}
                </DataTable>
    }
}

#[component]
fn NumberRow(number: PhoneNumberView, agents: Vec<AgentView>, manage: bool, actions: NumberActions) -> impl IntoView {
    let a = actions;
    let n = number;
    let e164 = n.number.clone();
    let status_class = if n.status == "active" { "bg-emerald-50 text-emerald-700" } else { "bg-slate-100 text-slate-700" };
    let label_cell = if manage {
        let e164 = e164.clone();
        let (nid, label) = (n.id.clone(), n.label.clone());
        let (aria, context) = (format!("Label for {e164}"), format!("label for {e164}"));
        view! {
            <ActionForm action=a.label attr:class="flex items-center gap-2">
                <input type="hidden" name="number_id" value=nid/>
                <input
                    type="text"
                    name="label"
                    value=label
                    aria-label=aria
                    placeholder="No label"
                    autocomplete="off"
                    class="block w-36 rounded-lg border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 focus:outline-none focus-visible:border-indigo-500 focus-visible:ring-2 focus-visible:ring-indigo-500/40"
                />
                <SecondaryButton label="Save" context=context pending=a.label.pending()/>
            </ActionForm>
        }
            .into_any()
    } else if n.label.is_empty() {
        view! { <span class="text-slate-400">"—"</span> }.into_any()
    } else {
        view! { <span class="text-slate-700">{n.label.clone()}</span> }.into_any()
    };

    let used: Vec<String> = n.agents.iter().map(|r| r.id.clone()).collect();
    let assignable: Vec<AgentView> = agents.into_iter().filter(|ag| !used.contains(&ag.id)).collect();
    let agents_cell = {
        let e164 = e164.clone();
        let chips = n
            .agents
            .clone()
            .into_iter()
            .map(|r| {
                let (nid, aid, aria) = (n.id.clone(), r.id.clone(), format!("Unassign {} from {}", r.name, e164));
                let unassign = manage.then(move || {
                    view! {
                        <ActionForm action=a.unassign attr:class="inline">
                            <input type="hidden" name="number_id" value=nid/>
                            <input type="hidden" name="agent_id" value=aid/>
                            <button
                                type="submit"
                                aria-label=aria
                                disabled=move || a.unassign.pending().get()
                                class="-mr-1 ml-1 inline-flex size-4 items-center justify-center rounded-full text-slate-400 hover:bg-slate-200 hover:text-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
                            >
                                <Icon kind=IconKind::Close class="size-3"/>
                            </button>
                        </ActionForm>
                    }
                });
                view! {
                    <li class="inline-flex items-center rounded-full bg-slate-100 px-2.5 py-0.5 text-xs text-slate-700">
                        <a href=format!("/agents/{}", r.id) class="font-medium hover:text-indigo-600 focus:outline-none focus-visible:underline">
                            {r.name.clone()}
                        </a>
                        <span class="ml-1 text-slate-500">{format!("({})", r.direction.as_str())}</span>
                        {unassign}
                    </li>
                }
            })
            .collect_view();
        let (nid, aria, context) = (n.id.clone(), format!("Agent for {e164}"), format!("agent to {e164}"));
        let assign = (manage && !assignable.is_empty()).then(move || {
            view! {
                <ActionForm action=a.assign attr:class="mt-2 flex items-center gap-2">
                    <input type="hidden" name="number_id" value=nid/>
                    <select name="agent_id" aria-label=aria class=format!("{SELECT_CLASS} w-40 py-1.5")>
                        {assignable
                            .iter()
                            .map(|ag| view! { <option value=ag.id.clone()>{format!("{} ({})", ag.name, ag.direction.as_str())}</option> })
                            .collect_view()}
                    </select>
                    <SecondaryButton label="Assign" context=context pending=a.assign.pending()/>
                </ActionForm>
            }
        });
        view! {
            {if n.agents.is_empty() {
                view! { <p class="text-slate-400">"Not used"</p> }.into_any()
            } else {
                view! { <ul class="flex flex-wrap gap-1.5" aria-label=format!("Agents using {e164}")>{chips}</ul> }.into_any()
            }}
            {assign}
        }
    };

    let release = manage.then(|| {
        let e164 = e164.clone();
        let nid = n.id.clone();
        let button_text = format!("Release {e164}");
        view! {
            <td class="px-4 py-3 text-right">
                <details class="group relative inline-block text-left">
                    <summary class=format!(
                        "{SECONDARY_BUTTON} cursor-pointer list-none border-red-200 text-red-700 hover:bg-red-50 [&::-webkit-details-marker]:hidden",
                    )>
                        "Release"
                        <span class="sr-only">{format!(" {e164}")}</span>
                    </summary>
                    <div class="absolute right-0 z-10 mt-2 w-72 rounded-xl border border-slate-200 bg-white p-4 text-left shadow-lg">
                        <p class="text-sm text-slate-700">
                            {format!("Release {e164}? Agents stop using it and it leaves this project.")}
                        </p>
                        <ActionForm action=a.release attr:class="mt-3 flex justify-end">
                            <input type="hidden" name="number_id" value=nid/>
                            <button type="submit" class=DANGER_BUTTON disabled=move || a.release.pending().get()>
                                {button_text}
                            </button>
                        </ActionForm>
                    </div>
                </details>
            </td>
        }
    });

    view! {
        <tr class="align-top">
            <td class="whitespace-nowrap px-4 py-3">
                <p class="font-mono font-medium text-slate-900">{e164.clone()}</p>
                <p class="text-slate-600">{n.formatted_number.clone()}</p>
                <p class="text-xs text-slate-500">{n.international_number.clone()}</p>
            </td>
            <td class="whitespace-nowrap px-4 py-3 text-slate-600">
                {n.country_code.as_deref().map(country_name).unwrap_or_else(|| "—".to_string())}
            </td>
            <td class="px-4 py-3 text-slate-600">
                {crate::ui::pages::voices::provider_label(&n.provider)}
                {n.twilio_sid.clone().map(|s| view! { <p class="font-mono text-xs text-slate-400">{s}</p> })}
            </td>
            <td class="px-4 py-3">
                <span class=format!("{BADGE} {status_class}")>{crate::ui::pages::voices::capitalize(&n.status)}</span>
            </td>
            <td class="px-4 py-3">{label_cell}</td>
            <td class="px-4 py-3">{agents_cell}</td>
            {release}
        </tr>
    }
}

#[component]
fn TwilioSection(project_id: String, actions: NumberActions) -> impl IntoView {
    let a = actions;
    let settings = Resource::new(
        {
            let pid = project_id.clone();
            move || (pid.clone(), a.twilio_refresh.get())
        },
        |(id, _)| twilio_settings(id),
    );
    view! {
        <section aria-labelledby="twilio-heading" class="space-y-3">
            <div>
                <h2 id="twilio-heading" class="text-base font-semibold text-slate-900">"Twilio"</h2>
                <p class="mt-1 text-sm text-slate-600">
                    "Connect this project's Twilio account to place real calls and import its numbers. The auth token is stored encrypted and never shown again."
                </p>
                <p class="mt-1 text-sm text-slate-600">
                    "Calls from a Twilio number are real calls: the agent converses through the server's language model. Assigning a Twilio number to an inbound agent points the number at this server for you (Twilio must be able to reach the server's public address)."
                </p>
            </div>
            <Card>
                <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
                    {
                        let pid = project_id.clone();
                        move || {
                            settings
                                .get()
                                .map(|r| match r {
                                    Ok(s) => view! { <TwilioBody project_id=pid.clone() settings=s actions=a/> }.into_any(),
                                    Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                                })
                        }
                    }
                </Transition>
            </Card>
        </section>
    }
}

#[component]
fn TwilioBody(project_id: String, settings: Option<TwilioSettingsView>, actions: NumberActions) -> impl IntoView {
    let a = actions;
    let server = ServerErrors::of(a.save_twilio);
    let sid = FieldState::new("account_sid", server, |v| {
        let v = v.trim();
        if v.is_empty() {
            Some("Enter the account SID.".to_string())
        } else if !(v.starts_with("AC") && v.len() == 34) {
            Some("An account SID starts with AC and has 34 characters.".to_string())
        } else {
            None
        }
    });
    let token = FieldState::new("auth_token", server, |v| v.trim().is_empty().then(|| "Enter the auth token.".to_string()));
    let check = Callback::new(move |_| validate_all(&[sid, token]));
    let connected = settings.is_some();
    let current = settings.map(|s| {
        view! {
            <dl class="grid gap-3 text-sm sm:grid-cols-3">
                <div>
                    <dt class="font-medium text-slate-700">"Account SID"</dt>
                    <dd class="mt-0.5 font-mono text-slate-900">{s.account_sid.clone()}</dd>
                </div>
                <div>
                    <dt class="font-medium text-slate-700">"Auth token"</dt>
                    <dd class="mt-0.5 font-mono text-slate-900">{format!("••••{}", s.auth_token_hint)}</dd>
                </div>
                <div>
                    <dt class="font-medium text-slate-700">"Saved"</dt>
                    <dd class="mt-0.5 text-slate-900">{format_time(s.updated_at)}</dd>
                </div>
            </dl>
        }
    });
    let import_report = move || a.import.value().with(|v| v.clone());
    let (pid_save, pid_import, pid_delete) = (project_id.clone(), project_id.clone(), project_id.clone());
    view! {
        <div class="space-y-6">
            {current}
            <ActionForm action=a.save_twilio attr:class="space-y-4">
                <FormError error=server.error() fields=&["account_sid", "auth_token"]/>
                <input type="hidden" name="project_id" value=pid_save/>
                <div class="grid gap-4 sm:grid-cols-2">
                    <TextField label="Account SID" field=sid id="twilio-sid" autocomplete="off" required=true/>
                    <TextField
                        label="Auth token"
                        field=token
                        id="twilio-token"
                        kind="password"
                        autocomplete="new-password"
                        required=true
                        hint=if connected { "Enter the token again to replace the saved one." } else { "From the Twilio console." }
                    />
                </div>
                <div class="flex justify-end">
                    <SubmitButton label=if connected { "Replace credentials" } else { "Save credentials" } pending=a.save_twilio.pending() validate=check/>
                </div>
            </ActionForm>
            {connected
                .then(move || {
                    view! {
                        <div class="flex flex-wrap items-center gap-3 border-t border-slate-100 pt-4">
                            <ActionForm action=a.import>
                                <input type="hidden" name="project_id" value=pid_import/>
                                <button type="submit" class=SECONDARY_BUTTON disabled=move || a.import.pending().get()>
                                    {move || if a.import.pending().get() { "Importing numbers…" } else { "Import numbers from Twilio" }}
                                </button>
                            </ActionForm>
                            <ActionForm action=a.delete_twilio>
                                <input type="hidden" name="project_id" value=pid_delete/>
                                <SecondaryButton label="Remove Twilio account" pending=a.delete_twilio.pending() danger=true/>
                            </ActionForm>
                        </div>
                        <FormError error=ServerErrors::of(a.delete_twilio).error()/>
                    }
                })}
            {move || match import_report() {
                Some(Ok(r)) => view! { <ImportSummary report=r/> }.into_any(),
                Some(Err(e)) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                None => ().into_any(),
            }}
            {(!connected)
                .then(|| {
                    view! {
                        <p class="text-sm text-slate-500">
                            "Without a Twilio account, calls run on the built-in simulator. See "
                            <a href="/calls" class=TEXT_LINK>"Calls"</a>
                            "."
                        </p>
                    }
                })}
        </div>
    }
}

#[component]
fn ImportSummary(report: ImportReport) -> impl IntoView {
    let imported = report.imported.len();
    view! {
        <div role="status" class="space-y-2 rounded-lg border border-slate-200 bg-slate-50 p-4 text-sm text-slate-700">
            <p class="font-medium text-slate-900">
                {format!(
                    "Imported {imported} {}, {} already present, {} skipped.",
                    if imported == 1 { "number" } else { "numbers" },
                    report.already_present,
                    report.skipped.len(),
                )}
            </p>
            {(!report.imported.is_empty())
                .then(|| {
                    view! {
                        <ul class="list-inside list-disc">
                            {report
                                .imported
                                .iter()
                                .map(|n| view! { <li><span class="font-mono">{n.number.clone()}</span>" · "{n.formatted_number.clone()}</li> })
                                .collect_view()}
                        </ul>
                    }
                })}
            {(!report.skipped.is_empty())
                .then(|| {
                    view! {
                        <p class="font-medium text-slate-900">"Skipped"</p>
                        <ul class="list-inside list-disc">
                            {report
                                .skipped
                                .iter()
                                .map(|s| view! { <li><span class="font-mono">{s.number.clone()}</span>": "{s.reason.clone()}</li> })
                                .collect_view()}
                        </ul>
                    }
                })}
        </div>
    }
}
