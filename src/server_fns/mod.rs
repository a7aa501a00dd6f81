//! Server functions: the dashboard's transport, mounted under `/rpc` (the REST API owns `/api`).
//! Each body is an adapter: resolve the caller, call `services`, shape the DTO. No rules here.

pub mod agents;
pub mod auth;
pub mod batches;
pub mod calls;
pub mod do_not_call;
pub mod hubspot;
pub mod projects;
pub mod webhooks;
