//! The service layer as background work and composing callers use it: operations take the
//! caller's transaction and an actor, so several commit (or roll back) together, and the system
//! actor acts without a user and is recorded as such.

#[macro_use]
mod common;

use common::{create_project, send, user, Auth};
use http::{Method, StatusCode};
use serde_json::{json, Value};
use talkdeck::model::{AppError, ErrorCode};
use talkdeck::server::auth::Actor;
use talkdeck::server::services::{agents, api_keys, numbers, projects};

fn patch(name: &str) -> agents::AgentPatch {
    agents::AgentPatch { name: Some(name.into()), ..Default::default() }
}

async fn audit(app: &common::TestApp, auth: &Auth, project: &str) -> Vec<Value> {
    let r = send(app, Method::GET, &format!("/api/v1/projects/{project}/audit-log"), None, auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json["data"].as_array().cloned().unwrap_or_default()
}

on_both!(system_actor_acts_without_a_user_and_is_audited_as_system, |app| {
    let (_, owner) = user(&app, "sys-owner@x.co").await;
    let p = create_project(&app, &owner, "Sys").await;
    let st = app.state.clone();
    let made = st.write(async |tx| agents::create(tx, &Actor::System, &p, patch("By a job")).await).await.unwrap();
    assert_eq!(made.name, "By a job");
    // Reads work for the system too, and it still cannot reach a project that does not exist.
    let got = st.read(async |c| agents::get(c, &Actor::System, &made.id).await).await.unwrap();
    assert_eq!(got.id, made.id);
    let e = st.write(async |tx| agents::create(tx, &Actor::System, "no-such-project", patch("x")).await).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    // Person-only operations refuse it.
    let e = st.write(async |tx| api_keys::create(tx, &Actor::System, "k", None).await).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let e = st.write(async |tx| projects::create(tx, &Actor::System, "Nope", "").await).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);

    let entries = audit(&app, &owner, &p).await;
    let created = entries.iter().find(|e| e["action"] == "agent.created").expect("agent.created entry");
    assert_eq!(created["actor_kind"], "system", "{created}");
    assert!(created["actor_id"].is_null(), "{created}");
    let project_created = entries.iter().find(|e| e["action"] == "project.created").expect("project.created entry");
    assert_eq!(project_created["actor_kind"], "user", "{project_created}");
});

on_both!(an_api_key_is_audited_as_a_key_acting_for_its_creator, |app| {
    let (owner_id, owner) = user(&app, "key-owner@x.co").await;
    let p = create_project(&app, &owner, "Keyed").await;
    let r = send(&app, Method::POST, "/api/v1/api-keys", Some(json!({"name": "ci", "project_id": p})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let key = Auth::ApiKey(r.json["data"]["secret"].as_str().unwrap().to_string());
    let r = send(&app, Method::POST, "/api/v1/agents", Some(json!({"project_id": p, "name": "Via key"})), &key).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let entries = audit(&app, &owner, &p).await;
    let e = entries.iter().find(|e| e["action"] == "agent.created").expect("agent.created entry");
    assert_eq!(e["actor_kind"], "api_key", "{e}");
    assert_eq!(e["actor_id"], owner_id.as_str(), "{e}");
});

on_both!(operations_in_one_transaction_commit_or_roll_back_together, |app| {
    let (_, owner) = user(&app, "tx-owner@x.co").await;
    let p = create_project(&app, &owner, "Tx").await;
    let st = app.state.clone();
    let a = Actor::System;
    // The agent is created, then the number is refused: the agent must not survive.
    let e = st
        .write(async |tx| {
            agents::create(tx, &a, &p, patch("Half")).await?;
            let new = numbers::NewNumber { number: "not a number".into(), ..Default::default() };
            numbers::add(&st, tx, &a, &p, new).await
        })
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput, "{}", e.message);
    let listed = st.read(async |c| agents::list(c, &a, &p, None, Default::default()).await).await.unwrap();
    assert!(listed.is_empty(), "the agent of a rolled-back transaction survived: {listed:?}");
    // The same two, both valid, land together.
    let (agent, number) = st
        .write(async |tx| {
            let agent = agents::create(tx, &a, &p, patch("Whole")).await?;
            let new = numbers::NewNumber { number: "+14155550100".into(), ..Default::default() };
            let n = numbers::add(&st, tx, &a, &p, new).await?;
            Ok::<_, AppError>((agent, n))
        })
        .await
        .unwrap();
    let got = st.read(async |c| agents::get(c, &a, &agent.id).await).await.unwrap();
    assert_eq!(got.name, "Whole");
    assert_eq!(st.read(async |c| numbers::get(c, &a, &number.id).await).await.unwrap().number, "+14155550100");
});

on_both!(talkstack_create_agent_with_a_refused_number_leaves_nothing, |app| {
    let (_, owner) = user(&app, "ts-owner@x.co").await;
    let (_, other) = user(&app, "ts-other@x.co").await;
    let p = create_project(&app, &owner, "Mine").await;
    let q = create_project(&app, &other, "Theirs").await;
    let r = send(&app, Method::POST, "/api/v1/phone-numbers", Some(json!({"project_id": q, "number": "+14155550111"})), &other).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let body = json!({"projectId": p, "name": "TS", "systemInstruction": "x", "phoneNumber": "+14155550111"});
    let r = send(&app, Method::POST, "/api/agent/create-agent", Some(body), &owner).await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.text);
    let r = send(&app, Method::GET, &format!("/api/v1/agents?project_id={p}"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["data"].as_array().map(Vec::len), Some(0), "an agent was left behind: {}", r.text);
});

on_both!(leaving_a_project_revokes_scoped_keys_and_clears_it_as_active, |app| {
    let (_, owner) = user(&app, "leave-owner@x.co").await;
    let (member_id, member) = user(&app, "leave-member@x.co").await;
    let p = create_project(&app, &owner, "Left").await;
    common::invite_and_accept(&app, &owner, &p, "leave-member@x.co", "admin", &member).await;
    let r = send(&app, Method::POST, "/api/v1/api-keys", Some(json!({"name": "mine", "project_id": p})), &member).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let key = Auth::ApiKey(r.json["data"]["secret"].as_str().unwrap().to_string());
    assert_eq!(send(&app, Method::GET, &format!("/api/v1/projects/{p}"), None, &key).await.status, StatusCode::OK);
    let r = send(&app, Method::DELETE, &format!("/api/v1/projects/{p}/members/{member_id}"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(send(&app, Method::GET, &format!("/api/v1/projects/{p}"), None, &key).await.status, StatusCode::UNAUTHORIZED);
    let r = send(&app, Method::GET, "/api/user/get-active-project", None, &member).await;
    assert_ne!(r.json["data"]["id"], p.as_str(), "{}", r.text);
});
