//! Durable background jobs in the application's own database, on SQLite and PostgreSQL alike.
//!
//! This module owns the job mechanism: [`enqueue`] inside the caller's transaction, the
//! [`Registry`] that maps a job `kind` to its handler, claiming with a lease, heartbeats,
//! completion, retries with exponential backoff and jitter, the `dead` state, scheduled jobs, the
//! worker pool run by `serve` ([`Worker`]; [`OUTBOUND_KINDS`] run in slots of their own) with
//! graceful shutdown, and pruning of finished jobs.
//! The SQL lives in [`crate::server::db::jobs`]; the handlers of each kind live beside it
//! ([`mail`] for now; calls, analysis and webhooks register theirs in [`Registry::builtin`]).
//!
//! Why not a crate: `apalis-sql` 0.7 and `fang` 0.11 were evaluated. Both enqueue through a pool
//! of their own typed for one database (`PgPool` / `SqlitePool`, built from a URL or handed in),
//! never through a connection the caller holds: neither can enqueue inside our `Any`
//! transaction, which is the property everything else rests on (a rolled-back change enqueues
//! nothing; a committed one always has its mail / webhook / analysis). Both also bring their own
//! schema and migrator beside ours, fang has no lease (a job whose worker crashed stays "in
//! progress"), and apalis pulls in its whole worker framework. What we need is a few hundred
//! lines of portable SQL, so it is written here.
//!
//! Semantics:
//! - At-least-once: a job runs again when its worker dies (the lease expires) or is stopped past
//!   the grace period, so handlers must tolerate a repeat (mail may, rarely, arrive twice).
//! - Never twice at once: claims take row locks (`FOR UPDATE SKIP LOCKED` on PostgreSQL,
//!   `BEGIN IMMEDIATE` on SQLite) and every later update checks the claim (`locked_by`,
//!   `attempts`), so a worker that lost its lease cannot overwrite the new owner's result.
//! - `attempts` counts claims; a job that fails its last attempt (or fails permanently, see
//!   [`JobError::permanent`]) becomes `dead` and stays until `talkdeck jobs retry`. A job whose
//!   worker was lost on its last attempt also becomes dead rather than running forever.
//! - Errors recorded in `last_error` are short texts chosen by the handler; payloads are never
//!   logged (they may hold sealed secrets).

pub mod mail;

use crate::model::AppError;
use crate::server::db::jobs as store;
use crate::server::db::{new_id, now_ms, Database};
use crate::server::state::AppState;
use rand::Rng;
use serde::de::DeserializeOwned;
use sqlx::AnyConnection;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;

pub use store::{JobRow as Job, JobState};

/// Done jobs are kept this long for inspection, then pruned.
pub const KEEP_DONE_MS: i64 = 7 * 24 * 60 * 60 * 1000;
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

// ---- enqueueing ---------------------------------------------------------------------------------

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    /// Handed to the handler as JSON text.
    pub payload: serde_json::Value,
    /// Not before this time (Unix ms); `None` runs as soon as a worker is free.
    pub run_at: Option<i64>,
    /// De-duplicates: while a job with this key is pending or running, enqueueing another with
    /// the same key returns the existing one.
    pub key: Option<String>,
    /// Claims allowed before the job is dead (at least 1).
    pub max_attempts: i64,
}

impl NewJob {
    pub fn new(kind: impl Into<String>, payload: serde_json::Value) -> Self {
        NewJob { kind: kind.into(), payload, run_at: None, key: None, max_attempts: 5 }
    }

    pub fn run_at(mut self, at_ms: i64) -> Self {
        self.run_at = Some(at_ms);
        self
    }

    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    pub fn max_attempts(mut self, n: i64) -> Self {
        self.max_attempts = n;
        self
    }
}

/// Enqueues `job` on `c`, normally the caller's open transaction: the job exists exactly when
/// that transaction commits. [`AppState::write`](crate::server::state::AppState::write) wakes
/// this process's workers after its commit ([`Signal::wake`]); code that commits a transaction
/// of its own calls `st.jobs.wake()` itself, or the job waits for the next poll.
pub async fn enqueue(c: &mut AnyConnection, job: NewJob) -> Result<Job, AppError> {
    if job.kind.is_empty() || job.max_attempts < 1 {
        tracing::error!(kind = %job.kind, max_attempts = job.max_attempts, "invalid job");
        return Err(AppError::internal());
    }
    let row = store::insert(c, &new_id(), &job.kind, &job.payload.to_string(), job.key.as_deref(), job.max_attempts, job.run_at.unwrap_or_else(now_ms)).await?;
    Ok(row)
}

/// The in-process wake-up for workers, shared through [`AppState`]. Another process on the same
/// PostgreSQL database finds new jobs at its next poll.
#[derive(Clone, Default)]
pub struct Signal(Arc<Notify>);

impl Signal {
    /// Call after the transaction that enqueued a job committed.
    pub fn wake(&self) {
        // notify_one keeps a permit when no worker is waiting right now, so a wake-up that
        // arrives while the worker is busy claiming is not lost.
        self.0.notify_one();
    }

    async fn notified(&self) {
        self.0.notified().await
    }
}

// ---- handlers -------------------------------------------------------------------------------------

/// What a handler gets besides the state.
#[derive(Clone)]
pub struct JobContext {
    pub id: String,
    pub kind: String,
    /// JSON text as enqueued.
    pub payload: String,
    /// 1 on the first run.
    pub attempt: i64,
    pub max_attempts: i64,
}

impl JobContext {
    /// The payload decoded; a payload that does not decode fails the job permanently.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, JobError> {
        serde_json::from_str(&self.payload).map_err(|e| JobError::permanent(format!("the payload does not decode: {e}")))
    }
}

/// A failed run. The message is stored as the job's `last_error` and logged: never put a
/// secret, a code or a token in it.
#[derive(Debug, Clone)]
pub struct JobError {
    pub message: String,
    /// No point in retrying (bad payload, undecryptable data): the job goes dead at once.
    pub permanent: bool,
}

impl JobError {
    pub fn new(message: impl Into<String>) -> Self {
        JobError { message: message.into(), permanent: false }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        JobError { message: message.into(), permanent: true }
    }
}

impl From<sqlx::Error> for JobError {
    fn from(e: sqlx::Error) -> Self {
        JobError::new(format!("database: {e}"))
    }
}

impl From<AppError> for JobError {
    fn from(e: AppError) -> Self {
        JobError::new(format!("{}: {}", e.code.as_str(), e.message))
    }
}

pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send>>;
type Handler = Arc<dyn Fn(AppState, JobContext) -> HandlerFuture + Send + Sync>;

/// Maps job kinds to handlers. Cheap to clone.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<String, Handler>,
}

impl Registry {
    /// No handlers (tests register their own).
    pub fn empty() -> Self {
        Registry::default()
    }

    /// Every kind the server runs. New features register their kinds here.
    pub fn builtin() -> Self {
        let mut r = Registry::empty();
        r.register(mail::KIND, mail::handle);
        crate::server::services::calls::register(&mut r);
        crate::server::services::batch_run::register(&mut r);
        crate::server::services::webhooks::register(&mut r);
        crate::server::services::hubspot::register(&mut r);
        r
    }

    /// Registers `handler` for `kind`, replacing any earlier one.
    pub fn register<F, Fut>(&mut self, kind: &str, handler: F) -> &mut Self
    where
        F: Fn(AppState, JobContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        self.handlers.insert(kind.to_string(), Arc::new(move |st, ctx| Box::pin(handler(st, ctx))));
        self
    }

    fn get(&self, kind: &str) -> Option<Handler> {
        self.handlers.get(kind).cloned()
    }
}

// ---- retries ----------------------------------------------------------------------------------------

/// Exponential backoff with jitter: attempt n waits `base * 2^(n-1)` plus up to a quarter more
/// (so workers that failed together do not retry together), never more than `cap`.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { base: Duration::from_secs(5), cap: Duration::from_secs(3600) }
    }
}

impl Backoff {
    /// The delay after failed attempt `attempt` (1-based), in ms.
    pub fn delay_ms(&self, attempt: i64) -> i64 {
        let cap = self.cap.as_millis() as i64;
        let exp = attempt.clamp(1, 32) - 1;
        let plain = (self.base.as_millis() as i64).saturating_mul(1i64 << exp).min(cap);
        let jitter = if plain >= 4 { rand::thread_rng().gen_range(0..=plain / 4) } else { 0 };
        (plain + jitter).min(cap)
    }
}

// ---- running jobs ---------------------------------------------------------------------------------

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Jobs run at the same time, besides the outbound ones.
    pub concurrency: usize,
    /// Jobs of [`OUTBOUND_KINDS`] run at the same time, in slots of their own: a slow webhook
    /// receiver or HubSpot (15-20 s per attempt) never holds back calls, analysis or mail.
    pub outbound_concurrency: usize,
    /// How often to look for due jobs when nothing woke the worker.
    pub poll_interval: Duration,
    /// How long a claim lasts without a heartbeat; heartbeats come every third of it.
    pub lease: Duration,
    /// How long running jobs may take to finish at shutdown before they are released.
    pub grace: Duration,
    pub backoff: Backoff,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            concurrency: 4,
            outbound_concurrency: 4,
            poll_interval: Duration::from_secs(1),
            lease: Duration::from_secs(60),
            // Fits inside Docker's default 10 s stop timeout.
            grace: Duration::from_secs(8),
            backoff: Backoff::default(),
        }
    }
}

/// Runs jobs for one state with one registry: either in the background ([`Worker::start`]) or
/// until nothing is due ([`Worker::run_due`]).
#[derive(Clone)]
pub struct Worker {
    id: String,
    state: AppState,
    registry: Registry,
    config: WorkerConfig,
}

/// Kinds that wait on other people's servers (webhook receivers, HubSpot): the worker runs them
/// in their own slots ([`WorkerConfig::outbound_concurrency`]).
pub const OUTBOUND_KINDS: &[&str] = &[
    "webhook.deliver",
    "hubspot.sync",
    "twilio.create",
    "twilio.hangup",
    "twilio.price",
    "twilio.recording",
    "twilio.start_recording",
    "twilio.numbers",
    "twilio.release_number",
];

/// Runs every due job (built-in kinds) to completion, then returns how many ran. For tests and
/// one-off tools; the server runs a [`Worker`].
pub async fn run_due(st: &AppState) -> Result<usize, AppError> {
    Worker::new(st.clone(), Registry::builtin()).run_due().await
}

impl Worker {
    pub fn new(state: AppState, registry: Registry) -> Self {
        Worker { id: format!("worker-{}", new_id()), state, registry, config: WorkerConfig::default() }
    }

    pub fn with_config(mut self, config: WorkerConfig) -> Self {
        self.config = config;
        self
    }

    /// The value this worker writes into `locked_by`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Claims up to `limit` due jobs for this worker (one transaction).
    pub async fn claim(&self, limit: usize) -> Result<Vec<Job>, AppError> {
        Ok(claim(&self.state.db, &self.id, limit, self.config.lease).await?)
    }

    /// Runs due jobs one after another until none is due; returns how many ran.
    pub async fn run_due(&self) -> Result<usize, AppError> {
        let mut ran = 0;
        loop {
            let jobs = self.claim(16).await?;
            if jobs.is_empty() {
                return Ok(ran);
            }
            for job in jobs {
                ran += 1;
                self.execute(job).await;
            }
        }
    }

    /// Runs one claimed job: calls its handler (heartbeating meanwhile), then records the outcome
    /// unless the claim was lost.
    pub async fn execute(&self, job: Job) {
        let outcome = match self.registry.get(&job.kind) {
            Some(handler) => self.run_handler(&job, handler).await,
            None => {
                tracing::error!(job_id = %job.id, kind = %job.kind, "no handler for this job kind");
                Err(JobError::new(format!("no handler for job kind {:?}", job.kind)))
            }
        };
        if let Err(e) = self.record(&job, outcome).await {
            // The lease will expire and the job run again: at-least-once.
            tracing::error!(job_id = %job.id, kind = %job.kind, error = %e, "job outcome not recorded");
        }
    }

    async fn run_handler(&self, job: &Job, handler: Handler) -> Result<(), JobError> {
        let ctx = JobContext {
            id: job.id.clone(),
            kind: job.kind.clone(),
            payload: job.payload.clone(),
            attempt: job.attempts,
            max_attempts: job.max_attempts,
        };
        // Its own task, so a panic becomes a failed attempt instead of a lost worker slot, and
        // the guard aborts it when this future is dropped (shutdown past the grace period).
        let mut task = AbortOnDrop(tokio::spawn(handler(self.state.clone(), ctx)));
        let beat = self.config.lease / 3;
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + beat, beat);
        loop {
            tokio::select! {
                r = &mut task.0 => {
                    return match r {
                        Ok(r) => r,
                        Err(e) if e.is_panic() => Err(JobError::new("the handler panicked")),
                        Err(_) => Err(JobError::new("the handler was cancelled")),
                    };
                }
                _ = ticker.tick() => {
                    let until = now_ms() + self.config.lease.as_millis() as i64;
                    match self.state.db.pool().acquire().await {
                        Ok(mut c) => match store::heartbeat(&mut c, job, &self.id, until).await {
                            Ok(true) => {}
                            Ok(false) => tracing::warn!(job_id = %job.id, kind = %job.kind, "job lease lost; its outcome will be ignored"),
                            Err(e) => tracing::warn!(job_id = %job.id, error = %e, "job heartbeat failed"),
                        },
                        Err(e) => tracing::warn!(job_id = %job.id, error = %e, "job heartbeat failed"),
                    }
                }
            }
        }
    }

    async fn record(&self, job: &Job, outcome: Result<(), JobError>) -> Result<(), sqlx::Error> {
        let mut c = self.state.db.pool().acquire().await?;
        let held = match &outcome {
            Ok(()) => store::complete(&mut c, job, &self.id).await?,
            Err(e) => {
                let retry_at = (!e.permanent && job.attempts < job.max_attempts).then(|| now_ms() + self.config.backoff.delay_ms(job.attempts));
                let held = store::fail(&mut c, job, &self.id, &e.message, retry_at).await?;
                if held {
                    let attempt = job.attempts;
                    match retry_at {
                        Some(at) => tracing::warn!(job_id = %job.id, kind = %job.kind, attempt, retry_at = at, error = %e.message, "job failed; will retry"),
                        None => tracing::error!(job_id = %job.id, kind = %job.kind, attempt, error = %e.message, "job failed; dead"),
                    }
                }
                held
            }
        };
        if !held {
            tracing::warn!(job_id = %job.id, kind = %job.kind, "job claim lost (lease expired); outcome ignored");
        }
        Ok(())
    }

    /// Starts the worker pool in the background.
    pub fn start(self) -> WorkerHandle {
        let (stop, stopped) = watch::channel(false);
        let id = self.id.clone();
        let db = self.state.db.clone();
        let task = tokio::spawn(self.run(stopped));
        WorkerHandle { id, db, stop: Arc::new(stop), task }
    }

    /// Claims up to `free` jobs of `kinds` and starts them in `set`; `true` when every free slot
    /// was filled (more may be due).
    async fn fill(&self, set: &mut JoinSet<()>, free: usize, kinds: store::Kinds<'_>) -> bool {
        if free == 0 {
            return false;
        }
        let now = now_ms();
        let claimed = async {
            let mut tx = self.state.db.begin_write().await?;
            let jobs = store::claim_kinds(&mut tx, self.state.db.backend(), &self.id, free as i64, now, now + self.config.lease.as_millis() as i64, kinds).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(jobs)
        }
        .await;
        match claimed {
            Ok(jobs) => {
                let full = jobs.len() == free;
                for job in jobs {
                    let w = self.clone();
                    set.spawn(async move { w.execute(job).await });
                }
                full
            }
            Err(e) => {
                tracing::warn!(worker = %self.id, error = %e, "claiming jobs failed; trying again at the next poll");
                false
            }
        }
    }

    async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!(worker = %self.id, concurrency = self.config.concurrency, outbound = self.config.outbound_concurrency, "job worker started");
        let mut running = JoinSet::new();
        let mut outbound = JoinSet::new();
        let mut last_prune: Option<tokio::time::Instant> = None;
        while !*stop.borrow() {
            while let Some(r) = running.try_join_next() {
                log_join(r);
            }
            while let Some(r) = outbound.try_join_next() {
                log_join(r);
            }
            if last_prune.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
                last_prune = Some(tokio::time::Instant::now());
                self.prune().await;
            }
            let free = self.config.concurrency.saturating_sub(running.len());
            let full = self.fill(&mut running, free, store::Kinds::Except(OUTBOUND_KINDS)).await;
            let free_out = self.config.outbound_concurrency.saturating_sub(outbound.len());
            let full_out = self.fill(&mut outbound, free_out, store::Kinds::Only(OUTBOUND_KINDS)).await;
            if full || full_out {
                continue; // every slot of a lane filled: more may be due
            }
            tokio::select! {
                r = stop.changed() => {
                    // Every handle dropped without a shutdown: stop rather than spin.
                    if r.is_err() {
                        break;
                    }
                }
                _ = self.state.jobs.notified() => {}
                _ = tokio::time::sleep(self.config.poll_interval) => {}
                Some(r) = running.join_next(), if !running.is_empty() => log_join(r),
                Some(r) = outbound.join_next(), if !outbound.is_empty() => log_join(r),
            }
        }
        // Stop claiming; let running jobs (of both lanes) finish within the grace period.
        let deadline = tokio::time::sleep(self.config.grace);
        tokio::pin!(deadline);
        while !running.is_empty() || !outbound.is_empty() {
            tokio::select! {
                Some(r) = running.join_next(), if !running.is_empty() => log_join(r),
                Some(r) = outbound.join_next(), if !outbound.is_empty() => log_join(r),
                _ = &mut deadline => {
                    tracing::warn!(worker = %self.id, jobs = running.len() + outbound.len(), "jobs still running after the grace period; releasing them");
                    running.shutdown().await;
                    outbound.shutdown().await;
                    break;
                }
            }
        }
        match self.state.db.pool().acquire().await {
            Ok(mut c) => match store::release_worker(&mut c, &self.id).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(worker = %self.id, released = n, "released unfinished jobs"),
                Err(e) => tracing::error!(worker = %self.id, error = %e, "releasing jobs failed; their leases will expire"),
            },
            Err(e) => tracing::error!(worker = %self.id, error = %e, "releasing jobs failed; their leases will expire"),
        }
        tracing::info!(worker = %self.id, "job worker stopped");
    }

    async fn prune(&self) {
        let pruned = async {
            let mut c = self.state.db.pool().acquire().await?;
            store::prune_done(&mut c, now_ms() - KEEP_DONE_MS).await
        };
        match pruned.await {
            Ok(0) => {}
            Ok(n) => tracing::info!(pruned = n, "old finished jobs deleted"),
            Err(e) => tracing::warn!(error = %e, "pruning finished jobs failed"),
        }
        match crate::server::services::webhooks::prune(&self.state, now_ms()).await {
            Ok((0, 0)) => {}
            Ok((events, syncs)) => tracing::info!(events, syncs, "old webhook deliveries and HubSpot sync log deleted"),
            Err(e) => tracing::warn!(error = %e, "pruning webhook deliveries failed"),
        }
    }
}

fn log_join(r: Result<(), tokio::task::JoinError>) {
    if let Err(e) = r {
        if e.is_panic() {
            tracing::error!("a job runner panicked");
        }
    }
}

struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Claims up to `limit` due jobs for `worker` in one write transaction.
pub async fn claim(db: &Database, worker: &str, limit: usize, lease: Duration) -> Result<Vec<Job>, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let jobs = store::claim(&mut tx, db.backend(), worker, limit as i64, now, now + lease.as_millis() as i64).await?;
    tx.commit().await?;
    Ok(jobs)
}

/// A running worker pool.
pub struct WorkerHandle {
    id: String,
    db: Database,
    stop: Arc<watch::Sender<bool>>,
    task: tokio::task::JoinHandle<()>,
}

/// Tells a worker to stop claiming; cloneable so a signal handler can hold one.
#[derive(Clone)]
pub struct StopSignal(Arc<watch::Sender<bool>>);

impl StopSignal {
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
}

impl WorkerHandle {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn stop_signal(&self) -> StopSignal {
        StopSignal(self.stop.clone())
    }

    /// Stops claiming, waits for running jobs up to the grace period, releases the rest.
    pub async fn shutdown(self) {
        self.stop.send_replace(true);
        if let Err(e) = self.task.await {
            tracing::error!(worker = %self.id, error = %e, "job worker ended abnormally");
            // Its jobs may still be claimed: give them back rather than wait for the lease.
            if let Ok(mut c) = self.db.pool().acquire().await {
                let _ = store::release_worker(&mut c, &self.id).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_then_caps() {
        let b = Backoff { base: Duration::from_secs(5), cap: Duration::from_secs(60) };
        for _ in 0..50 {
            let d: Vec<i64> = (1..=6).map(|n| b.delay_ms(n)).collect();
            assert!((5_000..=6_250).contains(&d[0]), "{d:?}");
            assert!((10_000..=12_500).contains(&d[1]), "{d:?}");
            assert!((20_000..=25_000).contains(&d[2]), "{d:?}");
            // Strictly growing until the cap, then at the cap.
            assert!(d[0] < d[1] && d[1] < d[2] && d[2] < d[3], "{d:?}");
            assert_eq!(d[4], 60_000);
            assert_eq!(d[5], 60_000);
        }
        // Huge attempt numbers neither overflow nor pass the cap.
        assert_eq!(b.delay_ms(1_000), 60_000);
    }

    #[test]
    fn backoff_jitters() {
        let b = Backoff::default();
        let seen: std::collections::HashSet<i64> = (0..50).map(|_| b.delay_ms(3)).collect();
        assert!(seen.len() > 1, "jitter spreads retries");
    }

    #[test]
    fn states_parse_and_refuse_unknown() {
        for s in [JobState::Pending, JobState::Running, JobState::Done, JobState::Dead] {
            assert_eq!(JobState::parse(s.as_str()), Some(s));
        }
        assert_eq!(JobState::parse("Pending"), None);
        assert_eq!(JobState::parse("failed"), None);
        assert_eq!(JobState::parse(""), None);
    }

    #[test]
    fn new_job_defaults() {
        let j = NewJob::new("x", serde_json::json!({})).key("k").run_at(5).max_attempts(2);
        assert_eq!((j.key.as_deref(), j.run_at, j.max_attempts), (Some("k"), Some(5), 2));
        assert_eq!(NewJob::new("x", serde_json::Value::Null).max_attempts, 5);
    }
}
