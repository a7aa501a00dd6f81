//! `/settings/audit-log`: what happened on the active project (admins and owners).

use super::SettingsHeader;
use crate::model::{AuditEntryView, ProjectView};
use crate::server_fns::projects::audit_log;
use crate::ui::components::icons::{Icon, IconKind};
use crate::ui::components::{Alert, Card, EmptyState, Notice};
use crate::ui::layout::{with_project, LoadingPanel};
use crate::ui::util::format_time;
use leptos::prelude::*;

#[component]
pub fn AuditLogPage() -> impl IntoView {
    view! {
        <SettingsHeader title="Audit log" description="Changes to the active project: who did what, and when."/>
        {with_project(move |p| {
            if p.role.can_manage() {
                view! { <AuditEntries project=p/> }.into_any()
            } else {
                view! {
                    <Notice>
                        <p>"Only admins and owners can see the audit log of this project."</p>
                    </Notice>
                }
                    .into_any()
            }
        })}
    }
}

#[component]
fn AuditEntries(project: ProjectView) -> impl IntoView {
    let entries = Resource::new(move || project.id.clone(), audit_log);
    view! {
        <Transition fallback=|| view! { <LoadingPanel label="Loading the audit log…"/> }>
            {move || {
                entries
                    .get()
                    .map(|r| match r {
                        Ok(list) if list.is_empty() => {
                            view! {
                                <EmptyState title="Nothing recorded yet" description="Changes to this project, its team and its keys will be listed here.">
                                    <Icon kind=IconKind::Audit class="size-6"/>
                                </EmptyState>
                            }
                                .into_any()
                        }
                        Ok(list) => view! { <AuditTable entries=list/> }.into_any(),
                        Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                    })
            }}
        </Transition>
    }
}

/// "System" for background work; an API key's entries name its creator.
fn actor_label(e: &AuditEntryView) -> String {
    match (e.actor_kind.as_str(), e.actor_email.as_deref()) {
        ("system", _) | (_, None) => "System".to_string(),
        ("api_key", Some(email)) => format!("{email} (API key)"),
        (_, Some(email)) => email.to_string(),
    }
}

#[component]
fn AuditTable(entries: Vec<AuditEntryView>) -> impl IntoView {
    view! {
        <Card class="overflow-x-auto p-0">
            <table class="min-w-full divide-y divide-slate-200 text-left text-sm">
                <caption class="sr-only">"Audit log entries, newest first"</caption>
                <thead class="bg-slate-50 text-xs font-medium uppercase tracking-wide text-slate-500">
                    <tr>
                        <th scope="col" class="px-4 py-3">"When"</th>
                        <th scope="col" class="px-4 py-3">"Who"</th>
                        <th scope="col" class="px-4 py-3">"Action"</th>
                        <th scope="col" class="px-4 py-3">"Target"</th>
                        <th scope="col" class="px-4 py-3">"Details"</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {entries
                        .into_iter()
                        .map(|e| {
                            view! {
                                <tr>
                                    <td class="whitespace-nowrap px-4 py-3 text-slate-600">{format_time(e.created_at)}</td>
                                    <td class="px-4 py-3 text-slate-900">{actor_label(&e)}</td>
                                    <td class="px-4 py-3 font-mono text-xs text-slate-700">{e.action.clone()}</td>
                                    <td class="max-w-[14rem] truncate px-4 py-3 text-slate-600">{e.target.clone().unwrap_or_default()}</td>
                                    <td class="max-w-[20rem] break-words px-4 py-3 text-xs text-slate-600">{e.details.clone().unwrap_or_default()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </Card>
    }
}
