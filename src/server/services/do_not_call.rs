//! The project's do-not-call list: numbers (E.164) that batch calls never dial. Checked at
//! upload (`services::batches`) and, once the dispatcher exists, again just before each dial.
//!
//! Decisions:
//! - Admins and above change the list; viewers and up read it. The list is a compliance
//!   setting of the project (like its numbers and webhooks, which are admin+): a member who
//!   could remove an entry could call someone who asked not to be called.
//! - Adding takes one or many numbers as typed, normalises each to E.164 with the parser calls
//!   use, and refuses the whole request if any is not a number (the error names its position).
//!   Numbers already listed, or repeated in the request, are ignored (reported back, never an
//!   error): the unique `(project_id, number)` index with `ON CONFLICT DO NOTHING` decides
//!   between concurrent adds of one number, so they all succeed and one row exists.
//! - Removing an entry of another project answers 404.

use super::access::{self, Need};
use super::audit;
use crate::model::{AppError, DoNotCallView, ErrorCode};
use crate::server::auth::Actor;
use crate::server::db::do_not_call::{self as db, DncRow};
use crate::server::db::{new_id, now_ms, Tx};
use crate::server::domain::{AuditAction, E164};
use sqlx::AnyConnection;
use std::collections::HashSet;

/// The most numbers one add may carry.
pub const MAX_ADD: usize = 10_000;
const NOTE_MAX: usize = 500;

pub fn entry_not_found() -> AppError {
    AppError::not_found("Do-not-call entry")
}

pub fn view(r: &DncRow) -> DoNotCallView {
    DoNotCallView {
        id: r.id.clone(),
        project_id: r.project_id.clone(),
        number: r.number.clone(),
        note: r.note.clone(),
        created_by: r.created_by.clone(),
        created_at: r.created_at,
    }
}

/// What an add did.
#[derive(Debug, Clone)]
pub struct Added {
    /// The entries this request created.
    pub added: Vec<DoNotCallView>,
    /// Numbers (E.164) that were on the list already, or repeated in the request.
    pub already_listed: Vec<String>,
}

/// Whether the caller may change the project's list (admins and up): checked before an uploaded
/// file is parsed, so others cost no parsing. [`add`] checks again.
pub async fn may_change(c: &mut AnyConnection, actor: &Actor, project_id: &str) -> Result<(), AppError> {
    access::project(&mut *c, actor, project_id, Need::Manage).await.map(drop)
}

/// Adds numbers to the project's list (admins and up).
pub async fn add(tx: &mut Tx, actor: &Actor, project_id: &str, numbers: &[String], note: &str) -> Result<Added, AppError> {
    access::project(&mut *tx, actor, project_id, Need::Manage).await?;
    if numbers.is_empty() {
        return Err(AppError::missing_field("numbers"));
    }
    if numbers.len() > MAX_ADD {
        return Err(AppError::field("numbers", format!("Add at most {MAX_ADD} numbers at a time.")));
    }
    let note = note.trim();
    if note.chars().count() > NOTE_MAX {
        return Err(AppError::field("note", format!("Keep the note under {NOTE_MAX} characters.")));
    }
    let mut parsed = Vec::with_capacity(numbers.len());
    for (i, raw) in numbers.iter().enumerate() {
        let field = if numbers.len() == 1 { "number".to_string() } else { format!("numbers[{i}]") };
        let n = E164::parse(raw, None, &field).map_err(|e| {
            if numbers.len() == 1 {
                e
            } else {
                AppError::field(&field, format!("{} (\"{}\", number {} of the list)", e.message.trim_end_matches('.'), raw.trim(), i + 1))
            }
        })?;
        parsed.push(n.as_str().to_string());
    }
    let now = now_ms();
    let mut seen = HashSet::new();
    let mut out = Added { added: Vec::new(), already_listed: Vec::new() };
    for number in parsed {
        if !seen.insert(number.clone()) {
            out.already_listed.push(number);
            continue;
        }
        let row = DncRow {
            id: new_id(),
            project_id: project_id.to_string(),
            number,
            note: note.to_string(),
            created_by: actor.user_id().map(str::to_string),
            created_at: now,
        };
        if db::insert_new(&mut *tx, &row).await? {
            out.added.push(view(&row));
        } else {
            out.already_listed.push(row.number);
        }
    }
    // One entry per add: a 10,000-number import is one act, and the numbers stay in the list.
    if !out.added.is_empty() {
        let details = match out.added.as_slice() {
            [one] => one.number.clone(),
            many => format!("{} numbers", many.len()),
        };
        audit::record(&mut *tx, actor, project_id, AuditAction::DoNotCallAdded, None, Some(&details)).await?;
    }
    Ok(out)
}

/// The numbers of an uploaded file for [`add`]: its number column (`number`, `phone_number` or
/// `phone`), rows in file order, blank cells left out. Parsing is CPU work: call it outside a
/// transaction (on a blocking thread for big files).
pub fn numbers_from_file(file_name: &str, bytes: &[u8]) -> Result<Vec<String>, AppError> {
    let sheet = super::batches::read_file(file_name, bytes)?;
    let numbers: Vec<String> = sheet.rows.into_iter().map(|r| r.number).filter(|n| !n.trim().is_empty()).collect();
    if numbers.is_empty() {
        return Err(AppError::field("file", "The file has no numbers in its number column."));
    }
    if numbers.len() > MAX_ADD {
        return Err(AppError::field("file", format!("The file has {} numbers: add at most {MAX_ADD} at a time.", numbers.len())));
    }
    Ok(numbers)
}

/// The numbers of a text box for [`add`]: one per line, or separated by commas or semicolons.
pub fn numbers_from_text(text: &str) -> Vec<String> {
    text.split(['\n', ',', ';']).map(str::trim).filter(|n| !n.is_empty()).map(str::to_string).collect()
}

/// Removes an entry (admins and up).
pub async fn remove(tx: &mut Tx, actor: &Actor, entry_id: &str) -> Result<(), AppError> {
    let row = load(&mut *tx, actor, entry_id, Need::Manage).await?;
    if !db::delete(&mut *tx, &row.project_id, &row.id).await? {
        return Err(entry_not_found());
    }
    audit::record(&mut *tx, actor, &row.project_id, AuditAction::DoNotCallRemoved, Some(&row.id), Some(&row.number)).await?;
    Ok(())
}

/// Finds an entry the caller may act on with `need`; entries of projects the caller cannot see
/// (and unknown ids) are 404.
async fn load(c: &mut AnyConnection, actor: &Actor, entry_id: &str, need: Need) -> Result<DncRow, AppError> {
    let project_id = db::project_of(&mut *c, entry_id).await?.ok_or_else(entry_not_found)?;
    access::project(&mut *c, actor, &project_id, need)
        .await
        .map_err(|e| if e.code == ErrorCode::NotFound { entry_not_found() } else { e })?;
    db::find(&mut *c, &project_id, entry_id).await?.ok_or_else(entry_not_found)
}

/// One keyset page of the list, newest first (viewers and up).
pub async fn list(c: &mut AnyConnection, actor: &Actor, project_id: &str, before: Option<(i64, String)>, limit: i64) -> Result<Vec<DoNotCallView>, AppError> {
    access::project(&mut *c, actor, project_id, Need::Read).await?;
    Ok(db::page(&mut *c, project_id, before, limit).await?.iter().map(view).collect())
}

/// Whether the project lists `number` (as typed or E.164; viewers and up). A number that does
/// not parse is not on the list.
pub async fn contains(c: &mut AnyConnection, actor: &Actor, project_id: &str, number: &str) -> Result<bool, AppError> {
    access::project(&mut *c, actor, project_id, Need::Read).await?;
    let Ok(n) = E164::parse(number, None, "number") else { return Ok(false) };
    Ok(db::find_number(&mut *c, project_id, n.as_str()).await?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_boxes_split_on_lines_commas_and_semicolons() {
        assert_eq!(numbers_from_text(" +1 415 555 2671\r\n\n+14155552672, +14155552673;"), ["+1 415 555 2671", "+14155552672", "+14155552673"]);
        assert!(numbers_from_text(" \n ,").is_empty());
    }

    #[test]
    fn files_give_their_number_column() {
        let csv = b"name,phone\nAda,+14155552671\nBea,\nCy,+1 415 555 2672\n";
        assert_eq!(numbers_from_file("list.csv", csv).unwrap(), ["+14155552671", "+1 415 555 2672"]);
        let e = numbers_from_file("list.csv", b"name,phone\nAda,\n").unwrap_err();
        assert_eq!(e.details[0].field, "file");
        let e = numbers_from_file("list.csv", b"name\nAda\n").unwrap_err();
        assert!(e.message.contains("phone number column") || e.details[0].message.contains("phone number column"), "{e:?}");
    }
}
