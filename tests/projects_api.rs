//! Projects, teams, invitations and API keys through the compat and v1 APIs, on every backend,
//! including the access matrix (role x endpoint -> exact status).

mod common;

use common::{check, create_project, invite_and_accept, invite_token, send, team, user, Auth, Team};
use http::{Method, StatusCode};
use serde_json::{json, Value};

on_both!(create_project_matches_seed_002, |app| {
    let (uid, auth) = user(&app, "seed@x.co").await;
    let r = send(&app, Method::POST, "/api/project/create-project", Some(json!({"name": "Demo Project", "description": "This is a demo project."})), &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["message"], "successfully created project.");
    assert_eq!(r.json["status"], "success");
    let d = &r.json["data"];
    let mut keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["active_agent", "call_status_webhook", "created_at", "description", "id", "name", "status", "updated_at", "user_id"]);
    assert_eq!(d["name"], "Demo Project");
    assert_eq!(d["description"], "This is a demo project.");
    assert_eq!(d["user_id"], uid.as_str());
    assert_eq!(d["status"], "ACTIVE");
    assert!(d["call_status_webhook"].is_null() && d["active_agent"].is_null());
    assert!(d["created_at"].is_null() && d["updated_at"].is_null());
    assert!(d["id"].as_str().unwrap().len() >= 26);

    // Duplicate name for the same user: 400; another user may reuse it.
    let r = send(&app, Method::POST, "/api/project/create-project", Some(json!({"name": "demo project", "description": ""})), &auth).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.json["status"], "error");
    let (_, other) = user(&app, "seed2@x.co").await;
    create_project(&app, &other, "Demo Project").await;
    // Missing fields: 400.
    let r = send(&app, Method::POST, "/api/project/create-project", Some(json!({"name": "X"})), &auth).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // No credentials: 401.
    let r = send(&app, Method::POST, "/api/project/create-project", Some(json!({"name": "X", "description": ""})), &Auth::None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // GET returns the same fields plus is_deleted, with real timestamps.
    let id = d["id"].as_str().unwrap();
    let g = send(&app, Method::GET, &format!("/api/project/{id}"), None, &auth).await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(g.json["data"]["is_deleted"], false);
    assert!(g.json["data"]["created_at"].as_str().unwrap().ends_with('Z'));
    let l = send(&app, Method::GET, "/api/project", None, &auth).await;
    assert_eq!(l.json["data"].as_array().unwrap().len(), 1);
});

on_both!(active_project_round_trip, |app| {
    let (_, auth) = user(&app, "act@x.co").await;
    let r = send(&app, Method::GET, "/api/user/get-active-project", None, &auth).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let a = create_project(&app, &auth, "A").await;
    let b = create_project(&app, &auth, "B").await;
    // The first project became active.
    let r = send(&app, Method::GET, "/api/user/get-active-project", None, &auth).await;
    assert_eq!(r.json["projectData"]["id"], a.as_str());
    let r = send(&app, Method::POST, "/api/user/set-active-project", Some(json!({"projectId": b})), &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["userData"]["active_project"], b.as_str());
    assert_eq!(r.json["projectData"]["id"], b.as_str());
    let r = send(&app, Method::GET, "/api/v1/me/active-project", None, &auth).await;
    assert_eq!(r.json["data"]["id"], b.as_str());
    // Deleting it clears it.
    let r = send(&app, Method::DELETE, &format!("/api/project/{b}"), Some(json!({"cascade": false})), &auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = send(&app, Method::GET, "/api/user/get-active-project", None, &auth).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = send(&app, Method::GET, &format!("/api/project/{b}"), None, &auth).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "deleted projects are gone");
    let r = send(&app, Method::POST, "/api/user/set-active-project", Some(json!({"projectId": "nope"})), &auth).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
});

on_both!(access_matrix_non_destructive, |app| {
    let t = team(&app, "m").await;
    let p = t.project.clone();
    let viewer_id = t.ids[3].clone();
    let mut n = 0;
    type Row = (&'static str, Method, String, Option<Value>, [u16; 6]);
    let rows: Vec<Row> = vec![
        ("compat get project", Method::GET, format!("/api/project/{p}"), None, [200, 200, 200, 200, 404, 404]),
        ("compat update project", Method::PUT, format!("/api/project/{p}"), Some(json!({"description": "new"})), [200, 200, 403, 403, 404, 404]),
        (
            "compat webhook",
            Method::POST,
            "/api/project/call-status/add-webhookurl".into(),
            Some(json!({"projectId": p, "webhookURL": "https://example.com/h"})),
            [200, 200, 403, 403, 404, 404],
        ),
        ("compat set active", Method::POST, "/api/user/set-active-project".into(), Some(json!({"projectId": p})), [200, 200, 200, 200, 404, 404]),
        ("v1 get project", Method::GET, format!("/api/v1/projects/{p}"), None, [200, 200, 200, 200, 404, 404]),
        ("v1 update project", Method::PUT, format!("/api/v1/projects/{p}"), Some(json!({"description": "v1"})), [200, 200, 403, 403, 404, 404]),
        ("v1 members", Method::GET, format!("/api/v1/projects/{p}/members"), None, [200, 200, 200, 200, 404, 404]),
        ("v1 invitations", Method::GET, format!("/api/v1/projects/{p}/invitations"), None, [200, 200, 403, 403, 404, 404]),
        ("v1 set role", Method::PUT, format!("/api/v1/projects/{p}/members/{viewer_id}"), Some(json!({"role": "viewer"})), [200, 200, 403, 403, 404, 404]),
        ("v1 audit log", Method::GET, format!("/api/v1/projects/{p}/audit-log"), None, [200, 200, 403, 403, 404, 404]),
        ("v1 set active", Method::PUT, "/api/v1/me/active-project".into(), Some(json!({"project_id": p})), [200, 200, 200, 200, 404, 404]),
        ("v1 scoped key", Method::POST, "/api/v1/api-keys".into(), Some(json!({"name": "k", "project_id": p})), [201, 201, 403, 403, 404, 404]),
    ];
    for (name, method, path, body, want) in rows {
        let mut got = vec![];
        for a in &t.auths {
            got.push(send(&app, method.clone(), &path, body.clone(), a).await.status);
        }
        check(name, &got, want);
    }
    // Invitations: a fresh address per cell.
    let mut got = vec![];
    for a in &t.auths {
        n += 1;
        let r = send(&app, Method::POST, &format!("/api/v1/projects/{p}/invitations"), Some(json!({"email": format!("new{n}@x.co"), "role": "viewer"})), a).await;
        got.push(r.status);
    }
    check("v1 invite", &got, [201, 201, 403, 403, 404, 404]);
    let inv = send(&app, Method::GET, &format!("/api/v1/projects/{p}/invitations"), None, &t.auths[0]).await;
    let inv_id = inv.json["data"][0]["id"].as_str().unwrap().to_string();
    let mut got = vec![];
    for a in &t.auths {
        got.push(send(&app, Method::POST, &format!("/api/v1/projects/{p}/invitations/{inv_id}/resend"), None, a).await.status);
    }
    check("v1 resend", &got, [200, 200, 403, 403, 404, 404]);
    // Revoke: each cell revokes its own pending invitation.
    let mut got = vec![];
    for a in &t.auths {
        n += 1;
        let r =
            send(&app, Method::POST, &format!("/api/v1/projects/{p}/invitations"), Some(json!({"email": format!("rv{n}@x.co"), "role": "viewer"})), &t.auths[0]).await;
        let id = r.json["data"]["id"].as_str().unwrap().to_string();
        got.push(send(&app, Method::DELETE, &format!("/api/v1/projects/{p}/invitations/{id}"), None, a).await.status);
    }
    check("v1 revoke invitation", &got, [200, 200, 403, 403, 404, 404]);
});

on_both!(access_matrix_destructive, |app| {
    // Each cell on a fresh team, since the action changes it.
    type Act = fn(&Team) -> (Method, String, Option<Value>);
    let rows: Vec<(&str, Act, [u16; 6])> = vec![
        ("compat delete project", |t| (Method::DELETE, format!("/api/project/{}", t.project), Some(json!({"cascade": true}))), [200, 403, 403, 403, 404, 404]),
        ("v1 delete project", |t| (Method::DELETE, format!("/api/v1/projects/{}", t.project), None), [200, 403, 403, 403, 404, 404]),
        ("v1 remove member", |t| (Method::DELETE, format!("/api/v1/projects/{}/members/{}", t.project, t.ids[2]), None), [200, 200, 200, 403, 404, 404]),
        ("v1 transfer", |t| (Method::POST, format!("/api/v1/projects/{}/transfer", t.project), Some(json!({"user_id": t.ids[1]}))), [200, 403, 403, 403, 404, 404]),
        ("v1 leave", |t| (Method::POST, format!("/api/v1/projects/{}/leave", t.project), None), [409, 200, 200, 200, 404, 404]),
    ];
    let mut k = 0;
    for (name, act, want) in rows {
        let mut got = vec![];
        for i in 0..6 {
            k += 1;
            let t = team(&app, &format!("d{k}")).await;
            let (m, path, body) = act(&t);
            got.push(send(&app, m, &path, body, &t.auths[i]).await.status);
        }
        check(name, &got, want);
    }
});

on_both!(invitations_expire_are_single_use_and_bound_to_the_address, |app| {
    let (_, owner) = user(&app, "io@x.co").await;
    let p = create_project(&app, &owner, "Inv").await;
    let (_, bob) = user(&app, "bob@x.co").await;
    let (_, eve) = user(&app, "eve@x.co").await;
    let r = send(&app, Method::POST, &format!("/api/v1/projects/{p}/invitations"), Some(json!({"email": "Bob@X.co", "role": "member"})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let mail = app.wait_mail("bob@x.co", "invited you to", 1).await;
    assert!(mail.contains("http://127.0.0.1:3000/invitations/accept?token="));
    let token = invite_token(&mail);
    assert!(token.len() >= 22);

    // Another address cannot use it.
    let r = send(&app, Method::POST, "/api/v1/invitations/accept", Some(json!({"token": token})), &eve).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // Wrong token.
    let r = send(&app, Method::POST, "/api/v1/invitations/accept", Some(json!({"token": "nope"})), &bob).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // The invitee accepts, once.
    let r = send(&app, Method::POST, "/api/v1/invitations/accept", Some(json!({"token": token})), &bob).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["data"]["role"], "member");
    let r = send(&app, Method::POST, "/api/v1/invitations/accept", Some(json!({"token": token})), &bob).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "reuse refused");
    let r = send(&app, Method::GET, &format!("/api/v1/projects/{p}"), None, &bob).await;
    assert_eq!(r.status, StatusCode::OK);

    // Expiry.
    let r = send(&app, Method::POST, &format!("/api/v1/projects/{p}/invitations"), Some(json!({"email": "carol@x.co", "role": "viewer"})), &owner).await;
    let inv_id = r.json["data"]["id"].as_str().unwrap().to_string();
    let token = invite_token(&app.wait_mail("carol@x.co", "invited you to", 1).await);
    let (_, carol) = user(&app, "carol@x.co").await;
    sqlx::query("UPDATE invitations SET expires_at = 1 WHERE id = $1").bind(&inv_id).execute(app.state.db.pool()).await.unwrap();
    let r = send(&app, Method::POST, "/api/v1/invitations/accept", Some(json!({"token": token})), &carol).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["error"]["message"].as_str().unwrap().contains("expired"));
    let r = send(&app, Method::GET, &format!("/api/v1/projects/{p}/invitations"), None, &owner).await;
    assert_eq!(r.json["data"][0]["state"], "expired");
    // Resending gives a new link that works; the old one stays dead.
    let r = send(&app, Method::POST, &format!("/api/v1/projects/{p}/invitations/{inv_id}/resend"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let fresh = invite_token(&app.wait_mail("carol@x.co", "invited you to", 2).await);
    assert_ne!(fresh, token);
    let r = send(&app, Method::POST, "/api/v1/invitations/accept", Some(json!({"token": token})), &carol).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(&app, Method::POST, "/api/v1/invitations/accept", Some(json!({"token": fresh})), &carol).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Inviting an existing member: 409.
    let r = send(&app, Method::POST, &format!("/api/v1/projects/{p}/invitations"), Some(json!({"email": "carol@x.co", "role": "viewer"})), &owner).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // The audit log recorded it.
    let r = send(&app, Method::GET, &format!("/api/v1/projects/{p}/audit-log"), None, &owner).await;
    let actions: Vec<&str> = r.json["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"invitation.created") && actions.contains(&"invitation.accepted"), "{actions:?}");
});

on_both!(last_owner_protection_and_transfer, |app| {
    let (owner_id, owner) = user(&app, "lo@x.co").await;
    let p = create_project(&app, &owner, "Owned").await;
    let (admin_id, admin) = user(&app, "la@x.co").await;
    invite_and_accept(&app, &owner, &p, "la@x.co", "admin", &admin).await;
    let r = send(&app, Method::POST, &format!("/api/v1/projects/{p}/leave"), None, &owner).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = send(&app, Method::DELETE, &format!("/api/v1/projects/{p}/members/{owner_id}"), None, &admin).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "an admin cannot remove the owner");
    let r = send(&app, Method::PUT, &format!("/api/v1/projects/{p}/members/{owner_id}"), Some(json!({"role": "admin"})), &owner).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "the last owner cannot be demoted");
    let r = send(&app, Method::PUT, &format!("/api/v1/projects/{p}/members/{admin_id}"), Some(json!({"role": "owner"})), &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "ownership moves by transfer");
    let r = send(&app, Method::POST, &format!("/api/v1/projects/{p}/transfer"), Some(json!({"user_id": admin_id})), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = send(&app, Method::GET, &format!("/api/project/{p}"), None, &owner).await;
    assert_eq!(r.json["data"]["user_id"], admin_id.as_str());
    assert_eq!(r.json["data"]["role"], "admin");
    // Now the former owner can leave, and the project stops being visible to them.
    let r = send(&app, Method::POST, &format!("/api/v1/projects/{p}/leave"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = send(&app, Method::GET, &format!("/api/project/{p}"), None, &owner).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
});

on_both!(api_keys_authenticate_and_revoke_at_once, |app| {
    let (_, auth) = user(&app, "k@x.co").await;
    let p = create_project(&app, &auth, "Keys").await;
    let r = send(&app, Method::POST, "/api/v1/api-keys", Some(json!({"name": "ci"})), &auth).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let secret = r.json["data"]["secret"].as_str().unwrap().to_string();
    let id = r.json["data"]["key"]["id"].as_str().unwrap().to_string();
    assert!(secret.starts_with("tdk_") && secret.len() >= 4 + 22);
    assert_eq!(r.json["data"]["key"]["prefix"], &secret[..12]);
    // Stored hashed only.
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_keys WHERE key_hash = $1 OR prefix = $1")
        .bind(&secret)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
    // Both headers work.
    for a in [Auth::ApiKey(secret.clone()), Auth::Bearer(secret.clone())] {
        assert_eq!(send(&app, Method::GET, &format!("/api/project/{p}"), None, &a).await.status, StatusCode::OK);
    }
    let list = send(&app, Method::GET, "/api/v1/api-keys", None, &auth).await;
    assert_eq!(list.json["data"].as_array().unwrap().len(), 1);
    assert!(common::is_rfc3339_ms(&list.json["data"][0]["last_used_at"]), "{}", list.text);
    assert!(list.json["data"][0].get("secret").is_none());
    // Keys cannot mint keys.
    let r = send(&app, Method::POST, "/api/v1/api-keys", Some(json!({"name": "x"})), &Auth::ApiKey(secret.clone())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Revocation takes effect on the next request.
    assert_eq!(send(&app, Method::DELETE, &format!("/api/v1/api-keys/{id}"), None, &auth).await.status, StatusCode::OK);
    assert_eq!(send(&app, Method::GET, &format!("/api/project/{p}"), None, &Auth::ApiKey(secret.clone())).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(send(&app, Method::GET, "/api/project", None, &Auth::ApiKey("tdk_made_up".into())).await.status, StatusCode::UNAUTHORIZED);

    // Talkstack's generate-apikey keeps one key and replaces it.
    let a = send(&app, Method::GET, "/api/user/generate-apikey", None, &auth).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let k1 = a.json["apiKey"].as_str().unwrap().to_string();
    let k2 = send(&app, Method::GET, "/api/user/generate-apikey", None, &auth).await.json["apiKey"].as_str().unwrap().to_string();
    assert_ne!(k1, k2);
    assert_eq!(send(&app, Method::GET, "/api/project", None, &Auth::ApiKey(k1.clone())).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(send(&app, Method::GET, "/api/project", None, &Auth::ApiKey(k2.clone())).await.status, StatusCode::OK);
    assert_eq!(send(&app, Method::GET, "/api/user/generate-apikey", None, &Auth::ApiKey(k2)).await.status, StatusCode::FORBIDDEN);

    // A scoped key sees only its project and cannot create projects.
    let q = create_project(&app, &auth, "Scoped").await;
    let r = send(&app, Method::POST, "/api/v1/api-keys", Some(json!({"name": "s", "project_id": q})), &auth).await;
    let scoped = Auth::ApiKey(r.json["data"]["secret"].as_str().unwrap().to_string());
    let l = send(&app, Method::GET, "/api/v1/projects", None, &scoped).await;
    assert_eq!(l.json["data"].as_array().unwrap().len(), 1);
    assert_eq!(l.json["next_cursor"], Value::Null);
    assert_eq!(send(&app, Method::GET, &format!("/api/project/{p}"), None, &scoped).await.status, StatusCode::NOT_FOUND);
    let r = send(&app, Method::POST, "/api/project/create-project", Some(json!({"name": "Z", "description": ""})), &scoped).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

on_both!(v1_envelope_and_pagination, |app| {
    let (_, auth) = user(&app, "v1@x.co").await;
    for i in 0..3 {
        create_project(&app, &auth, &format!("N{i}")).await;
    }
    // `per_page` still works as `limit`; the next page comes from the cursor.
    let r = send(&app, Method::GET, "/api/v1/projects?per_page=2&page=2", None, &auth).await;
    assert_eq!(r.json["success"], true);
    assert_eq!(r.json["data"].as_array().unwrap().len(), 2);
    let c = r.json["next_cursor"].as_str().unwrap().to_string();
    let r = send(&app, Method::GET, &format!("/api/v1/projects?limit=2&cursor={c}"), None, &auth).await;
    assert_eq!(r.json["data"].as_array().unwrap().len(), 1);
    assert_eq!(r.json["data"][0]["name"], "N2");
    assert_eq!(r.json["next_cursor"], Value::Null);
    let r = send(&app, Method::POST, "/api/v1/projects", Some(json!({"name": ""})), &auth).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json["success"], false);
    assert_eq!(r.json["error"]["code"], "invalid_input");
    assert_eq!(r.json["error"]["details"][0]["field"], "name");
    let r = send(&app, Method::POST, "/api/v1/projects", Some(json!({"name": "N0"})), &auth).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = send(&app, Method::GET, "/api/v1/projects", None, &Auth::None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json["error"]["code"], "unauthenticated");
});
