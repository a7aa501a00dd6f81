//! Batch calls running on the simulator, through the v1 and Talkstack APIs: a 200-row batch with
//! its concurrency measured, retries with cooldown, the calling window with a controllable
//! clock, pause / resume / cancel, the do-not-call list read again before each dial, the circuit
//! breaker, a crash and restart in the middle, agent deletion refused while a batch runs, JSON
//! rows, Talkstack's batch-call and the CSV export. Runs on SQLite and, with TEST_DATABASE_URL,
//! on PostgreSQL.

#[macro_use]
mod common;

use common::{create_project, send, send_multipart, user, Auth, TestApp};
use http::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const FROM: &str = "+14155550100";

async fn setup(app: &TestApp, tag: &str) -> (Auth, String, String) {
    let (_, owner) = user(app, &format!("{tag}@runs.co")).await;
    let p = create_project(app, &owner, tag).await;
    let agent = common::outbound_agent(app, &owner, &p, FROM).await;
    (owner, p, agent)
}

/// A CSV of `numbers` with the agent's variables.
fn csv(numbers: &[String]) -> Vec<u8> {
    let mut s = String::from("number,name,topic\n");
    for (i, n) in numbers.iter().enumerate() {
        s.push_str(&format!("{n},Person {i},solar\n"));
    }
    s.into_bytes()
}

/// `count` distinct numbers whose last four digits are `last4` (a simulator outcome), or
/// ordinary numbers when `last4` is `None`.
fn numbers(count: usize, start: usize, last4: Option<&str>) -> Vec<String> {
    // Valid exchanges: 220 upward, without the N11 service codes.
    let exchanges = (220..1000).filter(|n| n % 100 != 11);
    exchanges
        .skip(start)
        .take(count)
        .map(|x| match last4 {
            Some(l) => format!("+1415{x}{l}"),
            None => format!("+1415{x}2671"),
        })
        .collect()
}

/// Uploads `bytes` as a draft and returns its id.
async fn draft(app: &TestApp, auth: &Auth, p: &str, agent: &str, bytes: &[u8]) -> String {
    let r = send_multipart(app, "/api/v1/batches", &[("project_id", p), ("agent_id", agent), ("name", "Runs")], Some(("file", "people.csv", bytes)), auth).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json["data"]["id"].as_str().unwrap().to_string()
}

async fn start(app: &TestApp, auth: &Auth, id: &str, opts: Value) -> Value {
    let r = send(app, Method::POST, &format!("/api/v1/batches/{id}/start"), Some(opts), auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json["data"].clone()
}

async fn batch(app: &TestApp, auth: &Auth, id: &str) -> Value {
    let r = send(app, Method::GET, &format!("/api/v1/batches/{id}"), None, auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json["data"].clone()
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql).fetch_one(app.state.db.pool()).await.unwrap().get::<i64, _>("n")
}

async fn calls_of(app: &TestApp, batch: &str) -> i64 {
    scalar(app, &format!("SELECT COUNT(*) AS n FROM calls WHERE batch_id = '{batch}'")).await
}

/// Runs jobs until the batch's status is one of `until` (the tests' simulator runs 1000 times
/// faster than real time), checking after each round that no more rows are `calling` than
/// `max_calling`. Returns the batch.
async fn run_until(app: &TestApp, auth: &Auth, id: &str, until: &[&str], max_calling: i64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        app.run_jobs().await;
        let calling = scalar(app, &format!("SELECT COUNT(*) AS n FROM batch_rows WHERE batch_id = '{id}' AND state = 'calling'")).await;
        assert!(calling <= max_calling, "{calling} rows calling, limit {max_calling}");
        let b = batch(app, auth, id).await;
        if until.contains(&b["status"].as_str().unwrap_or("")) {
            return b;
        }
        assert!(Instant::now() < deadline, "batch still {}: {b}", b["status"]);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The most calls of the batch that were placed and not yet ended at any one time, from the
/// calls' own times (placed at `created_at`, free again at `ended_at`).
async fn measured_concurrency(app: &TestApp, batch: &str) -> i64 {
    let rows = sqlx::query(&format!("SELECT created_at, ended_at FROM calls WHERE batch_id = '{batch}'"))
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    let mut edges: Vec<(i64, i64)> = Vec::new();
    for r in rows {
        edges.push((r.get::<i64, _>("created_at"), 1));
        edges.push((r.get::<Option<i64>, _>("ended_at").expect("every call ended"), -1));
    }
    // At equal times an end comes first: a line freed and taken in the same millisecond is one line.
    edges.sort();
    let (mut now, mut most) = (0, 0);
    for (_, d) in edges {
        now += d;
        most = most.max(now);
    }
    most
}

/// Every row is final and has exactly one call per attempt, numbered 1..=attempts.
async fn one_call_per_attempt(app: &TestApp, batch: &str) {
    let rows = sqlx::query(&format!("SELECT id, state, attempts FROM batch_rows WHERE batch_id = '{batch}' AND state <> 'invalid'"))
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    let calls = sqlx::query(&format!("SELECT batch_row_id, batch_attempt FROM calls WHERE batch_id = '{batch}'"))
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    let mut by_row: HashMap<String, Vec<i64>> = HashMap::new();
    for c in calls {
        by_row.entry(c.get("batch_row_id")).or_default().push(c.get("batch_attempt"));
    }
    for r in rows {
        let id: String = r.get("id");
        let state: String = r.get("state");
        assert!(["done", "failed", "skipped", "canceled"].contains(&state.as_str()), "row {id} is {state}");
        let mut attempts = by_row.remove(&id).unwrap_or_default();
        attempts.sort();
        let n: i64 = r.get("attempts");
        assert_eq!(attempts, (1..=n).collect::<Vec<_>>(), "row {id}: calls per attempt");
    }
    assert!(by_row.is_empty(), "calls without a row: {by_row:?}");
}

on_both!(a_200_row_batch_finishes_every_row_within_its_concurrency, |app| {
    let (owner, p, agent) = setup(&app, "big").await;
    // Mostly short calls (the caller hangs up after the greeting), some conversations, some busy.
    let mut list = numbers(150, 0, Some("0006"));
    list.extend(numbers(30, 150, None));
    list.extend(numbers(20, 180, Some("0001")));
    let id = draft(&app, &owner, &p, &agent, &csv(&list)).await;
    let b = start(&app, &owner, &id, json!({"concurrency": 4})).await;
    assert_eq!(b["status"], "running");
    assert_eq!(b["concurrency"], 4);
    // A second "process" runs jobs on the same database at the same time.
    let sibling = app.sibling().await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let s2 = stop.clone();
    let other = tokio::spawn(async move {
        while !s2.load(std::sync::atomic::Ordering::Relaxed) {
            sibling.run_jobs().await;
            tokio::time::sleep(Duration::from_millis(3)).await;
        }
    });
    let b = run_until(&app, &owner, &id, &["completed"], 4).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    other.await.unwrap();
    let pr = &b["progress"];
    assert_eq!((pr["done"].as_i64(), pr["failed"].as_i64(), pr["waiting"].as_i64(), pr["calling"].as_i64()), (Some(180), Some(20), Some(0), Some(0)), "{b}");
    assert!(b["finished_at"].is_string(), "{b}");
    assert_eq!(calls_of(&app, &id).await, 200);
    let most = measured_concurrency(&app, &id).await;
    assert!((1..=4).contains(&most), "measured concurrency {most}");
    one_call_per_attempt(&app, &id).await;
    // Rows say how their call ended, and link it.
    let r = send(&app, Method::GET, &format!("/api/v1/batches/{id}/rows?state=failed"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let row = &r.json["data"][0];
    assert_eq!(row["outcome"], "busy");
    let call = row["last_call_id"].as_str().unwrap();
    let r = send(&app, Method::GET, &format!("/api/v1/calls/{call}"), None, &owner).await;
    assert_eq!(r.json["data"]["status"], "busy", "{}", r.text);
});

on_both!(retries_wait_their_cooldown_and_stop_at_the_maximum, |app| {
    let (owner, p, agent) = setup(&app, "retry").await;
    let mut list = numbers(2, 0, Some("0001"));
    list.extend(numbers(1, 5, Some("0002")));
    let id = draft(&app, &owner, &p, &agent, &csv(&list)).await;
    start(&app, &owner, &id, json!({"retry": {"on": ["busy"], "max_retries": 2, "cooldown_seconds": 1}})).await;
    let b = run_until(&app, &owner, &id, &["completed"], 5).await;
    assert_eq!(b["progress"]["failed"], 3, "{b}");
    one_call_per_attempt(&app, &id).await;
    let rows = send(&app, Method::GET, &format!("/api/v1/batches/{id}/rows"), None, &owner).await.json["data"].clone();
    let attempts: Vec<(String, i64)> = rows.as_array().unwrap().iter().map(|r| (r["outcome"].as_str().unwrap().to_string(), r["attempts"].as_i64().unwrap())).collect();
    // Busy rows: the first try and two retries; the no-answer row is not retried.
    assert_eq!(attempts, vec![("busy".to_string(), 3), ("busy".to_string(), 3), ("no-answer".to_string(), 1)]);
    // Each retry was placed at least the cooldown after the attempt before it ended.
    let calls = sqlx::query(&format!("SELECT batch_row_id, batch_attempt, created_at, ended_at FROM calls WHERE batch_id = '{id}' ORDER BY batch_row_id, batch_attempt"))
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    for pair in calls.windows(2) {
        if pair[0].get::<String, _>("batch_row_id") == pair[1].get::<String, _>("batch_row_id") {
            let gap = pair[1].get::<i64, _>("created_at") - pair[0].get::<i64, _>("ended_at");
            assert!(gap >= 990, "retry placed {gap} ms after the attempt before ended");
        }
    }
});

on_both!(the_calling_window_holds_rows_until_it_opens, |app| {
    let (owner, p, agent) = setup(&app, "window").await;
    let id = draft(&app, &owner, &p, &agent, &csv(&numbers(3, 0, Some("0006")))).await;
    // A window of one hour, starting two to three hours from now (UTC), every day.
    let now = app.state.clock.now_ms();
    let hour = (now / 3_600_000) % 24;
    let open_h = (hour + 2) % 24;
    let range = if open_h == 23 { "23:00-24:00".to_string() } else { format!("{open_h:02}:00-{:02}:00", open_h + 1) };
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let b = start(&app, &owner, &id, json!({"window": {"tz": "UTC", "days": days, "ranges": [range]}})).await;
    assert_eq!(b["status"], "running");
    assert_eq!(b["window"]["tz"], "UTC");
    for _ in 0..3 {
        app.run_jobs().await;
    }
    assert_eq!(calls_of(&app, &id).await, 0, "no call outside the window");
    assert_eq!(batch(&app, &owner, &id).await["progress"]["waiting"], 3);
    // The next tick waits for the opening: between one and three hours from now.
    let at = scalar(&app, "SELECT MAX(run_at) AS n FROM jobs WHERE kind = 'batch.tick' AND state = 'pending'").await;
    let wait = at - talkdeck::server::db::now_ms();
    assert!((3_600_000 - 120_000..=3 * 3_600_000).contains(&wait), "next tick in {wait} ms");
    // The batch says when the window opens: the moment of that tick.
    let b = batch(&app, &owner, &id).await;
    let opens: jiff::Timestamp = b["window_opens_at"].as_str().expect("window_opens_at while closed").parse().unwrap();
    assert_eq!(opens.as_millisecond(), at, "{b}");
    // Time passes (the clock moves; the queued tick falls due): the window is open, rows are called.
    app.state.clock.advance(wait + 1_000);
    sqlx::query("UPDATE jobs SET run_at = 0 WHERE kind = 'batch.tick' AND state = 'pending'")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let b = run_until(&app, &owner, &id, &["completed"], 5).await;
    assert_eq!(b["progress"]["done"], 3, "{b}");
    assert!(b["window_opens_at"].is_null(), "an ended batch waits for nothing: {b}");
    // A batch scheduled two days ahead opens no earlier than its start.
    let later = draft(&app, &owner, &p, &agent, &csv(&numbers(2, 10, None))).await;
    let start_at = jiff::Timestamp::from_millisecond(talkdeck::server::db::now_ms() + 2 * 86_400_000).unwrap();
    let b = start(&app, &owner, &later, json!({"window": {"tz": "UTC", "days": days, "ranges": [range]}, "start_at": start_at.to_string()})).await;
    assert_eq!(b["status"], "scheduled", "{b}");
    let opens: jiff::Timestamp = b["window_opens_at"].as_str().expect("window_opens_at").parse().unwrap();
    assert!(opens >= start_at && opens.as_millisecond() - start_at.as_millisecond() < 86_400_000, "{b}");
    assert_eq!(calls_of(&app, &id).await, 3);
});

on_both!(pause_resume_and_cancel_take_effect_at_once, |app| {
    let (owner, p, agent) = setup(&app, "pause").await;
    let id = draft(&app, &owner, &p, &agent, &csv(&numbers(40, 0, Some("0006")))).await;
    start(&app, &owner, &id, json!({"concurrency": 2})).await;
    // The first tick (the only job due) places two calls.
    let worker = talkdeck::server::jobs::Worker::new(app.state.clone(), talkdeck::server::jobs::Registry::builtin());
    let jobs = worker.claim(1).await.unwrap();
    assert_eq!(jobs.iter().map(|j| j.kind.as_str()).collect::<Vec<_>>(), vec!["batch.tick"]);
    for j in jobs {
        worker.execute(j).await;
    }
    assert_eq!(calls_of(&app, &id).await, 2);
    let r = send(&app, Method::POST, &format!("/api/v1/batches/{id}/pause"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["data"]["status"], "paused");
    let placed = calls_of(&app, &id).await;
    assert_eq!(placed, 2);
    // Calls under way finish; nothing more is dialled while paused.
    let deadline = Instant::now() + Duration::from_secs(30);
    while scalar(&app, &format!("SELECT COUNT(*) AS n FROM batch_rows WHERE batch_id = '{id}' AND state = 'calling'")).await > 0 {
        app.run_jobs().await;
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    app.run_jobs().await;
    assert_eq!(calls_of(&app, &id).await, placed, "no dial while paused");
    let r = send(&app, Method::POST, &format!("/api/v1/batches/{id}/pause"), None, &owner).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);

    let r = send(&app, Method::POST, &format!("/api/v1/batches/{id}/resume"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["data"]["status"], "running");
    let jobs = worker.claim(1).await.unwrap();
    assert_eq!(jobs.iter().map(|j| j.kind.as_str()).collect::<Vec<_>>(), vec!["batch.tick"]);
    for j in jobs {
        worker.execute(j).await;
    }
    assert_eq!(calls_of(&app, &id).await, 4, "dialling again after resume");

    let r = send(&app, Method::POST, &format!("/api/v1/batches/{id}/cancel"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["data"]["status"], "canceled");
    assert_eq!(r.json["data"]["progress"]["waiting"], 0, "{}", r.text);
    let after_cancel = calls_of(&app, &id).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while scalar(&app, &format!("SELECT COUNT(*) AS n FROM batch_rows WHERE batch_id = '{id}' AND state = 'calling'")).await > 0 {
        app.run_jobs().await;
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    app.run_jobs().await;
    assert_eq!(calls_of(&app, &id).await, after_cancel, "no dial after cancel");
    let b = batch(&app, &owner, &id).await;
    assert_eq!(b["status"], "canceled");
    let pr = &b["progress"];
    // The two calls placed after the resume had not started: canceled with their rows.
    assert_eq!((pr["done"].as_i64(), pr["canceled"].as_i64()), (Some(2), Some(38)), "{b}");
    one_call_per_attempt(&app, &id).await;
    let r = send(&app, Method::POST, &format!("/api/v1/batches/{id}/resume"), None, &owner).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
});

on_both!(a_number_added_to_do_not_call_mid_batch_is_skipped, |app| {
    let (owner, p, agent) = setup(&app, "dnc").await;
    let list = numbers(6, 0, Some("0006"));
    let id = draft(&app, &owner, &p, &agent, &csv(&list)).await;
    start(&app, &owner, &id, json!({"concurrency": 1})).await;
    // Added after the rows were checked (at upload) and the batch started, before any job runs:
    // one `run_due` may play every call of this small batch to its end on a slow machine, so
    // adding it after a first run would race the batch.
    let r = send(&app, Method::POST, "/api/v1/do-not-call", Some(json!({"project_id": p, "number": list[4]})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let b = run_until(&app, &owner, &id, &["completed"], 1).await;
    assert_eq!((b["progress"]["done"].as_i64(), b["progress"]["skipped"].as_i64()), (Some(5), Some(1)), "{b}");
    assert_eq!(scalar(&app, &format!("SELECT COUNT(*) AS n FROM calls WHERE to_number = '{}'", list[4])).await, 0);
    let r = send(&app, Method::GET, &format!("/api/v1/batches/{id}/rows?state=skipped"), None, &owner).await;
    assert_eq!(r.json["data"][0]["outcome"], "do_not_call", "{}", r.text);
    assert_eq!(r.json["data"][0]["problems"][0]["code"], "do_not_call", "{}", r.text);
});

on_both!(the_circuit_breaker_pauses_a_batch_failing_at_the_carrier, |app| {
    let (owner, p, agent) = setup(&app, "breaker").await;
    let id = draft(&app, &owner, &p, &agent, &csv(&numbers(40, 0, Some("0003")))).await;
    start(&app, &owner, &id, json!({"concurrency": 3})).await;
    let b = run_until(&app, &owner, &id, &["paused", "completed"], 3).await;
    assert_eq!(b["status"], "paused", "{b}");
    let reason = b["paused_reason"].as_str().unwrap();
    assert!(reason.contains("circuit breaker") && reason.contains("failed at the carrier"), "{reason}");
    // Calls under way when it tripped finish; the rest wait.
    for _ in 0..50 {
        app.run_jobs().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let placed = calls_of(&app, &id).await;
    assert!((10..=13).contains(&placed), "{placed} calls placed");
    assert!(batch(&app, &owner, &id).await["progress"]["waiting"].as_i64().unwrap() >= 27);
});

on_both!(a_restart_in_the_middle_loses_no_row_and_places_no_call_twice, |app| {
    let (owner, p, agent) = setup(&app, "crash").await;
    let mut list = numbers(20, 0, Some("0006"));
    list.extend(numbers(5, 20, Some("0001")));
    let id = draft(&app, &owner, &p, &agent, &csv(&list)).await;
    start(&app, &owner, &id, json!({"concurrency": 3, "retry": {"on": ["busy"], "max_retries": 1, "cooldown_seconds": 1}})).await;
    for _ in 0..5 {
        app.run_jobs().await;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // A worker claims due jobs and dies with them (like SIGKILL): their leases must expire.
    let dead = talkdeck::server::jobs::claim(&app.state.db, "worker-killed", 8, Duration::from_millis(300)).await.unwrap();
    let app = app.restart().await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let b = run_until(&app, &owner, &id, &["completed"], 3).await;
    assert_eq!(b["progress"]["done"].as_i64().unwrap() + b["progress"]["failed"].as_i64().unwrap(), 25, "{b} (killed {} jobs)", dead.len());
    one_call_per_attempt(&app, &id).await;
    // Busy rows had their one retry.
    assert_eq!(calls_of(&app, &id).await, 30);
});

on_both!(an_agent_with_a_running_batch_cannot_be_deleted, |app| {
    let (owner, p, agent) = setup(&app, "agentdel").await;
    let id = draft(&app, &owner, &p, &agent, &csv(&numbers(3, 0, Some("0006")))).await;
    // A draft does not hold the agent.
    let other = draft(&app, &owner, &p, &agent, &csv(&numbers(2, 10, Some("0006")))).await;
    start(&app, &owner, &id, json!({})).await;
    let r = send(&app, Method::DELETE, &format!("/api/v1/agents/{agent}"), None, &owner).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.text.contains("Runs"), "{}", r.text);
    let r = send(&app, Method::POST, &format!("/api/v1/batches/{id}/pause"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = send(&app, Method::DELETE, &format!("/api/v1/agents/{agent}"), None, &owner).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "paused batches hold the agent too: {}", r.text);
    let r = send(&app, Method::POST, &format!("/api/v1/batches/{id}/cancel"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = send(&app, Method::DELETE, &format!("/api/v1/agents/{agent}"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // The draft's agent is gone: starting it says so.
    let r = send(&app, Method::POST, &format!("/api/v1/batches/{other}/start"), Some(json!({})), &owner).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.text.contains("agent was deleted"), "{}", r.text);
});

on_both!(start_options_are_checked, |app| {
    let (owner, p, agent) = setup(&app, "opts").await;
    let id = draft(&app, &owner, &p, &agent, &csv(&numbers(2, 0, Some("0006")))).await;
    let bad = [
        (json!({"concurrency": 0}), "concurrency"),
        (json!({"concurrency": 11}), "concurrency"),
        (json!({"caller_numbers": ["nope"]}), "caller_numbers"),
        (json!({"caller_numbers": []}), "caller_numbers"),
        (json!({"window": {"tz": "Mars/Base", "days": ["mon"], "ranges": ["09:00-17:00"]}}), "window"),
        (json!({"window": {"tz": "UTC", "days": ["mon"], "ranges": ["22:00-02:00"]}}), "window"),
        (json!({"retry": {"on": ["failed"], "max_retries": 1, "cooldown_seconds": 60}}), "retry.on"),
        (json!({"retry": {"on": ["busy"], "max_retries": 99, "cooldown_seconds": 60}}), "retry.max_retries"),
        (json!({"start_at": "tomorrow"}), "start_at"),
    ];
    for (body, field) in bad {
        let r = send(&app, Method::POST, &format!("/api/v1/batches/{id}/start"), Some(body.clone()), &owner).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.text);
        assert_eq!(r.json["error"]["details"][0]["field"], field, "{body}: {}", r.text);
        assert_eq!(batch(&app, &owner, &id).await["status"], "draft", "nothing changed");
    }
    // A viewer may read but not start; another tenant sees nothing.
    let (_, viewer) = user(&app, "viewer@runs.co").await;
    common::invite_and_accept(&app, &owner, &p, "viewer@runs.co", "viewer", &viewer).await;
    let r = send(&app, Method::POST, &format!("/api/v1/batches/{id}/start"), Some(json!({})), &viewer).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let (_, stranger) = user(&app, "stranger@runs.co").await;
    for path in ["start", "pause", "resume", "cancel"] {
        let r = send(&app, Method::POST, &format!("/api/v1/batches/{id}/{path}"), Some(json!({})), &stranger).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.text);
    }
    let r = send(&app, Method::GET, &format!("/api/v1/batches/{id}/export"), None, &stranger).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    // A future start time schedules it; a second start is refused.
    let later = "2099-01-01T09:00:00Z";
    let b = start(&app, &owner, &id, json!({"start_at": later, "name": "Later"})).await;
    assert_eq!((b["status"].as_str(), b["name"].as_str()), (Some("scheduled"), Some("Later")));
    let r = send(&app, Method::POST, &format!("/api/v1/batches/{id}/start"), Some(json!({})), &owner).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    app.run_jobs().await;
    assert_eq!(calls_of(&app, &id).await, 0, "not before its start time");
});

on_both!(json_rows_talkstack_batch_call_and_the_export, |app| {
    let (owner, p, agent) = setup(&app, "json").await;
    // JSON rows, validate-only and stored.
    let rows = json!([
        {"number": "+14155550106", "variables": {"name": "Ann", "topic": "solar"}},
        {"number": "+14155550206", "dynamicVariables": {"name": "Bob", "topic": "wind", "age": 42}},
        {"number": "oops", "variables": {"name": "Cid", "topic": "solar"}},
    ]);
    let r =
        send(&app, Method::POST, "/api/v1/batches", Some(json!({"project_id": p, "agent_id": agent, "name": "JSON", "rows": rows, "validate_only": true})), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.json["data"]["valid_rows"].as_i64(), r.json["data"]["bad_rows"][0]["row"].as_i64()), (Some(2), Some(3)), "{}", r.text);
    let r = send(&app, Method::POST, "/api/v1/batches", Some(json!({"project_id": p, "agent_id": agent, "name": "JSON", "rows": rows})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json["data"]["status"], "draft");
    let r = send(&app, Method::POST, "/api/v1/batches", Some(json!({"project_id": p, "agent_id": agent, "name": "JSON", "rows": []})), &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);

    // Talkstack: invalid rows keep it a draft unless startWithValidRows.
    let mixed = "number,name,topic\n+14155550306,Ann,solar\nbad,Bob,wind\n";
    let fields = [("projectId", p.as_str()), ("agentId", agent.as_str())];
    let r = send_multipart(&app, "/api/call/batch-call", &fields, Some(("file", "mixed.csv", mixed.as_bytes())), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["status"], "success");
    let b = &r.json["batch"];
    assert_eq!(
        (b["status"].as_str(), b["started"].as_bool(), b["validRows"].as_i64(), b["invalidRows"].as_i64()),
        (Some("draft"), Some(false), Some(1), Some(1)),
        "{}",
        r.text
    );
    assert_eq!(b["errors"][0]["row"], 3, "{}", r.text);
    let fields = [("projectId", p.as_str()), ("agentId", agent.as_str()), ("startWithValidRows", "true")];
    let r = send_multipart(&app, "/api/call/batch-call", &fields, Some(("file", "mixed.csv", mixed.as_bytes())), &owner).await;
    assert_eq!(r.json["batch"]["status"], "running", "{}", r.text);
    let good = "number,name,topic\n+14155550406,Ann,solar\n+14155550506,Bob,wind\n";
    let fields = [("projectId", p.as_str()), ("agentId", agent.as_str())];
    let r = send_multipart(&app, "/api/call/batch-call", &fields, Some(("file", "good.csv", good.as_bytes())), &owner).await;
    assert_eq!(r.json["batch"]["status"], "running", "{}", r.text);
    let id = r.json["batch"]["batchId"].as_str().unwrap().to_string();
    let r = send_multipart(&app, "/api/call/batch-call", &[("projectId", p.as_str())], Some(("file", "good.csv", good.as_bytes())), &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);

    // The export: a header, then one line per row with its outcome and the analysis.
    run_until(&app, &owner, &id, &["completed"], 5).await;
    app.run_jobs().await; // the analyses
    let r = send(&app, Method::GET, &format!("/api/v1/batches/{id}/export"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(r.headers["content-disposition"].to_str().unwrap().contains("attachment"));
    let mut reader = csv::Reader::from_reader(r.text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    for col in ["row", "number", "state", "outcome", "attempts", "call_id", "duration_seconds", "summary", "name", "topic"] {
        assert!(header.contains(&col.to_string()), "{col} in {header:?}");
    }
    let lines: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(lines.len(), 2);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&lines[0][col("number")], "+14155550406");
    assert_eq!(&lines[0][col("state")], "done");
    assert_eq!(&lines[0][col("outcome")], "completed");
    assert_eq!(&lines[1][col("name")], "Bob");
    assert!(!lines[0][col("summary")].is_empty(), "{:?}", lines[0]);
    assert!(lines[0][col("duration_seconds")].parse::<f64>().unwrap() > 0.0);
});
