//! The batch pages' plain HTTP routes and server functions, through the real router with the
//! browser's session cookie: the no-JS upload form (303 to the new draft, a bad file back on the
//! form with its message, viewers and strangers refused, cross-site posts refused), the CSV
//! export, and the role and tenant checks of the batch server functions. Runs on SQLite and,
//! with TEST_DATABASE_URL, on PostgreSQL. No page is rendered here (see the open SSR hang).

#[macro_use]
mod common;

use axum::body::Body;
use common::{create_project, invite_and_accept, send, user, Auth, TestApp};
use http::{Method, Request, StatusCode};
use serde_json::json;
use talkdeck::server::services::accounts;

const FROM: &str = "+14155550100";
const CSV: &str = "number,name\n+14155552671,John\nnot a number,Ann\n+14155552672,Bob\n+1 415 555 2671,Dup\n";

/// A user with a bearer token (for setup through the API) and a browser session cookie.
async fn person(app: &TestApp, email: &str) -> (Auth, String) {
    let (id, auth) = user(app, email).await;
    let session = accounts::start_session(&app.state, &id, None).await.unwrap();
    (auth, session)
}

/// An outbound agent needing `{{name}}`, with one number, in project `p`.
async fn agent_in(app: &TestApp, auth: &Auth, p: &str) -> String {
    let r = send(
        app,
        Method::POST,
        "/api/v1/agents",
        Some(json!({"project_id": p, "name": "Ava", "system_prompt": "You call {{name}}.", "first_message": "Hi {{name}}!", "direction": "outbound"})),
        auth,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let agent = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(app, Method::POST, "/api/v1/phone-numbers", Some(json!({"project_id": p, "number": FROM})), auth).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let n = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(app, Method::PUT, &format!("/api/v1/agents/{agent}/calling"), Some(json!({"direction": "outbound", "phone_number_ids": [n]})), auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    agent
}

struct Setup {
    project: String,
    agent: String,
    owner: String,
    member: String,
    viewer: String,
    outsider: String,
}

async fn setup(app: &TestApp, tag: &str) -> Setup {
    let (owner_auth, owner) = person(app, &format!("owner-{tag}@bp.co")).await;
    let project = create_project(app, &owner_auth, &format!("P {tag}")).await;
    let agent = agent_in(app, &owner_auth, &project).await;
    let (member_auth, member) = person(app, &format!("member-{tag}@bp.co")).await;
    invite_and_accept(app, &owner_auth, &project, &format!("member-{tag}@bp.co"), "member", &member_auth).await;
    let (viewer_auth, viewer) = person(app, &format!("viewer-{tag}@bp.co")).await;
    invite_and_accept(app, &owner_auth, &project, &format!("viewer-{tag}@bp.co"), "viewer", &viewer_auth).await;
    let (outsider_auth, outsider) = person(app, &format!("outsider-{tag}@bp.co")).await;
    create_project(app, &outsider_auth, &format!("Outsider {tag}")).await;
    Setup { project, agent, owner, member, viewer, outsider }
}

/// Posts the upload form as a browser does (`html`) or as a script.
async fn upload(app: &TestApp, session: Option<&str>, fields: &[(&str, &str)], file: Option<(&str, &[u8])>, html: bool, origin: Option<&str>) -> common::Resp {
    post_form(app, "/batches/upload", session, fields, file, html, origin).await
}

/// Posts a multipart form to `path` as a browser does (`html`) or as a script.
async fn post_form(
    app: &TestApp,
    path: &str,
    session: Option<&str>,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
    html: bool,
    origin: Option<&str>,
) -> common::Resp {
    let (ct, body) = common::multipart(fields, file.map(|(name, bytes)| ("file", name, bytes)));
    let mut b = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("content-type", ct)
        .header("host", "127.0.0.1:3000")
        .header("accept", if html { "text/html,application/xhtml+xml" } else { "application/json" });
    if let Some(s) = session {
        b = b.header("cookie", format!("td_session={s}"));
    }
    if let Some(o) = origin {
        b = b.header("origin", o);
    }
    app.request(b.body(Body::from(body)).unwrap()).await
}

fn location(r: &common::Resp) -> String {
    r.headers.get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

async fn get_with(app: &TestApp, path: &str, session: &str) -> common::Resp {
    let req = Request::get(path).header("cookie", format!("td_session={session}")).header("host", "127.0.0.1:3000").body(Body::empty()).unwrap();
    app.request(req).await
}

async fn rpc(app: &TestApp, name: &str, pairs: &[(&str, &str)], session: &str) -> common::Resp {
    let body = pairs.iter().map(|(k, v)| format!("{k}={}", urlencoding::encode(v))).collect::<Vec<_>>().join("&");
    let req = Request::post(format!("/rpc/{name}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("host", "127.0.0.1:3000")
        .header("cookie", format!("td_session={session}"))
        .body(Body::from(body))
        .unwrap();
    app.request(req).await
}

async fn batch_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM batches").fetch_one(app.state.db.pool()).await.unwrap()
}

/// Uploads [`CSV`] as `session` and returns the new batch id.
async fn draft(app: &TestApp, s: &Setup, session: &str) -> String {
    let r = upload(app, Some(session), &[("project_id", &s.project), ("agent_id", &s.agent), ("name", "Spring")], Some(("people.csv", CSV.as_bytes())), true, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    location(&r).trim_start_matches("/batches/").to_string()
}

on_both!(the_upload_form_answers_303_to_the_new_draft, |app| {
    let s = setup(&app, "up").await;
    let r =
        upload(&app, Some(&s.member), &[("project_id", &s.project), ("agent_id", &s.agent), ("name", "Spring")], Some(("people.csv", CSV.as_bytes())), true, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let to = location(&r);
    assert!(to.starts_with("/batches/") && to.len() > "/batches/".len(), "{to}");
    let id = to.trim_start_matches("/batches/");

    // Stored as a draft with every row; the detail server function reads it back with its bad rows.
    let r = rpc(&app, "batch_detail", &[("batch_id", id)], &s.member).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let b = &r.json["batch"];
    assert_eq!((b["status"].as_str(), b["name"].as_str(), b["file_name"].as_str()), (Some("draft"), Some("Spring"), Some("people.csv")));
    assert_eq!((b["total_rows"].as_i64(), b["valid_rows"].as_i64()), (Some(4), Some(2)));
    assert_eq!(r.json["agent_name"], "Ava");
    assert_eq!(r.json["numbers"][0]["number"], FROM);
    let bad: Vec<(i64, String)> = r.json["bad_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["row"].as_i64().unwrap(), x["problems"][0]["code"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(bad, vec![(3, "invalid_number".to_string()), (5, "duplicate".to_string())]);

    // Rows, filtered and paged.
    let r = rpc(&app, "batch_rows", &[("batch_id", id), ("state", "waiting")], &s.viewer).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let rows: Vec<i64> = r.json["rows"].as_array().unwrap().iter().map(|x| x["row"].as_i64().unwrap()).collect();
    assert_eq!(rows, vec![2, 4]);
    assert!(r.json["next_after"].is_null());
    let r = rpc(&app, "batch_rows", &[("batch_id", id), ("state", "nonsense")], &s.viewer).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);

    // The list shows it with its agent's name, for viewers too.
    let r = rpc(&app, "list_batches", &[("project_id", &s.project)], &s.viewer).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["batches"][0]["batch"]["id"], id);
    assert_eq!(r.json["batches"][0]["agent_name"], "Ava");
    assert_eq!(r.json["batches"][0]["batch"]["progress"]["waiting"], 2);
});

on_both!(a_refused_upload_comes_back_on_the_form_with_its_message, |app| {
    let s = setup(&app, "bad").await;
    let fields = [("project_id", s.project.as_str()), ("agent_id", s.agent.as_str()), ("name", "Spring & co")];
    // A file that is not a spreadsheet.
    let r = upload(&app, Some(&s.owner), &fields, Some(("people.xlsx", b"this is not a zip".as_slice())), true, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let to = location(&r);
    assert!(to.starts_with("/batches/new?error="), "{to}");
    assert!(to.contains("field=file") && to.contains(&format!("agent_id={}", s.agent)) && to.contains("name=Spring%20%26%20co"), "{to}");
    // The same refusal for a script: the error's status and message.
    let r = upload(&app, Some(&s.owner), &fields, Some(("people.xlsx", b"this is not a zip".as_slice())), false, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.json["details"][0]["field"], "file", "{}", r.text);
    let message = r.json["message"].as_str().unwrap().to_string();
    assert!(to.contains(&urlencoding::encode(&message).into_owned()), "{to} vs {message}");
    // An empty file, no file, no agent.
    let r = upload(&app, Some(&s.owner), &fields, Some(("people.csv", b"".as_slice())), false, None).await;
    assert_eq!((r.status, r.json["message"].as_str()), (StatusCode::BAD_REQUEST, Some("The file is empty.")), "{}", r.text);
    let r = upload(&app, Some(&s.owner), &fields, None, true, None).await;
    assert!(location(&r).contains("field=file"), "{}", location(&r));
    let r = upload(&app, Some(&s.owner), &[("project_id", &s.project), ("agent_id", ""), ("name", "x")], Some(("p.csv", CSV.as_bytes())), true, None).await;
    assert!(location(&r).contains("field=agent_id"), "{}", location(&r));
    assert_eq!(batch_count(&app).await, 0);
});

on_both!(viewers_strangers_and_other_sites_cannot_upload, |app| {
    let s = setup(&app, "deny").await;
    let fields = [("project_id", s.project.as_str()), ("agent_id", s.agent.as_str()), ("name", "Spring")];
    let file = Some(("people.csv", CSV.as_bytes()));
    let r = upload(&app, Some(&s.viewer), &fields, file, false, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = upload(&app, Some(&s.viewer), &fields, file, true, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/batches/new?error="), "{}", location(&r));
    let r = upload(&app, Some(&s.outsider), &fields, file, false, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = upload(&app, None, &fields, file, false, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let r = upload(&app, None, &fields, file, true, None).await;
    assert_eq!((r.status, location(&r).as_str()), (StatusCode::SEE_OTHER, "/login?next=%2Fbatches%2Fnew"));
    let r = upload(&app, Some(&s.owner), &fields, file, true, Some("https://evil.example")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(batch_count(&app).await, 0);
    // The owner's works.
    draft(&app, &s, &s.owner).await;
    assert_eq!(batch_count(&app).await, 1);
});

on_both!(another_tenants_batch_is_not_found, |app| {
    let s = setup(&app, "tenant").await;
    let id = draft(&app, &s, &s.owner).await;
    let r = rpc(&app, "batch_detail", &[("batch_id", &id)], &s.outsider).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = rpc(&app, "batch_rows", &[("batch_id", &id)], &s.outsider).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = rpc(&app, "list_batches", &[("project_id", &s.project)], &s.outsider).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = get_with(&app, &format!("/batches/{id}/export.csv"), &s.outsider).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = get_with(&app, "/batches/events?project_id=nope", &s.owner).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = rpc(&app, "cancel_batch", &[("batch_id", &id)], &s.outsider).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    // The project's own viewer downloads the export.
    let r = get_with(&app, &format!("/batches/{id}/export.csv"), &s.viewer).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let cd = r.headers["content-disposition"].to_str().unwrap();
    assert!(cd.starts_with("attachment; filename=\"") && cd.contains(".csv"), "{cd}");
    assert!(r.text.lines().count() >= 5, "a header line and the four rows: {}", r.text);
});

on_both!(batch_actions_need_the_member_role, |app| {
    let s = setup(&app, "roles").await;
    let id = draft(&app, &s, &s.owner).await;
    for name in ["start_batch", "pause_batch", "resume_batch", "cancel_batch"] {
        let r = rpc(&app, name, &[("batch_id", &id)], &s.viewer).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}: {}", r.text);
    }
    // A start with a malformed value names its field.
    let r = rpc(&app, "start_batch", &[("batch_id", &id), ("concurrency", "many")], &s.member).await;
    assert_eq!((r.status, r.json["details"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("concurrency")), "{}", r.text);
    let r = rpc(&app, "batch_detail", &[("batch_id", &id)], &s.member).await;
    let number = r.json["numbers"][0]["id"].as_str().unwrap().to_string();
    let r = rpc(
        &app,
        "start_batch",
        &[("batch_id", &id), ("numbers[0]", &number), ("concurrency", "1"), ("any_time", "on"), ("max_retries", "0"), ("cooldown_minutes", "10")],
        &s.member,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_ne!(r.json["status"], "draft", "{}", r.text);
    let r = rpc(&app, "pause_batch", &[("batch_id", &id)], &s.member).await;
    assert_eq!((r.status, r.json["status"].as_str()), (StatusCode::OK, Some("paused")), "{}", r.text);
    let r = rpc(&app, "resume_batch", &[("batch_id", &id)], &s.viewer).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = rpc(&app, "resume_batch", &[("batch_id", &id)], &s.member).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = rpc(&app, "cancel_batch", &[("batch_id", &id)], &s.member).await;
    assert_eq!((r.status, r.json["status"].as_str()), (StatusCode::OK, Some("canceled")), "{}", r.text);
});

on_both!(do_not_call_numbers_come_from_a_file_or_a_text_box, |app| {
    let s = setup(&app, "dnc").await;
    let url = "/do-not-call/upload";
    let file = "name,phone\nAda,+1 415 555 2671\nBea,+14155552672\nCy,+14155552671\n";
    let p = s.project.as_str();
    // From a file, as the browser posts it: back on the page with the counts.
    let r = post_form(&app, url, Some(&s.owner), &[("project_id", p), ("note", "complaint")], Some(("dnc.csv", file.as_bytes())), true, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(location(&r), "/settings/do-not-call?added=2&already=1");
    // A file without a number column comes back with its message; nothing is added.
    let r = post_form(&app, url, Some(&s.owner), &[("project_id", p)], Some(("dnc.csv", b"name\nAda\n".as_slice())), true, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(location(&r).starts_with("/settings/do-not-call?error=No%20phone%20number%20column"), "{}", location(&r));
    // One bad number refuses the whole file.
    let r = post_form(&app, url, Some(&s.owner), &[("project_id", p)], Some(("dnc.csv", b"number\n+14155552679\nnope\n".as_slice())), false, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    // Access is checked before the file is read: a viewer's broken file is a 403, not a file error.
    let r = post_form(&app, url, Some(&s.viewer), &[("project_id", p)], Some(("dnc.csv", b"name\nAda\n".as_slice())), false, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // Members, viewers and strangers cannot add; another site cannot post.
    for who in [&s.member, &s.viewer] {
        let r = post_form(&app, url, Some(who), &[("project_id", p)], Some(("dnc.csv", file.as_bytes())), false, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    }
    let r = post_form(&app, url, Some(&s.outsider), &[("project_id", p)], Some(("dnc.csv", file.as_bytes())), false, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = post_form(&app, url, Some(&s.owner), &[("project_id", p)], Some(("dnc.csv", file.as_bytes())), true, Some("https://evil.example")).await;
    assert!(r.status.is_client_error(), "{}", r.status);
    let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM do_not_call WHERE project_id = '{p}'"))
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(rows, 2);

    // The text box: lines and commas, counted.
    let r = rpc(&app, "add_do_not_call", &[("project_id", p), ("numbers", "+14155552673\n+1 415 555 2672, +14155552674"), ("note", "")], &s.owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.json["added"].as_u64(), r.json["already_listed"].as_u64()), (Some(2), Some(1)), "{}", r.text);
    let r = rpc(&app, "add_do_not_call", &[("project_id", p), ("numbers", " \n ")], &s.owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    // The form's one box carries the error, whichever entry is wrong.
    let r = rpc(&app, "add_do_not_call", &[("project_id", p), ("numbers", "+14155552676\nnope")], &s.owner).await;
    assert_eq!((r.status, r.json["details"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("numbers")), "{}", r.text);
    assert!(r.json["details"][0]["message"].as_str().unwrap().contains("nope"), "{}", r.text);
    let r = rpc(&app, "add_do_not_call", &[("project_id", p), ("numbers", "+14155552675")], &s.member).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // Everyone in the project reads the list; strangers do not.
    let r = rpc(&app, "list_do_not_call", &[("project_id", p)], &s.viewer).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let entries = r.json["entries"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 4, "{}", r.text);
    assert!(entries.iter().any(|e| e["number"] == "+14155552671" && e["note"] == "complaint"), "{}", r.text);
    let r = rpc(&app, "list_do_not_call", &[("project_id", p)], &s.outsider).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    // Removing: admins and up; an entry of another project is not found.
    let id = entries[0]["id"].as_str().unwrap();
    let r = rpc(&app, "remove_do_not_call", &[("entry_id", id)], &s.member).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = rpc(&app, "remove_do_not_call", &[("entry_id", id)], &s.outsider).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = rpc(&app, "remove_do_not_call", &[("entry_id", id)], &s.owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = rpc(&app, "list_do_not_call", &[("project_id", p)], &s.viewer).await;
    assert_eq!(r.json["entries"].as_array().unwrap().len(), 3, "{}", r.text);
});
