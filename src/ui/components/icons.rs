//! Decorative line icons (24×24, stroke = currentColor). Always `aria-hidden`.

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IconKind {
    Home,
    Agents,
    Calls,
    Batches,
    PhoneNumbers,
    Voices,
    Settings,
    Menu,
    Close,
    ChevronDown,
    Folder,
    User,
    Key,
    ArrowRight,
    Team,
    Audit,
    Plus,
    Check,
    Book,
}

impl IconKind {
    fn path(self) -> &'static str {
        match self {
            IconKind::Home => "M3 10.5 12 3l9 7.5M5.5 8.5V20h4.5v-6h4v6h4.5V8.5",
            IconKind::Agents => "M12 3v3M7 6h10a3 3 0 0 1 3 3v7a3 3 0 0 1-3 3H7a3 3 0 0 1-3-3V9a3 3 0 0 1 3-3ZM9 11.5v1M15 11.5v1M9.5 16h5",
            IconKind::Calls => "M5 4h3.5l2 5-2.25 1.5a11 11 0 0 0 5.25 5.25L15 13.5l5 2V19a2 2 0 0 1-2 2A15 15 0 0 1 3 6a2 2 0 0 1 2-2Z",
            IconKind::Batches => "M12 3 3 7.5 12 12l9-4.5L12 3ZM3 12l9 4.5 9-4.5M3 16.5 12 21l9-4.5",
            IconKind::PhoneNumbers => "M10 3 8 21M16 3l-2 18M4.5 8.5h16M3.5 15.5h16",
            IconKind::Voices => "M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3ZM5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21",
            IconKind::Settings => "M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1M15 4v4M9 10v4M17 16v4",
            IconKind::Menu => "M4 6h16M4 12h16M4 18h16",
            IconKind::Close => "M6 6l12 12M18 6 6 18",
            IconKind::ChevronDown => "m6 9 6 6 6-6",
            IconKind::Folder => "M3 6.5A1.5 1.5 0 0 1 4.5 5h4.6l2 2.5h8.4A1.5 1.5 0 0 1 21 9v9.5a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 18.5v-12Z",
            IconKind::Book => "M5 4.5A1.5 1.5 0 0 1 6.5 3H19v15H6.5A1.5 1.5 0 0 0 5 19.5v-15ZM5 19.5A1.5 1.5 0 0 0 6.5 21H19v-3M9 7h6",
            IconKind::User => "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8ZM4.5 20a7.5 7.5 0 0 1 15 0",
            IconKind::Key => "M14.5 9.5a4.5 4.5 0 1 0-3.9 4.46L9 15.5v2H7v2H4v-3l5.54-5.54A4.5 4.5 0 0 0 14.5 9.5ZM16 8h.01",
            IconKind::ArrowRight => "M5 12h14M13 6l6 6-6 6",
            IconKind::Team => "M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7ZM2.5 20a6.5 6.5 0 0 1 13 0M16 4.5a3.5 3.5 0 0 1 0 6.5M18.5 14a6.5 6.5 0 0 1 3 6",
            IconKind::Audit => "M7 3h7l5 5v13H7a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2ZM14 3v5h5M9 13h6M9 17h6",
            IconKind::Plus => "M12 5v14M5 12h14",
            IconKind::Check => "m5 12.5 4.5 4.5L19 7.5",
        }
    }
}

#[component]
pub fn Icon(kind: IconKind, #[prop(default = "size-5")] class: &'static str) -> impl IntoView {
    view! {
        <svg
            class=class
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="1.75"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
        >
            <path d=kind.path()></path>
        </svg>
    }
}
