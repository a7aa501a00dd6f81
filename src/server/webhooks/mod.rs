//! Outgoing status webhooks (issue 12, in progress): what is settled so far is the pure part,
//! independent of storage and delivery: Standard Webhooks signatures ([`signing`]), the
//! addresses a delivery may never reach ([`ssrf`]), one guarded delivery attempt over HTTP
//! ([`sender`]) and the retry schedule ([`schedule`]).
//! Endpoints, events, the delivery job and the pages come next and build on these.

pub mod schedule;
pub mod sender;
pub mod signing;
pub mod ssrf;
