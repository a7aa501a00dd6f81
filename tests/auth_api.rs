//! The Talkstack-compatible auth API, end to end through the real router, on every backend.

mod common;

use axum::body::Body;
use http::{Request, StatusCode};
use serde_json::json;

const PW: &str = "Tdk-test-pass-1";
const PW2: &str = "Tdk-test-pass-2";

async fn user_id(app: &common::TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(email).fetch_one(app.state.db.pool()).await.unwrap()
}

async fn exec(app: &common::TestApp, sql: &str) {
    sqlx::query(sql).execute(app.state.db.pool()).await.expect("sql");
}

on_both!(signup_verify_login_refresh_flow, |app| {
    let r = app.signup("Ada@Example.com", PW).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["status"], "success");
    assert_eq!(r.json["signupStatus"], 3);
    assert!(r.json["token"].is_null(), "no credentials before verification");
    let user = &r.json["user"];
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["name"], "Test User");
    assert!(user["active_project"].is_null());
    assert!(user["company_name"].is_null());
    assert!(user["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(user.get("password_hash").is_none());

    // Login before verification is refused, saying why.
    let r = app.login("ada@example.com", PW).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json["code"], "email_not_verified");
    assert!(r.json["message"].as_str().unwrap().contains("Verify your email"));

    let code = app.latest_code("ada@example.com", 1).await;
    let r = app.post_json("/api/auth/verify-email", json!({"email": "ada@example.com", "code": code}), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["verificationStatus"], 2);
    assert_eq!(r.json["userData"]["verified"], true);
    assert!(r.json["token"].is_string() && r.json["refreshToken"].is_string());

    // Verifying again: answered like any invalid code (verify-email tells nobody who is verified).
    let r = app.post_json("/api/auth/verify-email", json!({"email": "ada@example.com", "code": code}), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json["verificationStatus"], 1);

    let r = app.login("ada@example.com", PW).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let token = r.json["token"].as_str().unwrap().to_string();
    let refresh = r.json["refreshToken"].as_str().unwrap().to_string();
    assert!(r.json["expirationTime"].as_str().unwrap().ends_with('Z'));

    let me = app.get("/api/user/me", Some(&token)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json["userData"]["email"], "ada@example.com");

    let r = app.post_json("/api/auth/refresh-token", json!({"refreshToken": refresh}), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_ne!(r.json["refreshToken"].as_str().unwrap(), refresh);
    let t2 = r.json["token"].as_str().unwrap();
    assert_eq!(app.get("/api/user/me", Some(t2)).await.status, StatusCode::OK);

    // Signing up again with a verified address: answered like a new sign-up; the owner is mailed.
    let r = app.signup("ada@example.com", PW).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["signupStatus"], 3);
    app.wait_mail("ada@example.com", "already have a Talkdeck account", 1).await;
});

on_both!(signup_statuses_for_bad_input, |app| {
    let r = app.post_json("/api/auth/signup", json!({"email": "a@b.co"}), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json["signupStatus"], 0);
    assert_eq!(r.json["status"], "error");
    let r = app.post_json("/api/auth/signup", json!({"email": "not-an-email", "password": PW, "name": "X"}), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json["signupStatus"], 5);
    let r = app.post_json("/api/auth/signup", json!({"email": "c@d.co", "password": "password1", "name": "X"}), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json["signupStatus"], 4);
    assert!(r.json["message"].as_str().unwrap().contains("common"));
    let r = app.post_json("/api/auth/signup", json!({"email": "c@d.co", "password": "short", "name": "X"}), None).await;
    assert_eq!(r.json["signupStatus"], 4);
    // Nothing half-written: the address is still free.
    let r = app.signup("c@d.co", PW).await;
    assert_eq!(r.json["signupStatus"], 3);
    // Re-signing up while unverified re-sends a code (answered like a new sign-up), the old code
    // dies, and the password stays the first one.
    let first = app.latest_code("c@d.co", 1).await;
    let r = app.signup("c@d.co", PW2).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["signupStatus"], 3);
    let second = app.latest_code("c@d.co", 2).await;
    if first != second {
        let r = app.post_json("/api/auth/verify-email", json!({"email": "c@d.co", "code": first}), None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
    let r = app.post_json("/api/auth/verify-email", json!({"email": "c@d.co", "code": second}), None).await;
    assert_eq!(r.json["verificationStatus"], 2, "{}", r.text);
    assert_eq!(app.login("c@d.co", PW2).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("c@d.co", PW).await.status, StatusCode::OK);
    // Garbage body.
    let req = Request::post("/api/auth/login").header("content-type", "application/json").body(Body::from("{not json")).unwrap();
    let r = app.request(req).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json["status"], "error");
});

on_both!(wrong_expired_and_sixth_codes, |app| {
    app.signup("w@x.co", PW).await;
    let code = app.latest_code("w@x.co", 1).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };

    // Missing code.
    let r = app.post_json("/api/auth/verify-email", json!({"email": "w@x.co"}), None).await;
    assert_eq!((r.status, r.json["verificationStatus"].clone()), (StatusCode::BAD_REQUEST, json!(0)));
    // Unknown account: answered like a wrong code.
    let r = app.post_json("/api/auth/verify-email", json!({"email": "nobody@x.co", "code": "123456"}), None).await;
    assert_eq!((r.status, r.json["verificationStatus"].clone()), (StatusCode::BAD_REQUEST, json!(1)));

    for i in 1..=5 {
        let r = app.post_json("/api/auth/verify-email", json!({"email": "w@x.co", "code": wrong}), None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "try {i}");
        assert_eq!(r.json["verificationStatus"], 1, "try {i}: {}", r.text);
    }
    // The 6th try, even with the right code, fails: the code is dead.
    let r = app.post_json("/api/auth/verify-email", json!({"email": "w@x.co", "code": code}), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json["verificationStatus"], 1);
    assert_eq!(r.json["code"], "invalid_code");

    // A new code works, unless it has expired.
    let r = app.post_json("/api/auth/resend-code", json!({"email": "w@x.co"}), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let fresh = app.latest_code("w@x.co", 2).await;
    exec(&app, "UPDATE email_codes SET expires_at = 1 WHERE consumed_at IS NULL").await;
    let r = app.post_json("/api/auth/verify-email", json!({"email": "w@x.co", "code": fresh}), None).await;
    assert_eq!(r.json["verificationStatus"], 1, "{}", r.text);

    app.post_json_from("/api/auth/resend-code", json!({"email": "w@x.co"}), None, [10, 0, 0, 2]).await;
    app.latest_code("w@x.co", 3).await;
    // Force a leading zero so the numeric form really drops a digit.
    let digest = talkdeck::server::auth::secrets::code_digest(&app.state.config.secret_key, &user_id(&app, "w@x.co").await, "012345");
    sqlx::query("UPDATE email_codes SET code_hash = $1 WHERE consumed_at IS NULL")
        .bind(&digest)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let r = app.post_json("/api/auth/verify-email", json!({"email": "w@x.co", "code": 12345}), None).await;
    assert_eq!(r.json["verificationStatus"], 2, "numeric codes are accepted: {}", r.text);
});

on_both!(no_enumeration_on_login_forgot_resend, |app| {
    app.verified_user("known@x.co", PW).await;
    let a = app.login("known@x.co", "Wrong-password-1").await;
    let b = app.login("unknown@x.co", "Wrong-password-1").await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!((a.status, &a.json), (b.status, &b.json));

    let a = app.post_json("/api/auth/forgot-password", json!({"email": "known@x.co"}), None).await;
    let b = app.post_json("/api/auth/forgot-password", json!({"email": "unknown@x.co"}), None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json["message"], "If the email is registered, a reset link has been sent.");
    assert_eq!((a.status, &a.json), (b.status, &b.json));

    let a = app.post_json("/api/auth/resend-code", json!({"email": "known@x.co"}), None).await;
    let b = app.post_json("/api/auth/resend-code", json!({"email": "unknown@x.co"}), None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!((a.status, &a.json), (b.status, &b.json));

    // Only the known address got a reset mail; nobody got a code (the account is verified).
    app.wait_mail("known@x.co", "Reset your Talkdeck password", 1).await;
    assert_eq!(app.mail_count("unknown@x.co", "").await, 0);
});

on_both!(change_password_requires_the_current_one, |app| {
    let (token, _) = app.verified_user("cp@x.co", PW).await;
    let r = app.post_json("/api/auth/change-password", json!({"oldPassword": "Not-the-password", "newPassword": PW2}), Some(&token)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    assert_eq!(r.json["status"], "error");
    let r = app.post_json("/api/auth/change-password", json!({"oldPassword": PW, "newPassword": PW2}), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.post_json("/api/auth/change-password", json!({"oldPassword": PW, "newPassword": "12345678"}), Some(&token)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Another login's token dies with the change; the caller's own survives.
    let other = app.login("cp@x.co", PW).await.json["token"].as_str().unwrap().to_string();
    let r = app.post_json("/api/auth/change-password", json!({"oldPassword": PW, "newPassword": PW2}), Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.get("/api/user/me", Some(&token)).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/user/me", Some(&other)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("cp@x.co", PW).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("cp@x.co", PW2).await.status, StatusCode::OK);
});

on_both!(reset_password_is_single_use_and_revokes_everything, |app| {
    let (token, refresh) = app.verified_user("rs@x.co", PW).await;
    app.post_json("/api/auth/forgot-password", json!({"email": "rs@x.co"}), None).await;
    let mail = app.wait_mail("rs@x.co", "Reset your Talkdeck password", 1).await;
    assert!(mail.contains("http://127.0.0.1:3000/reset-password?token="), "link uses PUBLIC_URL");
    let reset = common::reset_token_from(&mail);
    assert!(reset.len() >= 22, "at least 128 bits in base64url");

    let r = app.post_json("/api/auth/reset-password", json!({"token": reset, "newPassword": "password"}), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "weak password refused first");
    let r = app.post_json("/api/auth/reset-password", json!({"token": reset, "newPassword": PW2}), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // Reuse fails.
    let r = app.post_json("/api/auth/reset-password", json!({"token": reset, "newPassword": "Tdk-another-3"}), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json["code"], "invalid_code");
    let r = app.post_json("/api/auth/reset-password", json!({"token": "made-up-token", "newPassword": "Tdk-another-3"}), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Everything issued before the reset stops working at once.
    assert_eq!(app.get("/api/user/me", Some(&token)).await.status, StatusCode::UNAUTHORIZED);
    let r = app.post_json("/api/auth/refresh-token", json!({"refreshToken": refresh}), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("rs@x.co", PW).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("rs@x.co", PW2).await.status, StatusCode::OK);
});

on_both!(expired_reset_token_is_refused, |app| {
    app.verified_user("ex@x.co", PW).await;
    app.post_json("/api/auth/forgot-password", json!({"email": "ex@x.co"}), None).await;
    let mail = app.wait_mail("ex@x.co", "Reset your Talkdeck password", 1).await;
    exec(&app, "UPDATE password_resets SET expires_at = 1").await;
    let r = app.post_json("/api/auth/reset-password", json!({"token": common::reset_token_from(&mail), "newPassword": PW2}), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
});

on_both!(refresh_replay_revokes_the_family, |app| {
    app.verified_user("rf@x.co", PW).await;
    let login = app.login("rf@x.co", PW).await;
    let a1 = login.json["token"].as_str().unwrap().to_string();
    let r1 = login.json["refreshToken"].as_str().unwrap().to_string();
    let second = app.post_json("/api/auth/refresh-token", json!({"refreshToken": r1}), None).await;
    assert_eq!(second.status, StatusCode::OK);
    let a2 = second.json["token"].as_str().unwrap().to_string();
    let r2 = second.json["refreshToken"].as_str().unwrap().to_string();

    // Replaying r1: refused, and the whole family dies.
    let r = app.post_json("/api/auth/refresh-token", json!({"refreshToken": r1}), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.post_json("/api/auth/refresh-token", json!({"refreshToken": r2}), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "the rotated token dies with its family");
    assert_eq!(app.get("/api/user/me", Some(&a1)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/user/me", Some(&a2)).await.status, StatusCode::UNAUTHORIZED);

    // Other families are untouched.
    let other = app.login("rf@x.co", PW).await.json["token"].as_str().unwrap().to_string();
    assert_eq!(app.get("/api/user/me", Some(&other)).await.status, StatusCode::OK);
    let r = app.post_json("/api/auth/refresh-token", json!({}), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
});

on_both!(logout_revokes_the_token_at_once, |app| {
    let (token, refresh) = app.verified_user("lo@x.co", PW).await;
    assert_eq!(app.post_json("/api/auth/logout", json!({}), Some(&token)).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/user/me", Some(&token)).await.status, StatusCode::UNAUTHORIZED);
    let r = app.post_json("/api/auth/refresh-token", json!({"refreshToken": refresh}), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/user/me", Some("not.a.jwt")).await.status, StatusCode::UNAUTHORIZED);
});

on_both!(active_project_is_404_until_projects_exist, |app| {
    let (token, _) = app.verified_user("ap@x.co", PW).await;
    let r = app.get("/api/user/get-active-project", Some(&token)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json["status"], "error");
    assert_eq!(app.get("/api/user/get-active-project", None).await.status, StatusCode::UNAUTHORIZED);
});

on_both!(throttling_answers_429_with_retry_after, |app| {
    // Per account: the same address from many clients.
    let mut last = None;
    for i in 0..12u8 {
        let r = app.post_json_from("/api/auth/login", json!({"email": "t@x.co", "password": "Wrong-pass-99"}), None, [10, 9, 0, i]).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            last = Some(r);
            break;
        }
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = last.expect("login is throttled per account");
    assert!(r.headers.get("retry-after").unwrap().to_str().unwrap().parse::<u64>().unwrap() >= 1);
    assert_eq!(r.json["code"], "rate_limited");

    // Per client: many addresses from one client.
    let mut limited = false;
    for i in 0..25 {
        let r = app.post_json_from("/api/auth/forgot-password", json!({"email": format!("f{i}@x.co")}), None, [10, 8, 0, 1]).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.headers.contains_key("retry-after"));
            limited = true;
            break;
        }
    }
    assert!(limited, "forgot-password is throttled per client");

    for i in 0..25 {
        let r = app
            .post_json_from("/api/auth/signup", json!({"email": format!("s{i}@x.co"), "password": PW, "name": "S"}), None, [10, 7, 0, 1])
            .await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            return_ok(&r);
            break;
        }
        assert!(i < 24, "signup is throttled per client");
    }
});

fn return_ok(r: &common::Resp) {
    assert!(r.headers.contains_key("retry-after"));
}

on_both!(health_and_openapi, |app| {
    let r = app.get("/health", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    for p in [
        "/api/auth/signup",
        "/api/auth/verify-email",
        "/api/auth/resend-code",
        "/api/auth/login",
        "/api/auth/refresh-token",
        "/api/auth/change-password",
        "/api/auth/forgot-password",
        "/api/auth/reset-password",
        "/api/user/get-active-project",
        "/api/project/create-project",
        "/api/project/{projectId}",
        "/api/v1/projects",
        "/api/v1/projects/{id}/members",
        "/api/v1/projects/{id}/invitations",
        "/api/v1/invitations/accept",
        "/api/v1/api-keys",
    ] {
        assert!(r.json["paths"].get(p).is_some(), "{p} documented");
    }
});
