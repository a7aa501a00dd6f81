//! The memo of credentials and roles (`auth::cache`) never outlives a change: a change made
//! through this process applies to the next request, one made by another process (here: written
//! straight to the database, which this process's commit counter does not see) within the memo's
//! lifetime.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::json;
use std::time::Duration;
use talkdeck::server::auth::cache::TTL;

async fn calls(app: &TestApp, p: &str, a: &Auth) -> StatusCode {
    send(app, Method::GET, &format!("/api/v1/calls?project_id={p}&limit=5"), None, a).await.status
}

on_both!(a_removed_member_and_a_revoked_key_are_refused_at_once, |app| {
    let t = team(&app, "memo").await;
    let p = t.project.clone();
    let member = &t.auths[2];
    let owner = &t.auths[0];
    let r = send(&app, Method::POST, "/api/v1/api-keys", Some(json!({"name": "m"})), member).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let key = Auth::ApiKey(r.json["data"]["secret"].as_str().unwrap().to_string());
    let key_id = r.json["data"]["key"]["id"].as_str().unwrap().to_string();
    // Read twice: the second answer comes from the memo.
    for _ in 0..2 {
        assert_eq!(calls(&app, &p, member).await, StatusCode::OK);
        assert_eq!(calls(&app, &p, &key).await, StatusCode::OK);
    }
    // Demoted to viewer: still reads, no longer places calls.
    let r = send(&app, Method::PUT, &format!("/api/v1/projects/{p}/members/{}", t.ids[2]), Some(json!({"role": "viewer"})), owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(calls(&app, &p, member).await, StatusCode::OK);
    // Removed: the very next read is 404, through the session and through the key.
    let r = send(&app, Method::DELETE, &format!("/api/v1/projects/{p}/members/{}", t.ids[2]), None, owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(calls(&app, &p, member).await, StatusCode::NOT_FOUND);
    assert!(matches!(calls(&app, &p, &key).await, StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED));

    // The owner's own key, memoized, then revoked: refused at once.
    let r = send(&app, Method::POST, "/api/v1/api-keys", Some(json!({"name": "o"})), owner).await;
    let okey = Auth::ApiKey(r.json["data"]["secret"].as_str().unwrap().to_string());
    let okey_id = r.json["data"]["key"]["id"].as_str().unwrap().to_string();
    assert_eq!(calls(&app, &p, &okey).await, StatusCode::OK);
    assert_eq!(calls(&app, &p, &okey).await, StatusCode::OK);
    assert_eq!(send(&app, Method::DELETE, &format!("/api/v1/api-keys/{okey_id}"), None, owner).await.status, StatusCode::OK);
    assert_eq!(calls(&app, &p, &okey).await, StatusCode::UNAUTHORIZED);
    let _ = key_id;
});

on_both!(a_change_made_elsewhere_applies_within_the_memo_lifetime, |app| {
    let (_, owner) = user(&app, "memo-ttl@x.co").await;
    let p = create_project(&app, &owner, "Memo TTL").await;
    let r = send(&app, Method::POST, "/api/v1/api-keys", Some(json!({"name": "k"})), &owner).await;
    let secret = r.json["data"]["secret"].as_str().unwrap().to_string();
    let key = Auth::ApiKey(secret.clone());
    assert_eq!(calls(&app, &p, &key).await, StatusCode::OK);
    assert_eq!(calls(&app, &p, &key).await, StatusCode::OK);
    // Another process revokes the key: its commit is not this process's.
    sqlx::query("UPDATE api_keys SET revoked_at = 1 WHERE prefix = $1")
        .bind(&secret[..12])
        .execute(app.state.db.pool())
        .await
        .unwrap();
    tokio::time::sleep(TTL + Duration::from_millis(100)).await;
    assert_eq!(calls(&app, &p, &key).await, StatusCode::UNAUTHORIZED);

    // The same for a membership: the owner row deleted elsewhere.
    assert_eq!(calls(&app, &p, &owner).await, StatusCode::OK);
    sqlx::query("DELETE FROM project_members WHERE project_id = $1").bind(&p).execute(app.state.db.pool()).await.unwrap();
    tokio::time::sleep(TTL + Duration::from_millis(100)).await;
    assert_eq!(calls(&app, &p, &owner).await, StatusCode::NOT_FOUND);
});
