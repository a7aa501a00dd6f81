//! Agents: the list (`/agents`) and the editor (`/agents/:id`), with the badges they share.

mod analysis;
mod calling;
mod editor;
mod list;
mod prompt;
mod voice;

pub use editor::AgentEditorPage;
pub use list::AgentsPage;

use crate::model::{AgentStatus, Direction, MachineDetection};
use leptos::prelude::*;

const BADGE: &str = "inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-medium";

pub fn status_label(s: AgentStatus) -> &'static str {
    match s {
        AgentStatus::Draft => "Draft",
        AgentStatus::Published => "Published",
    }
}

pub fn direction_label(d: Direction) -> &'static str {
    match d {
        Direction::Inbound => "Inbound",
        Direction::Outbound => "Outbound",
    }
}

/// The choices of the editor's answering-machine setting.
pub fn machine_detection_label(m: MachineDetection) -> &'static str {
    match m {
        MachineDetection::Off => "Keep talking (no detection)",
        MachineDetection::HangUp => "Hang up",
        MachineDetection::LeaveMessage => "Leave the first message as a voicemail",
    }
}

/// Draft (grey) or Published (green).
#[component]
pub fn StatusBadge(status: AgentStatus) -> impl IntoView {
    let color = match status {
        AgentStatus::Draft => "bg-slate-100 text-slate-700",
        AgentStatus::Published => "bg-emerald-50 text-emerald-700 ring-1 ring-inset ring-emerald-600/20",
    };
    view! { <span class=format!("{BADGE} {color}")>{status_label(status)}</span> }
}

/// The project's active agent.
#[component]
pub fn ActiveBadge() -> impl IntoView {
    view! { <span class=format!("{BADGE} bg-indigo-50 text-indigo-700 ring-1 ring-inset ring-indigo-600/20")>"Active"</span> }
}
