use crate::server_fns::auth::Signup;
use crate::ui::components::{validate_all, FieldState, FormError, ServerErrors, SubmitButton, TextField};
use crate::ui::layout::AuthLayout;
use crate::ui::pages::TEXT_LINK;
use crate::ui::util::encode_query_value;
use crate::ui::validate;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignupPage() -> impl IntoView {
    // `?email=` prefills the address (e.g. from an invitation), `?next=` is where to go after
    // verification; both survive as form values.
    let query = use_query_map();
    let prefill = query.with_untracked(|q| q.get("email")).unwrap_or_default();
    let next = move || query.read().get("next").unwrap_or_default();
    let login_href = move || {
        let n = next();
        if n.is_empty() {
            "/login".to_string()
        } else {
            format!("/login?next={}", encode_query_value(&n))
        }
    };
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
                    <a href=login_href class=TEXT_LINK>"Log in"</a>
                }
            }
        >
            <ActionForm action=action attr:class="space-y-5">
                <FormError error=server.error() fields=&["name", "email", "password"]/>
                <TextField label="Name" field=name autocomplete="name" required=true/>
                <input type="hidden" name="next" value=next/>
                <TextField label="Email" field=email kind="email" autocomplete="email" required=true value=prefill/>
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
