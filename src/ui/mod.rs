//! The dashboard UI: `components/` (design system), `layout/` (shell, sidebar, pickers), `pages/`.
//! `markup` writes long runs of static rows as HTML strings, `validate` holds the client-side
//! form checks (mirroring the server's messages) and `util` small helpers such as URL encoding.

pub mod components;
pub mod layout;
pub mod markup;
pub mod pages;
pub mod util;
pub mod validate;
