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
#[derive(Debug, Clone, Copy)]
pub struct Client {
    /// The client address (forwarded-for resolved only through trusted proxies).
    pub ip: IpAddr,
}
