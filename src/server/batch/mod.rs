//! Batch calls (campaigns): the pure, I/O-free logic behind them.
//!
//! This module owns reading an uploaded file into rows ([`file`]: CSV in any common delimiter
//! and encoding, xlsx/xlsm/xlsb/xls/ods, first visible sheet), judging those rows into a
//! validation report ([`validate`]: invalid number, duplicate of row N, missing variables, bad
//! JSON, do-not-call), and calling-window arithmetic in an IANA time zone with DST handled
//! ([`window`]). It does no database or network work; `services::batches` feeds it the upload's
//! bytes, the E.164 normaliser calls use, the agent's required variables and the project's
//! do-not-call list, and stores what it returns.
//!
//! Not here yet (issue 11, later parts): scheduling, starting, pausing, resuming and canceling a
//! batch; the dispatcher job that places rows' calls inside the window with retries, pacing and
//! the circuit breaker; Talkstack's `POST /api/call/batch-call`; the dashboard pages and the
//! results export. Nothing in the code pretends to do those yet.

pub mod file;
pub mod validate;
pub mod window;

pub use file::{read_sheet, FileError, RawRow, Sheet};
pub use validate::{validate, BadRow, GoodRow, Problem, Report, Rules};
pub use window::{CallingWindow, WindowError};
