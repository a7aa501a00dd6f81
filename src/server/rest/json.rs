//! The JSON answer of the `/api` handlers (Talkstack's and v1): `Json(value)` serialized into one `Vec` (axum's own
//! `Json` writes through `BytesMut`'s writer, one bounds-checked `put_slice` per token, which was
//! a tenth of a call-history page in the profile) and sent with `application/json`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A JSON response body (responses only; requests are read by the APIs' own extractors).
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        // 1 KiB covers most single objects without a regrowth; a page of calls grows a few times.
        let mut buf = Vec::with_capacity(1024);
        match serde_json::to_writer(&mut buf, &self.0) {
            Ok(()) => ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], buf).into_response(),
            Err(e) => {
                // Only a type whose Serialize can fail (a map with non-string keys) gets here.
                tracing::error!(error = %e, "serializing a JSON answer failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
                    r#"{"success":false,"error":{"code":"internal","message":"The answer could not be written."}}"#,
                )
                    .into_response()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_the_value_as_json_with_its_content_type() {
        let res = Json(serde_json::json!({"a": [1, 2], "b": "x\"y"})).into_response();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/json");
        let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.expect("body");
        assert_eq!(&body[..], br#"{"a":[1,2],"b":"x\"y"}"#);
    }

    #[tokio::test]
    async fn a_value_that_cannot_be_serialized_is_a_500_in_json() {
        let mut m = std::collections::BTreeMap::new();
        m.insert(vec![1u8], 1);
        let res = Json(m).into_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/json");
    }
}
