//! Messages: [`Alert`] (errors, `role="alert"`), [`Status`] (confirmations, `role="status"`),
//! [`Notice`] (warnings and notes without a live role) and [`FormError`] for server errors.

use crate::model::AppError;
use leptos::prelude::*;

/// An error message box with `role="alert"`.
#[component]
pub fn Alert(children: Children) -> impl IntoView {
    view! {
        <div role="alert" class="flex gap-3 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
            <svg class="mt-0.5 size-4 shrink-0" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
                <path
                    fill-rule="evenodd"
                    d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-8-5a.75.75 0 0 1 .75.75v4.5a.75.75 0 0 1-1.5 0v-4.5A.75.75 0 0 1 10 5Zm0 10a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
                    clip-rule="evenodd"
                ></path>
            </svg>
            <div class="space-y-1">{children()}</div>
        </div>
    }
}

/// A confirmation with `role="status"`.
#[component]
pub fn Status(children: Children) -> impl IntoView {
    view! {
        <div role="status" class="flex gap-3 rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
            <svg class="mt-0.5 size-4 shrink-0" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
                <path
                    fill-rule="evenodd"
                    d="M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16Zm3.857-9.809a.75.75 0 0 0-1.214-.882l-3.483 4.79-1.88-1.88a.75.75 0 1 0-1.06 1.061l2.5 2.5a.75.75 0 0 0 1.137-.089l4-5.5Z"
                    clip-rule="evenodd"
                ></path>
            </svg>
            <div class="space-y-1">{children()}</div>
        </div>
    }
}

/// A warning or note without a live region role.
#[component]
pub fn Notice(children: Children) -> impl IntoView {
    view! {
        <div class="flex gap-3 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
            <svg class="mt-0.5 size-4 shrink-0" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
                <path
                    fill-rule="evenodd"
                    d="M8.485 2.495c.673-1.167 2.357-1.167 3.03 0l6.28 10.875c.673 1.167-.17 2.625-1.516 2.625H3.72c-1.347 0-2.189-1.458-1.515-2.625L8.485 2.495ZM10 5a.75.75 0 0 1 .75.75v3.5a.75.75 0 0 1-1.5 0v-3.5A.75.75 0 0 1 10 5Zm0 9a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
                    clip-rule="evenodd"
                ></path>
            </svg>
            <div class="space-y-1">{children()}</div>
        </div>
    }
}

/// What a form-level alert should say: the error's message unless an input of this form already
/// shows it, plus field messages for fields the form does not show (e.g. a hidden token).
pub fn form_level_messages(e: &AppError, shown_fields: &[&str]) -> Vec<String> {
    let shown = |field: &str| shown_fields.contains(&field);
    let mut out = Vec::new();
    if !e.details.iter().any(|d| shown(&d.field) && d.message == e.message) {
        out.push(e.message.clone());
    }
    for d in &e.details {
        if !shown(&d.field) && !out.contains(&d.message) {
            out.push(d.message.clone());
        }
    }
    out
}

/// The server's error for a form, minus what its inputs already show. Renders nothing when empty.
#[component]
pub fn FormError(
    error: Signal<Option<AppError>>,
    /// Names of the inputs that display their own field errors.
    #[prop(optional)]
    fields: &'static [&'static str],
) -> impl IntoView {
    move || {
        let messages = error.with(|e| e.as_ref().map(|e| form_level_messages(e, fields)).unwrap_or_default());
        (!messages.is_empty()).then(|| {
            view! {
                <Alert>
                    {messages.into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}
                </Alert>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ErrorCode;

    #[test]
    fn field_errors_shown_inline_are_not_repeated() {
        let e = AppError::field("email", "Enter your email address.");
        assert!(form_level_messages(&e, &["email"]).is_empty());
        assert_eq!(form_level_messages(&e, &["password"]), vec!["Enter your email address.".to_string()]);
        let e = AppError::new(ErrorCode::InvalidCredentials, "Invalid email or password.");
        assert_eq!(form_level_messages(&e, &["email", "password"]).len(), 1);
    }
}
