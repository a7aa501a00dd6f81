//! REST adapters. `talkstack/` speaks the Talkstack-compatible API under `/api`; `v1/` is the
//! versioned API under `/api/v1` with its OpenAPI document. Handlers parse, call `services`
//! and shape responses; they hold no rules of their own.
//!
//! Nothing under `/api` answers in a framework's plain text: an unknown path (404), a known path
//! with another method (405), an unreadable body (413) and any other rejection come back in the
//! envelope of the API they were addressed to (see [`json_errors`]).

pub mod bodies;
pub mod docs;
pub mod extract;
pub mod hooks;
pub mod json;
pub mod talkstack;
pub mod v1;

use crate::model::{AppError, ErrorCode};
use crate::server::state::AppState;
use axum::extract::{DefaultBodyLimit, OriginalUri, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::sync::LazyLock;
use utoipa_axum::router::OpenApiRouter;

/// Every `/api` route, with the OpenAPI paths of those registered through `routes!`.
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(OpenApiRouter::from(talkstack::router())).nest("/v1", v1::router())
}

/// The router mounted at `/api`.
pub fn router() -> Router<AppState> {
    let (router, _) = api().split_for_parts();
    router
        .fallback(unknown_endpoint)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(json_errors))
        .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES))
}

/// The OpenAPI document of everything served under `/api`, built from the same router.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(|| OpenApiRouter::<AppState>::with_openapi(v1::openapi::base()).nest("/api", api()).into_openapi());
    &DOC
}

fn is_v1(path: &str) -> bool {
    path == "/api/v1" || path.starts_with("/api/v1/")
}

/// An error in the envelope of the API `path` belongs to.
fn error_for(path: &str, e: AppError) -> Response {
    if is_v1(path) {
        v1::envelope::V1Error(e).into_response()
    } else {
        talkstack::TsError::from(e).into_response()
    }
}

async fn unknown_endpoint(OriginalUri(uri): OriginalUri) -> Response {
    error_for(uri.path(), AppError::new(ErrorCode::NotFound, "There is no API endpoint at this path. See /api/v1/openapi.json."))
}

async fn method_not_allowed(OriginalUri(uri): OriginalUri) -> Response {
    error_for(uri.path(), AppError::new(ErrorCode::MethodNotAllowed, "This endpoint does not accept this HTTP method."))
}

/// Rewrites any error response that is not JSON (a framework rejection: a body over the limit,
/// a malformed path or query the handler did not parse itself) into the API's envelope, keeping
/// its status and headers (`Allow` on 405). Statuses map to stable codes; the framework's text,
/// which only describes the client's own request, becomes the message.
async fn json_errors(req: Request, next: Next) -> Response {
    let path = req.extensions().get::<OriginalUri>().map(|u| u.0.path().to_string()).unwrap_or_else(|| req.uri().path().to_string());
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| ct.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 16 * 1024).await.map(|b| String::from_utf8_lossy(&b).trim().to_string()).unwrap_or_default();
    let code = match status.as_u16() {
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        413 => ErrorCode::PayloadTooLarge,
        415 => ErrorCode::UnsupportedMediaType,
        401 => ErrorCode::Unauthenticated,
        403 => ErrorCode::Forbidden,
        400..=499 => ErrorCode::InvalidInput,
        _ => ErrorCode::Internal,
    };
    let e = match code {
        ErrorCode::Internal => {
            tracing::error!(status = status.as_u16(), body = %text, "non-JSON server error under /api");
            AppError::internal()
        }
        ErrorCode::PayloadTooLarge => extract::too_large(),
        _ if text.is_empty() => AppError::new(code, status.canonical_reason().unwrap_or("Bad request").to_string() + "."),
        _ => AppError::new(code, text),
    };
    let mut out = error_for(&path, e);
    *out.status_mut() = status;
    for (name, value) in parts.headers.iter() {
        if name != http::header::CONTENT_TYPE && name != http::header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}
