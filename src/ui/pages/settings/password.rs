use super::SettingsHeader;
use crate::server_fns::auth::ChangePassword;
use crate::ui::components::{action_ok_or_flag, validate_all, Card, FieldState, FormError, ServerErrors, Status, SubmitButton, TextField};
use crate::ui::validate;
use leptos::html::Form;
use leptos::prelude::*;

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let server = ServerErrors::of(action);
    let message = action_ok_or_flag(action, "changed", "Password changed. Your other sessions were logged out.".to_string());
    let current = FieldState::new("current_password", server, |v| validate::present(v, "Enter your current password."));
    let new_password = FieldState::new("new_password", server, validate::new_password);
    let confirm_password = FieldState::new("confirm_password", server, move |v| validate::confirm(&new_password.value(), v));
    let check = Callback::new(move |_| validate_all(&[current, new_password, confirm_password]));

    // Clear the inputs once the change went through.
    let form = NodeRef::<Form>::new();
    Effect::new(move |_| {
        if message.with(Option::is_some) {
            if let Some(f) = form.get_untracked() {
                f.reset();
            }
        }
    });

    view! {
        <SettingsHeader
            title="Change password"
            description="Choose a new password. Your other sessions will be logged out."
        />
        <div class="max-w-xl space-y-5">
            {move || {
                (!action.pending().get())
                    .then(|| message.get())
                    .flatten()
                    .map(|m| view! { <Status><p>{m}</p></Status> })
            }}
            <Card>
                <ActionForm action=action node_ref=form attr:class="space-y-5">
                    <FormError error=server.error() fields=&["current_password", "new_password", "confirm_password"]/>
                    <TextField
                        label="Current password"
                        field=current
                        kind="password"
                        autocomplete="current-password"
                        required=true
                    />
                    <TextField
                        label="New password"
                        field=new_password
                        kind="password"
                        autocomplete="new-password"
                        required=true
                        hint="At least 8 characters."
                    />
                    <TextField
                        label="Confirm new password"
                        field=confirm_password
                        kind="password"
                        autocomplete="new-password"
                        required=true
                    />
                    <div class="flex justify-end">
                        <SubmitButton label="Change password" pending=action.pending() validate=check/>
                    </div>
                </ActionForm>
            </Card>
        </div>
    }
}
