//! The batch pages: `/batches` (the project's batches with their progress, live),
//! `/batches/new` (the upload form, a plain multipart post that works without JavaScript) and
//! `/batches/:id` (the validation report and start options of a draft; progress, controls and
//! rows of a started batch; the results export).

mod detail;
mod list;
pub mod live;
mod new;

pub use detail::BatchDetailPage;
pub use list::BatchesPage;
pub use new::NewBatchPage;

use crate::model::{BatchProgress, BatchRowState, BatchStatus};
use leptos::prelude::*;

/// Classes of a primary action rendered as a link.
pub(crate) const PRIMARY_LINK: &str = "inline-flex items-center justify-center gap-2 rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2";
/// Classes of a text input.
pub(crate) const INPUT: &str = crate::ui::components::INPUT_CLASS;
/// Classes of a checkbox.
pub(crate) const CHECKBOX: &str = "size-4 rounded border-slate-300 text-indigo-600 focus-visible:ring-2 focus-visible:ring-indigo-500";

pub fn status_label(s: BatchStatus) -> &'static str {
    match s {
        BatchStatus::Draft => "Draft",
        BatchStatus::Scheduled => "Scheduled",
        BatchStatus::Running => "Running",
        BatchStatus::Paused => "Paused",
        BatchStatus::Completed => "Completed",
        BatchStatus::Canceled => "Canceled",
        BatchStatus::Failed => "Failed",
    }
}

pub fn row_state_label(s: BatchRowState) -> &'static str {
    match s {
        BatchRowState::Invalid => "Invalid",
        BatchRowState::Waiting => "Waiting",
        BatchRowState::Calling => "Calling",
        BatchRowState::Done => "Done",
        BatchRowState::Failed => "Failed",
        BatchRowState::Skipped => "Skipped",
        BatchRowState::Canceled => "Canceled",
    }
}

/// The status as a coloured pill; a running batch pulses.
#[component]
pub fn BatchStatusBadge(status: BatchStatus) -> impl IntoView {
    let colour = match status {
        BatchStatus::Draft => "bg-slate-100 text-slate-700 ring-slate-500/20",
        BatchStatus::Scheduled => "bg-sky-50 text-sky-800 ring-sky-600/20",
        BatchStatus::Running => "bg-indigo-50 text-indigo-700 ring-indigo-600/20",
        BatchStatus::Paused => "bg-amber-50 text-amber-800 ring-amber-600/20",
        BatchStatus::Completed => "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
        BatchStatus::Canceled => "bg-slate-100 text-slate-600 ring-slate-500/20",
        BatchStatus::Failed => "bg-red-50 text-red-700 ring-red-600/20",
    };
    view! {
        <span
            class=format!("inline-flex items-center gap-1.5 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset {colour}")
            data-status=status.as_str()
        >
            {(status == BatchStatus::Running).then(|| view! { <span class="size-1.5 animate-pulse rounded-full bg-current" aria-hidden="true"></span> })}
            {status_label(status)}
        </span>
    }
}

/// The segments of the progress bar, in drawing order: (label, count, fill class, dot class).
fn segments(p: &BatchProgress) -> [(&'static str, i64, &'static str, &'static str); 6] {
    [
        ("done", p.done, "fill-emerald-500", "bg-emerald-500"),
        ("failed", p.failed, "fill-red-500", "bg-red-500"),
        ("skipped", p.skipped, "fill-amber-400", "bg-amber-400"),
        ("canceled", p.canceled, "fill-slate-400", "bg-slate-400"),
        ("calling", p.calling, "fill-indigo-500", "bg-indigo-500"),
        ("waiting", p.waiting, "fill-slate-300", "bg-slate-300"),
    ]
}

/// "7 of 10 finished: 5 done, 1 failed, 1 calling, 3 waiting" (zero counts left out).
pub fn progress_text(p: &BatchProgress, total: i64) -> String {
    let parts: Vec<String> = segments(p).iter().filter(|(_, n, _, _)| *n > 0).map(|(l, n, _, _)| format!("{n} {l}")).collect();
    let head = format!("{} of {total} finished", p.finished());
    if parts.is_empty() {
        head
    } else {
        format!("{head}: {}", parts.join(", "))
    }
}

/// A segmented bar of a batch's valid rows (done, failed, skipped, canceled, calling, waiting),
/// exposed as a `progressbar` whose value is the finished rows; `legend` adds the counts as text.
/// Drawn in SVG: the page's CSP admits no inline styles, and geometry attributes are not styles.
#[component]
pub fn BatchProgressBar(progress: BatchProgress, total: i64, #[prop(optional)] legend: bool) -> impl IntoView {
    let total = total.max(progress.finished() + progress.calling + progress.waiting);
    let text = progress_text(&progress, total);
    let mut x = 0i64;
    let bars = segments(&progress)
        .into_iter()
        .filter(|(_, n, _, _)| *n > 0)
        .map(|(label, n, fill, _)| {
            let at = x;
            x += n;
            view! { <rect x=at.to_string() y="0" width=n.to_string() height="1" class=fill data-segment=label></rect> }
        })
        .collect_view();
    view! {
        <div class="min-w-24 space-y-1">
            <div
                role="progressbar"
                aria-label="Progress"
                aria-valuemin="0"
                aria-valuemax=total.to_string()
                aria-valuenow=progress.finished().to_string()
                aria-valuetext=text.clone()
                title=text.clone()
                class="h-2 w-full overflow-hidden rounded-full bg-slate-100"
            >
                <svg class="block h-full w-full" viewBox=format!("0 0 {} 1", total.max(1)) preserveAspectRatio="none" aria-hidden="true" focusable="false">
                    {bars}
                </svg>
            </div>
            {legend.then(|| view! {
                <ul class="flex flex-wrap gap-x-3 gap-y-1 text-xs text-slate-600" aria-hidden="true">
                    {segments(&progress).into_iter().map(|(label, n, _, dot)| view! {
                        <li class="inline-flex items-center gap-1" data-count=label>
                            <span class=format!("size-2 rounded-full {dot}")></span>
                            <span class="tabular-nums">{n}</span>
                            " "
                            {label}
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_as_text() {
        let p = BatchProgress { done: 5, failed: 1, calling: 1, waiting: 3, ..Default::default() };
        assert_eq!(progress_text(&p, 10), "6 of 10 finished: 5 done, 1 failed, 1 calling, 3 waiting");
        assert_eq!(progress_text(&BatchProgress::default(), 0), "0 of 0 finished");
    }
}
