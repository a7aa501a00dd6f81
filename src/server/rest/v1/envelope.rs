//! The v1 envelope: `{success:true, data, message}`; lists add `meta` for pagination; errors are
//! `{success:false, error{code, message, details}}` with `Retry-After` when throttled.

use crate::model::AppError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub struct V1Error(pub AppError);

impl From<AppError> for V1Error {
    fn from(e: AppError) -> Self {
        V1Error(e)
    }
}

impl IntoResponse for V1Error {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = json!({
            "success": false,
            "error": {"code": e.code.as_str(), "message": e.message, "details": e.details},
        });
        let mut res = (status, Json(body)).into_response();
        if let Some(v) = crate::server::error::retry_after_header(&e) {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        res
    }
}

pub type V1Result = Result<Response, V1Error>;

pub fn ok<T: Serialize>(message: &str, data: T) -> V1Result {
    Ok(Json(json!({"success": true, "message": message, "data": data})).into_response())
}

pub fn created<T: Serialize>(message: &str, data: T) -> V1Result {
    Ok((StatusCode::CREATED, Json(json!({"success": true, "message": message, "data": data}))).into_response())
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// One page of an in-memory list (lists here are per-project and small).
pub fn page<T: Serialize>(message: &str, items: Vec<T>, q: &PageQuery) -> V1Result {
    let per_page = q.per_page.unwrap_or(20).clamp(1, 100);
    let page = q.page.unwrap_or(1).max(1);
    let total = items.len() as u64;
    let data: Vec<T> = items.into_iter().skip(((page - 1) * per_page) as usize).take(per_page as usize).collect();
    let meta = json!({"page": page, "per_page": per_page, "total": total, "total_pages": total.div_ceil(per_page)});
    Ok(Json(json!({"success": true, "message": message, "data": data, "meta": meta})).into_response())
}

/// Parses a JSON body into `T`, answering 400 in the v1 shape.
pub fn body<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, V1Error> {
    crate::server::rest::extract::json_body(bytes).map_err(V1Error)
}

