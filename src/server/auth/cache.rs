//! A short-lived memo of who a credential belongs to and what role a user has on a project, so a
//! busy API key or browser session does not cost two queries on every request.
//!
//! An entry is used only while this process has committed no write transaction since it was read
//! (`db::commits`) and for at most [`TTL`]: a key revoked, a session ended, a member removed or a
//! project deleted through this process applies to the very next request; through another process
//! sharing the database, within [`TTL`]. Only successful lookups are kept (an unknown credential
//! always reaches the database), keyed by the credential's SHA-256 (never the credential itself).
//! Callers use it for reads only: inside a write transaction, state must come from that
//! transaction.

use super::Principal;
use crate::model::Role;
use crate::server::db;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long an entry may be used when other processes share the database.
pub const TTL: Duration = Duration::from_secs(1);
/// Past this many entries of a kind the memo starts over (a bound, not an eviction policy: the
/// working set of one process is far smaller).
const MAX_ENTRIES: usize = 20_000;

struct Entry<T> {
    value: T,
    read_at: Instant,
    commits: u64,
}

struct Memo<K, T> {
    map: Mutex<HashMap<K, Entry<T>>>,
}

impl<K: std::hash::Hash + Eq, T: Clone> Memo<K, T> {
    fn new() -> Self {
        Memo { map: Mutex::new(HashMap::new()) }
    }

    fn get(&self, key: &K) -> Option<T> {
        let map = self.map.lock().ok()?;
        let e = map.get(key)?;
        (e.commits == db::commits() && e.read_at.elapsed() < TTL).then(|| e.value.clone())
    }

    /// Keeps `value`, read when [`db::commits`] was `commits`.
    fn put(&self, key: K, value: T, commits: u64) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            map.insert(key, Entry { value, read_at: Instant::now(), commits });
        }
    }
}

struct Memos {
    principals: Memo<String, Principal>,
    roles: Memo<(String, String), Role>,
}

fn memos() -> &'static Memos {
    static MEMOS: OnceLock<Memos> = OnceLock::new();
    MEMOS.get_or_init(|| Memos { principals: Memo::new(), roles: Memo::new() })
}

/// A mark taken before reading what will be kept: an entry read across a commit is never used.
#[derive(Debug, Clone, Copy)]
pub struct Mark(u64);

pub fn mark() -> Mark {
    Mark(db::commits())
}

/// The principal memoized under `key` (a credential's kind and SHA-256) if fresh, else what
/// `load` reads from the database, kept when it finds one. The mark is taken before `load`, so
/// a principal read across a commit is not kept past it.
pub async fn principal<E>(key: &str, load: impl AsyncFnOnce() -> Result<Option<Principal>, E>) -> Result<Option<Principal>, E> {
    if let Some(p) = memos().principals.get(&key.to_string()) {
        return Ok(Some(p));
    }
    let at = mark();
    let found = load().await?;
    if let Some(p) = &found {
        memos().principals.put(key.to_string(), p.clone(), at.0);
    }
    Ok(found)
}

/// The user's role on the live project, if known and fresh.
pub fn role(user_id: &str, project_id: &str) -> Option<Role> {
    memos().roles.get(&(user_id.to_string(), project_id.to_string()))
}

pub fn keep_role(user_id: &str, project_id: &str, role: Role, at: Mark) {
    memos().roles.put((user_id.to_string(), project_id.to_string()), role, at.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_read_before_a_commit_is_not_used() {
        let m: Memo<String, i32> = Memo::new();
        let at = db::commits();
        m.put("a".into(), 1, at);
        // Another test's commit may land in between; then the entry is (rightly) gone already.
        if db::commits() == at {
            assert_eq!(m.get(&"a".into()), Some(1));
        }
        m.put("b".into(), 2, at.wrapping_sub(1));
        assert_eq!(m.get(&"b".into()), None);
    }

    #[test]
    fn the_memo_is_bounded() {
        let m: Memo<usize, usize> = Memo::new();
        for i in 0..MAX_ENTRIES + 5 {
            m.put(i, i, 0);
        }
        assert!(m.map.lock().unwrap().len() <= MAX_ENTRIES);
    }
}
