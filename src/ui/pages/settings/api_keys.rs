//! `/settings/api-keys`: the user's REST API keys. A new key's secret is shown once.

use super::SettingsHeader;
use crate::model::{ApiKeyCreated, ApiKeyView};
use crate::server_fns::projects::{list_api_keys, CreateApiKey, RevokeApiKey};
use crate::ui::components::icons::{Icon, IconKind};
use crate::ui::components::{
    on_action_ok, validate_all, Alert, Card, EmptyState, FieldState, FormError, Notice, SecondaryButton, ServerErrors, Status, SubmitButton, TextField, SECONDARY_BUTTON,
    SELECT_CLASS,
};
use crate::ui::layout::{use_projects, LoadingPanel};
use crate::ui::util::{format_time, write_clipboard};
use leptos::html::{Form, Input};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let projects = use_projects();
    let refresh = RwSignal::new(0u64);
    let keys = Resource::new(move || refresh.get(), |_| list_api_keys());
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let created = RwSignal::new(None::<ApiKeyCreated>);
    let revoked = RwSignal::new(false);
    let form = NodeRef::<Form>::new();
    on_action_ok(create, move |c| {
        created.set(Some(c.clone()));
        revoked.set(false);
        refresh.update(|n| *n += 1);
        if let Some(f) = form.get_untracked() {
            f.reset();
        }
    });
    on_action_ok(revoke, move |_| {
        revoked.set(true);
        refresh.update(|n| *n += 1);
    });
    let query = use_query_map();
    let revoked_without_js = move || query.with(|q| q.get("revoked").is_some());

    let server = ServerErrors::of(create);
    let name = FieldState::new("name", server, |v| v.trim().is_empty().then(|| "Enter a name for the key.".to_string()));
    let check = Callback::new(move |_| validate_all(&[name]));

    view! {
        <SettingsHeader
            title="API keys"
            description="Keys let your own software call the Talkdeck REST API on your behalf."
        />
        <div class="space-y-6">
            {move || created.get().map(|c| view! { <NewKey created=c/> })}
            {move || (revoked.get() || revoked_without_js()).then(|| view! { <Status><p>"API key revoked."</p></Status> })}
            <section aria-labelledby="create-key-heading" class="space-y-3">
                <h2 id="create-key-heading" class="text-base font-semibold text-slate-900">"Create a key"</h2>
                <Card>
                    <ActionForm action=create node_ref=form attr:class="space-y-4">
                        <FormError error=server.error() fields=&["name"]/>
                        <div class="grid gap-4 sm:grid-cols-2">
                            <TextField label="Key name" field=name required=true autocomplete="off" hint="For example the system that uses it."/>
                            <div class="space-y-1.5">
                                <label for="key-project" class="block text-sm font-medium text-slate-700">"Project"</label>
                                <Transition fallback=|| {
                                    view! {
                                        <select id="key-project" name="project_id" class=SELECT_CLASS aria-describedby="key-project-hint">
                                            <option value="">"All projects"</option>
                                        </select>
                                    }
                                }>
                                    {move || {
                                        let list = projects.list.get().and_then(Result::ok).unwrap_or_default();
                                        view! {
                                            <select id="key-project" name="project_id" class=SELECT_CLASS aria-describedby="key-project-hint">
                                                <option value="">"All projects"</option>
                                                {list
                                                    .into_iter()
                                                    .map(|p| view! { <option value=p.id.clone()>{p.name.clone()}</option> })
                                                    .collect_view()}
                                            </select>
                                        }
                                    }}
                                </Transition>
                                <p id="key-project-hint" class="text-sm text-slate-500">
                                    "A key for one project needs admin rights there."
                                </p>
                            </div>
                        </div>
                        <div class="flex justify-end">
                            <SubmitButton label="Create key" pending=create.pending() validate=check/>
                        </div>
                    </ActionForm>
                </Card>
            </section>
            <section aria-labelledby="keys-heading" class="space-y-3">
                <h2 id="keys-heading" class="text-base font-semibold text-slate-900">"Your keys"</h2>
                <FormError error=ServerErrors::of(revoke).error()/>
                <Transition fallback=|| view! { <LoadingPanel label="Loading keys…"/> }>
                    {move || {
                        keys.get()
                            .map(|r| match r {
                                Ok(list) if list.is_empty() => {
                                    view! {
                                        <EmptyState
                                            title="No API keys yet"
                                            description="Keys you create are listed here. Revoke a key as soon as it is no longer needed."
                                        >
                                            <Icon kind=IconKind::Key class="size-6"/>
                                        </EmptyState>
                                    }
                                        .into_any()
                                }
                                Ok(list) => view! { <KeyTable keys=list revoke=revoke/> }.into_any(),
                                Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                            })
                    }}
                </Transition>
            </section>
        </div>
    }
}

/// The secret of a key just created, shown once.
#[component]
fn NewKey(created: ApiKeyCreated) -> impl IntoView {
    let input = NodeRef::<Input>::new();
    let copied = RwSignal::new(false);
    let secret = created.secret.clone();
    let copy = move |_| {
        if let Some(el) = input.get_untracked() {
            el.select();
        }
        if write_clipboard(&secret) {
            copied.set(true);
        }
    };
    view! {
        <Status>
            <p class="font-medium">{format!("API key “{}” created.", created.key.name)}</p>
        </Status>
        <Card>
            <div class="space-y-2">
                <label for="new-api-key" class="block text-sm font-medium text-slate-700">"Your new API key"</label>
                <div class="flex flex-col gap-2 sm:flex-row">
                    <input
                        id="new-api-key"
                        type="text"
                        readonly=true
                        value=created.secret.clone()
                        node_ref=input
                        aria-describedby="new-api-key-note"
                        on:focus=move |_| {
                            if let Some(el) = input.get_untracked() {
                                el.select();
                            }
                        }
                        class="block w-full rounded-lg border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/40"
                    />
                    <button type="button" class=SECONDARY_BUTTON on:click=copy>
                        {move || if copied.get() { "Copied" } else { "Copy" }}
                    </button>
                </div>
                <div id="new-api-key-note">
                    <Notice>
                        <p>"Copy this key now and store it somewhere safe. It won’t be shown again."</p>
                    </Notice>
                </div>
            </div>
        </Card>
    }
}

#[component]
fn KeyTable(keys: Vec<ApiKeyView>, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    view! {
        <Card class="overflow-x-auto p-0">
            <table class="min-w-full divide-y divide-slate-200 text-left text-sm">
                <thead class="bg-slate-50 text-xs font-medium uppercase tracking-wide text-slate-500">
                    <tr>
                        <th scope="col" class="px-4 py-3">"Name"</th>
                        <th scope="col" class="px-4 py-3">"Key"</th>
                        <th scope="col" class="px-4 py-3">"Project"</th>
                        <th scope="col" class="px-4 py-3">"Created"</th>
                        <th scope="col" class="px-4 py-3">"Last used"</th>
                        <th scope="col" class="px-4 py-3"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {keys
                        .into_iter()
                        .map(|k| {
                            view! {
                                <tr>
                                    <td class="px-4 py-3 font-medium text-slate-900">{k.name.clone()}</td>
                                    <td class="px-4 py-3 font-mono text-xs text-slate-600">{format!("{}…", k.prefix)}</td>
                                    <td class="px-4 py-3 text-slate-600">
                                        {k.project_name.clone().unwrap_or_else(|| "All projects".to_string())}
                                    </td>
                                    <td class="whitespace-nowrap px-4 py-3 text-slate-600">{format_time(k.created_at)}</td>
                                    <td class="whitespace-nowrap px-4 py-3 text-slate-600">
                                        {k.last_used_at.map(format_time).unwrap_or_else(|| "Never".to_string())}
                                    </td>
                                    <td class="px-4 py-3 text-right">
                                        <ActionForm action=revoke>
                                            <input type="hidden" name="key_id" value=k.id.clone()/>
                                            <SecondaryButton label="Revoke" context=format!("key {}", k.name) pending=revoke.pending() danger=true/>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </Card>
    }
}
