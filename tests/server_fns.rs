//! The dashboard's server functions (`/rpc/*`), the session cookie, the cross-site refusal and
//! the page guard, through the real router on every backend.

mod common;

use axum::body::Body;
use http::{Request, StatusCode};
use serde_json::json;

const PW: &str = "Tdk-test-pass-1";
const PW2: &str = "Tdk-test-pass-2";

fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", urlencoding::encode(v))).collect::<Vec<_>>().join("&")
}

struct Call<'a> {
    path: &'a str,
    body: String,
    cookie: Option<&'a str>,
    headers: Vec<(&'a str, &'a str)>,
}

async fn call(app: &common::TestApp, c: Call<'_>) -> common::Resp {
    let mut b = Request::post(c.path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("host", "127.0.0.1:3000");
    if let Some(ck) = c.cookie {
        b = b.header("cookie", format!("td_session={ck}"));
    }
    for (k, v) in c.headers {
        b = b.header(k, v);
    }
    app.request(b.body(Body::from(c.body)).unwrap()).await
}

fn session_from(r: &common::Resp) -> (String, String) {
    let set = r.headers.get("set-cookie").expect("set-cookie").to_str().unwrap().to_string();
    let value = set.trim_start_matches("td_session=").split(';').next().unwrap().to_string();
    (value, set)
}

async fn rpc(app: &common::TestApp, name: &str, pairs: &[(&str, &str)], cookie: Option<&str>) -> common::Resp {
    call(app, Call { path: &format!("/rpc/{name}"), body: form(pairs), cookie, headers: vec![] }).await
}

/// Signs up and verifies through the server functions; returns the session cookie value.
async fn browser_user(app: &common::TestApp, email: &str) -> String {
    let r = rpc(app, "signup", &[("name", "Browser User"), ("email", email), ("password", PW)], None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let code = app.latest_code(email, 1).await;
    let r = rpc(app, "verify_email", &[("email", email), ("code", &code)], None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    session_from(&r).0
}

on_both!(session_cookie_flags_and_lifecycle, |app| {
    let session = browser_user(&app, "b@x.co").await;
    let r = rpc(&app, "login", &[("email", "b@x.co"), ("password", PW)], Some(&session)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (renewed, set) = session_from(&r);
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"), "{set}");
    assert!(!set.contains("Secure"), "PUBLIC_URL is http in tests");
    assert_ne!(renewed, session, "renewed at login");

    // The previous session of this browser died at login; the renewed one works.
    let me = rpc(&app, "current_user", &[], Some(&session)).await;
    assert_eq!(me.json, serde_json::Value::Null);
    let me = rpc(&app, "current_user", &[], Some(&renewed)).await;
    assert_eq!(me.json["email"], "b@x.co");
    assert!(me.json.get("password_hash").is_none());

    // Stored hashed: the raw id is nowhere in the database.
    let raw_found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE id_hash = $1")
        .bind(&renewed)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(raw_found, 0);

    let r = rpc(&app, "logout", &[], Some(&renewed)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get("set-cookie").unwrap().to_str().unwrap().contains("Max-Age=0"));
    let me = rpc(&app, "current_user", &[], Some(&renewed)).await;
    assert_eq!(me.json, serde_json::Value::Null, "revoked at logout");
});

on_both!(login_errors_and_redirect_target, |app| {
    browser_user(&app, "l@x.co").await;
    let r = rpc(&app, "login", &[("email", "l@x.co"), ("password", "Wrong-pass-1")], None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json["code"], "invalid_credentials");
    assert!(r.headers.get("set-cookie").is_none());

    // Plain form post (no JS): a 302 to the safe `next` target.
    let req = Request::post("/rpc/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .header("referer", "http://127.0.0.1:3000/login?next=%2Fcalls")
        .body(Body::from(form(&[("email", "l@x.co"), ("password", PW), ("next", "/calls")])))
        .unwrap();
    let r = app.request(req).await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert_eq!(r.headers.get("location").unwrap(), "/calls");

    // An open redirect is not possible.
    let r = rpc(&app, "login", &[("email", "l@x.co"), ("password", PW), ("next", "//evil.example/")], None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers.get("location").unwrap(), "/");

    // A failed plain form post goes back to the form with the error encoded for SSR.
    let req = Request::post("/rpc/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .header("referer", "http://127.0.0.1:3000/login")
        .body(Body::from(form(&[("email", "l@x.co"), ("password", "nope-nope")])))
        .unwrap();
    let r = app.request(req).await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert!(r.headers.get("location").unwrap().to_str().unwrap().contains("__err="));
});

on_both!(change_password_and_profile_through_server_fns, |app| {
    let s = browser_user(&app, "p@x.co").await;
    let r = rpc(&app, "change_password", &[("current_password", "Wrong-pass-1"), ("new_password", PW2), ("confirm_password", PW2)], Some(&s)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json["details"][0]["field"], "current_password");
    let r = rpc(&app, "change_password", &[("current_password", PW), ("new_password", PW2), ("confirm_password", "different")], Some(&s)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = rpc(&app, "change_password", &[("current_password", PW), ("new_password", PW2), ("confirm_password", PW2)], Some(&s)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.login("p@x.co", PW2).await.status, StatusCode::OK);
    // The browser stays logged in after its own change.
    assert_eq!(rpc(&app, "current_user", &[], Some(&s)).await.json["email"], "p@x.co");

    let r = rpc(&app, "update_profile", &[("name", "  Grace  Hopper "), ("company_name", "Navy")], Some(&s)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["name"], "Grace Hopper");
    assert_eq!(r.json["company_name"], "Navy");
    let r = rpc(&app, "update_profile", &[("name", " "), ("company_name", "")], Some(&s)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json["details"][0]["field"], "name");
    let r = rpc(&app, "update_profile", &[("name", "X"), ("company_name", "")], None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
});

on_both!(reset_logs_out_browser_sessions, |app| {
    let s = browser_user(&app, "r@x.co").await;
    let r = rpc(&app, "forgot_password", &[("email", "r@x.co")], None).await;
    assert_eq!(r.status, StatusCode::OK);
    let mail = app.wait_mail("r@x.co", "Reset your Talkdeck password", 1).await;
    let token = common::reset_token_from(&mail);
    let r = rpc(&app, "reset_password", &[("token", &token), ("new_password", PW2), ("confirm_password", PW2)], None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(rpc(&app, "current_user", &[], Some(&s)).await.json, serde_json::Value::Null);
    let r = rpc(&app, "reset_password", &[("token", &token), ("new_password", PW2), ("confirm_password", PW2)], None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "single use");
});

on_both!(cross_site_requests_are_refused, |app| {
    let s = browser_user(&app, "c@x.co").await;
    let attempt = |headers: Vec<(&'static str, &'static str)>| {
        let body = form(&[("current_password", PW), ("new_password", PW2), ("confirm_password", PW2)]);
        Call { path: "/rpc/change_password", body, cookie: None, headers }
    };
    for headers in [vec![("origin", "https://evil.example")], vec![("sec-fetch-site", "cross-site")], vec![("origin", "null")]] {
        let mut c = attempt(headers.clone());
        c.cookie = Some(&s);
        let r = call(&app, c).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(r.json["error"]["code"], "cross_site");
    }
    // Logout too.
    let r = call(&app, Call { path: "/rpc/logout", body: String::new(), cookie: Some(&s), headers: vec![("origin", "https://evil.example")] }).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Nothing changed: the old password still works, the session is alive.
    assert_eq!(app.login("c@x.co", PW).await.status, StatusCode::OK);
    assert_eq!(rpc(&app, "current_user", &[], Some(&s)).await.json["email"], "c@x.co");
    // Same-origin requests pass.
    let mut c = attempt(vec![("origin", "http://127.0.0.1:3000"), ("sec-fetch-site", "same-origin")]);
    c.cookie = Some(&s);
    assert_eq!(call(&app, c).await.status, StatusCode::OK);
});

on_both!(pages_require_login_and_come_back, |app| {
    let r = app.get("/calls?x=1", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers.get("location").unwrap(), "/login?next=%2Fcalls%3Fx%3D1");
    let r = app.get("/login", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("<html"));
    let s = browser_user(&app, "g@x.co").await;
    let req = Request::get("/calls").header("cookie", format!("td_session={s}")).body(Body::empty()).unwrap();
    assert_eq!(app.request(req).await.status, StatusCode::OK);
    // The API is not redirected: it answers 401 JSON.
    let r = app.get("/api/user/me", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json["status"], "error");
    let _ = json!(null);
});

async fn rpc_json(app: &common::TestApp, name: &str, body: serde_json::Value, cookie: &str) -> common::Resp {
    let req = Request::post(format!("/rpc/{name}"))
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .header("host", "127.0.0.1:3000")
        .header("cookie", format!("td_session={cookie}"))
        .body(Body::from(body.to_string()))
        .unwrap();
    app.request(req).await
}

on_both!(agent_editor_server_functions, |app| {
    let s = browser_user(&app, "editor@x.co").await;
    let r = rpc(&app, "create_project", &[("name", "Clinic"), ("description", "")], Some(&s)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let project = r.json["id"].as_str().unwrap().to_string();

    // Create (form-encoded, as the "New agent" form posts it).
    let r = rpc(&app, "create_agent", &[("project_id", &project), ("name", "Receptionist")], Some(&s)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let agent: talkdeck::model::AgentView = serde_json::from_value(r.json.clone()).unwrap();
    assert_eq!((agent.version, agent.voice_id.as_deref()), (1, Some(talkdeck::model::defaults::VOICE_ID)));

    // Save the editor (JSON): variables are detected; a stale version conflicts and loses nothing.
    let mut input = agent.input();
    input.system_prompt = "Book {{service}} for {{customer_name}}.".into();
    input.temperature = 0.3;
    let r = rpc_json(&app, "update_agent", json!({"agent_id": agent.id, "input": input, "expected_version": 1}), &s).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.json["version"].as_i64(), r.json["variables"].clone()), (Some(2), json!(["service", "customer_name"])));
    // The answering-machine setting travels with the draft; a draft from a dashboard loaded
    // before the setting existed (no such key) still saves, and leaves it off.
    input.machine_detection = talkdeck::model::MachineDetection::LeaveMessage;
    let r = rpc_json(&app, "update_agent", json!({"agent_id": agent.id, "input": input, "expected_version": 2}), &s).await;
    assert_eq!((r.status, r.json["machine_detection"].as_str(), r.json["version"].as_i64()), (StatusCode::OK, Some("leave_message"), Some(3)), "{}", r.text);
    let mut old = serde_json::to_value(&input).unwrap();
    old.as_object_mut().unwrap().remove("machine_detection");
    let r = rpc_json(&app, "update_agent", json!({"agent_id": agent.id, "input": old, "expected_version": 3}), &s).await;
    assert_eq!((r.status, r.json["machine_detection"].as_str(), r.json["version"].as_i64()), (StatusCode::OK, Some("off"), Some(4)), "{}", r.text);
    input.machine_detection = talkdeck::model::MachineDetection::Off;
    input.name = "Stale".into();
    let r = rpc_json(&app, "update_agent", json!({"agent_id": agent.id, "input": input, "expected_version": 1}), &s).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    input.max_duration_secs = 0;
    let r = rpc_json(&app, "update_agent", json!({"agent_id": agent.id, "input": input, "expected_version": 4}), &s).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("max_duration_secs"));

    // Numbers typed nationally; calling settings; the active agent.
    let r = rpc(&app, "add_number", &[("project_id", &project), ("number", "(415) 555-2671"), ("country", "US")], Some(&s)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.json["number"].as_str(), r.json["formatted_number"].as_str()), (Some("+14155552671"), Some("(415) 555-2671")));
    let number = r.json["id"].as_str().unwrap().to_string();
    let r = rpc_json(&app, "set_agent_calling", json!({"agent_id": agent.id, "direction": "inbound", "phone_number_ids": [number]}), &s).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["phone_numbers"][0]["number"], "+14155552671");
    let r = rpc(&app, "set_active_agent", &[("project_id", &project), ("agent_id", &agent.id)], Some(&s)).await;
    assert_eq!((r.status, r.json["active_agent"].as_str()), (StatusCode::OK, Some(agent.id.as_str())), "{}", r.text);
    let r = rpc(&app, "list_agents", &[("project_id", &project)], Some(&s)).await;
    assert_eq!(r.json[0]["is_active"], true, "{}", r.text);
    let r = rpc_json(&app, "list_voices", json!({"filter": {"provider": "azure", "gender": "female"}}), &s).await;
    assert!(r.json.as_array().is_some_and(|v| !v.is_empty() && v.iter().all(|v| v["provider"] == "azure" && v["gender"] == "female")), "{}", r.text);
    // The editor renders the answering-machine choice and the voice Twilio calls speak with
    // (Rachel is an ElevenLabs voice, so the en-US Polly voice of her gender).
    let req = Request::get(format!("/agents/{}", agent.id)).header("cookie", format!("td_session={s}")).body(Body::empty()).unwrap();
    let r = app.request(req).await;
    assert_eq!(r.status, StatusCode::OK);
    for text in
        ["When an answering machine picks up (Twilio calls)", "Leave the first message as a voicemail", "On Twilio calls the agent speaks with", "Polly.Joanna-Neural"]
    {
        assert!(r.text.contains(text), "the editor lacks {text:?}");
    }
    // Without JS the create form lands in the editor.
    let req = Request::post("/rpc/create_agent")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .header("host", "127.0.0.1:3000")
        .header("cookie", format!("td_session={s}"))
        .body(Body::from(form(&[("project_id", &project), ("name", "Plain form")])))
        .unwrap();
    let r = app.request(req).await;
    assert!(r.status.is_redirection(), "{}", r.status);
    assert!(r.headers["location"].to_str().unwrap().starts_with("/agents/"));
});

// Server rendering walks a `<Suspense/>`'s children several times; a page that created its data
// resource inside `with_project` fetched and embedded it once per walk (three times on /calls).
on_both!(pages_fetch_and_embed_their_data_once, |app| {
    let s = browser_user(&app, "once@x.co").await;
    let r = rpc(&app, "create_project", &[("name", "Once"), ("description", "")], Some(&s)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let req = Request::get("/calls").header("cookie", format!("td_session={s}")).body(Body::empty()).unwrap();
    let r = app.request(req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text.matches("next_cursor").count(), 1, "the page's calls should be embedded once for hydration");
});

// Building a router generated the route list by rendering the whole app with leptos_server's
// process-wide "suppress resource loads" flag set. A page rendered at that moment (another test
// building its app) started its data fetches as futures that never finish and hung until the
// 30 s timeout answered 408. Routers are built in a loop here while pages render.
on_both!(pages_render_while_routers_are_built, |app| {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let s = browser_user(&app, "builds@x.co").await;
    let r = rpc(&app, "create_project", &[("name", "Builds"), ("description", "")], Some(&s)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let stop = Arc::new(AtomicBool::new(false));
    let builder = {
        let (st, stop, rt) = (app.state.clone(), stop.clone(), tokio::runtime::Handle::current());
        std::thread::spawn(move || {
            let _rt = rt.enter();
            let mut built = 0;
            while !stop.load(Ordering::Relaxed) {
                drop(talkdeck::server::router::build(st.clone()));
                built += 1;
            }
            built
        })
    };
    for path in ["/calls", "/", "/phone-numbers", "/calls", "/agents", "/", "/calls", "/voices"] {
        let req = Request::get(path).header("cookie", format!("td_session={s}")).body(Body::empty()).unwrap();
        let r = tokio::time::timeout(std::time::Duration::from_secs(10), app.request(req)).await;
        assert!(r.as_ref().is_ok_and(|r| r.status == StatusCode::OK), "{path} did not render: {:?}", r.map(|r| r.status));
    }
    stop.store(true, Ordering::Relaxed);
    assert!(builder.join().unwrap() > 0);
});
