//! Logging in and out, and changing one's own password.

use super::{Notice, back, csrf, layout};
use crate::AppState;
use crate::guard::{Current, SESSION_COOKIE};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use baucu_app::AppError;
use maud::{Markup, html};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    err: Option<String>,
}

pub(super) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/login") => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn login_form(next: &str, username: &str, error: Option<&str>) -> Markup {
    let notice = Notice { ok: None, err: error.map(str::to_owned) };
    layout(
        "Đăng nhập",
        None,
        "",
        &notice,
        html! {
            form.card.narrow method="post" action="/login" {
                input type="hidden" name="next" value=(next);
                label { "Tên đăng nhập" input name="username" value=(username) autocomplete="username" autofocus required; }
                label { "Mật khẩu" input name="password" type="password" autocomplete="current-password" required; }
                button.primary type="submit" { "Đăng nhập" }
            }
        },
    )
}

pub async fn login_page(Query(q): Query<LoginQuery>) -> Markup {
    login_form(&safe_next(q.next.as_deref()), "", q.err.as_deref())
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub fn session_cookie(token: &str) -> String {
    format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
        baucu_app::auth::SESSION_HOURS * 3600
    )
}

pub async fn login_submit(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(form): Form<LoginForm>,
) -> Response {
    let address = connect.map(|c| c.0.0.ip().to_string()).unwrap_or_else(|| "local".into());
    let next = safe_next(form.next.as_deref());
    match state.app.login(&form.username, &form.password, &address).await {
        Ok((token, _)) => {
            ([(header::SET_COOKIE, session_cookie(&token))], Redirect::to(&next)).into_response()
        }
        Err(e) => {
            let status = if matches!(e, AppError::RateLimited) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            (status, login_form(&next, &form.username, Some(&e.message()))).into_response()
        }
    }
}

pub async fn logout(State(state): State<AppState>, Extension(current): Extension<Current>) -> Response {
    let _ = state.app.logout(&current.session.actor, &current.token).await;
    let clear = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    ([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response()
}

// ---------------------------------------------------------------------------------------------
// Own password

pub async fn password_page(Extension(current): Extension<Current>, Query(notice): Query<Notice>) -> Markup {
    password_view(&current, &notice)
}

fn password_view(current: &Current, notice: &Notice) -> Markup {
    let content = html! {
        @if current.session.must_change_password {
            p.notice.warn { "Bạn đang dùng mật khẩu một lần. Hãy đặt mật khẩu mới (ít nhất 8 ký tự) trước khi làm việc." }
        }
        form.card.narrow method="post" action="/account/password" {
            (csrf(current))
            label { "Mật khẩu hiện tại" input name="current" type="password" autocomplete="current-password" required autofocus; }
            label { "Mật khẩu mới" input name="new" type="password" autocomplete="new-password" required; }
            label { "Nhập lại mật khẩu mới" input name="repeated" type="password" autocomplete="new-password" required; }
            button.primary type="submit" { "Đổi mật khẩu" }
        }
    };
    layout("Đổi mật khẩu", Some(current), "", notice, content)
}

#[derive(Debug, Deserialize)]
pub struct OwnPasswordForm {
    current: String,
    new: String,
    repeated: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<OwnPasswordForm>,
) -> Response {
    match state
        .app
        .change_own_password(&current.session.actor, &current.token, &f.current, &f.new, &f.repeated)
        .await
    {
        Ok(()) => back("/", Ok("Đã đổi mật khẩu.".into())),
        Err(e) => {
            let notice = Notice { ok: None, err: Some(e.message()) };
            (StatusCode::UNPROCESSABLE_ENTITY, password_view(&current, &notice)).into_response()
        }
    }
}
