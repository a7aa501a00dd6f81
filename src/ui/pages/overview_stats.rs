//! The Overview's call statistics for a period (7, 30 or 90 days, `?days=` in the URL): headline
//! figures, calls per day stacked by outcome and the sentiment split as server-rendered SVG (each
//! with a text alternative and the numbers as a table), and the latest calls.

use crate::model::{AppError, CallListItem, OverviewDay, OverviewView};
use crate::server_fns::calls::{call_overview, recent_calls};
use crate::ui::components::{Alert, Card};
use crate::ui::layout::{project_resource, LoadingPanel};
use crate::ui::markup;
use crate::ui::pages::calls::{call_link_html, format_duration, status_badge_html};
use crate::ui::pages::TEXT_LINK;
use crate::ui::util::format_time;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use std::fmt::Write;
use std::sync::Arc;

/// The outcomes a day's bar is stacked from, bottom to top: (label, fill class, swatch class).
const OUTCOMES: [(&str, &str, &str); 6] = [
    ("Completed", "fill-emerald-500", "bg-emerald-500"),
    ("Voicemail", "fill-sky-400", "bg-sky-400"),
    ("Busy", "fill-amber-400", "bg-amber-400"),
    ("No answer", "fill-orange-300", "bg-orange-300"),
    ("Failed", "fill-red-500", "bg-red-500"),
    ("Canceled", "fill-slate-300", "bg-slate-300"),
];

fn counts(d: &OverviewDay) -> [i64; 6] {
    [d.completed, d.voicemail, d.busy, d.no_answer, d.failed, d.canceled]
}

/// The most calls on one day of the period (at least 1: the chart's scale).
fn peak(stats: &OverviewView) -> i64 {
    stats.per_day.iter().map(|d| counts(d).iter().sum::<i64>()).max().unwrap_or(0).max(1)
}

fn percent(r: Option<f64>) -> String {
    r.map(|r| format!("{:.0}%", r * 100.0)).unwrap_or_else(|| "—".into())
}

/// The period asked for in the URL: 7, 30 or 90 days (default 30).
fn period(raw: Option<String>) -> u32 {
    match raw.as_deref() {
        Some("7") => 7,
        Some("90") => 90,
        _ => 30,
    }
}

/// The Overview's call data for the active project, created at the top of the page (see
/// [`project_resource`]) and handed to [`CallStats`].
#[derive(Clone, Copy)]
pub struct StatsData {
    days: Memo<u32>,
    stats: Resource<Result<OverviewView, AppError>>,
    recent: Resource<Result<Vec<CallListItem>, AppError>>,
}

impl StatsData {
    pub fn new() -> Self {
        let query = use_query_map();
        let days = Memo::new(move |_| period(query.with(|q| q.get("days"))));
        let stats = project_resource(move || days.get(), call_overview);
        let recent = project_resource(|| (), |pid, _| recent_calls(pid));
        StatsData { days, stats, recent }
    }
}

impl Default for StatsData {
    fn default() -> Self {
        Self::new()
    }
}

#[component]
pub fn CallStats(data: StatsData) -> impl IntoView {
    let StatsData { days, stats, recent } = data;
    let chart = Memo::new(move |_| {
        stats.with(|r| match r {
            Some(Ok(s)) => Some(per_day_markup(s)),
            _ => None,
        })
    });
    view! {
        <section aria-labelledby="stats-heading" class="mb-8 space-y-4">
            <div class="flex flex-wrap items-center justify-between gap-3">
                <h2 id="stats-heading" class="text-base font-semibold text-slate-900">"Calls"</h2>
                <nav aria-label="Period" class="inline-flex rounded-lg border border-slate-300 bg-white p-0.5 text-sm shadow-xs">
                    {[7u32, 30, 90].into_iter().map(|d| {
                        let current = move || days.get() == d;
                        view! {
                            <a
                                href=format!("/?days={d}")
                                aria-current=move || current().then_some("page")
                                class=move || if current() { "rounded-md bg-indigo-600 px-3 py-1 font-medium text-white" } else { "rounded-md px-3 py-1 text-slate-700 hover:bg-slate-100" }
                            >
                                {format!("{d} days")}
                            </a>
                        }
                    }).collect_view()}
                </nav>
            </div>
            <Transition fallback=|| view! { <LoadingPanel label="Loading statistics…"/> }>
                {move || stats.get().map(|r| match r {
                    Ok(s) => view! { <Stats stats=s chart=chart.get().unwrap_or_default()/> }.into_any(),
                    Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || recent.get().map(|r| match r {
                    Ok(calls) => view! { <Recent calls=calls/> }.into_any(),
                    Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Tile(label: &'static str, value: String, #[prop(optional)] note: Option<String>) -> impl IntoView {
    view! {
        <Card>
            <p class="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</p>
            <p class="mt-1 text-2xl font-semibold tabular-nums text-slate-900">{value}</p>
            {note.map(|n| view! { <p class="mt-1 text-xs text-slate-500">{n}</p> })}
        </Card>
    }
}

#[component]
fn Stats(stats: OverviewView, chart: (Arc<str>, Arc<str>)) -> impl IntoView {
    let judged = stats.success_yes + stats.success_no;
    view! {
        <div class="grid grid-cols-2 gap-4 lg:grid-cols-4">
            <Tile label="Calls" value=stats.total.to_string() note=format!("{} to {}", stats.from_day, stats.to_day)/>
            <Tile label="Answer rate" value=percent(stats.answer_rate) note=format!("{} answered", stats.answered)/>
            <Tile label="Average duration" value=format_duration(stats.avg_duration_ms) note="of answered calls".to_string()/>
            <Tile label="Success rate" value=percent(stats.success_rate) note=format!("{judged} judged")/>
        </div>
        <div class="grid gap-4 lg:grid-cols-3">
            <div class="lg:col-span-2"><PerDay stats=stats.clone() markup=chart/></div>
            <Sentiments stats=stats/>
        </div>
    }
}

#[component]
fn Legend(items: Vec<(&'static str, &'static str, i64)>) -> impl IntoView {
    view! {
        <ul class="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600" aria-hidden="true">
            {items.into_iter().map(|(label, swatch, n)| view! {
                <li class="flex items-center gap-1.5">
                    <span class=format!("size-2.5 rounded-sm {swatch}")></span>
                    {format!("{label} ({n})")}
                </li>
            }).collect_view()}
        </ul>
    }
}

/// The chart's bars and the table's rows as HTML strings (see `ui::markup`): up to 90 days of
/// bars and of rows of seven cells. Rendered once per statistics value through a memo, as the
/// `<Transition/>` runs its closure several times.
fn per_day_markup(stats: &OverviewView) -> (Arc<str>, Arc<str>) {
    let n = stats.per_day.len().max(1) as f64;
    let max = peak(stats) as f64;
    let slot = CHART_W / n;
    let bar = (slot * 0.7).max(1.0);
    let scale = (CHART_H - CHART_TOP - CHART_BOTTOM) / max;
    let mut bars = String::with_capacity(stats.per_day.len() * 400);
    for (i, d) in stats.per_day.iter().enumerate() {
        let x = i as f64 * slot + (slot - bar) / 2.0;
        let mut y = CHART_H - CHART_BOTTOM;
        let total: i64 = counts(d).iter().sum();
        bars.push_str("<g><title>");
        markup::text(&mut bars, &format!("{}: {total} calls", d.day));
        bars.push_str("</title>");
        for (c, (_, fill, _)) in counts(d).into_iter().zip(OUTCOMES).filter(|(c, _)| *c > 0) {
            let h = c as f64 * scale;
            y -= h;
            // Numbers and a class literal only: nothing to escape. Writing to a String cannot fail.
            let _ = write!(bars, r#"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" class="{fill}"></rect>"#);
        }
        bars.push_str("</g>");
    }
    let mut rows = String::with_capacity(stats.per_day.len() * 300);
    for d in stats.per_day.iter().rev() {
        rows.push_str(r#"<tr><th scope="row" class="py-0.5 pr-3 font-normal">"#);
        markup::text(&mut rows, &d.day);
        rows.push_str("</th>");
        for c in counts(d) {
            rows.push_str(r#"<td class="py-0.5 pr-3">"#);
            markup::num(&mut rows, c);
            rows.push_str("</td>");
        }
        rows.push_str("</tr>");
    }
    (bars.into(), rows.into())
}

const CHART_W: f64 = 720.0;
const CHART_H: f64 = 200.0;
const CHART_TOP: f64 = 10.0;
const CHART_BOTTOM: f64 = 20.0;

/// Calls per day, stacked by outcome.
#[component]
fn PerDay(stats: OverviewView, markup: (Arc<str>, Arc<str>)) -> impl IntoView {
    let (bars, rows) = markup;
    let totals: Vec<i64> = (0..6).map(|i| stats.per_day.iter().map(|d| counts(d)[i]).sum()).collect();
    let busiest = stats.per_day.iter().max_by_key(|d| counts(d).iter().sum::<i64>()).filter(|d| counts(d).iter().sum::<i64>() > 0);
    let label = format!(
        "Calls per day, last {} days: {} calls in total ({}){}.",
        stats.days,
        stats.total,
        OUTCOMES.iter().zip(&totals).map(|((l, _, _), n)| format!("{n} {}", l.to_lowercase())).collect::<Vec<_>>().join(", "),
        busiest.map(|d| format!("; busiest day {} with {}", d.day, counts(d).iter().sum::<i64>())).unwrap_or_default()
    );
    let first = stats.per_day.first().map(|d| d.day.clone()).unwrap_or_default();
    let last = stats.per_day.last().map(|d| d.day.clone()).unwrap_or_default();
    let legend: Vec<_> = OUTCOMES.iter().zip(&totals).map(|((l, _, s), n)| (*l, *s, *n)).collect();
    view! {
        <Card>
            <h3 class="text-sm font-semibold text-slate-900">"Calls per day"</h3>
            <svg viewBox=format!("0 0 {CHART_W} {CHART_H}") class="mt-3 h-48 w-full" role="img" aria-label=label preserveAspectRatio="none">
                <line x1="0" y1=format!("{}", CHART_H - CHART_BOTTOM) x2=format!("{CHART_W}") y2=format!("{}", CHART_H - CHART_BOTTOM) class="stroke-slate-200" stroke-width="1"></line>
                <g inner_html=bars></g>
                <text x="0" y=format!("{}", CHART_H - 4.0) class="fill-slate-500 text-[10px]">{first}</text>
                <text x=format!("{CHART_W}") y=format!("{}", CHART_H - 4.0) text-anchor="end" class="fill-slate-500 text-[10px]">{last}</text>
                <text x="0" y="10" class="fill-slate-400 text-[10px]">{peak(&stats).to_string()}</text>
            </svg>
            <Legend items=legend/>
            <details class="mt-3 text-sm">
                <summary class="cursor-pointer select-none text-slate-600">"Show the numbers"</summary>
                <div class="mt-2 max-h-64 overflow-auto">
                    <table class="min-w-full text-left text-xs">
                        <caption class="sr-only">"Calls per day by outcome"</caption>
                        <thead class="text-slate-500">
                            <tr>
                                <th scope="col" class="py-1 pr-3">"Day"</th>
                                {OUTCOMES.iter().map(|(l, _, _)| view! { <th scope="col" class="py-1 pr-3">{*l}</th> }).collect_view()}
                            </tr>
                        </thead>
                        <tbody class="tabular-nums text-slate-700" inner_html=rows></tbody>
                    </table>
                </div>
            </details>
        </Card>
    }
}

/// The callers' sentiment across the period's analyzed calls, as one stacked bar.
#[component]
fn Sentiments(stats: OverviewView) -> impl IntoView {
    let parts = [
        ("Positive", "fill-emerald-500", "bg-emerald-500", stats.sentiment_positive),
        ("Neutral", "fill-slate-400", "bg-slate-400", stats.sentiment_neutral),
        ("Negative", "fill-red-500", "bg-red-500", stats.sentiment_negative),
        ("Unknown", "fill-slate-200", "bg-slate-200", stats.sentiment_unknown),
    ];
    let total: i64 = parts.iter().map(|p| p.3).sum();
    let label = if total == 0 {
        "Caller sentiment: no analyzed calls in this period.".to_string()
    } else {
        format!(
            "Caller sentiment over {total} analyzed calls: {}.",
            parts
                .iter()
                .map(|(l, _, _, n)| format!("{} {}%", l.to_lowercase(), (*n as f64 * 100.0 / total as f64).round()))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut x = 0.0;
    let rects = parts
        .iter()
        .filter(|p| p.3 > 0)
        .map(|(_, fill, _, n)| {
            let w = *n as f64 * 300.0 / total.max(1) as f64;
            let r = view! { <rect x=format!("{x:.1}") y="0" width=format!("{w:.1}") height="24" class=*fill></rect> };
            x += w;
            r
        })
        .collect_view();
    let legend: Vec<_> = parts.iter().map(|(l, _, s, n)| (*l, *s, *n)).collect();
    view! {
        <Card>
            <h3 class="text-sm font-semibold text-slate-900">"Caller sentiment"</h3>
            <svg viewBox="0 0 300 24" class="mt-3 h-6 w-full rounded" role="img" aria-label=label preserveAspectRatio="none">
                <rect x="0" y="0" width="300" height="24" class="fill-slate-100"></rect>
                {rects}
            </svg>
            <Legend items=legend/>
        </Card>
    }
}

#[component]
fn Recent(calls: Vec<CallListItem>) -> impl IntoView {
    view! {
        <Card class="p-0">
            <div class="flex items-center justify-between px-4 py-3">
                <h3 class="text-sm font-semibold text-slate-900">"Latest calls"</h3>
                <a href="/calls" class=format!("text-sm {TEXT_LINK}")>"All calls"</a>
            </div>
            {if calls.is_empty() {
                view! { <p class="px-4 pb-4 text-sm text-slate-600">"No calls yet. Place one from the Calls page."</p> }.into_any()
            } else {
                // Static rows as one string, like the Calls table (see `ui::markup`).
                let mut items = String::with_capacity(calls.len() * 700);
                for c in &calls {
                    items.push_str(r#"<li class="flex flex-wrap items-center justify-between gap-2 px-4 py-2 text-sm">"#);
                    call_link_html(&mut items, &c.id, &format_time(c.created_at));
                    items.push_str(r#"<span class="font-mono text-xs text-slate-700">"#);
                    markup::text(&mut items, c.other_number());
                    items.push_str(r#"</span><span class="text-slate-600">"#);
                    markup::text(&mut items, &c.agent_name);
                    items.push_str(r#"</span><span class="tabular-nums text-slate-600">"#);
                    markup::text(&mut items, &format_duration(c.duration_ms));
                    items.push_str("</span>");
                    status_badge_html(&mut items, c.status);
                    items.push_str("</li>");
                }
                view! {
                    <ul class="divide-y divide-slate-100 border-t border-slate-100" inner_html=items></ul>
                }
                    .into_any()
            }}
        </Card>
    }
}
