use crate::server_fns::auth::Signup;
use crate::ui::components::{validate_all, FieldState, FormError, ServerErrors, SubmitButton, TextField};
use crate::ui::layout::AuthLayout;
use crate::ui::pages::TEXT_LINK;
use crate::ui::validate;
use leptos::prelude::*;

#[component]
pub fn SignupPage() -> impl IntoView {
    let action = ServerAction::<Signup>::new();
    let server = ServerErrors::of(action);
    let name = FieldState::new("name", server, validate::person_name);
    let email = FieldState::new("email", server, validate::email);
    let password = FieldState::new("password", server, validate::new_password);
    let check = Callback::new(move |_| validate_all(&[name, email, password]));

    view! {
        <AuthLayout
            title="Create your account"
            subtitle="Set up Talkdeck to build and run AI phone agents."
            footer=move || {
                view! {
                    "Already have an account? "
                    <a href="/login" class=TEXT_LINK>"Log in"</a>
                }
            }
        >
            <ActionForm action=action attr:class="space-y-5">
                <FormError error=server.error() fields=&["name", "email", "password"]/>
                <TextField label="Name" field=name autocomplete="name" required=true/>
                <TextField label="Email" field=email kind="email" autocomplete="email" required=true/>
                <TextField
                    label="Password"
                    field=password
                    kind="password"
                    autocomplete="new-password"
                    required=true
                    hint="At least 8 characters."
                />
                <SubmitButton label="Create account" pending=action.pending() validate=check full_width=true/>
            </ActionForm>
        </AuthLayout>
    }
}
