use crate::model::ErrorCode;
use crate::server_fns::auth::Login;
use crate::ui::components::{validate_all, Alert, FieldState, FormError, ServerErrors, Status, SubmitButton, TextField};
use crate::ui::layout::AuthLayout;
use crate::ui::pages::TEXT_LINK;
use crate::ui::util::verify_href;
use crate::ui::validate;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let was_reset = move || query.read().get("reset").as_deref() == Some("1");

    let action = ServerAction::<Login>::new();
    let server = ServerErrors::of(action);
    let email = FieldState::new("email", server, validate::email);
    let password = FieldState::new("password", server, |v| validate::present(v, "Enter your password."));
    // The address last submitted, for the "verify your email" link (unknown without JavaScript).
    let submitted_email = RwSignal::new(String::new());
    let check = Callback::new(move |_| {
        submitted_email.set(email.value());
        validate_all(&[email, password])
    });

    let error_view = move || {
        let unverified = server.error().with(|e| e.as_ref().is_some_and(|e| e.code == ErrorCode::EmailNotVerified));
        if unverified {
            let message = server.error().with(|e| e.as_ref().map(|e| e.message.clone())).unwrap_or_default();
            let next = next();
            let href = move || verify_href(&submitted_email.get(), Some(&next));
            view! {
                <Alert>
                    <p>{message}</p>
                    <p>
                        <a href=href class="font-semibold text-red-900 underline underline-offset-4">
                            "Verify your email"
                        </a>
                    </p>
                </Alert>
            }
            .into_any()
        } else {
            view! { <FormError error=server.error() fields=&["email", "password"]/> }.into_any()
        }
    };

    view! {
        <AuthLayout
            title="Log in"
            subtitle="Welcome back to Talkdeck."
            footer=move || {
                view! {
                    "New to Talkdeck? "
                    <a href="/signup" class=TEXT_LINK>"Sign up"</a>
                }
            }
        >
            {move || {
                was_reset()
                    .then(|| {
                        view! {
                            <Status>
                                <p>"Your password has been reset. Log in with your new password."</p>
                            </Status>
                        }
                    })
            }}
            <ActionForm action=action attr:class="space-y-5">
                {error_view}
                <input type="hidden" name="next" value=next/>
                <TextField label="Email" field=email kind="email" autocomplete="email" required=true/>
                <TextField
                    label="Password"
                    field=password
                    kind="password"
                    autocomplete="current-password"
                    required=true
                />
                <div class="flex justify-end text-sm">
                    <a href="/forgot-password" class=TEXT_LINK>"Forgot your password?"</a>
                </div>
                <SubmitButton label="Log in" pending=action.pending() validate=check full_width=true/>
            </ActionForm>
        </AuthLayout>
    }
}
