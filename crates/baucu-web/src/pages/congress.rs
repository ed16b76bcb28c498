//! The congress: its name, level, form, term and dates, and the regulation that applies.

use super::{Notice, app_error, back, csrf, layout, vn_date};
use crate::AppState;
use crate::guard::Current;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use baucu_app::Permission;
use baucu_app::congress::{CongressForm, Level, REGULATIONS, assembly_label};
use baucu_app::view::AssemblyKind;
use maud::{Markup, html};

fn congress_form_page(current: &Current, form: &CongressForm, notice: &Notice) -> Markup {
    let editable = current.session.actor.role.may(Permission::EditCongress);
    let content = html! {
        form.card.grid method="post" action="/congress" {
            (csrf(current))
            fieldset disabled[!editable] {
                label.wide { "Tên đại hội" input name="name" value=(form.name) required autofocus placeholder="Đại hội Đảng bộ xã … lần thứ …, nhiệm kỳ …"; }
                label { "Tổ chức đảng" input name="organisation" value=(form.organisation) required; }
                label { "Cấp" select name="level" {
                    @for l in Level::ALL { option value=(l.code()) selected[form.level == l.code()] { (l.label()) } }
                } }
                label { "Hình thức" select name="assembly_kind" {
                    @for k in [AssemblyKind::MembersCongress, AssemblyKind::DelegatesCongress] {
                        option value=(k.code()) selected[form.assembly_kind == k.code()] { (assembly_label(k)) }
                    }
                } }
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
    congress_form_page(&current, &form, &notice).into_response()
}

pub async fn congress_submit(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(form): Form<CongressForm>,
) -> Response {
    match state.app.save_congress(&current.session.actor, form.clone()).await {
        Ok(_) => back("/congress", Ok("Đã lưu thông tin đại hội.".into())),
        Err(e) => {
            let notice = Notice { ok: None, err: Some(e.message()) };
            (StatusCode::UNPROCESSABLE_ENTITY, congress_form_page(&current, &form, &notice)).into_response()
        }
    }
}
