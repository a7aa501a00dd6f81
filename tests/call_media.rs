//! Call recordings (rendered with espeak-ng, stored in the database, served to members or by a
//! signed link) and the LLM path (simulated conversations and analyses through a local fake
//! OpenAI-compatible server). Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.

#[macro_use]
mod common;

use axum::body::Body;
use common::{create_project, send, user, Auth, TestApp};
use http::{Method, Request, StatusCode};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const FROM: &str = "+14155550100";

fn espeak_installed() -> bool {
    std::process::Command::new("which").arg("espeak-ng").output().map(|o| o.status.success()).unwrap_or(false)
}

/// An outbound agent with `{{name}}` and `{{topic}}` and one number in `project`; `extra` is
/// merged into the agent's body.
async fn agent_in(app: &TestApp, owner: &Auth, project: &str, number: &str, extra: Value) -> String {
    let mut body = json!({"project_id": project, "name": "Ava", "system_prompt": "You are an agent called {{name}}. Ask about their {{topic}} and their budget.",
        "first_message": "Hi, this is {{name}} calling about {{topic}}.", "direction": "outbound"});
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        body[k] = v;
    }
    let r = send(app, Method::POST, "/api/v1/agents", Some(body), owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let agent = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(app, Method::POST, "/api/v1/phone-numbers", Some(json!({"project_id": project, "number": number})), owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let n = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(app, Method::PUT, &format!("/api/v1/agents/{agent}/calling"), Some(json!({"direction": "outbound", "phone_number_ids": [n]})), owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    agent
}

async fn place(app: &TestApp, auth: &Auth, agent: &str, to: &str) -> String {
    let r = send(app, Method::POST, &format!("/api/v1/agents/{agent}/call"), Some(json!({"to": to, "payload": {"name": "John", "topic": "solar panels"}})), auth).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json["data"]["id"].as_str().unwrap().to_string()
}

/// Runs jobs until the call has ended and its follow-ups (analysis, recording) are done.
async fn finish(app: &TestApp, auth: &Auth, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        app.run_jobs().await;
        let r = send(app, Method::GET, &format!("/api/v1/calls/{id}"), None, auth).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let d = r.json["data"].clone();
        let ended = ["completed", "busy", "no-answer", "failed", "canceled"].contains(&d["status"].as_str().unwrap_or(""));
        if ended && d["recording_status"] != "pending" && (d["answered_at"].is_null() || !d["analysis"].is_null()) {
            return d;
        }
        assert!(Instant::now() < deadline, "call {id} not finished: {d}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn get_with(app: &TestApp, path: &str, auth: &Auth, range: Option<&str>) -> common::Resp {
    let mut b = Request::builder().method(Method::GET).uri(path);
    b = match auth {
        Auth::Bearer(t) => b.header("authorization", format!("Bearer {t}")),
        Auth::ApiKey(k) => b.header("x-api-key", k.as_str()),
        Auth::None => b,
    };
    if let Some(r) = range {
        b = b.header("range", r);
    }
    app.request(b.body(Body::empty()).unwrap()).await
}

on_both!(a_recording_agent_gets_a_recording_served_only_to_its_project, |app| {
    let t = common::team(&app, "rec").await;
    let owner = t.auths[0].clone();
    let agent = agent_in(&app, &owner, &t.project, FROM, json!({})).await;
    let id = place(&app, &owner, &agent, "+14155552671").await;
    let done = finish(&app, &owner, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    let path = format!("/api/v1/calls/{id}/recording");
    if !espeak_installed() {
        eprintln!("espeak-ng is not installed: checking that the call says why, skipping playback");
        assert_eq!(done["recording_status"], "unavailable", "{done}");
        assert!(done["recording_note"].as_str().unwrap_or("").contains("espeak-ng"), "{done}");
        assert_eq!((done["has_recording"].as_bool(), done["recording"].is_null()), (Some(false), true));
        assert_eq!(send(&app, Method::GET, &path, None, &owner).await.status, StatusCode::NOT_FOUND);
        return;
    }
    assert_eq!(done["recording_status"], "ready", "{done}");
    assert_eq!(done["has_recording"], true);
    assert!(done["recording_note"].is_null());
    let rec = &done["recording"];
    assert_eq!(rec["content_type"], "audio/wav");
    let duration = rec["duration_ms"].as_i64().unwrap();
    let last_word = done["transcript"].as_array().unwrap().iter().map(|s| s["end_ms"].as_i64().unwrap()).max().unwrap();
    assert!(duration >= last_word && duration <= last_word + 10_000, "{done}");
    let size = rec["size_bytes"].as_i64().unwrap();
    // 8 kHz mono 16-bit: 16 bytes a millisecond, plus the header.
    assert!((44 + duration * 16..44 + (duration + 1) * 16).contains(&size), "{done}");
    let url = rec["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("{path}?expires=")) && url.contains("&signature="), "{url}");

    // Members of the project, every role: the WAV, with its length and range support.
    let mut got = Vec::new();
    for a in &t.auths {
        let r = get_with(&app, &path, a, None).await;
        if r.status == StatusCode::OK {
            assert_eq!(r.headers["content-type"], "audio/wav");
            assert_eq!(r.headers["content-length"].to_str().unwrap(), size.to_string());
            assert_eq!(r.headers["accept-ranges"], "bytes");
            assert!(r.text.starts_with("RIFF") && r.text.contains("WAVEfmt "), "a WAV (the text is lossy: the sizes may not be UTF-8)");
        }
        got.push(r.status);
    }
    // owner, admin, member, viewer, outsider, key of another project
    common::check("v1 call recording", &got, [200, 200, 200, 200, 404, 404]);
    assert_eq!(get_with(&app, &path, &Auth::None, None).await.status, StatusCode::UNAUTHORIZED);
    let r = get_with(&app, &path, &owner, Some("bytes=0-11")).await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.headers["content-range"].to_str().unwrap(), format!("bytes 0-11/{size}"));
    assert_eq!(r.text, String::from_utf8_lossy(&[b"RIFF".as_slice(), &((size - 8) as u32).to_le_bytes(), b"WAVE"].concat()));
    let r = get_with(&app, &path, &owner, Some(&format!("bytes={size}-"))).await;
    assert_eq!(r.status, StatusCode::RANGE_NOT_SATISFIABLE);

    // The signed link plays without credentials; altered or expired links are 403.
    let r = get_with(&app, &url, &Auth::None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.headers["content-length"].to_str().unwrap(), size.to_string());
    let sig = url.split("signature=").nth(1).unwrap();
    let flipped = format!("{}{}", if sig.starts_with('0') { "1" } else { "0" }, &sig[1..]);
    let tampered = url.replace(sig, &flipped);
    assert_eq!(get_with(&app, &tampered, &Auth::None, None).await.status, StatusCode::FORBIDDEN);
    let expires: i64 = url.split("expires=").nth(1).unwrap().split('&').next().unwrap().parse().unwrap();
    let later = url.replace(&format!("expires={expires}"), &format!("expires={}", expires + 86_400));
    assert_eq!(get_with(&app, &later, &Auth::None, None).await.status, StatusCode::FORBIDDEN, "a later expiry under the old signature");
    let key = app.state.config.secret_key;
    let old = talkdeck::server::services::recordings::signed_url(&key, &id, talkdeck::server::db::now_ms() - 2 * 3_600_000);
    assert_eq!(get_with(&app, &old, &Auth::None, None).await.status, StatusCode::FORBIDDEN, "expired");
    // A valid link to another call is only for that call.
    let other = talkdeck::server::services::recordings::signed_url(&key, "no-such-call", talkdeck::server::db::now_ms());
    assert_eq!(get_with(&app, &other.replace("no-such-call", &id), &Auth::None, None).await.status, StatusCode::FORBIDDEN);
    let r = get_with(&app, &other, &Auth::None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a valid link to a call without a recording");

    // The Talkstack call data links the recording too.
    let r = send(&app, Method::POST, "/api/call", Some(json!({"sid": id, "projectId": t.project})), &owner).await;
    assert!(r.json["data"]["recordingUrls"][0].as_str().unwrap().starts_with(&format!("{path}?expires=")), "{}", r.text);
    // The list says there is one (without a link).
    let r = send(&app, Method::GET, &format!("/api/v1/calls?project_id={}", t.project), None, &owner).await;
    assert_eq!((r.json["data"][0]["has_recording"].as_bool(), r.json["data"][0]["recording_status"].as_str()), (Some(true), Some("ready")), "{}", r.text);
});

on_both!(no_recording_when_the_agent_does_not_record_or_nobody_answers, |app| {
    let (_, owner) = user(&app, "norec@calls.co").await;
    let p = create_project(&app, &owner, "norec").await;
    let agent = agent_in(&app, &owner, &p, FROM, json!({"recording": false})).await;
    let id = place(&app, &owner, &agent, "+14155552671").await;
    let done = finish(&app, &owner, &id).await;
    assert_eq!(done["status"], "completed");
    assert_eq!((done["recording_status"].as_str(), done["has_recording"].as_bool()), (Some("none"), Some(false)), "{done}");
    assert!(done["recording"].is_null());
    let r = send(&app, Method::GET, &format!("/api/v1/calls/{id}/recording"), None, &owner).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    // A recording agent whose call is busy has nothing to record.
    let rec = agent_in(&app, &owner, &p, "+14155550111", json!({"name": "Rec"})).await;
    let id = place(&app, &owner, &rec, "+14155550001").await;
    let done = finish(&app, &owner, &id).await;
    assert_eq!((done["status"].as_str(), done["recording_status"].as_str()), (Some("busy"), Some("none")), "{done}");
});

// ---- the LLM path -------------------------------------------------------------------------------

/// A local OpenAI-compatible server: writes numbered agent and caller lines (hanging up after a
/// few), answers analysis requests with `analysis` (a JSON text), and keeps every request body.
#[derive(Clone, Default)]
struct FakeModel {
    requests: Arc<Mutex<Vec<Value>>>,
    analysis: Arc<Mutex<String>>,
}

impl FakeModel {
    async fn start() -> (FakeModel, String) {
        let fake = FakeModel::default();
        let f = fake.clone();
        let app = axum::Router::new().route(
            "/v1/chat/completions",
            axum::routing::post(move |headers: http::HeaderMap, axum::Json(body): axum::Json<Value>| {
                let f = f.clone();
                async move {
                    assert_eq!(headers.get("authorization").and_then(|v| v.to_str().ok()), Some("Bearer sk-test"));
                    let content = f.answer(&body);
                    f.requests.lock().unwrap().push(body);
                    axum::Json(json!({"id": "x", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (fake, format!("http://{addr}/v1"))
    }

    fn answer(&self, body: &Value) -> String {
        if body.get("response_format").is_some() {
            return self.analysis.lock().unwrap().clone();
        }
        let system = body["messages"][0]["content"].as_str().unwrap_or("");
        let caller = system.starts_with("You are a person on a phone call");
        let mine = body["messages"].as_array().unwrap().iter().filter(|m| m["role"] == "assistant").count();
        match (caller, mine) {
            (true, 2) => "FAKE-CALLER line 3, thanks, bye! [hangup]".into(),
            (true, n) => format!("FAKE-CALLER line {}: about twelve panels, mornings suit me.", n + 1),
            (false, n) => format!("FAKE-AGENT line {}: what budget do you have in mind?", n + 1),
        }
    }

    fn requests(&self) -> Vec<Value> {
        self.requests.lock().unwrap().clone()
    }
}

fn questions() -> Value {
    json!({"summary": true, "success_criteria": "They agree to a visit.", "questions": [
        {"question": "Did they agree to a visit?", "type": "Boolean"},
        {"question": "How many panels?", "type": "Number"},
        {"question": "Preferred time?", "type": "Selector", "options": ["Morning", "Evening"]},
        {"question": "What is their budget?", "type": "Text"}
    ]})
}

fn answer_json(time: Value, panels: Value) -> String {
    json!({"summary": "They want twelve panels.", "user_sentiment": "positive", "call_successful": true, "success_reason": "Agreed.",
    "voicemail_detected": false, "answers": [
        {"question": "Did they agree to a visit?", "answer": true, "reason": null},
        {"question": "How many panels?", "answer": panels, "reason": null},
        {"question": "Preferred time?", "answer": time, "reason": null},
        {"question": "What is their budget?", "answer": null, "reason": "Not said."}
    ]})
    .to_string()
}

async fn llm_app(backend: &'static str, base: &str) -> TestApp {
    let base = base.to_string();
    TestApp::with_config(backend, move |c| {
        c.llm = Some(talkdeck::server::config::LlmConfig { base_url: base, api_key: Some("sk-test".into()), model: "fake-model".into() });
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_model_writes_the_conversation_and_answers_the_analysis() {
    for backend in common::backends() {
        eprintln!("-- the_model_writes_the_conversation_and_answers_the_analysis on {backend}");
        let (fake, base) = FakeModel::start().await;
        *fake.analysis.lock().unwrap() = answer_json(json!("Morning"), json!(12));
        let app = llm_app(backend, &base).await;
        let (_, owner) = user(&app, "llm@calls.co").await;
        let p = create_project(&app, &owner, "llm").await;
        let agent = agent_in(&app, &owner, &p, FROM, json!({"analysis": questions(), "recording": false})).await;
        let id = place(&app, &owner, &agent, "+14155552671").await;
        let done = finish(&app, &owner, &id).await;
        assert_eq!(done["status"], "completed", "{done}");
        let lines: Vec<(String, String)> = done["transcript"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["role"].as_str().unwrap().to_string(), s["text"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(lines[0], ("agent".into(), "Hi, this is John calling about solar panels.".into()), "{done}");
        assert_eq!(lines[1], ("user".into(), "FAKE-CALLER line 1: about twelve panels, mornings suit me.".into()));
        // The agent's own lines count its opening: its first model line is its second.
        assert_eq!(lines[2], ("agent".into(), "FAKE-AGENT line 2: what budget do you have in mind?".into()));
        assert_eq!(lines.last().unwrap(), &("user".to_string(), "FAKE-CALLER line 3, thanks, bye!".to_string()), "{done}");
        assert_eq!(done["end_reason"], "user_hangup");

        // The requests: the agent's carried the rendered prompt and its opening; the caller's the
        // persona the call id picks.
        let reqs = fake.requests();
        let system = |r: &Value| r["messages"][0]["content"].as_str().unwrap_or("").to_string();
        let agent_req = reqs.iter().find(|r| r.get("response_format").is_none() && !system(r).starts_with("You are a person")).expect("an agent request");
        assert!(system(agent_req).starts_with("You are an agent called John. Ask about their solar panels and their budget."), "{agent_req}");
        assert!(system(agent_req).contains("Hi, this is John calling about solar panels."));
        assert_eq!(agent_req["model"], "fake-model");
        let persona = talkdeck::server::simulator::Persona::for_call(&id);
        let caller_req = reqs.iter().find(|r| system(r).starts_with("You are a person")).expect("a caller request");
        assert!(system(caller_req).contains(&format!("Persona: {}", persona.as_str())), "{caller_req}");
        assert!(caller_req["messages"].to_string().contains("Hi, this is John calling about solar panels."), "the caller hears the opening");

        // The analysis came from the model, typed.
        let a = &done["analysis"];
        assert_eq!(a["source"], "llm:fake-model", "{a}");
        assert!(a.get("note").is_none(), "{a}");
        assert_eq!(a["summary"], "They want twelve panels.");
        assert_eq!(a["call_successful"], true);
        let answers = a["answers"].as_array().unwrap();
        assert_eq!(answers[0]["answer"], true);
        assert_eq!(answers[1]["answer"], 12);
        assert_eq!(answers[2]["answer"], "Morning");
        assert!(answers[3]["answer"].is_null() && answers[3]["reason"] == "Not said.");
        let schema_req = reqs.iter().find(|r| r.get("response_format").is_some()).unwrap();
        assert_eq!(schema_req["response_format"]["type"], "json_schema");
        assert!(schema_req["messages"][1]["content"].as_str().unwrap().contains("FAKE-CALLER line 1"));

        // Replaying the stored conversation: the model is not asked again by later steps.
        let conversation_requests = reqs.iter().filter(|r| r.get("response_format").is_none()).count();
        assert_eq!(conversation_requests, 5, "three caller lines and two agent lines (the opening is the first message)");

        // Re-analysis with an ad-hoc question goes through the model too.
        *fake.analysis.lock().unwrap() = {
            let mut v: Value = serde_json::from_str(&answer_json(json!("Evening"), json!(3.5))).unwrap();
            v["answers"].as_array_mut().unwrap().push(json!({"question": "Roof type?", "answer": "Flat", "reason": null}));
            v.to_string()
        };
        let r = send(
            &app,
            Method::POST,
            &format!("/api/v1/calls/{id}/analysis"),
            Some(json!({"questions": [{"question": "Roof type?", "type": "Selector", "options": ["Flat", "Pitched"]}]})),
            &owner,
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!((r.json["data"]["version"].as_i64(), r.json["data"]["source"].as_str()), (Some(2), Some("llm:fake-model")), "{}", r.text);
        assert_eq!(r.json["data"]["answers"][4]["answer"], "Flat");
        assert_eq!(r.json["data"]["answers"][1]["answer"], 3.5);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_model_answer_is_retried_then_the_builtin_analyzer_answers_with_a_note() {
    for backend in common::backends() {
        eprintln!("-- an_invalid_model_answer_is_retried_then_the_builtin_analyzer_answers_with_a_note on {backend}");
        let (fake, base) = FakeModel::start().await;
        // A Selector value that is not an option.
        *fake.analysis.lock().unwrap() = answer_json(json!("Night"), json!(12));
        let app = llm_app(backend, &base).await;
        let (_, owner) = user(&app, "llm-bad@calls.co").await;
        let p = create_project(&app, &owner, "llm-bad").await;
        let agent = agent_in(&app, &owner, &p, FROM, json!({"analysis": questions(), "recording": false})).await;
        let id = place(&app, &owner, &agent, "+14155552671").await;
        // Play the call; the analysis job fails validation and waits for its retry.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            app.run_jobs().await;
            let r = send(&app, Method::GET, &format!("/api/v1/calls/{id}"), None, &owner).await;
            if r.json["data"]["status"] == "completed" {
                app.run_jobs().await;
                break;
            }
            assert!(Instant::now() < deadline);
        }
        let r = send(&app, Method::GET, &format!("/api/v1/calls/{id}"), None, &owner).await;
        assert!(r.json["data"]["analysis"].is_null(), "no analysis from an invalid answer: {}", r.text);
        let pool = app.state.db.pool();
        let (attempts, error): (i64, Option<String>) = {
            use sqlx::Row;
            let row = sqlx::query("SELECT attempts, last_error FROM jobs WHERE kind = 'call.analyze'").fetch_one(pool).await.unwrap();
            (row.get("attempts"), row.get("last_error"))
        };
        assert_eq!(attempts, 1);
        assert!(error.as_deref().unwrap_or("").contains("\"Night\" is not one of the options"), "{error:?}");

        // The last attempt falls back to the built-in analyzer, with a note.
        sqlx::query("UPDATE jobs SET attempts = max_attempts - 1, run_at = 0 WHERE kind = 'call.analyze'").execute(pool).await.unwrap();
        app.run_jobs().await;
        let r = send(&app, Method::GET, &format!("/api/v1/calls/{id}"), None, &owner).await;
        let a = &r.json["data"]["analysis"];
        assert_eq!(a["source"], "builtin", "{a}");
        assert!(a["note"].as_str().unwrap().contains("not one of the options"), "{a}");
        assert_eq!(a["answers"].as_array().unwrap().len(), 4, "the built-in analyzer answered every question: {a}");

        // A re-analysis asks twice, then falls back at once (a person is waiting); a string for a
        // Number is refused the same way.
        *fake.analysis.lock().unwrap() = answer_json(json!("Morning"), json!("twelve"));
        let before = fake.requests().len();
        let r = send(&app, Method::POST, &format!("/api/v1/calls/{id}/analysis"), Some(json!({})), &owner).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!((r.json["data"]["version"].as_i64(), r.json["data"]["source"].as_str()), (Some(2), Some("builtin")));
        assert!(r.json["data"]["note"].as_str().unwrap().contains("must be a number"), "{}", r.text);
        assert_eq!(fake.requests().len() - before, 2);
        // Every version is kept.
        let r = send(&app, Method::GET, &format!("/api/v1/calls/{id}"), None, &owner).await;
        assert_eq!(r.json["data"]["analysis"]["version"], 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_model_fails_the_step_for_a_retry_not_the_call() {
    // Port 9 (discard) refuses connections: the step job fails and is retried; the call waits.
    let app = llm_app("sqlite", "http://127.0.0.1:9/v1").await;
    let (_, owner) = user(&app, "llm-down@calls.co").await;
    let p = create_project(&app, &owner, "llm-down").await;
    let agent = agent_in(&app, &owner, &p, FROM, json!({"recording": false})).await;
    let id = place(&app, &owner, &agent, "+14155552671").await;
    app.run_jobs().await;
    app.run_jobs().await;
    let r = send(&app, Method::GET, &format!("/api/v1/calls/{id}"), None, &owner).await;
    assert_eq!(r.json["data"]["status"], "initiated", "{}", r.text);
    use sqlx::Row;
    let row = sqlx::query("SELECT state, last_error FROM jobs WHERE kind = 'call.step'").fetch_one(app.state.db.pool()).await.unwrap();
    let error: Option<String> = row.get("last_error");
    assert!(error.as_deref().unwrap_or("").contains("could not be reached"), "{error:?}");
    // Busy needs no model: it plays through.
    let id = place(&app, &owner, &agent, "+14155550001").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        app.run_jobs().await;
        let r = send(&app, Method::GET, &format!("/api/v1/calls/{id}"), None, &owner).await;
        if r.json["data"]["status"] == "busy" {
            break;
        }
        assert!(Instant::now() < deadline, "{}", r.text);
    }
}
