use crate::server_fns::auth::{ResendCode, VerifyEmail};
use crate::ui::components::{action_ok_or_flag, validate_all, FieldState, FormError, ServerErrors, Status, SubmitButton, TextField};
use crate::ui::layout::AuthLayout;
use crate::ui::validate;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn VerifyPage() -> impl IntoView {
    let query = use_query_map();
    let query_email = move || query.read().get("email").unwrap_or_default();
    let next = move || query.read().get("next").unwrap_or_default();

    let verify = ServerAction::<VerifyEmail>::new();
    let server = ServerErrors::of(verify);
    let email = FieldState::new("email", server, validate::email);
    let code = FieldState::new("code", server, validate::verification_code);
    let check = Callback::new(move |_| validate_all(&[email, code]));

    // The resend form posts the address from the email field above (kept in sync after
    // hydration; the address from the link before).
    let typed_email = RwSignal::new(None::<String>);
    let resend_email = move || typed_email.get().unwrap_or_else(query_email);
    let resend = ServerAction::<ResendCode>::new();
    let resend_server = ServerErrors::of(resend);
    let resend_message = action_ok_or_flag(resend, "resent", "If this email has an unverified account, a new code is on its way.".to_string());
    let check_resend = Callback::new(move |_| validate_all(&[email]));

    view! {
        <AuthLayout
            title="Verify your email"
            subtitle="We emailed you a 6-digit code. Enter it below to activate your account."
            footer=move || {
                view! {
                    "Wrong account? "
                    <a href="/login" class=crate::ui::pages::TEXT_LINK>"Log in"</a>
                }
            }
        >
            <ActionForm action=verify attr:class="space-y-5">
                <FormError error=server.error() fields=&["email", "code"]/>
                <input type="hidden" name="next" value=next/>
                <TextField
                    label="Email"
                    field=email
                    kind="email"
                    autocomplete="email"
                    required=true
                    value=query.with_untracked(|q| q.get("email").unwrap_or_default())
                    on_input=Callback::new(move |v: String| typed_email.set(Some(v)))
                />
                <TextField
                    label="Verification code"
                    field=code
                    autocomplete="one-time-code"
                    inputmode="numeric"
                    required=true
                    hint="The code expires after a while; ask for a new one if it no longer works."
                />
                <SubmitButton label="Verify email" pending=verify.pending() validate=check full_width=true/>
            </ActionForm>
            <div class="border-t border-slate-200 pt-5">
                <ActionForm action=resend attr:class="space-y-3">
                    <input type="hidden" name="email" value=resend_email/>
                    <FormError error=resend_server.error()/>
                    {move || resend_message.get().map(|m| view! { <Status><p>{m}</p></Status> })}
                    <div class="flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600">
                        <span>"Didn’t get the email?"</span>
                        <button
                            type="submit"
                            class="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-xs hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 disabled:cursor-wait disabled:opacity-70"
                            disabled=move || resend.pending().get()
                            on:click=move |ev| {
                                if !check_resend.run(()) {
                                    ev.prevent_default();
                                }
                            }
                        >
                            {move || if resend.pending().get() { "Send a new code…" } else { "Send a new code" }}
                        </button>
                    </div>
                </ActionForm>
            </div>
        </AuthLayout>
    }
}
