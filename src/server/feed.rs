//! The change feed: services publish what changed (a call moved on, an agent was saved) and live
//! pages subscribe (server-sent events). A change is published inside the transaction that makes
//! it, so subscribers hear of it only once it is committed, and never of a rolled-back one.
//!
//! Every server process keeps an in-process broadcast channel; what fills it depends on the
//! database:
//! - PostgreSQL: `pg_notify` inside the transaction (PostgreSQL delivers notifications at commit,
//!   in commit order) and one `LISTEN` connection per process, so every instance sees every change;
//! - SQLite: a row in `change_feed` inside the transaction, read by a poller. SQLite commits one
//!   writer at a time, so row ids grow in commit order and "rows after the last one seen" misses
//!   nothing. Rows are pruned after an hour.
//!
//! Delivery is best effort for live views (a subscriber that lags loses old changes and is told
//! so); anything that must not be lost runs as a durable job instead.

use crate::server::db::{now_ms, Backend, Database};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};
use std::time::Duration;
use tokio::sync::broadcast;

/// The PostgreSQL notification channel.
const CHANNEL: &str = "talkdeck_changes";
/// How often the SQLite poller looks for new rows.
const POLL_EVERY: Duration = Duration::from_millis(200);
/// How long SQLite keeps published rows.
const KEEP_MS: i64 = 60 * 60 * 1000;

/// One change: which project, what kind of thing, which one, and an optional small payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub project_id: String,
    /// e.g. `call`, `agent`.
    pub kind: String,
    pub id: String,
    #[serde(default)]
    pub data: serde_json::Value,
}

/// The in-process side of the feed, cloned into the application state.
#[derive(Clone)]
pub struct Feed {
    tx: broadcast::Sender<Change>,
}

impl Default for Feed {
    fn default() -> Self {
        Feed { tx: broadcast::channel(1024).0 }
    }
}

impl Feed {
    /// Changes committed from now on, by any process on this database.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.tx.subscribe()
    }

    fn deliver(&self, c: Change) {
        // No subscriber is not an error: nobody is watching.
        let _ = self.tx.send(c);
    }

    /// Starts feeding the broadcast from the database: a LISTEN connection on PostgreSQL, a
    /// poller on SQLite. Runs until the process ends, reconnecting after failures.
    pub fn start(&self, db: &Database, database_url: &str) {
        let feed = self.clone();
        match db.backend() {
            Backend::Postgres => {
                let url = database_url.to_string();
                tokio::spawn(async move { feed.listen_postgres(&url).await });
            }
            Backend::Sqlite => {
                let db = db.clone();
                tokio::spawn(async move { feed.poll_sqlite(&db).await });
            }
        }
    }

    async fn listen_postgres(&self, url: &str) {
        loop {
            match sqlx::postgres::PgListener::connect(url).await {
                Ok(mut l) => {
                    if let Err(e) = l.listen(CHANNEL).await {
                        tracing::warn!(error = %e, "change feed: LISTEN failed; retrying");
                    } else {
                        loop {
                            match l.recv().await {
                                Ok(n) => match serde_json::from_str::<Change>(n.payload()) {
                                    Ok(c) => self.deliver(c),
                                    Err(e) => tracing::warn!(error = %e, "change feed: unreadable notification skipped"),
                                },
                                Err(e) => {
                                    tracing::warn!(error = %e, "change feed: listener lost its connection; reconnecting");
                                    break;
                                }
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "change feed: cannot connect the listener; retrying"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    async fn poll_sqlite(&self, db: &Database) {
        // Start after what is already there: subscribers want changes from now on.
        let mut last: i64 = match sqlx::query("SELECT COALESCE(MAX(seq), 0) AS m FROM change_feed").fetch_one(db.pool()).await {
            Ok(r) => r.try_get("m").unwrap_or(0),
            Err(e) => {
                tracing::warn!(error = %e, "change feed: cannot read the feed table");
                0
            }
        };
        let mut pruned_at = now_ms();
        loop {
            tokio::time::sleep(POLL_EVERY).await;
            let rows = sqlx::query("SELECT seq, payload FROM change_feed WHERE seq > $1 ORDER BY seq LIMIT 500").bind(last).fetch_all(db.pool()).await;
            match rows {
                Ok(rows) => {
                    for r in rows {
                        let (Ok(seq), Ok(payload)) = (r.try_get::<i64, _>("seq"), r.try_get::<String, _>("payload")) else { continue };
                        last = seq;
                        match serde_json::from_str::<Change>(&payload) {
                            Ok(c) => self.deliver(c),
                            Err(e) => tracing::warn!(error = %e, seq, "change feed: unreadable row skipped"),
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "change feed: poll failed"),
            }
            if now_ms() - pruned_at > 60_000 {
                pruned_at = now_ms();
                if let Err(e) = sqlx::query("DELETE FROM change_feed WHERE created_at < $1").bind(pruned_at - KEEP_MS).execute(db.pool()).await {
                    tracing::warn!(error = %e, "change feed: prune failed");
                }
            }
        }
    }
}

/// Publishes `change` as part of the caller's transaction on `backend`.
pub async fn publish(c: &mut AnyConnection, backend: Backend, change: &Change) -> Result<(), sqlx::Error> {
    let payload = serde_json::to_string(change).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    match backend {
        Backend::Postgres => {
            sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload).execute(c).await?;
        }
        Backend::Sqlite => {
            sqlx::query("INSERT INTO change_feed (payload, created_at) VALUES ($1, $2)").bind(payload).bind(now_ms()).execute(c).await?;
        }
    }
    Ok(())
}
