//! Response headers: what every answer carries (no MIME sniffing, a referrer policy, no
//! framing), the dashboard's Content-Security-Policy with a per-request script nonce, `no-store`
//! on everything that is not a static file, and the static-file services with their cache
//! policies (hashed `/pkg` files immutable, the rest revalidated).
//!
//! The nonce flows one way: [`security_headers`] makes it and puts it in the request's
//! extensions; the Leptos context closures call [`provide_leptos_nonce`], which hands it to Leptos
//! in place of the one leptos_axum generated, so `HydrationScripts` and the resource scripts
//! carry it; on the way out the same middleware names it in the CSP of the HTML response.

use crate::server::config::Config;
use crate::server::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH, LAST_MODIFIED, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use http::{HeaderValue, StatusCode};
use leptos::config::LeptosOptions;
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Hashed `/pkg` names change with their content, so a cached copy never needs checking.
pub const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Static files under a fixed name: cacheable, but revalidated (304 via `Last-Modified`) on use.
pub const CACHE_REVALIDATE: &str = "no-cache";
/// Pages, API answers and server-function answers: per-user and often secret.
pub const CACHE_NONE: &str = "no-store";

/// JSON answers are never rendered as documents; if one is opened directly, nothing in it runs.
const NON_HTML_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// The nonce of one request's inline scripts (16 random bytes, base64).
#[derive(Clone, Debug)]
pub struct CspNonce(pub Arc<str>);

impl CspNonce {
    pub fn generate() -> Self {
        use base64::Engine as _;
        use rand::RngCore as _;
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        CspNonce(base64::engine::general_purpose::STANDARD.encode(bytes).into())
    }
}

/// The dashboard's CSP, fixed at start-up except for the nonce.
#[derive(Debug)]
pub struct PagePolicy {
    before_nonce: String,
    after_nonce: String,
}

impl PagePolicy {
    /// `reload_websocket`: `cargo leptos watch` injects a script that reloads the page over a
    /// websocket on another port; allowed only then.
    pub fn new(config: &Config, reload_websocket: bool) -> Self {
        // Voice previews are absolute links under PUBLIC_URL (which may differ from the
        // address the browser used) or, for voices synced from a provider, on the provider's
        // own CDN, which is not known in advance: media may come from any https origin.
        let public = config.public_origin();
        let ws = if reload_websocket { " ws: wss:" } else { "" };
        PagePolicy {
            // 'self' loads /pkg/*.js (the hydration script imports it); the nonce admits the
            // inline bootstrap and resource scripts; 'wasm-unsafe-eval' compiles the WASM and
            // nothing else (no eval, no inline handlers). Styles come from /pkg only.
            before_nonce: "default-src 'self'; script-src 'self' 'nonce-".to_string(),
            after_nonce: format!(
                "' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; media-src 'self' {public} https:; \
                 connect-src 'self'{ws}; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
                 frame-ancestors 'none'"
            ),
        }
    }

    pub fn header(&self, nonce: &CspNonce) -> String {
        format!("{}{}{}", self.before_nonce, nonce.0, self.after_nonce)
    }
}

fn is_html(res: &Response) -> bool {
    content_type_starts(res, &["text/html"])
}

fn is_json(res: &Response) -> bool {
    content_type_starts(res, &["application/json", "application/problem+json"])
}

fn content_type_starts(res: &Response, types: &[&str]) -> bool {
    res.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim_start().to_ascii_lowercase())
        .is_some_and(|v| types.iter().any(|t| v.starts_with(t)))
}

/// Middleware around the whole router: makes the request's CSP nonce, then sets the security
/// headers on the response. A handler's own `Cache-Control` (static files) is kept; every other
/// response gets `no-store`.
pub async fn security_headers(State(policy): State<Arc<PagePolicy>>, mut req: Request, next: Next) -> Response {
    let nonce = CspNonce::generate();
    req.extensions_mut().insert(nonce.clone());
    let mut res = next.run(req).await;
    let csp = if is_html(&res) {
        match HeaderValue::from_str(&policy.header(&nonce)) {
            Ok(v) => Some(v),
            Err(e) => {
                // Only a PUBLIC_URL with characters a header cannot carry could do this; the
                // page still works without its scripts under the strict policy.
                tracing::error!(error = %e, "CSP header not representable; scripts blocked");
                Some(HeaderValue::from_static("default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'"))
            }
        }
    } else if is_json(&res) {
        Some(HeaderValue::from_static(NON_HTML_CSP))
    } else {
        None
    };
    let h = res.headers_mut();
    if let Some(csp) = csp {
        h.insert(CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(CACHE_CONTROL) {
        h.insert(CACHE_CONTROL, HeaderValue::from_static(CACHE_NONE));
    }
    res
}

/// Gives Leptos this request's nonce (replacing the one leptos_axum generated), so the inline
/// scripts it renders carry the nonce that [`security_headers`] puts in the CSP. Call it from
/// the additional-context closure of every Leptos handler that renders HTML.
pub fn provide_leptos_nonce() {
    use leptos::prelude::{provide_context, use_context};
    let nonce = use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<CspNonce>().cloned());
    if let Some(n) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(n.0));
    }
}

/// Sets `Cache-Control` on successful and not-modified answers of a static-file service (a 404
/// keeps none and gets `no-store`).
fn cache_policy<B>(policy: &'static str) -> impl Fn(http::Response<B>) -> http::Response<B> + Clone {
    move |mut res| {
        if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
            res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static(policy));
        }
        res
    }
}

/// A weak entity tag for a static file: its path and modification time, which is what tells one
/// version of a file under a fixed name from the next.
fn static_etag(path: &str, last_modified: &HeaderValue) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(path.as_bytes());
    h.update([0]);
    h.update(last_modified.as_bytes());
    format!("W/\"{}\"", &hex::encode(h.finalize())[..20])
}

/// True when an `If-None-Match` value names `etag` (weak comparison, as RFC 9110 asks for GET).
fn none_match_hits(if_none_match: &str, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    if_none_match.split(',').any(|t| t.trim() == "*" || bare(t) == bare(etag))
}

/// Adds an `ETag` to static files (`ServeDir` sends only `Last-Modified`) and answers a matching
/// `If-None-Match` with 304, so caches can revalidate with either validator.
async fn static_validators(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let if_none_match = req.headers().get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut res = next.run(req).await;
    if !(res.status() == StatusCode::OK || res.status() == StatusCode::NOT_MODIFIED) {
        return res;
    }
    let Some(etag) = res.headers().get(LAST_MODIFIED).map(|lm| static_etag(&path, lm)) else { return res };
    let Ok(value) = HeaderValue::from_str(&etag) else { return res };
    if if_none_match.as_deref().is_some_and(|inm| none_match_hits(inm, &etag)) {
        let mut not_modified = Response::new(Body::empty());
        *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
        for name in [CACHE_CONTROL, LAST_MODIFIED, http::header::VARY] {
            if let Some(v) = res.headers().get(&name) {
                not_modified.headers_mut().insert(name, v.clone());
            }
        }
        not_modified.headers_mut().insert(ETAG, value);
        return not_modified;
    }
    res.headers_mut().insert(ETAG, value);
    res
}

/// The static files of the site root: `/pkg` (immutable when cargo-leptos hashed the names,
/// revalidated otherwise), `/assets` and the favicon (revalidated). `ServeDir` answers
/// `If-Modified-Since` with 304 from the file's `Last-Modified`; [`static_validators`] adds an
/// `ETag` and answers `If-None-Match`.
pub fn static_files(opts: &LeptosOptions) -> Router<AppState> {
    let root = PathBuf::from(opts.site_root.as_ref());
    let pkg = opts.site_pkg_dir.as_ref().trim_matches('/');
    let pkg_policy = if opts.hash_files { CACHE_IMMUTABLE } else { CACHE_REVALIDATE };
    let pkg_files = ServeDir::new(root.join(pkg)).precompressed_br().precompressed_gzip();
    Router::new()
        .nest_service(&format!("/{pkg}"), ServiceExt::<http::Request<Body>>::map_response(pkg_files, cache_policy(pkg_policy)))
        .nest_service("/assets", ServiceExt::<http::Request<Body>>::map_response(ServeDir::new(root.join("assets")), cache_policy(CACHE_REVALIDATE)))
        .route_service("/favicon.svg", ServiceExt::<http::Request<Body>>::map_response(ServeFile::new(root.join("favicon.svg")), cache_policy(CACHE_REVALIDATE)))
        .layer(axum::middleware::from_fn(static_validators))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_follow_path_and_time_and_match_weakly() {
        let t1 = HeaderValue::from_static("Sun, 29 Nov 2026 10:00:00 GMT");
        let t2 = HeaderValue::from_static("Sun, 29 Nov 2026 10:00:01 GMT");
        let e = static_etag("/assets/a.css", &t1);
        assert!(e.starts_with("W/\"") && e.ends_with('"'), "{e}");
        assert_eq!(e, static_etag("/assets/a.css", &t1));
        assert_ne!(e, static_etag("/assets/a.css", &t2));
        assert_ne!(e, static_etag("/assets/b.css", &t1));
        assert!(none_match_hits(&e, &e));
        assert!(none_match_hits(&format!("\"x\", {}", e.trim_start_matches("W/")), &e));
        assert!(none_match_hits("*", &e));
        assert!(!none_match_hits("W/\"other\"", &e));
    }

    #[test]
    fn nonces_are_fresh_and_header_safe() {
        let a = CspNonce::generate();
        let b = CspNonce::generate();
        assert_ne!(a.0, b.0);
        assert_eq!(a.0.len(), 24, "16 bytes in base64");
        assert!(a.0.chars().all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c)));
    }

    #[test]
    fn page_policy_has_the_nonce_and_no_unsafe_script_sources() {
        let cfg = Config::for_tests(std::path::Path::new("/tmp"), "sqlite::memory:");
        let n = CspNonce("abc".into());
        let csp = PagePolicy::new(&cfg, false).header(&n);
        assert!(csp.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"), "{csp}");
        assert!(!csp.contains("'unsafe-eval'") && !csp.contains("'unsafe-inline'"), "{csp}");
        assert!(csp.contains("media-src 'self' http://127.0.0.1:3000 https:"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "{csp}");
        assert!(!csp.contains("ws:"), "{csp}");
        assert!(PagePolicy::new(&cfg, true).header(&n).contains("connect-src 'self' ws: wss:"));
        assert!(HeaderValue::from_str(&csp).is_ok());
    }
}
