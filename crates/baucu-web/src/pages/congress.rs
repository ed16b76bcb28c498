//! The congress: its name, level, form, term and dates, and the regulation that applies.

use super::{Notice, app_error, back, csrf, layout, vn_date};
use crate::AppState;
use crate::guard::Current;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use baucu_app::congress::{
    CongressForm, DIRECT_SECRETARY_LABEL, FIXED_REASON, Level, NODE_KINDS, REGULATIONS, assembly_from_code,
    node_kind_label,
};
use baucu_app::{AppError, Permission};
use maud::{Markup, html};

/// The congress form; `fixed`: a round exists, so the level and kind are shown read-only with the
/// reason (and sent back unchanged).
fn congress_form_page(current: &Current, form: &CongressForm, fixed: bool, notice: &Notice) -> Markup {
    let editable = current.session.actor.role.may(Permission::EditCongress);
    let level_label = Level::from_code(&form.level).map(Level::label).unwrap_or(&form.level);
    let kind_label =
        assembly_from_code(&form.assembly_kind).map(node_kind_label).unwrap_or(&form.assembly_kind);
    let direct = form.direct_secretary.as_deref() == Some("1");
    let content = html! {
        form.card.grid method="post" action="/congress" {
            (csrf(current))
            fieldset disabled[!editable] {
                label.wide { "Tên đại hội" input name="name" value=(form.name) required autofocus placeholder="Đại hội Đảng bộ xã … lần thứ …, nhiệm kỳ …"; }
                label { "Tổ chức đảng" input name="organisation" value=(form.organisation) required; }
                @if fixed {
                    label { "Cấp" input value=(level_label) readonly; input type="hidden" name="level" value=(form.level); }
                    label { "Hình thức" input value=(kind_label) readonly; input type="hidden" name="assembly_kind" value=(form.assembly_kind); }
                    p.muted.wide #fixed-reason { (FIXED_REASON) }
                } @else {
                    label { "Cấp" select name="level" {
                        @for l in Level::ALL { option value=(l.code()) selected[form.level == l.code()] { (l.label()) } }
                    } }
                    label { "Hình thức" select name="assembly_kind" {
                        @for k in NODE_KINDS {
                            option value=(k.code()) selected[form.assembly_kind == k.code()] { (node_kind_label(k)) }
                        }
                    } }
                }
                p.muted.wide #by-election-help { "Hội nghị Ban Chấp hành bầu bổ sung (nhiệm kỳ đang chạy): tên ghi khóa của Ban Chấp hành (ví dụ \"Hội nghị Ban Chấp hành Đảng bộ xã … khóa XXVI\"); danh sách nhập vào là các ủy viên Ban Chấp hành hiện có; phiếu bầu và biên bản ghi \"bầu bổ sung\"." }
                label { "Nhiệm kỳ" input name="term" value=(form.term) required placeholder="2025–2030"; }
                label { "Địa điểm" input name="place" value=(form.place); }
                label { "Ngày khai mạc" input name="opens_on" value=(form.opens_on) placeholder="dd/mm/yyyy"; }
                label { "Ngày bế mạc" input name="closes_on" value=(form.closes_on) placeholder="dd/mm/yyyy"; }
                label.wide { "Cấp ủy triệu tập" input name="convening_committee" value=(form.convening_committee); }
                label { "Quy chế áp dụng" select name="regulation" {
                    @for (code, label) in REGULATIONS { option value=(code) selected[form.regulation == code] { (label) } }
                } }
                @if fixed {
                    label.wide #direct-secretary {
                        (DIRECT_SECRETARY_LABEL) ": " strong { @if direct { "có" } @else { "không" } }
                        input type="hidden" name="direct_secretary" value=(if direct { "1" } else { "0" });
                    }
                } @else {
                    label.check.wide #direct-secretary {
                        input type="checkbox" name="direct_secretary" value="1" checked[direct];
                        (DIRECT_SECRETARY_LABEL)
                    }
                    p.muted.wide { "Khi chọn: sau khi bầu xong ban chấp hành, lấy phiếu giới thiệu trong ban chấp hành mới rồi đại hội bầu bí thư trong số các ủy viên ban chấp hành; hội nghị lần thứ nhất không bầu bí thư. Không đổi được sau khi đã có lần bầu." }
                }
                div.actions.wide { button.primary type="submit" { "Lưu thông tin đại hội" } }
            }
        }
    };
    layout("Thông tin đại hội", Some(current), "/congress", notice, content)
}

pub async fn congress_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(notice): Query<Notice>,
) -> Response {
    let form = match state.app.congress().await {
        Ok(Some(c)) => CongressForm {
            name: c.name,
            organisation: c.organisation,
            level: c.level.code().into(),
            assembly_kind: c.assembly_kind.code().into(),
            term: c.term,
            place: c.place,
            opens_on: vn_date(c.opens_on),
            closes_on: vn_date(c.closes_on),
            convening_committee: c.convening_committee,
            regulation: c.regulation,
            direct_secretary: Some(if c.direct_secretary { "1" } else { "0" }.into()),
        },
        Ok(None) => CongressForm {
            regulation: "190-QD/TW".into(),
            level: "grassroots".into(),
            ..CongressForm::default()
        },
        Err(e) => return app_error(e),
    };
    let fixed = match state.app.congress_fixed().await {
        Ok(f) => f,
        Err(e) => return app_error(e),
    };
    congress_form_page(&current, &form, fixed, &notice).into_response()
}

pub async fn congress_submit(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(mut form): Form<CongressForm>,
) -> Response {
    // On the page an unticked box sends nothing: that is "no", not "unchanged".
    if form.direct_secretary.is_none() {
        form.direct_secretary = Some("0".into());
    }
    match state.app.save_congress(&current.session.actor, form.clone()).await {
        Ok(_) => back("/congress", Ok("Đã lưu thông tin đại hội.".into())),
        Err(e) => {
            let status = match e {
                AppError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let notice = Notice { ok: None, err: Some(e.message()) };
            // A refused change of the level or kind shows them as they are stored, not as sent.
            let (form, fixed) = match (state.app.congress().await, state.app.congress_fixed().await) {
                (Ok(Some(c)), Ok(true)) => (
                    CongressForm {
                        level: c.level.code().into(),
                        assembly_kind: c.assembly_kind.code().into(),
                        direct_secretary: Some(if c.direct_secretary { "1" } else { "0" }.into()),
                        ..form
                    },
                    true,
                ),
                (_, fixed) => (form, fixed.unwrap_or(false)),
            };
            (status, congress_form_page(&current, &form, fixed, &notice)).into_response()
        }
    }
}
