//! The API's contract as a whole: the OpenAPI document matches what is served, v1 times are RFC
//! 3339 with milliseconds, every v1 list is keyset-paginated, and framework errors are JSON.

mod common;

use axum::body::Body;
use common::{bad_timestamps, create_project, invite_and_accept, send, user, Auth, TestApp};
use http::{Method, Request, StatusCode};
use serde_json::{json, Value};
use std::collections::HashSet;

const NO_ENDPOINT: &str = "There is no API endpoint at this path";

fn methods(item: &Value) -> Vec<Method> {
    ["get", "post", "put", "patch", "delete"]
        .iter()
        .filter(|m| item.get(**m).is_some())
        .map(|m| Method::from_bytes(m.to_uppercase().as_bytes()).unwrap())
        .collect()
}

on_both!(every_documented_operation_is_served, |app| {
    let doc = app.get("/api/v1/openapi.json", None).await.json;
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.keys().filter(|p| p.starts_with("/api/v1/")).count() >= 25);
    let mut ops = 0;
    for (path, item) in paths {
        for m in methods(item) {
            // Unauthenticated and with made-up ids: nothing changes, yet an unserved route would
            // answer 404 "no endpoint" or 405 instead of 401/400.
            let url = path.replace('{', "x").replace('}', "");
            let r = send(&app, m.clone(), &url, Some(json!({})), &Auth::None).await;
            assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{m} {path} documented but not routed");
            let msg = r.json["error"]["message"].as_str().or(r.json["message"].as_str()).unwrap_or("");
            assert!(!msg.starts_with(NO_ENDPOINT), "{m} {path} documented but not routed: {}", r.text);
            assert!(r.json.is_object(), "{m} {path}: JSON answer, got {}", r.text);
            ops += 1;
        }
        // Documented operations declare their path parameters.
        for (_, op) in item.as_object().unwrap() {
            let declared: HashSet<&str> = op["parameters"]
                .as_array()
                .map(|ps| ps.iter().filter(|p| p["in"] == "path").filter_map(|p| p["name"].as_str()).collect())
                .unwrap_or_default();
            for seg in path.split('/').filter(|s| s.starts_with('{')) {
                assert!(declared.contains(seg.trim_matches(|c| c == '{' || c == '}')), "{path}: {seg} not declared");
            }
        }
    }
    assert!(ops >= 60, "{ops} operations");
    // And the reverse, for what can be probed: routes outside the document are not served.
    for (m, path) in [(Method::GET, "/api/v1/nope"), (Method::GET, "/api/v1/projects/x/nope"), (Method::GET, "/api/nope")] {
        let r = send(&app, m, path, None, &Auth::None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(r.text.contains(NO_ENDPOINT), "{path}: {}", r.text);
    }
    let v1 = send(&app, Method::GET, "/api/v1/nope", None, &Auth::None).await;
    assert_eq!((v1.json["success"].clone(), v1.json["error"]["code"].clone()), (json!(false), json!("not_found")));
    let ts = send(&app, Method::GET, "/api/nope", None, &Auth::None).await;
    assert_eq!((ts.json["status"].clone(), ts.json["code"].clone()), (json!("error"), json!("not_found")));
});

#[tokio::test]
async fn the_document_declares_security_errors_and_bodies() {
    let app = TestApp::new("sqlite").await;
    let doc = app.get("/api/v1/openapi.json", None).await.json;
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!((schemes["api_key"]["in"].as_str(), schemes["api_key"]["name"].as_str()), (Some("header"), Some("x-api-key")));
    assert!(doc["components"]["schemas"]["ErrorEnvelope"].is_object());
    for (path, item) in doc["paths"].as_object().unwrap().iter().filter(|(p, _)| p.starts_with("/api/v1/") && *p != "/api/v1/openapi.json") {
        for (m, op) in item.as_object().unwrap() {
            let r = &op["responses"];
            assert!(r["401"].is_object(), "{m} {path}: 401 documented");
            assert!(!op["security"].as_array().unwrap().is_empty(), "{m} {path}: security");
            if ["post", "put", "patch"].contains(&m.as_str()) && op["requestBody"].is_object() {
                for s in ["400", "413", "415"] {
                    assert!(r[s].is_object(), "{m} {path}: {s} documented");
                }
            }
            let ok = r.as_object().unwrap().keys().find(|k| k.starts_with('2')).expect("a success status");
            // The event stream, the call recording and the batch export are typed by their content types instead.
            let media = if path.ends_with("/calls/stream") {
                "text/event-stream"
            } else if path.ends_with("/recording") {
                "audio/wav"
            } else if path.ends_with("/export") {
                "text/csv"
            } else {
                "application/json"
            };
            assert!(r[ok]["content"][media]["schema"].is_object(), "{m} {path}: typed success body");
        }
    }
}

/// A project with members, an invitation, keys, agents and numbers, as its owner.
async fn seeded(app: &TestApp) -> (Auth, String, String, String) {
    let (_, owner) = user(app, "owner@seed.co").await;
    let p = create_project(app, &owner, "Seeded").await;
    let (_, m) = user(app, "member@seed.co").await;
    invite_and_accept(app, &owner, &p, "member@seed.co", "member", &m).await;
    let r = send(app, Method::POST, &format!("/api/v1/projects/{p}/invitations"), Some(json!({"email": "later@seed.co", "role": "viewer"})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = send(app, Method::POST, "/api/v1/api-keys", Some(json!({"name": "k", "project_id": p})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // Use the key once so that last_used_at is set.
    let key = Auth::ApiKey(r.json["data"]["secret"].as_str().unwrap().to_string());
    assert_eq!(send(app, Method::GET, "/api/v1/projects", None, &key).await.status, StatusCode::OK);
    let r = send(app, Method::POST, "/api/v1/agents", Some(json!({"project_id": p, "name": "Ada", "system_prompt": "Hi {{name}}"})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let agent = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(app, Method::POST, "/api/v1/phone-numbers", Some(json!({"project_id": p, "number": "+14155552671"})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let number = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(app, Method::POST, &format!("/api/v1/phone-numbers/{number}/assign"), Some(json!({"agent_id": agent})), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = send(app, Method::PUT, &format!("/api/v1/projects/{p}/active-agent"), Some(json!({"agent_id": agent})), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = send(
        app,
        Method::PUT,
        &format!("/api/v1/projects/{p}/twilio"),
        Some(json!({"account_sid": format!("AC{}", "a".repeat(32)), "auth_token": "b".repeat(32)})),
        &owner,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    (owner, p, agent, number)
}

on_both!(every_v1_time_is_rfc3339_with_milliseconds, |app| {
    let (owner, p, agent, number) = seeded(&app).await;
    // A finished call, so that every call time is there to check.
    let r = send(&app, Method::POST, &format!("/api/v1/agents/{agent}/call"), Some(json!({"to": "+14155550199", "payload": {"name": "Bo"}})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let call = r.json["data"]["id"].as_str().unwrap().to_string();
    for _ in 0..2000 {
        app.run_jobs().await;
        if send(&app, Method::GET, &format!("/api/v1/calls/{call}"), None, &owner).await.json["data"]["ended_at"].is_string() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    app.run_jobs().await;
    // A batch, so that its times are checked too.
    let r = common::send_multipart(
        &app,
        "/api/v1/batches",
        &[("project_id", &p), ("agent_id", &agent), ("name", "B")],
        Some(("file", "a.csv", b"number,name\n+14155550198,Bo\nbad,Al\n")),
        &owner,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let batch = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(&app, Method::POST, "/api/v1/do-not-call", Some(json!({"project_id": p, "number": "+14155550197"})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // A webhook endpoint with a delivery, and a HubSpot connection (stored directly: connecting
    // checks the token with HubSpot, which the tests of `tests/hubspot.rs` fake).
    let r = send(&app, Method::POST, "/api/v1/webhook-endpoints", Some(json!({"project_id": p, "url": "https://example.com/hook"})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let endpoint = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(&app, Method::POST, &format!("/api/v1/webhook-endpoints/{endpoint}/test"), None, &owner).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let delivery = r.json["data"]["id"].as_str().unwrap().to_string();
    {
        let mut c = app.state.db.pool().acquire().await.unwrap();
        let public = r#"{"token_hint":"…abcd","create_contacts":false,"mappings":[]}"#;
        talkdeck::server::db::integrations::put(&mut c, &p, "hubspot", public, "sealed").await.unwrap();
    }
    let doc = app.get("/api/v1/openapi.json", None).await.json;
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        // The event stream never ends; its events carry no times.
        if !path.starts_with("/api/v1/") || item.get("get").is_none() || path.ends_with("openapi.json") || path.ends_with("/calls/stream") {
            continue;
        }
        let url = path
            .replace("/projects/{id}", &format!("/projects/{p}"))
            .replace("/agents/{id}", &format!("/agents/{agent}"))
            .replace("/phone-numbers/{id}", &format!("/phone-numbers/{number}"))
            .replace("/voices/{id}", "/voices/21m00Tcm4TlvDq8ikWAM")
            .replace("/api-keys/{id}", "/api-keys/x")
            .replace("/calls/{id}", &format!("/calls/{call}"))
            .replace("/batches/{id}", &format!("/batches/{batch}"))
            .replace("/webhook-endpoints/{id}", &format!("/webhook-endpoints/{endpoint}"))
            .replace("{delivery_id}", &delivery);
        let r = send(&app, Method::GET, &url, None, &owner).await;
        assert_eq!(r.status, StatusCode::OK, "GET {url}: {}", r.text);
        let mut bad = Vec::new();
        bad_timestamps(&r.json, "", &mut bad);
        assert!(bad.is_empty(), "GET {url}: {bad:?}");
        checked += r.text.matches("_at\"").count();
    }
    assert!(checked >= 15, "only {checked} timestamps seen");
    // The answers of writes too.
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{agent}/calling"), Some(json!({"direction": "inbound"})), &owner).await;
    assert!(common::is_rfc3339_ms(&r.json["data"]["updated_at"]), "{}", r.text);
    let r = send(&app, Method::PUT, &format!("/api/v1/projects/{p}"), Some(json!({"description": "x"})), &owner).await;
    let mut bad = Vec::new();
    bad_timestamps(&r.json, "", &mut bad);
    assert!(bad.is_empty() && r.json["data"]["updated_at"].is_string(), "{}", r.text);
});

/// Walks a list with `limit=2` and returns the ids in order; checks every page's size and that
/// the last page has no cursor.
async fn walk(app: &TestApp, auth: &Auth, url: &str, id: &str) -> Vec<String> {
    let sep = if url.contains('?') { '&' } else { '?' };
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..200 {
        let u = match &cursor {
            Some(c) => format!("{url}{sep}limit=2&cursor={c}"),
            None => format!("{url}{sep}limit=2"),
        };
        let r = send(app, Method::GET, &u, None, auth).await;
        assert_eq!(r.status, StatusCode::OK, "{u}: {}", r.text);
        let data = r.json["data"].as_array().unwrap();
        assert!(data.len() <= 2, "{u}");
        ids.extend(data.iter().map(|d| d[id].as_str().unwrap().to_string()));
        match r.json["next_cursor"].as_str() {
            Some(c) => {
                assert_eq!(data.len(), 2, "{u}: a short page must be the last");
                cursor = Some(c.to_string());
            }
            None => return ids,
        }
    }
    panic!("{url}: no end");
}

async fn check_list(app: &TestApp, auth: &Auth, url: &str, id: &str, at_least: usize) {
    let paged = walk(app, auth, url, id).await;
    let sep = if url.contains('?') { '&' } else { '?' };
    let r = send(app, Method::GET, &format!("{url}{sep}limit=100"), None, auth).await;
    let all: Vec<String> = r.json["data"].as_array().unwrap().iter().map(|d| d[id].as_str().unwrap().to_string()).collect();
    assert!(all.len() >= at_least, "{url}: {} items", all.len());
    assert_eq!(paged, all, "{url}: pages in order, no duplicates, no gaps");
    assert_eq!(paged.iter().collect::<HashSet<_>>().len(), paged.len(), "{url}: duplicates");
    let r = send(app, Method::GET, &format!("{url}{sep}cursor=%21%21not-a-cursor"), None, auth).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{url}: malformed cursor");
    assert_eq!(r.json["error"]["details"][0]["field"], "cursor");
    let r = send(app, Method::GET, &format!("{url}{sep}cursor=W10"), None, auth).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{url}: a cursor of the wrong shape");
    let r = send(app, Method::GET, &format!("{url}{sep}limit=101"), None, auth).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{url}: limit 101");
    assert_eq!(r.json["error"]["details"][0]["field"], "limit");
    assert!(r.json["error"]["message"].as_str().unwrap().contains("between 1 and 100"));
}

on_both!(every_v1_list_is_keyset_paginated, |app| {
    let (_, owner) = user(&app, "lists@x.co").await;
    let mut projects = Vec::new();
    // Names that sort differently with and without case folding.
    for name in ["b", "A", "c", "D", "e"] {
        projects.push(create_project(&app, &owner, name).await);
    }
    let p = projects[0].clone();
    for i in 0..4 {
        let email = format!("m{i}@x.co");
        let (_, a) = user(&app, &email).await;
        invite_and_accept(&app, &owner, &p, &email, "member", &a).await;
    }
    for i in 0..5 {
        let r = send(&app, Method::POST, &format!("/api/v1/projects/{p}/invitations"), Some(json!({"email": format!("i{i}@x.co"), "role": "viewer"})), &owner).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let r = send(&app, Method::POST, "/api/v1/api-keys", Some(json!({"name": format!("k{i}")})), &owner).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let name = ["zed", "Amy", "bob", "Bob", "amy"][i];
        let r = send(&app, Method::POST, "/api/v1/agents", Some(json!({"project_id": p, "name": name})), &owner).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let r = send(&app, Method::POST, "/api/v1/phone-numbers", Some(json!({"project_id": p, "number": format!("+1415555267{i}")})), &owner).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    check_list(&app, &owner, "/api/v1/projects", "id", 5).await;
    check_list(&app, &owner, &format!("/api/v1/projects/{p}/members"), "user_id", 5).await;
    check_list(&app, &owner, &format!("/api/v1/projects/{p}/invitations"), "id", 5).await;
    check_list(&app, &owner, "/api/v1/api-keys", "id", 5).await;
    check_list(&app, &owner, &format!("/api/v1/projects/{p}/audit-log"), "id", 5).await;
    check_list(&app, &owner, &format!("/api/v1/agents?project_id={p}"), "id", 5).await;
    check_list(&app, &owner, &format!("/api/v1/agents?project_id={p}&sort=name"), "id", 5).await;
    check_list(&app, &owner, &format!("/api/v1/agents?project_id={p}&sort=name&q=b"), "id", 2).await;
    check_list(&app, &owner, "/api/v1/voices", "voice_id", 5).await;
    check_list(&app, &owner, "/api/v1/voices?language=en&gender=female", "voice_id", 3).await;
    check_list(&app, &owner, &format!("/api/v1/phone-numbers?project_id={p}"), "id", 5).await;
    let numbers: Vec<String> = (0..5).map(|i| format!("+1415555268{i}")).collect();
    let r = send(&app, Method::POST, "/api/v1/do-not-call", Some(json!({"project_id": p, "numbers": numbers})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    check_list(&app, &owner, &format!("/api/v1/do-not-call?project_id={p}"), "id", 5).await;
    // Projects come by name regardless of case; agents by name likewise.
    let r = send(&app, Method::GET, "/api/v1/projects?limit=100", None, &owner).await;
    let names: Vec<&str> = r.json["data"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["A", "b", "c", "D", "e"]);
    // A cursor of the other agent order is refused rather than misread.
    let r = send(&app, Method::GET, &format!("/api/v1/agents?project_id={p}&limit=2"), None, &owner).await;
    let c = r.json["next_cursor"].as_str().unwrap().to_string();
    let r = send(&app, Method::GET, &format!("/api/v1/agents?project_id={p}&sort=name&cursor={c}"), None, &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
});

async fn raw(app: &TestApp, method: Method, path: &str, content_type: Option<&str>, body: Vec<u8>, auth: &Auth) -> common::Resp {
    let mut b = Request::builder().method(method).uri(path);
    if let Some(ct) = content_type {
        b = b.header("content-type", ct);
    }
    if let Auth::Bearer(t) = auth {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    app.request(b.body(Body::from(body)).unwrap()).await
}

fn v1_error(r: &common::Resp, status: u16, code: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    assert_eq!(r.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/json"), "{}", r.text);
    assert_eq!(r.json["success"], false, "{}", r.text);
    assert_eq!(r.json["error"]["code"], code, "{}", r.text);
    assert!(r.json["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(r.json["error"]["details"].is_array());
}

on_both!(framework_errors_are_json, |app| {
    let (_, auth) = user(&app, "fw@x.co").await;
    let p = create_project(&app, &auth, "FW").await;
    // Query strings.
    v1_error(&send(&app, Method::GET, "/api/v1/projects?limit=abc", None, &auth).await, 400, "invalid_input");
    let r = send(&app, Method::GET, "/api/v1/projects?limit=abc", None, &auth).await;
    assert_eq!(r.json["error"]["details"][0]["field"], "limit", "{}", r.text);
    v1_error(&send(&app, Method::GET, "/api/v1/projects?limit=-1", None, &auth).await, 400, "invalid_input");
    let r = send(&app, Method::GET, "/api/voices?q=%00", None, &auth).await;
    assert_eq!((r.status, r.json["status"].clone()), (StatusCode::BAD_REQUEST, json!("error")), "{}", r.text);
    // Path parameters: not UTF-8, NUL.
    v1_error(&send(&app, Method::GET, "/api/v1/projects/%FF%FE", None, &auth).await, 400, "invalid_input");
    v1_error(&send(&app, Method::GET, "/api/v1/agents/a%00b", None, &auth).await, 400, "invalid_input");
    let r = send(&app, Method::GET, "/api/project/%FF", None, &auth).await;
    assert_eq!((r.status, r.json["code"].clone()), (StatusCode::BAD_REQUEST, json!("invalid_input")), "{}", r.text);
    // Bodies: malformed JSON, wrong types, a missing field, not JSON, too large.
    let url = "/api/v1/projects";
    v1_error(&raw(&app, Method::POST, url, Some("application/json"), b"{\"name\":".to_vec(), &auth).await, 400, "invalid_input");
    v1_error(&raw(&app, Method::POST, url, Some("application/json"), b"{\"name\": 5}".to_vec(), &auth).await, 400, "invalid_input");
    let r = raw(&app, Method::POST, url, Some("application/json"), b"{}".to_vec(), &auth).await;
    v1_error(&r, 400, "invalid_input");
    assert_eq!(r.json["error"]["message"], "name is required.");
    assert_eq!(r.json["error"]["details"], json!([{"field": "name", "message": "name is required."}]));
    v1_error(&raw(&app, Method::POST, url, Some("text/plain"), b"{\"name\":\"x\"}".to_vec(), &auth).await, 415, "unsupported_media_type");
    v1_error(&raw(&app, Method::POST, url, None, b"name=x".to_vec(), &auth).await, 415, "unsupported_media_type");
    v1_error(&raw(&app, Method::POST, url, Some("application/json"), b"{\"name\":\"a\\u0000b\"}".to_vec(), &auth).await, 400, "invalid_input");
    let big = format!("{{\"name\":\"{}\"}}", "x".repeat(3 * 1024 * 1024));
    v1_error(&raw(&app, Method::POST, url, Some("application/json"), big.clone().into_bytes(), &auth).await, 413, "payload_too_large");
    let r = raw(&app, Method::PUT, &format!("/api/project/{p}"), Some("application/json"), big.into_bytes(), &auth).await;
    assert_eq!((r.status, r.json["code"].clone()), (StatusCode::PAYLOAD_TOO_LARGE, json!("payload_too_large")), "{}", r.text);
    // The same missing-field rule on Talkstack.
    let r = send(&app, Method::POST, "/api/project/create-project", Some(json!({"description": "d"})), &auth).await;
    assert_eq!(r.json["message"], "name is required.", "{}", r.text);
    assert_eq!(r.json["errors"], json!([{"field": "name", "message": "name is required."}]));
    // A known path with another method: 405 in JSON, with Allow.
    let r = send(&app, Method::PATCH, "/api/v1/projects", None, &auth).await;
    v1_error(&r, 405, "method_not_allowed");
    assert!(r.headers.get("allow").is_some(), "{:?}", r.headers);
    let r = send(&app, Method::PATCH, "/api/auth/login", None, &Auth::None).await;
    assert_eq!((r.status, r.json["code"].clone()), (StatusCode::METHOD_NOT_ALLOWED, json!("method_not_allowed")), "{}", r.text);
});

#[tokio::test]
async fn docs_page_loads_its_renderer_from_assets() {
    let app = TestApp::new("sqlite").await;
    let r = app.get("/docs", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("/assets/api-docs/swagger-ui-bundle.js") && r.text.contains("/assets/api-docs/docs.js"));
    // No inline script: the page must run under a CSP without 'unsafe-inline'.
    assert_eq!(r.text.matches("<script").count(), r.text.matches("<script src=").count());
    let js = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/public/assets/api-docs/docs.js")).unwrap();
    assert!(js.contains("/api/v1/openapi.json"));
    let v: Value = app.get("/api/v1/openapi.json", None).await.json;
    assert!(v["openapi"].as_str().unwrap().starts_with("3."));
}
