//! Logging in and out, and changing one's own password.

use super::{Notice, app_error, back, csrf, layout};
use crate::AppState;
use crate::guard::{Current, SESSION_COOKIE, source_address};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use baucu_app::auth::LoginError;
use maud::{Markup, html};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    err: Option<String>,
    #[serde(default)]
    msg: Option<String>,
}

/// The messages the login page shows from its address (`?err=`, `?msg=`): a closed set of codes.
/// Text in the address is never shown; an unknown code shows nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoginNotice {
    /// `?err=required`: a page needs a signed-in user (the guard sends people here).
    Required,
    /// `?msg=logged_out`: after signing out.
    LoggedOut,
}

impl LoginNotice {
    pub(crate) fn code(self) -> &'static str {
        match self {
            LoginNotice::Required => "required",
            LoginNotice::LoggedOut => "logged_out",
        }
    }

    fn from_err(code: &str) -> Option<Self> {
        [LoginNotice::Required].into_iter().find(|n| n.code() == code)
    }

    fn from_msg(code: &str) -> Option<Self> {
        [LoginNotice::LoggedOut].into_iter().find(|n| n.code() == code)
    }

    fn text(self) -> &'static str {
        match self {
            LoginNotice::Required => "Vui lòng đăng nhập để tiếp tục.",
            LoginNotice::LoggedOut => "Bạn đã đăng xuất.",
        }
    }
}

/// The longest `next` kept; a longer one goes to `/`.
const MAX_NEXT: usize = 2048;

/// Percent-decodes once; `None` for a broken escape or text that is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Whether one form of `next` is a path on this node: one `/` then not `/` or `\`, no `\`, no
/// control character or white space anywhere.
fn local_path(s: &str) -> bool {
    s.starts_with('/')
        && !s[1..].starts_with(['/', '\\'])
        && !s.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace())
}

/// Where to go after signing in: `next` when it is a path on this node, judged as given and after
/// every round of percent-decoding (`/%2F%2Fevil`, `/%5Cevil`, `/%09/evil`); otherwise `/`.
pub(super) fn safe_next(next: Option<&str>) -> String {
    let Some(n) = next.filter(|n| n.len() <= MAX_NEXT) else { return "/".to_owned() };
    let mut form = n.to_owned();
    // Every form must stay local, down to one that decoding no longer changes (four rounds undo
    // more nesting than any browser or proxy would).
    let mut settled = false;
    for _ in 0..4 {
        if !local_path(&form) {
            return "/".to_owned();
        }
        match percent_decode(&form) {
            Some(decoded) if decoded == form => {
                settled = true;
                break;
            }
            Some(decoded) => form = decoded,
            None => return "/".to_owned(),
        }
    }
    if !settled {
        return "/".to_owned();
    }
    if n == "/login" || n.starts_with("/login?") || n.starts_with("/login/") {
        return "/".to_owned();
    }
    n.to_owned()
}

fn login_form(next: &str, username: &str, ok: Option<&str>, error: Option<&str>) -> Markup {
    let notice = Notice { ok: ok.map(str::to_owned), err: error.map(str::to_owned) };
    layout(
        "Đăng nhập",
        None,
        "",
        &notice,
        html! {
            form.card.narrow method="post" action="/login" {
                input type="hidden" name="next" value=(next);
                label { "Tên đăng nhập" input name="username" value=(username) autocomplete="username" maxlength="64" autofocus required; }
                label { "Mật khẩu" input name="password" type="password" autocomplete="current-password" required; }
                button.primary type="submit" { "Đăng nhập" }
            }
        },
    )
}

pub async fn login_page(Query(q): Query<LoginQuery>) -> Markup {
    let err = q.err.as_deref().and_then(LoginNotice::from_err).map(LoginNotice::text);
    let ok = q.msg.as_deref().and_then(LoginNotice::from_msg).map(LoginNotice::text);
    login_form(&safe_next(q.next.as_deref()), "", ok, err)
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
    let from = source_address(connect);
    let next = safe_next(form.next.as_deref());
    match state.app.sign_in(&form.username, &form.password, from).await {
        Ok((token, _)) => {
            ([(header::SET_COOKIE, session_cookie(&token))], Redirect::to(&next)).into_response()
        }
        Err(LoginError::App(e)) => app_error(e),
        Err(e) => {
            let username: String = form.username.chars().take(64).collect();
            let page = login_form(&next, &username, None, Some(&e.message()));
            match e {
                LoginError::Throttled { retry_after } => {
                    (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, retry_after.to_string())], page)
                        .into_response()
                }
                _ => (StatusCode::UNAUTHORIZED, page).into_response(),
            }
        }
    }
}

pub async fn logout(State(state): State<AppState>, Extension(current): Extension<Current>) -> Response {
    let _ = state.app.logout(&current.session.actor, &current.token).await;
    let clear = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    let to = format!("/login?msg={}", LoginNotice::LoggedOut.code());
    ([(header::SET_COOKIE, clear)], Redirect::to(&to)).into_response()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_kept_only_when_it_is_a_path_on_this_node() {
        for good in ["/", "/rounds/3", "/elections/2?tab=list#x", "/roster?q=Nguy%E1%BB%85n"] {
            assert_eq!(safe_next(Some(good)), good, "{good}");
        }
        let off = [
            "//evil.example",
            "/\\evil.example",
            "/%09/evil.example",
            "/\t/evil",
            "/%2F%2Fevil",
            "/%2F/evil",
            "/%5Cevil",
            "/%5C%5Cevil",
            "/%252F%252Fevil",
            "https://evil",
            "http:/evil",
            "evil",
            "",
            " /x",
            "/x y",
            "/x\u{0}",
            "/%0d%0aSet-Cookie:x",
            "/%zz",
            "/%C3",
            "/login",
            "/login?next=//evil",
        ];
        for bad in off {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(MAX_NEXT)))), "/", "too long");
    }

    #[test]
    fn login_notices_come_from_a_closed_set_of_codes() {
        assert_eq!(LoginNotice::from_err("required"), Some(LoginNotice::Required));
        assert_eq!(LoginNotice::from_msg("logged_out"), Some(LoginNotice::LoggedOut));
        assert_eq!(LoginNotice::from_err("logged_out"), None, "each code in its own parameter");
        assert_eq!(LoginNotice::from_err("<script>alert(1)</script>"), None);
    }
}
