//! Stored values are typed: a value written straight into the database that its row type refuses
//! (an unknown direction, a flag other than 0/1, broken analysis JSON, an unknown role, an unknown
//! number provider) answers 500 `internal` in the error envelope, never a default, and the server
//! log names the table, the row and the column. On every backend.

mod common;

use common::{create_project, send, user, TestApp};
use http::{Method, StatusCode};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Everything the server logs while a test runs (the subscriber is this thread's, and the
/// router runs on the test's single-threaded runtime).
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
}

/// Writes straight into the database, as a corruption would (committed before the next request).
async fn exec(app: &TestApp, sql: &str, id: &str) {
    let mut tx = app.state.db.begin_write().await.expect("begin");
    let r = sqlx::query(sql).bind(id).execute(&mut *tx).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    assert_eq!(r.rows_affected(), 1, "{sql}");
    tx.commit().await.expect("commit");
}

/// The answer is the 500 error envelope (no data), and the log names the row.
fn refused(r: &common::Resp, log: &Log, names: &str, what: &str) {
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{what}: {}", r.text);
    assert_eq!(r.json["success"], json!(false), "{what}: {}", r.text);
    assert_eq!(r.json["error"]["code"], json!("internal"), "{what}: {}", r.text);
    assert!(r.json.get("data").is_none_or(|d| d.is_null()), "{what}: {}", r.text);
    let logged = log.text();
    assert!(logged.contains("corrupt stored value"), "{what}: log lacks the corruption: {logged}");
    assert!(logged.contains(names), "{what}: log does not name {names:?}: {logged}");
    log.clear();
}

#[tokio::test]
async fn corrupt_stored_values_are_errors_that_name_the_row() {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    for backend in common::backends() {
        let app = TestApp::new(backend).await;
        let (_, auth) = user(&app, &format!("rows-{backend}@example.com")).await;
        let project = create_project(&app, &auth, "Rows").await;
        let r = send(&app, Method::POST, "/api/v1/agents", Some(json!({"project_id": project, "name": "Typed"})), &auth).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let id = r.json["data"]["id"].as_str().unwrap().to_string();
        let get = format!("/api/v1/agents/{id}");
        let list = format!("/api/v1/agents?project_id={project}");

        let r = send(&app, Method::GET, &get, None, &auth).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text);
        assert_eq!(r.json["data"]["direction"], json!("outbound"));

        // An unknown direction: not read as the default (outbound).
        exec(&app, "UPDATE agents SET direction = 'sideways' WHERE id = $1", &id).await;
        log.clear();
        let r = send(&app, Method::GET, &get, None, &auth).await;
        refused(&r, &log, &format!("agents row {id}, column direction: unknown direction \"sideways\""), &format!("{backend} direction get"));
        let r = send(&app, Method::GET, &list, None, &auth).await;
        refused(&r, &log, &format!("agents row {id}, column direction"), &format!("{backend} direction list"));
        exec(&app, "UPDATE agents SET direction = 'inbound' WHERE id = $1", &id).await;
        let r = send(&app, Method::GET, &get, None, &auth).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text);
        assert_eq!(r.json["data"]["direction"], json!("inbound"));

        // An unknown machine detection: not read as the default (off).
        exec(&app, "UPDATE agents SET machine_detection = 'sometimes' WHERE id = $1", &id).await;
        let r = send(&app, Method::GET, &get, None, &auth).await;
        refused(&r, &log, &format!("agents row {id}, column machine_detection: unknown machine_detection \"sometimes\""), &format!("{backend} machine_detection"));
        exec(&app, "UPDATE agents SET machine_detection = 'hang_up' WHERE id = $1", &id).await;
        let r = send(&app, Method::GET, &get, None, &auth).await;
        assert_eq!(r.json["data"]["machine_detection"], json!("hang_up"), "{backend}: {}", r.text);

        // A flag other than 0/1: not read as true.
        exec(&app, "UPDATE agents SET recording = 7 WHERE id = $1", &id).await;
        let r = send(&app, Method::GET, &get, None, &auth).await;
        refused(&r, &log, &format!("agents row {id}, column recording: flag 7 is neither 0 nor 1"), &format!("{backend} recording"));
        exec(&app, "UPDATE agents SET recording = 0 WHERE id = $1", &id).await;

        // Analysis JSON that does not parse: not read as the default configuration.
        exec(&app, "UPDATE agents SET analysis = '{broken' WHERE id = $1", &id).await;
        let r = send(&app, Method::GET, &get, None, &auth).await;
        refused(&r, &log, &format!("agents row {id}, column analysis: analysis is not valid JSON"), &format!("{backend} analysis"));
        exec(&app, "UPDATE agents SET analysis = '{\"summary\":false}' WHERE id = $1", &id).await;
        let r = send(&app, Method::GET, &get, None, &auth).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text);
        assert_eq!(r.json["data"]["recording"], json!(false));

        // An unknown stored role (read on every access check).
        let uid = {
            use sqlx::Row;
            let row = sqlx::query("SELECT user_id FROM project_members WHERE project_id = $1")
                .bind(&project)
                .fetch_one(app.state.db.pool())
                .await
                .unwrap();
            row.try_get::<String, _>("user_id").unwrap()
        };
        exec(&app, "UPDATE project_members SET role = 'emperor' WHERE user_id = $1", &uid).await;
        let r = send(&app, Method::GET, &get, None, &auth).await;
        refused(&r, &log, &format!("project_members row {uid}, column role: unknown role \"emperor\""), &format!("{backend} role"));
        exec(&app, "UPDATE project_members SET role = 'owner' WHERE user_id = $1", &uid).await;

        // An unknown number provider.
        let r = send(&app, Method::POST, "/api/v1/phone-numbers", Some(json!({"project_id": project, "number": "+14155552671"})), &auth).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let nid = r.json["data"]["id"].as_str().unwrap().to_string();
        exec(&app, "UPDATE phone_numbers SET provider = 'pigeon' WHERE id = $1", &nid).await;
        let r = send(&app, Method::GET, &format!("/api/v1/phone-numbers/{nid}"), None, &auth).await;
        refused(&r, &log, &format!("phone_numbers row {nid}, column provider: unknown number provider \"pigeon\""), &format!("{backend} provider"));
        exec(&app, "UPDATE phone_numbers SET provider = 'simulator' WHERE id = $1", &nid).await;
        let r = send(&app, Method::GET, &format!("/api/v1/phone-numbers/{nid}"), None, &auth).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text);
        assert_eq!(r.json["data"]["provider"], json!("simulator"));
    }
}
