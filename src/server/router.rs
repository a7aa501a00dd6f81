//! The route table: dashboard pages (Leptos SSR), server functions under `/rpc`, the
//! Talkstack-compatible API under `/api`, the versioned API and its OpenAPI document under
//! `/api/v1`, Twilio's callbacks under `/hooks/twilio`, the API reference page at `/docs`,
//! `/health`, and static files. Cross-cutting layers: input refusal (NUL, body size), cross-site
//! refusal, request logging without secrets, compression, a request timeout, security and cache
//! headers.

use crate::app::{shell, App};
use crate::server::headers::{self, PagePolicy};
use crate::server::http;
use crate::server::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Router};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The app's routes, generated once per process. `generate_route_list` renders the whole app
/// with leptos_server's process-wide "suppress resource loads" flag set: any page rendering at
/// the same moment (another router being built, as tests and `restart` do) would start its data
/// fetches as never-finishing futures and hang until the request timeout.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn build(state: AppState) -> Router {
    let routes = route_list();
    let policy = Arc::new(PagePolicy::new(&state.config, std::env::var_os("LEPTOS_WATCH").is_some()));

    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let st = state.clone();
                move || {
                    provide_context(st.clone());
                    headers::provide_leptos_nonce();
                }
            },
            {
                let opts = state.leptos_options.clone();
                move || shell(opts.clone())
            },
        )
        // Unknown paths: the app's 404 page (static files are routed below, before it).
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(headers::provide_leptos_nonce, shell))
        .layer(middleware::from_fn_with_state(state.clone(), http::require_login_for_pages));

    Router::new()
        .route("/rpc/{*fn_name}", post(server_fn_handler).get(server_fn_handler))
        .route("/health", get(health))
        .route("/docs", get(crate::server::rest::docs::page))
        .nest("/api", crate::server::rest::router())
        // Twilio's signed callbacks (the conversation, statuses, recordings, inbound calls).
        .nest("/hooks/twilio", crate::server::rest::hooks::twilio())
        .merge(headers::static_files(&state.leptos_options))
        // The batch pages' upload form, export download and live events (plain HTTP).
        .merge(crate::server::batch_pages::routes())
        .merge(pages)
        .layer(middleware::from_fn(http::server_fn_error_status))
        .layer(middleware::from_fn(http::refuse_bad_input))
        .layer(middleware::from_fn_with_state(state.clone(), http::refuse_cross_site))
        .layer(TimeoutLayer::with_status_code(::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        // Audio is not compressed: it gains nothing and byte ranges must address the stored bytes.
        .layer(CompressionLayer::new().compress_when(DefaultPredicate::new().and(NotForContentType::const_new("audio/"))))
        .layer(middleware::from_fn_with_state(policy, headers::security_headers))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
            // The path only: query strings can carry reset tokens.
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
        }))
        .with_state(state)
}

/// Server functions are routed by `leptos_routes_with_context` (one route each); this catch-all
/// only answers unknown names under `/rpc`.
async fn server_fn_handler(State(st): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(st.clone()), req).await
}

async fn health(State(st): State<AppState>) -> Response {
    match st.db.ping().await {
        Ok(()) => axum::Json(serde_json::json!({"status": "ok"})).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (::http::StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({"status": "unavailable"}))).into_response()
        }
    }
}
