//! `/batches/:id`: one batch. Its header (status, agent, file, counts) and progress; for a draft
//! the validation report (the rows that will not be called and why) and the options form with
//! "Start"; for a started batch Pause / Resume / Cancel as its status allows and the reason of a
//! pause; its rows with a state filter and cursor paging (`?state=…&after=…`, plain links and a
//! GET form, so they work before hydration); the results export. Live: changes of this batch
//! re-read the page (throttled).
//!
//! Start, pause, resume and cancel are server functions posted by `ActionForm`s, which are plain
//! form posts before hydration. Cancelling asks first through a disclosure, which needs no script.

use super::live::{refresh_on_changes, use_batch_feed, FocusKeeper};
use super::{row_state_label, BatchProgressBar, BatchStatusBadge, CHECKBOX, INPUT};
use crate::model::{AppError, BatchRowState, BatchRowView, BatchStatus, BatchView, ProjectView};
use crate::server_fns::batches::{
    batch_detail, batch_rows, BatchDetailData, BatchRowsPage, CancelBatch, PauseBatch, ResumeBatch, StartBatch, DAYS, REPORT_ROWS, RETRY_OUTCOMES,
};
use crate::ui::components::{on_action_ok, Alert, Card, FormError, ServerErrors, SubmitButton, DANGER_BUTTON, SECONDARY_BUTTON, SELECT_CLASS};
use crate::ui::layout::{project_resource, use_hydrated, with_project, LoadingPanel};
use crate::ui::pages::TEXT_LINK;
use crate::ui::util::{encode_query_value, format_time};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::time::Duration;

/// The rows table's filter and position, from the URL.
#[derive(Debug, Clone, PartialEq, Default)]
struct RowsAt {
    state: String,
    after: Option<i64>,
}

#[component]
pub fn BatchDetailPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let at = Memo::new(move |_| {
        query.with(|m| RowsAt {
            state: m.get("state").filter(|s| BatchRowState::parse(s).is_some()).unwrap_or_default(),
            after: m.get("after").and_then(|a| a.parse().ok()),
        })
    });
    let refresh = RwSignal::new(0u64);
    let detail = project_resource(move || (id.get(), refresh.get()), |_, (id, _)| batch_detail(id));
    let rows = project_resource(move || (id.get(), at.get(), refresh.get()), |_, (id, at, _)| batch_rows(id, Some(at.state), at.after));
    view! {
        <Title text="Batch · Talkdeck"/>
        <nav aria-label="Breadcrumb" class="mb-4 text-sm">
            <a href="/batches" class=TEXT_LINK>"← All batches"</a>
        </nav>
        {with_project(move |p| view! { <BatchDetailBody project=p id=id at=at refresh=refresh detail=detail rows=rows/> }.into_any())}
    }
}

#[component]
fn BatchDetailBody(
    project: ProjectView,
    id: Memo<String>,
    at: Memo<RowsAt>,
    refresh: RwSignal<u64>,
    detail: Resource<Result<BatchDetailData, AppError>>,
    rows: Resource<Result<BatchRowsPage, AppError>>,
) -> impl IntoView {
    let feed = use_batch_feed(project.id.clone());
    let focus = FocusKeeper::new();
    refresh_on_changes(
        feed,
        Duration::from_millis(300),
        move |c| c.id == id.get_untracked(),
        move || {
            focus.remember();
            refresh.update(|r| *r += 1)
        },
    );
    Effect::new(move |_| {
        detail.track();
        rows.track();
        focus.restore();
    });
    let actions = Actions {
        start: ServerAction::new(),
        pause: ServerAction::new(),
        resume: ServerAction::new(),
        cancel: ServerAction::new(),
        confirm_open: RwSignal::new(false),
    };
    on_action_ok(actions.start, move |_| refresh.update(|r| *r += 1));
    on_action_ok(actions.pause, move |_| refresh.update(|r| *r += 1));
    on_action_ok(actions.resume, move |_| refresh.update(|r| *r += 1));
    on_action_ok(actions.cancel, move |_| refresh.update(|r| *r += 1));
    let can_edit = project.role.can_edit();
    let max_concurrency = project.max_concurrent_calls.max(1);
    view! {
        <Transition fallback=|| view! { <LoadingPanel label="Loading the batch…"/> }>
            {move || detail.get().map(|r| match r {
                Ok(d) => view! { <BatchDetailView detail=d can_edit=can_edit max_concurrency=max_concurrency actions=actions/> }.into_any(),
                Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
            })}
        </Transition>
        <section aria-labelledby="rows-heading" class="mt-8 space-y-3">
            <h2 id="rows-heading" class="text-base font-semibold text-slate-900">"Rows"</h2>
            <RowsFilter id=id at=at/>
            <Transition fallback=|| view! { <LoadingPanel label="Loading rows…"/> }>
                {move || rows.get().map(|r| match r {
                    Ok(p) => view! { <RowsTable page=p id=id.get_untracked() at=at.get_untracked()/> }.into_any(),
                    Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    start: ServerAction<StartBatch>,
    pause: ServerAction<PauseBatch>,
    resume: ServerAction<ResumeBatch>,
    cancel: ServerAction<CancelBatch>,
    /// Whether the cancel confirmation is open: kept here so a live re-render leaves it open.
    confirm_open: RwSignal<bool>,
}

#[component]
fn Fact(label: &'static str, children: Children) -> impl IntoView {
    view! {
        <div>
            <dt class="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
            <dd class="mt-1 text-sm text-slate-900">{children()}</dd>
        </div>
    }
}

#[component]
fn BatchDetailView(detail: BatchDetailData, can_edit: bool, max_concurrency: i64, actions: Actions) -> impl IntoView {
    let BatchDetailData { batch: b, agent_name, numbers, bad_rows } = detail;
    let agent = match agent_name {
        Some(name) => view! { <a href=format!("/agents/{}", b.agent_id) class=TEXT_LINK>{name}</a> }.into_any(),
        None => view! { <span class="text-slate-500">"Deleted agent"</span> }.into_any(),
    };
    let invalid = b.total_rows - b.valid_rows;
    let window = match &b.window {
        None => "Any time".to_string(),
        Some(w) => format!("{} {} ({})", w.days.join(", "), w.ranges.join(", "), w.tz),
    };
    let export = format!("/batches/{}/export.csv", b.id);
    let is_draft = b.status == BatchStatus::Draft;
    let errors = [ServerErrors::of(actions.pause).error(), ServerErrors::of(actions.resume).error(), ServerErrors::of(actions.cancel).error()];
    let (concurrency, retries, start) = (b.concurrency, retry_text(&b), b.start_at.map(format_time).unwrap_or_else(|| "When started".into()));
    let started_facts = (!is_draft).then(move || {
        view! {
            <Fact label="Concurrency"><span class="tabular-nums">{concurrency}</span></Fact>
            <Fact label="Calling window">{window}</Fact>
            <Fact label="Retries">{retries}</Fact>
            <Fact label="Start">{start}</Fact>
        }
    });
    let (progress, valid_rows) = (b.progress, b.valid_rows);
    let draft_part = is_draft.then(|| {
        let for_report = b.clone();
        let for_form = b.clone();
        view! {
            <Report batch=for_report bad_rows=bad_rows/>
            {if can_edit {
                view! { <OptionsForm batch=for_form numbers=numbers max_concurrency=max_concurrency action=actions.start/> }.into_any()
            } else {
                view! { <p class="text-sm text-slate-600">"This batch has not been started. Members and above can start it."</p> }.into_any()
            }}
        }
    });
    let controls = can_edit.then(|| view! { <Controls batch=b.clone() actions=actions/> });
    view! {
        <div class="mb-6 flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
            <div class="min-w-0">
                <h1 class="flex flex-wrap items-center gap-3 text-2xl font-semibold tracking-tight text-slate-900">
                    <span class="break-words">{b.name.clone()}</span>
                    <BatchStatusBadge status=b.status/>
                </h1>
                <p class="mt-1 font-mono text-xs text-slate-500">{b.id.clone()}</p>
            </div>
            <div class="flex flex-wrap items-start gap-2">
                {(!is_draft).then(|| view! { <a href=export.clone() class=SECONDARY_BUTTON download="">"Export CSV"</a> })}
                {controls}
            </div>
        </div>
        <div class="space-y-6">
            {errors.into_iter().map(|e| view! { <FormError error=e/> }).collect_view()}
            {(b.status == BatchStatus::Paused).then(|| {
                let why = b.paused_reason.clone().unwrap_or_else(|| "Paused by a person.".into());
                view! {
                    <div class="rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" role="status">
                        <span class="font-medium">"Paused: "</span>{why}
                    </div>
                }
            })}
            {b.window_opens_at.filter(|_| b.status != BatchStatus::Paused).map(|at| {
                view! {
                    <div class="rounded-lg border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900" role="status" data-testid="window-wait">
                        <span class="font-medium">"The calling window is closed. "</span>
                        "Calls start when it opens, at " {format_time(at)} "."
                    </div>
                }
            })}
            <Card>
                <dl class="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-6">
                    <Fact label="Agent">{agent}</Fact>
                    <Fact label="File"><span class="break-all">{b.file_name.clone()}</span></Fact>
                    <Fact label="Rows"><span class="tabular-nums">{b.total_rows}</span></Fact>
                    <Fact label="Valid"><span class="tabular-nums">{b.valid_rows}</span></Fact>
                    <Fact label="Invalid"><span class="tabular-nums">{invalid}</span></Fact>
                    <Fact label="Created">{format_time(b.created_at)}</Fact>
                    {started_facts}
                </dl>
                <div class="mt-5">
                    <BatchProgressBar progress=progress total=valid_rows legend=true/>
                </div>
            </Card>
            {draft_part}
        </div>
    }
}

fn retry_text(b: &BatchView) -> String {
    if b.retry.on.is_empty() || b.retry.max_retries == 0 {
        "None".into()
    } else {
        format!("{} × on {}, {} min apart", b.retry.max_retries, b.retry.on.join(", "), b.retry.cooldown_seconds / 60)
    }
}

/// Pause, Resume and Cancel, as the status allows.
#[component]
fn Controls(batch: BatchView, actions: Actions) -> impl IntoView {
    let s = batch.status;
    let (id1, id2, id3) = (batch.id.clone(), batch.id.clone(), batch.id.clone());
    let can_pause = matches!(s, BatchStatus::Running | BatchStatus::Scheduled);
    let can_resume = s == BatchStatus::Paused;
    let can_cancel = !s.is_final() && s != BatchStatus::Draft;
    let pause = actions.pause;
    let resume = actions.resume;
    let cancel = actions.cancel;
    let confirm_open = actions.confirm_open;
    view! {
        {can_pause.then(move || view! {
            <ActionForm action=pause>
                <input type="hidden" name="batch_id" value=id1/>
                <button id="batch-pause" type="submit" class=SECONDARY_BUTTON disabled=move || pause.pending().get()>"Pause"</button>
            </ActionForm>
        })}
        {can_resume.then(move || view! {
            <ActionForm action=resume>
                <input type="hidden" name="batch_id" value=id2/>
                <button id="batch-resume" type="submit" class=SECONDARY_BUTTON disabled=move || resume.pending().get()>"Resume"</button>
            </ActionForm>
        })}
        {can_cancel.then(move || view! {
            <details class="group relative" open=move || confirm_open.get()>
                <summary
                    id="batch-cancel"
                    class=format!("{SECONDARY_BUTTON} cursor-pointer list-none text-red-700")
                    on:click=move |ev| {
                        // The signal alone opens and closes it, so a live re-render keeps it open.
                        ev.prevent_default();
                        confirm_open.update(|o| *o = !*o);
                    }
                >
                    "Cancel batch…"
                </summary>
                <div class="mt-2 rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-lg sm:absolute sm:right-0 sm:z-10 sm:w-72" role="group" aria-label="Confirm cancel">
                    <p class="text-slate-700">"Cancel this batch? Rows not yet called will never be called. Calls under way finish."</p>
                    <ActionForm action=cancel attr:class="mt-3">
                        <input type="hidden" name="batch_id" value=id3/>
                        <button id="batch-cancel-confirm" type="submit" class=DANGER_BUTTON disabled=move || cancel.pending().get()>"Yes, cancel the batch"</button>
                    </ActionForm>
                </div>
            </details>
        })}
    }
}

/// A draft's validation report: how many rows will be called and the bad ones with their problems.
#[component]
fn Report(batch: BatchView, bad_rows: Vec<BatchRowView>) -> impl IntoView {
    let invalid = batch.progress.invalid;
    let more = invalid > bad_rows.len() as i64;
    let good = batch.valid_rows;
    view! {
        <section aria-labelledby="report-heading" class="space-y-3">
            <h2 id="report-heading" class="text-base font-semibold text-slate-900">"Validation report"</h2>
            <Card>
                <p class="text-sm text-slate-900" data-testid="good-rows">
                    <span class="font-semibold tabular-nums">{good}</span>
                    {if good == 1 { " good row will be called." } else { " good rows will be called." }}
                </p>
                {if invalid == 0 {
                    view! { <p class="mt-1 text-sm text-slate-600">"Every row is valid."</p> }.into_any()
                } else {
                    view! {
                        <p class="mt-1 text-sm text-slate-600">
                            <span class="font-semibold tabular-nums">{invalid}</span>
                            {if invalid == 1 { " row cannot be called:" } else { " rows cannot be called:" }}
                        </p>
                        <div class="mt-3 overflow-x-auto">
                            <table class="min-w-full divide-y divide-slate-200 text-left text-sm" aria-label="Rows that cannot be called">
                                <thead class="bg-slate-50 text-xs font-medium uppercase tracking-wide text-slate-500">
                                    <tr>
                                        <th scope="col" class="px-3 py-2">"Row"</th>
                                        <th scope="col" class="px-3 py-2">"Number as typed"</th>
                                        <th scope="col" class="px-3 py-2">"Problems"</th>
                                    </tr>
                                </thead>
                                <tbody class="divide-y divide-slate-100">
                                    {bad_rows.into_iter().map(|r| view! {
                                        <tr data-row=r.row>
                                            <td class="whitespace-nowrap px-3 py-2 tabular-nums">{r.row}</td>
                                            <td class="px-3 py-2 font-mono text-xs">{if r.number.is_empty() { "(empty)".to_string() } else { r.number.clone() }}</td>
                                            <td class="px-3 py-2">
                                                <ul class="space-y-0.5">
                                                    {r.problems.into_iter().map(|p| view! { <li data-code=p.code.clone()>{p.message}</li> }).collect_view()}
                                                </ul>
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        {more.then(|| view! {
                            <p class="mt-2 text-xs text-slate-500">{format!("The first {REPORT_ROWS} are shown; filter the rows below on “Invalid” to see them all.")}</p>
                        })}
                    }
                        .into_any()
                }}
            </Card>
        </section>
    }
}

/// The first message among `fields` of a server error.
fn field_error(e: &Option<AppError>, fields: &[&str]) -> Option<String> {
    let e = e.as_ref()?;
    fields.iter().find_map(|f| e.field_message(f)).map(str::to_string)
}

const NUMBER_FIELDS: &[&str] = &["caller_numbers", "numbers"];
const CONCURRENCY_FIELDS: &[&str] = &["concurrency"];
const WINDOW_FIELDS: &[&str] = &["window", "window.tz", "tz", "window.days", "days", "window.ranges", "ranges"];
const RETRY_FIELDS: &[&str] = &["retry", "retry.on", "retry_on", "retry.max_retries", "max_retries", "retry.cooldown_seconds", "cooldown_seconds", "cooldown_minutes"];
const START_FIELDS: &[&str] = &["start_at"];
const ALL_FIELDS: &[&str] = &[
    "caller_numbers",
    "numbers",
    "concurrency",
    "window",
    "window.tz",
    "tz",
    "window.days",
    "days",
    "window.ranges",
    "ranges",
    "retry",
    "retry.on",
    "retry_on",
    "retry.max_retries",
    "max_retries",
    "retry.cooldown_seconds",
    "cooldown_seconds",
    "cooldown_minutes",
    "start_at",
];

#[component]
fn FieldMessage(error: Signal<Option<AppError>>, fields: &'static [&'static str], id: &'static str) -> impl IntoView {
    move || field_error(&error.get(), fields).map(|m| view! { <p id=id role="alert" class="text-sm text-red-700">{m}</p> })
}

#[component]
fn OptionsForm(batch: BatchView, numbers: Vec<crate::server_fns::batches::CallerNumberOption>, max_concurrency: i64, action: ServerAction<StartBatch>) -> impl IntoView {
    let hydrated = use_hydrated();
    let error = ServerErrors::of(action).error();
    let any_time = RwSignal::new(batch.window.is_none());
    let window = batch.window.clone();
    let (tz, days, ranges) = match &window {
        Some(w) => (w.tz.clone(), w.days.clone(), w.ranges.join(", ")),
        None => (String::new(), DAYS[..5].iter().map(|(d, _)| d.to_string()).collect(), "09:00-17:00".to_string()),
    };
    let retry = batch.retry.clone();
    let no_numbers = numbers.is_empty();
    view! {
        <section aria-labelledby="options-heading" class="space-y-3">
            <h2 id="options-heading" class="text-base font-semibold text-slate-900">"Options"</h2>
            <Card>
                <ActionForm action=action attr:class="space-y-6" attr:aria-labelledby="options-heading">
                    <input type="hidden" name="batch_id" value=batch.id.clone()/>
                    <FormError error=error fields=ALL_FIELDS/>
                    <fieldset class="space-y-2">
                        <legend class="text-sm font-medium text-slate-700">"Call from"</legend>
                        {if no_numbers {
                            view! { <p class="text-sm text-amber-900">"The agent has no outbound number. Assign one on the Phone numbers page, then come back."</p> }.into_any()
                        } else {
                            view! {
                                <p class="text-xs text-slate-500">"The batch rotates through the numbers you tick, row by row."</p>
                                <div class="grid gap-2 sm:grid-cols-2">
                                    {numbers.into_iter().enumerate().map(|(i, n)| {
                                        let checked = batch.caller_numbers.is_empty() || batch.caller_numbers.contains(&n.id);
                                        let id = format!("batch-number-{}", n.id);
                                        let for_id = id.clone();
                                        view! {
                                            <label for=for_id class="flex items-center gap-2 text-sm text-slate-800">
                                                <input id=id type="checkbox" name=format!("numbers[{i}]") value=n.id.clone() checked=checked class=CHECKBOX/>
                                                <span>{n.formatted.clone()}</span>
                                                <span class="font-mono text-xs text-slate-500">{n.number.clone()}</span>
                                            </label>
                                        }
                                    }).collect_view()}
                                </div>
                            }
                                .into_any()
                        }}
                        <FieldMessage error=error fields=NUMBER_FIELDS id="numbers-error"/>
                    </fieldset>
                    <div class="max-w-xs space-y-1.5">
                        <label for="batch-concurrency" class="block text-sm font-medium text-slate-700">"Calls at once"</label>
                        <input id="batch-concurrency" name="concurrency" type="number" min="1" max=max_concurrency.to_string() step="1" required=true inputmode="numeric"
                            value=batch.concurrency.to_string() class=INPUT aria-describedby="batch-concurrency-hint"/>
                        <p id="batch-concurrency-hint" class="text-xs text-slate-500">{format!("1 to {max_concurrency}, this project's limit of live calls.")}</p>
                        <FieldMessage error=error fields=CONCURRENCY_FIELDS id="concurrency-error"/>
                    </div>
                    <fieldset class="space-y-3">
                        <legend class="text-sm font-medium text-slate-700">"Calling window"</legend>
                        <label class="flex items-center gap-2 text-sm text-slate-800">
                            <input type="checkbox" name="any_time" value="on" checked=batch.window.is_none() class=CHECKBOX
                                on:change=move |ev| any_time.set(event_target_checked(&ev))/>
                            "Any time (no window)"
                        </label>
                        <fieldset class="space-y-3 rounded-lg border border-slate-200 p-3 disabled:opacity-60" disabled=move || hydrated.get() && any_time.get()>
                            <legend class="sr-only">"Window"</legend>
                            <p class="text-xs text-slate-500">"Used when “Any time” is not ticked: calls are placed only on these days, within these hours, in this time zone."</p>
                            <div class="max-w-sm space-y-1.5">
                                <label for="batch-tz" class="block text-sm font-medium text-slate-700">"Time zone"</label>
                                <input id="batch-tz" name="tz" type="text" autocomplete="off" placeholder="America/New_York" value=tz class=INPUT aria-describedby="batch-tz-hint"/>
                                <p id="batch-tz-hint" class="text-xs text-slate-500">"An IANA time zone name, like Europe/Paris."</p>
                            </div>
                            <fieldset>
                                <legend class="mb-1 text-sm font-medium text-slate-700">"Days"</legend>
                                <div class="flex flex-wrap gap-x-4 gap-y-2">
                                    {DAYS.iter().map(|(d, label)| {
                                        let id = format!("batch-day-{d}");
                                        let for_id = id.clone();
                                        view! {
                                            <label for=for_id class="flex items-center gap-1.5 text-sm text-slate-800">
                                                <input id=id type="checkbox" name=format!("days[{d}]") value="on" checked=days.iter().any(|x| x == d) class=CHECKBOX/>
                                                {*label}
                                            </label>
                                        }
                                    }).collect_view()}
                                </div>
                            </fieldset>
                            <div class="max-w-sm space-y-1.5">
                                <label for="batch-ranges" class="block text-sm font-medium text-slate-700">"Hours"</label>
                                <input id="batch-ranges" name="ranges" type="text" autocomplete="off" placeholder="09:00-12:00, 14:00-17:00" value=ranges class=INPUT aria-describedby="batch-ranges-hint"/>
                                <p id="batch-ranges-hint" class="text-xs text-slate-500">"Local time ranges, comma separated."</p>
                            </div>
                        </fieldset>
                        <FieldMessage error=error fields=WINDOW_FIELDS id="window-error"/>
                    </fieldset>
                    <fieldset class="space-y-3">
                        <legend class="text-sm font-medium text-slate-700">"Retries"</legend>
                        <div class="flex flex-wrap gap-x-4 gap-y-2">
                            {RETRY_OUTCOMES.iter().map(|(o, label)| {
                                let id = format!("batch-retry-{o}");
                                        let for_id = id.clone();
                                view! {
                                    <label for=for_id class="flex items-center gap-1.5 text-sm text-slate-800">
                                        <input id=id type="checkbox" name=format!("retry_on[{o}]") value="on" checked=retry.on.iter().any(|x| x == o) class=CHECKBOX/>
                                        {format!("Retry when {}", label.to_lowercase())}
                                    </label>
                                }
                            }).collect_view()}
                        </div>
                        <div class="grid max-w-md grid-cols-2 gap-3">
                            <div class="space-y-1.5">
                                <label for="batch-max-retries" class="block text-sm font-medium text-slate-700">"Max retries"</label>
                                <input id="batch-max-retries" name="max_retries" type="number" min="0" max="10" step="1" inputmode="numeric" value=retry.max_retries.to_string() class=INPUT/>
                            </div>
                            <div class="space-y-1.5">
                                <label for="batch-cooldown" class="block text-sm font-medium text-slate-700">"Minutes between tries"</label>
                                <input id="batch-cooldown" name="cooldown_minutes" type="number" min="1" step="1" inputmode="numeric" value=(retry.cooldown_seconds / 60).to_string() class=INPUT/>
                            </div>
                        </div>
                        <FieldMessage error=error fields=RETRY_FIELDS id="retry-error"/>
                    </fieldset>
                    <div class="max-w-xs space-y-1.5">
                        <label for="batch-start-at" class="block text-sm font-medium text-slate-700">"Start at (UTC, optional)"</label>
                        <input id="batch-start-at" name="start_at" type="datetime-local" class=INPUT aria-describedby="batch-start-at-hint"/>
                        <p id="batch-start-at-hint" class="text-xs text-slate-500">"Leave empty to start now."</p>
                        <FieldMessage error=error fields=START_FIELDS id="start-at-error"/>
                    </div>
                    <div class="flex justify-end">
                        <SubmitButton label="Start batch" pending=action.pending()/>
                    </div>
                </ActionForm>
            </Card>
        </section>
    }
}

/// The rows' state filter: a GET form whose value lives in the URL.
#[component]
fn RowsFilter(id: Memo<String>, at: Memo<RowsAt>) -> impl IntoView {
    move || {
        let current = at.get().state;
        let action = format!("/batches/{}", id.get());
        view! {
            <Form method="GET" action=action attr:class="flex flex-wrap items-end gap-2" attr:aria-label="Filter rows">
                <div class="space-y-1">
                    <label for="rows-state" class="block text-xs font-medium text-slate-600">"State"</label>
                    <select id="rows-state" name="state" class=format!("{SELECT_CLASS} py-1.5")>
                        <option value="" selected=current.is_empty()>"All"</option>
                        {[BatchRowState::Waiting, BatchRowState::Calling, BatchRowState::Done, BatchRowState::Failed, BatchRowState::Skipped, BatchRowState::Canceled, BatchRowState::Invalid]
                            .into_iter()
                            .map(|s| view! { <option value=s.as_str() selected=current == s.as_str()>{row_state_label(s)}</option> })
                            .collect_view()}
                    </select>
                </div>
                <button type="submit" class=SECONDARY_BUTTON>"Show"</button>
            </Form>
        }
    }
}

fn rows_href(id: &str, state: &str, after: Option<i64>) -> String {
    let mut q = Vec::new();
    if !state.is_empty() {
        q.push(format!("state={}", encode_query_value(state)));
    }
    if let Some(a) = after {
        q.push(format!("after={a}"));
    }
    if q.is_empty() {
        format!("/batches/{id}")
    } else {
        format!("/batches/{id}?{}", q.join("&"))
    }
}

fn row_state_class(s: BatchRowState) -> &'static str {
    match s {
        BatchRowState::Done => "text-emerald-700",
        BatchRowState::Failed | BatchRowState::Invalid => "text-red-700",
        BatchRowState::Skipped => "text-amber-800",
        BatchRowState::Calling => "text-indigo-700",
        BatchRowState::Waiting | BatchRowState::Canceled => "text-slate-600",
    }
}

#[component]
fn RowsTable(page: BatchRowsPage, id: String, at: RowsAt) -> impl IntoView {
    if page.rows.is_empty() {
        let text = if at.after.is_some() {
            "No more rows."
        } else if at.state.is_empty() {
            "This batch has no rows."
        } else {
            "No row is in this state."
        };
        return view! { <Card><p class="text-sm text-slate-600">{text}</p></Card> }.into_any();
    }
    let first = at.after.is_some().then(|| rows_href(&id, &at.state, None));
    let next = page.next_after.map(|a| rows_href(&id, &at.state, Some(a)));
    view! {
        <Card class="overflow-x-auto p-0">
            <table class="min-w-full divide-y divide-slate-200 text-left text-sm">
                <caption class="sr-only">"Rows of the batch, in file order"</caption>
                <thead class="bg-slate-50 text-xs font-medium uppercase tracking-wide text-slate-500">
                    <tr>
                        <th scope="col" class="px-4 py-3">"Row"</th>
                        <th scope="col" class="px-4 py-3">"Number"</th>
                        <th scope="col" class="px-4 py-3">"State"</th>
                        <th scope="col" class="hidden px-4 py-3 sm:table-cell">"Attempts"</th>
                        <th scope="col" class="px-4 py-3">"Outcome"</th>
                        <th scope="col" class="px-4 py-3"><span class="sr-only">"Call"</span></th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {page.rows.into_iter().map(|r| {
                        let outcome = match (&r.outcome, r.problems.is_empty()) {
                            (Some(o), _) => o.clone(),
                            (None, false) => r.problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>().join("; "),
                            (None, true) => "—".into(),
                        };
                        view! {
                            <tr data-row=r.row data-state=r.state.as_str()>
                                <td class="whitespace-nowrap px-4 py-3 tabular-nums">{r.row}</td>
                                <td class="whitespace-nowrap px-4 py-3 font-mono text-xs">{r.number.clone()}</td>
                                <td class=format!("whitespace-nowrap px-4 py-3 font-medium {}", row_state_class(r.state))>{row_state_label(r.state)}</td>
                                <td class="hidden whitespace-nowrap px-4 py-3 tabular-nums sm:table-cell">{r.attempts}</td>
                                <td class="px-4 py-3 text-slate-700">{outcome}</td>
                                <td class="whitespace-nowrap px-4 py-3 text-right">
                                    {r.last_call_id.clone().map(|c| view! {
                                        <a href=format!("/calls/{c}") class=TEXT_LINK>"View call"<span class="sr-only">{format!(" for row {}", r.row)}</span></a>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </Card>
        <nav aria-label="Pages of rows" class="flex items-center justify-between text-sm">
            <span>{first.map(|href| view! { <a href=href class=TEXT_LINK>"← First rows"</a> })}</span>
            <span>{next.map(|href| view! { <a href=href class=TEXT_LINK rel="next">"Next rows →"</a> })}</span>
        </nav>
    }
    .into_any()
}
