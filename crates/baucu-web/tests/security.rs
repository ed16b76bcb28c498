//! Security tests derived from the router's own route table, so that no route is forgotten:
//! every non-public route refuses anonymous requests; every state-changing route refuses a request
//! without a valid CSRF token and a request from a role that may not do it; the sixth wrong password
//! in a minute is refused without checking; sessions expire.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use baucu_app::baucu_store::Store;
use baucu_app::{Actor, App, ManualClock, Role};
use baucu_web::{Access, RouteSpec, router, routes};
use std::sync::Arc;
use tower::ServiceExt;

struct Node {
    app: App,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

fn node() -> Node {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("baucu.sqlite")).expect("store");
    let clock = Arc::new(ManualClock::new("2025-05-20T01:00:00Z".parse().expect("time")));
    Node { app: App::new(store, clock.clone()), clock, _dir: dir }
}

struct Login {
    cookie: String,
    csrf: String,
}

async fn login_as(app: &App, role: Role) -> Login {
    let name = format!("u-{}", role.code().replace('_', "-"));
    let password = "mật khẩu thử nghiệm";
    app.create_user(&Actor::system(), &name, "Người thử", role, password).await.expect("create user");
    let (token, session) = app.login(&name, password, "127.0.0.1").await.expect("login");
    Login { cookie: format!("{}={token}", baucu_web::SESSION_COOKIE), csrf: session.csrf_token }
}

fn concrete(path: &str) -> String {
    path.split('/').map(|seg| if seg.starts_with('{') { "1" } else { seg }).collect::<Vec<_>>().join("/")
}

fn request(spec: &RouteSpec, login: Option<&Login>, csrf: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().method(spec.method.clone()).uri(concrete(spec.path));
    if let Some(l) = login {
        b = b.header(header::COOKIE, &l.cookie);
    }
    if let Some(token) = csrf {
        b = b.header("x-csrf-token", token);
    }
    let body = if spec.mutates() {
        b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        Body::from("a=1")
    } else {
        Body::empty()
    };
    b.body(body).expect("request")
}

async fn status(app: &App, req: Request<Body>) -> StatusCode {
    router(app.clone()).oneshot(req).await.expect("response").status()
}

#[tokio::test]
async fn every_non_public_route_refuses_anonymous_requests() {
    let n = node();
    let mut checked = 0;
    for spec in routes().iter().filter(|s| s.access != Access::Public) {
        let got = status(&n.app, request(spec, None, None)).await;
        let expected =
            if spec.is_api() || spec.mutates() { StatusCode::UNAUTHORIZED } else { StatusCode::SEE_OTHER };
        assert_eq!(got, expected, "{} {}", spec.method, spec.path);
        checked += 1;
    }
    assert!(checked > 30, "the table has the application's routes ({checked})");
    // The public ones answer without a login.
    for path in ["/login", "/healthz", "/static/style.css"] {
        let req = Request::builder().uri(path).body(Body::empty()).expect("request");
        assert_eq!(status(&n.app, req).await, StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn every_state_changing_route_needs_the_csrf_token() {
    let n = node();
    let admin = login_as(&n.app, Role::Admin).await;
    let mut checked = 0;
    let mut specs: Vec<RouteSpec> =
        routes().into_iter().filter(|s| s.mutates() && s.access != Access::Public).collect();
    // Logging out ends the session the other checks use: do it last.
    specs.sort_by_key(|s| s.path == "/logout");
    for spec in &specs {
        let missing = status(&n.app, request(spec, Some(&admin), None)).await;
        assert_eq!(missing, StatusCode::FORBIDDEN, "no token: {} {}", spec.method, spec.path);
        let wrong = status(&n.app, request(spec, Some(&admin), Some("0000"))).await;
        assert_eq!(wrong, StatusCode::FORBIDDEN, "wrong token: {} {}", spec.method, spec.path);
        // With the right token the guard lets it through to the handler (which may then refuse the
        // dummy body, but never with the guard's 401/403).
        let right = status(&n.app, request(spec, Some(&admin), Some(&admin.csrf))).await;
        assert!(
            right != StatusCode::FORBIDDEN && right != StatusCode::UNAUTHORIZED,
            "{} {}: {right}",
            spec.method,
            spec.path
        );
        checked += 1;
    }
    assert!(checked > 20, "{checked}");
}

#[tokio::test]
async fn every_guarded_route_refuses_roles_without_the_permission() {
    let n = node();
    let mut logins = Vec::new();
    for role in Role::ALL {
        logins.push((role, login_as(&n.app, role).await));
    }
    let mut refusals = 0;
    for spec in routes() {
        let Access::Needs(permission) = spec.access else { continue };
        for (role, login) in &logins {
            let got = status(&n.app, request(&spec, Some(login), Some(&login.csrf))).await;
            if role.may(permission) {
                assert!(got != StatusCode::FORBIDDEN, "{role:?} may {} {}", spec.method, spec.path);
            } else {
                assert_eq!(got, StatusCode::FORBIDDEN, "{role:?} may not {} {}", spec.method, spec.path);
                refusals += 1;
            }
        }
    }
    assert!(refusals > 100, "{refusals}");
}

#[tokio::test]
async fn the_sixth_wrong_password_in_a_minute_is_refused_without_checking() {
    let n = node();
    n.app
        .create_user(&Actor::system(), "btc", "Ban tổ chức", Role::Organiser, "đúng mật khẩu")
        .await
        .expect("user");
    let attempt = |password: &'static str| {
        let body = serde_urlencoded::to_string([("username", "btc"), ("password", password)]).expect("form");
        Request::builder()
            .method(Method::POST)
            .uri("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request")
    };
    for _ in 0..5 {
        assert_eq!(status(&n.app, attempt("sai")).await, StatusCode::UNAUTHORIZED);
    }
    // Even the right password is not checked now.
    assert_eq!(status(&n.app, attempt("đúng mật khẩu")).await, StatusCode::TOO_MANY_REQUESTS);
    n.clock.advance(jiff::SignedDuration::from_secs(61));
    assert_eq!(status(&n.app, attempt("đúng mật khẩu")).await, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sessions_expire_and_cookies_are_strict() {
    let n = node();
    n.app
        .create_user(&Actor::system(), "btc", "Ban tổ chức", Role::Organiser, "đúng mật khẩu")
        .await
        .expect("user");
    let body =
        serde_urlencoded::to_string([("username", "btc"), ("password", "đúng mật khẩu")]).expect("form");
    let req = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("request");
    let resp = router(n.app.clone()).oneshot(req).await.expect("response");
    let cookie =
        resp.headers().get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).expect("cookie").to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let pair = cookie.split(';').next().expect("pair").to_owned();
    let home = || {
        Request::builder()
            .uri("/congress")
            .header(header::COOKIE, &pair)
            .body(Body::empty())
            .expect("request")
    };
    assert_eq!(status(&n.app, home()).await, StatusCode::OK);
    n.clock.advance(
        jiff::SignedDuration::from_hours(baucu_app::auth::SESSION_HOURS) + jiff::SignedDuration::from_secs(1),
    );
    assert_eq!(
        status(&n.app, home()).await,
        StatusCode::SEE_OTHER,
        "expired sessions go back to the login page"
    );
}
