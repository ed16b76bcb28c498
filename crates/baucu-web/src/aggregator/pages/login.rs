//! Signing in and out of the aggregator.

use super::layout;
use crate::aggregator::guard::{SESSION_COOKIE, Signed, session_cookie};
use crate::aggregator::{AggState, blocking};
use crate::pages::Notice;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use baucu_aggregator::AppError;
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    bye: Option<String>,
}

/// Where to go after signing in: a path of this server made of plain characters only; anything
/// else (another site, an escape, a control character) goes to `/`.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.len() <= 512
                && n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/login")
                && n.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-_.=&?".contains(&b)) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

fn form(next: &str, username: &str, notice: &Notice) -> Markup {
    layout(
        "Đăng nhập",
        None,
        "",
        notice,
        html! {
            form.card.narrow method="post" action="/login" {
                input type="hidden" name="next" value=(next);
                label { "Tên đăng nhập" input name="username" value=(username) autocomplete="username" maxlength="64" autofocus required; }
                label { "Mật khẩu" input name="password" type="password" autocomplete="current-password" maxlength="256" required; }
                button.primary type="submit" { "Đăng nhập" }
            }
        },
    )
}

pub async fn login_page(Query(q): Query<LoginQuery>) -> Markup {
    let notice = Notice { ok: q.bye.is_some().then(|| "Bạn đã đăng xuất.".to_owned()), err: None };
    form(&safe_next(q.next.as_deref()), "", &notice)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn login_submit(State(state): State<AggState>, Form(f): Form<LoginForm>) -> Response {
    let next = safe_next(f.next.as_deref());
    let username: String = f.username.chars().take(64).collect();
    let db = state.db.clone();
    let (user, password) = (username.clone(), f.password);
    let throttle = state.logins.clone();
    let now = jiff::Timestamp::now();
    match blocking(move || baucu_aggregator::accounts::login(&db, &throttle, &user, &password, now)).await {
        Ok(login) => {
            ([(header::SET_COOKIE, session_cookie(&login.token))], Redirect::to(&next)).into_response()
        }
        Err(e) => {
            let status = match e {
                AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
                AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
                _ => StatusCode::UNAUTHORIZED,
            };
            let notice = Notice { ok: None, err: Some(e.message()) };
            (status, form(&next, &username, &notice)).into_response()
        }
    }
}

pub async fn logout(State(state): State<AggState>, Extension(signed): Extension<Signed>) -> Response {
    let db = state.db.clone();
    let token = signed.token.clone();
    let _ = blocking(move || baucu_aggregator::accounts::logout(&db, &token)).await;
    let clear = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    ([(header::SET_COOKIE, clear)], Redirect::to("/login?bye=1")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_server() {
        assert_eq!(safe_next(Some("/congress/01.001")), "/congress/01.001");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("/%2F%2Fevil")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/login")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
