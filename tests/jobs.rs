//! The durable job queue: transactional enqueue, leases, retries, dead jobs, keys, scheduling,
//! shutdown, concurrent workers, and mail delivered through it.

mod common;

use http::StatusCode;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use talkdeck::model::ErrorCode;
use talkdeck::server::db::jobs as store;
use talkdeck::server::db::now_ms;
use talkdeck::server::jobs::{self, Backoff, Job, JobError, JobState, NewJob, Registry, Worker, WorkerConfig};
use talkdeck::server::services;
use talkdeck::server::state::AppState;

type Runs = Arc<Mutex<HashMap<String, Vec<&'static str>>>>;

/// A registry whose `test.count` handler records each run under `label`.
fn counting(runs: &Runs, label: &'static str) -> Registry {
    let runs = runs.clone();
    let mut r = Registry::empty();
    r.register("test.count", move |_st, ctx| {
        let runs = runs.clone();
        async move {
            // A moment of work, so concurrent workers really overlap.
            tokio::task::yield_now().await;
            runs.lock().unwrap().entry(ctx.id).or_default().push(label);
            Ok(())
        }
    });
    r
}

fn fast(config: WorkerConfig) -> WorkerConfig {
    WorkerConfig { poll_interval: Duration::from_millis(20), ..config }
}

async fn enqueue(st: &AppState, job: NewJob) -> Job {
    let mut tx = st.db.begin_write().await.unwrap();
    let j = jobs::enqueue(&mut tx, job).await.unwrap();
    tx.commit().await.unwrap();
    st.jobs.wake();
    j
}

async fn find(st: &AppState, id: &str) -> Job {
    let mut c = st.db.pool().acquire().await.unwrap();
    store::find(&mut c, id).await.unwrap().expect("job row")
}

async fn count_jobs(st: &AppState, state: &str) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) AS n FROM jobs WHERE state = $1")
        .bind(state)
        .fetch_one(st.db.pool())
        .await
        .unwrap()
        .get::<i64, _>("n")
}

async fn make_due(st: &AppState, id: &str) {
    sqlx::query("UPDATE jobs SET run_at = $1 WHERE id = $2").bind(now_ms()).bind(id).execute(st.db.pool()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolled_back_enqueue_runs_nothing() {
    for backend in common::backends() {
        eprintln!("-- on {backend}");
        let app = common::TestApp::new(backend).await;
        let runs = Runs::default();
        let w = Worker::new(app.state.clone(), counting(&runs, "w"));

        let mut tx = app.state.db.begin_write().await.unwrap();
        jobs::enqueue(&mut tx, NewJob::new("test.count", json!({"n": 1}))).await.unwrap();
        tx.rollback().await.unwrap();
        // Dropped without commit: also rolled back.
        let mut tx = app.state.db.begin_write().await.unwrap();
        jobs::enqueue(&mut tx, NewJob::new("test.count", json!({"n": 2}))).await.unwrap();
        drop(tx);
        assert_eq!(w.run_due().await.unwrap(), 0);
        assert!(runs.lock().unwrap().is_empty());

        let j = enqueue(&app.state, NewJob::new("test.count", json!({"n": 3}))).await;
        assert_eq!(w.run_due().await.unwrap(), 1);
        assert_eq!(runs.lock().unwrap()[&j.id].len(), 1);
        let j = find(&app.state, &j.id).await;
        assert_eq!((j.state, j.attempts, j.locked_by.as_deref()), (JobState::Done, 1, None));
        assert!(j.finished_at.is_some());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_workers_job_runs_again_and_its_late_outcome_is_ignored() {
    for backend in common::backends() {
        eprintln!("-- on {backend}");
        let app = common::TestApp::new(backend).await;
        let runs = Runs::default();
        let short = WorkerConfig { lease: Duration::from_millis(300), ..WorkerConfig::default() };
        let dead_worker = Worker::new(app.state.clone(), counting(&runs, "a")).with_config(short.clone());
        let survivor = Worker::new(app.state.clone(), counting(&runs, "b")).with_config(short);
        let j = enqueue(&app.state, NewJob::new("test.count", json!({}))).await;

        // Worker a claims the job and "crashes": it never reports back.
        let claimed_by_a = dead_worker.claim(4).await.unwrap();
        assert_eq!(claimed_by_a.len(), 1);
        assert_eq!(claimed_by_a[0].attempts, 1);
        // While the lease holds, nobody else gets it.
        assert!(survivor.claim(4).await.unwrap().is_empty());

        tokio::time::sleep(Duration::from_millis(400)).await;
        let claimed_by_b = survivor.claim(4).await.unwrap();
        assert_eq!(claimed_by_b.len(), 1, "the expired lease makes the job claimable");
        assert_eq!((claimed_by_b[0].attempts, claimed_by_b[0].locked_by.as_deref()), (2, Some(survivor.id())));

        // a wakes up and tries to report: ignored, b still owns the job.
        let mut c = app.state.db.pool().acquire().await.unwrap();
        assert!(!store::complete(&mut c, &claimed_by_a[0], dead_worker.id()).await.unwrap());
        assert!(!store::fail(&mut c, &claimed_by_a[0], dead_worker.id(), "late", None).await.unwrap());
        assert!(!store::heartbeat(&mut c, &claimed_by_a[0], dead_worker.id(), now_ms() + 60_000).await.unwrap());
        drop(c);
        let row = find(&app.state, &j.id).await;
        assert_eq!((row.state, row.locked_by.as_deref()), (JobState::Running, Some(survivor.id())));

        survivor.execute(claimed_by_b.into_iter().next().unwrap()).await;
        let row = find(&app.state, &j.id).await;
        assert_eq!((row.state, row.attempts), (JobState::Done, 2));
        assert_eq!(runs.lock().unwrap()[&j.id], vec!["b"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_whose_worker_is_lost_on_its_last_attempt_goes_dead() {
    for backend in common::backends() {
        eprintln!("-- on {backend}");
        let app = common::TestApp::new(backend).await;
        let runs = Runs::default();
        let short = WorkerConfig { lease: Duration::from_millis(100), ..WorkerConfig::default() };
        let w = Worker::new(app.state.clone(), counting(&runs, "w")).with_config(short);
        let j = enqueue(&app.state, NewJob::new("test.count", json!({})).max_attempts(1)).await;
        assert_eq!(w.claim(1).await.unwrap().len(), 1);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(w.claim(1).await.unwrap().is_empty());
        let row = find(&app.state, &j.id).await;
        assert_eq!(row.state, JobState::Dead);
        assert!(row.last_error.unwrap().contains("lease expired"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_keep_a_long_job_claimed() {
    for backend in common::backends() {
        eprintln!("-- on {backend}");
        let app = common::TestApp::new(backend).await;
        let runs = Runs::default();
        let mut reg = Registry::empty();
        reg.register("test.long", |_st, _ctx| async {
            tokio::time::sleep(Duration::from_millis(900)).await;
            Ok(())
        });
        let cfg = fast(WorkerConfig { lease: Duration::from_millis(300), ..WorkerConfig::default() });
        let worker = Worker::new(app.state.clone(), reg).with_config(cfg.clone()).start();
        let other = Worker::new(app.state.clone(), counting(&runs, "other")).with_config(cfg);
        let j = enqueue(&app.state, NewJob::new("test.long", json!({}))).await;
        for _ in 0..100 {
            if find(&app.state, &j.id).await.state == JobState::Running {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        for _ in 0..6 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            assert!(other.claim(4).await.unwrap().is_empty(), "the running job's lease is extended");
        }
        for _ in 0..100 {
            if find(&app.state, &j.id).await.state == JobState::Done {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let row = find(&app.state, &j.id).await;
        assert_eq!((row.state, row.attempts), (JobState::Done, 1));
        worker.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_job_backs_off_then_dies_and_retry_revives_it() {
    for backend in common::backends() {
        eprintln!("-- on {backend}");
        let app = common::TestApp::new(backend).await;
        let mut reg = Registry::empty();
        reg.register("test.fail", |_st, ctx| async move { Err(JobError::new(format!("boom on attempt {}", ctx.attempt))) });
        let cfg = WorkerConfig {
            backoff: Backoff { base: Duration::from_millis(1000), cap: Duration::from_secs(3600) },
            ..WorkerConfig::default()
        };
        let w = Worker::new(app.state.clone(), reg).with_config(cfg);
        let j = enqueue(&app.state, NewJob::new("test.fail", json!({})).max_attempts(4)).await;

        let mut delays = Vec::new();
        for attempt in 1..=3 {
            assert_eq!(w.run_due().await.unwrap(), 1);
            let row = find(&app.state, &j.id).await;
            assert_eq!((row.state, row.attempts), (JobState::Pending, attempt));
            assert_eq!(row.last_error.as_deref(), Some(format!("boom on attempt {attempt}").as_str()));
            assert_eq!(w.run_due().await.unwrap(), 0, "not due before its backoff");
            delays.push(row.run_at - row.updated_at);
            make_due(&app.state, &j.id).await;
        }
        eprintln!("delays: {delays:?}");
        assert!(delays[0] >= 900 && delays[0] < delays[1] && delays[1] < delays[2], "{delays:?}");
        assert!(delays[2] >= 3_900, "{delays:?}");

        assert_eq!(w.run_due().await.unwrap(), 1);
        let row = find(&app.state, &j.id).await;
        assert_eq!((row.state, row.attempts), (JobState::Dead, 4));
        assert_eq!(row.last_error.as_deref(), Some("boom on attempt 4"));
        make_due(&app.state, &j.id).await;
        assert_eq!(w.run_due().await.unwrap(), 0, "dead jobs do not run");

        let listed = app.state.read(async |c| services::jobs::list(c, false, 100).await).await.unwrap();
        assert!(listed.iter().any(|r| r.id == j.id && r.state == JobState::Dead));

        let revived = app.state.write(async |tx| services::jobs::retry(tx, &j.id).await).await.unwrap();
        assert_eq!((revived.state, revived.attempts), (JobState::Pending, 0));
        let e = app.state.write(async |tx| services::jobs::retry(tx, &j.id).await).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Conflict, "only dead jobs are retried");
        assert_eq!(app.state.write(async |tx| services::jobs::retry(tx, "nope").await).await.unwrap_err().code, ErrorCode::NotFound);
        assert_eq!(w.run_due().await.unwrap(), 1);
        let row = find(&app.state, &j.id).await;
        assert_eq!((row.state, row.attempts), (JobState::Pending, 1));

        // A permanent failure skips the remaining attempts; an unknown kind fails like any error.
        let mut reg = Registry::empty();
        reg.register("test.bad", |_st, _ctx| async { Err(JobError::permanent("bad payload")) });
        let w = Worker::new(app.state.clone(), reg);
        let bad = enqueue(&app.state, NewJob::new("test.bad", json!({}))).await;
        let unknown = enqueue(&app.state, NewJob::new("test.nobody", json!({}))).await;
        w.run_due().await.unwrap();
        assert_eq!(find(&app.state, &bad.id).await.state, JobState::Dead);
        let row = find(&app.state, &unknown.id).await;
        assert_eq!((row.state, row.attempts), (JobState::Pending, 1));
        assert!(row.last_error.unwrap().contains("no handler"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_deduplicates_live_jobs() {
    for backend in common::backends() {
        eprintln!("-- on {backend}");
        let app = common::TestApp::new(backend).await;
        let runs = Runs::default();
        let w = Worker::new(app.state.clone(), counting(&runs, "w"));
        let a = enqueue(&app.state, NewJob::new("test.count", json!({"v": 1})).key("sync:p1")).await;
        let b = enqueue(&app.state, NewJob::new("test.count", json!({"v": 2})).key("sync:p1")).await;
        assert_eq!(a.id, b.id, "the existing job is returned");
        assert_eq!(b.payload, a.payload);
        // Also inside one transaction.
        let mut tx = app.state.db.begin_write().await.unwrap();
        let c = jobs::enqueue(&mut tx, NewJob::new("test.count", json!({})).key("sync:p1")).await.unwrap();
        let d = jobs::enqueue(&mut tx, NewJob::new("test.count", json!({})).key("sync:p2")).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(c.id, a.id);
        assert_ne!(d.id, a.id);
        assert_eq!(count_jobs(&app.state, "pending").await, 2);

        assert_eq!(w.run_due().await.unwrap(), 2);
        // Once done, the key is free again.
        let e = enqueue(&app.state, NewJob::new("test.count", json!({})).key("sync:p1")).await;
        assert_ne!(e.id, a.id);
        assert_eq!(w.run_due().await.unwrap(), 1);
        assert_eq!(runs.lock().unwrap().len(), 3);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_job_waits_for_its_time() {
    for backend in common::backends() {
        eprintln!("-- on {backend}");
        let app = common::TestApp::new(backend).await;
        let runs = Runs::default();
        let w = Worker::new(app.state.clone(), counting(&runs, "w"));
        let j = enqueue(&app.state, NewJob::new("test.count", json!({})).run_at(now_ms() + 600)).await;
        assert_eq!(w.run_due().await.unwrap(), 0);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(w.run_due().await.unwrap(), 0);
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(w.run_due().await.unwrap(), 1);
        assert_eq!(runs.lock().unwrap()[&j.id].len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_one_postgres_never_run_a_job_twice() {
    for backend in common::backends() {
        if backend != "postgres" {
            continue; // SQLite has one writer and one process; nothing to race
        }
        let app = common::TestApp::new(backend).await;
        let mut tx = app.state.db.begin_write().await.unwrap();
        for i in 0..1000 {
            jobs::enqueue(&mut tx, NewJob::new("test.count", json!({"i": i}))).await.unwrap();
        }
        tx.commit().await.unwrap();

        let runs = Runs::default();
        let second = app.second_state().await;
        let cfg = fast(WorkerConfig { concurrency: 4, ..WorkerConfig::default() });
        let a = Worker::new(app.state.clone(), counting(&runs, "a")).with_config(cfg.clone()).start();
        let b = Worker::new(second.clone(), counting(&runs, "b")).with_config(cfg).start();
        app.state.jobs.wake();
        second.jobs.wake();
        let started = std::time::Instant::now();
        while count_jobs(&app.state, "done").await < 1000 {
            assert!(started.elapsed() < Duration::from_secs(120), "workers too slow");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        a.shutdown().await;
        b.shutdown().await;

        let runs = runs.lock().unwrap();
        assert_eq!(runs.len(), 1000);
        let twice: Vec<_> = runs.iter().filter(|(_, v)| v.len() != 1).collect();
        assert!(twice.is_empty(), "jobs run more than once: {twice:?}");
        let by_a = runs.values().filter(|v| v[0] == "a").count();
        eprintln!("worker a ran {by_a}, worker b ran {}", 1000 - by_a);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_quick_jobs_and_releases_the_rest() {
    for backend in common::backends() {
        eprintln!("-- on {backend}");
        let app = common::TestApp::new(backend).await;
        let mut reg = Registry::empty();
        reg.register("test.slow", |_st, _ctx| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok(())
        });
        reg.register("test.brief", |_st, _ctx| async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Ok(())
        });
        let cfg = fast(WorkerConfig { grace: Duration::from_millis(800), ..WorkerConfig::default() });
        let worker = Worker::new(app.state.clone(), reg).with_config(cfg).start();
        let slow = enqueue(&app.state, NewJob::new("test.slow", json!({}))).await;
        let brief = enqueue(&app.state, NewJob::new("test.brief", json!({}))).await;
        for _ in 0..100 {
            if count_jobs(&app.state, "running").await == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(count_jobs(&app.state, "running").await, 2);

        let t = std::time::Instant::now();
        worker.shutdown().await;
        assert!(t.elapsed() < Duration::from_secs(5));
        let row = find(&app.state, &brief.id).await;
        assert_eq!(row.state, JobState::Done, "a job that ends within the grace period completes");
        let row = find(&app.state, &slow.id).await;
        assert_eq!((row.state, row.attempts, row.locked_by.as_deref()), (JobState::Pending, 0, None), "released, attempt not counted");
        assert!(row.run_at <= now_ms(), "released jobs are due at once");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_mail_survives_a_restart() {
    for backend in common::backends() {
        eprintln!("-- on {backend}");
        let app = common::TestApp::new(backend).await;
        let r = app.signup("later@x.co", common::PW).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["signupStatus"], 3);

        // Sealed at rest: neither the address nor the mail text is readable in the row.
        let listed = app.state.read(async |c| services::jobs::list(c, false, 100).await).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].kind, "mail.send");
        assert!(listed[0].payload.starts_with(r#"{"sealed":"v1."#), "{}", listed[0].payload);
        assert!(!listed[0].payload.contains("later@x.co"));
        assert!(app.outbox().is_empty());

        let app = app.restart().await;
        assert!(app.outbox().is_empty());
        assert_eq!(app.run_jobs().await, 1);
        let code = app.latest_code("later@x.co", 1).await;
        let r = app.post_json("/api/auth/verify-email", json!({"email": "later@x.co", "code": code}), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(count_jobs(&app.state, "done").await, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_failures_are_retried() {
    for backend in common::backends() {
        eprintln!("-- on {backend}");
        let app = common::TestApp::with_config(backend, |c| c.smtp_url = Some("smtp://127.0.0.1:1".into())).await;
        let r = app.signup("smtp@x.co", common::PW).await;
        assert_eq!(r.status, StatusCode::OK, "sign-up does not wait for SMTP: {}", r.text);
        let id = app.state.read(async |c| services::jobs::list(c, false, 10).await).await.unwrap()[0].id.clone();

        assert_eq!(app.run_jobs().await, 1);
        let row = find(&app.state, &id).await;
        assert_eq!((row.state, row.attempts), (JobState::Pending, 1));
        let err = row.last_error.unwrap();
        assert!(err.starts_with("mail not sent"), "{err}");
        assert!(row.run_at > now_ms(), "retried later");

        make_due(&app.state, &id).await;
        assert_eq!(app.run_jobs().await, 1);
        assert_eq!(find(&app.state, &id).await.attempts, 2);

        // Resend and forgot queue their mail the same way (and nothing for unknown addresses).
        app.post_json("/api/auth/resend-code", json!({"email": "smtp@x.co"}), None).await;
        app.post_json("/api/auth/forgot-password", json!({"email": "nobody@x.co"}), None).await;
        assert_eq!(app.state.read(async |c| services::jobs::list(c, false, 10).await).await.unwrap().len(), 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_state_is_an_error_naming_the_row() {
    for backend in common::backends() {
        eprintln!("-- on {backend}");
        let app = common::TestApp::new(backend).await;
        let j = enqueue(&app.state, NewJob::new("test.count", json!({}))).await;
        sqlx::query("UPDATE jobs SET state = 'paused' WHERE id = $1").bind(&j.id).execute(app.state.db.pool()).await.unwrap();
        let mut c = app.state.db.pool().acquire().await.unwrap();
        let e = store::find(&mut c, &j.id).await.unwrap_err().to_string();
        assert!(e.contains(&j.id) && e.contains("paused"), "{e}");
        drop(c);
        assert_eq!(app.state.write(async |tx| services::jobs::retry(tx, &j.id).await).await.unwrap_err().code, ErrorCode::Internal);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_outbound_jobs_do_not_hold_back_the_others() {
    for backend in common::backends() {
        eprintln!("-- on {backend}");
        let app = common::TestApp::new(backend).await;
        let mut reg = Registry::empty();
        // A webhook receiver that takes its time with every delivery.
        reg.register("webhook.deliver", |_st, _ctx| async {
            tokio::time::sleep(Duration::from_secs(3)).await;
            Ok(())
        });
        reg.register("test.quick", |_st, _ctx| async { Ok(()) });
        let mut tx = app.state.db.begin_write().await.unwrap();
        for i in 0..12 {
            jobs::enqueue(&mut tx, NewJob::new("webhook.deliver", json!({"i": i}))).await.unwrap();
        }
        tx.commit().await.unwrap();
        let mut tx = app.state.db.begin_write().await.unwrap();
        let quick = jobs::enqueue(&mut tx, NewJob::new("test.quick", json!({}))).await.unwrap();
        tx.commit().await.unwrap();
        let worker = Worker::new(app.state.clone(), reg).with_config(fast(WorkerConfig::default())).start();
        app.state.jobs.wake();
        let started = std::time::Instant::now();
        loop {
            let state: String = sqlx::query_scalar("SELECT state FROM jobs WHERE id = $1").bind(&quick.id).fetch_one(app.state.db.pool()).await.unwrap();
            if state == "done" {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(2), "a quick job waited behind slow deliveries (still {state})");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let running: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'webhook.deliver' AND state = 'running'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
        assert_eq!(running, WorkerConfig::default().outbound_concurrency as i64, "deliveries use their own slots, all of them");
        worker.shutdown().await;
    }
}
