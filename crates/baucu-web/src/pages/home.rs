//! The overview page: the congress at a glance and the steps of the work.

use super::{Notice, app_error, layout, vn_date};
use crate::AppState;
use crate::guard::Current;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use baucu_app::congress::node_kind_label;
use baucu_app::{Permission, Role};
use maud::html;

pub async fn home(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(notice): Query<Notice>,
) -> Response {
    let actor = &current.session.actor;
    if !actor.role.may(Permission::ViewSetup) {
        let text = match actor.role {
            Role::Operator => {
                "Ban kiểm phiếu sẽ giao cho bạn các chồng phiếu cần nhập; màn hình nhập phiếu hiện ra tại đây khi được giao."
            }
            _ => "Kết quả bầu cử được công bố sẽ hiện ra tại đây.",
        };
        return layout("Tổng quan", Some(&current), "/", &notice, html! { p.card { (text) } })
            .into_response();
    }
    let congress = match state.app.congress().await {
        Ok(c) => c,
        Err(e) => return app_error(e),
    };
    let persons = state.app.persons(actor).await.map(|p| p.len()).unwrap_or(0);
    let elections = state.app.elections(actor).await.unwrap_or_default();
    let content = html! {
        @match &congress {
            Some(c) => {
                section.card {
                    h2 { (c.name) }
                    p { (c.organisation) " · " (c.level.label()) " · " (node_kind_label(c.assembly_kind)) " · Nhiệm kỳ " (c.term) }
                    @if c.opens_on.is_some() { p { "Khai mạc " (vn_date(c.opens_on)) @if c.closes_on.is_some() { ", bế mạc " (vn_date(c.closes_on)) } } }
                }
            }
            None => {
                section.card { p { "Chưa khai báo đại hội. " a href="/congress" { "Khai báo đại hội" } " để bắt đầu." } }
            }
        }
        div.steps {
            a.step href="/roster" { strong { "1. Danh sách" } span { (persons) " người" } }
            a.step href="/plan" { strong { "2. Phương án nhân sự" } span { "Số lượng, cơ cấu, nhân sự dự kiến" } }
            a.step href="/attendance" { strong { "3. Điểm danh" } span { "Số làm căn cứ tính kết quả" } }
            a.step href="/votes" { strong { "4. Biểu quyết" } span { "Đoàn chủ tịch, ban kiểm phiếu…" } }
            a.step href="/elections" { strong { "5. Bầu cử" } span { (elections.len()) " cuộc bầu" } }
            @if actor.role.may(Permission::ViewCounting) {
                a.step href="/guide" { strong { "6. Điều hành từng bước" } span { "Việc tiếp theo và lời dẫn của đoàn chủ tịch" } }
                a.step href="/documents" { strong { "7. Tài liệu đại hội" } span { "Thẩm tra tư cách, trích ngang, phiếu, kịch bản, báo cáo" } }
            }
        }
    };
    layout("Tổng quan", Some(&current), "/", &notice, content).into_response()
}
