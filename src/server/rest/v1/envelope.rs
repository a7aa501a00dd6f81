//! The v1 envelope: `{success:true, message, data}`; lists add `next_cursor`; errors are
//! `{success:false, error{code, message, details}}` with `Retry-After` when throttled.
//! Also the v1 extractors and the keyset-pagination contract shared by every v1 list.

use super::types::{Done, Envelope, ErrorEnvelope, ListEnvelope};
use crate::model::AppError;
use crate::server::rest::json::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

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
        let mut res = (status, Json(ErrorEnvelope::from(&e))).into_response();
        if let Some(v) = crate::server::error::retry_after_header(&e) {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        res
    }
}

crate::api_extractors!(V1Error, V1Json, V1Query, V1Path);

pub type V1Result<T> = Result<T, V1Error>;

/// 200 with `data`.
pub fn ok<T>(message: &str, data: T) -> V1Result<Json<Envelope<T>>> {
    Ok(Json(Envelope { success: true, message: message.to_string(), data }))
}

/// 201 with `data`.
pub fn created<T>(message: &str, data: T) -> V1Result<(StatusCode, Json<Envelope<T>>)> {
    Ok((StatusCode::CREATED, Json(Envelope { success: true, message: message.to_string(), data })))
}

/// 200 with `data: null`.
pub fn done(message: &str) -> V1Result<Json<Done>> {
    Ok(Json(Done { success: true, message: message.to_string(), data: None }))
}

// ---- keyset pagination -------------------------------------------------------------------------

/// The most items one page holds, and the default.
pub const MAX_LIMIT: i64 = 100;
pub const DEFAULT_LIMIT: i64 = 50;

/// `limit` and `cursor`, shared by every v1 list. `per_page` is still read as `limit` for
/// clients of the earlier page-numbered lists; `page` is ignored.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 100 (default 50).
    #[serde(default, alias = "per_page")]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page, unchanged (empty: the first page).
    #[serde(default)]
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
}

/// A validated page request: where to start (`after`, the previous page's last sort key and id)
/// and how many items to return.
pub struct PageReq<K> {
    pub after: Option<K>,
    pub limit: i64,
}

impl<K> PageReq<K> {
    /// How many rows to ask the database for: one more than the page, to know whether another
    /// page follows without counting.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// The start and the number of rows to fetch, for the service call.
    pub fn split(self) -> (Option<K>, i64) {
        let fetch = self.fetch();
        (self.after, fetch)
    }
}

impl PageParams {
    /// Checks `limit` and decodes `cursor` into the list's sort key type `K`.
    pub fn parse<K: DeserializeOwned>(&self) -> Result<PageReq<K>, V1Error> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(V1Error(AppError::field("limit", format!("limit must be between 1 and {MAX_LIMIT}."))));
        }
        // Only an empty cursor means "first page"; anything else (whitespace included) must be one
        // the server issued.
        let after = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(decode_cursor(c).ok_or_else(bad_cursor)?),
        };
        Ok(PageReq { after, limit })
    }
}

fn bad_cursor() -> V1Error {
    V1Error(AppError::field("cursor", "cursor is not valid: pass next_cursor from the previous page unchanged."))
}

/// A cursor is base64url (no padding) of the JSON of the last item's sort key and id: opaque to
/// clients, but plain data, so a forged one can only move the start of a page.
pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    let json = serde_json::to_vec(key).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

pub fn decode_cursor<K: DeserializeOwned>(c: &str) -> Option<K> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(c).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// One page out of `fetched` (up to `limit + 1` items in list order): the first `limit` items,
/// and a cursor after the last of them when more follow.
pub fn page<T, O, K: Serialize>(message: &str, limit: i64, mut fetched: Vec<T>, key: impl Fn(&T) -> K, out: impl Fn(T) -> O) -> V1Result<Json<ListEnvelope<O>>> {
    let more = fetched.len() as i64 > limit;
    fetched.truncate(limit as usize);
    let next_cursor = if more { fetched.last().map(|t| encode_cursor(&key(t))) } else { None };
    Ok(Json(ListEnvelope { success: true, message: message.to_string(), data: fetched.into_iter().map(out).collect(), next_cursor }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let c = encode_cursor(&(1_700_000_000_000_i64, "0190-abc".to_string()));
        let p = PageParams { limit: Some(2), cursor: Some(c) };
        let r: PageReq<(i64, String)> = p.parse().map_err(|e| e.0).unwrap();
        assert_eq!(r.after, Some((1_700_000_000_000, "0190-abc".to_string())));
        let bad = PageParams { limit: None, cursor: Some("not a cursor!".into()) };
        assert!(bad.parse::<(i64, String)>().is_err());
        let wrong_shape = PageParams { limit: None, cursor: Some(encode_cursor(&("a", "b"))) };
        assert!(wrong_shape.parse::<(i64, String)>().is_err());
        assert!(PageParams { limit: Some(101), cursor: None }.parse::<(i64, String)>().is_err());
        assert!(PageParams { limit: None, cursor: Some("\n".into()) }.parse::<(i64, String)>().is_err());
        assert!(PageParams { limit: None, cursor: Some(String::new()) }.parse::<(i64, String)>().map_err(|e| e.0).unwrap().after.is_none());
        assert!(PageParams { limit: Some(0), cursor: None }.parse::<(i64, String)>().is_err());
    }
}
