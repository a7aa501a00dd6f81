//! Calls on the simulator, end to end through the APIs: seed 003, variables, every magic number,
//! idempotency (also under concurrency), the concurrency limit, cancel, the reconciler and access.
//! Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.

#[macro_use]
mod common;

use common::{create_project, send, user, Auth, TestApp};
use http::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

const FROM: &str = "+14155550100";

/// A project with an outbound agent that has `{{name}}` and `{{topic}}` and one number.
async fn setup(app: &TestApp, tag: &str) -> (Auth, String, String) {
    let (_, owner) = user(app, &format!("{tag}@calls.co")).await;
    let p = create_project(app, &owner, tag).await;
    let r = send(
        app,
        Method::POST,
        "/api/v1/agents",
        Some(json!({"project_id": p, "name": "Ava", "system_prompt": "You are an agent called {{name}}. Ask about their {{topic}} and their budget.",
            "first_message": "Hi, this is {{name}} calling about {{topic}}.", "direction": "outbound"})),
        &owner,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let agent = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(app, Method::POST, "/api/v1/phone-numbers", Some(json!({"project_id": p, "number": FROM})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let n = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(app, Method::PUT, &format!("/api/v1/agents/{agent}/calling"), Some(json!({"direction": "outbound", "phone_number_ids": [n]})), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    (owner, p, agent)
}

fn vars() -> Value {
    json!({"name": "John", "topic": "solar panels"})
}

async fn place(app: &TestApp, auth: &Auth, agent: &str, to: &str) -> String {
    let r = send(app, Method::POST, &format!("/api/v1/agents/{agent}/call"), Some(json!({"to": to, "payload": vars()})), auth).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json["data"]["status"], "queued", "{}", r.text);
    r.json["data"]["id"].as_str().unwrap().to_string()
}

/// Runs jobs until the call is finished (the tests' clock runs 1000 times faster).
async fn finish(app: &TestApp, auth: &Auth, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        app.run_jobs().await;
        let r = send(app, Method::GET, &format!("/api/v1/calls/{id}"), None, auth).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let status = r.json["data"]["status"].as_str().unwrap_or("").to_string();
        if ["completed", "busy", "no-answer", "failed", "canceled"].contains(&status.as_str()) {
            app.run_jobs().await; // the analysis
            return send(app, Method::GET, &format!("/api/v1/calls/{id}"), None, auth).await.json["data"].clone();
        }
        assert!(Instant::now() < deadline, "call {id} still {status}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn statuses(app: &TestApp, auth: &Auth, id: &str) -> Vec<String> {
    let r = send(app, Method::GET, &format!("/api/v1/calls/{id}/events"), None, auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json["data"].as_array().unwrap().iter().map(|e| e["status"].as_str().unwrap().to_string()).collect()
}

on_both!(seed_003_make_call_then_read_it_back, |app| {
    let (owner, p, agent) = setup(&app, "seed3").await;
    let body = json!({"number": "+1 (415) 555-2671", "projectId": p, "agentId": agent, "dynamicVariables": vars()});
    let r = send(&app, Method::POST, "/api/call/makeCall", Some(body), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let obj = r.json.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["call", "message", "status"], "{}", r.text);
    assert_eq!(r.json["message"], "call made successfully.");
    assert_eq!(r.json["status"], "success");
    let call = r.json["call"].as_object().unwrap();
    let mut keys: Vec<&str> = call.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["call_id", "from", "to"]);
    assert_eq!(r.json["call"]["to"], "+14155552671");
    assert_eq!(r.json["call"]["from"], FROM);
    let id = r.json["call"]["call_id"].as_str().unwrap().to_string();

    let done = finish(&app, &owner, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["is_test"], true);
    assert_eq!(done["variables"]["name"], "John");
    let first = &done["transcript"].as_array().unwrap()[0];
    assert_eq!(first["role"], "agent", "{done}");
    assert_eq!(first["text"], "Hi, this is John calling about solar panels.");
    assert!(done["analysis"]["version"] == 1, "{done}");

    let r = send(&app, Method::POST, "/api/call", Some(json!({"sid": id, "projectId": p})), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["data"]["callSid"], id.as_str());
    assert_eq!(r.json["data"]["status"], "completed");
    assert!(r.json["data"]["transcript"].as_array().is_some_and(|t| t.len() >= 2), "{}", r.text);
    assert!(r.json["data"]["date"].as_str().is_some_and(|d| d.contains("GMT") || d.contains("+0000")), "{}", r.text);
    // Another project's id: not found.
    let (_, stranger) = user(&app, "stranger@calls.co").await;
    let q = create_project(&app, &stranger, "Elsewhere").await;
    let r = send(&app, Method::POST, "/api/call", Some(json!({"sid": id, "projectId": q})), &stranger).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
});

on_both!(missing_variables_and_bad_requests_are_refused, |app| {
    let (owner, p, agent) = setup(&app, "vars").await;
    let r = send(
        &app,
        Method::POST,
        "/api/call/makeCall",
        Some(json!({"number": "+14155552671", "projectId": p, "agentId": agent, "dynamicVariables": {"name": "J"}})),
        &owner,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("topic"), "{}", r.text);
    let r = send(&app, Method::POST, "/api/call/makeCall", Some(json!({"projectId": p, "agentId": agent})), &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("number"), "{}", r.text);
    let r = send(&app, Method::POST, &format!("/api/v1/agents/{agent}/call"), Some(json!({"to": "not a number", "payload": vars()})), &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let r = send(&app, Method::POST, &format!("/api/v1/agents/{agent}/call"), Some(json!({"to": "+14155552671", "payload": vars(), "delay_seconds": -1})), &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let r = send(&app, Method::POST, &format!("/api/v1/agents/{agent}/call"), Some(json!({"to": "+14155552671", "payload": vars(), "context": [1]})), &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    // An agent without numbers cannot call.
    let r = send(&app, Method::POST, "/api/v1/agents", Some(json!({"project_id": p, "name": "Lonely", "direction": "outbound"})), &owner).await;
    let lonely = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(&app, Method::POST, &format!("/api/v1/agents/{lonely}/call"), Some(json!({"to": "+14155552671"})), &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("no phone number"), "{}", r.text);
    // Nothing was placed by any of these.
    let r = send(&app, Method::GET, &format!("/api/v1/calls?project_id={p}"), None, &owner).await;
    assert_eq!(r.json["data"].as_array().map(Vec::len), Some(0), "{}", r.text);
});

on_both!(every_magic_number_has_its_outcome, |app| {
    let (owner, _p, agent) = setup(&app, "magic").await;
    let table = [
        ("0001", "busy", "dial_busy", false),
        ("0002", "no-answer", "dial_no_answer", false),
        ("0003", "failed", "invalid_destination", false),
        ("0004", "completed", "voicemail_reached", true),
        ("0005", "completed", "max_duration_reached", true),
        ("0006", "completed", "user_hangup", true),
    ];
    for (suffix, status, reason, answered) in table {
        let id = place(&app, &owner, &agent, &format!("+1415555{suffix}")).await;
        let done = finish(&app, &owner, &id).await;
        assert_eq!(done["status"], status, "{suffix}: {done}");
        assert_eq!(done["end_reason"], reason, "{suffix}: {done}");
        let segments = done["transcript"].as_array().map(Vec::len).unwrap_or(0);
        assert_eq!(segments > 0, answered, "{suffix}: {done}");
        if suffix == "0004" {
            assert_eq!(done["answered_by"], "machine", "{done}");
        }
        let seen = statuses(&app, &owner, &id).await;
        assert_eq!(seen.first().map(String::as_str), Some("queued"), "{suffix}: {seen:?}");
        assert_eq!(seen.last().map(String::as_str), Some(status), "{suffix}: {seen:?}");
        let order = ["queued", "initiated", "ringing", "in-progress"];
        let ranks: Vec<usize> = seen.iter().map(|s| order.iter().position(|o| o == s).unwrap_or(9)).collect();
        assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{suffix}: not forward: {seen:?}");
    }
    // Anything else: a conversation.
    let id = place(&app, &owner, &agent, "+14155559876").await;
    let done = finish(&app, &owner, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert!(["agent_hangup", "user_hangup"].contains(&done["end_reason"].as_str().unwrap()), "{done}");
    // At least the greeting, a reply and the agent's answer (a caller persona may hang up then).
    assert!(done["transcript"].as_array().unwrap().len() >= 3, "{done}");
    assert!(done["duration_ms"].as_i64().unwrap() > 0 && done["cost"].as_f64().unwrap() > 0.0, "{done}");
    // The duration is the conversation's (call time), not the faster wall clock it played on.
    let last_word = done["transcript"].as_array().unwrap().iter().filter_map(|s| s["end_ms"].as_i64()).max().unwrap();
    assert!(done["duration_ms"].as_i64().unwrap() >= last_word, "{done}");
});

on_both!(idempotency_keys_return_the_first_call, |app| {
    let (owner, p, agent) = setup(&app, "idem").await;
    let Auth::Bearer(token) = &owner else { unreachable!() };
    let path = format!("/api/v1/agents/{agent}/call");
    let post = |body: Value, key: &'static str| {
        let req = http::Request::builder()
            .method(Method::POST)
            .uri(&path)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .header("idempotency-key", key)
            .body(axum::body::Body::from(body.to_string()))
            .unwrap();
        app.request(req)
    };
    let body = json!({"to": "+14155552671", "payload": vars()});
    let a = post(body.clone(), "k-1").await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let b = post(body.clone(), "k-1").await;
    assert_eq!(b.status, StatusCode::OK, "{}", b.text);
    assert_eq!(a.json["data"]["id"], b.json["data"]["id"]);
    // A delayed call retried later is still the same request.
    let delayed = json!({"to": "+14155552671", "payload": vars(), "delay_seconds": 600});
    let d1 = post(delayed.clone(), "k-2").await;
    assert_eq!(d1.status, StatusCode::CREATED, "{}", d1.text);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let d2 = post(delayed, "k-2").await;
    assert_eq!(d2.status, StatusCode::OK, "{}", d2.text);
    assert_eq!(d1.json["data"]["id"], d2.json["data"]["id"]);
    let c = post(json!({"to": "+14155552672", "payload": vars()}), "k-1").await;
    assert_eq!(c.status.as_u16(), 422, "{}", c.text);
    assert_eq!(c.json["error"]["code"], "idempotency_key_reused");
    let r = send(&app, Method::GET, &format!("/api/v1/calls?project_id={p}"), None, &owner).await;
    assert_eq!(r.json["data"].as_array().map(Vec::len), Some(2), "{}", r.text);
});

on_both!(twenty_concurrent_requests_with_one_key_place_one_call, |app| {
    let (owner, p, agent) = setup(&app, "idemrace").await;
    let Auth::Bearer(token) = owner.clone() else { unreachable!() };
    let app = Arc::new(app);
    let barrier = Arc::new(tokio::sync::Barrier::new(20));
    let mut handles = Vec::new();
    for _ in 0..20 {
        let (app, barrier, token, agent) = (app.clone(), barrier.clone(), token.clone(), agent.clone());
        handles.push(tokio::spawn(async move {
            let req = http::Request::builder()
                .method(Method::POST)
                .uri(format!("/api/v1/agents/{agent}/call"))
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {token}"))
                .header("idempotency-key", "race-key")
                .body(axum::body::Body::from(json!({"to": "+14155552671", "payload": vars()}).to_string()))
                .unwrap();
            barrier.wait().await;
            let r = app.request(req).await;
            (r.status, r.json["data"]["id"].as_str().map(str::to_string))
        }));
    }
    let mut ids = std::collections::HashSet::new();
    for h in handles {
        let (status, id) = h.await.unwrap();
        assert!(status == StatusCode::CREATED || status == StatusCode::OK, "{status}");
        ids.insert(id.expect("a call id"));
    }
    assert_eq!(ids.len(), 1, "{ids:?}");
    let r = send(&app, Method::GET, &format!("/api/v1/calls?project_id={p}"), None, &owner).await;
    assert_eq!(r.json["data"].as_array().map(Vec::len), Some(1), "{}", r.text);
});

on_both!(the_concurrency_limit_is_never_exceeded, |app| {
    let (owner, p, agent) = setup(&app, "limit").await;
    let r = send(&app, Method::PUT, &format!("/api/v1/projects/{p}"), Some(json!({"max_concurrent_calls": 3})), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["data"]["max_concurrent_calls"], 3);
    let r = send(&app, Method::PUT, &format!("/api/v1/projects/{p}"), Some(json!({"max_concurrent_calls": 0})), &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let app = Arc::new(app);
    let mut handles = Vec::new();
    for i in 0..30 {
        let (app, owner, agent) = (app.clone(), owner.clone(), agent.clone());
        handles.push(tokio::spawn(async move { place(&app, &owner, &agent, &format!("+1415555{:04}", 7000 + i)).await }));
    }
    let mut ids = Vec::new();
    for h in handles {
        ids.push(h.await.unwrap());
    }
    // Drive everything to the end, checking the number of live calls between job runs too.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        app.run_jobs().await;
        let r = send(&app, Method::GET, &format!("/api/v1/calls?project_id={p}&limit=100"), None, &owner).await;
        let calls = r.json["data"].as_array().unwrap().clone();
        let live = calls.iter().filter(|c| ["initiated", "ringing", "in-progress"].contains(&c["status"].as_str().unwrap())).count();
        assert!(live <= 3, "{live} live calls");
        if calls.iter().all(|c| c["ended_at"].is_string()) {
            break;
        }
        assert!(Instant::now() < deadline, "calls still running");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // From the timestamps: at no moment were more than three calls between start and end.
    let mut spans = Vec::new();
    for id in &ids {
        let r = send(&app, Method::GET, &format!("/api/v1/calls/{id}/events"), None, &owner).await;
        let ev = r.json["data"].as_array().unwrap().clone();
        let at = |s: &str| ev.iter().find(|e| e["status"] == s).map(|e| e["at"].as_str().unwrap().to_string());
        let start = at("initiated").expect("started");
        let end = ev.last().unwrap()["at"].as_str().unwrap().to_string();
        spans.push((start, end));
    }
    for (s, _) in &spans {
        let overlapping = spans.iter().filter(|(a, b)| a <= s && s < b).count();
        assert!(overlapping <= 3, "{overlapping} calls live at {s}");
    }
});

on_both!(cancel_before_answer_only, |app| {
    let (owner, _p, agent) = setup(&app, "cancel").await;
    let r =
        send(&app, Method::POST, &format!("/api/v1/agents/{agent}/call"), Some(json!({"to": "+14155552671", "payload": vars(), "delay_seconds": 3600})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert!(r.json["data"]["scheduled_at"].is_string(), "{}", r.text);
    let id = r.json["data"]["id"].as_str().unwrap().to_string();
    app.run_jobs().await;
    let r = send(&app, Method::GET, &format!("/api/v1/calls/{id}"), None, &owner).await;
    assert_eq!(r.json["data"]["status"], "queued", "a call scheduled in an hour waits: {}", r.text);
    let r = send(&app, Method::POST, &format!("/api/v1/calls/{id}/cancel"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["data"]["status"], "canceled");
    assert_eq!(r.json["data"]["end_reason"], "canceled");
    let r = send(&app, Method::POST, &format!("/api/v1/calls/{id}/cancel"), None, &owner).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let done = finish(&app, &owner, &place(&app, &owner, &agent, "+14155552671").await).await;
    let r = send(&app, Method::POST, &format!("/api/v1/calls/{}/cancel", done["id"].as_str().unwrap()), None, &owner).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_left_live_is_ended_by_the_reconciler() {
    for backend in common::backends() {
        // Real time: the call is still ringing when its runner is lost.
        let app = TestApp::with_config(backend, |c| c.simulator_time_scale = 1.0).await;
        let (owner, _p, agent) = setup(&app, "recon").await;
        let id = place(&app, &owner, &agent, "+14155552671").await;
        app.run_jobs().await;
        let before = send(&app, Method::GET, &format!("/api/v1/calls/{id}"), None, &owner).await;
        assert!(["initiated", "ringing"].contains(&before.json["data"]["status"].as_str().unwrap()), "{}", before.text);
        // The runner is lost (as after a crash that lost its steps) and the deadline passes.
        let mut tx = app.state.db.begin_write().await.unwrap();
        sqlx::query("DELETE FROM jobs WHERE kind = 'call.step'").execute(&mut *tx).await.unwrap();
        sqlx::query("UPDATE jobs SET run_at = 0 WHERE kind = 'call.reconcile' AND state = 'pending'").execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        app.run_jobs().await;
        let r = send(&app, Method::GET, &format!("/api/v1/calls/{id}"), None, &owner).await;
        assert_eq!(r.json["data"]["status"], "failed", "{}", r.text);
        assert_eq!(r.json["data"]["end_reason"], "internal_error", "{}", r.text);
        assert!(r.json["data"]["ended_at"].is_string(), "{}", r.text);
        assert_eq!(statuses(&app, &owner, &id).await.last().map(String::as_str), Some("failed"));
    }
}

on_both!(calls_follow_project_access, |app| {
    let t = common::team(&app, "callteam").await;
    // team(): owner, admin, member, viewer, outsider, ...: see tests/common.
    let owner = &t.auths[0];
    let r = send(&app, Method::POST, "/api/v1/agents", Some(json!({"project_id": t.project, "name": "A", "direction": "outbound"})), owner).await;
    let agent = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(&app, Method::POST, "/api/v1/phone-numbers", Some(json!({"project_id": t.project, "number": "+14155550177"})), owner).await;
    let n = r.json["data"]["id"].as_str().unwrap().to_string();
    send(&app, Method::PUT, &format!("/api/v1/agents/{agent}/calling"), Some(json!({"direction": "outbound", "phone_number_ids": [n]})), owner).await;
    let id = place(&app, owner, &agent, "+14155552671").await;
    let mut got = Vec::new();
    for au in &t.auths {
        got.push(send(&app, Method::POST, &format!("/api/v1/agents/{agent}/call"), Some(json!({"to": "+14155552671"})), au).await.status);
    }
    common::check("v1 place call", &got, [201, 201, 201, 403, 404, 404]);
    let mut got = Vec::new();
    for au in &t.auths {
        got.push(send(&app, Method::GET, &format!("/api/v1/calls/{id}"), None, au).await.status);
    }
    common::check("v1 get call", &got, [200, 200, 200, 200, 404, 404]);
});

async fn list(app: &TestApp, auth: &Auth, p: &str, q: impl AsRef<str>) -> (StatusCode, Vec<Value>) {
    let r = send(app, Method::GET, &format!("/api/v1/calls?project_id={p}&{}", q.as_ref()), None, auth).await;
    (r.status, r.json["data"].as_array().cloned().unwrap_or_default())
}

on_both!(history_filters_cursors_and_the_talkstack_call_surface, |app| {
    let (owner, p, agent) = setup(&app, "hist").await;
    let mut ids = Vec::new();
    for to in ["+14155550001", "+14155550002", "+14155559001", "+14155559002", "+14155559003"] {
        let id = place(&app, &owner, &agent, to).await;
        finish(&app, &owner, &id).await;
        ids.push(id);
    }
    assert_eq!(list(&app, &owner, &p, "status=busy").await.1.len(), 1);
    assert_eq!(list(&app, &owner, &p, "end_reason=dial_no_answer").await.1.len(), 1);
    assert_eq!(list(&app, &owner, &p, "to=%2B14155559001").await.1[0]["id"], ids[2].as_str());
    assert_eq!(list(&app, &owner, &p, format!("agent_id={agent}&direction=outbound&is_test=true")).await.1.len(), 5);
    assert_eq!(list(&app, &owner, &p, "created_after=2000-01-01").await.1.len(), 5);
    assert_eq!(list(&app, &owner, &p, "created_before=2000-01-01T00:00:00Z").await.1.len(), 0);
    assert_eq!(list(&app, &owner, &p, "min_duration_ms=1").await.1.len(), 3, "busy and no-answer last 0 ms");
    for bad in ["status=sideways", "end_reason=bored", "created_after=yesterday", "min_duration_ms=-1", "to=abc"] {
        assert_eq!(list(&app, &owner, &p, bad).await.0, StatusCode::BAD_REQUEST, "{bad}");
    }
    // A cursor walk while a new call arrives: every call once, none twice, the new one not mixed in.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let r = send(&app, Method::GET, &format!("/api/v1/calls?project_id={p}&limit=2&cursor={cursor}"), None, &owner).await;
        seen.extend(r.json["data"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()));
        if seen.len() == 2 {
            place(&app, &owner, &agent, "+14155557777").await;
        }
        match r.json["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    let mut expected = ids.clone();
    expected.reverse();
    assert_eq!(seen, expected);

    // Talkstack history: pages of pageSize with nextCursor, and the query filters.
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let body = json!({"projectId": p, "pageSize": 2, "cursor": cursor});
        let r = send(&app, Method::POST, "/api/call/get-call-history", Some(body), &owner).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        all.extend(r.json["data"].as_array().unwrap().iter().map(|c| c["callSid"].as_str().unwrap().to_string()));
        match r.json["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(all.len(), 6, "{all:?}");
    let r = send(&app, Method::POST, "/api/call/get-call-history?status=busy&startTimeAfter=2000-01-01", Some(json!({"projectId": p})), &owner).await;
    assert_eq!(r.json["data"].as_array().map(Vec::len), Some(1), "{}", r.text);
    let r = send(&app, Method::POST, "/api/call/get-call-history", Some(json!({"projectId": p, "pageSize": 0})), &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);

    // Talkstack analysis: typed ad-hoc questions answered, stored as a new version.
    let questions = json!([
        {"question": "Did the caller agree to a follow-up?", "type": "Boolean"},
        {"question": "Which plan?", "type": "Selector", "options": ["Basic", "Premium"]},
        {"question": "How many people?", "type": "Number"},
    ]);
    let r = send(&app, Method::POST, "/api/call/analysis", Some(json!({"sid": ids[2], "questions": questions})), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["data"]["version"], 2, "{}", r.text);
    let answers = r.json["data"]["customAnalysisData"].as_array().unwrap();
    assert_eq!(answers.len(), 3, "{}", r.text);
    assert!(answers[0]["answer"].is_null() || ["Yes", "No"].contains(&answers[0]["answer"].as_str().unwrap_or("")), "{}", r.text);
    assert!(answers[1]["answer"].is_null() || ["Basic", "Premium"].contains(&answers[1]["answer"].as_str().unwrap_or("")), "{}", r.text);
    let bad = json!([{"question": "Pick", "type": "Selector", "options": ["Only"]}]);
    let r = send(&app, Method::POST, "/api/call/analysis", Some(json!({"sid": ids[2], "questions": bad})), &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let r = send(&app, Method::POST, &format!("/api/v1/calls/{}/analysis", ids[2]), Some(json!({})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json["data"]["version"], 3, "{}", r.text);
});

on_both!(a_test_inbound_call_reaches_the_numbers_inbound_agent, |app| {
    let (owner, p, _outbound) = setup(&app, "inbound").await;
    let r = send(&app, Method::POST, "/api/v1/phone-numbers", Some(json!({"project_id": p, "number": "+14155550123"})), &owner).await;
    let n = r.json["data"]["id"].as_str().unwrap().to_string();
    // No inbound agent yet: refused, nothing placed.
    let r = send(&app, Method::POST, &format!("/api/v1/phone-numbers/{n}/test-call"), Some(json!({})), &owner).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let r = send(
        &app,
        Method::POST,
        "/api/v1/agents",
        Some(json!({"project_id": p, "name": "Desk", "first_message": "Thanks for calling {{company}}.", "direction": "inbound"})),
        &owner,
    )
    .await;
    let desk = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{desk}/calling"), Some(json!({"direction": "inbound", "phone_number_ids": [n]})), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = send(&app, Method::POST, &format!("/api/v1/phone-numbers/{n}/test-call"), Some(json!({"payload": {}})), &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "missing variable: {}", r.text);
    let r = send(&app, Method::POST, &format!("/api/v1/phone-numbers/{n}/test-call"), Some(json!({"payload": {"company": "Acme"}})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json["data"]["direction"], "inbound");
    assert_eq!(r.json["data"]["to"], "+14155550123");
    assert_eq!(r.json["data"]["agent_id"], desk.as_str());
    let done = finish(&app, &owner, r.json["data"]["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert!(done["transcript"].as_array().unwrap().iter().any(|s| s["text"] == "Thanks for calling Acme."), "{done}");
    // The caller's last four digits pick the outcome.
    let r =
        send(&app, Method::POST, &format!("/api/v1/phone-numbers/{n}/test-call"), Some(json!({"from": "+14155550001", "payload": {"company": "Acme"}})), &owner).await;
    let done = finish(&app, &owner, r.json["data"]["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "busy", "{done}");
});

on_both!(the_call_stream_tells_of_each_change, |app| {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let (owner, p, agent) = setup(&app, "stream").await;
    app.state.feed.start(&app.state.db, &app.url);
    let Auth::Bearer(token) = &owner else { unreachable!() };
    let req = http::Request::builder()
        .uri(format!("/api/v1/calls/stream?project_id={p}"))
        .header("authorization", format!("Bearer {token}"))
        .extension(axum::extract::ConnectInfo(std::net::SocketAddr::from(([127, 0, 0, 1], 40000))))
        .body(axum::body::Body::empty())
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut body = res.into_body();
    // The listener may take a moment to connect on PostgreSQL: place calls until one is heard.
    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut placed = Vec::new();
    while !placed.iter().any(|id: &String| text.contains(id.as_str())) {
        assert!(Instant::now() < deadline, "no call event in: {text}");
        placed.push(place(&app, &owner, &agent, "+14155552671").await);
        if let Ok(Some(Ok(frame))) = tokio::time::timeout(Duration::from_millis(1500), body.frame()).await {
            if let Some(d) = frame.data_ref() {
                text.push_str(&String::from_utf8_lossy(d));
            }
        }
    }
    assert!(text.contains("event: call"), "{text}");
    assert!(text.contains("\"status\":\"queued\""), "{text}");
    // Another project's stream is not the caller's to read.
    let (_, stranger) = user(&app, "stream-stranger@calls.co").await;
    let r = send(&app, Method::GET, &format!("/api/v1/calls/stream?project_id={p}"), None, &stranger).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
});
