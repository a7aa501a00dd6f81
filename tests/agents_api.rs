//! Agents, the active agent, voices, phone numbers and Twilio import through the compat and v1
//! APIs, on every backend: seeds 000, 001 and 004 field for field, cross-project references,
//! the access matrix for every endpoint added here, and the external services against local fakes.

mod common;

use axum::routing::get;
use axum::Router;
use common::{check, create_project, send, team, user, Auth, TestApp};
use http::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const RACHEL: &str = "21m00Tcm4TlvDq8ikWAM";

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("an object").keys().cloned().collect();
    k.sort();
    k
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// Creates an agent through Talkstack's create-agent and returns its id.
async fn ts_agent(app: &TestApp, auth: &Auth, project: &str, name: &str) -> String {
    let r = send(
        app,
        Method::POST,
        "/api/agent/create-agent",
        Some(json!({"name": name, "systemInstruction": "You help {{customer}}.", "projectId": project, "voice_id": RACHEL})),
        auth,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json["data"]["id"].as_str().unwrap().to_string()
}

/// Adds a number through v1 and returns its id.
async fn v1_number(app: &TestApp, auth: &Auth, project: &str, number: &str, country: Option<&str>) -> String {
    let r = send(app, Method::POST, "/api/v1/phone-numbers", Some(json!({"project_id": project, "number": number, "country": country})), auth).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json["data"]["id"].as_str().unwrap().to_string()
}

async fn numbers_of_project(app: &TestApp, auth: &Auth, project: &str) -> Vec<Value> {
    let r = send(app, Method::GET, &format!("/api/v1/phone-numbers?project_id={project}"), None, auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json["data"].as_array().unwrap().clone()
}

async fn agent(app: &TestApp, auth: &Auth, id: &str) -> Value {
    let r = send(app, Method::GET, &format!("/api/v1/agents/{id}"), None, auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json["data"].clone()
}

on_both!(seed_000_set_active_agent, |app| {
    let (uid, auth) = user(&app, "seed0@x.co").await;
    let project = create_project(&app, &auth, "John Smith Clinic").await;
    let a = ts_agent(&app, &auth, &project, "Receptionist").await;

    let r = send(&app, Method::PATCH, "/api/project/active-agent", Some(json!({"projectId": project, "active_agent": a})), &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(keys(&r.json), sorted(&["message", "status", "project"]));
    assert_eq!(r.json["message"], "updated active agent successfully.");
    assert_eq!(r.json["status"], "success");
    let p = &r.json["project"];
    assert_eq!(keys(p), sorted(&["name", "description", "active_agent", "created_at", "call_status_webhook", "user_id"]));
    assert_eq!(p["name"], "John Smith Clinic");
    assert_eq!(p["description"], "d");
    assert_eq!(p["active_agent"], a.as_str());
    assert_eq!(p["user_id"], uid.as_str());
    assert!(p["call_status_webhook"].is_null());
    // The same values the project itself reports.
    let g = send(&app, Method::GET, &format!("/api/project/{project}"), None, &auth).await;
    assert_eq!(p["created_at"], g.json["data"]["created_at"]);
    assert_eq!(g.json["data"]["active_agent"], a.as_str());

    // Get and remove.
    let r = send(&app, Method::POST, "/api/project/active-agent", Some(json!({"projectId": project})), &auth).await;
    assert_eq!((r.status, r.json["active_agent"].as_str()), (StatusCode::OK, Some(a.as_str())), "{}", r.text);
    let r = send(&app, Method::PATCH, &format!("/api/project/active-agent/{a}"), None, &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.json["project"]["active_agent"].is_null());
    let r = send(&app, Method::POST, "/api/project/active-agent", Some(json!({"projectId": project})), &auth).await;
    assert!(r.json["active_agent"].is_null());

    // 400 without the fields, 401 without credentials.
    for body in [json!({}), json!({"projectId": project}), json!({"active_agent": a})] {
        let r = send(&app, Method::PATCH, "/api/project/active-agent", Some(body), &auth).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        assert_eq!(r.json["status"], "error");
    }
    let r = send(&app, Method::PATCH, "/api/project/active-agent", Some(json!({"projectId": project, "active_agent": a})), &Auth::None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // An agent of another project (even the caller's own) is 404 and changes nothing.
    let other = create_project(&app, &auth, "Other").await;
    let b = ts_agent(&app, &auth, &other, "Elsewhere").await;
    send(&app, Method::PATCH, "/api/project/active-agent", Some(json!({"projectId": project, "active_agent": a})), &auth).await;
    let r = send(&app, Method::PATCH, "/api/project/active-agent", Some(json!({"projectId": project, "active_agent": b})), &auth).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let g = send(&app, Method::GET, &format!("/api/project/{project}"), None, &auth).await;
    assert_eq!(g.json["data"]["active_agent"], a.as_str());
    // Deleting the active agent clears it.
    let r = send(&app, Method::DELETE, "/api/agent", Some(json!({"projectId": project, "agentId": a})), &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let g = send(&app, Method::GET, &format!("/api/project/{project}"), None, &auth).await;
    assert!(g.json["data"]["active_agent"].is_null());
});

on_both!(seed_001_add_number_creates_then_assigns, |app| {
    let (_, auth) = user(&app, "seed1@x.co").await;
    let project = create_project(&app, &auth, "Numbers").await;
    let a = ts_agent(&app, &auth, &project, "Caller").await;

    let body = json!({"e164": "+14155552671", "agentId": a, "projectId": project});
    let r = send(&app, Method::POST, "/api/phone-number/add-number", Some(body.clone()), &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json, json!({"message": "PhoneNumber assigned successfully.", "status": "success"}));
    // Created in the project and assigned to the agent.
    let r = send(&app, Method::POST, "/api/phone-number", Some(json!({"agentId": a})), &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let list = r.json["data"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    let n = &list[0];
    assert_eq!(
        (n["e164"].as_str(), n["status"].as_str(), n["agentId"].as_str(), n["projectId"].as_str()),
        (Some("+14155552671"), Some("AVAILABLE"), Some(a.as_str()), Some(project.as_str()))
    );
    let by_id = send(&app, Method::POST, "/api/phone-number", Some(json!({"phoneNumberId": n["id"]})), &auth).await;
    assert_eq!(by_id.json["data"]["e164"], "+14155552671");
    // Again: the number exists, the assignment stands; still one number.
    let r = send(&app, Method::POST, "/api/phone-number/add-number", Some(body), &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(numbers_of_project(&app, &auth, &project).await.len(), 1);
    // Another agent of the project may use it too (outbound).
    let b = ts_agent(&app, &auth, &project, "Second").await;
    let r = send(&app, Method::POST, "/api/phone-number/add-number", Some(json!({"e164": "+1 (415) 555-2671", "agentId": b, "projectId": project})), &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // Bad input fails cleanly, with nothing written.
    for (body, status) in [
        (json!({"agentId": a, "projectId": project}), StatusCode::BAD_REQUEST),
        (json!({"e164": "+1555", "agentId": a, "projectId": project}), StatusCode::BAD_REQUEST),
        (json!({"e164": "hello", "agentId": a, "projectId": project}), StatusCode::BAD_REQUEST),
        (json!({"e164": "4155552672", "agentId": a, "projectId": project}), StatusCode::BAD_REQUEST),
        (json!({"e164": "+14155552672", "agentId": "nope", "projectId": project}), StatusCode::NOT_FOUND),
    ] {
        let r = send(&app, Method::POST, "/api/phone-number/add-number", Some(body.clone()), &auth).await;
        assert_eq!(r.status, status, "{body}: {}", r.text);
        assert_eq!(r.json["status"], "error");
        assert!(r.json["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    assert_eq!(numbers_of_project(&app, &auth, &project).await.len(), 1);

    // An agent of another project: 404, and the number is not created anywhere.
    let other = create_project(&app, &auth, "Other").await;
    let c = ts_agent(&app, &auth, &other, "Foreign").await;
    let r = send(&app, Method::POST, "/api/phone-number/add-number", Some(json!({"e164": "+16502530000", "agentId": c, "projectId": project})), &auth).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(numbers_of_project(&app, &auth, &project).await.len(), 1);
    assert!(numbers_of_project(&app, &auth, &other).await.is_empty());
    // A number held by another project (of anyone) is refused.
    let (_, stranger) = user(&app, "stranger@x.co").await;
    let theirs = create_project(&app, &stranger, "Theirs").await;
    let their_agent = ts_agent(&app, &stranger, &theirs, "Theirs").await;
    let r = send(&app, Method::POST, "/api/phone-number/add-number", Some(json!({"e164": "+14155552671", "agentId": their_agent, "projectId": theirs})), &stranger).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.json["message"].as_str().unwrap().contains("another project"));
    assert!(numbers_of_project(&app, &stranger, &theirs).await.is_empty());
});

on_both!(seed_004_calling_settings, |app| {
    let (_, auth) = user(&app, "seed4@x.co").await;
    let project = create_project(&app, &auth, "Calling").await;
    let r = send(&app, Method::POST, "/api/v1/agents", Some(json!({"project_id": project, "name": "SupportBot"})), &auth).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let a = r.json["data"]["id"].as_str().unwrap().to_string();
    let n1 = v1_number(&app, &auth, &project, "(415) 555-2671", Some("US")).await;
    let n2 = v1_number(&app, &auth, &project, "+1 650-253-0000", None).await;

    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{a}/calling"), Some(json!({"direction": "outbound", "phone_number_ids": [n2, n1]})), &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(keys(&r.json), sorted(&["success", "message", "data"]));
    assert_eq!(r.json["success"], true);
    assert_eq!(r.json["message"], "Agent calling settings updated successfully");
    let d = &r.json["data"];
    assert_eq!(keys(d), sorted(&["id", "name", "direction", "current_status", "phone_numbers", "updated_at"]));
    assert_eq!(
        (d["id"].as_str(), d["name"].as_str(), d["direction"].as_str(), d["current_status"].as_str()),
        (Some(a.as_str()), Some("SupportBot"), Some("outbound"), Some("draft"))
    );
    assert!(common::is_rfc3339_ms(&d["updated_at"]), "{}", d["updated_at"]);
    let nums = d["phone_numbers"].as_array().unwrap();
    assert_eq!(nums.len(), 2);
    for n in nums {
        assert_eq!(keys(n), sorted(&["id", "number", "country_code", "formatted_number", "current_status"]));
        assert_eq!((n["country_code"].as_str(), n["current_status"].as_str()), (Some("US"), Some("active")));
    }
    // In the order of the request (here the reverse of their creation).
    assert_eq!((nums[0]["id"].as_str(), nums[1]["id"].as_str()), (Some(n2.as_str()), Some(n1.as_str())));
    let first = nums.iter().find(|n| n["id"] == n1.as_str()).unwrap();
    assert_eq!((first["number"].as_str(), first["formatted_number"].as_str()), (Some("+14155552671"), Some("(415) 555-2671")));
    let second = nums.iter().find(|n| n["id"] == n2.as_str()).unwrap();
    assert_eq!((second["number"].as_str(), second["formatted_number"].as_str()), (Some("+16502530000"), Some("(650) 253-0000")));
    let version = agent(&app, &auth, &a).await["version"].as_i64().unwrap();

    // A number id of another project (the caller's own other project): 404, nothing changes.
    let other = create_project(&app, &auth, "Other").await;
    let foreign = v1_number(&app, &auth, &other, "+442079460958", None).await;
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{a}/calling"), Some(json!({"direction": "inbound", "phone_number_ids": [n1, foreign]})), &auth).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(r.json["success"], false);
    assert_eq!(r.json["error"]["code"], "not_found");
    let after = agent(&app, &auth, &a).await;
    assert_eq!((after["direction"].as_str(), after["version"].as_i64()), (Some("outbound"), Some(version)));
    assert_eq!(after["phone_numbers"].as_array().unwrap().len(), 2);
    // Unknown ids and bad directions too.
    for body in [
        json!({"direction": "outbound", "phone_number_ids": ["nope"]}),
        json!({"phone_number_ids": [n1]}),
        json!({"direction": "sideways"}),
        json!({"direction": "outbound", "phone_number_ids": "x"}),
    ] {
        let r = send(&app, Method::PUT, &format!("/api/v1/agents/{a}/calling"), Some(body.clone()), &auth).await;
        assert!(matches!(r.status.as_u16(), 400 | 404), "{body}: {}", r.text);
        assert_eq!(r.json["success"], false);
    }
    assert_eq!(agent(&app, &auth, &a).await["version"].as_i64(), Some(version));
    // An agent of another user: 404.
    let (_, stranger) = user(&app, "stranger4@x.co").await;
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{a}/calling"), Some(json!({"direction": "inbound"})), &stranger).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Inbound: one agent per number.
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{a}/calling"), Some(json!({"direction": "inbound", "phone_number_ids": [n1]})), &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["data"]["phone_numbers"].as_array().unwrap().len(), 1);
    let r = send(&app, Method::POST, "/api/v1/agents", Some(json!({"project_id": project, "name": "Second", "direction": "inbound"})), &auth).await;
    let b = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{b}/calling"), Some(json!({"direction": "inbound", "phone_number_ids": [n1]})), &auth).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.json["error"]["message"].as_str().unwrap().contains("SupportBot"));
    let r = send(&app, Method::POST, &format!("/api/v1/phone-numbers/{n1}/assign"), Some(json!({"agent_id": b})), &auth).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    // Outbound agents may share it.
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{b}/calling"), Some(json!({"direction": "outbound", "phone_number_ids": [n1]})), &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // ... but B cannot then turn inbound on it.
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{b}"), Some(json!({"direction": "inbound"})), &auth).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let n = send(&app, Method::GET, &format!("/api/v1/phone-numbers/{n1}"), None, &auth).await;
    assert_eq!(n.json["data"]["agent_id"], a.as_str(), "the inbound agent is the number's agent");
    assert_eq!(n.json["data"]["agents"].as_array().unwrap().len(), 2);
});

on_both!(agent_settings_validation_versions_and_lists, |app| {
    let (_, auth) = user(&app, "agents@x.co").await;
    let project = create_project(&app, &auth, "Agents").await;
    let full = json!({
        "project_id": project,
        "name": "Booker",
        "system_prompt": "You book visits for {{customer_name}} on {{date}}. Greet {{customer_name}}.",
        "first_message": "Hi {{customer_name}}!",
        "voice_id": RACHEL,
        "language": "en-gb",
        "llm_model": "gpt-4o",
        "temperature": 1.25,
        "speaks_first": "user",
        "max_duration_secs": 900,
        "recording": false,
        "direction": "inbound",
        "status": "published",
        "analysis": {"summary": true, "success_criteria": "A visit is booked.", "questions": [
            {"question": "Was a visit booked?", "type": "Boolean"},
            {"question": "Which slot?", "type": "Selector", "options": ["Morning", "Afternoon"]}
        ]}
    });
    let r = send(&app, Method::POST, "/api/v1/agents", Some(full), &auth).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let d = &r.json["data"];
    let id = d["id"].as_str().unwrap().to_string();
    assert_eq!(d["variables"], json!(["customer_name", "date"]));
    assert_eq!((d["language"].as_str(), d["temperature"].as_f64(), d["speaks_first"].as_str()), (Some("en-GB"), Some(1.25), Some("user")));
    assert_eq!((d["max_duration_secs"].as_i64(), d["recording"].as_bool(), d["status"].as_str()), (Some(900), Some(false), Some("published")));
    assert_eq!((d["voice_name"].as_str(), d["version"].as_i64()), (Some("Rachel"), Some(1)));
    assert_eq!(d["analysis"]["questions"][1]["options"], json!(["Morning", "Afternoon"]));
    // Lists name the voice too (looked up for the agents listed, not the whole catalog).
    let r = send(&app, Method::GET, "/api/v1/agents", None, &auth).await;
    let listed = r.json["data"].as_array().unwrap().iter().find(|a| a["id"] == json!(id)).cloned().unwrap();
    assert_eq!(listed["voice_name"].as_str(), Some("Rachel"), "{}", r.text);

    // Every bad field reported at once; nothing changes.
    let bad = json!({"name": "", "temperature": 2.5, "max_duration_secs": 3601, "speaks_first": "nobody", "direction": "up",
        "status": "live", "language": "english", "system_prompt": "Hi {{name",
        "analysis": {"questions": [{"question": "Pick", "type": "Selector", "options": ["one"]}]}});
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{id}"), Some(bad), &auth).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let fields: BTreeSet<String> = r.json["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap().to_string()).collect();
    for f in ["name", "temperature", "max_duration_secs", "speaks_first", "direction", "status", "language", "system_prompt", "analysis.questions.0.options"] {
        assert!(fields.contains(f), "{f} missing from {fields:?}");
    }
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{id}"), Some(json!({"temperature": "hot"})), &auth).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let now = agent(&app, &auth, &id).await;
    assert_eq!((now["name"].as_str(), now["version"].as_i64()), (Some("Booker"), Some(1)));
    // Unknown voice: 404, nothing changes.
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{id}/voice"), Some(json!({"voice_id": "no-such-voice"})), &auth).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(agent(&app, &auth, &id).await["voice_id"], RACHEL);

    // Every change bumps the version; a save that changes nothing does not; stale saves conflict.
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{id}"), Some(json!({"name": "Booker 2", "expected_version": 1})), &auth).await;
    assert_eq!((r.status, r.json["data"]["version"].as_i64()), (StatusCode::OK, Some(2)), "{}", r.text);
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{id}"), Some(json!({"name": "Booker 2"})), &auth).await;
    assert_eq!(r.json["data"]["version"].as_i64(), Some(2));
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{id}"), Some(json!({"name": "Lost", "expected_version": 1})), &auth).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(agent(&app, &auth, &id).await["name"], "Booker 2");
    let r = send(&app, Method::PUT, "/api/agent", Some(json!({"projectId": project, "agentId": id, "systemInstruction": "New {{x}}"})), &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.json["data"]["systemInstruction"].as_str(), r.json["data"]["version"].as_i64()), (Some("New {{x}}"), Some(3)));
    assert_eq!(r.json["data"]["variables"], json!(["x", "customer_name"]));

    // Rendering names the missing variables.
    let r = send(&app, Method::POST, &format!("/api/v1/agents/{id}/render"), Some(json!({"variables": {"x": "1"}})), &auth).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.json["error"]["message"].as_str().unwrap().contains("customer_name"));
    let r = send(&app, Method::POST, &format!("/api/v1/agents/{id}/render"), Some(json!({"variables": {"x": "1", "customer_name": "Ada"}})), &auth).await;
    assert_eq!((r.json["data"]["system_prompt"].as_str(), r.json["data"]["first_message"].as_str()), (Some("New 1"), Some("Hi Ada!")));

    // Lists: search and sort; Talkstack's list and get.
    for name in ["alpha", "Zulu", "mike"] {
        send(&app, Method::POST, "/api/v1/agents", Some(json!({"project_id": project, "name": name})), &auth).await;
    }
    let names = |r: &common::Resp| r.json["data"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    let r = send(&app, Method::GET, &format!("/api/v1/agents?project_id={project}&sort=name"), None, &auth).await;
    assert_eq!(names(&r), ["alpha", "Booker 2", "mike", "Zulu"]);
    let r = send(&app, Method::GET, &format!("/api/v1/agents?project_id={project}"), None, &auth).await;
    assert_eq!(names(&r)[0], "mike", "most recently updated first");
    let r = send(&app, Method::GET, &format!("/api/v1/agents?project_id={project}&q=KE"), None, &auth).await;
    assert_eq!(names(&r), ["mike", "Booker 2"]);
    let r = send(&app, Method::GET, &format!("/api/v1/agents?project_id={project}&q=%25"), None, &auth).await;
    assert!(names(&r).is_empty(), "LIKE wildcards are literal");
    let r = send(&app, Method::GET, &format!("/api/agent/{project}"), None, &auth).await;
    assert_eq!(r.json["data"].as_array().unwrap().len(), 4);
    let r = send(&app, Method::POST, "/api/agent", Some(json!({"projectId": project, "agentId": id})), &auth).await;
    assert_eq!((r.json["data"]["name"].as_str(), r.json["data"]["projectId"].as_str()), (Some("Booker 2"), Some(project.as_str())));

    // Duplicate: a draft copy without numbers.
    let n = v1_number(&app, &auth, &project, "+14155552671", None).await;
    send(&app, Method::PUT, &format!("/api/v1/agents/{id}/calling"), Some(json!({"direction": "inbound", "phone_number_ids": [n]})), &auth).await;
    let r = send(&app, Method::POST, &format!("/api/v1/agents/{id}/duplicate"), None, &auth).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!((r.json["data"]["name"].as_str(), r.json["data"]["status"].as_str()), (Some("Copy of Booker 2"), Some("draft")));
    assert!(r.json["data"]["phone_numbers"].as_array().unwrap().is_empty());
    assert_eq!(r.json["data"]["system_prompt"], "New {{x}}");

    // Deleting releases the numbers: they stay in the project, unassigned.
    let r = send(&app, Method::DELETE, &format!("/api/v1/agents/{id}"), None, &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = send(&app, Method::GET, &format!("/api/v1/phone-numbers/{n}"), None, &auth).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json["data"]["agent_id"].is_null());
    let r = send(&app, Method::GET, &format!("/api/v1/agents/{id}"), None, &auth).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
});

on_both!(machine_detection_is_set_read_versioned_and_validated, |app| {
    let (_, auth) = user(&app, "amd@x.co").await;
    let project = create_project(&app, &auth, "Voicemail").await;
    let r = send(&app, Method::POST, "/api/v1/agents", Some(json!({"project_id": project, "name": "Dialer", "machine_detection": "leave_message"})), &auth).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json["data"]["machine_detection"], "leave_message");
    let id = r.json["data"]["id"].as_str().unwrap().to_string();
    let a = agent(&app, &auth, &id).await;
    assert_eq!((a["machine_detection"].as_str(), a["version"].as_i64()), (Some("leave_message"), Some(1)));

    // A change bumps the version; the same value again does not.
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{id}"), Some(json!({"machine_detection": "hang_up", "expected_version": 1})), &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.json["data"]["machine_detection"].as_str(), r.json["data"]["version"].as_i64()), (Some("hang_up"), Some(2)));
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{id}"), Some(json!({"machine_detection": "hang_up"})), &auth).await;
    assert_eq!(r.json["data"]["version"].as_i64(), Some(2));
    // An update that omits it keeps it.
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{id}"), Some(json!({"name": "Dialer 2"})), &auth).await;
    assert_eq!((r.json["data"]["machine_detection"].as_str(), r.json["data"]["version"].as_i64()), (Some("hang_up"), Some(3)));

    // Omitted on create: off.
    let r = send(&app, Method::POST, "/api/v1/agents", Some(json!({"project_id": project, "name": "Plain"})), &auth).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json["data"]["machine_detection"], "off");

    // An unknown value is a field error naming the allowed values; nothing changes.
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{id}"), Some(json!({"machine_detection": "sometimes"})), &auth).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let detail = &r.json["error"]["details"][0];
    assert_eq!(detail["field"], "machine_detection", "{}", r.text);
    for v in ["off", "hang_up", "leave_message"] {
        assert!(detail["message"].as_str().unwrap().contains(v), "{detail}");
    }
    let r = send(&app, Method::POST, "/api/v1/agents", Some(json!({"project_id": project, "name": "Bad", "machine_detection": "sometimes"})), &auth).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.json["error"]["details"][0]["field"], "machine_detection");
    assert_eq!(agent(&app, &auth, &id).await["machine_detection"], "hang_up");

    // Duplicates carry it; Talkstack's update (whose format has no such field) keeps it.
    let r = send(&app, Method::POST, &format!("/api/v1/agents/{id}/duplicate"), None, &auth).await;
    assert_eq!(r.json["data"]["machine_detection"], "hang_up", "{}", r.text);
    let r = send(&app, Method::PUT, "/api/agent", Some(json!({"projectId": project, "agentId": id, "systemInstruction": "Call {{x}}"})), &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.json["data"].get("machine_detection").is_none(), "Talkstack's agent object is unchanged");
    assert_eq!(agent(&app, &auth, &id).await["machine_detection"], "hang_up");
    let ts = ts_agent(&app, &auth, &project, "Compat").await;
    assert_eq!(agent(&app, &auth, &ts).await["machine_detection"], "off");
});

on_both!(project_delete_refuses_while_agents_or_numbers_remain, |app| {
    let (_, auth) = user(&app, "del@x.co").await;
    let project = create_project(&app, &auth, "Doomed").await;
    ts_agent(&app, &auth, &project, "A").await;
    v1_number(&app, &auth, &project, "+14155552671", None).await;
    let r = send(&app, Method::DELETE, &format!("/api/project/{project}"), Some(json!({})), &auth).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.json["message"].as_str().unwrap().contains("1 agent"));
    assert_eq!(send(&app, Method::GET, &format!("/api/project/{project}"), None, &auth).await.status, StatusCode::OK);
    let r = send(&app, Method::DELETE, &format!("/api/project/{project}"), Some(json!({"cascade": true})), &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // The number is free again for another project.
    let next = create_project(&app, &auth, "Next").await;
    v1_number(&app, &auth, &next, "+14155552671", None).await;
});

on_both!(numbers_normalise_label_and_release, |app| {
    let (_, auth) = user(&app, "nums@x.co").await;
    let project = create_project(&app, &auth, "Nums").await;
    let cases = [
        ("(415) 555-2671", Some("US"), "+14155552671", "US", "(415) 555-2671", "+1 415-555-2671"),
        ("020 7946 0958", Some("GB"), "+442079460958", "GB", "020 7946 0958", "+44 20 7946 0958"),
        ("+49 30 901820", None, "+4930901820", "DE", "030 901820", "+49 30 901820"),
    ];
    for (typed, country, e164, cc, national, intl) in cases {
        let r =
            send(&app, Method::POST, "/api/v1/phone-numbers", Some(json!({"project_id": project, "number": typed, "country": country, "label": "Main"})), &auth).await;
        assert_eq!(r.status, StatusCode::CREATED, "{typed}: {}", r.text);
        let d = &r.json["data"];
        assert_eq!(
            (d["number"].as_str(), d["country_code"].as_str(), d["formatted_number"].as_str(), d["international_number"].as_str()),
            (Some(e164), Some(cc), Some(national), Some(intl)),
            "{typed}"
        );
        assert_eq!((d["provider"].as_str(), d["status"].as_str(), d["label"].as_str()), (Some("simulator"), Some("active"), Some("Main")));
    }
    // Refusals with clear messages, nothing added.
    for (body, status, field) in [
        (json!({"project_id": project, "number": "555"}), 400, "number"),
        (json!({"project_id": project, "number": "415 555 2671"}), 400, "number"),
        (json!({"project_id": project, "number": "415 555 2671", "country": "ZZ"}), 400, "country"),
        (json!({"project_id": project, "number": "+1 415 555 2671"}), 409, "number"),
        (json!({"project_id": project, "number": "+14155550000", "label": "x".repeat(101)}), 400, "label"),
    ] {
        let r = send(&app, Method::POST, "/api/v1/phone-numbers", Some(body.clone()), &auth).await;
        assert_eq!(r.status.as_u16(), status, "{body}: {}", r.text);
        let details = r.json["error"]["details"].as_array().unwrap();
        assert!(details.iter().any(|d| d["field"] == field), "{body}: {}", r.text);
    }
    assert_eq!(numbers_of_project(&app, &auth, &project).await.len(), 3);
    let id = numbers_of_project(&app, &auth, &project).await[0]["id"].as_str().unwrap().to_string();
    let r = send(&app, Method::PATCH, &format!("/api/v1/phone-numbers/{id}"), Some(json!({"label": "  Front desk "})), &auth).await;
    assert_eq!(r.json["data"]["label"], "Front desk");
    // Assign / unassign through the number.
    let a = ts_agent(&app, &auth, &project, "A").await;
    let r = send(&app, Method::POST, &format!("/api/v1/phone-numbers/{id}/assign"), Some(json!({"agent_id": a})), &auth).await;
    assert_eq!((r.status, r.json["data"]["agent_id"].as_str()), (StatusCode::OK, Some(a.as_str())), "{}", r.text);
    assert_eq!(agent(&app, &auth, &a).await["phone_numbers"].as_array().unwrap().len(), 1);
    let r = send(&app, Method::POST, &format!("/api/v1/phone-numbers/{id}/unassign"), Some(json!({"agent_id": a})), &auth).await;
    assert!(r.json["data"]["agent_id"].is_null(), "{}", r.text);
    // Release.
    let r = send(&app, Method::DELETE, &format!("/api/v1/phone-numbers/{id}"), None, &auth).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(send(&app, Method::GET, &format!("/api/v1/phone-numbers/{id}"), None, &auth).await.status, StatusCode::NOT_FOUND);
    assert_eq!(numbers_of_project(&app, &auth, &project).await.len(), 2);
});

on_both!(voices_catalog_filters_and_detail, |app| {
    let (_, auth) = user(&app, "voices@x.co").await;
    let r = send(&app, Method::GET, "/api/voices", None, &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let all = r.json["voices"].as_array().unwrap().clone();
    assert!(all.len() >= 30, "{} voices", all.len());
    let set = |k: &str| all.iter().map(|v| v[k].as_str().unwrap().to_string()).collect::<BTreeSet<_>>();
    assert!(set("provider").len() >= 4, "{:?}", set("provider"));
    assert!(set("language").len() >= 5, "{:?}", set("language"));
    for v in &all {
        assert_eq!(keys(v), sorted(&["voice_id", "name", "provider", "language", "labels", "preview_url"]), "{v}");
        assert_eq!(keys(&v["labels"]), sorted(&["accent", "description", "age", "gender", "use_case"]));
        let url = v["preview_url"].as_str().unwrap();
        assert!(url.starts_with("http://127.0.0.1:3000/assets/voices/"), "{url}");
        // The preview ships with the product.
        let file = format!("public{}", url.trim_start_matches("http://127.0.0.1:3000"));
        assert!(std::path::Path::new(&file).is_file(), "{file} missing");
    }
    let only = |q: &str, key: &str, want: &str| {
        let app = &app;
        let auth = auth.clone();
        let q = q.to_string();
        let key = key.to_string();
        let want = want.to_string();
        async move {
            let r = send(app, Method::GET, &format!("/api/voices?{q}"), None, &auth).await;
            let list = r.json["voices"].as_array().unwrap().clone();
            assert!(!list.is_empty(), "{q}");
            for v in &list {
                let got =
                    if let Some(label) = key.strip_prefix("labels.") { v["labels"][label].as_str().unwrap().to_string() } else { v[&key].as_str().unwrap().to_string() };
                assert!(got.to_lowercase().starts_with(&want), "{q}: {got}");
            }
            list.len()
        }
    };
    let azure = only("provider=azure", "provider", "azure").await;
    assert!(azure < all.len());
    only("language=en", "language", "en").await;
    only("language=en-GB", "language", "en-gb").await;
    only("gender=female", "labels.gender", "female").await;
    only("provider=elevenlabs&gender=male", "labels.gender", "male").await;
    let r = send(&app, Method::GET, "/api/voices?q=rachel", None, &auth).await;
    assert_eq!(r.json["voices"][0]["voice_id"], RACHEL);
    let r = send(&app, Method::GET, "/api/voices?provider=nobody", None, &auth).await;
    assert!(r.json["voices"].as_array().unwrap().is_empty());
    let r = send(&app, Method::GET, &format!("/api/voices/{RACHEL}"), None, &auth).await;
    assert_eq!((r.json["voice"]["name"].as_str(), r.json["voice"]["labels"]["gender"].as_str()), (Some("Rachel"), Some("female")));
    assert_eq!(send(&app, Method::GET, "/api/voices/nope", None, &auth).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, Method::GET, "/api/voices", None, &Auth::None).await.status, StatusCode::UNAUTHORIZED);
    // v1: paginated, filters listed.
    let r = send(&app, Method::GET, "/api/v1/voices?limit=5&language=en", None, &auth).await;
    assert_eq!(r.json["data"].as_array().unwrap().len(), 5);
    assert!(r.json["next_cursor"].is_string());
    let r = send(&app, Method::GET, "/api/v1/voices/filters", None, &auth).await;
    assert!(r.json["data"]["providers"].as_array().unwrap().len() >= 4);
});

/// A fake ElevenLabs: `GET /v1/voices` with the right `xi-api-key`.
async fn fake_elevenlabs() -> String {
    let app = Router::new().route(
        "/v1/voices",
        get(|h: http::HeaderMap| async move {
            if h.get("xi-api-key").and_then(|v| v.to_str().ok()) != Some("el-key") {
                return (StatusCode::UNAUTHORIZED, axum::Json(json!({"detail": "bad key"})));
            }
            (StatusCode::OK, axum::Json(json!({"voices": [
                {"voice_id": "ElCustomVoice01", "name": "Nadia", "category": "cloned",
                 "labels": {"accent": "arabic", "description": "soft", "age": "young", "gender": "female", "use_case": "customer_service", "language": "ar"},
                 "preview_url": "https://cdn.example/nadia.mp3"},
                {"voice_id": RACHEL, "name": "Rachel", "labels": {"accent": "american", "gender": "female", "age": "young"}, "preview_url": "https://cdn.example/rachel.mp3"},
                {"voice_id": "bad id with spaces", "name": "Skip me", "labels": {}}
            ]})))
        }),
    );
    serve(app).await
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn elevenlabs_voices_are_merged() {
    let base = fake_elevenlabs().await;
    for backend in common::backends() {
        let app = TestApp::with_config(backend, |c| {
            c.elevenlabs_api_key = Some("el-key".into());
            c.elevenlabs_api_base = base.clone();
        })
        .await;
        let before = {
            let a = talkdeck::server::auth::Actor::from(principal_for(&app).await);
            app.state.read(async |c| talkdeck::server::services::voices::facets(c, &a).await).await
        }
        .unwrap();
        let n = talkdeck::server::services::voices::sync_elevenlabs(&app.state).await.unwrap();
        assert_eq!(n, 2, "{backend}");
        let (_, auth) = user(&app, "el@x.co").await;
        let r = send(&app, Method::GET, "/api/voices/ElCustomVoice01", None, &auth).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!((r.json["voice"]["provider"].as_str(), r.json["voice"]["language"].as_str()), (Some("elevenlabs"), Some("ar")));
        assert_eq!(r.json["voice"]["labels"]["use_case"], "customer service");
        assert_eq!(r.json["voice"]["preview_url"], "https://cdn.example/nadia.mp3");
        // A shipped voice is refreshed in place (the provider's preview wins), not duplicated.
        let r = send(&app, Method::GET, "/api/voices?q=rachel", None, &auth).await;
        assert_eq!(r.json["voices"].as_array().unwrap().len(), 1);
        assert_eq!(r.json["voices"][0]["preview_url"], "https://cdn.example/rachel.mp3");
        assert_eq!(send(&app, Method::GET, "/api/voices/bad%20id%20with%20spaces", None, &auth).await.status, StatusCode::NOT_FOUND);
        assert!(!before.languages.contains(&"ar".to_string()));
        // Syncing twice changes nothing.
        assert_eq!(talkdeck::server::services::voices::sync_elevenlabs(&app.state).await.unwrap(), 2);
    }
    // A wrong key is an upstream error, not a crash.
    let app = TestApp::with_config("sqlite", |c| {
        c.elevenlabs_api_key = Some("wrong".into());
        c.elevenlabs_api_base = base.clone();
    })
    .await;
    let e = talkdeck::server::services::voices::sync_elevenlabs(&app.state).await.unwrap_err();
    assert_eq!(e.code, talkdeck::model::ErrorCode::Upstream);
}

async fn principal_for(app: &TestApp) -> talkdeck::server::auth::Principal {
    let u = talkdeck::server::services::accounts::create_verified_user(&app.state, "P", "principal@x.co", common::PW).await.unwrap();
    let t = talkdeck::server::services::accounts::issue_tokens(&app.state, &u.id).await.unwrap();
    let mut h = http::HeaderMap::new();
    h.insert("authorization", format!("Bearer {}", t.access_token).parse().unwrap());
    talkdeck::server::http::principal(&app.state, &h).await.unwrap()
}

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "twilio-auth-token-0123456789";

/// A fake Twilio: the account's incoming numbers over two pages, behind basic auth.
async fn fake_twilio() -> String {
    use base64::Engine;
    let expected = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}")));
    let app = Router::new().route(
        "/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json",
        get(move |axum::extract::Path(sid): axum::extract::Path<String>, q: axum::extract::Query<std::collections::HashMap<String, String>>, h: http::HeaderMap| {
            let expected = expected.clone();
            async move {
                if h.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) || sid != SID {
                    return (StatusCode::UNAUTHORIZED, axum::Json(json!({"code": 20003, "message": "Authenticate"})));
                }
                if q.get("Page").map(String::as_str) == Some("1") {
                    return (
                        StatusCode::OK,
                        axum::Json(json!({"incoming_phone_numbers": [
                        {"sid": "PN003", "phone_number": "+16502530000", "friendly_name": "Taken elsewhere"},
                        {"sid": "PN004", "phone_number": "+999", "friendly_name": "Broken"}
                    ], "next_page_uri": null})),
                    );
                }
                (
                    StatusCode::OK,
                    axum::Json(json!({"incoming_phone_numbers": [
                    {"sid": "PN001", "phone_number": "+14155552671", "friendly_name": "(415) 555-2671"},
                    {"sid": "PN002", "phone_number": "+442079460958", "friendly_name": "London office"}
                ], "next_page_uri": format!("/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers.json?Page=1&PageSize=2")})),
                )
            }
        }),
    );
    serve(app).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_numbers_are_imported_from_the_account() {
    let base = fake_twilio().await;
    for backend in common::backends() {
        let app = TestApp::with_config(backend, |c| c.twilio_api_base = base.clone()).await;
        let (_, auth) = user(&app, "tw@x.co").await;
        let project = create_project(&app, &auth, "Twilio").await;
        // No credentials yet: the project is not ready (409), the request itself is fine.
        let r = send(&app, Method::POST, &format!("/api/v1/projects/{project}/twilio/import"), None, &auth).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        // Bad credentials are refused before anything is stored.
        let r = send(&app, Method::PUT, &format!("/api/v1/projects/{project}/twilio"), Some(json!({"account_sid": "AC12", "auth_token": "x"})), &auth).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json["error"]["details"].as_array().unwrap().len(), 2);
        let r = send(&app, Method::PUT, &format!("/api/v1/projects/{project}/twilio"), Some(json!({"account_sid": SID, "auth_token": TOKEN})), &auth).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!((r.json["data"]["account_sid"].as_str(), r.json["data"]["auth_token_hint"].as_str()), (Some(SID), Some("…6789")));
        assert!(!r.text.contains(TOKEN));
        // Encrypted at rest.
        let stored: String = sqlx::query_scalar("SELECT secret_sealed FROM integrations WHERE project_id = $1")
            .bind(&project)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
        assert!(stored.starts_with("v1.") && !stored.contains(TOKEN) && !stored.contains("0123456789"));
        let r = send(&app, Method::GET, &format!("/api/v1/projects/{project}/twilio"), None, &auth).await;
        assert!(!r.text.contains(TOKEN));

        // One number already in the project, one in someone else's project.
        v1_number(&app, &auth, &project, "+14155552671", None).await;
        let (_, stranger) = user(&app, "tw-other@x.co").await;
        let theirs = create_project(&app, &stranger, "Theirs").await;
        v1_number(&app, &stranger, &theirs, "+16502530000", None).await;

        let r = send(&app, Method::POST, &format!("/api/v1/projects/{project}/twilio/import"), None, &auth).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let d = &r.json["data"];
        let imported = d["imported"].as_array().unwrap();
        assert_eq!(imported.len(), 1, "{d}");
        assert_eq!(
            (imported[0]["number"].as_str(), imported[0]["provider"].as_str(), imported[0]["label"].as_str(), imported[0]["twilio_sid"].as_str()),
            (Some("+442079460958"), Some("twilio"), Some("London office"), Some("PN002"))
        );
        assert_eq!(d["already_present"], 1);
        let skipped: Vec<&str> = d["skipped"].as_array().unwrap().iter().map(|s| s["number"].as_str().unwrap()).collect();
        assert_eq!(skipped, ["+16502530000", "+999"]);
        let list = numbers_of_project(&app, &auth, &project).await;
        assert_eq!(list.len(), 2);
        let present = list.iter().find(|n| n["number"] == "+14155552671").unwrap();
        assert_eq!((present["provider"].as_str(), present["twilio_sid"].as_str()), (Some("twilio"), Some("PN001")));
        // Importing again adds nothing.
        let r = send(&app, Method::POST, &format!("/api/v1/projects/{project}/twilio/import"), None, &auth).await;
        assert_eq!((r.json["data"]["imported"].as_array().unwrap().len(), r.json["data"]["already_present"].as_u64()), (0, Some(2)));

        // A token Twilio refuses: a clear 400, nothing imported.
        send(&app, Method::PUT, &format!("/api/v1/projects/{project}/twilio"), Some(json!({"account_sid": SID, "auth_token": "wrong-token-0123456789"})), &auth).await;
        let r = send(&app, Method::POST, &format!("/api/v1/projects/{project}/twilio/import"), None, &auth).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        assert!(r.json["error"]["message"].as_str().unwrap().contains("Twilio refused"));
        let r = send(&app, Method::DELETE, &format!("/api/v1/projects/{project}/twilio"), None, &auth).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(send(&app, Method::GET, &format!("/api/v1/projects/{project}/twilio"), None, &auth).await.status, StatusCode::NOT_FOUND);
    }
}

on_both!(access_matrix_for_agents_numbers_and_voices, |app| {
    let t = team(&app, "ag").await;
    let p = t.project.clone();
    let owner = t.auths[0].clone();
    let a = ts_agent(&app, &owner, &p, "Main").await;
    let n = v1_number(&app, &owner, &p, "+14155552671", None).await;
    // One agent and one number per role for the destructive rows.
    let mut doomed_agents = Vec::new();
    let mut doomed_numbers = Vec::new();
    for i in 0..6 {
        doomed_agents.push(ts_agent(&app, &owner, &p, &format!("Doomed {i}")).await);
        doomed_numbers.push(v1_number(&app, &owner, &p, &format!("+1650253000{i}"), None).await);
    }
    send(&app, Method::PUT, &format!("/api/v1/projects/{p}/twilio"), Some(json!({"account_sid": SID, "auth_token": TOKEN})), &owner).await;

    let mut rows: Vec<(String, Vec<StatusCode>, [u16; 6])> = Vec::new();
    macro_rules! row {
        ($name:expr, $want:expr, |$i:ident, $auth:ident| $req:expr) => {{
            let mut got = Vec::new();
            for ($i, $auth) in t.auths.iter().enumerate() {
                let _ = $i;
                got.push($req.await.status);
            }
            rows.push(($name.to_string(), got, $want));
        }};
    }
    row!("v1 list agents", [200, 200, 200, 200, 404, 404], |i, au| send(&app, Method::GET, &format!("/api/v1/agents?project_id={p}"), None, au));
    row!("v1 create agent", [201, 201, 201, 403, 404, 404], |i, au| send(&app, Method::POST, "/api/v1/agents", Some(json!({"project_id": p, "name": "New"})), au));
    row!("v1 get agent", [200, 200, 200, 200, 404, 404], |i, au| send(&app, Method::GET, &format!("/api/v1/agents/{a}"), None, au));
    row!("v1 update agent", [200, 200, 200, 403, 404, 404], |i, au| send(
        &app,
        Method::PUT,
        &format!("/api/v1/agents/{a}"),
        Some(json!({"name": format!("Main {i}")})),
        au
    ));
    row!("v1 duplicate agent", [201, 201, 201, 403, 404, 404], |i, au| send(&app, Method::POST, &format!("/api/v1/agents/{a}/duplicate"), None, au));
    row!("v1 set voice", [200, 200, 200, 403, 404, 404], |i, au| send(&app, Method::PUT, &format!("/api/v1/agents/{a}/voice"), Some(json!({"voice_id": RACHEL})), au));
    row!("v1 render", [200, 200, 200, 200, 404, 404], |i, au| send(
        &app,
        Method::POST,
        &format!("/api/v1/agents/{a}/render"),
        Some(json!({"variables": {"customer": "x"}})),
        au
    ));
    row!("v1 calling direction", [200, 200, 200, 403, 404, 404], |i, au| send(
        &app,
        Method::PUT,
        &format!("/api/v1/agents/{a}/calling"),
        Some(json!({"direction": "outbound"})),
        au
    ));
    // Owner adds the number, admin removes it, the others try to add it back.
    row!("v1 calling numbers", [200, 200, 403, 403, 404, 404], |i, au| send(
        &app,
        Method::PUT,
        &format!("/api/v1/agents/{a}/calling"),
        Some(json!({"direction": "outbound", "phone_number_ids": if i == 1 { json!([]) } else { json!([n]) }})),
        au
    ));
    row!("v1 active agent get", [200, 200, 200, 200, 404, 404], |i, au| send(&app, Method::GET, &format!("/api/v1/projects/{p}/active-agent"), None, au));
    row!("v1 active agent set", [200, 200, 200, 403, 404, 404], |i, au| send(
        &app,
        Method::PUT,
        &format!("/api/v1/projects/{p}/active-agent"),
        Some(json!({"agent_id": a})),
        au
    ));
    row!("v1 active agent clear", [200, 200, 200, 403, 404, 404], |i, au| send(&app, Method::DELETE, &format!("/api/v1/projects/{p}/active-agent"), None, au));
    row!("v1 delete agent", [200, 200, 200, 403, 404, 404], |i, au| send(&app, Method::DELETE, &format!("/api/v1/agents/{}", doomed_agents[i]), None, au));
    row!("v1 list numbers", [200, 200, 200, 200, 404, 404], |i, au| send(&app, Method::GET, &format!("/api/v1/phone-numbers?project_id={p}"), None, au));
    row!("v1 get number", [200, 200, 200, 200, 404, 404], |i, au| send(&app, Method::GET, &format!("/api/v1/phone-numbers/{n}"), None, au));
    row!("v1 add number", [201, 201, 403, 403, 404, 404], |i, au| send(
        &app,
        Method::POST,
        "/api/v1/phone-numbers",
        Some(json!({"project_id": p, "number": format!("+1650253010{i}")})),
        au
    ));
    row!("v1 label number", [200, 200, 403, 403, 404, 404], |i, au| send(&app, Method::PATCH, &format!("/api/v1/phone-numbers/{n}"), Some(json!({"label": "x"})), au));
    row!("v1 assign number", [200, 200, 403, 403, 404, 404], |i, au| send(
        &app,
        Method::POST,
        &format!("/api/v1/phone-numbers/{n}/assign"),
        Some(json!({"agent_id": a})),
        au
    ));
    row!("v1 unassign number", [200, 200, 403, 403, 404, 404], |i, au| send(
        &app,
        Method::POST,
        &format!("/api/v1/phone-numbers/{n}/unassign"),
        Some(json!({"agent_id": a})),
        au
    ));
    row!("v1 release number", [200, 200, 403, 403, 404, 404], |i, au| send(&app, Method::DELETE, &format!("/api/v1/phone-numbers/{}", doomed_numbers[i]), None, au));
    row!("v1 twilio get", [200, 200, 403, 403, 404, 404], |i, au| send(&app, Method::GET, &format!("/api/v1/projects/{p}/twilio"), None, au));
    row!("v1 twilio put", [200, 200, 403, 403, 404, 404], |i, au| send(
        &app,
        Method::PUT,
        &format!("/api/v1/projects/{p}/twilio"),
        Some(json!({"account_sid": SID, "auth_token": TOKEN})),
        au
    ));
    row!("ts list agents", [200, 200, 200, 200, 404, 404], |i, au| send(&app, Method::GET, &format!("/api/agent/{p}"), None, au));
    row!("ts get agent", [200, 200, 200, 200, 404, 404], |i, au| send(&app, Method::POST, "/api/agent", Some(json!({"projectId": p, "agentId": a})), au));
    row!("ts create agent", [200, 200, 200, 403, 404, 404], |i, au| send(
        &app,
        Method::POST,
        "/api/agent/create-agent",
        Some(json!({"projectId": p, "name": "TS", "systemInstruction": "x"})),
        au
    ));
    row!("ts update agent", [200, 200, 200, 403, 404, 404], |i, au| send(
        &app,
        Method::PUT,
        "/api/agent",
        Some(json!({"projectId": p, "agentId": a, "name": format!("TS {i}")})),
        au
    ));
    row!("ts active agent get", [200, 200, 200, 200, 404, 404], |i, au| send(&app, Method::POST, "/api/project/active-agent", Some(json!({"projectId": p})), au));
    row!("ts active agent set", [200, 200, 200, 403, 404, 404], |i, au| send(
        &app,
        Method::PATCH,
        "/api/project/active-agent",
        Some(json!({"projectId": p, "active_agent": a})),
        au
    ));
    row!("ts active agent remove", [200, 200, 200, 403, 404, 404], |i, au| send(&app, Method::PATCH, &format!("/api/project/active-agent/{a}"), None, au));
    row!("ts phone number get", [200, 200, 200, 200, 404, 404], |i, au| send(&app, Method::POST, "/api/phone-number", Some(json!({"phoneNumberId": n})), au));
    row!("ts add number", [200, 200, 403, 403, 404, 404], |i, au| send(
        &app,
        Method::POST,
        "/api/phone-number/add-number",
        Some(json!({"e164": "+14155552671", "agentId": a, "projectId": p})),
        au
    ));
    row!("ts voices", [200, 200, 200, 200, 200, 200], |i, au| send(&app, Method::GET, "/api/voices", None, au));
    row!("v1 voices", [200, 200, 200, 200, 200, 200], |i, au| send(&app, Method::GET, "/api/v1/voices", None, au));
    row!("ts delete agent", [200, 200, 200, 403, 404, 404], |i, au| send(
        &app,
        Method::DELETE,
        "/api/agent",
        Some(json!({"projectId": p, "agentId": doomed_agents[(i + 3) % 6]})),
        au
    ));
    for (name, got, want) in &rows {
        check(name, got, *want);
    }
    // Without credentials everything here is 401.
    for (m, path) in [(Method::GET, format!("/api/v1/agents/{a}")), (Method::GET, format!("/api/agent/{p}")), (Method::GET, "/api/v1/phone-numbers".to_string())] {
        assert_eq!(send(&app, m, &path, None, &Auth::None).await.status, StatusCode::UNAUTHORIZED, "{path}");
    }
});

#[tokio::test]
async fn openapi_documents_the_agent_endpoints() {
    let app = TestApp::new("sqlite").await;
    let r = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    for p in [
        "/api/agent/create-agent",
        "/api/agent",
        "/api/agent/{projectId}",
        "/api/project/active-agent",
        "/api/project/active-agent/{agentId}",
        "/api/voices",
        "/api/voices/{voice_id}",
        "/api/phone-number",
        "/api/phone-number/add-number",
        "/api/v1/agents",
        "/api/v1/agents/{id}",
        "/api/v1/agents/{agent_id}/calling",
        "/api/v1/agents/{id}/duplicate",
        "/api/v1/agents/{id}/render",
        "/api/v1/voices",
        "/api/v1/voices/{id}",
        "/api/v1/phone-numbers",
        "/api/v1/phone-numbers/{id}",
        "/api/v1/phone-numbers/{id}/assign",
        "/api/v1/projects/{id}/active-agent",
        "/api/v1/projects/{id}/twilio",
        "/api/v1/projects/{id}/twilio/import",
    ] {
        assert!(r.json["paths"].get(p).is_some(), "{p} documented");
    }
    let calling = &r.json["paths"]["/api/v1/agents/{agent_id}/calling"]["put"];
    assert!(calling["requestBody"].is_object(), "{calling}");
    let schemas = &r.json["components"]["schemas"];
    assert_eq!(schemas["MachineDetection"]["enum"], json!(["off", "hang_up", "leave_message"]), "{}", schemas["MachineDetection"]);
    let refers = |v: &Value| v.to_string().contains("#/components/schemas/MachineDetection");
    assert!(refers(&schemas["AgentOut"]["properties"]["machine_detection"]), "{}", schemas["AgentOut"]);
    // The request bodies flatten the shared settings: their own properties are the allOf's second part.
    for s in ["CreateAgent", "UpdateAgent"] {
        assert!(refers(&schemas[s]["allOf"][1]["properties"]["machine_detection"]), "{s}: {}", schemas[s]);
    }
}
