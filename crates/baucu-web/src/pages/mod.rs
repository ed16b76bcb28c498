//! The server-rendered pages, in Vietnamese. Every form posts to a route of the table; actions
//! redirect back with a notice (post/redirect/get), and longer forms are shown again with what the
//! user typed when something is wrong.
//!
//! This module holds what every page shares (the frame with its navigation, [`Notice`], [`back`], the
//! CSRF field, the error pages); each area of the application has its own file.

mod accounts;
mod attendance;
mod audit;
pub(crate) mod backup;
mod congress;
mod documents;
mod elections;
mod guide;
mod home;
mod login;
mod package;
mod plan;
mod roster;
mod votes;

pub use accounts::{throttle_lift, user_create, user_password, user_update, users_page};
pub use attendance::{
    absence, alternate, attendance_page, check_in, check_in_name, plenum_summon, sitting_create,
};
pub use audit::{audit_page, audit_pdf};
pub use congress::{congress_page, congress_submit};
pub use documents::{congress_document, documents_page, election_document};
pub use elections::{
    approval, candidate_add, election_create, election_page, elections_page, move_on_ballot, order_reset,
    poll, poll_tie, removal, withdrawal_decision, withdrawal_request,
};
pub use guide::guide_page;
pub use home::home;
pub use login::{login_page, login_submit, logout, password_page, password_submit, session_cookie};
pub use package::{package_export, package_file, package_page, package_send, package_unit_code};
pub use plan::{plan_page, plan_remove, plan_submit};
pub use roster::{
    person_create, person_delete, person_edit, person_new, person_nominee, person_update, roster_import,
    roster_import_apply, roster_import_mapping, roster_import_preview, roster_page, roster_template,
};
pub use votes::{vote_record, votes_page};

use crate::guard::{CSRF_FIELD, Current};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use baucu_app::{AppError, Permission};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

const STYLE: &str = include_str!("../assets/style.css");

/// A message at the top of a page: what just happened, or what went wrong. It travels in the
/// address of the redirect after an action (`?ok=…&sig=…`, made by [`back`]) with a MAC under a key
/// this process drew when it started, and a page shows it only when the MAC holds: never text that
/// someone wrote into a link ("Máy chủ hỏng, hãy gọi số …").
#[derive(Debug, Default, Deserialize)]
#[serde(from = "NoticeQuery")]
pub struct Notice {
    pub ok: Option<String>,
    pub err: Option<String>,
}

/// A notice as it comes in the query string, before its MAC is checked.
#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    pub ok: Option<String>,
    #[serde(default)]
    pub err: Option<String>,
    #[serde(default)]
    pub sig: Option<String>,
}

impl From<NoticeQuery> for Notice {
    fn from(q: NoticeQuery) -> Notice {
        let genuine = |kind: &str, text: Option<String>| {
            text.filter(|t| q.sig.as_deref().is_some_and(|sig| notice_mac_holds(kind, t, sig)))
        };
        Notice { ok: genuine("ok", q.ok.clone()), err: genuine("err", q.err.clone()) }
    }
}

fn notice_mac(kind: &str, text: &str) -> Option<hmac::Hmac<sha2::Sha256>> {
    use hmac::KeyInit;
    use hmac::Mac;
    static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let key = KEY.get_or_init(baucu_app::auth::random_token);
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key.as_bytes()).ok()?;
    mac.update(kind.as_bytes());
    mac.update(&[0]);
    mac.update(text.as_bytes());
    Some(mac)
}

fn notice_mac_holds(kind: &str, text: &str, sig: &str) -> bool {
    use hmac::Mac;
    let Ok(sig) = hex::decode(sig) else { return false };
    notice_mac(kind, text).is_some_and(|mac| mac.verify_slice(&sig).is_ok())
}

pub(super) fn vn_date(d: Option<jiff::civil::Date>) -> String {
    d.map(|d| format!("{:02}/{:02}/{}", d.day(), d.month(), d.year())).unwrap_or_default()
}

pub(crate) fn csrf(current: &Current) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(current.session.csrf_token); }
}

/// Redirects to `to` with a notice.
pub(crate) fn back(to: &str, result: Result<String, AppError>) -> Response {
    let (key, text) = match result {
        Ok(m) => ("ok", m),
        Err(e) => ("err", e.message()),
    };
    let sig = notice_mac(key, &text).map(|mac| {
        use hmac::Mac;
        hex::encode(mac.finalize().into_bytes())
    });
    let query =
        serde_urlencoded::to_string([(key, text.as_str()), ("sig", sig.as_deref().unwrap_or_default())])
            .unwrap_or_default();
    let sep = if to.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{to}{sep}{query}")).into_response()
}

fn nav_item(href: &str, label: &str, key: &str, active: &str) -> Markup {
    html! { a href=(href) accesskey=(key) class=[(href == active).then_some("active")] { (label) } }
}

/// The frame of every page.
pub(crate) fn layout(
    title: &str,
    current: Option<&Current>,
    active: &str,
    notice: &Notice,
    content: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — baucu" }
                link rel="stylesheet" href="/static/style.css";
            }
            body {
                header.top {
                    a.brand href="/" { "baucu" span { "Bầu cử trong Đảng" } }
                    @if let Some(c) = current {
                        @let role = c.session.actor.role;
                        nav {
                            @if role.may(Permission::ViewSetup) {
                                (nav_item("/congress", "Đại hội", "1", active))
                                (nav_item("/roster", "Đảng viên", "2", active))
                                (nav_item("/attendance", "Điểm danh", "3", active))
                                (nav_item("/elections", "Bầu cử", "4", active))
                                (nav_item("/audit", "Nhật ký", "5", active))
                            }
                            @if role.may(Permission::EnterBallots) {
                                (nav_item("/entry", "Nhập phiếu", "7", active))
                            }
                            @if role.may(Permission::ManageUsers) {
                                (nav_item("/admin/users", "Tài khoản", "6", active))
                            }
                        }
                        form.logout method="post" action="/logout" {
                            (csrf(c))
                            span.who { (c.session.actor.full_name) " · " (role.label()) }
                            a.who href="/account/password" { "Đổi mật khẩu" }
                            button.link type="submit" { "Đăng xuất" }
                        }
                    }
                }
                main {
                    h1 { (title) }
                    @if let Some(ok) = &notice.ok { p.notice.ok role="status" { (ok) } }
                    @if let Some(err) = &notice.err { p.notice.err role="alert" { (err) } }
                    (content)
                }
            }
        }
    }
}

pub fn error_page(status: StatusCode, message: &str) -> Markup {
    let title = match status {
        StatusCode::FORBIDDEN => "Không có quyền",
        StatusCode::NOT_FOUND => "Không tìm thấy",
        StatusCode::UNAUTHORIZED => "Chưa đăng nhập",
        _ => "Có lỗi",
    };
    layout(
        title,
        None,
        "",
        &Notice::default(),
        html! { p { (message) } p { a href="/" { "Về trang tổng quan" } } },
    )
}

pub(crate) fn app_error(e: AppError) -> Response {
    let status = match &e {
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    (status, error_page(status, &e.message())).into_response()
}

pub async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, error_page(StatusCode::NOT_FOUND, "Trang này không có.")).into_response()
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], STYLE)
        .into_response()
}
