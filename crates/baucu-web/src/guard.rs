//! The guard in front of every route: who is asking (session cookie), whether a state-changing
//! request carries the session's CSRF token, and whether the role may use the route. It reads the
//! route table, so a route cannot be added without a rule.

use crate::{Access, AppState, RouteSpec, routes};
use axum::Extension;
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use baucu_app::auth::Session;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::OnceLock;

pub const SESSION_COOKIE: &str = "baucu_session";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The logged-in session of the request, put there by the guard.
#[derive(Debug, Clone)]
pub struct Current {
    pub session: Session,
    pub token: String,
}

fn table() -> &'static [RouteSpec] {
    static TABLE: OnceLock<Vec<RouteSpec>> = OnceLock::new();
    TABLE.get_or_init(routes)
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn refuse(spec: &RouteSpec, status: StatusCode, code: &str, message: &str) -> Response {
    if spec.is_api() {
        let body = serde_json::json!({ "error": { "code": code, "message": message } });
        (status, axum::Json(body)).into_response()
    } else {
        (status, crate::pages::error_page(status, message)).into_response()
    }
}

/// The error of a request the table does not serve: JSON under `/api/`, the HTML error page
/// elsewhere (judged on the path asked for).
pub(crate) fn refuse_path(path: &str, status: StatusCode, code: &str, message: &str) -> Response {
    if is_api_path(path) {
        let body = serde_json::json!({ "error": { "code": code, "message": message } });
        (status, axum::Json(body)).into_response()
    } else {
        (status, crate::pages::error_page(status, message)).into_response()
    }
}

/// Whether a requested path belongs to the JSON API.
pub(crate) fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// 405 for a method the table does not declare for `route` (a route pattern), with the methods it
/// does declare in `Allow`.
fn method_not_allowed(route: &str, requested: &str) -> Response {
    let mut allowed: Vec<&str> =
        table().iter().filter(|s| s.path == route).map(|s| s.method.as_str()).collect();
    if allowed.contains(&"GET") {
        allowed.push("HEAD");
    }
    let mut response = refuse_path(
        requested,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Địa chỉ này không nhận phương thức yêu cầu đó.",
    );
    if let Ok(v) = HeaderValue::from_str(&allowed.join(", ")) {
        response.headers_mut().insert(header::ALLOW, v);
    }
    response
}

/// The answer for a path no route serves: JSON 404 under `/api/`, the HTML page elsewhere.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    if is_api_path(uri.path()) {
        refuse_path(uri.path(), StatusCode::NOT_FOUND, "not_found", "Không có địa chỉ API này.")
    } else {
        crate::pages::not_found().await
    }
}

/// The address a request came from, for sign-in throttling and the audit log. The served node always
/// knows it (`into_make_service_with_connect_info`); a router driven in-process without it (tests)
/// gets the unspecified address `0.0.0.0`, one shared budget for all such requests.
pub fn source_address(connect: Option<Extension<ConnectInfo<SocketAddr>>>) -> IpAddr {
    connect.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.0.ip().to_canonical())
}

/// Constant-time comparison of two tokens.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether a mutating request carries the session's CSRF token `expected`: in the `x-csrf-token`
/// header, in the query, or in the fields of a form. The body is read (at most `limit` bytes) only for
/// a form whose token is not elsewhere, and handed back for the handler. `Err(())`: the form is larger
/// than `limit`. The node's guard and the aggregator's both ask here.
pub(crate) async fn carries_csrf(
    parts: &axum::http::request::Parts,
    body: Body,
    expected: &str,
    limit: usize,
) -> Result<(bool, Body), ()> {
    let from_header =
        parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).is_some_and(|v| same(v, expected));
    let from_query = parts
        .uri
        .query()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .is_some_and(|pairs| pairs.iter().any(|(k, v)| k == CSRF_FIELD && same(v, expected)));
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if from_header || from_query || !is_form {
        return Ok((from_header || from_query, body));
    }
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| ())?;
    let ok = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .is_ok_and(|pairs| pairs.iter().any(|(k, v)| k == CSRF_FIELD && same(v, expected)));
    Ok((ok, Body::from(bytes)))
}

pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_default();
    // HEAD is a GET without the body: it gets exactly the GET's decision.
    let method = if request.method() == Method::HEAD { Method::GET } else { request.method().clone() };
    let Some(spec) = table().iter().find(|s| s.path == path && s.method == method).cloned() else {
        // A method the table does not declare for this path: refused before any handler runs.
        return method_not_allowed(&path, request.uri().path());
    };
    let token = cookie(request.headers(), SESSION_COOKIE);
    let session = match &token {
        Some(t) => state.app.session(t).await.ok().flatten(),
        None => None,
    };
    let (mut parts, body) = request.into_parts();
    let Some(session) = session else {
        if spec.access == Access::Public {
            return next.run(Request::from_parts(parts, body)).await;
        }
        if spec.is_api() || spec.mutates() {
            return refuse(&spec, StatusCode::UNAUTHORIZED, "unauthenticated", "Vui lòng đăng nhập.");
        }
        let next_url = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let encoded: String =
            serde_urlencoded::to_string([("next", next_url), ("err", "required")]).unwrap_or_default();
        return Redirect::to(&format!("/login?{encoded}")).into_response();
    };
    let mut body = body;
    if spec.mutates() && spec.access != Access::Public {
        let Ok((ok, form)) = carries_csrf(&parts, body, session.csrf_token.as_str(), spec.body_limit).await
        else {
            return refuse(&spec, StatusCode::PAYLOAD_TOO_LARGE, "too_large", "Dữ liệu gửi lên quá lớn.");
        };
        body = form;
        if !ok {
            return refuse(
                &spec,
                StatusCode::FORBIDDEN,
                "csrf",
                "Yêu cầu không hợp lệ (thiếu mã xác thực biểu mẫu). Hãy tải lại trang rồi thử lại.",
            );
        }
    }
    // A one-time password must be replaced before anything else.
    let exempt = ["/account/password", "/logout", "/static/style.css", "/healthz"];
    if session.must_change_password && !exempt.contains(&spec.path) {
        if spec.is_api() || spec.mutates() {
            return refuse(
                &spec,
                StatusCode::FORBIDDEN,
                "password_change_required",
                "Hãy đổi mật khẩu dùng một lần trước.",
            );
        }
        return Redirect::to("/account/password").into_response();
    }
    if let Access::Needs(permission) = spec.access
        && !session.actor.role.may(permission)
    {
        return refuse(
            &spec,
            StatusCode::FORBIDDEN,
            "forbidden",
            "Tài khoản của bạn không có quyền thực hiện việc này.",
        );
    }
    parts.extensions.insert(Current { session, token: token.unwrap_or_default() });
    next.run(Request::from_parts(parts, body)).await
}
