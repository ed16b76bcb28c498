//! The guard in front of every route of the aggregator: who is asking (session cookie), whether a
//! state-changing request carries the session's CSRF token, and whether the role may use the route.
//! It reads the aggregator's route table, so a route cannot be added without a rule.

use super::{Access, AggRoute, AggState, blocking, routes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use baucu_aggregator::accounts::Actor;
use std::sync::OnceLock;

pub const SESSION_COOKIE: &str = "baucu_tonghop";
pub use crate::guard::CSRF_FIELD;

/// The signed-in account of the request, put there by the guard.
#[derive(Debug, Clone)]
pub struct Signed {
    pub actor: Actor,
    pub csrf: String,
    /// The session's token (from the cookie), for signing out.
    pub token: String,
}

fn table() -> &'static [AggRoute] {
    static TABLE: OnceLock<Vec<AggRoute>> = OnceLock::new();
    TABLE.get_or_init(routes)
}

fn refuse(api: bool, status: StatusCode, code: &str, message: &str) -> Response {
    if api {
        let body = serde_json::json!({ "error": { "code": code, "message": message } });
        (status, axum::Json(body)).into_response()
    } else {
        (status, crate::pages::error_page(status, message)).into_response()
    }
}

pub async fn not_found(uri: axum::http::Uri) -> Response {
    let api = crate::guard::is_api_path(uri.path());
    refuse(api, StatusCode::NOT_FOUND, "not_found", "Trang này không có.")
}

fn method_not_allowed(route: &str, api: bool) -> Response {
    let mut allowed: Vec<&str> =
        table().iter().filter(|s| s.path == route).map(|s| s.method.as_str()).collect();
    if allowed.contains(&"GET") {
        allowed.push("HEAD");
    }
    let mut response = refuse(
        api,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Địa chỉ này không nhận phương thức yêu cầu đó.",
    );
    if let Ok(v) = HeaderValue::from_str(&allowed.join(", ")) {
        response.headers_mut().insert(header::ALLOW, v);
    }
    response
}

/// The `Set-Cookie` of a new session (`Secure` is added by the router when served over HTTPS).
pub fn session_cookie(token: &str) -> String {
    format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
        baucu_aggregator::accounts::SESSION_HOURS * 3600
    )
}

pub async fn guard(State(state): State<AggState>, request: Request, next: Next) -> Response {
    let path = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_default();
    let method = if request.method() == Method::HEAD { Method::GET } else { request.method().clone() };
    let api = crate::guard::is_api_path(request.uri().path());
    let Some(spec) = table().iter().find(|s| s.path == path && s.method == method).cloned() else {
        return method_not_allowed(&path, api);
    };
    if spec.access == Access::Public {
        return next.run(request).await;
    }
    let token = crate::guard::cookie(request.headers(), SESSION_COOKIE).filter(|t| t.len() <= 128);
    let session = match token.clone() {
        Some(t) => {
            let db = state.db.clone();
            let now = jiff::Timestamp::now();
            blocking(move || baucu_aggregator::accounts::actor_for_session(&db, &t, now)).await.ok()
        }
        None => None,
    };
    let (mut parts, body) = request.into_parts();
    let Some(session) = session else {
        if spec.is_api() || spec.mutates() {
            return refuse(spec.is_api(), StatusCode::UNAUTHORIZED, "unauthenticated", "Vui lòng đăng nhập.");
        }
        let next_url = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let encoded = serde_urlencoded::to_string([("next", next_url)]).unwrap_or_default();
        return Redirect::to(&format!("/login?{encoded}")).into_response();
    };
    let mut body = body;
    if spec.mutates() {
        let Ok((ok, form)) =
            crate::guard::carries_csrf(&parts, body, session.csrf.as_str(), spec.body_limit).await
        else {
            return refuse(
                spec.is_api(),
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "Dữ liệu gửi lên quá lớn.",
            );
        };
        body = form;
        if !ok {
            return refuse(
                spec.is_api(),
                StatusCode::FORBIDDEN,
                "csrf",
                "Yêu cầu không hợp lệ (thiếu mã xác thực biểu mẫu). Hãy tải lại trang rồi thử lại.",
            );
        }
    }
    if let Access::Needs(permission) = spec.access
        && !session.actor.role.may(permission)
    {
        return refuse(
            spec.is_api(),
            StatusCode::FORBIDDEN,
            "forbidden",
            "Tài khoản của bạn không có quyền thực hiện việc này.",
        );
    }
    parts.extensions.insert(Signed {
        actor: session.actor,
        csrf: session.csrf,
        token: token.unwrap_or_default(),
    });
    next.run(Request::from_parts(parts, body)).await
}
