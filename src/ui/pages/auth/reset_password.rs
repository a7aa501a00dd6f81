use crate::model::ErrorCode;
use crate::server_fns::auth::ResetPassword;
use crate::ui::components::{validate_all, FieldState, FormError, ServerErrors, SubmitButton, TextField};
use crate::ui::layout::AuthLayout;
use crate::ui::pages::TEXT_LINK;
use crate::ui::validate;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").filter(|t| !t.trim().is_empty());

    let action = ServerAction::<ResetPassword>::new();
    let server = ServerErrors::of(action);
    let new_password = FieldState::new("new_password", server, validate::new_password);
    let confirm_password = FieldState::new("confirm_password", server, move |v| validate::confirm(&new_password.value(), v));
    let check = Callback::new(move |_| validate_all(&[new_password, confirm_password]));
    let link_expired = move || server.error().with(|e| e.as_ref().is_some_and(|e| matches!(e.code, ErrorCode::InvalidCode | ErrorCode::CodeExpired)));

    view! {
        <AuthLayout
            title="Set a new password"
            footer=move || {
                view! {
                    "Remembered it? "
                    <a href="/login" class=TEXT_LINK>"Log in"</a>
                }
            }
        >
            {move || match token() {
                None => {
                    view! {
                        <p class="text-sm text-slate-600">
                            "This page needs the link from the password reset email, and the link you opened is incomplete. Open the link from the email again, or ask for a new one."
                        </p>
                        <a href="/forgot-password" class=TEXT_LINK>"Request a new reset link"</a>
                    }
                        .into_any()
                }
                Some(token) => {
                    view! {
                        <ActionForm action=action attr:class="space-y-5">
                            <FormError error=server.error() fields=&["new_password", "confirm_password"]/>
                            {move || {
                                link_expired()
                                    .then(|| {
                                        view! {
                                            <p class="text-sm">
                                                <a href="/forgot-password" class=TEXT_LINK>
                                                    "Request a new reset link"
                                                </a>
                                            </p>
                                        }
                                    })
                            }}
                            <input type="hidden" name="token" value=token/>
                            <TextField
                                label="New password"
                                field=new_password
                                id="new_password"
                                kind="password"
                                autocomplete="new-password"
                                required=true
                                hint="At least 8 characters."
                            />
                            <TextField
                                label="Confirm new password"
                                field=confirm_password
                                id="confirm_password"
                                kind="password"
                                autocomplete="new-password"
                                required=true
                            />
                            <SubmitButton label="Set new password" pending=action.pending() validate=check full_width=true/>
                        </ActionForm>
                    }
                        .into_any()
                }
            }}
        </AuthLayout>
    }
}
