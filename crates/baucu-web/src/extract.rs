//! One error contract. Every failure under `/api/` answers
//! `{"error": {"code": "...", "message": "...", "problems": [...]}}` with a stable `code` and a
//! Vietnamese `message`; every failure of a page answers the HTML error page.
//!
//! The API's handlers read their input through [`ApiJson`], [`ApiBytes`], [`ApiPath`] and
//! [`ApiQuery`], whose rejections are that JSON error with a code naming the kind of problem. Behind
//! them, [`error_shape`] wraps the whole router: an error answer that is not in the right shape (a
//! rejection of an extractor some handler still uses, axum's own 405 or 413) is given it, so no
//! `text/plain` error leaves the node.
//!
//! The stable codes (also in the OpenAPI document, `components.responses.Error`):
//! `malformed_json` (400), `bad_body` (400), `bad_path` (400), `bad_query` (400), `bad_request` (400),
//! `unauthenticated` (401), `bad_credentials` (401), `forbidden`, `csrf`,
//! `password_change_required` (403), `not_found` (404), `method_not_allowed` (405), `conflict` (409),
//! `too_large` (413), `unsupported_media_type` (415), `invalid_body` (422), `invalid_input` (422),
//! the rules engine's codes (422), `rate_limited` (429), `storage_error` and `internal_error` (500).

use crate::guard::is_api_path;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// An API error: status, stable code, Vietnamese message, and the problems by field.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub problems: Vec<Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), problems: Vec::new() }
    }

    fn with_field(mut self, field: &str) -> Self {
        self.problems.push(json!({ "field": field, "message": self.message }));
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body =
            json!({ "error": { "code": self.code, "message": self.message, "problems": self.problems } });
        (self.status, axum::Json(body)).into_response()
    }
}

/// The code and sentence of an error status, for answers that carry no better one.
fn by_status(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::BAD_REQUEST => ("bad_request", "Yêu cầu không hợp lệ."),
        StatusCode::UNAUTHORIZED => ("unauthenticated", "Vui lòng đăng nhập."),
        StatusCode::FORBIDDEN => ("forbidden", "Tài khoản của bạn không có quyền thực hiện việc này."),
        StatusCode::NOT_FOUND => ("not_found", "Không có địa chỉ này."),
        StatusCode::METHOD_NOT_ALLOWED => {
            ("method_not_allowed", "Địa chỉ này không nhận phương thức yêu cầu đó.")
        }
        StatusCode::CONFLICT => ("conflict", "Thao tác không phù hợp với trạng thái hiện tại."),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "Dữ liệu gửi lên quá lớn."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "Kiểu dữ liệu gửi lên không đúng (Content-Type).")
        }
        StatusCode::UNPROCESSABLE_ENTITY => ("invalid_input", "Dữ liệu gửi lên không hợp lệ."),
        StatusCode::TOO_MANY_REQUESTS => ("rate_limited", "Quá nhiều yêu cầu. Vui lòng chờ rồi thử lại."),
        s if s.is_server_error() => ("internal_error", "Máy chủ gặp lỗi; thao tác chưa được thực hiện."),
        _ => ("bad_request", "Yêu cầu không hợp lệ."),
    }
}

fn content_type(headers: &HeaderMap) -> &str {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// Gives every error answer the shape its path promises: JSON under `/api/`, HTML elsewhere. An
/// answer already in that shape passes unchanged (with its own code and message).
pub async fn error_shape(request: Request, next: Next) -> Response {
    let api = is_api_path(request.uri().path());
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let kind = content_type(response.headers());
    let shaped = if api { kind.starts_with("application/json") } else { kind.starts_with("text/html") };
    if shaped {
        return response;
    }
    let (code, message) = by_status(status);
    let (mut parts, _) = response.into_parts();
    let fresh = if api {
        ApiError::new(status, code, message).into_response()
    } else {
        (status, crate::pages::error_page(status, message)).into_response()
    };
    let (fresh_parts, body) = fresh.into_parts();
    // Keep the original's headers (Allow, Retry-After …), with the new body's type and length.
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in &fresh_parts.headers {
        parts.headers.insert(name.clone(), value.clone());
    }
    Response::from_parts(parts, body)
}

/// The raw body, bounded by the router's body limit; too large is `too_large` (413).
#[derive(Debug, Clone)]
pub struct ApiBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Bytes::from_request(req, state).await {
            Ok(b) => Ok(ApiBytes(b)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "Dữ liệu gửi lên quá lớn."))
            }
            Err(_) => {
                Err(ApiError::new(StatusCode::BAD_REQUEST, "bad_body", "Không đọc được dữ liệu gửi lên."))
            }
        }
    }
}

/// A JSON body: `Content-Type: application/json` (415 otherwise), well-formed (`malformed_json`,
/// 400), and of the expected shape with no field the API does not know (`invalid_body`, 422, naming
/// the field).
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

fn is_json(headers: &HeaderMap) -> bool {
    let kind = content_type(headers).split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    kind == "application/json" || (kind.starts_with("application/") && kind.ends_with("+json"))
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Dữ liệu gửi lên phải là JSON (Content-Type: application/json).",
            ));
        }
        let ApiBytes(bytes) = ApiBytes::from_request(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// The name in backquotes of a serde message (`missing field `x``).
fn quoted(message: &str) -> Option<&str> {
    message.split('`').nth(1)
}

fn joined(path: &str, name: &str) -> String {
    if path.is_empty() || path == "." { name.to_owned() } else { format!("{path}.{name}") }
}

/// Reads a JSON body into `T`, refusing bad syntax, a wrong shape and unknown fields.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut unknown: Vec<String> = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut note = |path: serde_ignored::Path<'_>| unknown.push(path.to_string());
    let read: Result<T, serde_path_to_error::Error<serde_json::Error>> =
        serde_path_to_error::deserialize(serde_ignored::Deserializer::new(&mut de, &mut note));
    let value = match read {
        Ok(v) => v,
        Err(e) => return Err(data_error(e)),
    };
    if let Err(e) = de.end() {
        return Err(syntax_error(&e));
    }
    if let Some(field) = unknown.first() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            format!("Trường \"{field}\" không có trong yêu cầu này."),
        )
        .with_field(field));
    }
    Ok(value)
}

fn syntax_error(e: &serde_json::Error) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "malformed_json",
        format!("Dữ liệu JSON không đọc được (dòng {}, cột {}).", e.line(), e.column()),
    )
}

fn data_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    if !inner.is_data() {
        return syntax_error(&inner);
    }
    let text = inner.to_string();
    let (field, message) = if text.starts_with("missing field") {
        let field = joined(&path, quoted(&text).unwrap_or(""));
        let message = format!("Thiếu trường \"{field}\".");
        (field, message)
    } else if text.starts_with("unknown field") {
        let field = joined(&path, quoted(&text).unwrap_or(""));
        let message = format!("Trường \"{field}\" không có trong yêu cầu này.");
        (field, message)
    } else if path.is_empty() || path == "." {
        (String::new(), "Dữ liệu gửi lên không đúng dạng của yêu cầu này.".to_owned())
    } else {
        let message = format!("Trường \"{path}\" có giá trị không đúng kiểu hoặc không hợp lệ.");
        (path, message)
    };
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", message).with_field(&field)
}

/// The path parameters; one that does not parse (`/api/rounds/abc`) is `bad_path` (400).
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state).await.map(|Path(v)| ApiPath(v)).map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_path",
                "Tham số trên đường dẫn không hợp lệ: mã số phải là một số nguyên.",
            )
        })
    }
}

/// The query string; one that does not parse or lacks a field is `bad_query` (400).
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state).await.map(|Query(v)| ApiQuery(v)).map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_query",
                "Tham số truy vấn (sau dấu ?) thiếu hoặc không hợp lệ.",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Sample {
        #[allow(dead_code)]
        seq: i64,
    }

    #[test]
    fn json_bodies_are_refused_by_kind_with_the_field_named() {
        assert!(parse_json::<Sample>(br#"{"seq": 3}"#).is_ok());
        let syntax = parse_json::<Sample>(b"{\"seq\": ").expect_err("syntax");
        assert_eq!((syntax.status, syntax.code), (StatusCode::BAD_REQUEST, "malformed_json"));
        let trailing = parse_json::<Sample>(br#"{"seq": 3} x"#).expect_err("trailing");
        assert_eq!(trailing.code, "malformed_json");
        let missing = parse_json::<Sample>(b"{}").expect_err("missing");
        assert_eq!((missing.code, missing.message.as_str()), ("invalid_body", "Thiếu trường \"seq\"."));
        let unknown = parse_json::<Sample>(br#"{"seq": 3, "sneaky": 1}"#).expect_err("unknown");
        assert_eq!(unknown.problems[0]["field"], "sneaky");
        let wrong = parse_json::<Sample>(br#"{"seq": "ba"}"#).expect_err("type");
        assert_eq!(
            (wrong.status, wrong.problems[0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("seq"))
        );
    }
}
