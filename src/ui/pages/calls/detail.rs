//! `/calls/:id`: one call — numbers, agent and version, status, end reason, duration and cost; the
//! timeline of its events; the transcript as a conversation; the recording; every analysis
//! version with a re-run (the agent's current questions, or an ad-hoc one); variables and
//! metadata. Live while the call runs (the project's event stream re-reads it when it changes).
//!
//! Cancel and re-run are plain form posts before hydration.

use super::live::use_call_feed;
use super::{end_reason_label, format_duration, format_offset, sentiment_label, status_label, CallStatusBadge};
use crate::model::{CallAnalysisView, CallDetailView, CallEventView, CallStatus, CallView, Direction, QuestionKind, RecordingStatus, Speaker, TranscriptSegment};
use crate::server_fns::calls::{call_detail, CancelCall, RerunAnalysis};
use crate::ui::components::{on_action_ok, Alert, Card, FormError, ServerErrors, SubmitButton, DANGER_BUTTON, SELECT_CLASS};
use crate::ui::layout::{with_project, LoadingPanel};
use crate::ui::pages::TEXT_LINK;
use crate::ui::util::format_time;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use std::time::Duration;

const INPUT: &str = crate::ui::components::INPUT_CLASS;

#[component]
pub fn CallDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    view! {
        <Title text="Call · Talkdeck"/>
        <nav aria-label="Breadcrumb" class="mb-4 text-sm">
            <a href="/calls" class=TEXT_LINK>"← All calls"</a>
        </nav>
        {with_project(move |p| view! { <CallDetailBody project_id=p.id.clone() id=id/> }.into_any())}
    }
}

#[component]
fn CallDetailBody(project_id: String, id: Memo<String>) -> impl IntoView {
    let feed = use_call_feed(project_id);
    let refresh = RwSignal::new(0u64);
    // Re-read when this call changes (or when the stream says changes were missed).
    let scheduled = StoredValue::new(false);
    Effect::new(move |prev: Option<u64>| {
        let n = feed.count.get();
        let change = feed.latest.get_untracked();
        let ours = change.id.is_empty() || change.id == id.get_untracked();
        if prev.is_some_and(|p| p != n) && ours && !scheduled.get_value() {
            scheduled.set_value(true);
            set_timeout(
                move || {
                    if scheduled.try_set_value(false).is_none() {
                        refresh.update(|r| *r += 1);
                    }
                },
                Duration::from_millis(150),
            );
        }
        n
    });
    let detail = Resource::new(move || (id.get(), refresh.get()), |(id, _)| call_detail(id));
    let cancel = ServerAction::<CancelCall>::new();
    let rerun = ServerAction::<RerunAnalysis>::new();
    on_action_ok(cancel, move |_| refresh.update(|r| *r += 1));
    on_action_ok(rerun, move |_| refresh.update(|r| *r += 1));
    view! {
        <Transition fallback=|| view! { <LoadingPanel label="Loading the call…"/> }>
            {move || detail.get().map(|r| match r {
                Ok(d) => view! { <CallDetail detail=d cancel=cancel rerun=rerun/> }.into_any(),
                Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn CallDetail(detail: CallDetailView, cancel: ServerAction<CancelCall>, rerun: ServerAction<RerunAnalysis>) -> impl IntoView {
    let CallDetailView { call, events, analyses, can_edit } = detail;
    let title = match call.direction {
        Direction::Outbound => format!("Call to {}", call.to),
        Direction::Inbound => format!("Call from {}", call.from),
    };
    let cancellable = can_edit && call.status.can_become(CallStatus::Canceled);
    let cancel_errors = ServerErrors::of(cancel);
    let call_id = call.id.clone();
    view! {
        <div class="mb-6 flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
            <div>
                <h1 class="flex flex-wrap items-center gap-3 text-2xl font-semibold tracking-tight text-slate-900">
                    <span>{title}</span>
                    <CallStatusBadge status=call.status/>
                    {call.is_test.then(|| view! { <span class="rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-600">"Test call"</span> })}
                </h1>
                <p class="mt-1 font-mono text-xs text-slate-500">{call.id.clone()}</p>
            </div>
            {cancellable.then(|| view! {
                <ActionForm action=cancel>
                    <input type="hidden" name="call_id" value=call_id.clone()/>
                    <button type="submit" class=DANGER_BUTTON disabled=move || cancel.pending().get()>"Cancel call"</button>
                </ActionForm>
            })}
        </div>
        <div class="space-y-6">
            <FormError error=cancel_errors.error()/>
            <Facts call=call.clone()/>
            <div class="grid gap-6 lg:grid-cols-3">
                <div class="space-y-6 lg:col-span-2">
                    <Recording call=call.clone()/>
                    <Transcript call=call.clone()/>
                </div>
                <div class="space-y-6">
                    <Timeline events=events/>
                    <Variables call=call.clone()/>
                </div>
            </div>
            <Analyses call=call analyses=analyses can_edit=can_edit rerun=rerun/>
        </div>
    }
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
fn Facts(call: CallView) -> impl IntoView {
    let agent = match &call.agent_id {
        Some(id) => view! { <a href=format!("/agents/{id}") class=TEXT_LINK>{call.agent_name.clone()}</a> }.into_any(),
        None => view! { <span>{call.agent_name.clone()}" (deleted)"</span> }.into_any(),
    };
    let cost = format!("{:.4} {}", call.cost, call.currency);
    view! {
        <Card>
            <dl class="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-6">
                <Fact label="Direction">{if call.direction == Direction::Outbound { "Outbound" } else { "Inbound" }}</Fact>
                <Fact label="From"><span class="font-mono text-xs">{call.from.clone()}</span></Fact>
                <Fact label="To"><span class="font-mono text-xs">{call.to.clone()}</span></Fact>
                <Fact label="Agent">{agent}" "<span class="text-xs text-slate-500">{format!("v{}", call.agent_version)}</span></Fact>
                <Fact label="Status">{status_label(call.status)}</Fact>
                <Fact label="Ended by">{call.end_reason.map(end_reason_label).unwrap_or("—")}</Fact>
                <Fact label="Answered by">{call.answered_by.map(|a| a.as_str()).unwrap_or("—")}</Fact>
                <Fact label="Placed">{format_time(call.created_at)}</Fact>
                <Fact label="Started">{call.started_at.map(format_time).unwrap_or_else(|| "—".into())}</Fact>
                <Fact label="Ended">{call.ended_at.map(format_time).unwrap_or_else(|| "—".into())}</Fact>
                <Fact label="Duration"><span class="tabular-nums">{format_duration(call.duration_ms)}</span></Fact>
                <Fact label="Cost"><span class="tabular-nums">{cost}</span></Fact>
            </dl>
        </Card>
    }
}

#[component]
fn Section(id: &'static str, title: &'static str, children: Children) -> impl IntoView {
    view! {
        <section aria-labelledby=id class="space-y-3">
            <h2 id=id class="text-base font-semibold text-slate-900">{title}</h2>
            {children()}
        </section>
    }
}

#[component]
fn Recording(call: CallView) -> impl IntoView {
    let body = match (&call.recording, call.recording_status) {
        (Some(r), _) => {
            let src = r.url.clone();
            let note = format!("{} · {} KB", format_duration(Some(r.duration_ms)), r.size_bytes / 1024);
            view! {
                <audio controls=true preload="metadata" src=src.clone() class="w-full" aria-label="Call recording"></audio>
                <p class="mt-2 flex flex-wrap gap-x-3 text-xs text-slate-500">
                    <span>{note}</span>
                    <a href=src class=TEXT_LINK download="">"Download"</a>
                </p>
            }
            .into_any()
        }
        (None, RecordingStatus::Pending) => view! { <p class="text-sm text-slate-600" role="status">"The recording is being prepared…"</p> }.into_any(),
        (None, RecordingStatus::Unavailable) => {
            let why = call.recording_note.clone().unwrap_or_else(|| "The recording could not be made.".into());
            view! { <p class="text-sm text-slate-600">{format!("No recording: {why}")}</p> }.into_any()
        }
        (None, _) if call.status.is_live() || call.status == CallStatus::Queued => {
            view! { <p class="text-sm text-slate-600">"The recording will be ready after the call ends, if the agent records calls."</p> }.into_any()
        }
        (None, _) => view! { <p class="text-sm text-slate-600">"This call has no recording: its agent does not record calls, or nothing was said."</p> }.into_any(),
    };
    view! {
        <Section id="recording-heading" title="Recording">
            <Card>{body}</Card>
        </Section>
    }
}

#[component]
fn Transcript(call: CallView) -> impl IntoView {
    let empty = call.transcript.is_empty();
    let live = call.status.is_live();
    let agent = call.agent_name.clone();
    view! {
        <Section id="transcript-heading" title="Transcript">
            <Card>
                {if empty {
                    let text = if live || call.status == CallStatus::Queued { "The conversation appears here as it happens." } else { "Nobody spoke on this call." };
                    view! { <p class="text-sm text-slate-600">{text}</p> }.into_any()
                } else {
                    view! {
                        <ol class="space-y-3" aria-live=if live { "polite" } else { "off" }>
                            {call.transcript.into_iter().map(|s| view! { <Turn segment=s agent=agent.clone()/> }).collect_view()}
                        </ol>
                    }
                        .into_any()
                }}
            </Card>
        </Section>
    }
}

#[component]
fn Turn(segment: TranscriptSegment, agent: String) -> impl IntoView {
    let is_agent = segment.role == Speaker::Agent;
    let (row, bubble, who) =
        if is_agent { ("flex justify-start", "bg-slate-100 text-slate-900", agent) } else { ("flex justify-end", "bg-indigo-600 text-white", "Caller".to_string()) };
    view! {
        <li class=row data-role=segment.role.as_str()>
            <div class="max-w-[85%]">
                <p class=format!("mb-1 text-xs text-slate-500 {}", if is_agent { "" } else { "text-right" })>
                    <span class="font-medium text-slate-700">{who}</span>
                    " · "
                    <time class="tabular-nums">{format_offset(segment.start_ms)}</time>
                </p>
                <p class=format!("rounded-2xl px-3 py-2 text-sm {bubble}")>{segment.text}</p>
            </div>
        </li>
    }
}

#[component]
fn Timeline(events: Vec<CallEventView>) -> impl IntoView {
    view! {
        <Section id="timeline-heading" title="Timeline">
            <Card>
                <ol class="space-y-3">
                    {events.into_iter().map(|e| view! {
                        <li class="flex gap-3">
                            <span class="mt-1.5 size-2 shrink-0 rounded-full bg-indigo-500" aria-hidden="true"></span>
                            <div>
                                <p class="text-sm font-medium text-slate-900">{status_label(e.status)}</p>
                                {(!e.detail.is_empty()).then(|| view! { <p class="text-xs text-slate-600">{e.detail.clone()}</p> })}
                                <p class="text-xs tabular-nums text-slate-500">{format_time_seconds(e.at)}</p>
                            </div>
                        </li>
                    }).collect_view()}
                </ol>
            </Card>
        </Section>
    }
}

/// `HH:MM:SS UTC` of a day (the events of a call happen within minutes).
fn format_time_seconds(ms: i64) -> String {
    let s = ms.div_euclid(1000).rem_euclid(86_400);
    format!("{} · {:02}:{:02}:{:02} UTC", &format_time(ms)[..10], s / 3600, (s % 3600) / 60, s % 60)
}

#[component]
fn Variables(call: CallView) -> impl IntoView {
    let metadata = match &call.metadata {
        serde_json::Value::Object(m) if m.is_empty() => None,
        serde_json::Value::Null => None,
        v => Some(serde_json::to_string_pretty(v).unwrap_or_default()),
    };
    view! {
        <Section id="variables-heading" title="Variables and metadata">
            <Card>
                {if call.variables.is_empty() {
                    view! { <p class="text-sm text-slate-600">"No variables."</p> }.into_any()
                } else {
                    view! {
                        <dl class="space-y-2">
                            {call.variables.into_iter().map(|(k, v)| view! {
                                <div class="flex flex-wrap gap-x-2 text-sm">
                                    <dt class="font-mono text-xs text-slate-500">{k}</dt>
                                    <dd class="text-slate-900">{v}</dd>
                                </div>
                            }).collect_view()}
                        </dl>
                    }
                        .into_any()
                }}
                {metadata.map(|m| view! {
                    <h3 class="mt-4 text-xs font-medium uppercase tracking-wide text-slate-500">"Metadata"</h3>
                    <pre class="mt-1 overflow-x-auto rounded bg-slate-50 p-2 text-xs text-slate-800">{m}</pre>
                })}
            </Card>
        </Section>
    }
}

#[component]
fn Analyses(call: CallView, analyses: Vec<CallAnalysisView>, can_edit: bool, rerun: ServerAction<RerunAnalysis>) -> impl IntoView {
    let finished = call.status.is_final();
    let pending = finished && analyses.is_empty();
    let mut versions = analyses.into_iter();
    let latest = versions.next();
    let older: Vec<_> = versions.collect();
    view! {
        <Section id="analysis-heading" title="Analysis">
            {match latest {
                Some(a) => view! { <AnalysisCard analysis=a latest=true/> }.into_any(),
                None => view! {
                    <Card>
                        <p class="text-sm text-slate-600">
                            {if pending { "The analysis is being prepared…" } else { "The call is analyzed once it ends." }}
                        </p>
                    </Card>
                }
                    .into_any(),
            }}
            {(!older.is_empty()).then(|| view! {
                <details class="rounded-xl border border-slate-200 bg-white p-4">
                    <summary class="cursor-pointer select-none text-sm font-medium text-slate-700">{format!("Earlier versions ({})", older.len())}</summary>
                    <div class="mt-3 space-y-3">
                        {older.into_iter().map(|a| view! { <AnalysisCard analysis=a latest=false/> }).collect_view()}
                    </div>
                </details>
            })}
            {(can_edit && finished).then(|| view! { <Rerun call_id=call.id.clone() rerun=rerun/> })}
        </Section>
    }
}

fn answer_text(kind: QuestionKind, v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::Bool(b) if kind == QuestionKind::Boolean => Some(if *b { "Yes" } else { "No" }.into()),
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

#[component]
fn AnalysisCard(analysis: CallAnalysisView, latest: bool) -> impl IntoView {
    let r = analysis.result;
    let success = match r.call_successful {
        Some(true) => "Successful",
        Some(false) => "Not successful",
        None => "Not judged (no success criteria)",
    };
    view! {
        <Card>
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h3 class="text-sm font-semibold text-slate-900">
                    {format!("Version {}", analysis.version)}
                    {latest.then(|| view! { <span class="ml-2 rounded bg-indigo-50 px-1.5 py-0.5 text-xs font-medium text-indigo-700">"Latest"</span> })}
                </h3>
                <p class="text-xs text-slate-500">{format!("{} · {}", analysis.source, format_time(analysis.created_at))}</p>
            </div>
            {r.summary.map(|s| view! { <p class="mt-2 text-sm text-slate-800">{s}</p> })}
            <dl class="mt-3 grid grid-cols-2 gap-3 sm:grid-cols-4">
                <Fact label="Sentiment">{sentiment_label(r.user_sentiment)}</Fact>
                <Fact label="Success">{success}</Fact>
                <Fact label="Voicemail">{if r.voicemail_detected { "Detected" } else { "No" }}</Fact>
            </dl>
            {(!r.success_reason.is_empty()).then(|| view! { <p class="mt-2 text-xs text-slate-600">{r.success_reason.clone()}</p> })}
            {(!r.answers.is_empty()).then(|| view! {
                <table class="mt-4 min-w-full divide-y divide-slate-200 text-left text-sm">
                    <caption class="sr-only">{format!("Answers of version {}", analysis.version)}</caption>
                    <thead class="text-xs font-medium uppercase tracking-wide text-slate-500">
                        <tr>
                            <th scope="col" class="py-2 pr-4">"Question"</th>
                            <th scope="col" class="py-2 pr-4">"Type"</th>
                            <th scope="col" class="py-2">"Answer"</th>
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100">
                        {r.answers.into_iter().map(|a| {
                            let answer = answer_text(a.kind, &a.answer);
                            view! {
                                <tr>
                                    <td class="py-2 pr-4 text-slate-800">{a.question.clone()}</td>
                                    <td class="py-2 pr-4 text-xs text-slate-500">{a.kind.as_str()}</td>
                                    <td class="py-2 text-slate-900">
                                        {match answer {
                                            Some(t) => view! { <span data-answer="">{t}</span> }.into_any(),
                                            None => view! { <span class="text-slate-500">"No answer"{a.reason.map(|r| format!(": {r}"))}</span> }.into_any(),
                                        }}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </Card>
    }
}

#[component]
fn Rerun(call_id: String, rerun: ServerAction<RerunAnalysis>) -> impl IntoView {
    let server = ServerErrors::of(rerun);
    let error = server.error();
    let field = move |f: &'static str| {
        move || {
            error
                .get()
                .and_then(|e| e.field_message(f).map(str::to_string))
                .map(|m| view! { <p role="alert" class="text-sm text-red-700">{m}</p> })
        }
    };
    view! {
        <Card>
            <ActionForm action=rerun attr:class="space-y-3" attr:aria-labelledby="rerun-heading">
                <h3 id="rerun-heading" class="text-sm font-semibold text-slate-900">"Re-run the analysis"</h3>
                <p class="text-xs text-slate-600">"Uses the agent's current analysis settings. Add a question to ask just this once; earlier versions are kept."</p>
                <input type="hidden" name="call_id" value=call_id/>
                <FormError error=error fields=&["question", "kind", "options"]/>
                <div class="grid gap-3 sm:grid-cols-3">
                    <div class="space-y-1 sm:col-span-2">
                        <label for="adhoc-question" class="block text-sm font-medium text-slate-700">"Extra question (optional)"</label>
                        <input id="adhoc-question" name="question" type="text" autocomplete="off" placeholder="Which plan did the caller choose?" class=INPUT/>
                        {field("question")}
                    </div>
                    <div class="space-y-1">
                        <label for="adhoc-kind" class="block text-sm font-medium text-slate-700">"Answer type"</label>
                        <select id="adhoc-kind" name="kind" class=SELECT_CLASS>
                            {QuestionKind::ALL.iter().map(|k| view! { <option value=k.as_str() selected=*k == QuestionKind::Text>{k.as_str()}</option> }).collect_view()}
                        </select>
                        {field("kind")}
                    </div>
                </div>
                <div class="space-y-1">
                    <label for="adhoc-options" class="block text-sm font-medium text-slate-700">"Options (Selector only, comma-separated)"</label>
                    <input id="adhoc-options" name="options" type="text" autocomplete="off" placeholder="basic, premium, enterprise" class=INPUT/>
                    {field("options")}
                </div>
                <SubmitButton label="Re-run analysis" pending=rerun.pending()/>
            </ActionForm>
        </Card>
    }
}
