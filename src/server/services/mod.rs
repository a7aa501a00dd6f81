//! THE business layer, shared by server functions, REST handlers and jobs. Authorization,
//! validation, throttling and transactions live here; callers pass plain values and a
//! [`Principal`](crate::server::auth::Principal) and get DTOs or an [`AppError`](crate::model::AppError).

pub mod access;
pub mod agents;
pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod jobs;
pub mod numbers;
pub mod projects;
pub mod team;
pub mod twilio;
pub mod voices;

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
