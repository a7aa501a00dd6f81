//! A white panel.

use leptos::prelude::*;

#[component]
pub fn Card(
    children: Children,
    /// Extra classes (padding, spacing).
    #[prop(default = "p-6")]
    class: &'static str,
) -> impl IntoView {
    view! {
        <div class=format!("rounded-xl border border-slate-200 bg-white shadow-sm {class}")>
            {children()}
        </div>
    }
}
