//! The pure parts of outgoing webhooks, independent of storage: Standard Webhooks signatures
//! ([`signing`]), the addresses a delivery may never reach ([`ssrf`]), one guarded delivery
//! attempt over HTTP ([`sender`]) and the retry schedule ([`schedule`]). Endpoints, events and
//! the delivery job are `services::webhooks`.

pub mod schedule;
pub mod sender;
pub mod signing;
pub mod ssrf;
