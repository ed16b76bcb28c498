//! "Phương án nhân sự": the personnel plan the convening committee enters before the congress —
//! the seats of each body, its structure targets and the persons planned for it. After each closed
//! round, the round page shows where the outcome departs from it.

use super::{Notice, app_error, back, csrf, layout};
use crate::AppState;
use crate::guard::Current;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use baucu_app::Permission;
use baucu_app::plan::{PlanRequest, TargetKind, plan_body_label};
use baucu_app::view::Body;
use maud::html;

pub async fn plan_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(notice): Query<Notice>,
) -> Response {
    let actor = &current.session.actor;
    let plans = match state.app.plan(actor).await {
        Ok(p) => p,
        Err(e) => return app_error(e),
    };
    let can = actor.role.may(Permission::DefineElections);
    let people = if can {
        match state.app.persons(actor).await {
            Ok(p) => p,
            Err(e) => return app_error(e),
        }
    } else {
        Vec::new()
    };
    let zone = state.app.zone();
    let content = html! {
        section.card {
            h2 { "Phương án đã nhập" }
            p.muted { "Sau mỗi lần bầu đã kết thúc kiểm phiếu, trang lần bầu cho đoàn chủ tịch thấy kết quả khác phương án ở đâu (cơ cấu chưa đạt, người dự kiến chưa trúng cử, người ngoài phương án trúng cử, số lượng còn thiếu) — chỉ để tham khảo, không thay đổi kết quả bầu cử." }
            @if plans.is_empty() { p { "Chưa nhập phương án nhân sự nào." } } @else {
                table.list.plan {
                    thead { tr {
                        th { "Cơ quan" } th { "Số lượng" } th { "Cơ cấu (ít nhất)" } th { "Người dự kiến" } th { "Người nhập, lúc" }
                        @if can { th {} }
                    } }
                    tbody { @for p in &plans {
                        tr {
                            td { (plan_body_label(p.body)) }
                            td.num { (p.seats) }
                            td { @for t in &p.targets { div { (t.label()) ": " (t.minimum) } } }
                            td { @for x in &p.persons { div { (x.name) } } }
                            td.small { (p.entered_by) ", " (zone.show_time(p.entered_at)) }
                            @if can {
                                td {
                                    form method="post" action="/plan/remove" {
                                        (csrf(&current))
                                        input type="hidden" name="body" value=(p.body.code());
                                        button.link type="submit" { "Xóa" }
                                    }
                                }
                            }
                        }
                    } }
                }
            }
        }
        @if can {
            section.card {
                h2 { "Nhập phương án của một cơ quan" }
                p { "Nhập lại phương án của một cơ quan đã có sẽ thay thế phương án cũ." }
                form.grid method="post" action="/plan" {
                    (csrf(&current))
                    label { "Cơ quan được bầu"
                        select name="body" required {
                            option value="" { "— chọn —" }
                            @for b in Body::ALL { option value=(b.code()) { (plan_body_label(b)) } }
                        }
                    }
                    label { "Số lượng dự kiến" input name="seats" inputmode="numeric" required autocomplete="off"; }
                    @for k in TargetKind::FIXED {
                        label { (k.label()) ": ít nhất (để trống nếu không đặt)" input name=(k.code()) inputmode="numeric" autocomplete="off"; }
                    }
                    label.wide { "Cơ cấu theo đơn vị (mỗi dòng \"Tên đơn vị: số người\", tên đơn vị như cột Đơn vị của danh sách)"
                        textarea name="sectors" rows="3" maxlength="8000" {}
                    }
                    label.wide { "Người dự kiến (bí thư, phó bí thư, chủ nhiệm ủy ban kiểm tra…; với cấp ủy: danh sách dự kiến) — giữ Ctrl để chọn nhiều người"
                        select name="person" multiple size="8" {
                            @for p in &people { option value=(p.id) { (p.full_name) @if !p.unit.is_empty() { " — " (p.unit) } } }
                        }
                    }
                    div.actions.wide { button.primary type="submit" { "Lưu phương án" } }
                }
            }
        }
    };
    layout("Phương án nhân sự", Some(&current), "/plan", &notice, content).into_response()
}

pub async fn plan_submit(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let r = match PlanRequest::from_form(&f) {
        Ok(req) => state.app.set_plan(&current.session.actor, req).await,
        Err(e) => Err(e),
    };
    back("/plan", r.map(|_| "Đã lưu phương án nhân sự.".to_owned()))
}

pub async fn plan_remove(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let body = f.iter().find(|(k, _)| k == "body").map(|(_, v)| v.as_str()).unwrap_or_default();
    let r = state.app.remove_plan(&current.session.actor, body).await;
    back("/plan", r.map(|_| "Đã xóa phương án nhân sự của cơ quan này.".to_owned()))
}
