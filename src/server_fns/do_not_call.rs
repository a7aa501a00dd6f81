//! Do-not-call server functions for `/settings/do-not-call`: a page of the active project's list,
//! adding numbers typed in a text box, and removing an entry. Adapters only: the rules live in
//! `services::do_not_call`. Adding from a file is a plain multipart post
//! (`server::batch_pages`).

use crate::model::{AppError, DoNotCallView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::server::{http::sf, services};

/// Entries per page.
pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DncPage {
    pub entries: Vec<DoNotCallView>,
    /// The cursor of the next (older) page, if any.
    pub next_cursor: Option<String>,
}

/// What an add did, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DncAdded {
    pub added: usize,
    pub already_listed: usize,
}

/// One page of the project's list, newest first.
#[server(prefix = "/rpc", endpoint = "list_do_not_call")]
pub async fn list_do_not_call(project_id: String, cursor: Option<String>) -> Result<DncPage, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let before = sf::page_after(cursor.as_deref())?;
        let mut entries = st.read(async |c| services::do_not_call::list(c, &a, &project_id, before, PAGE_SIZE + 1).await).await?;
        let next_cursor = sf::next_page(&mut entries, PAGE_SIZE, |e| (e.created_at, e.id.clone()));
        Ok(DncPage { entries, next_cursor })
    })
    .await
}

/// Adds the numbers of a text box (one per line, or separated by commas). Without JS the
/// browser comes back to the page with the counts.
#[server(prefix = "/rpc", endpoint = "add_do_not_call")]
pub async fn add_do_not_call(project_id: String, numbers: String, note: Option<String>) -> Result<DncAdded, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let list = services::do_not_call::numbers_from_text(&numbers);
        let note = note.unwrap_or_default();
        let r = st.write(async |tx| services::do_not_call::add(tx, &a, &project_id, &list, &note).await).await.map_err(|mut e| {
            // The form has one box, `numbers`: its errors belong to it, whatever entry they name.
            for d in &mut e.details {
                if d.field == "number" || d.field.starts_with("numbers[") {
                    d.field = "numbers".to_string();
                }
            }
            e
        })?;
        let counts = DncAdded { added: r.added.len(), already_listed: r.already_listed.len() };
        sf::done_without_js(&format!("/settings/do-not-call?added={}&already={}", counts.added, counts.already_listed));
        Ok(counts)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "remove_do_not_call")]
pub async fn remove_do_not_call(entry_id: String) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.write(async |tx| services::do_not_call::remove(tx, &a, &entry_id).await).await?;
        sf::done_without_js("/settings/do-not-call?removed=1");
        Ok(())
    })
    .await
}
