//! Security and cache headers through the real router: the dashboard's CSP and its per-request
//! nonce on the inline scripts, the headers every answer carries, `no-store` on pages, the API
//! and server functions, and the cache policies of static files.

mod common;

use axum::body::Body;
use http::{HeaderMap, Request, StatusCode};
use talkdeck::server::services::accounts;

/// A logged-in browser: the raw session cookie value of a new verified user.
async fn session(app: &common::TestApp, email: &str) -> String {
    let u = accounts::create_verified_user(&app.state, "Header User", email, common::PW).await.unwrap();
    accounts::start_session(&app.state, &u.id, None).await.unwrap()
}

async fn page(app: &common::TestApp, path: &str, cookie: Option<&str>) -> common::Resp {
    let mut b = Request::get(path).header("accept", "text/html");
    if let Some(c) = cookie {
        b = b.header("cookie", format!("td_session={c}"));
    }
    app.request(b.body(Body::empty()).unwrap()).await
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).unwrap_or_else(|| panic!("no {name} header in {h:?}")).to_str().unwrap()
}

/// The headers every answer carries.
fn assert_common(h: &HeaderMap, what: &str) {
    assert_eq!(header(h, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(h, "referrer-policy"), "strict-origin-when-cross-origin", "{what}");
    assert_eq!(header(h, "x-frame-options"), "DENY", "{what}");
}

/// Checks an HTML page's CSP and returns the nonce it names, after checking that every
/// `<script>` in the page carries exactly that nonce.
fn page_nonce(r: &common::Resp, what: &str) -> String {
    assert_eq!(r.status, StatusCode::OK, "{what}: {}", r.text);
    assert!(header(&r.headers, "content-type").starts_with("text/html"), "{what}");
    assert_common(&r.headers, what);
    assert_eq!(header(&r.headers, "cache-control"), "no-store", "{what}");
    let csp = header(&r.headers, "content-security-policy");
    for d in [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "connect-src 'self'",
        "media-src 'self'",
        "'wasm-unsafe-eval'",
    ] {
        assert!(csp.contains(d), "{what}: {d} missing from {csp}");
    }
    assert!(!csp.contains("'unsafe-eval'") && !csp.contains("'unsafe-inline'"), "{what}: {csp}");
    let script_src = csp.split(';').map(str::trim).find(|d| d.starts_with("script-src ")).expect("script-src");
    let nonce = script_src
        .split_whitespace()
        .find_map(|s| s.strip_prefix("'nonce-").and_then(|s| s.strip_suffix('\'')))
        .unwrap_or_else(|| panic!("{what}: no nonce in {script_src}"))
        .to_string();
    assert!(nonce.len() >= 22, "{what}: at least 128 bits: {nonce}");

    let scripts: Vec<&str> = r.text.match_indices("<script").map(|(i, _)| &r.text[i..i + r.text[i..].find('>').unwrap()]).collect();
    assert!(!scripts.is_empty(), "{what}: the hydration script is inline");
    for s in &scripts {
        assert!(s.contains(&format!("nonce=\"{nonce}\"")), "{what}: script without the CSP nonce: {s}");
    }
    // No inline event handlers (a nonce does not cover them).
    assert!(!r.text.contains(" onclick=") && !r.text.contains(" onload="), "{what}");
    nonce
}

on_both!(dashboard_pages_carry_csp_with_a_fresh_nonce_on_their_scripts, |app| {
    let s = session(&app, "csp@x.co").await;
    let mut seen = std::collections::HashSet::new();
    for path in ["/", "/agents", "/voices", "/settings/profile", "/login"] {
        for _ in 0..2 {
            let cookie = (path != "/login").then_some(s.as_str());
            let nonce = page_nonce(&page(&app, path, cookie).await, path);
            assert!(seen.insert(nonce), "{path}: nonce reused");
        }
    }
    // The app's 404 page is HTML from the same shell: same rules.
    let r = page(&app, "/no-such-page", Some(&s)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = common::Resp { status: StatusCode::OK, ..r };
    page_nonce(&r, "404 page");
    // A redirect to the login page is not cached either.
    let r = page(&app, "/agents", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_common(&r.headers, "redirect");
    assert_eq!(header(&r.headers, "cache-control"), "no-store");
});

on_both!(api_and_server_function_answers_are_not_stored, |app| {
    // Talkstack-compatible and versioned API, with and without credentials.
    let (_, auth) = common::user(&app, "api@x.co").await;
    for (path, want) in [("/api/user/me", StatusCode::OK), ("/api/v1/projects", StatusCode::OK), ("/api/v1/openapi.json", StatusCode::OK)] {
        let r = common::send(&app, http::Method::GET, path, None, &auth).await;
        assert_eq!(r.status, want, "{path}: {}", r.text);
        assert_common(&r.headers, path);
        assert_eq!(header(&r.headers, "cache-control"), "no-store", "{path}");
        assert!(header(&r.headers, "content-type").starts_with("application/json"), "{path}");
        assert_eq!(header(&r.headers, "content-security-policy"), "default-src 'none'; frame-ancestors 'none'", "{path}");
    }
    let r = app.get("/api/user/me", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_common(&r.headers, "401");
    assert_eq!(header(&r.headers, "cache-control"), "no-store");
    // A log-in answer carries tokens: never stored.
    let r = app.login("api@x.co", common::PW).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(header(&r.headers, "cache-control"), "no-store");

    // Server functions, as fetch (JSON) and as a plain form post (redirect).
    let s = session(&app, "rpc@x.co").await;
    let req = Request::post("/rpc/current_user")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("host", "127.0.0.1:3000")
        .header("cookie", format!("td_session={s}"))
        .body(Body::empty())
        .unwrap();
    let r = app.request(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["email"], "rpc@x.co");
    assert_common(&r.headers, "/rpc");
    assert_eq!(header(&r.headers, "cache-control"), "no-store");
    let req = Request::post("/rpc/logout")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .header("referer", "http://127.0.0.1:3000/")
        .header("host", "127.0.0.1:3000")
        .header("cookie", format!("td_session={s}"))
        .body(Body::empty())
        .unwrap();
    let r = app.request(req).await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.text);
    assert_eq!(header(&r.headers, "cache-control"), "no-store");

    let r = app.get("/health", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_common(&r.headers, "/health");
});

/// An app whose site root is a temp directory holding a hashed bundle, a voice preview and
/// the favicon (SQLite: static files touch no database).
async fn app_with_site(hash_files: bool) -> (common::TestApp, tempfile::TempDir) {
    use talkdeck::server::{config::Config, db::Database, mail::Mailer, state::AppState};
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    std::fs::create_dir_all(site.path().join("assets/voices")).unwrap();
    std::fs::write(site.path().join("pkg/talkdeck.Abc123.js"), "export default 1;\n").unwrap();
    std::fs::write(site.path().join("assets/voices/ada.ogg"), b"OggS fake").unwrap();
    std::fs::write(site.path().join("favicon.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    let config = Config::for_tests(dir.path(), &url);
    let db = Database::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let mailer = Mailer::from_config(&config).unwrap();
    let opts = leptos::config::LeptosOptions::builder()
        .output_name("talkdeck")
        .site_root(site.path().to_string_lossy().into_owned())
        .hash_files(hash_files)
        .build();
    let state = AppState::new(config, db, mailer, opts);
    let router = talkdeck::server::router::build(state.clone());
    (common::TestApp { router, state, dir, backend: "sqlite", url }, site)
}

async fn get_with(app: &common::TestApp, path: &str, headers: &[(&str, &str)]) -> common::Resp {
    let mut b = Request::get(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    app.request(b.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn hashed_bundle_is_immutable_and_other_static_files_revalidate() {
    let (app, _site) = app_with_site(true).await;

    let r = get_with(&app, "/pkg/talkdeck.Abc123.js", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text, "export default 1;\n");
    assert_eq!(header(&r.headers, "cache-control"), "public, max-age=31536000, immutable");
    assert!(header(&r.headers, "content-type").contains("javascript"));
    assert_common(&r.headers, "/pkg");
    // A missing bundle file is not cached at all.
    let r = get_with(&app, "/pkg/talkdeck.Old999.js", &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(header(&r.headers, "cache-control"), "no-store");

    for path in ["/assets/voices/ada.ogg", "/favicon.svg"] {
        let r = get_with(&app, path, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(header(&r.headers, "cache-control"), "no-cache", "{path}");
        assert_common(&r.headers, path);
        let modified = header(&r.headers, "last-modified").to_string();
        // Unchanged since the browser's copy: 304, no body, same policy.
        let r = get_with(&app, path, &[("if-modified-since", &modified)]).await;
        assert_eq!(r.status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(r.text.is_empty(), "{path}");
        assert_eq!(header(&r.headers, "cache-control"), "no-cache", "{path}");
        // Changed since: the file again.
        let r = get_with(&app, path, &[("if-modified-since", "Fri, 09 Aug 1996 14:21:40 GMT")]).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        // The same through the entity tag.
        let etag = header(&r.headers, "etag").to_string();
        assert!(etag.starts_with("W/\""), "{path}: {etag}");
        let r = get_with(&app, path, &[("if-none-match", &etag)]).await;
        assert_eq!(r.status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(r.text.is_empty(), "{path}");
        assert_eq!(header(&r.headers, "etag"), etag, "{path}");
        assert_eq!(header(&r.headers, "cache-control"), "no-cache", "{path}");
        let r = get_with(&app, path, &[("if-none-match", "W/\"stale\"")]).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
    }
    // Media previews may be fetched in ranges (seeking).
    let r = get_with(&app, "/assets/voices/ada.ogg", &[("range", "bytes=0-3")]).await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.text, "OggS");
}

#[tokio::test]
async fn unhashed_bundle_is_only_revalidated() {
    // Without hashed names a new build reuses the name: an immutable copy would go stale.
    let (app, _site) = app_with_site(false).await;
    let r = get_with(&app, "/pkg/talkdeck.Abc123.js", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(header(&r.headers, "cache-control"), "no-cache");
}
