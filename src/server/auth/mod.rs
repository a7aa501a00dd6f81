//! Security primitives: password hashing, random secrets and their hashes, access tokens,
//! session cookies, throttling and the authenticated principal.

pub mod access;
pub mod cache;
pub mod cookie;
pub mod password;
pub mod principal;
pub mod sealed;
pub mod secrets;
pub mod throttle;

pub use principal::{Actor, ActorKind, AuthVia, Principal};
