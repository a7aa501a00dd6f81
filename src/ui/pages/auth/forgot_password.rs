use crate::server_fns::auth::ForgotPassword;
use crate::ui::components::{action_ok_or_flag, validate_all, FieldState, FormError, ServerErrors, Status, SubmitButton, TextField};
use crate::ui::layout::AuthLayout;
use crate::ui::pages::TEXT_LINK;
use crate::ui::validate;
use leptos::prelude::*;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let server = ServerErrors::of(action);
    let message = action_ok_or_flag(action, "sent", "If the email is registered, a reset link has been sent.".to_string());
    let email = FieldState::new("email", server, validate::email);
    let check = Callback::new(move |_| validate_all(&[email]));

    view! {
        <AuthLayout
            title="Reset your password"
            subtitle="Enter the email you signed up with and we will send you a link to set a new password."
            footer=move || {
                view! {
                    "Remembered it? "
                    <a href="/login" class=TEXT_LINK>"Log in"</a>
                }
            }
        >
            {move || message.get().map(|m| view! { <Status><p>{m}</p></Status> })}
            <ActionForm action=action attr:class="space-y-5">
                <FormError error=server.error() fields=&["email"]/>
                <TextField label="Email" field=email kind="email" autocomplete="email" required=true/>
                <SubmitButton label="Send reset link" pending=action.pending() validate=check full_width=true/>
            </ActionForm>
        </AuthLayout>
    }
}
