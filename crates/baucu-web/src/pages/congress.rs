//! The congress: its name, level, form, term and dates, and the regulation that applies.

use super::{Notice, app_error, back, csrf, layout, vn_date};
use crate::AppState;
use crate::guard::Current;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use baucu_app::congress::{
    CongressForm, FIXED_REASON, Level, REGULATIONS, assembly_from_code, assembly_label,
};
use baucu_app::view::AssemblyKind;
use baucu_app::{AppError, Permission};
use maud::{Markup, html};

/// The congress form; `fixed`: a round exists, so the level and kind are shown read-only with the
/// reason (and sent back unchanged).
fn congress_form_page(current: &Current, form: &CongressForm, fixed: bool, notice: &Notice) -> Markup {
    let editable = current.session.actor.role.may(Permission::EditCongress);
    let level_label = Level::from_code(&form.level).map(Level::label).unwrap_or(&form.level);
    let kind_label =
        assembly_from_code(&form.assembly_kind).map(assembly_label).unwrap_or(&form.assembly_kind);
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
                        @for k in [AssemblyKind::MembersCongress, AssemblyKind::DelegatesCongress] {
                            option value=(k.code()) selected[form.assembly_kind == k.code()] { (assembly_label(k)) }
                        }
                    } }
                }
                label { "Nhiệm kỳ" input name="term" value=(form.term) required placeholder="2025–2030"; }
                label { "Địa điểm" input name="place" value=(form.place); }
                label { "Ngày khai mạc" input name="opens_on" value=(form.opens_on) placeholder="dd/mm/yyyy"; }
                label { "Ngày bế mạc" input name="closes_on" value=(form.closes_on) placeholder="dd/mm/yyyy"; }
                label.wide { "Cấp ủy triệu tập" input name="convening_committee" value=(form.convening_committee); }
                label { "Quy chế áp dụng" select name="regulation" {
                    @for (code, label) in REGULATIONS { option value=(code) selected[form.regulation == code] { (label) } }
                } }
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
    Form(form): Form<CongressForm>,
) -> Response {
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
