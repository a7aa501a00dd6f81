//! HTTP-facing plumbing shared by the REST handlers, the server functions and the page guard:
//! client address resolution, credential extraction, the cross-site refusal and helpers for
//! server functions. Thin: every decision is delegated to `services`.

use crate::model::{AppError, ErrorCode};
use crate::server::auth::{cookie, Actor, Principal};
use crate::server::config::Config;
use crate::server::services::{accounts, Client};
use crate::server::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http::header::{AUTHORIZATION, COOKIE, ORIGIN};
use http::{HeaderMap, Method, StatusCode};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The client address: the peer, or, when the peer is a trusted proxy, the right-most address in
/// `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_ip(config: &Config, peer: Option<IpAddr>, headers: &HeaderMap) -> IpAddr {
    let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    if !config.is_trusted_proxy(peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    forwarded.into_iter().rev().find(|ip| !config.is_trusted_proxy(*ip)).unwrap_or(peer)
}

pub fn client_from_parts(st: &AppState, extensions: &http::Extensions, headers: &HeaderMap) -> Client {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let device = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(crate::server::auth::throttle::read_device_cookie)
        .map(str::to_string);
    Client { ip: client_ip(&st.config, peer, headers), device }
}

pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(cookie::read_session)
}

/// The caller behind an API key (`x-api-key`, or a bearer value starting with `tdk_`), a bearer
/// access token, or the session cookie, in that order.
pub async fn principal(st: &AppState, headers: &HeaderMap) -> Result<Principal, AppError> {
    if let Some(key) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return crate::server::services::api_keys::authenticate_memo(st, key).await;
    }
    if let Some(token) = bearer(headers) {
        if token.starts_with(crate::server::services::api_keys::KEY_PREFIX) {
            return crate::server::services::api_keys::authenticate_memo(st, token).await;
        }
        return accounts::authenticate_bearer(st, token).await;
    }
    if let Some(raw) = session_cookie(headers) {
        if let Some(p) = accounts::authenticate_session(st, raw).await? {
            return Ok(p);
        }
    }
    Err(AppError::unauthenticated())
}

/// [`principal`] as the actor services take.
pub async fn actor(st: &AppState, headers: &HeaderMap) -> Result<Actor, AppError> {
    principal(st, headers).await.map(Actor::from)
}

/// The caller behind an API key or a bearer access token, never the session cookie: for the few
/// endpoints that change state through GET (Talkstack's `generate-apikey`), where a cookie would
/// let any other site's link act for the user.
pub async fn principal_without_cookie(st: &AppState, headers: &HeaderMap) -> Result<Principal, AppError> {
    if headers.get("x-api-key").is_some() || bearer(headers).is_some() {
        return principal(st, headers).await;
    }
    let mut e = AppError::unauthenticated();
    e.message = "This endpoint needs an Authorization: Bearer token; the browser session cookie is not accepted here.".into();
    Err(e)
}

/// True when the browser says the request comes from another site.
pub fn is_cross_site(st: &AppState, headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        // `same-site` is another origin on our registrable domain: not ours either.
        if site.eq_ignore_ascii_case("cross-site") || site.eq_ignore_ascii_case("same-site") {
            return true;
        }
    }
    match headers.get(ORIGIN).and_then(|v| v.to_str().ok()) {
        None => false,
        Some("null") => true,
        Some(origin) => {
            let origin = origin.trim_end_matches('/');
            let own_public = st.config.public_origin();
            let own_host = headers.get(http::header::HOST).and_then(|h| h.to_str().ok()).map(|h| (format!("http://{h}"), format!("https://{h}")));
            origin != own_public && own_host.map(|(a, b)| origin != a && origin != b).unwrap_or(true)
        }
    }
}

/// Middleware: refuses cookie-authenticated state-changing requests that come from another site
/// (server functions have no CSRF protection of their own), and any cross-site call of a server
/// function (they serve only our own pages; this also stops log-in CSRF). Bearer/API-key
/// requests carry no ambient credentials and are not affected.
pub async fn refuse_cross_site(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let ambient = session_cookie(req.headers()).is_some() || req.uri().path().starts_with("/rpc/");
    if !safe && ambient && is_cross_site(&st, req.headers()) {
        tracing::warn!(path = %req.uri().path(), "cross-site request refused");
        return edge_error(req.uri().path(), AppError::new(ErrorCode::CrossSite, "Cross-site requests are not allowed."));
    }
    next.run(req).await
}

/// An error answered by a middleware, before any handler, in one body every client reads: the
/// server functions' `AppError` (`code`, `message`, `details` at the top), Talkstack's
/// `message`/`status` and v1's `success`/`error`.
pub fn edge_error(_path: &str, e: AppError) -> Response {
    let status = StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    (
        status,
        axum::Json(serde_json::json!({
            "code": e.code.as_str(), "message": e.message, "details": e.details,
            "status": "error", "success": false,
            "error": {"code": e.code.as_str(), "message": e.message, "details": e.details}
        })),
    )
        .into_response()
}

/// The largest request body accepted (JSON and forms; file uploads will set their own limit): one
/// limit with the REST extractors'.
pub const MAX_BODY_BYTES: usize = crate::server::rest::extract::MAX_BODY_BYTES;

pub fn nul_refused() -> AppError {
    AppError::new(ErrorCode::InvalidInput, "Text must not contain NUL characters (\\u0000).")
}

fn too_large() -> AppError {
    AppError::new(ErrorCode::PayloadTooLarge, format!("The request body is larger than {} KiB.", MAX_BODY_BYTES / 1024))
}

/// True when a JSON text holds a NUL: raw, or as a `\u0000` escape (the `u0000` must follow an
/// odd run of backslashes, else the backslash itself is escaped and the text is literal).
pub(crate) fn json_has_nul(b: &[u8]) -> bool {
    if b.contains(&0) {
        return true;
    }
    let pat = b"u0000";
    let mut i = 0;
    while let Some(pos) = b[i..].windows(pat.len()).position(|w| w == pat) {
        let at = i + pos;
        let slashes = b[..at].iter().rev().take_while(|c| **c == b'\\').count();
        if slashes % 2 == 1 {
            return true;
        }
        i = at + 1;
    }
    false
}

/// Middleware: one rule for text entering anywhere (path, query, JSON, form): NUL is refused
/// with 400 (PostgreSQL cannot store it in text; no legitimate input needs it), and a body over
/// [`MAX_BODY_BYTES`] with 413, both in the API's error shape instead of a framework's plain text.
/// Multipart bodies (file uploads) are left to their handlers.
pub async fn refuse_bad_input(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let raw_uri = req.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or("");
    if raw_uri.contains("%00") {
        return edge_error(&path, nul_refused());
    }
    let content_type = req.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    if content_type.starts_with("multipart/") || matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let declared = req.headers().get(http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return edge_error(&path, too_large());
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => return edge_error(&path, too_large()),
    };
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let nul = bytes.contains(&0) || if form { bytes.windows(3).any(|w| w == b"%00") } else { json_has_nul(&bytes) };
    if nul {
        return edge_error(&path, nul_refused());
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await
}

/// Middleware: leptos answers every error it raises itself in a server function (a missing or
/// malformed argument) with 500; such an error is the caller's, so the status becomes the one of
/// the `AppError` it carries (400). Errors our bodies return already carry their own status.
pub async fn server_fn_error_status(req: Request, next: Next) -> Response {
    let is_rpc = req.uri().path().starts_with("/rpc/");
    let res = next.run(req).await;
    if !is_rpc || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES).await.unwrap_or_default();
    if let Ok(e) = serde_json::from_slice::<AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(e.code.http_status()) {
            parts.status = status;
        }
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Pages anyone may see without logging in, and static files (the login page needs its CSS and
/// WASM before anyone is logged in).
fn is_public_page(path: &str) -> bool {
    const PUBLIC: &[&str] = &["/login", "/signup", "/verify", "/forgot-password", "/reset-password", "/invitations/accept"];
    let is_static = path.starts_with("/pkg/") || path.starts_with("/assets/") || path.rsplit('/').next().is_some_and(|last| last.contains('.'));
    is_static || PUBLIC.iter().any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

/// Middleware for dashboard pages: a page request without a live session is sent to the login
/// page, which brings the user back afterwards (`next`).
pub async fn require_login_for_pages(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if req.method() != Method::GET || is_public_page(path) {
        return next.run(req).await;
    }
    let logged_in = match session_cookie(req.headers()) {
        Some(raw) => matches!(accounts::authenticate_session(&st, raw).await, Ok(Some(_))),
        None => false,
    };
    if logged_in {
        return next.run(req).await;
    }
    let target = req.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
    Redirect::to(&format!("/login?next={}", urlencoding::encode(target))).into_response()
}

/// A safe in-app redirect target: a local absolute path, never another host.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && !n.contains("://") => n.to_string(),
        _ => "/".to_string(),
    }
}

/// Helpers for `#[server]` functions: read the request that leptos_axum provides as context.
pub mod sf {
    use super::*;
    use leptos::prelude::{expect_context, use_context};
    use leptos_axum::ResponseOptions;

    /// The (created_at, id) a dashboard list continues after, from its page link's cursor
    /// (empty: the first page).
    pub fn page_after(cursor: Option<&str>) -> Result<Option<(i64, String)>, AppError> {
        match cursor.map(str::trim).unwrap_or("") {
            "" => Ok(None),
            c => crate::server::rest::v1::envelope::decode_cursor::<(i64, String)>(c)
                .map(Some)
                .ok_or_else(|| AppError::field("cursor", "This page link is not valid any more: start from the first page.")),
        }
    }

    /// Cuts `items` (fetched with one extra) to `size` and gives the cursor of the next page, if
    /// there is one, from the last item's `(created_at, id)`.
    pub fn next_page<T>(items: &mut Vec<T>, size: i64, key: impl Fn(&T) -> (i64, String)) -> Option<String> {
        if items.len() as i64 <= size {
            return None;
        }
        items.truncate(size as usize);
        items.last().map(|x| crate::server::rest::v1::envelope::encode_cursor(&key(x)))
    }

    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from server function context");
            AppError::internal()
        })
    }

    fn parts() -> Result<http::request::Parts, AppError> {
        use_context::<http::request::Parts>().ok_or_else(|| {
            tracing::error!("request parts missing from server function context");
            AppError::internal()
        })
    }

    pub fn client() -> Result<Client, AppError> {
        let st = state()?;
        let p = parts()?;
        Ok(client_from_parts(&st, &p.extensions, &p.headers))
    }

    /// The logged-in user of this browser (session cookie only: server functions are the
    /// dashboard's transport).
    pub async fn principal() -> Result<Principal, AppError> {
        let st = state()?;
        let p = parts()?;
        let raw = session_cookie(&p.headers).ok_or_else(AppError::unauthenticated)?;
        accounts::authenticate_session(&st, raw).await?.ok_or_else(AppError::unauthenticated)
    }

    /// [`principal`] as the actor services take.
    pub async fn actor() -> Result<Actor, AppError> {
        principal().await.map(Actor::from)
    }

    pub fn session_raw() -> Option<String> {
        parts().ok().and_then(|p| session_cookie(&p.headers).map(str::to_string))
    }

    pub fn set_cookie(value: String) {
        let res = expect_context::<ResponseOptions>();
        if let Ok(v) = http::HeaderValue::from_str(&value) {
            res.append_header(http::header::SET_COOKIE, v);
        }
    }

    /// A plain HTML form post (no JS yet): leptos answers it with a redirect back to the form,
    /// which must not be replaced by an error status.
    fn is_form_post() -> bool {
        parts()
            .ok()
            .and_then(|p| p.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
            .unwrap_or(false)
    }

    /// After success of a plain form post (no JS), where leptos would send the browser back to
    /// the form and drop the returned value, go to `path` instead: it carries a flag the page
    /// turns into the success message. Fetch calls get the value as usual.
    pub fn done_without_js(path: &str) {
        if is_form_post() {
            leptos_axum::redirect(path);
        }
    }

    /// Sets the HTTP status of a failed server function to the error's own and returns it.
    pub fn fail<T>(e: AppError) -> Result<T, AppError> {
        if is_form_post() {
            return Err(e);
        }
        if let Some(res) = use_context::<ResponseOptions>() {
            res.set_status(StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
            if let Some(v) = crate::server::error::retry_after_header(&e) {
                res.insert_header(http::header::RETRY_AFTER, v);
            }
        }
        Err(e)
    }

    /// Runs a server function body and maps its error through [`fail`].
    pub async fn run<T, F>(f: F) -> Result<T, AppError>
    where
        F: std::future::Future<Output = Result<T, AppError>>,
    {
        match f.await {
            Ok(v) => Ok(v),
            Err(e) => fail(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_targets_stay_local() {
        assert_eq!(safe_next(Some("/agents?x=1")), "/agents?x=1");
        for bad in ["//evil.com", "https://evil.com", "/\\evil.com", "evil"] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn nul_escapes_are_found_only_when_they_are_escapes() {
        assert!(json_has_nul(br#"{"a":"x\u0000y"}"#));
        assert!(json_has_nul(br#"{"a":"\\\u0000"}"#));
        assert!(!json_has_nul(br#"{"a":"\\u0000"}"#));
        assert!(!json_has_nul(br#"{"a":"u0000"}"#));
        assert!(json_has_nul(br#"{"a":"\u00001"}"#));
    }

    #[test]
    fn bearer_parsing() {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(bearer(&h), Some("abc"));
        h.insert(AUTHORIZATION, "bearer  abc ".parse().unwrap());
        assert_eq!(bearer(&h), Some("abc"));
        h.insert(AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&h), None);
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let mut cfg = Config::for_tests(std::path::Path::new("/tmp"), "sqlite::memory:");
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "203.0.113.9, 10.0.0.5".parse().unwrap());
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        // Untrusted peer: its header is ignored.
        assert_eq!(client_ip(&cfg, Some(proxy), &h), proxy);
        // Trusted proxies: the right-most address that is not a proxy.
        cfg.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(client_ip(&cfg, Some(proxy), &h), "203.0.113.9".parse::<IpAddr>().unwrap());
        // Garbage falls back to the peer.
        h.insert("x-forwarded-for", "not-an-ip".parse().unwrap());
        assert_eq!(client_ip(&cfg, Some(proxy), &h), proxy);
    }

    #[test]
    fn public_pages() {
        assert!(is_public_page("/pkg/talkdeck.wasm"));
        assert!(is_public_page("/favicon.svg"));
        assert!(is_public_page("/login"));
        assert!(is_public_page("/reset-password"));
        assert!(!is_public_page("/loginx"));
        assert!(!is_public_page("/"));
        assert!(!is_public_page("/settings/profile"));
    }
}
