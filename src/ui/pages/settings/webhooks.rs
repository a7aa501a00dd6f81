//! `/settings/webhooks`: the active project's webhook endpoints (admins and owners) and a form
//! to add one; `/settings/webhooks/{id}`: one endpoint's settings, its signing secret (reveal,
//! rotate), "send a test event", and its delivery log (live, filtered by state, paged) with
//! each delivery's attempts and body, replay of one delivery and of everything failed since a
//! time. Every form posts without JavaScript too.

use super::SettingsHeader;
use crate::model::{DeliveryState, EventType, ProjectView, WebhookDeliveryView, WebhookEndpointView};
use crate::server_fns::webhooks::{
    event_field, get_webhook_endpoint, list_webhook_deliveries, list_webhook_endpoints, reveal_webhook_secret, webhook_delivery, CreateWebhookEndpoint,
    DeleteWebhookEndpoint, DeliveryPage, ReplayFailedWebhooks, ReplayWebhookDelivery, RevealWebhookSecret, RotateWebhookSecret, SendWebhookTest, SetWebhookEnabled,
    UpdateWebhookEndpoint,
};
use crate::ui::components::icons::{Icon, IconKind};
use crate::ui::components::{
    on_action_ok, Alert, Card, EmptyState, FormError, Notice, SecondaryButton, ServerErrors, ServerInput, Status, SubmitButton, INPUT_CLASS, SECONDARY_BUTTON,
    SELECT_CLASS,
};
use crate::ui::layout::{with_project, LoadingPanel};
use crate::ui::pages::batches::live::{refresh_on_changes, use_project_feed};
use crate::ui::util::{encode_query_value, format_time};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

const HEADING: &str = "text-base font-semibold text-slate-900";

fn event_label(e: EventType) -> &'static str {
    match e {
        EventType::CallQueued => "Call queued",
        EventType::CallRinging => "Call ringing",
        EventType::CallAnswered => "Call answered",
        EventType::CallEnded => "Call ended (transcript, recording)",
        EventType::CallAnalyzed => "Call analyzed",
        EventType::BatchStarted => "Batch started",
        EventType::BatchCompleted => "Batch completed",
        EventType::Test => "Test event",
    }
}

fn events_text(events: &[EventType]) -> String {
    if events.is_empty() {
        "Every event".to_string()
    } else {
        events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// Enabled, failing or disabled, as a small badge.
fn health_badge(e: &WebhookEndpointView) -> impl IntoView {
    let (text, class) = if !e.enabled {
        ("Disabled", "bg-slate-100 text-slate-700")
    } else if e.failing_since.is_some() {
        ("Failing", "bg-amber-100 text-amber-800")
    } else {
        ("Enabled", "bg-emerald-100 text-emerald-800")
    };
    view! { <span class=format!("inline-flex rounded-full px-2 py-0.5 text-xs font-medium {class}")>{text}</span> }
}

fn state_badge(s: DeliveryState) -> impl IntoView {
    let class = match s {
        DeliveryState::Succeeded => "bg-emerald-100 text-emerald-800",
        DeliveryState::Failed => "bg-red-100 text-red-800",
        DeliveryState::Pending => "bg-amber-100 text-amber-800",
    };
    view! { <span class=format!("inline-flex rounded-full px-2 py-0.5 text-xs font-medium {class}")>{s.as_str()}</span> }
}

/// One checkbox per event type, named for the server function's `events` argument.
#[component]
fn EventChecks(#[prop(optional)] checked: Vec<EventType>) -> impl IntoView {
    view! {
        <fieldset class="space-y-2">
            <legend class="text-sm font-medium text-slate-700">"Events"</legend>
            <p class="text-sm text-slate-500">"Leave all unchecked to receive every event."</p>
            <div class="grid gap-2 sm:grid-cols-2">
                {EventType::subscribable()
                    .map(|e| {
                        let id = format!("event-{}", event_field(e));
                        let label_for = id.clone();
                        view! {
                            <label for=label_for class="flex items-center gap-2 text-sm text-slate-700">
                                <input
                                    id=id
                                    type="checkbox"
                                    name=format!("events[{}]", event_field(e))
                                    checked=checked.contains(&e)
                                    class="size-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500"
                                />
                                <span>{event_label(e)}</span>
                                <code class="text-xs text-slate-500">{e.as_str()}</code>
                            </label>
                        }
                    })
                    .collect_view()}
            </div>
        </fieldset>
    }
}

fn admins_only() -> AnyView {
    view! {
        <Notice>
            <p>"Only admins and owners manage the project's webhooks."</p>
        </Notice>
    }
    .into_any()
}

// ---- the list -----------------------------------------------------------------------------------

#[component]
pub fn WebhooksPage() -> impl IntoView {
    view! {
        <SettingsHeader
            title="Webhooks"
            description="Signed HTTP callbacks for call and batch events of the active project (Standard Webhooks)."
        />
        {with_project(move |p| if p.role.can_manage() { view! { <Webhooks project=p/> }.into_any() } else { admins_only() })}
    }
}

#[component]
fn Webhooks(project: ProjectView) -> impl IntoView {
    let refresh = RwSignal::new(0u64);
    let pid = project.id.clone();
    let endpoints = Resource::new(move || refresh.get(), move |_| list_webhook_endpoints(pid.clone()));
    let create = ServerAction::<CreateWebhookEndpoint>::new();
    let errors = ServerErrors::of(create);
    let created = RwSignal::new(None::<(String, String)>);
    on_action_ok(create, move |r| {
        created.set(Some((r.endpoint.id.clone(), r.secret.clone())));
        refresh.update(|n| *n += 1);
    });
    let query = use_query_map();
    let deleted = move || query.with(|q| q.get("deleted").is_some());
    view! {
        <div class="space-y-6">
            {move || deleted().then(|| view! { <Status><p>"Endpoint deleted."</p></Status> })}
            {move || {
                created
                    .get()
                    .map(|(id, secret)| {
                        view! {
                            <Status>
                                <p data-testid="webhook-created">"Endpoint added. Verify its deliveries with this signing secret:"</p>
                                <p><code class="break-all font-mono" data-testid="webhook-secret">{secret}</code></p>
                                <p><a class="font-medium underline" href=format!("/settings/webhooks/{id}")>"Open the endpoint"</a></p>
                            </Status>
                        }
                    })
            }}
            <section aria-labelledby="endpoints-heading" class="space-y-3">
                <h2 id="endpoints-heading" class=HEADING>"Endpoints"</h2>
                <Transition fallback=|| view! { <LoadingPanel label="Loading endpoints…"/> }>
                    {move || {
                        endpoints
                            .get()
                            .map(|r| match r {
                                Ok(list) if list.is_empty() => {
                                    view! {
                                        <EmptyState
                                            title="No webhook endpoints yet"
                                            description="Add a URL below and Talkdeck will POST signed events to it: calls queued, ringing, answered, ended and analyzed, batches started and completed."
                                        >
                                            <Icon kind=IconKind::Key class="size-6"/>
                                        </EmptyState>
                                    }
                                        .into_any()
                                }
                                Ok(list) => {
                                    view! {
                                        <ul class="space-y-3" aria-label="Webhook endpoints">
                                            {list.into_iter().map(|e| view! { <EndpointCard endpoint=e/> }).collect_view()}
                                        </ul>
                                    }
                                        .into_any()
                                }
                                Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                            })
                    }}
                </Transition>
            </section>
            <section aria-labelledby="add-endpoint-heading" class="space-y-3">
                <h2 id="add-endpoint-heading" class=HEADING>"Add an endpoint"</h2>
                <Card>
                    <ActionForm action=create attr:class="space-y-4">
                        <input type="hidden" name="project_id" value=project.id.clone()/>
                        <FormError error=errors.error() fields=&["url", "description", "events"]/>
                        <ServerInput
                            label="URL"
                            name="url"
                            server=errors
                            r#type="url"
                            required=true
                            placeholder="https://example.com/webhooks/talkdeck"
                            hint="Events are POSTed here as JSON. Answer 2xx within 15 seconds; anything else is retried for three days."
                        />
                        <ServerInput label="Description (optional)" name="description" server=errors/>
                        <EventChecks/>
                        <div class="flex justify-end">
                            <SubmitButton label="Add endpoint" pending=create.pending()/>
                        </div>
                    </ActionForm>
                </Card>
            </section>
        </div>
    }
}

#[component]
fn EndpointCard(endpoint: WebhookEndpointView) -> impl IntoView {
    let href = format!("/settings/webhooks/{}", endpoint.id);
    let label = format!("Manage {}", endpoint.url);
    view! {
        <li class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-endpoint=endpoint.id.clone()>
            <div class="flex flex-wrap items-start justify-between gap-3">
                <div class="min-w-0 space-y-1">
                    <p class="break-all font-mono text-sm text-slate-900">{endpoint.url.clone()}</p>
                    <p class="text-sm text-slate-600">
                        {if endpoint.description.is_empty() { "No description".to_string() } else { endpoint.description.clone() }}
                    </p>
                    <p class="text-xs text-slate-500">{events_text(&endpoint.events)}</p>
                </div>
                <div class="flex items-center gap-3">
                    {health_badge(&endpoint)}
                    <a href=href class=SECONDARY_BUTTON aria-label=label>"Manage"</a>
                </div>
            </div>
        </li>
    }
}

// ---- one endpoint -------------------------------------------------------------------------------

#[component]
pub fn WebhookEndpointPage() -> impl IntoView {
    let params = use_params_map();
    view! {
        <SettingsHeader title="Webhook endpoint" description="Its settings, signing secret and delivery log."/>
        <nav class="-mt-4 mb-4 text-sm">
            <a href="/settings/webhooks" class="text-indigo-600 hover:text-indigo-500">"All endpoints"</a>
        </nav>
        {with_project(move |p| {
            if p.role.can_manage() {
                let id = params.with_untracked(|m| m.get("id").unwrap_or_default());
                view! { <Endpoint project=p endpoint_id=id/> }.into_any()
            } else {
                admins_only()
            }
        })}
    }
}

/// What a no-JavaScript form post came back with.
fn query_outcome(q: &leptos_router::params::ParamsMap) -> Option<String> {
    if q.get("created").is_some() {
        return Some("Endpoint added. Reveal its signing secret below to verify deliveries.".into());
    }
    if q.get("saved").is_some() {
        return Some("Endpoint saved.".into());
    }
    if q.get("tested").is_some() {
        return Some("Test event queued: it appears in the delivery log.".into());
    }
    q.get("replayed").map(|n| match n.parse::<usize>() {
        Ok(1) | Err(_) => "Delivery queued again.".to_string(),
        Ok(n) => format!("{n} failed deliveries queued again."),
    })
}

#[component]
fn Endpoint(project: ProjectView, endpoint_id: String) -> impl IntoView {
    let refresh = RwSignal::new(0u64);
    let id = endpoint_id.clone();
    let endpoint = Resource::new(move || refresh.get(), move |_| get_webhook_endpoint(id.clone()));
    let update = ServerAction::<UpdateWebhookEndpoint>::new();
    let toggle = ServerAction::<SetWebhookEnabled>::new();
    let delete = ServerAction::<DeleteWebhookEndpoint>::new();
    let test = ServerAction::<SendWebhookTest>::new();
    let message = RwSignal::new(None::<String>);
    let log_refresh = RwSignal::new(0u64);
    on_action_ok(update, move |_| {
        message.set(Some("Endpoint saved.".into()));
        refresh.update(|n| *n += 1);
    });
    on_action_ok(toggle, move |e| {
        message.set(Some(if e.enabled { "Endpoint enabled." } else { "Endpoint disabled." }.into()));
        refresh.update(|n| *n += 1);
    });
    on_action_ok(test, move |_| {
        message.set(Some("Test event queued: it appears in the delivery log.".into()));
        log_refresh.update(|n| *n += 1);
    });
    on_action_ok(delete, move |_| {
        #[cfg(feature = "hydrate")]
        {
            let _ = window().location().set_href("/settings/webhooks?deleted=1");
        }
    });
    let query = use_query_map();
    let errors = ServerErrors::of(update);
    view! {
        <div class="space-y-6">
            {move || {
                message
                    .get()
                    .or_else(|| query.with(query_outcome))
                    .map(|m| view! { <Status><p data-testid="webhook-message">{m}</p></Status> })
            }}
            <FormError error=ServerErrors::of(toggle).error()/>
            <FormError error=ServerErrors::of(test).error()/>
            <FormError error=ServerErrors::of(delete).error()/>
            <Transition fallback=|| view! { <LoadingPanel label="Loading the endpoint…"/> }>
                {move || {
                    endpoint
                        .get()
                        .map(|r| match r {
                            Ok(e) => {
                                view! { <EndpointSettings endpoint=e update=update toggle=toggle delete=delete test=test errors=errors/> }
                                    .into_any()
                            }
                            Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                        })
                }}
            </Transition>
            <SecretPanel endpoint_id=endpoint_id.clone()/>
            <DeliveryLog project=project endpoint_id=endpoint_id log_refresh=log_refresh/>
        </div>
    }
}

#[component]
fn EndpointSettings(
    endpoint: WebhookEndpointView,
    update: ServerAction<UpdateWebhookEndpoint>,
    toggle: ServerAction<SetWebhookEnabled>,
    delete: ServerAction<DeleteWebhookEndpoint>,
    test: ServerAction<SendWebhookTest>,
    errors: ServerErrors,
) -> impl IntoView {
    let e = endpoint;
    let status_note = e.is_status.then(|| {
        view! {
            <p class="text-sm text-slate-600">
                "This endpoint follows the project's call status webhook; change its URL in "
                <a class="text-indigo-600 underline" href="/settings/project">"project settings"</a>
                "."
            </p>
        }
    });
    let disabled_note = e.disabled_reason.clone().filter(|_| !e.enabled).map(|r| {
        view! {
            <Notice>
                <p data-testid="webhook-disabled-reason">{format!("Disabled: {r}")}</p>
                <p>"Nothing is sent while it is disabled. Enable it, then replay what failed meanwhile."</p>
            </Notice>
        }
    });
    let failing_note = e.failing_since.filter(|_| e.enabled).map(|since| {
        view! {
            <Notice>
                <p>{format!("Every delivery has failed since {}. After three days the endpoint is disabled and admins are mailed.", format_time(since))}</p>
            </Notice>
        }
    });
    let (id_update, id_test, id_toggle, id_delete) = (e.id.clone(), e.id.clone(), e.id.clone(), e.id.clone());
    view! {
        <section aria-labelledby="endpoint-heading" class="space-y-3">
            <div class="flex flex-wrap items-center justify-between gap-3">
                <h2 id="endpoint-heading" class=HEADING>
                    <span class="break-all font-mono">{e.url.clone()}</span>
                </h2>
                {health_badge(&e)}
            </div>
            {disabled_note}
            {failing_note}
            <Card>
                <ActionForm action=update attr:class="space-y-4">
                    <input type="hidden" name="endpoint_id" value=id_update/>
                    <input type="hidden" name="expected_version" value=e.version.to_string()/>
                    <FormError error=errors.error() fields=&["url", "description", "events"]/>
                    {if e.is_status {
                        status_note.into_any()
                    } else {
                        view! { <ServerInput label="URL" name="url" server=errors r#type="url" required=true value=e.url.clone()/> }.into_any()
                    }}
                    <ServerInput label="Description" name="description" server=errors value=e.description.clone()/>
                    <EventChecks checked=e.events.clone()/>
                    <div class="flex justify-end">
                        <SubmitButton label="Save endpoint" pending=update.pending()/>
                    </div>
                </ActionForm>
            </Card>
            <div class="flex flex-wrap gap-2">
                <ActionForm action=test>
                    <input type="hidden" name="endpoint_id" value=id_test/>
                    <SecondaryButton label="Send test event" pending=test.pending()/>
                </ActionForm>
                <ActionForm action=toggle>
                    <input type="hidden" name="endpoint_id" value=id_toggle/>
                    <input type="hidden" name="enabled" value=if e.enabled { "false" } else { "true" }/>
                    {if e.enabled {
                        view! { <SecondaryButton label="Disable" pending=toggle.pending()/> }.into_any()
                    } else {
                        view! { <SecondaryButton label="Enable" pending=toggle.pending()/> }.into_any()
                    }}
                </ActionForm>
                {(!e.is_status)
                    .then(|| {
                        view! {
                            <ActionForm action=delete>
                                <input type="hidden" name="endpoint_id" value=id_delete.clone()/>
                                <SecondaryButton label="Delete endpoint" pending=delete.pending() danger=true/>
                            </ActionForm>
                        }
                    })}
            </div>
        </section>
    }
}

#[component]
fn SecretPanel(endpoint_id: String) -> impl IntoView {
    let reveal = ServerAction::<RevealWebhookSecret>::new();
    let rotate = ServerAction::<RotateWebhookSecret>::new();
    let shown = RwSignal::new(None::<(String, bool)>);
    on_action_ok(reveal, move |s| shown.set(Some((s.clone(), false))));
    on_action_ok(rotate, move |s| shown.set(Some((s.clone(), true))));
    // After a plain form post (no JavaScript) the page comes back with `?reveal=1`.
    let query = use_query_map();
    let id_query = endpoint_id.clone();
    let revealed = Resource::new(
        move || query.with(|q| (q.get("reveal").is_some(), q.get("rotated").is_some())),
        move |(reveal, rotated)| {
            let id = id_query.clone();
            async move {
                if reveal {
                    reveal_webhook_secret(id).await.map(|s| Some((s, rotated)))
                } else {
                    Ok(None)
                }
            }
        },
    );
    let (id_reveal, id_rotate) = (endpoint_id.clone(), endpoint_id);
    view! {
        <section aria-labelledby="secret-heading" class="space-y-3">
            <h2 id="secret-heading" class=HEADING>"Signing secret"</h2>
            <Card>
                <div class="space-y-3 text-sm text-slate-600">
                    <p>
                        "Each delivery carries " <code>"webhook-id"</code> ", " <code>"webhook-timestamp"</code> " and "
                        <code>"webhook-signature"</code> " (HMAC-SHA256 of id.timestamp.body, Standard Webhooks). After a rotation the old secret also signs for 24 hours."
                    </p>
                    <FormError error=ServerErrors::of(reveal).error()/>
                    <FormError error=ServerErrors::of(rotate).error()/>
                    <Transition fallback=|| ()>
                    {move || {
                        shown
                            .get()
                            .or_else(|| revealed.get().and_then(Result::ok).flatten())
                            .map(|(s, rotated)| {
                                view! {
                                    <div class="rounded-lg bg-slate-50 p-3" aria-live="polite">
                                        {rotated.then(|| view! { <p class="mb-1 text-emerald-700">"New secret; the old one still signs for 24 hours."</p> })}
                                        <code class="break-all font-mono text-slate-900" data-testid="webhook-secret">{s}</code>
                                    </div>
                                }
                            })
                    }}
                    </Transition>
                    <div class="flex flex-wrap gap-2">
                        <ActionForm action=reveal>
                            <input type="hidden" name="endpoint_id" value=id_reveal/>
                            <SecondaryButton label="Reveal secret" pending=reveal.pending()/>
                        </ActionForm>
                        <ActionForm action=rotate>
                            <input type="hidden" name="endpoint_id" value=id_rotate/>
                            <SecondaryButton label="Rotate secret" pending=rotate.pending()/>
                        </ActionForm>
                    </div>
                </div>
            </Card>
        </section>
    }
}

#[component]
fn DeliveryLog(project: ProjectView, endpoint_id: String, log_refresh: RwSignal<u64>) -> impl IntoView {
    let query = use_query_map();
    let feed = use_project_feed(project.id.clone(), "webhook");
    {
        let id = endpoint_id.clone();
        refresh_on_changes(feed, std::time::Duration::from_millis(500), move |c| c.id == id, move || log_refresh.update(|n| *n += 1));
    }
    let id = endpoint_id.clone();
    let page = Resource::new(
        move || (log_refresh.get(), query.with(|q| (q.get("state").unwrap_or_default(), q.get("cursor").unwrap_or_default()))),
        move |(_, (state, cursor))| list_webhook_deliveries(id.clone(), Some(state).filter(|s| !s.is_empty()), Some(cursor).filter(|c| !c.is_empty())),
    );
    let replay_one = ServerAction::<ReplayWebhookDelivery>::new();
    let replay_failed = ServerAction::<ReplayFailedWebhooks>::new();
    let done = RwSignal::new(None::<String>);
    on_action_ok(replay_one, move |_| {
        done.set(Some("Delivery queued again.".into()));
        log_refresh.update(|n| *n += 1);
    });
    on_action_ok(replay_failed, move |n| {
        done.set(Some(format!("{n} failed deliveries queued again.")));
        log_refresh.update(|n| *n += 1);
    });
    let replay_errors = ServerErrors::of(replay_failed);
    let base = format!("/settings/webhooks/{endpoint_id}");
    let state_now = move || query.with(|q| q.get("state").unwrap_or_default());
    let (id_table, id_replay) = (endpoint_id.clone(), endpoint_id.clone());
    view! {
        <section aria-labelledby="log-heading" class="space-y-3">
            <div class="flex flex-wrap items-end justify-between gap-3">
                <h2 id="log-heading" class=HEADING>"Delivery log"</h2>
                <form method="get" action=base.clone() class="flex items-end gap-2">
                    <div>
                        <label for="log-state" class="block text-sm font-medium text-slate-700">"Show"</label>
                        <select id="log-state" name="state" class=SELECT_CLASS>
                            {[("", "All deliveries"), ("pending", "Pending"), ("succeeded", "Succeeded"), ("failed", "Failed")]
                                .into_iter()
                                .map(|(v, l)| view! { <option value=v selected=move || state_now() == v>{l}</option> })
                                .collect_view()}
                        </select>
                    </div>
                    <button type="submit" class=SECONDARY_BUTTON>"Filter"</button>
                </form>
            </div>
            {move || done.get().map(|m| view! { <Status><p>{m}</p></Status> })}
            <FormError error=ServerErrors::of(replay_one).error()/>
            <Transition fallback=|| view! { <LoadingPanel label="Loading deliveries…"/> }>
                {move || {
                    page.get()
                        .map(|r| match r {
                            Ok(p) if p.deliveries.is_empty() => {
                                view! {
                                    <EmptyState
                                        title="No deliveries"
                                        description="Events sent to this endpoint appear here with every attempt. Send a test event to try it."
                                    >
                                        <Icon kind=IconKind::Key class="size-6"/>
                                    </EmptyState>
                                }
                                    .into_any()
                            }
                            Ok(p) => view! { <DeliveryTable page=p endpoint_id=id_table.clone() replay=replay_one/> }.into_any(),
                            Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                        })
                }}
            </Transition>
            <Card>
                <ActionForm action=replay_failed attr:class="flex flex-wrap items-end gap-3">
                    <input type="hidden" name="endpoint_id" value=id_replay/>
                    <div class="min-w-[14rem] flex-1">
                        <label for="since" class="block text-sm font-medium text-slate-700">"Replay every failed delivery since (UTC)"</label>
                        <input id="since" name="since" type="datetime-local" required=true class=INPUT_CLASS/>
                        {move || {
                            replay_errors.error().with(|e| e.as_ref().and_then(|e| e.field_message("since")).map(str::to_string))
                                .map(|m| view! { <p role="alert" class="mt-1 text-sm text-red-700">{m}</p> })
                        }}
                    </div>
                    <SubmitButton label="Replay failed" pending=replay_failed.pending()/>
                </ActionForm>
            </Card>
        </section>
    }
}

#[component]
fn DeliveryTable(page: DeliveryPage, endpoint_id: String, replay: ServerAction<ReplayWebhookDelivery>) -> impl IntoView {
    let query = use_query_map();
    let state = query.with_untracked(|q| q.get("state").unwrap_or_default());
    let base = format!("/settings/webhooks/{endpoint_id}");
    let next = page.next_cursor.map(|c| format!("{base}?state={}&cursor={}", encode_query_value(&state), encode_query_value(&c)));
    view! {
        <Card class="overflow-x-auto p-0">
            <table class="min-w-full divide-y divide-slate-200 text-left text-sm" aria-label="Deliveries">
                <thead class="bg-slate-50 text-xs font-medium uppercase tracking-wide text-slate-500">
                    <tr>
                        <th scope="col" class="px-4 py-3">"Event"</th>
                        <th scope="col" class="px-4 py-3">"State"</th>
                        <th scope="col" class="px-4 py-3">"Attempts"</th>
                        <th scope="col" class="px-4 py-3">"Last answer"</th>
                        <th scope="col" class="px-4 py-3">"Created"</th>
                        <th scope="col" class="px-4 py-3"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {page.deliveries.into_iter().map(|d| view! { <DeliveryRow delivery=d endpoint_id=endpoint_id.clone() replay=replay/> }).collect_view()}
                </tbody>
            </table>
        </Card>
        <div class="flex justify-end gap-2">
            {query.with_untracked(|q| q.get("cursor").is_some()).then(|| view! { <a href=base.clone() class=SECONDARY_BUTTON>"Newest"</a> })}
            {next.map(|href| view! { <a href=href class=SECONDARY_BUTTON>"Older deliveries"</a> })}
        </div>
    }
}

#[component]
fn DeliveryRow(delivery: WebhookDeliveryView, endpoint_id: String, replay: ServerAction<ReplayWebhookDelivery>) -> impl IntoView {
    let d = delivery;
    let open = RwSignal::new(false);
    let last = match (d.last_status, &d.last_error) {
        (Some(s), _) => s.to_string(),
        (None, Some(e)) => e.clone(),
        (None, None) => "—".to_string(),
    };
    let detail_id = format!("delivery-{}", d.id);
    let (eid, did) = (endpoint_id.clone(), d.id.clone());
    let detail = Resource::new(
        move || open.get(),
        move |o| {
            let (eid, did) = (eid.clone(), did.clone());
            async move {
                if o {
                    webhook_delivery(eid, did).await.map(Some)
                } else {
                    Ok(None)
                }
            }
        },
    );
    let pending = d.state == DeliveryState::Pending;
    let (row_id, replay_id) = (d.id.clone(), d.id.clone());
    let replay_context = format!("{} {}", d.event_type.as_str(), d.event_id);
    let attempts_of = replay_context.clone();
    view! {
        <tr data-delivery=row_id data-event-type=d.event_type.as_str()>
            <td class="px-4 py-3">
                <span class="font-mono text-slate-900">{d.event_type.as_str()}</span>
                <span class="block text-xs text-slate-500">{d.event_id.clone()}</span>
            </td>
            <td class="px-4 py-3">{state_badge(d.state)}</td>
            <td class="px-4 py-3 text-slate-700">{d.attempts}</td>
            <td class="max-w-[16rem] truncate px-4 py-3 text-slate-700" title=last.clone()>{last.clone()}</td>
            <td class="whitespace-nowrap px-4 py-3 text-slate-600">{format_time(d.created_at)}</td>
            <td class="whitespace-nowrap px-4 py-3 text-right">
                <div class="flex justify-end gap-2">
                    <button
                        type="button"
                        class=SECONDARY_BUTTON
                        aria-expanded=move || if open.get() { "true" } else { "false" }
                        aria-controls=detail_id.clone()
                        on:click=move |_| open.update(|o| *o = !*o)
                    >
                        "Attempts"
                        <span class="sr-only">{format!(" of {}", attempts_of)}</span>
                    </button>
                    {(!pending)
                        .then(|| {
                            view! {
                                <ActionForm action=replay>
                                    <input type="hidden" name="endpoint_id" value=endpoint_id.clone()/>
                                    <input type="hidden" name="delivery_id" value=replay_id.clone()/>
                                    <SecondaryButton label="Replay" context=replay_context.clone() pending=replay.pending()/>
                                </ActionForm>
                            }
                        })}
                </div>
            </td>
        </tr>
        <tr id=detail_id class=move || if open.get() { "" } else { "hidden" }>
            <td colspan="6" class="bg-slate-50 px-4 py-3">
                <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
                    {move || {
                        detail
                            .get()
                            .map(|r| match r {
                                Ok(Some(x)) => {
                                    view! {
                                        <div class="space-y-3">
                                            <ol class="space-y-1 text-sm" aria-label="Attempts">
                                                {x.attempts
                                                    .into_iter()
                                                    .map(|a| {
                                                        let answer = match (a.status_code, a.error) {
                                                            (Some(s), Some(e)) => format!("{s} ({e})"),
                                                            (Some(s), None) => s.to_string(),
                                                            (None, Some(e)) => e,
                                                            (None, None) => "no answer".into(),
                                                        };
                                                        view! {
                                                            <li class="text-slate-700">
                                                                {format!("#{} · {} · {} · {} ms", a.attempt, format_time(a.attempted_at), answer, a.duration_ms)}
                                                                {(!a.response_excerpt.is_empty())
                                                                    .then(|| view! { <pre class="mt-1 max-h-32 overflow-auto whitespace-pre-wrap break-all rounded bg-white p-2 text-xs text-slate-600">{a.response_excerpt}</pre> })}
                                                            </li>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </ol>
                                            <details>
                                                <summary class="cursor-pointer text-sm font-medium text-slate-700">"Body sent"</summary>
                                                <pre class="mt-1 max-h-64 overflow-auto whitespace-pre-wrap break-all rounded bg-white p-2 text-xs text-slate-700">{x.body}</pre>
                                            </details>
                                        </div>
                                    }
                                        .into_any()
                                }
                                Ok(None) => ().into_any(),
                                Err(e) => view! { <p role="alert" class="text-sm text-red-700">{e.message}</p> }.into_any(),
                            })
                    }}
                </Suspense>
            </td>
        </tr>
    }
}
