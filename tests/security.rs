//! The defects an outside probe found, each replayed on every backend: account takeover before
//! verification, sign-up and verify-email telling who has an account, NUL in text, a cross-site
//! GET that rotated the API key, lock-out by a stranger, throttle counters per process, and
//! server-function / body-size errors answered as 500.

mod common;

use axum::body::Body;
use common::{send, user, Auth, TestApp, PW};
use http::{Method, Request, StatusCode};
use serde_json::json;
use std::net::SocketAddr;
use talkdeck::server::auth::throttle::Action;

const OTHER_PW: &str = "Attacker-pass-9";

on_both!(a_re_signup_never_changes_an_unverified_accounts_password_or_name, |app| {
    let r = app.post_json("/api/auth/signup", json!({"email": "victim@x.co", "password": PW, "name": "Victim"}), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let first = r.json.clone();
    // The attacker signs up again with the same address before the owner verifies.
    let r = app.post_json("/api/auth/signup", json!({"email": "victim@x.co", "password": OTHER_PW, "name": "Mallory"}), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["signupStatus"], first["signupStatus"]);
    assert_eq!(r.json["message"], first["message"]);
    // The owner types the newest code from the mailbox.
    let code = app.latest_code("victim@x.co", 2).await;
    let r = app.post_json("/api/auth/verify-email", json!({"email": "victim@x.co", "code": code}), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["userData"]["name"], "Victim", "the name is the owner's");
    assert_eq!(app.login("victim@x.co", OTHER_PW).await.status, StatusCode::UNAUTHORIZED, "the attacker's password must not work");
    assert_eq!(app.login("victim@x.co", PW).await.status, StatusCode::OK);
});

on_both!(sign_up_and_verify_answer_alike_for_every_address, |app| {
    user(&app, "taken@x.co").await;
    let new = app.post_json("/api/auth/signup", json!({"email": "fresh@x.co", "password": PW, "name": "N"}), None).await;
    let taken = app.post_json("/api/auth/signup", json!({"email": "taken@x.co", "password": OTHER_PW, "name": "N"}), None).await;
    assert_eq!(new.status, taken.status);
    for k in ["signupStatus", "message", "status", "token"] {
        assert_eq!(new.json[k], taken.json[k], "{k}: {} vs {}", new.text, taken.text);
    }
    let keys = |v: &serde_json::Value| v["user"].as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
    assert_eq!(keys(&new.json), keys(&taken.json));
    // The owner of the existing account is told, and nothing changed.
    let mail = app.wait_mail("taken@x.co", "already have a Talkdeck account", 1).await;
    assert!(mail.contains("/forgot-password"));
    assert_eq!(app.login("taken@x.co", PW).await.status, StatusCode::OK);
    assert_eq!(app.login("taken@x.co", OTHER_PW).await.status, StatusCode::UNAUTHORIZED);

    // verify-email: unknown address, verified address and a wrong code answer the same.
    let answers: Vec<_> = futures_like(&app, &["nobody@x.co", "taken@x.co", "fresh@x.co"]).await;
    for w in answers.windows(2) {
        assert_eq!(w[0], w[1]);
    }
});

async fn futures_like(app: &TestApp, emails: &[&str]) -> Vec<(StatusCode, serde_json::Value, serde_json::Value)> {
    let mut out = Vec::new();
    for e in emails {
        let r = app.post_json("/api/auth/verify-email", json!({"email": e, "code": "000000"}), None).await;
        out.push((r.status, r.json["verificationStatus"].clone(), r.json["message"].clone()));
    }
    out
}

on_both!(nul_is_refused_as_invalid_input_everywhere, |app| {
    let (_, auth) = user(&app, "nul@x.co").await;
    let project = common::create_project(&app, &auth, "Nul").await;
    let cases = [
        (Method::POST, "/api/project/create-project".to_string(), Some(json!({"name": "a\u{0}b", "description": ""}))),
        (Method::POST, "/api/v1/projects".to_string(), Some(json!({"name": "ok", "description": "x\u{0}"}))),
        (Method::POST, "/api/v1/agents".to_string(), Some(json!({"project_id": project, "name": "A", "system_prompt": "hi\u{0}"}))),
        (Method::GET, "/api/v1/agents/%00".to_string(), None),
        (Method::GET, format!("/api/v1/agents?project_id={project}&q=%00"), None),
    ];
    for (m, path, body) in cases {
        let r = send(&app, m.clone(), &path, body, &auth).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{m} {path}: {}", r.text);
        assert!(r.text.contains("invalid_input"), "{m} {path}: {}", r.text);
    }
    // A literal backslash-u0000 (escaped backslash) is ordinary text.
    let r = send(&app, Method::POST, "/api/v1/agents", Some(json!({"project_id": project, "name": "Lit", "system_prompt": "\\u0000"})), &auth).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // Server functions (form posts) follow the same rule.
    let req = Request::post("/rpc/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(Body::from("email=a%00%40x.co&password=x"))
        .unwrap();
    assert_eq!(app.request(req).await.status, StatusCode::BAD_REQUEST);
});

on_both!(generate_apikey_by_get_refuses_the_session_cookie, |app| {
    let (_, auth) = user(&app, "key@x.co").await;
    let Auth::Bearer(token) = auth.clone() else { unreachable!() };
    // A browser session for the same user.
    let login = Request::post("/rpc/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(Body::from(format!("email=key%40x.co&password={PW}")))
        .unwrap();
    let r = app.request(login).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let cookie = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("; ");
    let first = app.get("/api/user/generate-apikey", Some(&token)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    // Another site's link: a GET with only the cookie.
    let req = Request::get("/api/user/generate-apikey")
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .unwrap();
    let r = app.request(req).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    // The key from the first call still works: it was not replaced.
    let key = first.json["apiKey"].as_str().unwrap().to_string();
    let r = send(&app, Method::GET, "/api/project", None, &Auth::ApiKey(key)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
});

async fn login_from(app: &TestApp, email: &str, password: &str, ip: [u8; 4], cookie: Option<&str>) -> common::Resp {
    let mut b = Request::post("/api/auth/login").header("content-type", "application/json");
    if let Some(c) = cookie {
        b = b.header("cookie", c);
    }
    let mut req = b.body(Body::from(json!({"email": email, "password": password}).to_string())).unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(SocketAddr::from((ip, 40000))));
    app.request(req).await
}

on_both!(a_stranger_cannot_lock_the_owners_browser_out, |app| {
    user(&app, "owner@x.co").await;
    // The owner's browser logged in before and holds a device cookie.
    let r = login_from(&app, "owner@x.co", PW, [10, 0, 0, 1], None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let device = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("td_device="))
        .expect("device cookie");
    let device = device.split(';').next().unwrap().to_string();
    // A stranger empties the account's bucket with wrong passwords from many addresses.
    let mut limited = false;
    for i in 0..30u8 {
        let r = login_from(&app, "owner@x.co", "wrong-password-1", [172, 16, 1, i], None).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            limited = true;
            break;
        }
    }
    assert!(limited, "wrong guesses are throttled per account");
    // An untrusted client is slowed too ...
    assert_eq!(login_from(&app, "owner@x.co", PW, [10, 0, 0, 2], None).await.status, StatusCode::TOO_MANY_REQUESTS);
    // ... but the owner's browser logs in.
    let r = login_from(&app, "owner@x.co", PW, [10, 0, 0, 1], Some(&device)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // A device cookie made for another account does not exempt anyone.
    let forged = device.replacen("td_device=", "td_device=0", 1);
    assert_eq!(login_from(&app, "owner@x.co", PW, [10, 0, 0, 3], Some(&forged)).await.status, StatusCode::TOO_MANY_REQUESTS);
});

on_both!(retry_after_is_never_too_short, |app| {
    let ip: std::net::IpAddr = "10.9.9.9".parse().unwrap();
    // Login allows 60 attempts per client address in a burst, then one every 2 s.
    let mut wait = None;
    for i in 0..100 {
        if let Err(e) = app.state.throttle.check(Action::Login, Some(&format!("u{i}@x.co")), ip).await {
            wait = e.retry_after;
            break;
        }
    }
    let wait = wait.expect("throttled");
    assert!(wait >= 1);
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    app.state.throttle.check(Action::Login, Some("late@x.co"), ip).await.expect("waiting the advertised time is enough");
});

on_both!(throttle_counters_are_shared_by_every_process_of_one_database, |app| {
    let other = app.sibling().await;
    // Forgot allows 3 per account: spread over two processes, the 4th is refused all the same.
    let apps = [&app, &other, &app, &other];
    let mut statuses = Vec::new();
    for (i, a) in apps.iter().enumerate() {
        let r = a.post_json_from("/api/auth/forgot-password", json!({"email": "spread@x.co"}), None, [10, 7, 0, i as u8]).await;
        statuses.push(r.status.as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
});

on_both!(server_functions_answer_400_and_413_not_500, |app| {
    // A missing field.
    let req = Request::post("/rpc/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(Body::from("email=a%40x.co"))
        .unwrap();
    let r = app.request(req).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("password is required"), "{}", r.text);
    // An over-large body, on a server function and on the API.
    let big = "a".repeat(3 * 1024 * 1024);
    for path in ["/rpc/login", "/api/auth/login"] {
        let req = Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(Body::from(format!("email={big}")))
            .unwrap();
        let r = app.request(req).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{path}: {}", &r.text[..r.text.len().min(200)]);
    }
});
