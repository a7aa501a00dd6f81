//! `/settings/team`: the active project's members, invitations, ownership transfer and leaving.
//! Admins and owners manage roles and invitations; other roles see the member list read-only.

use super::SettingsHeader;
use crate::model::{InvitationView, MemberView, ProjectView, Role};
use crate::server_fns::projects::{list_invitations, list_members, ChangeMemberRole, InviteMember, RemoveMember, ResendInvitation, RevokeInvitation, TransferProject};
use crate::ui::components::{
    on_action_ok, validate_all, Alert, Card, DataTable, FieldState, FormError, SecondaryButton, ServerErrors, Status, SubmitButton, TextField, SECONDARY_BUTTON,
    SELECT_CLASS,
};
use crate::ui::layout::app_shell::use_user;
use crate::ui::layout::{use_projects, with_project, LoadingPanel, Projects};
use crate::ui::util::format_time;
use crate::ui::validate;
use leptos::html::Form;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The page's actions, shared by its sections.
#[derive(Clone, Copy)]
struct TeamActions {
    change_role: ServerAction<ChangeMemberRole>,
    remove: ServerAction<RemoveMember>,
    transfer: ServerAction<TransferProject>,
    invite: ServerAction<InviteMember>,
    resend: ServerAction<ResendInvitation>,
    revoke: ServerAction<RevokeInvitation>,
    /// Bumped after every change: members and invitations refetch.
    refresh: RwSignal<u64>,
    projects: Projects,
}

#[component]
pub fn TeamPage() -> impl IntoView {
    let projects = use_projects();
    let a = TeamActions {
        change_role: ServerAction::new(),
        remove: ServerAction::new(),
        transfer: ServerAction::new(),
        invite: ServerAction::new(),
        resend: ServerAction::new(),
        revoke: ServerAction::new(),
        refresh: RwSignal::new(0),
        projects,
    };
    let message = RwSignal::new(None::<String>);
    let done = move |m: &str| {
        message.set(Some(m.to_string()));
        a.refresh.update(|n| *n += 1);
    };
    on_action_ok(a.change_role, move |m| done(&format!("{} is now {}.", m.email, m.role.label().to_lowercase())));
    on_action_ok(a.remove, move |_| done("Member removed."));
    on_action_ok(a.transfer, move |_| {
        done("Ownership transferred.");
        projects.refresh();
    });
    on_action_ok(a.invite, move |_| done("Invitation sent"));
    on_action_ok(a.resend, move |_| done("Invitation resent."));
    on_action_ok(a.revoke, move |_| done("Invitation revoked."));
    // After a plain form post (no JS) the server comes back with `?invited=1`.
    let query = use_query_map();
    let shown = move || message.get().or_else(|| query.with(|q| q.get("invited").is_some()).then(|| "Invitation sent".to_string()));

    view! {
        <SettingsHeader title="Team" description="Who can work on the active project, and what they may do."/>
        <div class="space-y-6">
            {move || shown().map(|m| view! { <Status><p>{m}</p></Status> })}
            {with_project(move |p| view! { <TeamBody project=p actions=a/> }.into_any())}
        </div>
    }
}

#[component]
fn TeamBody(project: ProjectView, actions: TeamActions) -> impl IntoView {
    let a = actions;
    let manage = project.role.can_manage();
    let owner = project.role == Role::Owner;
    let pid = project.id.clone();
    let members = Resource::new(
        {
            let pid = pid.clone();
            move || (pid.clone(), a.refresh.get())
        },
        |(id, _)| list_members(id),
    );
    let (pid_members, pid_invite, pid_invitations, pid_transfer) = (pid.clone(), pid.clone(), pid.clone(), pid.clone());
    let user = use_user();
    let my_id = move || user.get().and_then(|r| r.ok().flatten()).map(|u| u.id).unwrap_or_default();

    view! {
        <section aria-labelledby="members-heading" class="space-y-3">
            <div>
                <h2 id="members-heading" class="text-base font-semibold text-slate-900">"Members"</h2>
                <p class="mt-1 text-sm text-slate-600">
                    "Viewers can look around, members edit agents and place calls, admins also manage the team, numbers and webhooks."
                </p>
            </div>
            <FormError error=ServerErrors::of(a.change_role).error()/>
            <FormError error=ServerErrors::of(a.remove).error()/>
            <Transition fallback=|| view! { <LoadingPanel label="Loading members…"/> }>
                {
                    let pid = pid_members;
                    move || {
                        let me = my_id();
                        members
                            .get()
                            .map(|r| match r {
                                Ok(list) => {
                                    view! { <MembersTable members=list project_id=pid.clone() me=me manage=manage actions=a/> }
                                        .into_any()
                                }
                                Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                            })
                    }
                }
            </Transition>
        </section>
        {manage.then(|| view! { <InviteSection project_id=pid_invite actions=a/> })}
        {manage.then(|| view! { <InvitationsSection project_id=pid_invitations actions=a/> })}
        {owner
            .then(|| {
                view! {
                    <Transition fallback=|| ()>
                        {
                            let pid = pid_transfer;
                            move || {
                                let me = my_id();
                                members
                                    .get()
                                    .and_then(Result::ok)
                                    .map(|list| {
                                        let others: Vec<MemberView> = list.into_iter().filter(|m| m.user_id != me).collect();
                                        view! { <TransferSection project_id=pid.clone() others=others actions=a/> }
                                    })
                            }
                        }
                    </Transition>
                }
            })}
        <LeaveSection project=project.clone() projects=a.projects/>
    }
}

#[component]
fn MembersTable(members: Vec<MemberView>, project_id: String, me: String, manage: bool, actions: TeamActions) -> impl IntoView {
    let a = actions;
    view! {
        <DataTable headers=vec!["Name", "Email", "Role"] actions=manage>
                    {members
                        .into_iter()
                        .map(|m| {
                            let pid_role = project_id.clone();
                            let pid_remove = project_id.clone();
                            let uid_role = m.user_id.clone();
                            let uid_remove = m.user_id.clone();
                            let email_remove = m.email.clone();
                            let is_me = m.user_id == me;
                            let editable = manage && !is_me && m.role != Role::Owner;
                            let role = m.role;
                            let role_cell = if editable {
                                let email = m.email.clone();
                                view! {
                                    <ActionForm action=a.change_role attr:class="flex items-center gap-2">
                                        <input type="hidden" name="project_id" value=pid_role/>
                                        <input type="hidden" name="user_id" value=uid_role/>
                                        <select name="role" aria-label=format!("Role for {email}") class=format!("{SELECT_CLASS} w-auto py-1.5")>
                                            {[Role::Viewer, Role::Member, Role::Admin]
                                                .into_iter()
                                                                .map(|r| view! { <option value=r.as_str() selected=r == role>{r.label()}</option> })
                                                .collect_view()}
                                        </select>
                                        <SecondaryButton label="Save" context=format!("role for {email}") pending=a.change_role.pending()/>
                                    </ActionForm>
                                }
                                    .into_any()
                            } else {
                                view! {
                                    <span class="inline-flex rounded-full bg-slate-100 px-2.5 py-0.5 text-xs font-medium text-slate-700">
                                        {m.role.label()}
                                    </span>
                                }
                                    .into_any()
                            };
                            let actions_cell = manage
                                .then(|| {
                                    let remove = editable
                                        .then(|| {
                                            view! {
                                                <ActionForm action=a.remove>
                                                    <input type="hidden" name="project_id" value=pid_remove/>
                                                    <input type="hidden" name="user_id" value=uid_remove/>
                                                    <SecondaryButton label="Remove" context=email_remove pending=a.remove.pending() danger=true/>
                                                </ActionForm>
                                            }
                                        });
                                    view! { <td class="px-4 py-3 text-right">{remove}</td> }
                                });
                            view! {
                                <tr>
                                    <td class="px-4 py-3 font-medium text-slate-900">
                                        {m.name.clone()}
                                        {is_me.then(|| view! { <span class="ml-1 font-normal text-slate-500">"(you)"</span> })}
                                    </td>
                                    <td class="px-4 py-3 text-slate-600">{m.email.clone()}</td>
                                    <td class="px-4 py-3">{role_cell}</td>
                                    {actions_cell}
                                </tr>
                            }
                        })
                        .collect_view()}
                </DataTable>
    }
}

#[component]
fn InviteSection(project_id: String, actions: TeamActions) -> impl IntoView {
    let invite = actions.invite;
    let server = ServerErrors::of(invite);
    let email = FieldState::new("email", server, validate::email);
    let check = Callback::new(move |_| validate_all(&[email]));
    let form = NodeRef::<Form>::new();
    on_action_ok(invite, move |_| {
        if let Some(f) = form.get_untracked() {
            f.reset();
        }
    });
    view! {
        <section aria-labelledby="invite-heading" class="space-y-3">
            <h2 id="invite-heading" class="text-base font-semibold text-slate-900">"Invite member"</h2>
            <Card>
                <ActionForm action=invite node_ref=form attr:class="space-y-4">
                    <FormError error=server.error() fields=&["email", "role"]/>
                    <input type="hidden" name="project_id" value=project_id/>
                    <div class="grid gap-4 sm:grid-cols-[1fr_12rem]">
                        <TextField label="Email" field=email kind="email" autocomplete="off" required=true id="invite-email"/>
                        <div class="space-y-1.5">
                            <label for="invite-role" class="block text-sm font-medium text-slate-700">"Role"</label>
                            <select id="invite-role" name="role" class=SELECT_CLASS>
                                <option value="viewer">"Viewer"</option>
                                <option value="member" selected=true>"Member"</option>
                                <option value="admin">"Admin"</option>
                            </select>
                        </div>
                    </div>
                    <div class="flex justify-end">
                        <SubmitButton label="Send invitation" pending=invite.pending() validate=check/>
                    </div>
                </ActionForm>
            </Card>
        </section>
    }
}

#[component]
fn InvitationsSection(project_id: String, actions: TeamActions) -> impl IntoView {
    let a = actions;
    let invitations = Resource::new(
        {
            let pid = project_id.clone();
            move || (pid.clone(), a.refresh.get())
        },
        |(id, _)| list_invitations(id),
    );
    view! {
        <section aria-labelledby="invitations-heading" class="space-y-3">
            <h2 id="invitations-heading" class="text-base font-semibold text-slate-900">"Pending invitations"</h2>
            <FormError error=ServerErrors::of(a.resend).error()/>
            <FormError error=ServerErrors::of(a.revoke).error()/>
            <Transition fallback=|| view! { <LoadingPanel label="Loading invitations…"/> }>
                {
                    let project_id = project_id.clone();
                    move || {
                        invitations
                            .get()
                            .map(|r| match r {
                                Ok(list) => {
                                    let pending: Vec<InvitationView> = list.into_iter().filter(|i| i.state == "pending").collect();
                                    if pending.is_empty() {
                                        view! {
                                            <Card>
                                                <p class="text-sm text-slate-600">"No pending invitations."</p>
                                            </Card>
                                        }
                                            .into_any()
                                    } else {
                                        view! { <InvitationList invitations=pending project_id=project_id.clone() actions=a/> }.into_any()
                                    }
                                }
                                Err(e) => view! { <Alert><p>{e.message}</p></Alert> }.into_any(),
                            })
                    }
                }
            </Transition>
        </section>
    }
}

#[component]
fn InvitationList(invitations: Vec<InvitationView>, project_id: String, actions: TeamActions) -> impl IntoView {
    let a = actions;
    view! {
        <Card class="p-0">
            <ul class="divide-y divide-slate-100">
                {invitations
                    .into_iter()
                    .map(|i| {
                        let (pid_resend, pid_revoke) = (project_id.clone(), project_id.clone());
                        let (id_resend, id_revoke) = (i.id.clone(), i.id.clone());
                        let ctx = format!("invitation to {}", i.email);
                        let ctx2 = ctx.clone();
                        view! {
                            <li class="flex flex-col gap-3 px-4 py-3 sm:flex-row sm:items-center">
                                <div class="min-w-0 flex-1">
                                    <p class="truncate text-sm font-medium text-slate-900">{i.email.clone()}</p>
                                    <p class="text-xs text-slate-500">
                                        {format!(
                                            "{} · invited by {} · expires {}",
                                            i.role.label(),
                                            i.invited_by,
                                            format_time(i.expires_at),
                                        )}
                                    </p>
                                </div>
                                <div class="flex gap-2">
                                    <ActionForm action=a.resend>
                                        <input type="hidden" name="project_id" value=pid_resend/>
                                        <input type="hidden" name="invitation_id" value=id_resend/>
                                        <SecondaryButton label="Resend" context=ctx pending=a.resend.pending()/>
                                    </ActionForm>
                                    <ActionForm action=a.revoke>
                                        <input type="hidden" name="project_id" value=pid_revoke/>
                                        <input type="hidden" name="invitation_id" value=id_revoke/>
                                        <SecondaryButton label="Revoke" context=ctx2 pending=a.revoke.pending() danger=true/>
                                    </ActionForm>
                                </div>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </Card>
    }
}

#[component]
fn TransferSection(project_id: String, others: Vec<MemberView>, actions: TeamActions) -> impl IntoView {
    let transfer = actions.transfer;
    let server = ServerErrors::of(transfer);
    let empty = others.is_empty();
    view! {
        <section aria-labelledby="transfer-heading" class="space-y-3">
            <h2 id="transfer-heading" class="text-base font-semibold text-slate-900">"Transfer ownership"</h2>
            <Card>
                {if empty {
                    view! { <p class="text-sm text-slate-600">"Invite someone first: ownership can only go to another member."</p> }
                        .into_any()
                } else {
                    view! {
                        <ActionForm action=transfer attr:class="space-y-4">
                            <FormError error=server.error()/>
                            <p class="text-sm text-slate-600">
                                "The new owner gets full control of the project, including deleting it. You stay on the project as an admin."
                            </p>
                            <input type="hidden" name="project_id" value=project_id/>
                            <div class="flex flex-col gap-3 sm:flex-row sm:items-end">
                                <div class="flex-1 space-y-1.5">
                                    <label for="transfer-to" class="block text-sm font-medium text-slate-700">"New owner"</label>
                                    <select id="transfer-to" name="user_id" required=true class=SELECT_CLASS>
                                        {others
                                            .into_iter()
                                            .map(|m| view! { <option value=m.user_id.clone()>{format!("{} ({})", m.name, m.email)}</option> })
                                            .collect_view()}
                                    </select>
                                </div>
                                <button type="submit" class=SECONDARY_BUTTON disabled=move || transfer.pending().get()>
                                    "Transfer ownership"
                                </button>
                            </div>
                        </ActionForm>
                    }
                        .into_any()
                }}
            </Card>
        </section>
    }
}

#[component]
fn LeaveSection(project: ProjectView, projects: Projects) -> impl IntoView {
    let leave = projects.leave;
    let server = ServerErrors::of(leave);
    let owner = project.role == Role::Owner;
    view! {
        <section aria-labelledby="leave-heading" class="space-y-3">
            <h2 id="leave-heading" class="text-base font-semibold text-slate-900">"Leave project"</h2>
            <Card>
                <ActionForm action=leave attr:class="space-y-4">
                    <FormError error=server.error()/>
                    <input type="hidden" name="project_id" value=project.id.clone()/>
                    <p class="text-sm text-slate-600">
                        {if owner {
                            "As the owner you cannot leave: transfer ownership first, or delete the project in its settings."
                        } else {
                            "You lose access to this project until someone invites you again."
                        }}
                    </p>
                    <SecondaryButton label="Leave project" pending=leave.pending() danger=true/>
                </ActionForm>
            </Card>
        </section>
    }
}
