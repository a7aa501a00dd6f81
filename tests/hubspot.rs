//! The HubSpot integration against a local fake of HubSpot's CRM API: the token checked on save,
//! a call logged once on the contact found by its national number (association 194) and updated
//! after the analysis with the mapped contact property, a missing contact skipped or created,
//! 429 retried after Retry-After, the sync log with its retry, and who may do what. Runs on
//! SQLite and, with TEST_DATABASE_URL, on PostgreSQL.

#[macro_use]
mod common;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode as AxStatus};
use axum::response::IntoResponse;
use axum::routing::{get, patch, post};
use axum::Json;
use common::{create_project, send, user, Auth, TestApp};
use http::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOKEN: &str = "pat-na1-good-token-1234";

#[derive(Default)]
struct Crm {
    contacts: Vec<(String, Value)>,
    calls: Vec<(String, Value, Value)>,
    call_updates: Vec<(String, Value)>,
    contact_updates: Vec<(String, Value)>,
    /// Answers 429 to the next this-many call creations.
    throttle_calls: usize,
    /// How long creating a call takes.
    create_delay_ms: u64,
}

#[derive(Clone, Default)]
struct Fake(Arc<Mutex<Crm>>);

fn authorized(h: &HeaderMap) -> bool {
    h.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}"))
}

fn refused() -> axum::response::Response {
    (AxStatus::UNAUTHORIZED, Json(json!({"status": "error", "message": "Authentication credentials not found."}))).into_response()
}

impl Fake {
    async fn start() -> (Fake, String) {
        let f = Fake::default();
        let app = axum::Router::new()
            .route("/crm/v3/objects/contacts", get(check).post(create_contact))
            .route("/crm/v3/objects/contacts/search", post(search))
            .route("/crm/v3/objects/contacts/{id}", patch(update_contact))
            .route("/crm/v3/objects/calls", post(create_call))
            .route("/crm/v3/objects/calls/{id}", patch(update_call))
            .with_state(f.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (f, format!("http://{addr}"))
    }

    fn crm<T>(&self, f: impl FnOnce(&mut Crm) -> T) -> T {
        f(&mut self.0.lock().unwrap())
    }
}

async fn check(State(_): State<Fake>, h: HeaderMap) -> axum::response::Response {
    if !authorized(&h) {
        return refused();
    }
    Json(json!({"results": []})).into_response()
}

async fn search(State(f): State<Fake>, h: HeaderMap, Json(b): Json<Value>) -> axum::response::Response {
    if !authorized(&h) {
        return refused();
    }
    // Each group: one property, IN some values.
    let wanted: Vec<(String, String)> = b["filterGroups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| {
            let prop = g["filters"][0]["propertyName"].as_str().unwrap().to_string();
            assert_eq!(g["filters"][0]["operator"], "IN");
            g["filters"][0]["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |v| (prop.clone(), v.as_str().unwrap().to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    let found: Vec<Value> = f.crm(|c| {
        c.contacts
            .iter()
            .filter(|(_, props)| wanted.iter().any(|(p, v)| props[p].as_str() == Some(v.as_str())))
            .map(|(id, props)| json!({"id": id, "properties": props}))
            .collect()
    });
    Json(json!({"total": found.len(), "results": found})).into_response()
}

async fn create_contact(State(f): State<Fake>, h: HeaderMap, Json(b): Json<Value>) -> axum::response::Response {
    if !authorized(&h) {
        return refused();
    }
    let id = f.crm(|c| {
        let id = format!("{}", 500 + c.contacts.len());
        c.contacts.push((id.clone(), b["properties"].clone()));
        id
    });
    (AxStatus::CREATED, Json(json!({"id": id, "properties": b["properties"]}))).into_response()
}

async fn update_contact(State(f): State<Fake>, h: HeaderMap, Path(id): Path<String>, Json(b): Json<Value>) -> axum::response::Response {
    if !authorized(&h) {
        return refused();
    }
    f.crm(|c| c.contact_updates.push((id.clone(), b["properties"].clone())));
    Json(json!({"id": id})).into_response()
}

async fn create_call(State(f): State<Fake>, h: HeaderMap, Json(b): Json<Value>) -> axum::response::Response {
    if !authorized(&h) {
        return refused();
    }
    let throttled = f.crm(|c| {
        if c.throttle_calls > 0 {
            c.throttle_calls -= 1;
            true
        } else {
            false
        }
    });
    let delay = f.crm(|c| c.create_delay_ms);
    tokio::time::sleep(Duration::from_millis(delay)).await;
    if throttled {
        return (AxStatus::TOO_MANY_REQUESTS, [("retry-after", "1")], Json(json!({"status": "error", "message": "You have reached your secondly limit."})))
            .into_response();
    }
    let id = f.crm(|c| {
        let id = format!("{}", 9000 + c.calls.len());
        c.calls.push((id.clone(), b["properties"].clone(), b["associations"].clone()));
        id
    });
    (AxStatus::CREATED, Json(json!({"id": id}))).into_response()
}

async fn update_call(State(f): State<Fake>, h: HeaderMap, Path(id): Path<String>, Json(b): Json<Value>) -> axum::response::Response {
    if !authorized(&h) {
        return refused();
    }
    f.crm(|c| c.call_updates.push((id.clone(), b["properties"].clone())));
    Json(json!({"id": id})).into_response()
}

async fn setup(app: &TestApp, tag: &str) -> (Auth, String, String) {
    let (_, owner) = user(app, &format!("{tag}@hubspot.co")).await;
    let p = create_project(app, &owner, tag).await;
    let agent = common::outbound_agent(app, &owner, &p, "+14155550100").await;
    (owner, p, agent)
}

/// Places a call and runs jobs until it is analysed and every sync has run.
async fn call_to(app: &TestApp, auth: &Auth, agent: &str, to: &str) -> String {
    let r = send(app, Method::POST, &format!("/api/v1/agents/{agent}/call"), Some(json!({"to": to, "payload": {"name": "Sam", "topic": "solar"}})), auth).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.json["data"]["id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        app.run_jobs().await;
        let r = send(app, Method::GET, &format!("/api/v1/calls/{id}"), None, auth).await;
        if !r.json["data"]["analysis"].is_null() {
            app.run_jobs().await;
            return id;
        }
        assert!(Instant::now() < deadline, "call {id} not analysed: {}", r.text);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn log(app: &TestApp, auth: &Auth, p: &str) -> Vec<Value> {
    let r = send(app, Method::GET, &format!("/api/v1/integrations/hubspot/sync-log?project_id={p}&limit=100"), None, auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json["data"].as_array().unwrap().clone()
}

on_both!(calls_are_logged_once_on_the_contact_and_updated_after_analysis, |app| {
    let (fake, base) = Fake::start().await;
    let app = {
        let backend = app.backend;
        drop(app);
        TestApp::with_config(backend, |c| c.hubspot_api_base = base.clone()).await
    };
    let (owner, p, agent) = setup(&app, "logged").await;
    fake.crm(|c| c.contacts.push(("101".into(), json!({"phone": "(415) 555-2671"}))));

    // The token is checked with HubSpot before it is stored.
    let r = send(&app, Method::PUT, "/api/v1/integrations/hubspot", Some(json!({"project_id": p, "token": "wrong"})), &owner).await;
    assert_eq!((r.status, r.json["error"]["details"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("token")), "{}", r.text);
    let r = send(&app, Method::GET, &format!("/api/v1/integrations/hubspot?project_id={p}"), None, &owner).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let body = json!({"project_id": p, "token": TOKEN, "create_contacts": false, "mappings": [{"question": "summary", "property": "last_call_summary"}]});
    let r = send(&app, Method::PUT, "/api/v1/integrations/hubspot", Some(body), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["data"]["token_hint"], "…1234");
    assert!(!r.text.contains(TOKEN), "the token is never shown");

    let call = call_to(&app, &owner, &agent, "+14155552671").await;
    let (calls, updates, contact_updates) = fake.crm(|c| (c.calls.clone(), c.call_updates.clone(), c.contact_updates.clone()));
    assert_eq!(calls.len(), 1, "logged once: {calls:?}");
    let (hs_id, props, assoc) = &calls[0];
    assert_eq!(assoc[0]["to"]["id"], "101");
    assert_eq!(assoc[0]["types"][0]["associationTypeId"], 194);
    assert_eq!(props["hs_call_direction"], "OUTBOUND");
    assert_eq!(props["hs_call_status"], "COMPLETED");
    assert_eq!(props["hs_call_to_number"], "+14155552671");
    assert!(props["hs_call_duration"].as_i64().unwrap() > 0);
    assert!(props["hs_call_body"].as_str().unwrap().contains(&format!("/calls/{call}")));
    // The analysis updates the same HubSpot call and the mapped contact property.
    assert!(updates.iter().any(|(id, p)| id == hs_id && !p["hs_call_body"].as_str().unwrap().starts_with("Analysis pending")), "{updates:?}");
    assert!(contact_updates.iter().any(|(id, p)| id == "101" && p["last_call_summary"].as_str().is_some_and(|s| !s.is_empty())), "{contact_updates:?}");
    let entries = log(&app, &owner, &p).await;
    assert!(entries.iter().all(|e| e["outcome"] == "succeeded" && e["call_id"] == call.as_str()), "{entries:?}");
    assert!(entries.iter().any(|e| e["event"] == "ended") && entries.iter().any(|e| e["event"] == "analyzed"));

    // No contact with this number, creating contacts off: skipped; then on, a retry creates it.
    call_to(&app, &owner, &agent, "+14155552672").await;
    let entries = log(&app, &owner, &p).await;
    let skipped = entries.iter().find(|e| e["outcome"] == "skipped").expect("a skipped sync").clone();
    assert_eq!(fake.crm(|c| c.calls.len()), 1);
    let r = send(&app, Method::PUT, "/api/v1/integrations/hubspot", Some(json!({"project_id": p, "create_contacts": true})), &owner).await;
    assert_eq!((r.status, r.json["data"]["create_contacts"].as_bool()), (StatusCode::OK, Some(true)), "{}", r.text);
    let r = send(&app, Method::POST, &format!("/api/v1/integrations/hubspot/sync-log/{}/retry?project_id={p}", skipped["id"].as_str().unwrap()), None, &owner).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    app.run_jobs().await;
    let (contacts, calls) = fake.crm(|c| (c.contacts.clone(), c.calls.clone()));
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[1].1["phone"], "+14155552672");
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].2[0]["to"]["id"], contacts[1].0.as_str());
});

on_both!(hubspot_429_is_retried_after_its_retry_after, |app| {
    let (fake, base) = Fake::start().await;
    let app = {
        let backend = app.backend;
        drop(app);
        TestApp::with_config(backend, |c| c.hubspot_api_base = base.clone()).await
    };
    let (owner, p, agent) = setup(&app, "throttled").await;
    let r = send(&app, Method::PUT, "/api/v1/integrations/hubspot", Some(json!({"project_id": p, "token": TOKEN, "create_contacts": true})), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    fake.crm(|c| c.throttle_calls = 2);
    call_to(&app, &owner, &agent, "+14155552673").await;
    // The retries are due a second later.
    let deadline = Instant::now() + Duration::from_secs(20);
    while fake.crm(|c| c.calls.len()) == 0 {
        assert!(Instant::now() < deadline, "never retried: {:?}", log(&app, &owner, &p).await);
        tokio::time::sleep(Duration::from_millis(200)).await;
        app.run_jobs().await;
    }
    app.run_jobs().await;
    assert_eq!(fake.crm(|c| c.calls.len()), 1, "one HubSpot call for one Talkdeck call");
    let entries = log(&app, &owner, &p).await;
    let outcomes: Vec<(&str, Option<i64>)> = entries.iter().rev().map(|e| (e["outcome"].as_str().unwrap(), e["status_code"].as_i64())).collect();
    assert!(outcomes.starts_with(&[("retrying", Some(429))]), "{outcomes:?}");
    assert!(outcomes.iter().filter(|o| o.0 == "retrying").count() >= 1 && outcomes.iter().any(|o| o.0 == "succeeded"), "{outcomes:?}");
    assert!(entries.iter().any(|e| e["message"].as_str().unwrap().contains("trying again in 1 s")), "{entries:?}");
});

on_both!(admins_manage_hubspot_and_others_do_not, |app| {
    let t = common::team(&app, "hs").await;
    let p = t.project.clone();
    let mut got = Vec::new();
    for a in &t.auths {
        got.push(send(&app, Method::GET, &format!("/api/v1/integrations/hubspot/sync-log?project_id={p}"), None, a).await.status);
    }
    common::check("sync log", &got, [200, 200, 403, 403, 404, 404]);
    let mut got = Vec::new();
    for a in &t.auths {
        got.push(send(&app, Method::DELETE, &format!("/api/v1/integrations/hubspot?project_id={p}"), None, a).await.status);
    }
    common::check("disconnect", &got, [200, 200, 403, 403, 404, 404]);
    let r = send(&app, Method::GET, &format!("/api/v1/integrations/hubspot?project_id={p}"), None, &Auth::None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = send(
        &app,
        Method::PUT,
        "/api/v1/integrations/hubspot",
        Some(json!({"project_id": p, "mappings": [{"question": "summary", "property": "Bad Name"}]})),
        &t.auths[0],
    )
    .await;
    assert_eq!((r.status, r.json["error"]["details"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("mappings[0].property")), "{}", r.text);
    let r = send(&app, Method::PUT, "/api/v1/integrations/hubspot", Some(json!({"project_id": p})), &t.auths[0]).await;
    assert_eq!((r.status, r.json["error"]["details"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("token")), "{}", r.text);
});

on_both!(syncs_of_one_call_running_at_once_log_it_once, |app| {
    let (fake, base) = Fake::start().await;
    let app = {
        let backend = app.backend;
        drop(app);
        TestApp::with_config(backend, |c| c.hubspot_api_base = base.clone()).await
    };
    let (owner, p, agent) = setup(&app, "together").await;
    let r = send(&app, Method::PUT, "/api/v1/integrations/hubspot", Some(json!({"project_id": p, "token": TOKEN, "create_contacts": true})), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let call = call_to(&app, &owner, &agent, "+14155552674").await;
    assert_eq!(fake.crm(|c| c.calls.len()), 1);
    // Forget it, then let the `ended` and `analyzed` syncs run at the same moment, each on its
    // own worker, while HubSpot takes its time to create the call.
    sqlx::query("DELETE FROM hubspot_calls").execute(app.state.db.pool()).await.unwrap();
    fake.crm(|c| {
        c.calls.clear();
        c.create_delay_ms = 300;
    });
    let st = app.state.clone();
    st.write(async |tx| {
        for event in ["ended", "analyzed"] {
            let payload = json!({"project_id": p, "call_id": call, "event": event, "attempt": 1});
            talkdeck::server::jobs::enqueue(&mut *tx, talkdeck::server::jobs::NewJob::new("hubspot.sync", payload)).await?;
        }
        Ok(())
    })
    .await
    .unwrap();
    let workers: Vec<_> = (0..2).map(|_| talkdeck::server::jobs::Worker::new(app.state.clone(), talkdeck::server::jobs::Registry::builtin())).collect();
    let mut claimed = Vec::new();
    for w in &workers {
        let jobs = w.claim(1).await.unwrap();
        assert_eq!(jobs.len(), 1);
        claimed.push((w.clone(), jobs.into_iter().next().unwrap()));
    }
    let runs: Vec<_> = claimed.into_iter().map(|(w, j)| tokio::spawn(async move { w.execute(j).await })).collect();
    for r in runs {
        r.await.unwrap();
    }
    // The one that waited runs again 5 s later.
    let deadline = Instant::now() + Duration::from_secs(20);
    while log(&app, &owner, &p).await.iter().filter(|e| e["outcome"] == "succeeded" && e["call_id"] == call.as_str()).count() < 4 {
        assert!(Instant::now() < deadline, "{:?}", log(&app, &owner, &p).await);
        sqlx::query("UPDATE jobs SET run_at = 0 WHERE state = 'pending'").execute(app.state.db.pool()).await.unwrap();
        app.run_jobs().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(fake.crm(|c| c.calls.len()), 1, "one HubSpot call for one Talkdeck call");
    assert_eq!(fake.crm(|c| c.contacts.len()), 1, "one contact for one number");
});
