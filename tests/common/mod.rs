//! Integration-test harness: every test gets a fresh database (a temp SQLite file; a new
//! PostgreSQL database when `TEST_DATABASE_URL` is set) and drives the real router in-process.
#![allow(dead_code)]

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use http::Method;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::json;
use serde_json::Value;
use std::net::SocketAddr;
use talkdeck::server::config::Config;
use talkdeck::server::db::Database;
use talkdeck::server::mail::Mailer;
use talkdeck::server::services::accounts;
use talkdeck::server::state::AppState;
use tempfile::TempDir;
use tower::ServiceExt;

pub const PW: &str = "Tdk-test-pass-1";

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub dir: TempDir,
    pub backend: &'static str,
    /// The database URL, for a second server process on the same database ([`TestApp::sibling`]).
    pub url: String,
}

/// The backends to run on: SQLite always, PostgreSQL when `TEST_DATABASE_URL` is set.
pub fn backends() -> Vec<&'static str> {
    let mut b = vec!["sqlite"];
    if std::env::var("TEST_DATABASE_URL").map(|v| !v.is_empty()).unwrap_or(false) {
        b.push("postgres");
    }
    b
}

async fn fresh_postgres_url() -> String {
    use sqlx::Executor;
    let base = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&base).await.expect("connect to TEST_DATABASE_URL");
    let name = format!("td_test_{}", uuid::Uuid::new_v4().simple());
    admin.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create test database");
    admin.close().await;
    let mut url = url::Url::parse(&base).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

impl TestApp {
    pub async fn new(backend: &'static str) -> TestApp {
        Self::with_config(backend, |_| {}).await
    }

    /// A test app whose configuration `f` adjusts (fake external services, keys).
    pub async fn with_config(backend: &'static str, f: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = match backend {
            "sqlite" => format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display()),
            _ => fresh_postgres_url().await,
        };
        let mut config = Config::for_tests(dir.path(), &url);
        f(&mut config);
        Self::open(config, dir, backend).await
    }

    async fn open(config: Config, dir: TempDir, backend: &'static str) -> TestApp {
        let db = Database::connect(&config.database_url).await.expect("connect");
        db.migrate().await.expect("migrate");
        let mailer = Mailer::from_config(&config).expect("mailer");
        let opts = leptos::config::LeptosOptions::builder().output_name("talkdeck").build();
        let state = AppState::new(config, db, mailer, opts);
        let router = talkdeck::server::router::build(state.clone());
        let url = state.config.database_url.clone();
        TestApp { router, state, dir, backend, url }
    }

    /// Another server "process" on the same database: its own pool, state and router (the same
    /// secret key, as instances of one deployment share their configuration).
    pub async fn sibling(&self) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = Config::for_tests(dir.path(), &self.url);
        config.secret_key = self.state.config.secret_key;
        let db = Database::connect(&self.url).await.expect("connect");
        let mailer = Mailer::from_config(&config).expect("mailer");
        let opts = leptos::config::LeptosOptions::builder().output_name("talkdeck").build();
        let state = AppState::new(config, db, mailer, opts);
        let router = talkdeck::server::router::build(state.clone());
        TestApp { router, state, dir, backend: self.backend, url: self.url.clone() }
    }

    /// A "restart": closes this app's pool and builds a new state on the same database and data
    /// directory (nothing in memory survives, only what was committed).
    pub async fn restart(self) -> TestApp {
        let TestApp { router, state, dir, backend, .. } = self;
        let config = (*state.config).clone();
        drop(router);
        state.db.pool().close().await;
        drop(state);
        Self::open(config, dir, backend).await
    }

    /// A second state (own pool) on the same database, like another server process.
    pub async fn second_state(&self) -> AppState {
        let config = (*self.state.config).clone();
        let db = Database::connect(&config.database_url).await.expect("connect");
        let mailer = Mailer::from_config(&config).expect("mailer");
        let opts = leptos::config::LeptosOptions::builder().output_name("talkdeck").build();
        AppState::new(config, db, mailer, opts)
    }

    /// Runs every due job (mail included) to completion, as the server's worker would.
    pub async fn run_jobs(&self) -> usize {
        talkdeck::server::jobs::run_due(&self.state).await.expect("run due jobs")
    }

    pub async fn request(&self, req: Request<Body>) -> Resp {
        let mut req = req;
        if req.extensions().get::<ConnectInfo<SocketAddr>>().is_none() {
            req.extensions_mut().insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
        }
        let res = self.router.clone().oneshot(req).await.expect("router never fails");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp { status, headers, json, text: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// POST a JSON body, optionally with a bearer token, from a given client address.
    pub async fn post_json_from(&self, path: &str, body: Value, bearer: Option<&str>, ip: [u8; 4]) -> Resp {
        let mut b = Request::post(path).header("content-type", "application/json");
        if let Some(t) = bearer {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        let mut req = b.body(Body::from(body.to_string())).unwrap();
        req.extensions_mut().insert(ConnectInfo(SocketAddr::from((ip, 40000))));
        self.request(req).await
    }

    pub async fn post_json(&self, path: &str, body: Value, bearer: Option<&str>) -> Resp {
        self.post_json_from(path, body, bearer, [127, 0, 0, 1]).await
    }

    pub async fn get(&self, path: &str, bearer: Option<&str>) -> Resp {
        let mut b = Request::get(path);
        if let Some(t) = bearer {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        self.request(b.body(Body::empty()).unwrap()).await
    }

    /// The mails written to the outbox, oldest first, as raw text, after delivering every mail
    /// that is due (mail goes through the job queue).
    pub async fn mails(&self) -> Vec<String> {
        self.run_jobs().await;
        self.outbox()
    }

    /// The outbox as it is, without running jobs.
    pub fn outbox(&self) -> Vec<String> {
        let dir = self.dir.path().join("mail");
        let mut names: Vec<_> = std::fs::read_dir(&dir).map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect()).unwrap_or_default();
        names.sort();
        names.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect()
    }

    /// The newest mail to `to` whose subject contains `subject`, once at least `count_at_least`
    /// such mails exist (due mail jobs are run first, so this is deterministic; the short wait
    /// covers anything still on its way).
    pub async fn wait_mail(&self, to: &str, subject: &str, count_at_least: usize) -> String {
        for _ in 0..100 {
            let m: Vec<String> = self.mails().await.into_iter().filter(|m| m.contains(&format!("To: {to}")) && m.contains(subject)).collect();
            if m.len() >= count_at_least {
                return m.last().cloned().unwrap();
            }
            tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        }
        panic!("no mail #{count_at_least} to {to} with subject {subject}");
    }

    pub async fn mail_count(&self, to: &str, subject: &str) -> usize {
        self.mails().await.iter().filter(|m| m.contains(&format!("To: {to}")) && m.contains(subject)).count()
    }

    // ---- flows ----

    pub async fn signup(&self, email: &str, password: &str) -> Resp {
        self.post_json("/api/auth/signup", serde_json::json!({"email": email, "password": password, "name": "Test User"}), None).await
    }

    pub async fn latest_code(&self, email: &str, nth: usize) -> String {
        let m = self.wait_mail(email, "verification code", nth).await;
        code_from(&m)
    }

    /// Signs up and verifies; returns (access token, refresh token).
    pub async fn verified_user(&self, email: &str, password: &str) -> (String, String) {
        let r = self.signup(email, password).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let code = self.latest_code(email, 1).await;
        let r = self.post_json("/api/auth/verify-email", serde_json::json!({"email": email, "code": code}), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        (r.json["token"].as_str().unwrap().to_string(), r.json["refreshToken"].as_str().unwrap().to_string())
    }

    pub async fn login(&self, email: &str, password: &str) -> Resp {
        self.post_json("/api/auth/login", serde_json::json!({"email": email, "password": password}), None).await
    }
}

pub fn code_from(mail: &str) -> String {
    let i = mail.find("verification code: ").expect("code in subject") + "verification code: ".len();
    mail[i..i + 6].to_string()
}

pub fn reset_token_from(mail: &str) -> String {
    let i = mail.find("reset-password?token=").expect("reset link") + "reset-password?token=".len();
    mail[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

// ---- shared API helpers: principals, projects and a team with every role ----

pub async fn send(app: &TestApp, method: Method, path: &str, body: Option<Value>, auth: &Auth) -> Resp {
    let mut b = Request::builder().method(method).uri(path).header("content-type", "application/json");
    b = match auth {
        Auth::Bearer(t) => b.header("authorization", format!("Bearer {t}")),
        Auth::ApiKey(k) => b.header("x-api-key", k.as_str()),
        Auth::None => b,
    };
    let body = body.map(|v| Body::from(v.to_string())).unwrap_or_else(Body::empty);
    app.request(b.body(body).unwrap()).await
}

#[derive(Clone)]
pub enum Auth {
    Bearer(String),
    ApiKey(String),
    None,
}

/// A verified user made through the service (fast; the signup flow has its own tests).
pub async fn user(app: &TestApp, email: &str) -> (String, Auth) {
    let u = accounts::create_verified_user(&app.state, "User", email, PW).await.unwrap();
    let t = accounts::issue_tokens(&app.state, &u.id).await.unwrap();
    (u.id, Auth::Bearer(t.access_token))
}

pub async fn create_project(app: &TestApp, auth: &Auth, name: &str) -> String {
    let r = send(app, Method::POST, "/api/project/create-project", Some(json!({"name": name, "description": "d"})), auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json["data"]["id"].as_str().unwrap().to_string()
}

pub struct Team {
    pub project: String,
    pub ids: Vec<String>,
    /// owner, admin, member, viewer, outsider, key scoped to another project
    pub auths: Vec<Auth>,
}

pub const ROLES: [&str; 6] = ["owner", "admin", "member", "viewer", "outsider", "key-other-project"];

pub async fn invite_and_accept(app: &TestApp, owner: &Auth, project: &str, email: &str, role: &str, invitee: &Auth) {
    let r = send(app, Method::POST, &format!("/api/v1/projects/{project}/invitations"), Some(json!({"email": email, "role": role})), owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let mail = app.wait_mail(email, "invited you to", 1).await;
    let token = invite_token(&mail);
    let r = send(app, Method::POST, "/api/v1/invitations/accept", Some(json!({"token": token})), invitee).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

pub fn invite_token(mail: &str) -> String {
    let i = mail.find("invitations/accept?token=").expect("invite link") + "invitations/accept?token=".len();
    mail[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

pub async fn team(app: &TestApp, tag: &str) -> Team {
    let (owner_id, owner) = user(app, &format!("owner-{tag}@x.co")).await;
    let project = create_project(app, &owner, &format!("P {tag}")).await;
    let other = create_project(app, &owner, &format!("Other {tag}")).await;
    let mut ids = vec![owner_id];
    let mut auths = vec![owner.clone()];
    for role in ["admin", "member", "viewer"] {
        let email = format!("{role}-{tag}@x.co");
        let (id, a) = user(app, &email).await;
        invite_and_accept(app, &owner, &project, &email, role, &a).await;
        ids.push(id);
        auths.push(a);
    }
    let (out_id, outsider) = user(app, &format!("outsider-{tag}@x.co")).await;
    create_project(app, &outsider, &format!("Outsider {tag}")).await;
    ids.push(out_id);
    auths.push(outsider);
    let r = send(app, Method::POST, "/api/v1/api-keys", Some(json!({"name": "other", "project_id": other})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    auths.push(Auth::ApiKey(r.json["data"]["secret"].as_str().unwrap().to_string()));
    Team { project, ids, auths }
}

pub fn check(row: &str, got: &[StatusCode], want: [u16; 6]) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.as_u16(), w, "{row}: {} got {g}, want {w}", ROLES[i]);
    }
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub json: Value,
    pub text: String,
}

/// Runs the test body once per backend.
#[macro_export]
macro_rules! on_both {
    ($name:ident, |$app:ident| $body:block) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for backend in common::backends() {
                let $app = common::TestApp::new(backend).await;
                eprintln!("-- {} on {}", stringify!($name), backend);
                $body
            }
        }
    };
}

/// The v1 time format: `YYYY-MM-DDTHH:MM:SS.mmmZ` (RFC 3339, UTC, milliseconds), with sane
/// field ranges.
pub fn is_rfc3339_ms(v: &Value) -> bool {
    let s = v.as_str().unwrap_or("");
    let b = s.as_bytes();
    let shape = b.len() == 24
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            23 => *c == b'Z',
            _ => c.is_ascii_digit(),
        });
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok()).unwrap_or(99);
    shape && (1..=12).contains(&n(5..7)) && (1..=31).contains(&n(8..10)) && n(11..13) < 24 && n(14..16) < 60 && n(17..19) < 61
}

/// Every `*_at` field anywhere in `v` (null allowed), as `(json path, value)` of those that are
/// not in the v1 time format.
pub fn bad_timestamps(v: &Value, path: &str, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{path}.{k}");
                if k.ends_with("_at") && !x.is_null() && !is_rfc3339_ms(x) {
                    out.push((p.clone(), x.clone()));
                }
                bad_timestamps(x, &p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                bad_timestamps(x, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// A `multipart/form-data` body: text fields, then an optional file `(field, file name, bytes)`.
/// Returns the content type (with its boundary) and the body.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----talkdeck-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    if let Some((name, file_name, bytes)) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Sends a `multipart/form-data` request (see [`multipart`]).
pub async fn send_multipart(app: &TestApp, path: &str, fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>, auth: &Auth) -> Resp {
    let (ct, body) = multipart(fields, file);
    let mut b = Request::builder().method(Method::POST).uri(path).header("content-type", ct);
    b = match auth {
        Auth::Bearer(t) => b.header("authorization", format!("Bearer {t}")),
        Auth::ApiKey(k) => b.header("x-api-key", k.as_str()),
        Auth::None => b,
    };
    app.request(b.body(Body::from(body)).unwrap()).await
}

/// An outbound agent needing `{{name}}` and `{{topic}}`, calling from `from`, in project `p`.
pub async fn outbound_agent(app: &TestApp, auth: &Auth, p: &str, from: &str) -> String {
    let r = send(
        app,
        Method::POST,
        "/api/v1/agents",
        Some(json!({"project_id": p, "name": "Ava", "system_prompt": "You are {{name}}'s agent. Ask about {{topic}}.",
            "first_message": "Hi {{name}}!", "direction": "outbound"})),
        auth,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let agent = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(app, Method::POST, "/api/v1/phone-numbers", Some(json!({"project_id": p, "number": from})), auth).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let n = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(app, Method::PUT, &format!("/api/v1/agents/{agent}/calling"), Some(json!({"direction": "outbound", "phone_number_ids": [n]})), auth).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    agent
}
