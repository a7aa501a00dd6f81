//! A data table in a card: column headers (the last one may be a visually hidden "Actions") and
//! the rows given as children.

use super::Card;
use leptos::prelude::*;

#[component]
pub fn DataTable(
    /// Column headers, in order.
    headers: Vec<&'static str>,
    /// Adds a last column for row actions, named for screen readers only.
    #[prop(optional)]
    actions: bool,
    /// The `<tr>` rows.
    children: Children,
) -> impl IntoView {
    view! {
        <Card class="overflow-x-auto p-0">
            <table class="min-w-full divide-y divide-slate-200 text-left text-sm">
                <thead class="bg-slate-50 text-xs font-medium uppercase tracking-wide text-slate-500">
                    <tr>
                        {headers.into_iter().map(|h| view! { <th scope="col" class="px-4 py-3">{h}</th> }).collect_view()}
                        {actions.then(|| view! { <th scope="col" class="px-4 py-3"><span class="sr-only">"Actions"</span></th> })}
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">{children()}</tbody>
            </table>
        </Card>
    }
}
