//! `/settings/do-not-call`: the active project's do-not-call list, numbers batch calls never
//! dial. Everyone in the project reads it; admins and owners add numbers (typed, or from a file's
//! number column) and remove them. Both forms work without JavaScript.

use super::SettingsHeader;
use crate::model::{DoNotCallView, ProjectView};
use crate::server_fns::do_not_call::{list_do_not_call, AddDoNotCall, DncPage, RemoveDoNotCall};
use crate::ui::components::icons::{Icon, IconKind};
use crate::ui::components::{
    on_action_ok, Alert, Card, EmptyState, FormError, Notice, SecondaryButton, ServerErrors, Status, SubmitButton, TextAreaField, FILE_INPUT_CLASS, INPUT_CLASS,
    SECONDARY_BUTTON,
};
use crate::ui::layout::{with_project, LoadingPanel};
use crate::ui::util::{encode_query_value, format_time};
use leptos::html::Form;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn DoNotCallPage() -> impl IntoView {
    view! {
        <SettingsHeader title="Do-not-call list" description="Numbers that batch calls in the active project never dial."/>
        {with_project(move |p| view! { <DoNotCall project=p/> }.into_any())}
    }
}

/// What the page was sent back with after a form post without JavaScript.
fn outcome_text(added: usize, already: usize) -> String {
    let plural = |n: usize| if n == 1 { "number" } else { "numbers" };
    match (added, already) {
        (0, 0) => "Nothing was added.".to_string(),
        (a, 0) => format!("{a} {} added.", plural(a)),
        (0, b) => format!("Already on the list: {b} {}.", plural(b)),
        (a, b) => format!("{a} {} added; {b} already on the list.", plural(a)),
    }
}

#[component]
fn DoNotCall(project: ProjectView) -> impl IntoView {
    let query = use_query_map();
    let refresh = RwSignal::new(0u64);
    let pid = project.id.clone();
    let entries = Resource::new(
        move || (refresh.get(), query.with(|q| q.get("cursor").unwrap_or_default())),
        move |(_, cursor)| list_do_not_call(pid.clone(), Some(cursor).filter(|c| !c.is_empty())),
    );
    let add = ServerAction::<AddDoNotCall>::new();
    let remove = ServerAction::<RemoveDoNotCall>::new();
    let result = RwSignal::new(None::<String>);
    let form = NodeRef::<Form>::new();
    on_action_ok(add, move |r| {
        result.set(Some(outcome_text(r.added, r.already_listed)));
        refresh.update(|n| *n += 1);
        if let Some(f) = form.get_untracked() {
            f.reset();
        }
    });
    on_action_ok(remove, move |_| {
        result.set(Some("Number removed from the list.".to_string()));
        refresh.update(|n| *n += 1);
    });
    // Counts and errors of form posts made without JavaScript (and of the file upload).
    let from_query = move || {
        query.with(|q| {
            if q.get("removed").is_some() {
                return Some(Ok("Number removed from the list.".to_string()));
            }
            if let Some(e) = q.get("error") {
                return Some(Err(e));
            }
            let n = |k: &str| q.get(k).and_then(|v| v.parse::<usize>().ok());
            n("added").map(|a| Ok(outcome_text(a, n("already").unwrap_or(0))))
        })
    };
    let can_manage = project.role.can_manage();
    let add_errors = ServerErrors::of(add);
    let project_id = project.id.clone();
    view! {
        <div class="space-y-6">
            {move || match (result.get(), from_query()) {
                (Some(text), _) | (None, Some(Ok(text))) => Some(view! { <Status><p data-testid="dnc-result">{text}</p></Status> }.into_any()),
                (None, Some(Err(e))) => Some(view! { <Alert><p data-testid="dnc-error">{e}</p></Alert> }.into_any()),
                (None, None) => None,
            }}
            {if can_manage {
                let (pid, pid_file) = (project_id.clone(), project_id.clone());
                view! {
                    <section aria-labelledby="dnc-add-heading" class="space-y-3">
                        <h2 id="dnc-add-heading" class="text-base font-semibold text-slate-900">"Add numbers"</h2>
                        <div class="grid gap-4 lg:grid-cols-2">
                            <Card>
                                <ActionForm action=add node_ref=form attr:class="space-y-4">
                                    <input type="hidden" name="project_id" value=pid/>
                                    <FormError error=add_errors.error() fields=&["numbers"]/>
                                    <TextAreaField
                                        label="Numbers"
                                        name="numbers"
                                        server=add_errors
                                        rows=4
                                        hint="One per line, or separated by commas. National numbers are read as US numbers."
                                    />
                                    <div class="space-y-1.5">
                                        <label for="dnc-note" class="block text-sm font-medium text-slate-700">"Note (optional)"</label>
                                        <input id="dnc-note" name="note" type="text" maxlength="500" autocomplete="off" class=INPUT_CLASS placeholder="Asked not to be called"/>
                                    </div>
                                    <div class="flex justify-end">
                                        <SubmitButton label="Add to list" pending=add.pending()/>
                                    </div>
                                </ActionForm>
                            </Card>
                            <Card>
                                <form method="post" action="/do-not-call/upload" enctype="multipart/form-data" class="space-y-4">
                                    <input type="hidden" name="project_id" value=pid_file/>
                                    <div class="space-y-1.5">
                                        <label for="dnc-file" class="block text-sm font-medium text-slate-700">"Numbers file"</label>
                                        <input
                                            id="dnc-file"
                                            name="file"
                                            type="file"
                                            required=true
                                            accept=".csv,.tsv,.txt,.xlsx,.xls,.ods,text/csv"
                                            class=FILE_INPUT_CLASS
                                            aria-describedby="dnc-file-hint"
                                        />
                                        <p id="dnc-file-hint" class="text-sm text-slate-500">
                                            "CSV or spreadsheet with a column named “number” (or “phone”), up to 10,000 numbers."
                                        </p>
                                    </div>
                                    <div class="space-y-1.5">
                                        <label for="dnc-file-note" class="block text-sm font-medium text-slate-700">"Note for these numbers (optional)"</label>
                                        <input id="dnc-file-note" name="note" type="text" maxlength="500" autocomplete="off" class=INPUT_CLASS/>
                                    </div>
                                    <div class="flex justify-end">
                                        <button type="submit" class=SECONDARY_BUTTON>"Upload numbers"</button>
                                    </div>
                                </form>
                            </Card>
                        </div>
                    </section>
                }
                    .into_any()
            } else {
                view! {
                    <Notice>
                        <p>"Admins and owners can add and remove numbers. You can see the list."</p>
                    </Notice>
                }
                    .into_any()
            }}
            <section aria-labelledby="dnc-list-heading" class="space-y-3">
                <h2 id="dnc-list-heading" class="text-base font-semibold text-slate-900">"Numbers on the list"</h2>
                <FormError error=ServerErrors::of(remove).error()/>
                <Transition fallback=|| view! { <LoadingPanel label="Loading the list…"/> }>
                    {move || {
                        entries
                            .get()
                            .map(|r| match r {
                                Ok(page) if page.entries.is_empty() => {
                                    view! {
                                        <EmptyState
                                            title="No numbers on the list"
                                            description="Numbers added here are skipped by every batch of this project, even one already running."
                                        >
                                            <Icon kind=IconKind::PhoneNumbers class="size-6"/>
                                        </EmptyState>
                                    }
                                        .into_any()
                                }
                                Ok(page) => view! { <DncTable page=page can_manage=can_manage remove=remove/> }.into_any(),
                                Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                            })
                    }}
                </Transition>
            </section>
        </div>
    }
}

#[component]
fn DncTable(page: DncPage, can_manage: bool, remove: ServerAction<RemoveDoNotCall>) -> impl IntoView {
    let next = page.next_cursor.map(|c| format!("/settings/do-not-call?cursor={}", encode_query_value(&c)));
    view! {
        <Card class="overflow-x-auto p-0">
            <table class="min-w-full divide-y divide-slate-200 text-left text-sm" aria-label="Do-not-call numbers">
                <thead class="bg-slate-50 text-xs font-medium uppercase tracking-wide text-slate-500">
                    <tr>
                        <th scope="col" class="px-4 py-3">"Number"</th>
                        <th scope="col" class="px-4 py-3">"Note"</th>
                        <th scope="col" class="px-4 py-3">"Added"</th>
                        {can_manage.then(|| view! { <th scope="col" class="px-4 py-3"><span class="sr-only">"Actions"</span></th> })}
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {page.entries.into_iter().map(|e| view! { <DncRow entry=e can_manage=can_manage remove=remove/> }).collect_view()}
                </tbody>
            </table>
        </Card>
        <div class="flex justify-end gap-2">
            {move || {
                let on_later_page = use_query_map().with(|q| q.get("cursor").is_some());
                on_later_page.then(|| view! { <a href="/settings/do-not-call" class=SECONDARY_BUTTON>"Newest"</a> })
            }}
            {next.map(|href| view! { <a href=href class=SECONDARY_BUTTON>"Older numbers"</a> })}
        </div>
    }
}

#[component]
fn DncRow(entry: DoNotCallView, can_manage: bool, remove: ServerAction<RemoveDoNotCall>) -> impl IntoView {
    let number = entry.number.clone();
    view! {
        <tr data-number=entry.number.clone()>
            <td class="whitespace-nowrap px-4 py-3 font-mono text-slate-900">{entry.number.clone()}</td>
            <td class="max-w-[20rem] break-words px-4 py-3 text-slate-600">{entry.note.clone()}</td>
            <td class="whitespace-nowrap px-4 py-3 text-slate-600">{format_time(entry.created_at)}</td>
            {can_manage.then(|| {
                view! {
                    <td class="px-4 py-3 text-right">
                        <ActionForm action=remove>
                            <input type="hidden" name="entry_id" value=entry.id.clone()/>
                            <SecondaryButton label="Remove" context=number pending=remove.pending() danger=true/>
                        </ActionForm>
                    </td>
                }
            })}
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::outcome_text;

    #[test]
    fn outcomes_read_naturally() {
        assert_eq!(outcome_text(1, 0), "1 number added.");
        assert_eq!(outcome_text(3, 2), "3 numbers added; 2 already on the list.");
        assert_eq!(outcome_text(0, 1), "Already on the list: 1 number.");
        assert_eq!(outcome_text(0, 0), "Nothing was added.");
    }
}
