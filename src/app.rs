//! The HTML shell and the route table. Pages live in `ui::pages`, frames in `ui::layout`.
use crate::ui::layout::AppShell;
use crate::ui::pages::{
    AcceptInvitationPage, AgentEditorPage, AgentsPage, ApiKeysPage, AuditLogPage, BatchDetailPage, BatchesPage, CallDetailPage, CallsPage, ChangePasswordPage,
    DoNotCallPage, ForgotPasswordPage, HubSpotPage, LoginPage, NewBatchPage, NewProjectPage, NotFound, OverviewPage, PhoneNumbersPage, ProfilePage, ProjectSettingsPage,
    ResetPasswordPage, SettingsPage, SignupPage, TeamPage, VerifyPage, VoicesPage, WebhookEndpointPage, WebhooksPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en" class="h-full">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                // In the shell, not in `App`: only the server knows the hashed file name.
                <HashedStylesheet id="leptos" options=options.clone()/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="h-full bg-slate-50 text-slate-900 antialiased">
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="Talkdeck"/>
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                // Public account pages (a centered card, no shell).
                <Route path=path!("/signup") view=SignupPage/>
                <Route path=path!("/verify") view=VerifyPage/>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/forgot-password") view=ForgotPasswordPage/>
                <Route path=path!("/reset-password") view=ResetPasswordPage/>
                // Public too: the invitee may not have an account yet. Async so that the preview
                // (and whether someone is logged in) is in the first HTML.
                <Route path=path!("/invitations/accept") view=AcceptInvitationPage ssr=SsrMode::Async/>
                // The signed-in dashboard. Rendered `Async` so that the user's data is in the
                // first HTML (no out-of-order streaming, which needs JavaScript to show).
                <ParentRoute path=path!("") view=AppShell ssr=SsrMode::Async>
                    <Route path=path!("") view=OverviewPage/>
                    <Route path=path!("/agents") view=AgentsPage/>
                    <Route path=path!("/agents/:id") view=AgentEditorPage/>
                    <Route path=path!("/calls") view=CallsPage/>
                    <Route path=path!("/calls/:id") view=CallDetailPage/>
                    <Route path=path!("/batches") view=BatchesPage/>
                    <Route path=path!("/batches/new") view=NewBatchPage/>
                    <Route path=path!("/batches/:id") view=BatchDetailPage/>
                    <Route path=path!("/phone-numbers") view=PhoneNumbersPage/>
                    <Route path=path!("/voices") view=VoicesPage/>
                    <Route path=path!("/settings") view=SettingsPage/>
                    <Route path=path!("/settings/profile") view=ProfilePage/>
                    <Route path=path!("/settings/password") view=ChangePasswordPage/>
                    <Route path=path!("/settings/project") view=ProjectSettingsPage/>
                    <Route path=path!("/settings/team") view=TeamPage/>
                    <Route path=path!("/settings/api-keys") view=ApiKeysPage/>
                    <Route path=path!("/settings/audit-log") view=AuditLogPage/>
                    <Route path=path!("/settings/do-not-call") view=DoNotCallPage/>
                    <Route path=path!("/settings/webhooks") view=WebhooksPage/>
                    <Route path=path!("/settings/webhooks/:id") view=WebhookEndpointPage/>
                    <Route path=path!("/settings/integrations/hubspot") view=HubSpotPage/>
                    <Route path=path!("/projects/new") view=NewProjectPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
