//! `/calls`: the active project's call history, newest first, a page of 50 at a time.
//!
//! Works before hydration: the filters are a GET form whose values live in the URL (so a filtered
//! view can be bookmarked and shared), paging is plain links carrying the cursor, and "New call"
//! opens its dialog through `?new=1`. After hydration, calls that change (placed, ringing,
//! answered, ended, analyzed) update the visible page through the project's event stream.

use super::live::use_call_feed;
use super::new_call::NewCallDialog;
use super::{call_link_html, end_reason_label, format_duration, sentiment_label, status_badge_html, success_text};
use crate::model::{AgentView, AppError, CallListItem, CallPageView, CallQuery, CallStatus, Direction, EndReason, ProjectView, Sentiment};
use crate::server_fns::calls::list_calls;
use crate::ui::components::icons::{Icon, IconKind};
use crate::ui::components::{Alert, Card, EmptyState, SECONDARY_BUTTON, SELECT_CLASS};
use crate::ui::layout::{project_resource, use_agents, with_project, LoadingPanel};
use crate::ui::markup;
use crate::ui::pages::TEXT_LINK;
use crate::ui::util::{encode_query_value, format_time};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use std::sync::Arc;
use std::time::Duration;

const INPUT: &str = "block w-full rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 focus:outline-none focus-visible:border-indigo-500 focus-visible:ring-2 focus-visible:ring-indigo-500/40";
const PRIMARY_LINK: &str = "inline-flex items-center justify-center gap-2 rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2";

/// `/calls?…` for a query (plus extra parameters).
pub fn calls_href(q: &CallQuery, extra: &[(&str, &str)]) -> String {
    let mut parts: Vec<String> = q.pairs().into_iter().chain(extra.iter().copied()).map(|(k, v)| format!("{k}={}", encode_query_value(v))).collect();
    parts.dedup();
    if parts.is_empty() {
        "/calls".into()
    } else {
        format!("/calls?{}", parts.join("&"))
    }
}

#[component]
pub fn CallsPage() -> impl IntoView {
    let query = use_query_map();
    let cq = Memo::new(move |_| query.with(|m| CallQuery::from_params(|k| m.get(k))));
    let refresh = RwSignal::new(0u64);
    let page = project_resource(move || (cq.get(), refresh.get()), |pid, (q, _)| list_calls(pid, q));
    view! {
        <Title text="Calls · Talkdeck"/>
        {with_project(move |p| view! { <CallsBody project=p cq=cq refresh=refresh page=page/> }.into_any())}
    }
}

#[component]
fn CallsBody(project: ProjectView, cq: Memo<CallQuery>, refresh: RwSignal<u64>, page: Resource<Result<CallPageView, AppError>>) -> impl IntoView {
    let query = use_query_map();
    let show_new = Memo::new(move |_| query.with(|m| m.get("new").is_some()));
    let can_edit = project.role.can_edit();

    // Live: each change of one of the project's calls re-reads the visible page, at most about
    // three times a second however busy the project is.
    let feed = use_call_feed(project.id.clone());
    let scheduled = StoredValue::new(false);
    Effect::new(move |prev: Option<u64>| {
        let n = feed.count.get();
        if prev.is_some_and(|p| p != n) && !scheduled.get_value() {
            scheduled.set_value(true);
            set_timeout(
                move || {
                    if scheduled.try_set_value(false).is_none() {
                        refresh.update(|r| *r += 1);
                    }
                },
                Duration::from_millis(300),
            );
        }
        n
    });

    // The rows' markup, rendered once per page of data: the `<Transition/>` below runs its
    // closure several times in a server render (see `rows_html`).
    let rows = Memo::new(move |_| {
        page.with(|r| match r {
            Some(Ok(p)) => Some(Arc::<str>::from(rows_html(&p.calls))),
            _ => None,
        })
    });

    view! {
        <div class="mb-6 flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight text-slate-900">"Calls"</h1>
                <p class="mt-1 text-slate-600">"Inbound and outbound conversations handled by your agents, newest first."</p>
            </div>
            {can_edit.then(|| view! {
                <a href=move || calls_href(&cq.get().first_page(), &[("new", "1")]) class=PRIMARY_LINK>
                    <Icon kind=IconKind::Calls class="size-4"/>
                    "New call"
                </a>
            })}
        </div>
        {move || (show_new.get() && can_edit).then(|| view! { <NewCallDialog project=project.clone() back=calls_href(&cq.get(), &[])/> })}
        <div class="space-y-4">
            <Filters query=cq/>
            <Transition fallback=|| view! { <LoadingPanel label="Loading calls…"/> }>
                {move || page.get().map(|r| match r {
                    Ok(p) => view! { <CallTable page=p rows=rows.get().unwrap_or_default() query=cq.get_untracked()/> }.into_any(),
                    Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                })}
            </Transition>
        </div>
    }
}

fn option_list<T: Copy + PartialEq + Send + Sync + 'static>(
    all: &'static [T],
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    current: String,
) -> impl IntoView {
    all.iter()
        .map(|&v| {
            let s = value(v);
            view! { <option value=s selected=current == s>{label(v)}</option> }
        })
        .collect_view()
}

#[component]
fn Select(id: &'static str, label: &'static str, name: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="space-y-1">
            <label for=id class="block text-xs font-medium text-slate-600">{label}</label>
            <select id=id name=name class=format!("{SELECT_CLASS} py-1.5")>{children()}</select>
        </div>
    }
}

#[component]
fn Input(
    id: &'static str,
    label: &'static str,
    name: &'static str,
    value: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional)] inputmode: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="space-y-1">
            <label for=id class="block text-xs font-medium text-slate-600">{label}</label>
            <input id=id name=name type=kind value=value placeholder=placeholder inputmode=inputmode autocomplete="off" class=INPUT/>
        </div>
    }
}

/// The filter form. Re-rendered from the URL, so "Apply" (a GET) and the back button agree.
#[component]
fn Filters(query: Memo<CallQuery>) -> impl IntoView {
    let agents = use_agents();
    move || {
        let q = query.get();
        let more_open = [&q.direction, &q.end_reason, &q.sentiment, &q.success, &q.kind, &q.from, &q.to, &q.since, &q.until, &q.min_secs, &q.max_secs]
            .iter()
            .any(|v| !v.is_empty());
        let agent = q.agent.clone();
        let filtered = q.is_filtered();
        view! {
            <Card>
                <Form method="GET" action="/calls" attr:role="search" attr:aria-label="Filter calls" attr:class="space-y-3">
                    <div class="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
                        <div class="sm:col-span-2">
                            <Input id="call-search" label="Search" name="q" value=q.q.clone() kind="search" placeholder="A word of the transcript, or a number"/>
                        </div>
                        <Select id="filter-status" label="Status" name="status">
                            <option value="">"Any status"</option>
                            {option_list(CallStatus::ALL, CallStatus::as_str, super::status_label, q.status.clone())}
                        </Select>
                        <Select id="filter-agent" label="Agent" name="agent">
                            <option value="">"Any agent"</option>
                            <Suspense fallback=|| ()>
                                {
                                    let agent = agent.clone();
                                    move || agents.list.get().map(|r| {
                                        let list: Vec<AgentView> = r.unwrap_or_default();
                                        list.into_iter()
                                            .map(|a| {
                                                let selected = a.id == agent;
                                                view! { <option value=a.id.clone() selected=selected>{a.name.clone()}</option> }
                                            })
                                            .collect_view()
                                    })
                                }
                            </Suspense>
                        </Select>
                    </div>
                    <details open=more_open class="group">
                        <summary class="cursor-pointer select-none text-sm font-medium text-slate-700 hover:text-slate-900">"More filters"</summary>
                        <div class="mt-3 grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
                            <Select id="filter-direction" label="Direction" name="direction">
                                <option value="">"Both directions"</option>
                                {option_list(Direction::ALL, Direction::as_str, |d| if d == Direction::Inbound { "Inbound" } else { "Outbound" }, q.direction.clone())}
                            </Select>
                            <Select id="filter-end-reason" label="End reason" name="end_reason">
                                <option value="">"Any end reason"</option>
                                {option_list(EndReason::ALL, EndReason::as_str, end_reason_label, q.end_reason.clone())}
                            </Select>
                            <Select id="filter-sentiment" label="Sentiment" name="sentiment">
                                <option value="">"Any sentiment"</option>
                                {option_list(Sentiment::ALL, Sentiment::as_str, sentiment_label, q.sentiment.clone())}
                            </Select>
                            <Select id="filter-success" label="Successful" name="success">
                                <option value="">"Either"</option>
                                <option value="yes" selected=q.success == "yes">"Yes"</option>
                                <option value="no" selected=q.success == "no">"No"</option>
                            </Select>
                            <Select id="filter-kind" label="Test or live" name="kind">
                                <option value="">"Test and live"</option>
                                <option value="test" selected=q.kind == "test">"Test calls"</option>
                                <option value="live" selected=q.kind == "live">"Live calls"</option>
                            </Select>
                            <Input id="filter-from" label="From number" name="from" value=q.from.clone() kind="tel" placeholder="+14155550100"/>
                            <Input id="filter-to" label="To number" name="to" value=q.to.clone() kind="tel" placeholder="+14155550100"/>
                            <Input id="filter-since" label="From date (UTC)" name="since" value=q.since.clone() kind="date"/>
                            <Input id="filter-until" label="To date (UTC)" name="until" value=q.until.clone() kind="date"/>
                            <Input id="filter-min" label="Min. duration (s)" name="min_secs" value=q.min_secs.clone() inputmode="numeric" placeholder="0"/>
                            <Input id="filter-max" label="Max. duration (s)" name="max_secs" value=q.max_secs.clone() inputmode="numeric" placeholder="600"/>
                        </div>
                    </details>
                    <div class="flex items-center gap-3">
                        <button type="submit" class=SECONDARY_BUTTON>"Apply filters"</button>
                        {filtered.then(|| view! { <a href="/calls" class=TEXT_LINK>"Clear all"</a> })}
                    </div>
                </Form>
            </Card>
        }
    }
}

#[component]
fn CallTable(page: CallPageView, rows: Arc<str>, query: CallQuery) -> impl IntoView {
    if page.calls.is_empty() {
        let (title, text) = if query.is_filtered() {
            ("No call matches these filters", "Change or clear the filters to see more calls.")
        } else if !query.cursor.is_empty() {
            ("No older calls", "You have reached the oldest call.")
        } else {
            ("No calls yet", "Place a call with “New call”, or call one of your numbers: each call appears here with its status, duration and transcript.")
        };
        return view! {
            <EmptyState title=title description=text>
                <Icon kind=IconKind::Calls class="size-6"/>
            </EmptyState>
        }
        .into_any();
    }
    let first = (!query.cursor.is_empty()).then(|| calls_href(&query.first_page(), &[]));
    let older = page.next_cursor.as_ref().map(|c| calls_href(&CallQuery { cursor: c.clone(), ..query.clone() }, &[]));
    view! {
        <Card class="overflow-x-auto p-0">
            <table class="min-w-full divide-y divide-slate-200 text-left text-sm" aria-describedby="calls-caption">
                <caption id="calls-caption" class="sr-only">"Calls, newest first"</caption>
                <thead class="bg-slate-50 text-xs font-medium uppercase tracking-wide text-slate-500">
                    <tr>
                        <th scope="col" class="px-4 py-3">"Started"</th>
                        <th scope="col" class="px-4 py-3">"Number"</th>
                        <th scope="col" class="px-4 py-3">"Agent"</th>
                        <th scope="col" class="px-4 py-3">"Status"</th>
                        <th scope="col" class="px-4 py-3">"Ended by"</th>
                        <th scope="col" class="px-4 py-3">"Duration"</th>
                        <th scope="col" class="px-4 py-3">"Sentiment"</th>
                        <th scope="col" class="px-4 py-3">"Success"</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100" inner_html=rows></tbody>
            </table>
        </Card>
        <nav aria-label="Pages of calls" class="flex items-center justify-between text-sm">
            <span>{first.map(|href| view! { <a href=href class=TEXT_LINK>"← Newest calls"</a> })}</span>
            <span>{older.map(|href| view! { <a href=href class=TEXT_LINK rel="next">"Older calls →"</a> })}</span>
        </nav>
    }
    .into_any()
}

/// The rows as one HTML string, written into `<tbody>` whole (see `ui::markup`): one `<tr>`
/// per call, with `data-call-id`, linking to the call.
pub fn rows_html(calls: &[CallListItem]) -> String {
    let mut out = String::with_capacity(calls.len() * 1400);
    for c in calls {
        row_html(&mut out, c);
    }
    out
}

const CELL: &str = "whitespace-nowrap px-4 py-3";

fn row_html(out: &mut String, call: &CallListItem) {
    let (arrow, sign, other) = match call.direction {
        Direction::Outbound => ("Outbound to", "↗", &call.to),
        Direction::Inbound => ("Inbound from", "↙", &call.from),
    };
    out.push_str(r#"<tr class="hover:bg-slate-50" data-call-id=""#);
    markup::attr(out, &call.id);
    out.push_str(r#""><td class=""#);
    out.push_str(CELL);
    out.push_str(r#"">"#);
    call_link_html(out, &call.id, &format_time(call.started_at.unwrap_or(call.created_at)));
    if call.is_test {
        out.push_str(r#"<span class="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600">Test</span>"#);
    }
    out.push_str(r#"</td><td class=""#);
    out.push_str(CELL);
    out.push_str(r#""><span class="sr-only">"#);
    out.push_str(arrow);
    out.push_str(r#" </span><span aria-hidden="true" class="mr-1 text-slate-400">"#);
    out.push_str(sign);
    out.push_str(r#"</span><span class="font-mono text-xs text-slate-800">"#);
    markup::text(out, other);
    out.push_str(r#"</span></td><td class="max-w-[12rem] truncate px-4 py-3 text-slate-700">"#);
    markup::text(out, &call.agent_name);
    out.push_str(r#"</td><td class="px-4 py-3">"#);
    status_badge_html(out, call.status);
    let duration = format_duration(call.duration_ms);
    for (class, value) in [
        ("text-slate-600", call.end_reason.map(end_reason_label).unwrap_or("—")),
        ("tabular-nums text-slate-700", duration.as_str()),
        ("text-slate-600", call.sentiment.map(sentiment_label).unwrap_or("—")),
        ("text-slate-600", success_text(call.success)),
    ] {
        out.push_str(r#"</td><td class=""#);
        out.push_str(CELL);
        out.push(' ');
        out.push_str(class);
        out.push_str(r#"">"#);
        markup::text(out, value);
    }
    out.push_str("</td></tr>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(id: &str, agent: &str) -> CallListItem {
        CallListItem {
            id: id.into(),
            direction: Direction::Outbound,
            from: "+14155550100".into(),
            to: "+14155552671".into(),
            agent_name: agent.into(),
            status: CallStatus::Completed,
            end_reason: Some(EndReason::UserHangup),
            is_test: true,
            created_at: 0,
            started_at: Some(60_000),
            duration_ms: Some(61_000),
            sentiment: Some(Sentiment::Positive),
            success: Some(true),
        }
    }

    #[test]
    fn rows_are_one_tr_per_call_with_what_the_table_shows() {
        let html = rows_html(&[call("c1", "Sales"), call("c2", "Support")]);
        assert_eq!(html.matches("<tr ").count(), 2, "{html}");
        assert!(html.contains(r#"data-call-id="c1""#) && html.contains(r#"href="/calls/c2""#), "{html}");
        assert!(html.contains("1970-01-01 00:01 UTC") && html.contains("+14155552671") && html.contains("Support"), "{html}");
        assert!(html.contains(">Test<"), "{html}");
        // Eight cells a row, in the header's order, ending with the analysis.
        assert_eq!(html.matches("<td ").count(), 16, "{html}");
        let first = &html[..html.find("</tr>").unwrap()];
        let order = ["00:01 UTC", "Outbound to", "Sales", r#"data-status="completed""#, "Caller hung up", "1:01", "Positive", ">Yes<"];
        let at: Vec<usize> = order.iter().map(|s| first.find(s).unwrap_or_else(|| panic!("{s} in {first}"))).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{first}");
    }

    #[test]
    fn rows_escape_what_callers_and_users_typed() {
        // Agent names come from users and numbers from callers: markup in them stays text.
        let html = rows_html(&[call("c\"><script>alert(1)</script>", "<img src=x onerror=alert(1)>")]);
        assert!(!html.contains("<script>") && !html.contains("<img"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
        assert!(html.contains(r#"data-call-id="c&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;""#), "{html}");
    }
}
