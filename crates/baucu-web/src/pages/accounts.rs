//! The administration of accounts: creating them, changing role and activity, resetting passwords.

use super::{Notice, app_error, back, csrf, layout};
use crate::AppState;
use crate::guard::Current;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use baucu_app::auth::{ThrottleKey, ThrottleView};
use baucu_app::{AppError, Role};
use maud::{Markup, html};
use serde::Deserialize;

pub async fn users_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(notice): Query<Notice>,
) -> Response {
    let users = match state.app.list_users(&current.session.actor).await {
        Ok(u) => u,
        Err(e) => return app_error(e),
    };
    let throttles = match state.app.login_throttles(&current.session.actor).await {
        Ok(t) => t,
        Err(e) => return app_error(e),
    };
    let content = html! {
        table.list {
            thead { tr { th { "Tên đăng nhập" } th { "Họ và tên" } th { "Vai trò" } th { "Hoạt động" } th {} th { "Đặt lại mật khẩu" } } }
            tbody { @for u in &users {
                tr {
                    td { (u.username) }
                    td colspan="3" {
                        form.inline method="post" action={ "/admin/users/" (u.id) } {
                            (csrf(&current))
                            input name="full_name" value=(u.full_name) aria-label="Họ và tên";
                            select name="role" aria-label="Vai trò" { @for r in Role::ALL { option value=(r.code()) selected[r == u.role] { (r.label()) } } }
                            label.check { input type="checkbox" name="active" value="1" checked[u.active]; "Hoạt động" }
                            button.small type="submit" { "Lưu" }
                        }
                    }
                    td {}
                    td {
                        form.inline method="post" action={ "/admin/users/" (u.id) "/password" } {
                            (csrf(&current))
                            input name="password" type="password" autocomplete="new-password" aria-label="Mật khẩu mới" required;
                            button.small type="submit" { "Đặt" }
                        }
                    }
                }
            } }
        }
        form.card.grid method="post" action="/admin/users" {
            h2.wide { "Tạo tài khoản" }
            (csrf(&current))
            label { "Tên đăng nhập" input name="username" required autocomplete="off"; }
            label { "Họ và tên" input name="full_name" required; }
            label { "Vai trò" select name="role" { @for r in Role::ALL { option value=(r.code()) selected[r == Role::Organiser] { (r.label()) } } } }
            label { "Mật khẩu (ít nhất 8 ký tự)" input name="password" type="password" autocomplete="new-password" required; }
            div.actions.wide { button.primary type="submit" { "Tạo tài khoản" } }
        }
        (throttle_section(&current, &throttles))
    };
    layout("Tài khoản", Some(&current), "/admin/users", &notice, content).into_response()
}

#[derive(Debug, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    full_name: String,
    role: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    active: Option<String>,
}

pub async fn user_create(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<UserForm>,
) -> Response {
    let Some(role) = Role::from_code(&f.role) else {
        return back("/admin/users", Err(AppError::invalid("role", "Chọn vai trò.")));
    };
    let r = state.app.create_user(&current.session.actor, &f.username, &f.full_name, role, &f.password).await;
    back("/admin/users", r.map(|_| format!("Đã tạo tài khoản {}.", f.username.trim().to_lowercase())))
}

pub async fn user_update(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<UserForm>,
) -> Response {
    let Some(role) = Role::from_code(&f.role) else {
        return back("/admin/users", Err(AppError::invalid("role", "Chọn vai trò.")));
    };
    let r = state.app.update_user(&current.session.actor, id, &f.full_name, role, f.active.is_some()).await;
    back("/admin/users", r.map(|()| "Đã lưu tài khoản.".into()))
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    password: String,
}

pub async fn user_password(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<PasswordForm>,
) -> Response {
    let r = state.app.set_password(&current.session.actor, id, &f.password).await;
    back(
        "/admin/users",
        r.map(|()| "Đã đặt lại mật khẩu; các phiên đăng nhập cũ của tài khoản này đã bị hủy.".into()),
    )
}

/// The sign-in throttles past their free failures, each with a button that lifts it.
fn throttle_section(current: &Current, throttles: &[ThrottleView]) -> Markup {
    html! {
        section.card {
            h2 { "Giới hạn đăng nhập" }
            p.small {
                "Sau nhiều lần đăng nhập sai, lần thử tiếp theo (của một tài khoản từ một máy, của một máy, hoặc của một tài khoản từ các máy đã đăng nhập sai) phải chờ 1, 2, 4 … tối đa "
                (baucu_app::auth::MAX_DELAY_SECONDS) " giây. Không tài khoản nào bị khóa: người dùng ở máy khác vẫn đăng nhập được."
            }
            @if throttles.is_empty() {
                p { "Hiện không có giới hạn nào." }
            } @else {
                table.list {
                    thead { tr { th { "Giới hạn" } th { "Số lần sai" } th { "Số lần bị từ chối" } th { "Lần sai gần nhất (UTC)" } th { "Phải chờ đến (UTC)" } th {} } }
                    tbody { @for t in throttles.iter().take(MAX_SHOWN) {
                        @let (account, address) = match &t.key {
                            ThrottleKey::Pair { account, address } => (account.clone(), address.to_string()),
                            ThrottleKey::Address { address } => (String::new(), address.to_string()),
                            ThrottleKey::Account { account } => (account.clone(), String::new()),
                        };
                        tr {
                            td { (t.key.label()) }
                            td.num { (t.failures) }
                            td.num { (t.refused) }
                            td { (utc(t.last_failure)) }
                            td { @match t.blocked_until { Some(until) => (utc(until)), None => "—" } }
                            td {
                                form.inline method="post" action="/admin/throttles/lift" {
                                    (csrf(current))
                                    input type="hidden" name="kind" value=(t.key.kind());
                                    input type="hidden" name="account" value=(account);
                                    input type="hidden" name="address" value=(address);
                                    button.small type="submit" { "Gỡ giới hạn" }
                                }
                            }
                        }
                    } }
                }
                @if throttles.len() > MAX_SHOWN { p.small { "… và " (throttles.len() - MAX_SHOWN) " giới hạn khác." } }
            }
        }
    }
}

/// The most throttles the page lists.
const MAX_SHOWN: usize = 200;

fn utc(t: jiff::Timestamp) -> String {
    let text = t.to_string();
    text.get(..19).unwrap_or(&text).replace('T', " ")
}

#[derive(Debug, Deserialize)]
pub struct ThrottleForm {
    kind: String,
    #[serde(default)]
    account: String,
    #[serde(default)]
    address: String,
}

pub async fn throttle_lift(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<ThrottleForm>,
) -> Response {
    let r = match ThrottleKey::parse(&f.kind, &f.account, &f.address) {
        Ok(key) => {
            let label = key.label();
            state
                .app
                .lift_login_throttle(&current.session.actor, key)
                .await
                .map(|()| format!("Đã gỡ giới hạn đăng nhập: {label}."))
        }
        Err(e) => Err(e),
    };
    back("/admin/users", r)
}
