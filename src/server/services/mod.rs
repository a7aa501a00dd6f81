//! THE business layer, shared by server functions, REST handlers, jobs, provider callbacks and
//! the CLI. Authorization, validation and throttling live here.
//!
//! An operation takes a connection (reads) or a write transaction (`&mut Tx`, changes) and an
//! [`Actor`](crate::server::auth::Actor): a user, an API key, or the system for background work.
//! The caller owns the transaction (usually through [`AppState::write`](crate::server::state::AppState::write)),
//! so several operations, and the jobs and feed entries they enqueue, commit together. Callers
//! pass plain values and get DTOs or an [`AppError`](crate::model::AppError). Workflows that must
//! talk to the outside world between reads and writes (Twilio import, the ElevenLabs sync, the
//! credential flows in `accounts`) open their own transactions around those calls.

pub mod access;
pub mod accounts;
pub mod agents;
pub mod api_keys;
pub mod audit;
pub mod batch_run;
pub mod batches;
pub mod call_history;
pub mod calls;
pub mod demo;
pub mod do_not_call;
pub mod hubspot;
pub mod jobs;
pub mod numbers;
pub mod projects;
pub mod recordings;
pub mod stats;
pub mod team;
pub mod twilio;
pub mod twilio_calls;
pub mod voices;
pub mod webhooks;

use std::net::IpAddr;

/// What the service layer needs to know about the caller's connection.
#[derive(Clone)]
pub struct Client {
    /// The client address (forwarded-for resolved only through trusted proxies).
    pub ip: IpAddr,
    /// The browser's device token, if it sent one (see `auth::throttle`).
    pub device: Option<String>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("ip", &self.ip).field("device", &self.device.is_some()).finish()
    }
}
