//! Shared application state, cloned into every request (everything inside is an `Arc` or cheap).

use crate::model::AppError;
use crate::server::auth::access::AccessKeys;
use crate::server::auth::throttle::Throttle;
use crate::server::config::Config;
use crate::server::db::native::Reader;
use crate::server::db::{Database, Tx};
use crate::server::feed::Feed;
use crate::server::jobs;
use crate::server::mail::Mailer;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::AnyConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Database,
    pub mailer: Mailer,
    pub throttle: Throttle,
    /// Live changes for server-sent events (see `server::feed`); fed once `Feed::start` runs.
    pub feed: Feed,
    pub access_keys: AccessKeys,
    /// Wakes this process's job workers after an enqueue commits.
    pub jobs: jobs::Signal,
    pub leptos_options: LeptosOptions,
    /// The time batch scheduling reads (see [`Clock`]).
    pub clock: Clock,
}

/// The time batch scheduling reads (calling windows, retry cooldowns, start times): the system
/// clock, which tests move forward to check a window without waiting for it to open.
#[derive(Clone, Default)]
pub struct Clock(Arc<std::sync::atomic::AtomicI64>);

impl Clock {
    /// Unix ms.
    pub fn now_ms(&self) -> i64 {
        crate::server::db::now_ms() + self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Moves this clock `ms` ahead of the system clock (tests).
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, std::sync::atomic::Ordering::Relaxed);
    }
}

impl AppState {
    pub fn new(config: Config, db: Database, mailer: Mailer, leptos_options: LeptosOptions) -> Self {
        let access_keys = AccessKeys::new(&config.secret_key);
        AppState {
            config: Arc::new(config),
            throttle: Throttle::new(db.clone()),
            feed: Feed::default(),
            db,
            mailer,
            access_keys,
            jobs: jobs::Signal::default(),
            leptos_options,
            clock: Clock::default(),
        }
    }
}

impl AppState {
    /// The unit of work of every state change: runs `f` in one write transaction, commits when it
    /// succeeds and rolls back otherwise, so a change and the jobs and feed entries it enqueued
    /// land together or not at all. Afterwards this process's job workers are woken, since `f`
    /// may have enqueued work (a spare wake-up costs one empty claim).
    pub async fn write<T>(&self, f: impl AsyncFnOnce(&mut Tx) -> Result<T, AppError>) -> Result<T, AppError> {
        let mut tx = self.db.begin_tx().await?;
        let v = f(&mut tx).await?;
        tx.commit().await?;
        self.jobs.wake();
        Ok(v)
    }

    /// Runs a read-only operation on a read session (see `db::native::Reader`): the call lists.
    pub async fn reader<T>(&self, f: impl AsyncFnOnce(&mut Reader<'_>) -> Result<T, AppError>) -> Result<T, AppError> {
        let mut r = self.db.reader();
        f(&mut r).await
    }

    /// Runs a read-only operation on one pooled connection.
    pub async fn read<T>(&self, f: impl AsyncFnOnce(&mut AnyConnection) -> Result<T, AppError>) -> Result<T, AppError> {
        let mut c = self.db.pool().acquire().await?;
        f(&mut c).await
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        s.leptos_options.clone()
    }
}
