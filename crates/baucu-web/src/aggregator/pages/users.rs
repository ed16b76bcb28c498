//! Accounts of the aggregator (administrators): the list of the area's accounts and a new one with
//! its role and area.

use super::{back, csrf, failed, page};
use crate::aggregator::guard::Signed;
use crate::aggregator::{AggState, blocking};
use crate::pages::{Notice, NoticeQuery};
use axum::extract::{Query, State};
use axum::response::Response;
use axum::{Extension, Form};
use baucu_aggregator::accounts::{self, NewUser, Role};
use maud::html;
use serde::Deserialize;

pub async fn users_page(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let (db, actor) = (state.db.clone(), signed.actor.clone());
    let users = match blocking(move || accounts::list_users(&db, &actor)).await {
        Ok(u) => u,
        Err(e) => return failed(&signed, e),
    };
    let content = html! {
        table.list {
            thead { tr { th { "Tên đăng nhập" } th { "Họ và tên" } th { "Vai trò" } th { "Phạm vi" } th { "Hoạt động" } } }
            tbody {
                @for u in &users {
                    tr data-user=(u.username) {
                        td { (u.username) } td { (u.full_name) } td { (u.role.label()) }
                        td { (u.area.as_deref().unwrap_or("Toàn bộ")) }
                        td { @if u.active { "Có" } @else { "Đã khóa" } }
                    }
                }
            }
        }
        h2 { "Tạo tài khoản" }
        form.card method="post" action="/users" {
            (csrf(&signed))
            label { "Tên đăng nhập " input name="username" maxlength="64" required; }
            label { "Họ và tên " input name="full_name" maxlength="200" required; }
            label { "Vai trò " select name="role" {
                @for r in Role::ALL { option value=(r.code()) { (r.label()) } }
            } }
            label { "Phạm vi (mã đơn vị; để trống: toàn bộ) " input name="area" maxlength="32"; }
            label { "Mật khẩu (ít nhất " (accounts::MIN_PASSWORD_CHARS) " ký tự) " input type="password" name="password" autocomplete="new-password" required; }
            button.primary type="submit" { "Tạo tài khoản" }
        }
    };
    page("Tài khoản", &signed, "/users", &Notice::from(q), content)
}

#[derive(Debug, Deserialize)]
pub struct UserForm {
    username: String,
    full_name: String,
    role: String,
    #[serde(default)]
    area: String,
    password: String,
}

pub async fn user_create(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Form(f): Form<UserForm>,
) -> Response {
    let (db, actor) = (state.db.clone(), signed.actor.clone());
    let result = blocking(move || {
        let role = Role::parse(&f.role)?;
        let area = Some(f.area.trim().to_owned()).filter(|a| !a.is_empty());
        let username = f.username.trim().to_lowercase();
        let new =
            NewUser { username: username.clone(), full_name: f.full_name, role, area, password: f.password };
        accounts::create_user(&db, &actor, new, jiff::Timestamp::now())?;
        Ok(format!("Đã tạo tài khoản \"{username}\" ({}).", role.label()))
    })
    .await;
    back("/users", result)
}
