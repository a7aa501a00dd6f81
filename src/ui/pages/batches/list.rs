//! `/batches`: the active project's batches, newest first, a page at a time (plain links carrying
//! the cursor, so paging works before hydration). After hydration, changes of any of the
//! project's batches re-read the visible page, at most about three times a second.

use super::live::{refresh_on_changes, use_batch_feed};
use super::{BatchProgressBar, BatchStatusBadge, PRIMARY_LINK};
use crate::model::{AppError, ProjectView};
use crate::server_fns::batches::{list_batches, BatchListItem, BatchListPage};
use crate::ui::components::icons::{Icon, IconKind};
use crate::ui::components::{Alert, Card, EmptyState};
use crate::ui::layout::{project_resource, with_project, LoadingPanel};
use crate::ui::pages::TEXT_LINK;
use crate::ui::util::{encode_query_value, format_time};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use std::time::Duration;

#[component]
pub fn BatchesPage() -> impl IntoView {
    let query = use_query_map();
    let cursor = Memo::new(move |_| query.with(|m| m.get("cursor").unwrap_or_default()));
    let refresh = RwSignal::new(0u64);
    let page = project_resource(move || (cursor.get(), refresh.get()), |pid, (c, _)| list_batches(pid, Some(c)));
    view! {
        <Title text="Batches · Talkdeck"/>
        {with_project(move |p| view! { <BatchesBody project=p cursor=cursor refresh=refresh page=page/> }.into_any())}
    }
}

#[component]
fn BatchesBody(project: ProjectView, cursor: Memo<String>, refresh: RwSignal<u64>, page: Resource<Result<BatchListPage, AppError>>) -> impl IntoView {
    let can_edit = project.role.can_edit();
    let feed = use_batch_feed(project.id.clone());
    refresh_on_changes(feed, Duration::from_millis(300), |_| true, move || refresh.update(|r| *r += 1));
    view! {
        <div class="mb-6 flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight text-slate-900">"Batches"</h1>
                <p class="mt-1 text-slate-600">"Outbound campaigns that call a list of contacts, newest first."</p>
            </div>
            {can_edit.then(|| view! {
                <a href="/batches/new" class=PRIMARY_LINK>
                    <Icon kind=IconKind::Plus class="size-4"/>
                    "New batch"
                </a>
            })}
        </div>
        <Transition fallback=|| view! { <LoadingPanel label="Loading batches…"/> }>
            {move || page.get().map(|r| match r {
                Ok(p) => view! { <BatchTable page=p first=cursor.get_untracked().is_empty() can_edit=can_edit/> }.into_any(),
                Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn BatchTable(page: BatchListPage, first: bool, can_edit: bool) -> impl IntoView {
    if page.batches.is_empty() {
        if !first {
            return view! {
                <EmptyState title="No older batches" description="You have reached the oldest batch.">
                    <Icon kind=IconKind::Batches class="size-6"/>
                </EmptyState>
                <p class="mt-4 text-sm"><a href="/batches" class=TEXT_LINK>"← Newest batches"</a></p>
            }
            .into_any();
        }
        return view! {
            <EmptyState
                title="No batches yet"
                description="Upload a CSV or spreadsheet of numbers and an agent calls each of them, at the pace and hours you choose."
            >
                <Icon kind=IconKind::Batches class="size-6"/>
            </EmptyState>
            {can_edit.then(|| view! {
                <div class="mt-4 flex justify-center">
                    <a href="/batches/new" class=PRIMARY_LINK>
                        <Icon kind=IconKind::Plus class="size-4"/>
                        "New batch"
                    </a>
                </div>
            })}
        }
        .into_any();
    }
    let older = page.next_cursor.as_ref().map(|c| format!("/batches?cursor={}", encode_query_value(c)));
    view! {
        <Card class="overflow-x-auto p-0">
            <table class="min-w-full divide-y divide-slate-200 text-left text-sm">
                <caption class="sr-only">"Batches, newest first"</caption>
                <thead class="bg-slate-50 text-xs font-medium uppercase tracking-wide text-slate-500">
                    <tr>
                        <th scope="col" class="px-4 py-3">"Name"</th>
                        <th scope="col" class="hidden px-4 py-3 sm:table-cell">"Agent"</th>
                        <th scope="col" class="px-4 py-3">"Status"</th>
                        <th scope="col" class="px-4 py-3">"Progress"</th>
                        <th scope="col" class="hidden px-4 py-3 md:table-cell">"Valid / total rows"</th>
                        <th scope="col" class="hidden px-4 py-3 md:table-cell">"Created"</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {page.batches.into_iter().map(|b| view! { <BatchRow item=b/> }).collect_view()}
                </tbody>
            </table>
        </Card>
        <nav aria-label="Pages of batches" class="mt-4 flex items-center justify-between text-sm">
            <span>{(!first).then(|| view! { <a href="/batches" class=TEXT_LINK>"← Newest batches"</a> })}</span>
            <span>{older.map(|href| view! { <a href=href class=TEXT_LINK rel="next">"Older batches →"</a> })}</span>
        </nav>
    }
    .into_any()
}

#[component]
fn BatchRow(item: BatchListItem) -> impl IntoView {
    let b = item.batch;
    let href = format!("/batches/{}", b.id);
    let agent = item.agent_name.unwrap_or_else(|| "Deleted agent".into());
    let agent_small = agent.clone();
    let (id, name) = (b.id.clone(), b.name.clone());
    let rows = format!("{} / {}", b.valid_rows, b.total_rows);
    view! {
        <tr class="hover:bg-slate-50" data-batch-id=id>
            <td class="max-w-[14rem] px-4 py-3">
                <a href=href class=format!("{TEXT_LINK} block truncate")>{name}</a>
                <span class="block truncate text-xs text-slate-500 sm:hidden">{agent_small}</span>
            </td>
            <td class="hidden max-w-[12rem] truncate px-4 py-3 text-slate-700 sm:table-cell">{agent}</td>
            <td class="px-4 py-3"><BatchStatusBadge status=b.status/></td>
            <td class="w-40 px-4 py-3"><BatchProgressBar progress=b.progress total=b.valid_rows/></td>
            <td class="hidden whitespace-nowrap px-4 py-3 tabular-nums text-slate-700 md:table-cell">{rows}</td>
            <td class="hidden whitespace-nowrap px-4 py-3 text-slate-600 md:table-cell">{format_time(b.created_at)}</td>
        </tr>
    }
}
