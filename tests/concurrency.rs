//! Races that must be decided by the database, not by SQLite's single writer: the same request
//! fired 20 times at once, outcomes counted. Runs on SQLite and, with TEST_DATABASE_URL, on
//! PostgreSQL (where these races are real: READ COMMITTED, a connection per request).

mod common;

use common::{create_project, send, user, Auth, TestApp};
use http::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

const RACERS: usize = 20;

/// Fires `RACERS` requests at once (request `i` from `make(i)`) and returns their statuses.
async fn race(app: &Arc<TestApp>, make: impl Fn(usize) -> (Method, String, Option<Value>, Auth)) -> Vec<(StatusCode, Value)> {
    let barrier = Arc::new(tokio::sync::Barrier::new(RACERS));
    let mut handles = Vec::new();
    for i in 0..RACERS {
        let (method, path, body, auth) = make(i);
        let (app, barrier) = (app.clone(), barrier.clone());
        handles.push(tokio::spawn(async move {
            barrier.wait().await;
            let r = send(&app, method, &path, body, &auth).await;
            (r.status, r.json)
        }));
    }
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("request task"));
    }
    out
}

fn count(rs: &[(StatusCode, Value)], s: u16) -> usize {
    rs.iter().filter(|(st, _)| st.as_u16() == s).count()
}

fn no_server_errors(what: &str, rs: &[(StatusCode, Value)]) {
    for (s, body) in rs {
        assert!(s.as_u16() < 500, "{what}: got {s}: {body}");
    }
}

async fn agent(app: &TestApp, auth: &Auth, project: &str, name: &str, direction: &str) -> String {
    let r = send(app, Method::POST, "/api/v1/agents", Some(json!({"project_id": project, "name": name, "direction": direction})), auth).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json["data"]["id"].as_str().unwrap().to_string()
}

async fn number(app: &TestApp, auth: &Auth, project: &str, e164: &str) -> String {
    let r = send(app, Method::POST, "/api/v1/phone-numbers", Some(json!({"project_id": project, "number": e164})), auth).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json["data"]["id"].as_str().unwrap().to_string()
}

/// The inbound agents a number answers for, read back through the API.
async fn inbound_holders(app: &TestApp, auth: &Auth, number_id: &str) -> usize {
    let r = send(app, Method::GET, &format!("/api/v1/phone-numbers/{number_id}"), None, auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let agents = r.json["data"]["agents"].as_array().cloned().unwrap_or_default();
    let mut n = 0;
    for a in agents {
        let id = a["id"].as_str().unwrap();
        let r = send(app, Method::GET, &format!("/api/v1/agents/{id}"), None, auth).await;
        if r.json["data"]["direction"] == "inbound" {
            n += 1;
        }
    }
    n
}

async fn apps() -> Vec<Arc<TestApp>> {
    let mut v = Vec::new();
    for b in common::backends() {
        v.push(Arc::new(TestApp::new(b).await));
    }
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_saves_of_one_version_one_wins() {
    for app in apps().await {
        eprintln!("-- on {}", app.backend);
        let (_, auth) = user(&app, "owner@x.co").await;
        let project = create_project(&app, &auth, "Race").await;
        let id = agent(&app, &auth, &project, "Racer", "outbound").await;
        let rs = race(&app, |i| (Method::PUT, format!("/api/v1/agents/{id}"), Some(json!({"name": format!("Name {i}"), "expected_version": 1})), auth.clone())).await;
        no_server_errors("saves", &rs);
        assert_eq!((count(&rs, 200), count(&rs, 409)), (1, RACERS - 1), "{rs:?}");
        let r = send(&app, Method::GET, &format!("/api/v1/agents/{id}"), None, &auth).await;
        assert_eq!(r.json["data"]["version"], 2, "version advanced by exactly one");
        let winner = rs.iter().find(|(s, _)| *s == StatusCode::OK).unwrap();
        assert_eq!(r.json["data"]["name"], winner.1["data"]["name"], "the stored save is the one answered 200");

        // Without expected_version (Talkstack's update), concurrent saves all land, none lost.
        let rs = race(&app, |i| (Method::PUT, format!("/api/v1/agents/{id}"), Some(json!({"name": format!("Unversioned {i}")})), auth.clone())).await;
        no_server_errors("unversioned saves", &rs);
        let ok = count(&rs, 200);
        let r = send(&app, Method::GET, &format!("/api/v1/agents/{id}"), None, &auth).await;
        assert_eq!(r.json["data"]["version"].as_i64().unwrap(), 2 + ok as i64, "each 200 is one version: {rs:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_number_answers_for_one_inbound_agent_under_races() {
    for app in apps().await {
        eprintln!("-- on {}", app.backend);
        let (_, auth) = user(&app, "owner@x.co").await;
        let project = create_project(&app, &auth, "Inbound").await;
        let n1 = number(&app, &auth, &project, "+14155550101").await;
        let n2 = number(&app, &auth, &project, "+14155550102").await;
        let n3 = number(&app, &auth, &project, "+14155550103").await;
        let mut agents = Vec::new();
        for i in 0..RACERS {
            agents.push(agent(&app, &auth, &project, &format!("A{i}"), "outbound").await);
        }

        // Calling settings: every agent claims n1 as inbound at once.
        let rs =
            race(&app, |i| (Method::PUT, format!("/api/v1/agents/{}/calling", agents[i]), Some(json!({"direction": "inbound", "phone_number_ids": [n1]})), auth.clone()))
                .await;
        no_server_errors("calling settings", &rs);
        assert_eq!(count(&rs, 200), 1, "{rs:?}");
        assert_eq!(count(&rs, 409), RACERS - 1);
        assert_eq!(inbound_holders(&app, &auth, &n1).await, 1);

        // /assign: the (now inbound) losers and the winner all grab n2 at once.
        let rs = race(&app, |i| (Method::POST, format!("/api/v1/phone-numbers/{n2}/assign"), Some(json!({"agent_id": agents[i]})), auth.clone())).await;
        no_server_errors("assign", &rs);
        let inbound_now = inbound_holders(&app, &auth, &n2).await;
        assert!(inbound_now <= 1, "{inbound_now} inbound agents hold n2: {rs:?}");

        // Direction switch: outbound agents sharing n3 all turn inbound at once.
        let mut shared = Vec::new();
        for i in 0..RACERS {
            let id = agent(&app, &auth, &project, &format!("S{i}"), "outbound").await;
            let r = send(&app, Method::POST, &format!("/api/v1/phone-numbers/{n3}/assign"), Some(json!({"agent_id": id})), &auth).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            shared.push(id);
        }
        let rs = race(&app, |i| (Method::PUT, format!("/api/v1/agents/{}", shared[i]), Some(json!({"direction": "inbound"})), auth.clone())).await;
        no_server_errors("direction switch", &rs);
        assert_eq!(count(&rs, 200), 1, "{rs:?}");
        assert_eq!(inbound_holders(&app, &auth, &n3).await, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unique_names_and_numbers_answer_409_not_500() {
    for app in apps().await {
        eprintln!("-- on {}", app.backend);
        let (_, auth) = user(&app, "owner@x.co").await;

        for (label, path) in [("talkstack", "/api/project/create-project"), ("v1", "/api/v1/projects")] {
            let name = format!("Same name {label}");
            let rs = race(&app, |_| (Method::POST, path.to_string(), Some(json!({"name": name, "description": "d"})), auth.clone())).await;
            no_server_errors(label, &rs);
            let created = rs.iter().filter(|(s, _)| s.is_success()).count();
            assert_eq!(created, 1, "{label}: {rs:?}");
            // Every loser gets the answer a sequential duplicate gets (Talkstack: 400, v1: 409).
            let losers: Vec<_> = rs.iter().filter(|(s, _)| !s.is_success()).collect();
            assert!(losers.iter().all(|l| l == &losers[0]), "{label}: {losers:?}");
            assert!(matches!(losers[0].0.as_u16(), 400 | 409), "{label}: {losers:?}");
            let sequential = send(&app, Method::POST, path, Some(json!({"name": name, "description": "d"})), &auth).await;
            assert_eq!((sequential.status, &sequential.json), (losers[0].0, &losers[0].1), "{label}");
            let text = losers[0].1.to_string();
            assert!(text.contains("already have a project with this name"), "{label}: {text}");
        }

        // One number, raced into 20 different projects (v1) and into one project (Talkstack add-number).
        let mut projects = Vec::new();
        for i in 0..RACERS {
            projects.push(create_project(&app, &auth, &format!("N{i}")).await);
        }
        let rs = race(&app, |i| (Method::POST, "/api/v1/phone-numbers".into(), Some(json!({"project_id": projects[i], "number": "+14155550199"})), auth.clone())).await;
        no_server_errors("numbers", &rs);
        assert_eq!((count(&rs, 201), count(&rs, 409)), (1, RACERS - 1), "{rs:?}");
        for (_, body) in rs.iter().filter(|(s, _)| *s == StatusCode::CONFLICT) {
            assert!(body["error"]["message"].as_str().unwrap().contains("+14155550199 is already in use in another project"), "{body}");
        }

        let a = agent(&app, &auth, &projects[1], "Adder", "outbound").await;
        let rs = race(&app, |_| {
            (Method::POST, "/api/phone-number/add-number".into(), Some(json!({"projectId": projects[1], "agentId": a, "e164": "+14155550198"})), auth.clone())
        })
        .await;
        no_server_errors("add-number", &rs);
        // Sequentially the second call finds the number in the project and reuses it; a race
        // answers the same.
        assert_eq!(count(&rs, 200), RACERS, "{rs:?}");
        let r = send(&app, Method::GET, &format!("/api/v1/phone-numbers?project_id={}", projects[1]), None, &auth).await;
        // (The number raced above may have landed in this project too: count only this one.)
        let held = r.json["data"].as_array().unwrap().iter().filter(|n| n["number"] == "+14155550198").count();
        assert_eq!(held, 1, "{}", r.text);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_change_published_on_one_process_is_seen_on_another() {
    use talkdeck::server::feed::{publish, Change};
    for backend in common::backends() {
        eprintln!("-- on {backend}");
        let a = TestApp::new(backend).await;
        let b = a.sibling().await;
        a.state.feed.start(&a.state.db, &a.url);
        b.state.feed.start(&b.state.db, &b.url);
        // Let the listeners attach (LISTEN) / the pollers take their starting point.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let mut on_b = b.state.feed.subscribe();
        let mut on_a = a.state.feed.subscribe();

        let rolled_back = Change { project_id: "p".into(), kind: "call".into(), id: "never".into(), data: json!(null) };
        let mut tx = a.state.db.begin_write().await.unwrap();
        publish(&mut tx, a.state.db.backend(), &rolled_back).await.unwrap();
        tx.rollback().await.unwrap();

        let change = Change { project_id: "p".into(), kind: "call".into(), id: "c1".into(), data: json!({"status": "ringing"}) };
        let mut tx = a.state.db.begin_write().await.unwrap();
        publish(&mut tx, a.state.db.backend(), &change).await.unwrap();
        tx.commit().await.unwrap();

        for (who, rx) in [("other process", &mut on_b), ("same process", &mut on_a)] {
            let got = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv()).await.expect(who).expect(who);
            assert_eq!(got, change, "{who} sees the committed change, not the rolled-back one");
        }
    }
}

/// A draft batch of `rows` rows for a fresh project's outbound agent.
async fn batch_draft(app: &TestApp, auth: &Auth, tag: &str, rows: usize) -> String {
    let project = create_project(app, auth, tag).await;
    let agent = common::outbound_agent(app, auth, &project, "+14155550100").await;
    let mut csv = String::from("number,name,topic\n");
    for x in (220..1000).filter(|n| n % 100 != 11).take(rows) {
        csv.push_str(&format!("+1415{x}2671,P{x},solar\n"));
    }
    let r =
        common::send_multipart(app, "/api/v1/batches", &[("project_id", &project), ("agent_id", &agent), ("name", tag)], Some(("file", "p.csv", csv.as_bytes())), auth)
            .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json["data"]["id"].as_str().unwrap().to_string()
}

async fn audit_count(app: &TestApp, batch: &str, action: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(&format!("SELECT COUNT(*) AS n FROM audit_log WHERE action = '{action}' AND target = '{batch}'"))
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
        .get::<i64, _>("n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn batch_start_pause_resume_cancel_race_to_one_winner_each() {
    for app in apps().await {
        eprintln!("-- on {}", app.backend);
        let (_, auth) = user(&app, "batcher@x.co").await;
        let id = batch_draft(&app, &auth, "Race batch", 30).await;
        let op = |verb: &'static str| {
            let (id, auth) = (id.clone(), auth.clone());
            move |_| (Method::POST, format!("/api/v1/batches/{id}/{verb}"), Some(json!({})), auth.clone())
        };
        for (verb, status, action) in [("start", "running", "batch.started"), ("pause", "paused", "batch.paused"), ("resume", "running", "batch.resumed")] {
            let rs = race(&app, op(verb)).await;
            no_server_errors(verb, &rs);
            assert_eq!((count(&rs, 200), count(&rs, 409)), (1, RACERS - 1), "{verb}: {rs:?}");
            let winner = rs.iter().find(|(s, _)| *s == StatusCode::OK).unwrap();
            assert_eq!(winner.1["data"]["status"], status, "{verb}");
            assert_eq!(audit_count(&app, &id, action).await, 1, "{verb}: one audit entry");
        }
        // Pause and cancel at once: cancel always lands once (a paused batch can be canceled),
        // and nothing ends half-done.
        let rs = race(&app, |i| {
            let verb = if i % 2 == 0 { "pause" } else { "cancel" };
            (Method::POST, format!("/api/v1/batches/{id}/{verb}"), Some(json!({})), auth.clone())
        })
        .await;
        no_server_errors("pause/cancel", &rs);
        let canceled = rs.iter().filter(|(s, b)| *s == StatusCode::OK && b["data"]["status"] == "canceled").count();
        assert_eq!(canceled, 1, "{rs:?}");
        assert_eq!(audit_count(&app, &id, "batch.canceled").await, 1);
        let r = send(&app, Method::GET, &format!("/api/v1/batches/{id}"), None, &auth).await;
        assert_eq!(r.json["data"]["status"], "canceled", "{}", r.text);
        assert_eq!(r.json["data"]["progress"]["waiting"], 0, "{}", r.text);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn webhook_endpoint_races_one_winner_and_one_status_endpoint() {
    for app in apps().await {
        eprintln!("-- on {}", app.backend);
        let (_, auth) = user(&app, "hooks@x.co").await;
        let project = create_project(&app, &auth, "Hook race").await;
        let r = send(&app, Method::POST, "/api/v1/webhook-endpoints", Some(json!({"project_id": project, "url": "https://example.com/h"})), &auth).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let ep = r.json["data"]["id"].as_str().unwrap().to_string();
        // Twenty edits of version 1: one lands.
        let rs = race(&app, |i| {
            (Method::PATCH, format!("/api/v1/webhook-endpoints/{ep}"), Some(json!({"description": format!("d{i}"), "expected_version": 1})), auth.clone())
        })
        .await;
        no_server_errors("endpoint edits", &rs);
        assert_eq!((count(&rs, 200), count(&rs, 409)), (1, RACERS - 1), "{rs:?}");
        // Twenty rotations at once: each one that answers 200 is a secret that signs; none is 500.
        let rs = race(&app, |_| (Method::POST, format!("/api/v1/webhook-endpoints/{ep}/rotate-secret"), None, auth.clone())).await;
        no_server_errors("rotations", &rs);
        assert!(count(&rs, 200) >= 1, "{rs:?}");
        let r = send(&app, Method::GET, &format!("/api/v1/webhook-endpoints/{ep}/secret"), None, &auth).await;
        let stored = r.json["data"]["secret"].as_str().unwrap().to_string();
        assert!(rs.iter().any(|(s, b)| *s == StatusCode::OK && b["data"]["secret"] == stored.as_str()), "the stored secret is one that was answered");
        // Twenty status webhook settings at once: one status endpoint.
        let rs = race(&app, |i| {
            (
                Method::POST,
                "/api/project/call-status/add-webhookurl".to_string(),
                Some(json!({"projectId": project, "webhookURL": format!("https://example.com/s{i}")})),
                auth.clone(),
            )
        })
        .await;
        no_server_errors("status webhooks", &rs);
        let r = send(&app, Method::GET, &format!("/api/v1/webhook-endpoints?project_id={project}"), None, &auth).await;
        let status: Vec<&Value> = r.json["data"].as_array().unwrap().iter().filter(|e| e["is_status"] == true).collect();
        assert_eq!(status.len(), 1, "{}", r.text);
        let p = send(&app, Method::GET, &format!("/api/v1/projects/{project}"), None, &auth).await;
        assert_eq!(status[0]["url"], p.json["data"]["call_status_webhook"], "the endpoint follows the setting");
    }
}
