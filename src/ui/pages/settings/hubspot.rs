//! `/settings/integrations/hubspot`: connect the active project to HubSpot with a private-app
//! token (admins and owners), choose whether missing contacts are created and which analysis
//! answers go to which contact properties, disconnect, and read the sync log (every attempt to
//! log a call, with a retry). The forms post without JavaScript too.

use super::SettingsHeader;
use crate::model::{HubSpotSettingsView, HubSpotSyncView, ProjectView, SyncOutcome};
use crate::server_fns::hubspot::{hubspot_settings, hubspot_sync_log, mappings_text, ConnectHubspot, DisconnectHubspot, RetryHubspotSync, SyncPage};
use crate::ui::components::icons::{Icon, IconKind};
use crate::ui::components::{
    on_action_ok, Alert, Card, EmptyState, FormError, Notice, SecondaryButton, ServerErrors, ServerInput, Status, SubmitButton, TextAreaField, SECONDARY_BUTTON,
};
use crate::ui::layout::{with_project, LoadingPanel};
use crate::ui::util::{encode_query_value, format_time};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn HubSpotPage() -> impl IntoView {
    view! {
        <SettingsHeader title="HubSpot" description="Log every call of the active project on the right HubSpot contact."/>
        {with_project(move |p| {
            if p.role.can_manage() {
                view! { <HubSpot project=p/> }.into_any()
            } else {
                view! { <Notice><p>"Only admins and owners manage integrations."</p></Notice> }.into_any()
            }
        })}
    }
}

fn outcome_badge(o: SyncOutcome) -> impl IntoView {
    let class = match o {
        SyncOutcome::Succeeded => "bg-emerald-100 text-emerald-800",
        SyncOutcome::Retrying => "bg-amber-100 text-amber-800",
        SyncOutcome::Failed => "bg-red-100 text-red-800",
        SyncOutcome::Skipped => "bg-slate-100 text-slate-700",
    };
    view! { <span class=format!("inline-flex rounded-full px-2 py-0.5 text-xs font-medium {class}")>{o.as_str()}</span> }
}

#[component]
fn HubSpot(project: ProjectView) -> impl IntoView {
    let refresh = RwSignal::new(0u64);
    let log_refresh = RwSignal::new(0u64);
    let query = use_query_map();
    let pid = project.id.clone();
    let settings = Resource::new(move || refresh.get(), move |_| hubspot_settings(pid.clone()));
    let pid = project.id.clone();
    let log = Resource::new(
        move || (log_refresh.get(), query.with(|q| q.get("cursor").unwrap_or_default())),
        move |(_, cursor)| hubspot_sync_log(pid.clone(), Some(cursor).filter(|c| !c.is_empty())),
    );
    let connect = ServerAction::<ConnectHubspot>::new();
    let disconnect = ServerAction::<DisconnectHubspot>::new();
    let retry = ServerAction::<RetryHubspotSync>::new();
    let message = RwSignal::new(None::<String>);
    on_action_ok(connect, move |_| {
        message.set(Some("HubSpot settings saved.".into()));
        refresh.update(|n| *n += 1);
    });
    on_action_ok(disconnect, move |_| {
        message.set(Some("HubSpot disconnected; the token was deleted.".into()));
        refresh.update(|n| *n += 1);
    });
    on_action_ok(retry, move |_| {
        message.set(Some("Sync queued again.".into()));
        log_refresh.update(|n| *n += 1);
    });
    let from_query = move || {
        query.with(|q| {
            if q.get("saved").is_some() {
                Some("HubSpot settings saved.")
            } else if q.get("disconnected").is_some() {
                Some("HubSpot disconnected; the token was deleted.")
            } else if q.get("retried").is_some() {
                Some("Sync queued again.")
            } else {
                None
            }
        })
    };
    let errors = ServerErrors::of(connect);
    let project_id = project.id.clone();
    view! {
        <div class="space-y-6">
            {move || {
                message
                    .get()
                    .or_else(|| from_query().map(str::to_string))
                    .map(|m| view! { <Status><p data-testid="hubspot-message">{m}</p></Status> })
            }}
            <FormError error=ServerErrors::of(disconnect).error()/>
            <Transition fallback=|| view! { <LoadingPanel label="Loading the connection…"/> }>
                {move || {
                    let project_id = project_id.clone();
                    settings
                        .get()
                        .map(move |r| match r {
                            Ok(current) => {
                                view! { <ConnectForm project_id=project_id current=current connect=connect disconnect=disconnect errors=errors/> }.into_any()
                            }
                            Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                        })
                }}
            </Transition>
            <section aria-labelledby="sync-heading" class="space-y-3">
                <div class="flex items-center justify-between gap-3">
                    <h2 id="sync-heading" class="text-base font-semibold text-slate-900">"Sync log"</h2>
                    <button type="button" class=SECONDARY_BUTTON on:click=move |_| log_refresh.update(|n| *n += 1)>"Refresh"</button>
                </div>
                <FormError error=ServerErrors::of(retry).error()/>
                <Transition fallback=|| view! { <LoadingPanel label="Loading the sync log…"/> }>
                    {move || {
                        let project_id = project.id.clone();
                        log.get()
                            .map(move |r| match r {
                                Ok(p) if p.entries.is_empty() => {
                                    view! {
                                        <EmptyState title="Nothing synced yet" description="Each call that ends (and again once it is analysed) is logged in HubSpot; every attempt shows here.">
                                            <Icon kind=IconKind::Audit class="size-6"/>
                                        </EmptyState>
                                    }
                                        .into_any()
                                }
                                Ok(p) => view! { <SyncTable page=p project_id=project_id retry=retry/> }.into_any(),
                                Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                            })
                    }}
                </Transition>
            </section>
        </div>
    }
}

#[component]
fn ConnectForm(
    project_id: String,
    current: Option<HubSpotSettingsView>,
    connect: ServerAction<ConnectHubspot>,
    disconnect: ServerAction<DisconnectHubspot>,
    errors: ServerErrors,
) -> impl IntoView {
    let connected = current.is_some();
    let pid_disconnect = project_id.clone();
    let (create, mappings, hint) = match &current {
        Some(c) => (c.create_contacts, mappings_text(&c.mappings), Some(c.token_hint.clone())),
        None => (false, String::new(), None),
    };
    view! {
        <section aria-labelledby="connection-heading" class="space-y-3">
            <div class="flex items-center justify-between gap-3">
                <h2 id="connection-heading" class="text-base font-semibold text-slate-900">"Connection"</h2>
                {if connected {
                    view! { <span class="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800" data-testid="hubspot-connected">"Connected"</span> }.into_any()
                } else {
                    view! { <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700">"Not connected"</span> }.into_any()
                }}
            </div>
            <Card>
                <ActionForm action=connect attr:class="space-y-4">
                    <input type="hidden" name="project_id" value=project_id.clone()/>
                    <FormError error=errors.error() fields=&["token", "mappings"]/>
                    {match hint {
                        Some(h) => {
                            view! {
                                <ServerInput
                                    label="Private app access token"
                                    name="token"
                                    server=errors
                                    r#type="password"
                                    placeholder="Leave empty to keep the stored token"
                                    hint="A token is stored. Paste a new one to replace it."
                                />
                                <p class="-mt-2 text-sm text-slate-500">{format!("Stored token ends in {h}.")}</p>
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <ServerInput
                                    label="Private app access token"
                                    name="token"
                                    server=errors
                                    r#type="password"
                                    required=true
                                    hint="From HubSpot: Settings › Integrations › Private apps, with the CRM contacts scopes. Checked with HubSpot before it is saved; stored encrypted."
                                />
                            }
                                .into_any()
                        }
                    }}
                    <label class="flex items-center gap-2 text-sm text-slate-700">
                        <input type="checkbox" name="create_contacts" checked=create class="size-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500"/>
                        "Create a contact when none has the call's number"
                    </label>
                    <TextAreaField
                        label="Analysis answers to contact properties"
                        name="mappings"
                        server=errors
                        rows=3
                        value=mappings
                        hint="One per line: answer = property (internal name). Answers: summary, sentiment, successful, or a custom question's name."
                    />
                    <div class="flex justify-end">
                        <SubmitButton label=if connected { "Save settings" } else { "Connect HubSpot" } pending=connect.pending()/>
                    </div>
                </ActionForm>
            </Card>
            {connected
                .then(|| {
                    view! {
                        <ActionForm action=disconnect>
                            <input type="hidden" name="project_id" value=pid_disconnect.clone()/>
                            <SecondaryButton label="Disconnect HubSpot" pending=disconnect.pending() danger=true/>
                        </ActionForm>
                    }
                })}
        </section>
    }
}

#[component]
fn SyncTable(page: SyncPage, project_id: String, retry: ServerAction<RetryHubspotSync>) -> impl IntoView {
    let next = page.next_cursor.map(|c| format!("/settings/integrations/hubspot?cursor={}", encode_query_value(&c)));
    view! {
        <Card class="overflow-x-auto p-0">
            <table class="min-w-full divide-y divide-slate-200 text-left text-sm" aria-label="HubSpot sync log">
                <thead class="bg-slate-50 text-xs font-medium uppercase tracking-wide text-slate-500">
                    <tr>
                        <th scope="col" class="px-4 py-3">"Call"</th>
                        <th scope="col" class="px-4 py-3">"After"</th>
                        <th scope="col" class="px-4 py-3">"Outcome"</th>
                        <th scope="col" class="px-4 py-3">"Message"</th>
                        <th scope="col" class="px-4 py-3">"When"</th>
                        <th scope="col" class="px-4 py-3"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {page.entries.into_iter().map(|e| view! { <SyncRow entry=e project_id=project_id.clone() retry=retry/> }).collect_view()}
                </tbody>
            </table>
        </Card>
        <div class="flex justify-end gap-2">{next.map(|href| view! { <a href=href class=SECONDARY_BUTTON>"Older entries"</a> })}</div>
    }
}

#[component]
fn SyncRow(entry: HubSpotSyncView, project_id: String, retry: ServerAction<RetryHubspotSync>) -> impl IntoView {
    let e = entry;
    let retryable = matches!(e.outcome, SyncOutcome::Failed | SyncOutcome::Skipped);
    let entry_id = e.id.clone();
    let retry_context = format!("call {} ({})", e.call_id, e.event);
    view! {
        <tr data-sync=e.id.clone() data-outcome=e.outcome.as_str()>
            <td class="px-4 py-3">
                <a class="font-mono text-indigo-600 hover:underline" href=format!("/calls/{}", e.call_id)>{e.call_id.chars().take(8).collect::<String>()}</a>
                {e.hubspot_call_id.clone().map(|h| view! { <span class="block text-xs text-slate-500">{format!("HubSpot call {h}")}</span> })}
            </td>
            <td class="px-4 py-3 text-slate-700">{format!("{} (attempt {})", e.event, e.attempt)}</td>
            <td class="px-4 py-3">{outcome_badge(e.outcome)}</td>
            <td class="max-w-[20rem] break-words px-4 py-3 text-slate-700">
                {e.message.clone()}
                {e.status_code.map(|s| view! { <span class="text-slate-500">{format!(" ({s})")}</span> })}
            </td>
            <td class="whitespace-nowrap px-4 py-3 text-slate-600">{format_time(e.created_at)}</td>
            <td class="px-4 py-3 text-right">
                {retryable
                    .then(|| {
                        view! {
                            <ActionForm action=retry>
                                <input type="hidden" name="project_id" value=project_id.clone()/>
                                <input type="hidden" name="entry_id" value=entry_id.clone()/>
                                <SecondaryButton label="Retry" context=retry_context.clone() pending=retry.pending()/>
                            </ActionForm>
                        }
                    })}
            </td>
        </tr>
    }
}
