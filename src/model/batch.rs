//! Batch-call DTOs: a batch, its rows, the validation report of an upload, and the project's
//! do-not-call list. Storing and deciding is `server::services::batches` / `do_not_call`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

str_enum!(
    /// Where a batch is in its life: `draft` (uploaded, not started), `scheduled` (starts at
    /// its start time), `running`, `paused` (by a person or the circuit breaker), and the final
    /// `completed`, `canceled` and `failed` (it could not go on, e.g. no number to call from).
    BatchStatus ("batch status") {
        Draft = "draft",
        Scheduled = "scheduled",
        Running = "running",
        Paused = "paused",
        Completed = "completed",
        Canceled = "canceled",
        Failed = "failed",
    } default Draft
);

str_enum!(
    /// Where one row of a batch is: `invalid` rows failed validation and are never called;
    /// `waiting` rows are valid and not yet (or not again) dialled.
    BatchRowState ("batch row state") {
        Invalid = "invalid",
        Waiting = "waiting",
        Calling = "calling",
        Done = "done",
        Failed = "failed",
        Skipped = "skipped",
        Canceled = "canceled",
    } default Waiting
);

/// One reason a row is bad: a stable `code` (`invalid_number`, `duplicate`, `missing_variables`,
/// `bad_json`, `do_not_call`) and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RowProblem {
    pub code: String,
    pub message: String,
}

/// A bad row of an upload: its row number as a spreadsheet shows it, the number as typed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BadRowView {
    pub row: i64,
    pub number: String,
    pub problems: Vec<RowProblem>,
}

/// What validating an upload found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BatchReport {
    /// Non-blank data rows in the file.
    pub total_rows: i64,
    /// Rows that will be called.
    pub valid_rows: i64,
    pub invalid_rows: i64,
    /// Every bad row, in file order.
    pub bad_rows: Vec<BadRowView>,
    /// Notes about the file that did not make a row bad (ignored cells, unnamed columns).
    pub warnings: Vec<String>,
}

/// When a batch may call: days of the week and time ranges in an IANA time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CallingWindowSpec {
    pub tz: String,
    /// `mon` .. `sun`.
    pub days: Vec<String>,
    /// `HH:MM-HH:MM`, local time.
    pub ranges: Vec<String>,
}

/// Which outcomes a row is dialled again for, how often, and how long to wait in between.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RetryPolicy {
    /// A subset of `busy`, `no-answer`, `voicemail`.
    pub on: Vec<String>,
    pub max_retries: i64,
    pub cooldown_seconds: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { on: Vec::new(), max_retries: 0, cooldown_seconds: 600 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchView {
    pub id: String,
    pub project_id: String,
    pub agent_id: String,
    pub name: String,
    pub status: BatchStatus,
    pub file_name: String,
    /// Phone number ids, rotated.
    pub caller_numbers: Vec<String>,
    pub concurrency: i64,
    /// `None`: any time.
    pub window: Option<CallingWindowSpec>,
    pub retry: RetryPolicy,
    pub start_at: Option<i64>,
    pub paused_reason: Option<String>,
    pub total_rows: i64,
    pub valid_rows: i64,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
    /// When it started running, and when it ended (completed, canceled or failed).
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// When the calling window is closed now (a batch that is still to call), when it opens
    /// next: the dispatcher waits until then.
    pub window_opens_at: Option<i64>,
    /// The validation report, when the batch was just created from an upload.
    pub report: Option<BatchReport>,
    /// How many rows are in each state.
    pub progress: BatchProgress,
}

impl BatchStatus {
    /// A batch that will not call again.
    pub fn is_final(self) -> bool {
        matches!(self, BatchStatus::Completed | BatchStatus::Canceled | BatchStatus::Failed)
    }
}

impl BatchRowState {
    /// A row that will not be dialled again.
    pub fn is_final(self) -> bool {
        matches!(self, BatchRowState::Invalid | BatchRowState::Done | BatchRowState::Failed | BatchRowState::Skipped | BatchRowState::Canceled)
    }
}

/// How many of a batch's rows are in each state (`invalid` rows are never called).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BatchProgress {
    /// Valid rows not yet dialled, or waiting for a retry.
    pub waiting: i64,
    /// Rows with a call under way.
    pub calling: i64,
    /// Rows whose call was answered (by a person or a voicemail).
    pub done: i64,
    /// Rows whose every allowed attempt failed (busy, no answer, carrier failure).
    pub failed: i64,
    /// Rows not called because the number went on the do-not-call list.
    pub skipped: i64,
    /// Rows left undialled when the batch was canceled.
    pub canceled: i64,
    pub invalid: i64,
}

impl BatchProgress {
    /// Rows that will not be dialled again (`invalid` excluded).
    pub fn finished(&self) -> i64 {
        self.done + self.failed + self.skipped + self.canceled
    }
}

/// The options a batch starts with. Each field left out keeps the draft's value (every outbound
/// number of the agent, concurrency `min(5, project limit)`, any time, no retries, now).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BatchOptions {
    pub name: Option<String>,
    /// Phone number ids, each an outbound number of the agent; rotated row by row.
    pub caller_numbers: Option<Vec<String>>,
    /// Calls at once, 1 up to the project's live-call limit.
    pub concurrency: Option<i64>,
    /// When calls may be placed; left out: any time.
    pub window: Option<CallingWindowSpec>,
    pub retry: Option<RetryPolicy>,
    /// Unix ms; left out or past: now.
    pub start_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRowView {
    pub id: String,
    pub row: i64,
    /// E.164 for valid rows, as typed for invalid ones.
    pub number: String,
    pub variables: BTreeMap<String, String>,
    pub state: BatchRowState,
    pub problems: Vec<RowProblem>,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub last_call_id: Option<String>,
    pub outcome: Option<String>,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoNotCallView {
    pub id: String,
    pub project_id: String,
    /// E.164.
    pub number: String,
    pub note: String,
    pub created_by: Option<String>,
    pub created_at: i64,
}
