//! Without espeak-ng on the server's PATH a recording agent's call has no recording and says why.
//! Its own test binary: it empties PATH for the whole process.

#[macro_use]
mod common;

use common::{create_project, send, user};
use http::{Method, StatusCode};
use serde_json::json;
use std::time::{Duration, Instant};

on_both!(without_espeak_ng_the_call_says_why_there_is_no_recording, |app| {
    std::env::set_var("PATH", "");
    let (_, owner) = user(&app, "noespeak@calls.co").await;
    let p = create_project(&app, &owner, "noespeak").await;
    let r = send(
        &app,
        Method::POST,
        "/api/v1/agents",
        Some(json!({"project_id": p, "name": "Ava", "system_prompt": "You are Ava.",
        "first_message": "Hi, this is Ava.", "direction": "outbound", "recording": true})),
        &owner,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let agent = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(&app, Method::POST, "/api/v1/phone-numbers", Some(json!({"project_id": p, "number": "+14155550100"})), &owner).await;
    let n = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(&app, Method::PUT, &format!("/api/v1/agents/{agent}/calling"), Some(json!({"direction": "outbound", "phone_number_ids": [n]})), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = send(&app, Method::POST, &format!("/api/v1/agents/{agent}/call"), Some(json!({"to": "+14155552671"})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.json["data"]["id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    let done = loop {
        app.run_jobs().await;
        let d = send(&app, Method::GET, &format!("/api/v1/calls/{id}"), None, &owner).await.json["data"].clone();
        if d["status"] == "completed" && d["recording_status"] != "pending" {
            break d;
        }
        assert!(Instant::now() < deadline, "{d}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert_eq!(done["recording_status"], "unavailable", "{done}");
    assert_eq!(done["recording_note"], "espeak-ng is not installed on the server, so calls are not rendered to audio.");
    assert_eq!((done["has_recording"].as_bool(), done["recording"].is_null()), (Some(false), true));
    let r = send(&app, Method::GET, &format!("/api/v1/calls/{id}/recording"), None, &owner).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
});
