//! Batch calls, part 1, through the v1 API: uploading CSV and Excel files for an agent, the
//! validation report (row numbers and problem codes), validate-only mode, storing 10,000 rows,
//! access across roles and tenants; and the do-not-call list with its uniqueness under
//! concurrent adds. Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.

#[macro_use]
mod common;

use common::{create_project, send, send_multipart, user, Auth, TestApp};
use http::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;
use std::sync::Arc;
use std::time::Instant;

const FROM: &str = "+14155550100";

async fn setup(app: &TestApp, tag: &str) -> (Auth, String, String) {
    let (_, owner) = user(app, &format!("{tag}@batch.co")).await;
    let p = create_project(app, &owner, tag).await;
    let agent = common::outbound_agent(app, &owner, &p, FROM).await;
    (owner, p, agent)
}

async fn upload(app: &TestApp, auth: &Auth, p: &str, agent: &str, file_name: &str, bytes: &[u8], extra: &[(&str, &str)]) -> common::Resp {
    let mut fields = vec![("project_id", p), ("agent_id", agent), ("name", "Spring campaign")];
    fields.extend_from_slice(extra);
    send_multipart(app, "/api/v1/batches", &fields, Some(("file", file_name, bytes)), auth).await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql).fetch_one(app.state.db.pool()).await.unwrap().get::<i64, _>("n")
}

/// `(row, [codes])` of a report's bad rows.
fn bad_rows(report: &Value) -> Vec<(i64, Vec<String>)> {
    report["bad_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["row"].as_i64().unwrap(), b["problems"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap().to_string()).collect()))
        .collect()
}

const MIXED_CSV: &str = "number,name,topic,dynamicVariables\n\
+14155552671,John,solar,\n\
not a number,Ann,solar,\n\
+1 415 555 2671,Bob,solar,\n\
+14155552672,Cid,,\n\
+14155552673,Dan,solar,\"{bad\"\n\
+14155552674,Eve,solar,\n\
+14155552675,,,\"{\"\"name\"\":\"\"Fay\"\",\"\"topic\"\":\"\"wind\"\"}\"\n";

on_both!(a_csv_with_good_and_bad_rows_gets_a_report_and_is_stored_as_a_draft, |app| {
    let (owner, p, agent) = setup(&app, "mixed").await;
    let r = send(&app, Method::POST, "/api/v1/do-not-call", Some(json!({"project_id": p, "number": "+1 415 555 2674", "note": "asked"})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    let r = upload(&app, &owner, &p, &agent, "people.csv", MIXED_CSV.as_bytes(), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let b = &r.json["data"];
    assert_eq!(b["status"], "draft");
    assert_eq!(b["name"], "Spring campaign");
    assert_eq!(b["file_name"], "people.csv");
    assert_eq!((b["total_rows"].as_i64(), b["valid_rows"].as_i64()), (Some(7), Some(2)), "{}", r.text);
    assert_eq!(b["concurrency"], 5);
    assert!(b["window"].is_null());
    assert_eq!(b["caller_numbers"].as_array().map(Vec::len), Some(1));
    let report = &b["report"];
    assert_eq!((report["total_rows"].as_i64(), report["valid_rows"].as_i64(), report["invalid_rows"].as_i64()), (Some(7), Some(2), Some(5)));
    let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    assert_eq!(
        bad_rows(report),
        vec![(3, s(&["invalid_number"])), (4, s(&["duplicate"])), (5, s(&["missing_variables"])), (6, s(&["bad_json"])), (7, s(&["do_not_call"])),],
        "{}",
        r.text
    );
    let bad = report["bad_rows"].as_array().unwrap();
    assert_eq!(bad[0]["number"], "not a number");
    assert_eq!(bad[1]["number"], "+1 415 555 2671", "as typed");
    assert!(bad[1]["problems"][0]["message"].as_str().unwrap().contains("row 2"), "{}", r.text);
    assert!(bad[2]["problems"][0]["message"].as_str().unwrap().contains("topic"), "{}", r.text);
    let id = b["id"].as_str().unwrap().to_string();

    // Read back: the batch, its rows by state, and the list.
    let r = send(&app, Method::GET, &format!("/api/v1/batches/{id}"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["data"]["valid_rows"], 2);
    assert!(r.json["data"].get("report").is_none(), "{}", r.text);
    let r = send(&app, Method::GET, &format!("/api/v1/batches/{id}/rows?state=waiting"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let rows = r.json["data"].as_array().unwrap();
    assert_eq!(rows.iter().map(|r| r["row"].as_i64().unwrap()).collect::<Vec<_>>(), [2, 8]);
    assert_eq!(rows[0]["number"], "+14155552671");
    assert_eq!(rows[0]["variables"], json!({"name": "John", "topic": "solar"}));
    assert_eq!(rows[1]["variables"], json!({"name": "Fay", "topic": "wind"}));
    assert_eq!(rows[0]["attempts"], 0);
    let r = send(&app, Method::GET, &format!("/api/v1/batches/{id}/rows?state=invalid&limit=2"), None, &owner).await;
    assert_eq!(r.json["data"].as_array().unwrap().iter().map(|r| r["row"].as_i64().unwrap()).collect::<Vec<_>>(), [3, 4]);
    assert_eq!(r.json["data"][0]["problems"][0]["code"], "invalid_number");
    let c = r.json["next_cursor"].as_str().unwrap().to_string();
    let r = send(&app, Method::GET, &format!("/api/v1/batches/{id}/rows?state=invalid&limit=2&cursor={c}"), None, &owner).await;
    assert_eq!(r.json["data"].as_array().unwrap().iter().map(|r| r["row"].as_i64().unwrap()).collect::<Vec<_>>(), [5, 6]);
    let r = send(&app, Method::GET, &format!("/api/v1/batches/{id}/rows"), None, &owner).await;
    assert_eq!(r.json["data"].as_array().unwrap().len(), 7);
    let r = send(&app, Method::GET, &format!("/api/v1/batches/{id}/rows?state=sideways"), None, &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.json["error"]["details"][0]["field"], "state");
    let r = send(&app, Method::GET, &format!("/api/v1/batches?project_id={p}"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["data"].as_array().unwrap().iter().map(|b| b["id"].as_str().unwrap()).collect::<Vec<_>>(), [id.as_str()]);
});

on_both!(bad_uploads_are_refused_with_field_errors, |app| {
    let (owner, p, agent) = setup(&app, "badup").await;
    // No number column.
    let r = upload(&app, &owner, &p, &agent, "x.csv", b"name,topic\nA,b\n", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.json["error"]["details"][0]["field"], "file");
    assert!(r.json["error"]["message"].as_str().unwrap().contains("number"), "{}", r.text);
    // No file, no name, an unknown agent, an inbound agent.
    let r = send_multipart(&app, "/api/v1/batches", &[("project_id", &p), ("agent_id", &agent), ("name", "n")], None, &owner).await;
    assert_eq!((r.status, r.json["error"]["details"][0]["field"].clone()), (StatusCode::BAD_REQUEST, json!("file")), "{}", r.text);
    let r = send_multipart(&app, "/api/v1/batches", &[("project_id", &p), ("agent_id", &agent)], Some(("file", "a.csv", b"number\n+14155552671\n")), &owner).await;
    assert_eq!((r.status, r.json["error"]["details"][0]["field"].clone()), (StatusCode::BAD_REQUEST, json!("name")), "{}", r.text);
    let r = upload(&app, &owner, &p, "nope", "a.csv", b"number\n+14155552671\n", &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = send(&app, Method::POST, "/api/v1/agents", Some(json!({"project_id": p, "name": "In", "direction": "inbound"})), &owner).await;
    let inbound = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = upload(&app, &owner, &p, &inbound, "a.csv", b"number\n+14155552671\n", &[]).await;
    assert_eq!((r.status, r.json["error"]["details"][0]["field"].clone()), (StatusCode::BAD_REQUEST, json!("agent_id")), "{}", r.text);
    // JSON without rows; neither multipart nor JSON.
    let r = send(&app, Method::POST, "/api/v1/batches", Some(json!({"project_id": p, "agent_id": agent, "name": "n"})), &owner).await;
    assert_eq!((r.status, r.json["error"]["details"][0]["field"].clone()), (StatusCode::BAD_REQUEST, json!("rows")), "{}", r.text);
    let mut req = http::Request::builder().method(Method::POST).uri("/api/v1/batches").header("content-type", "text/plain");
    if let Auth::Bearer(t) = &owner {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let r = app.request(req.body(axum::body::Body::from("number\n+14155552671\n")).unwrap()).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.text);
    // A body over the upload limit.
    let big = vec![b'1'; 21 * 1024 * 1024];
    let r = upload(&app, &owner, &p, &agent, "big.csv", &big, &[]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
    assert_eq!(r.json["error"]["code"], "payload_too_large", "{}", r.text);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM batches").await, 0);
});

on_both!(an_xlsx_upload_is_read_like_a_csv, |app| {
    let (owner, p, agent) = setup(&app, "xlsx").await;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["phone_number", "name", "topic", "seats"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "+14155552671").unwrap();
    ws.write_string(1, 1, "John").unwrap();
    ws.write_string(1, 2, "solar").unwrap();
    ws.write_number(1, 3, 12.0).unwrap();
    ws.write_string(2, 0, "12345").unwrap();
    ws.write_string(2, 1, "Ann").unwrap();
    ws.write_string(2, 2, "wind").unwrap();
    // Row 4 left empty; row 5 misses its topic.
    ws.write_string(4, 0, "+44 20 7946 0958").unwrap();
    ws.write_string(4, 1, "Bea").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let r = upload(&app, &owner, &p, &agent, "people.xlsx", &bytes, &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let report = &r.json["data"]["report"];
    assert_eq!((report["total_rows"].as_i64(), report["valid_rows"].as_i64()), (Some(3), Some(1)), "{}", r.text);
    assert_eq!(bad_rows(report), vec![(3, vec!["invalid_number".to_string()]), (5, vec!["missing_variables".to_string()])], "{}", r.text);
    let id = r.json["data"]["id"].as_str().unwrap();
    let r = send(&app, Method::GET, &format!("/api/v1/batches/{id}/rows?state=waiting"), None, &owner).await;
    assert_eq!(r.json["data"][0]["variables"], json!({"name": "John", "topic": "solar", "seats": "12"}), "{}", r.text);
    let r = send(&app, Method::GET, &format!("/api/v1/batches/{id}/rows?state=invalid"), None, &owner).await;
    assert_eq!(r.json["data"][1]["number"], "+44 20 7946 0958", "{}", r.text);
});

on_both!(validate_only_stores_nothing, |app| {
    let (owner, p, agent) = setup(&app, "vonly").await;
    let r = upload(&app, &owner, &p, &agent, "people.csv", MIXED_CSV.as_bytes(), &[("validate_only", "true")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.json["data"]["total_rows"].as_i64(), r.json["data"]["valid_rows"].as_i64()), (Some(7), Some(3)), "{}", r.text);
    assert_eq!(bad_rows(&r.json["data"]).iter().map(|(row, _)| *row).collect::<Vec<_>>(), [3, 4, 5, 6]);
    // The query parameter works too.
    let r = send_multipart(
        &app,
        &format!("/api/v1/batches?validate_only=true&project_id={p}"),
        &[("agent_id", &agent), ("name", "n")],
        Some(("file", "a.csv", b"number\n+14155552671\n")),
        &owner,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM batches").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM batch_rows").await, 0);
    let r = send(&app, Method::GET, &format!("/api/v1/batches?project_id={p}"), None, &owner).await;
    assert_eq!(r.json["data"], json!([]));
});

on_both!(ten_thousand_rows_are_stored, |app| {
    let (owner, p, agent) = setup(&app, "big").await;
    let mut csv = String::from("number;name;topic\n");
    for i in 0..10_000 {
        csv.push_str(&format!("+1415{:03}{:04};Person {i};topic {}\n", 200 + i / 10_000, i % 10_000, i % 7));
    }
    let t = Instant::now();
    let r = upload(&app, &owner, &p, &agent, "big.csv", csv.as_bytes(), &[]).await;
    let took = t.elapsed();
    assert_eq!(r.status, StatusCode::CREATED, "{}", &r.text[..r.text.len().min(2000)]);
    eprintln!("10,000-row upload on {}: {:?} (debug build)", app.backend, took);
    assert_eq!((r.json["data"]["total_rows"].as_i64(), r.json["data"]["valid_rows"].as_i64()), (Some(10_000), Some(10_000)), "{}", &r.text[..r.text.len().min(2000)]);
    let id = r.json["data"]["id"].as_str().unwrap();
    assert_eq!(count(&app, &format!("SELECT COUNT(*) AS n FROM batch_rows WHERE batch_id = '{id}' AND state = 'waiting'")).await, 10_000);
    assert_eq!(count(&app, &format!("SELECT COUNT(DISTINCT row_no) AS n FROM batch_rows WHERE batch_id = '{id}'")).await, 10_000);
    let r = send(&app, Method::GET, &format!("/api/v1/batches/{id}/rows?limit=1&cursor={}", cursor_after(10_000)), None, &owner).await;
    assert_eq!(r.json["data"][0]["row"], 10_001, "{}", r.text);
    assert_eq!(r.json["data"][0]["variables"]["name"], "Person 9999");
    assert!(r.json["next_cursor"].is_null(), "{}", r.text);
});

/// The upper bound, for measuring (slow in a debug build): `cargo test --test batches -- --ignored`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn hundred_thousand_rows_half_of_them_bad() {
    for backend in common::backends() {
        let app = TestApp::new(backend).await;
        let (owner, p, agent) = setup(&app, "huge").await;
        let mut csv = String::from("number,name,topic\n");
        for i in 0..100_000 {
            if i % 2 == 0 {
                csv.push_str(&format!("+1415{:03}{:04},P{i},t\n", 200 + i / 10_000, i % 10_000));
            } else {
                csv.push_str(&format!("x{i},P{i},\n"));
            }
        }
        let t = Instant::now();
        let r = upload(&app, &owner, &p, &agent, "huge.csv", csv.as_bytes(), &[]).await;
        eprintln!("100,000-row upload (50,000 bad) on {backend}: {:?}, {} response bytes", t.elapsed(), r.text.len());
        assert_eq!(r.status, StatusCode::CREATED, "{}", &r.text[..r.text.len().min(2000)]);
        assert_eq!(r.json["data"]["valid_rows"], 50_000);
        assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM batch_rows").await, 100_000);
    }
}

/// The rows list's cursor after row number `row` (base64url of its JSON, as the API issues).
fn cursor_after(row: i64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(row.to_string())
}

on_both!(batches_are_invisible_across_tenants_and_roles_are_enforced, |app| {
    let t = common::team(&app, "bt").await;
    let owner = &t.auths[0];
    let agent = common::outbound_agent(&app, owner, &t.project, FROM).await;
    let csv = b"number,name,topic\n+14155552671,A,b\n";
    // owner, admin, member may upload; viewer 403; outsider and a key of another project 404.
    let mut got = Vec::new();
    for a in &t.auths {
        got.push(upload(&app, a, &t.project, &agent, "a.csv", csv, &[]).await.status);
    }
    common::check("upload", &got, [201, 201, 201, 403, 404, 404]);
    let mut got = Vec::new();
    for a in &t.auths {
        got.push(upload(&app, a, &t.project, &agent, "a.csv", csv, &[("validate_only", "true")]).await.status);
    }
    common::check("validate_only", &got, [200, 200, 200, 403, 404, 404]);
    let r = send(&app, Method::GET, &format!("/api/v1/batches?project_id={}", t.project), None, owner).await;
    let id = r.json["data"][0]["id"].as_str().unwrap().to_string();
    for (what, url) in
        [("get", format!("/api/v1/batches/{id}")), ("rows", format!("/api/v1/batches/{id}/rows")), ("list", format!("/api/v1/batches?project_id={}", t.project))]
    {
        let mut got = Vec::new();
        for a in &t.auths {
            got.push(send(&app, Method::GET, &url, None, a).await.status);
        }
        common::check(what, &got, [200, 200, 200, 200, 404, 404]);
    }
    // An outsider naming our agent in their own project: not found either.
    let (_, stranger) = user(&app, "stranger@batch.co").await;
    let q = create_project(&app, &stranger, "Theirs").await;
    let r = upload(&app, &stranger, &q, &agent, "a.csv", csv, &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = send(&app, Method::GET, "/api/v1/batches/nope", None, owner).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
});

on_both!(do_not_call_crud, |app| {
    let t = common::team(&app, "dnc").await;
    let (owner, admin, member, viewer) = (&t.auths[0], &t.auths[1], &t.auths[2], &t.auths[3]);
    let p = t.project.clone();
    let url = "/api/v1/do-not-call";
    let r = send(&app, Method::POST, url, Some(json!({"project_id": p, "numbers": ["+1 415 555 2671", "+14155552672", "+14155552671"], "note": "asked"})), admin).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json["data"]["added"].as_array().unwrap().iter().map(|d| d["number"].as_str().unwrap()).collect::<Vec<_>>(), ["+14155552671", "+14155552672"]);
    assert_eq!(r.json["data"]["already_listed"], json!(["+14155552671"]));
    assert_eq!(r.json["data"]["added"][0]["note"], "asked");
    // Again: nothing new, 200.
    let r = send(&app, Method::POST, url, Some(json!({"project_id": p, "number": "+14155552672"})), owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["data"]["added"], json!([]));
    // Invalid numbers name their position; nothing is added.
    let r = send(&app, Method::POST, url, Some(json!({"project_id": p, "numbers": ["+14155552673", "nope"]})), owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.json["error"]["details"][0]["field"], "numbers[1]", "{}", r.text);
    let r = send(&app, Method::POST, url, Some(json!({"project_id": p})), owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    // Roles: admin+ change, viewer+ read.
    let mut got = Vec::new();
    for a in &t.auths {
        got.push(send(&app, Method::POST, url, Some(json!({"project_id": p, "number": "+14155552679"})), a).await.status);
    }
    common::check("add", &got, [201, 200, 403, 403, 404, 404]);
    let mut got = Vec::new();
    for a in &t.auths {
        got.push(send(&app, Method::GET, &format!("{url}?project_id={p}"), None, a).await.status);
    }
    common::check("list", &got, [200, 200, 200, 200, 404, 404]);
    let r = send(&app, Method::GET, &format!("{url}?project_id={p}"), None, viewer).await;
    let entries = r.json["data"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 3, "{}", r.text);
    let r = send(&app, Method::GET, &format!("{url}?project_id={p}&limit=2"), None, viewer).await;
    assert_eq!(r.json["data"].as_array().unwrap().len(), 2);
    let c = r.json["next_cursor"].as_str().unwrap().to_string();
    let r = send(&app, Method::GET, &format!("{url}?project_id={p}&limit=2&cursor={c}"), None, viewer).await;
    assert_eq!(r.json["data"].as_array().unwrap().len(), 1);
    assert!(r.json["next_cursor"].is_null());
    let id = entries[0]["id"].as_str().unwrap().to_string();
    let mut got = Vec::new();
    for a in [member, viewer, &t.auths[4], &t.auths[5]] {
        got.push(send(&app, Method::DELETE, &format!("{url}/{id}"), None, a).await.status.as_u16());
    }
    assert_eq!(got, [403, 403, 404, 404]);
    let r = send(&app, Method::DELETE, &format!("{url}/{id}"), None, admin).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = send(&app, Method::DELETE, &format!("{url}/{id}"), None, admin).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = send(&app, Method::GET, &format!("{url}?project_id={p}"), None, viewer).await;
    assert_eq!(r.json["data"].as_array().unwrap().len(), 2);
    // A removed number can be listed again.
    let removed = entries[0]["number"].as_str().unwrap();
    let r = send(&app, Method::POST, url, Some(json!({"project_id": p, "number": removed})), owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // The audit log: one entry per add that added something, one per removal, naming the number.
    let adds = count(&app, &format!("SELECT COUNT(*) AS n FROM audit_log WHERE project_id = '{p}' AND action = 'do_not_call.added'")).await;
    assert_eq!(adds, 3);
    let r = sqlx::query(&format!("SELECT details FROM audit_log WHERE project_id = '{p}' AND action = 'do_not_call.removed'"))
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(r.iter().map(|r| r.get::<String, _>("details")).collect::<Vec<_>>(), [removed.to_string()]);
});

on_both!(concurrent_adds_of_one_number_leave_one_entry, |app| {
    let (owner, p, _) = setup(&app, "race").await;
    let app = Arc::new(app);
    let barrier = Arc::new(tokio::sync::Barrier::new(20));
    let mut handles = Vec::new();
    for _ in 0..20 {
        let (app, barrier, owner, p) = (app.clone(), barrier.clone(), owner.clone(), p.clone());
        handles.push(tokio::spawn(async move {
            barrier.wait().await;
            let r = send(&app, Method::POST, "/api/v1/do-not-call", Some(json!({"project_id": p, "number": "+14155552699"})), &owner).await;
            (r.status, r.text)
        }));
    }
    let mut created = 0;
    for h in handles {
        let (status, text) = h.await.unwrap();
        assert!(status.is_success() || status.is_client_error(), "{status}: {text}");
        if status == StatusCode::CREATED {
            created += 1;
        }
    }
    assert_eq!(created, 1, "exactly one request created the entry");
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM do_not_call WHERE number = '+14155552699'").await, 1);
});
