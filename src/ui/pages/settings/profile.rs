use super::SettingsHeader;
use crate::server_fns::auth::{current_user, UpdateProfile};
use crate::ui::components::{action_ok, validate_all, Alert, Card, FieldState, FormError, ServerErrors, Status, SubmitButton, TextField};
use crate::ui::layout::app_shell::use_user;
use crate::ui::validate;
use leptos::prelude::*;

#[component]
pub fn ProfilePage() -> impl IntoView {
    // The page keeps its own copy so the form is not rebuilt when the shell's user is updated.
    let me = Resource::new(|| (), |_| current_user());
    let shell_user = use_user();

    let action = ServerAction::<UpdateProfile>::new();
    let server = ServerErrors::of(action);
    let saved = action_ok(action);
    // A plain form post (no JS) comes back as `?saved=1`.
    let query = leptos_router::hooks::use_query_map();
    let saved_without_js = move || query.with(|q| q.get("saved").is_some());
    let name = FieldState::new("name", server, validate::person_name);
    let company = FieldState::new("company_name", server, validate::company_name);
    let check = Callback::new(move |_| validate_all(&[name, company]));

    // Show the new name in the user menu and on the overview.
    Effect::new(move |_| {
        if let Some(user) = saved.get() {
            shell_user.set(Some(Ok(Some(user))));
        }
    });

    view! {
        <SettingsHeader title="Profile" description="Your name and company as shown in Talkdeck."/>
        <div class="max-w-xl space-y-5">
            {move || {
                ((saved.with(Option::is_some) || saved_without_js()) && !action.pending().get())
                    .then(|| view! { <Status><p>"Profile saved."</p></Status> })
            }}
            <Card>
                <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading your profile…"</p> }>
                    {move || Suspend::new(async move {
                        match me.await {
                            Ok(Some(user)) => {
                                view! {
                                    <ActionForm action=action attr:class="space-y-5">
                                        <FormError error=server.error() fields=&["name", "company_name"]/>
                                        <TextField
                                            label="Name"
                                            field=name
                                            autocomplete="name"
                                            required=true
                                            value=user.name.clone()
                                        />
                                        <TextField
                                            label="Company name"
                                            field=company
                                            autocomplete="organization"
                                            value=user.company_name.clone().unwrap_or_default()
                                            hint="Optional."
                                        />
                                        <div class="space-y-1.5">
                                            <label for="profile-email" class="block text-sm font-medium text-slate-700">
                                                "Email"
                                            </label>
                                            <input
                                                id="profile-email"
                                                type="email"
                                                value=user.email.clone()
                                                readonly=true
                                                aria-describedby="profile-email-hint"
                                                class="block w-full rounded-lg border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-600 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/40"
                                            />
                                            <p id="profile-email-hint" class="text-sm text-slate-500">
                                                "Your login email cannot be changed here."
                                            </p>
                                        </div>
                                        <div class="flex justify-end">
                                            <SubmitButton label="Save profile" pending=action.pending() validate=check/>
                                        </div>
                                    </ActionForm>
                                }
                                    .into_any()
                            }
                            Ok(None) => view! { <p class="text-sm text-slate-600">"You are not logged in."</p> }.into_any(),
                            Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                        }
                    })}
                </Suspense>
            </Card>
        </div>
    }
}
