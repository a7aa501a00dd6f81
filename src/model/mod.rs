//! Wire types shared by the server and the WASM bundle: DTOs and the client-facing error.
//! Nothing here knows about the database or HTTP frameworks.

#[macro_use]
mod macros;
pub mod error;
pub mod user;

pub use error::{AppError, ErrorCode};
pub use user::*;
pub mod project;
pub use project::*;
pub mod agent;
pub use agent::*;
pub mod call;
pub use call::*;
pub mod call_list;
pub use call_list::*;
pub mod batch;
pub use batch::*;
pub mod webhook;
pub use webhook::*;
pub mod hubspot;
pub use hubspot::*;
pub mod limits;
pub mod template;
pub mod twilio;
pub use template::PromptTemplate;
