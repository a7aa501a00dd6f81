//! `/invitations/accept?token=…`: a public page. It previews the invitation; a logged-in invitee
//! accepts it, anyone else is offered to log in or sign up and come back here afterwards.

use crate::model::{AppError, InvitationPreview, UserView};
use crate::server_fns::auth::current_user;
use crate::server_fns::projects::{preview_invitation, AcceptInvitation};
use crate::ui::components::{Alert, FormError, Notice, ServerErrors, SubmitButton};
use crate::ui::layout::AuthLayout;
use crate::ui::pages::TEXT_LINK;
use crate::ui::util::encode_query_value;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

const PRIMARY_LINK: &str = "inline-flex w-full items-center justify-center rounded-lg bg-indigo-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2";
const OUTLINE_LINK: &str = "inline-flex w-full items-center justify-center rounded-lg border border-slate-300 bg-white px-4 py-2.5 text-sm font-semibold text-slate-700 shadow-xs hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2";

#[component]
pub fn AcceptInvitationPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let preview = Resource::new(token, |t| async move {
        if t.trim().is_empty() {
            Err(AppError::new(crate::model::ErrorCode::InvalidCode, "This invitation link is incomplete. Open the link from the invitation email again."))
        } else {
            preview_invitation(t).await
        }
    });
    let me = Resource::new(|| (), |_| current_user());
    let accept = ServerAction::<AcceptInvitation>::new();

    view! {
        <AuthLayout title="Join a project" subtitle="You have been invited to work on a Talkdeck project.">
            <Suspense fallback=|| view! { <p class="text-sm text-slate-500" aria-busy="true">"Loading the invitation…"</p> }>
                {move || Suspend::new(async move {
                    let preview = preview.await;
                    let me = me.await;
                    match preview {
                        Err(e) => view! { <InvalidInvitation message=e.message/> }.into_any(),
                        Ok(p) if p.state == "expired" => {
                            view! { <InvalidInvitation message="This invitation has expired. Ask for a new one.".to_string()/> }
                                .into_any()
                        }
                        Ok(p) if p.state != "pending" => {
                            view! {
                                <InvalidInvitation message="This invitation was already used or revoked.".to_string()/>
                            }
                                .into_any()
                        }
                        Ok(p) => {
                            let user = me.ok().flatten();
                            view! { <Invitation preview=p user=user token=token() accept=accept/> }.into_any()
                        }
                    }
                })}
            </Suspense>
        </AuthLayout>
    }
}

#[component]
fn InvalidInvitation(message: String) -> impl IntoView {
    view! {
        <Alert>
            <p>{message}</p>
        </Alert>
        <p class="text-sm text-slate-600">
            <a href="/" class=TEXT_LINK>"Go to Talkdeck"</a>
        </p>
    }
}

#[component]
fn Invitation(preview: InvitationPreview, user: Option<UserView>, token: String, accept: ServerAction<AcceptInvitation>) -> impl IntoView {
    let here = format!("/invitations/accept?token={}", encode_query_value(&token));
    let summary = format!("{} invited you to {} as {}", preview.invited_by, preview.project_name, preview.role.as_str());
    let server = ServerErrors::of(accept);
    let body = match user {
        Some(u) => {
            let other = !u.email.eq_ignore_ascii_case(&preview.email);
            let note = format!("You are logged in as {}, but this invitation was sent to {}.", u.email, preview.email);
            view! {
                {other
                    .then(|| {
                        view! {
                            <Notice>
                                <p>{note}</p>
                            </Notice>
                        }
                    })}
                <ActionForm action=accept attr:class="space-y-4">
                    <FormError error=server.error()/>
                    <input type="hidden" name="token" value=token/>
                    <SubmitButton label="Accept invitation" pending=accept.pending() full_width=true/>
                </ActionForm>
            }
            .into_any()
        }
        None => {
            let next = encode_query_value(&here);
            let login = format!("/login?next={next}");
            let signup = format!("/signup?email={}&next={next}", encode_query_value(&preview.email));
            view! {
                <p class="text-sm text-slate-600">"Log in or create an account to accept it. You will come back here."</p>
                <div class="grid gap-3 sm:grid-cols-2">
                    <a href=login class=PRIMARY_LINK>"Log in"</a>
                    <a href=signup class=OUTLINE_LINK>"Sign up"</a>
                </div>
            }
            .into_any()
        }
    };
    view! {
        <div class="rounded-lg bg-indigo-50 px-4 py-3">
            <p class="text-sm font-medium text-indigo-900">{summary}</p>
            <p class="mt-1 text-xs text-indigo-800">{format!("Sent to {}", preview.email)}</p>
        </div>
        {body}
    }
}
