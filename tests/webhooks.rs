//! Outgoing webhooks through the v1 API against a local receiver: retries with one id and valid
//! signatures, 410 disabling the endpoint, secret rotation signing with both secrets, the SSRF
//! guard (a name resolving to loopback, a redirect), events committed with their change (and a
//! rolled-back change sending nothing), a call's events in order with the v1 objects, pending
//! deliveries surviving a restart, the project's status webhook, and who may do what. Runs on
//! SQLite and, with TEST_DATABASE_URL, on PostgreSQL.

#[macro_use]
mod common;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxStatus};
use axum::response::IntoResponse;
use common::{create_project, send, user, Auth, TestApp};
use http::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use talkdeck::server::webhooks::signing::{header_verifies, Secret};

/// What a receiver got: the webhook headers and the body.
#[derive(Clone, Debug)]
struct Got {
    id: String,
    timestamp: i64,
    signature: String,
    body: String,
}

impl Got {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    fn verifies(&self, secret: &str) -> bool {
        header_verifies(&Secret::parse(secret).unwrap(), &self.signature, &self.id, self.timestamp, self.body.as_bytes())
    }
}

#[derive(Default)]
struct Inner {
    got: Vec<Got>,
    /// Answers to give, in order; then 204.
    script: Vec<(u16, Option<String>)>,
}

/// A local webhook receiver.
#[derive(Clone, Default)]
struct Receiver(Arc<Mutex<Inner>>);

impl Receiver {
    async fn start(script: Vec<(u16, Option<String>)>) -> (Receiver, String) {
        let r = Receiver(Arc::new(Mutex::new(Inner { got: Vec::new(), script })));
        let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(r.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (r, format!("http://127.0.0.1:{port}/hook"))
    }

    fn got(&self) -> Vec<Got> {
        self.0.lock().unwrap().got.clone()
    }
}

async fn receive(State(r): State<Receiver>, h: HeaderMap, body: String) -> axum::response::Response {
    let header = |k: &str| h.get(k).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let mut inner = r.0.lock().unwrap();
    inner.got.push(Got {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp").parse().unwrap_or(0),
        signature: header("webhook-signature"),
        body,
    });
    let (status, location) = if inner.script.is_empty() { (204, None) } else { inner.script.remove(0) };
    let status = AxStatus::from_u16(status).unwrap();
    match location {
        Some(l) => (status, [("location", l)], "moved").into_response(),
        None => (status, "ok").into_response(),
    }
}

async fn setup(app: &TestApp, tag: &str) -> (Auth, String) {
    let (_, owner) = user(app, &format!("{tag}@hooks.co")).await;
    let p = create_project(app, &owner, tag).await;
    (owner, p)
}

/// Creates an endpoint; returns its id and secret.
async fn endpoint(app: &TestApp, auth: &Auth, p: &str, url: &str, events: Value) -> (String, String) {
    let r = send(app, Method::POST, "/api/v1/webhook-endpoints", Some(json!({"project_id": p, "url": url, "events": events, "description": "test"})), auth).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let secret = r.json["data"]["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    (r.json["data"]["id"].as_str().unwrap().to_string(), secret)
}

async fn test_event(app: &TestApp, auth: &Auth, ep: &str) -> String {
    let r = send(app, Method::POST, &format!("/api/v1/webhook-endpoints/{ep}/test"), None, auth).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    r.json["data"]["id"].as_str().unwrap().to_string()
}

/// Moves time past every scheduled retry and runs what is due.
async fn later(app: &TestApp, ms: i64) {
    app.state.clock.advance(ms);
    sqlx::query("UPDATE jobs SET run_at = 0 WHERE state = 'pending'").execute(app.state.db.pool()).await.unwrap();
    app.run_jobs().await;
}

async fn delivery(app: &TestApp, auth: &Auth, ep: &str, id: &str) -> Value {
    let r = send(app, Method::GET, &format!("/api/v1/webhook-endpoints/{ep}/deliveries/{id}"), None, auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json["data"].clone()
}

on_both!(a_failing_receiver_gets_the_same_signed_event_until_it_answers, |app| {
    let (owner, p) = setup(&app, "retry").await;
    let (rx, url) = Receiver::start(vec![(500, None), (503, None)]).await;
    let (ep, secret) = endpoint(&app, &owner, &p, &url, json!([])).await;
    let d = test_event(&app, &owner, &ep).await;
    app.run_jobs().await;
    assert_eq!(rx.got().len(), 1);
    let v = delivery(&app, &owner, &ep, &d).await;
    assert_eq!(
        (v["delivery"]["state"].as_str(), v["delivery"]["attempts"].as_i64(), v["delivery"]["last_status"].as_i64()),
        (Some("pending"), Some(1), Some(500)),
        "{v}"
    );
    assert!(common::is_rfc3339_ms(&v["delivery"]["next_attempt_at"]), "{v}");
    // Not before the retry is due.
    app.run_jobs().await;
    assert_eq!(rx.got().len(), 1);
    later(&app, 10_000).await;
    assert_eq!(rx.got().len(), 2);
    later(&app, 10 * 60_000).await;
    let got = rx.got();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|g| g.id == got[0].id && g.id.starts_with("msg_") && g.body == got[0].body), "one id and body on every attempt");
    assert!(got.iter().all(|g| g.verifies(&secret)), "every attempt is signed with the secret");
    assert!(!got[0].verifies("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"));
    assert_eq!(got[0].json()["type"], "webhook.test");
    assert_eq!(got[0].json()["id"], got[0].id.as_str());
    assert!(common::is_rfc3339_ms(&got[0].json()["timestamp"]));
    let v = delivery(&app, &owner, &ep, &d).await;
    assert_eq!(v["delivery"]["state"], "succeeded", "{v}");
    let codes: Vec<i64> = v["attempts"].as_array().unwrap().iter().map(|a| a["status_code"].as_i64().unwrap()).collect();
    assert_eq!(codes, vec![500, 503, 204]);
    assert_eq!(v["attempts"][0]["response_excerpt"], "ok");
    assert!(v["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["duration_ms"].as_i64().unwrap() >= 0 && common::is_rfc3339_ms(&a["attempted_at"])));
    // Nothing more is sent.
    later(&app, 24 * 3_600_000).await;
    assert_eq!(rx.got().len(), 3);
    let r = send(&app, Method::GET, &format!("/api/v1/webhook-endpoints/{ep}/deliveries?state=succeeded"), None, &owner).await;
    assert_eq!(r.json["data"].as_array().map(Vec::len), Some(1), "{}", r.text);
    let r = send(&app, Method::GET, &format!("/api/v1/webhook-endpoints/{ep}/deliveries?state=nope"), None, &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    // A replay sends the same event again.
    let r = send(&app, Method::POST, &format!("/api/v1/webhook-endpoints/{ep}/deliveries/{d}/replay"), None, &owner).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    app.run_jobs().await;
    let got = rx.got();
    assert_eq!((got.len(), &got[3].id), (4, &got[0].id));
});

on_both!(gone_disables_the_endpoint_and_replay_waits_for_it, |app| {
    let (owner, p) = setup(&app, "gone").await;
    let (rx, url) = Receiver::start(vec![(410, None)]).await;
    let (ep, _) = endpoint(&app, &owner, &p, &url, json!([])).await;
    let d = test_event(&app, &owner, &ep).await;
    app.run_jobs().await;
    let v = delivery(&app, &owner, &ep, &d).await;
    assert_eq!((v["delivery"]["state"].as_str(), v["delivery"]["last_status"].as_i64()), (Some("failed"), Some(410)), "{v}");
    let r = send(&app, Method::GET, &format!("/api/v1/webhook-endpoints/{ep}"), None, &owner).await;
    assert_eq!(r.json["data"]["enabled"], false, "{}", r.text);
    assert!(r.json["data"]["disabled_reason"].as_str().unwrap().contains("410"), "{}", r.text);
    // A disabled endpoint gets no events and no replays.
    let r = send(&app, Method::POST, &format!("/api/v1/webhook-endpoints/{ep}/test"), None, &owner).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let r = send(&app, Method::POST, &format!("/api/v1/webhook-endpoints/{ep}/replay"), Some(json!({"since": "2000-01-01T00:00:00Z"})), &owner).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    // Enabled again, everything failed since a time is replayed.
    let r = send(&app, Method::PATCH, &format!("/api/v1/webhook-endpoints/{ep}"), Some(json!({"enabled": true})), &owner).await;
    assert_eq!((r.status, r.json["data"]["enabled"].as_bool()), (StatusCode::OK, Some(true)), "{}", r.text);
    let r = send(&app, Method::POST, &format!("/api/v1/webhook-endpoints/{ep}/replay"), Some(json!({"since": "2000-01-01T00:00:00Z"})), &owner).await;
    assert_eq!((r.status, r.json["data"]["replayed"].as_i64()), (StatusCode::ACCEPTED, Some(1)), "{}", r.text);
    app.run_jobs().await;
    assert_eq!(rx.got().len(), 2);
    assert_eq!(delivery(&app, &owner, &ep, &d).await["delivery"]["state"], "succeeded");
    let r = send(&app, Method::POST, &format!("/api/v1/webhook-endpoints/{ep}/replay"), Some(json!({})), &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
});

on_both!(an_endpoint_failing_for_three_days_is_disabled_and_its_admins_are_mailed, |app| {
    let (owner, p) = setup(&app, "flaky").await;
    // Nothing listens on port 9 of loopback: every attempt fails.
    let (ep, _) = endpoint(&app, &owner, &p, "http://127.0.0.1:9/hook", json!([])).await;
    let d = test_event(&app, &owner, &ep).await;
    app.run_jobs().await;
    let r = send(&app, Method::GET, &format!("/api/v1/webhook-endpoints/{ep}"), None, &owner).await;
    assert!(common::is_rfc3339_ms(&r.json["data"]["failing_since"]), "{}", r.text);
    let v = delivery(&app, &owner, &ep, &d).await;
    assert!(v["attempts"][0]["status_code"].is_null() && v["attempts"][0]["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
    for _ in 0..12 {
        later(&app, 12 * 3_600_000).await;
    }
    let r = send(&app, Method::GET, &format!("/api/v1/webhook-endpoints/{ep}"), None, &owner).await;
    assert_eq!(r.json["data"]["enabled"], false, "{}", r.text);
    assert!(r.json["data"]["disabled_reason"].as_str().unwrap().contains("three days"), "{}", r.text);
    let v = delivery(&app, &owner, &ep, &d).await;
    assert_eq!(v["delivery"]["state"], "failed", "{v}");
    app.wait_mail("flaky@hooks.co", "webhook endpoint", 1).await;
});

on_both!(a_rotated_secret_signs_beside_the_old_one_for_a_day, |app| {
    let (owner, p) = setup(&app, "rotate").await;
    let (rx, url) = Receiver::start(vec![]).await;
    let (ep, old) = endpoint(&app, &owner, &p, &url, json!([])).await;
    let r = send(&app, Method::GET, &format!("/api/v1/webhook-endpoints/{ep}/secret"), None, &owner).await;
    assert_eq!(r.json["data"]["secret"].as_str(), Some(old.as_str()), "{}", r.text);
    let r = send(&app, Method::POST, &format!("/api/v1/webhook-endpoints/{ep}/rotate-secret"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let new = r.json["data"]["secret"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert!(common::is_rfc3339_ms(&r.json["data"]["previous_secret_expires_at"]), "{}", r.text);
    test_event(&app, &owner, &ep).await;
    app.run_jobs().await;
    let g = &rx.got()[0];
    assert_eq!(g.signature.split(' ').count(), 2, "{}", g.signature);
    assert!(g.verifies(&old) && g.verifies(&new));
    app.state.clock.advance(25 * 3_600_000);
    test_event(&app, &owner, &ep).await;
    app.run_jobs().await;
    let g = &rx.got()[1];
    assert!(g.verifies(&new) && !g.verifies(&old), "{}", g.signature);
});

on_both!(private_targets_are_refused_and_redirects_not_followed, |app| {
    // The redirect: followed, it would reach the second receiver.
    let (target, target_url) = Receiver::start(vec![]).await;
    let (rx, url) = Receiver::start(vec![(302, Some(target_url.clone()))]).await;
    let (owner, p) = setup(&app, "redirect").await;
    let (ep, _) = endpoint(&app, &owner, &p, &url, json!([])).await;
    let d = test_event(&app, &owner, &ep).await;
    app.run_jobs().await;
    assert_eq!((rx.got().len(), target.got().len()), (1, 0));
    let v = delivery(&app, &owner, &ep, &d).await;
    assert_eq!((v["delivery"]["state"].as_str(), v["attempts"][0]["status_code"].as_i64()), (Some("pending"), Some(302)), "{v}");
    assert!(v["attempts"][0]["error"].as_str().unwrap().contains("redirect"), "{v}");

    // With the guard on (the default outside tests).
    let guarded = TestApp::with_config(app.backend, |c| c.webhook_allow_private_targets = false).await;
    let (owner, p) = setup(&guarded, "ssrf").await;
    for bad in [
        "http://127.0.0.1:8080/x",
        "http://[::1]/x",
        "http://10.0.0.1/x",
        "http://169.254.169.254/latest",
        "http://2130706433/",
        "http://0177.0.0.1/",
        "ftp://example.com/x",
    ] {
        let r = send(&guarded, Method::POST, "/api/v1/webhook-endpoints", Some(json!({"project_id": p, "url": bad})), &owner).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.text);
        assert_eq!(r.json["error"]["details"][0]["field"], "url", "{bad}: {}", r.text);
    }
    // A name resolving to loopback passes the form and is refused at connect time, in the log.
    let (rx, url) = Receiver::start(vec![]).await;
    let local = url.replace("127.0.0.1", "localhost");
    let (ep, _) = endpoint(&guarded, &owner, &p, &local, json!([])).await;
    let d = test_event(&guarded, &owner, &ep).await;
    guarded.run_jobs().await;
    assert_eq!(rx.got().len(), 0);
    let v = delivery(&guarded, &owner, &ep, &d).await;
    let err = v["attempts"][0]["error"].as_str().unwrap_or("");
    assert!(err.contains("refused") && err.contains("localhost"), "{v}");
});

on_both!(a_calls_events_arrive_in_order_with_the_v1_call, |app| {
    let (owner, p) = setup(&app, "calls").await;
    let agent = common::outbound_agent(&app, &owner, &p, "+14155550100").await;
    let (rx, url) = Receiver::start(vec![]).await;
    let (_, secret) = endpoint(&app, &owner, &p, &url, json!([])).await;
    let (only_ended, ended_url) = Receiver::start(vec![]).await;
    endpoint(&app, &owner, &p, &ended_url, json!(["call.ended"])).await;
    let r = send(
        &app,
        Method::POST,
        &format!("/api/v1/agents/{agent}/call"),
        Some(json!({"to": "+14155552671", "payload": {"name": "Sam", "topic": "solar"}, "metadata": {"crm_id": "c-9"}})),
        &owner,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let call = r.json["data"]["id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    while rx.got().iter().all(|g| g.json()["type"] != "call.analyzed") {
        assert!(Instant::now() < deadline, "no call.analyzed: {:?}", rx.got().iter().map(|g| g.json()["type"].clone()).collect::<Vec<_>>());
        app.run_jobs().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let got = rx.got();
    let types: Vec<String> = got.iter().map(|g| g.json()["type"].as_str().unwrap().to_string()).collect();
    assert_eq!(types, ["call.queued", "call.ringing", "call.answered", "call.ended", "call.analyzed"]);
    assert!(got.iter().all(|g| g.verifies(&secret)));
    let ids: std::collections::HashSet<&str> = got.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids.len(), 5, "one id per event");
    let ended = got[3].json();
    let api = send(&app, Method::GET, &format!("/api/v1/calls/{call}"), None, &owner).await.json["data"].clone();
    let data = &ended["data"];
    assert_eq!(data["id"], call.as_str());
    assert_eq!(data["status"], "completed");
    assert_eq!(data["metadata"], json!({"crm_id": "c-9"}));
    for k in ["end_reason", "duration_ms", "cost", "currency", "transcript", "from", "to", "agent_id", "ended_at", "answered_by"] {
        assert_eq!(data[k], api[k], "{k}");
    }
    assert!(data["transcript"].as_array().is_some_and(|t| !t.is_empty()));
    assert!(data.get("recording_url").is_some());
    let analyzed = got[4].json();
    assert_eq!(analyzed["data"]["analysis"]["summary"], api["analysis"]["summary"], "{analyzed}");
    assert!(analyzed["data"]["analysis"]["summary"].as_str().is_some_and(|s| !s.is_empty()));
    let ended_only: Vec<Value> = only_ended.got().iter().map(|g| g.json()["type"].clone()).collect();
    assert_eq!(ended_only, [json!("call.ended")]);
});

on_both!(an_event_commits_with_its_change_or_not_at_all, |app| {
    use talkdeck::server::auth::Actor;
    use talkdeck::server::services::calls::{self, PlaceCall};
    let (owner, p) = setup(&app, "commit").await;
    let agent = common::outbound_agent(&app, &owner, &p, "+14155550100").await;
    let (rx, url) = Receiver::start(vec![]).await;
    endpoint(&app, &owner, &p, &url, json!(["call.queued"])).await;
    let req = || PlaceCall {
        agent_id: Some(agent.clone()),
        to: "+14155552671".into(),
        variables: [("name".to_string(), "Sam".to_string()), ("topic".to_string(), "solar".to_string())].into(),
        metadata: json!({}),
        ..Default::default()
    };
    let st = app.state.clone();
    let r = st
        .write(async |tx| {
            calls::place(&st, tx, &Actor::System, req(), None).await?;
            Err::<(), _>(talkdeck::model::AppError::new(talkdeck::model::ErrorCode::Conflict, "changed my mind"))
        })
        .await;
    assert!(r.is_err());
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_events").fetch_one(app.state.db.pool()).await.unwrap();
    let deliveries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!((events, deliveries), (0, 0));
    st.write(async |tx| calls::place(&st, tx, &Actor::System, req(), None).await.map(drop)).await.unwrap();
    app.run_jobs().await;
    assert_eq!(rx.got().len(), 1);
    assert_eq!(rx.got()[0].json()["type"], "call.queued");
});

on_both!(pending_deliveries_survive_a_restart, |app| {
    let (owner, p) = setup(&app, "restart").await;
    let (rx, url) = Receiver::start(vec![]).await;
    let (ep, _) = endpoint(&app, &owner, &p, &url, json!([])).await;
    let first = test_event(&app, &owner, &ep).await;
    let second = test_event(&app, &owner, &ep).await;
    // A worker claimed the first one and died while sending: its lease runs out.
    let claimed = talkdeck::server::jobs::Worker::new(app.state.clone(), talkdeck::server::jobs::Registry::builtin()).claim(1).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let app = app.restart().await;
    sqlx::query("UPDATE jobs SET locked_until = 0 WHERE state = 'running'").execute(app.state.db.pool()).await.unwrap();
    app.run_jobs().await;
    assert_eq!(rx.got().len(), 2);
    for d in [first, second] {
        assert_eq!(delivery(&app, &owner, &ep, &d).await["delivery"]["state"], "succeeded");
    }
});

on_both!(the_project_status_webhook_is_an_endpoint_too, |app| {
    let (owner, p) = setup(&app, "status").await;
    let (rx, url) = Receiver::start(vec![]).await;
    let r = send(&app, Method::POST, "/api/project/call-status/add-webhookurl", Some(json!({"projectId": p, "webhookURL": url})), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = send(&app, Method::GET, &format!("/api/v1/webhook-endpoints?project_id={p}"), None, &owner).await;
    let list = r.json["data"].as_array().unwrap().clone();
    assert_eq!(list.len(), 1, "{}", r.text);
    assert_eq!((list[0]["is_status"].as_bool(), list[0]["url"].as_str()), (Some(true), Some(url.as_str())));
    let ep = list[0]["id"].as_str().unwrap().to_string();
    let r = send(&app, Method::DELETE, &format!("/api/v1/webhook-endpoints/{ep}"), None, &owner).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let r = send(&app, Method::GET, &format!("/api/v1/webhook-endpoints/{ep}/secret"), None, &owner).await;
    let secret = r.json["data"]["secret"].as_str().unwrap().to_string();
    test_event(&app, &owner, &ep).await;
    app.run_jobs().await;
    assert!(rx.got()[0].verifies(&secret));
    // Clearing the setting removes it.
    let r = send(&app, Method::PUT, &format!("/api/v1/projects/{p}"), Some(json!({"call_status_webhook": ""})), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = send(&app, Method::GET, &format!("/api/v1/webhook-endpoints?project_id={p}"), None, &owner).await;
    assert_eq!(r.json["data"].as_array().map(Vec::len), Some(0), "{}", r.text);
});

on_both!(admins_manage_endpoints_and_others_do_not, |app| {
    let t = common::team(&app, "hooks").await;
    let p = t.project.clone();
    let r = send(&app, Method::POST, "/api/v1/webhook-endpoints", Some(json!({"project_id": p, "url": "https://example.com/a"})), &t.auths[0]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let ep = r.json["data"]["id"].as_str().unwrap().to_string();
    let mut got = Vec::new();
    for a in &t.auths {
        got.push(send(&app, Method::GET, &format!("/api/v1/webhook-endpoints/{ep}"), None, a).await.status);
    }
    common::check("get", &got, [200, 200, 403, 403, 404, 404]);
    let mut got = Vec::new();
    for a in &t.auths {
        got.push(send(&app, Method::GET, &format!("/api/v1/webhook-endpoints?project_id={p}"), None, a).await.status);
    }
    common::check("list", &got, [200, 200, 403, 403, 404, 404]);
    let mut got = Vec::new();
    for a in &t.auths {
        got.push(
            send(&app, Method::POST, "/api/v1/webhook-endpoints", Some(json!({"project_id": p, "url": "https://example.com/b"})), a)
                .await
                .status,
        );
    }
    common::check("create", &got, [201, 201, 403, 403, 404, 404]);
    let mut got = Vec::new();
    for a in &t.auths {
        got.push(send(&app, Method::POST, &format!("/api/v1/webhook-endpoints/{ep}/rotate-secret"), None, a).await.status);
    }
    common::check("rotate", &got, [200, 200, 403, 403, 404, 404]);
    for path in [format!("/api/v1/webhook-endpoints/{ep}"), format!("/api/v1/webhook-endpoints/{ep}/deliveries"), format!("/api/v1/webhook-endpoints/{ep}/secret")] {
        assert_eq!(send(&app, Method::GET, &path, None, &Auth::None).await.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    // Bad input: unknown event type, stale version.
    let r = send(&app, Method::PATCH, &format!("/api/v1/webhook-endpoints/{ep}"), Some(json!({"events": ["call.exploded"]})), &t.auths[0]).await;
    assert_eq!((r.status, r.json["error"]["details"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("events")), "{}", r.text);
    let r = send(&app, Method::PATCH, &format!("/api/v1/webhook-endpoints/{ep}"), Some(json!({"description": "x", "expected_version": 1})), &t.auths[0]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let r = send(&app, Method::DELETE, &format!("/api/v1/webhook-endpoints/{ep}"), None, &t.auths[2]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = send(&app, Method::DELETE, &format!("/api/v1/webhook-endpoints/{ep}"), None, &t.auths[1]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = send(&app, Method::GET, &format!("/api/v1/webhook-endpoints/{ep}"), None, &t.auths[0]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
});

on_both!(status_webhooks_set_before_webhooks_existed_get_their_endpoint_at_start, |app| {
    let (owner, p) = setup(&app, "backfill").await;
    // As stored by a version without webhook endpoints.
    sqlx::query("UPDATE projects SET call_status_webhook = 'https://example.com/old' WHERE id = $1")
        .bind(&p)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let made = talkdeck::server::services::webhooks::backfill_status_endpoints(&app.state).await.unwrap();
    assert_eq!(made, 1);
    assert_eq!(talkdeck::server::services::webhooks::backfill_status_endpoints(&app.state).await.unwrap(), 0, "once");
    let r = send(&app, Method::GET, &format!("/api/v1/webhook-endpoints?project_id={p}"), None, &owner).await;
    let list = r.json["data"].as_array().unwrap();
    assert_eq!((list.len(), list[0]["url"].as_str(), list[0]["is_status"].as_bool()), (1, Some("https://example.com/old"), Some(true)), "{}", r.text);
});

on_both!(an_old_run_of_failures_does_not_disable_an_endpoint_on_a_new_failure, |app| {
    let (owner, p) = setup(&app, "streak").await;
    let (ep, _) = endpoint(&app, &owner, &p, "http://127.0.0.1:9/hook", json!([])).await;
    // It failed ten days ago (for a while), then nothing went wrong since.
    let long_ago = app.state.clock.now_ms() - 10 * 24 * 3_600_000;
    sqlx::query("UPDATE webhook_endpoints SET failing_since = $1, last_failure_at = $2 WHERE id = $3")
        .bind(long_ago)
        .bind(long_ago + 3_600_000)
        .bind(&ep)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    test_event(&app, &owner, &ep).await;
    app.run_jobs().await;
    let r = send(&app, Method::GET, &format!("/api/v1/webhook-endpoints/{ep}"), None, &owner).await;
    assert_eq!(r.json["data"]["enabled"], true, "a new run of failures starts now: {}", r.text);
    assert_ne!(r.json["data"]["failing_since"], json!(talkdeck::server::rest::v1::types::rfc3339_ms(long_ago)), "{}", r.text);
});

on_both!(a_delivery_whose_job_ends_for_good_fails_instead_of_blocking_its_call, |app| {
    let (owner, p) = setup(&app, "blocked").await;
    let (rx, url) = Receiver::start(vec![]).await;
    let (ep, _) = endpoint(&app, &owner, &p, &url, json!([])).await;
    // A secret that no longer opens (SECRET_KEY changed): the job fails permanently.
    sqlx::query("UPDATE webhook_endpoints SET secret_sealed = 'v1.garbage' WHERE id = $1")
        .bind(&ep)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let d = test_event(&app, &owner, &ep).await;
    app.run_jobs().await;
    let v = delivery(&app, &owner, &ep, &d).await;
    assert_eq!(v["delivery"]["state"], "failed", "{v}");
    assert!(v["delivery"]["last_error"].as_str().is_some_and(|e| e.starts_with("not sent:")), "{v}");
    assert_eq!(rx.got().len(), 0);
    // With the secret rotated (a fresh one), a replay goes through.
    let r = send(&app, Method::POST, &format!("/api/v1/webhook-endpoints/{ep}/rotate-secret"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    sqlx::query("UPDATE webhook_endpoints SET previous_secret_sealed = NULL WHERE id = $1")
        .bind(&ep)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let r = send(&app, Method::POST, &format!("/api/v1/webhook-endpoints/{ep}/deliveries/{d}/replay"), None, &owner).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    app.run_jobs().await;
    assert_eq!(rx.got().len(), 1);

    // The project's status webhook follows the same address rules.
    let guarded = TestApp::with_config(app.backend, |c| c.webhook_allow_private_targets = false).await;
    let (owner, p) = setup(&guarded, "status-guard").await;
    let r = send(&guarded, Method::POST, "/api/project/call-status/add-webhookurl", Some(json!({"projectId": p, "webhookURL": "http://127.0.0.1:8080/x"})), &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
});

on_both!(old_finished_deliveries_are_pruned_and_pending_ones_kept, |app| {
    let (owner, p) = setup(&app, "prune").await;
    let (rx, url) = Receiver::start(vec![]).await;
    let (ep, _) = endpoint(&app, &owner, &p, &url, json!([])).await;
    let done = test_event(&app, &owner, &ep).await;
    app.run_jobs().await;
    assert_eq!(rx.got().len(), 1);
    let pending = test_event(&app, &owner, &ep).await;
    // Both events are 40 days old; only the first one's delivery finished.
    let old = app.state.clock.now_ms() - 40 * 24 * 3_600_000;
    sqlx::query("UPDATE webhook_events SET created_at = $1").bind(old).execute(app.state.db.pool()).await.unwrap();
    let (events, _) = talkdeck::server::services::webhooks::prune(&app.state, app.state.clock.now_ms()).await.unwrap();
    assert_eq!(events, 1);
    let r = send(&app, Method::GET, &format!("/api/v1/webhook-endpoints/{ep}/deliveries/{done}"), None, &owner).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let attempts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_attempts").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(attempts, 0);
    assert_eq!(delivery(&app, &owner, &ep, &pending).await["delivery"]["state"], "pending");
});
