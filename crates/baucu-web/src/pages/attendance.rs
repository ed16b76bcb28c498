//! Attendance: sittings, check-in by row or by name, whole-congress absences, summoning alternates,
//! and the base of the result that follows from them.

use super::login::safe_next;
use super::{Notice, NoticeQuery, app_error, back, csrf, layout};
use crate::AppState;
use crate::guard::Current;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use baucu_app::attendance::{Attendance, BY_ELECTION_NOMINEE_LABEL};
use baucu_app::roster::{ABSENCES, Person, label_of};
use baucu_app::view::AssemblyKind;
use baucu_app::{AppError, Permission};
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct AttendanceQuery {
    #[serde(default)]
    sitting: Option<i64>,
    #[serde(default)]
    ok: Option<String>,
    #[serde(default)]
    err: Option<String>,
    #[serde(default)]
    sig: Option<String>,
}

fn attendance_view(current: &Current, a: &Attendance, kind: Option<AssemblyKind>, notice: &Notice) -> Markup {
    let can = current.session.actor.role.may(Permission::TakeAttendance);
    let sid = a.sitting.as_ref().map(|s| s.id);
    let here = match sid {
        Some(id) => format!("/attendance?sitting={id}"),
        None => "/attendance".into(),
    };
    let checked = a.rows.iter().filter(|r| r.checked_in).count();
    let plenum = a.assembly != "congress";
    let alternates: Vec<&Person> = a
        .rows
        .iter()
        .map(|r| &r.person)
        .filter(|p| p.delegate_kind.as_deref() == Some("alternate"))
        .collect();
    let content = html! {
        div.columns {
            section.card {
                h2 { "Phiên họp" }
                @if a.sittings.is_empty() { p { "Chưa có phiên họp nào." } }
                ul.tabs { @for s in &a.sittings {
                    li { a href={ "/attendance?sitting=" (s.id) } class=[(Some(s.id) == sid).then_some("active")] { (s.name) } }
                } }
                @if plenum {
                    p { strong { (a.assembly_label) } ": chỉ các ủy viên vừa được bầu được triệu tập; số làm căn cứ là của hội nghị, không phải của đại hội." }
                }
                @if can { @for (body, label) in &a.summonable {
                    form.inline method="post" action="/attendance/plenum" {
                        (csrf(current))
                        input type="hidden" name="body" value=(body);
                        button type="submit" { "Triệu tập " (label.to_lowercase()) }
                    }
                } }
                @if can && !plenum {
                    form.inline method="post" action="/attendance/sittings" {
                        (csrf(current))
                        label { "Thêm phiên họp" input name="name" placeholder="Phiên thứ hai (chiều 20/5)" required; }
                        button type="submit" { "Thêm" }
                    }
                }
                @if let (true, Some(id)) = (can, sid) {
                    form.inline method="post" action="/attendance/check-in-name" {
                        (csrf(current))
                        input type="hidden" name="sitting" value=(id);
                        label { "Điểm danh theo họ tên (gõ rồi Enter)" input name="query" autofocus autocomplete="off" required; }
                        button.primary type="submit" { "Có mặt" }
                    }
                }
                p { strong { (checked) } " người đã điểm danh ở phiên này." }
            }
            section.card.base {
                h2 { "Số làm căn cứ tính kết quả bầu cử" }
                @match &a.report {
                    Some(r) => {
                        table.base {
                            @for line in &r.lines {
                                tr class=[(line.sign == "=").then_some("total")] {
                                    td { (line.label) } td.num { (line.sign) " " (line.count) }
                                }
                            }
                            tr { td { "Có mặt tại phiên họp" } td.num { (r.present) } }
                            tr { td { "Vắng mặt tại phiên họp" } td.num { (r.absent) } }
                            tr.total { td { "Trúng cử phải được quá một nửa: ít nhất" } td.num { (r.threshold) " phiếu" } }
                        }
                        p.muted { "Theo Điều 30 Quy chế bầu cử: số làm căn cứ là số được triệu tập trừ các trường hợp trên; không phải số phiếu, số phiếu hợp lệ hay số người có mặt." }
                    }
                    None => { p { "Danh sách chưa có ai thuộc diện triệu tập." } }
                }
            }
        }
        table.list.attendance {
            thead { tr { th { "TT" } th { "Họ và tên" } th { "Có mặt phiên này" } th { "Cả đại hội" } th { "Tính số làm căn cứ" } } }
            tbody { @for (i, row) in a.rows.iter().enumerate() {
                @let p = &row.person;
                tr class=[row.checked_in.then_some("present")] {
                    td.num { (i + 1) }
                    td { (p.full_name) @if p.party_status == "probationary" { span.tag { "dự bị" } } }
                    td {
                        @if let (true, Some(id)) = (can, sid) {
                            form.inline method="post" action="/attendance/check-in" {
                                (csrf(current))
                                input type="hidden" name="sitting" value=(id);
                                input type="hidden" name="person" value=(p.id);
                                input type="hidden" name="present" value=(if row.checked_in { "0" } else { "1" });
                                button.small type="submit" aria-label={ "Điểm danh " (p.full_name) } {
                                    @if row.checked_in { "✓ Có mặt" } @else { "Điểm danh" }
                                }
                            }
                        } @else { @if row.checked_in { "✓" } }
                    }
                    td {
                        @if can && !plenum {
                            form.inline method="post" action="/attendance/absence" {
                                (csrf(current))
                                input type="hidden" name="person" value=(p.id);
                                input type="hidden" name="back" value=(here);
                                select name="absence" aria-label={ "Vắng mặt cả đại hội: " (p.full_name) } {
                                    @for (code, label) in ABSENCES { option value=(code) selected[p.absence == code] { (label) } }
                                }
                                button.small type="submit" { "Ghi" }
                            }
                        } @else { (label_of(&ABSENCES, &p.absence)) }
                    }
                    td.small { (row.standing) }
                }
            } }
        }
        @if !a.nominees.is_empty() {
            section.card id="by-election-nominees" {
                h2 { (BY_ELECTION_NOMINEE_LABEL) }
                p.muted { "Có tên trong danh sách để bầu bổ sung, nhưng chưa phải ủy viên Ban Chấp hành: không được triệu tập dự hội nghị, không điểm danh, không tính vào số làm căn cứ." }
                table.list {
                    thead { tr { th { "TT" } th { "Họ và tên" } th { "Tính số làm căn cứ" } } }
                    tbody { @for (i, p) in a.nominees.iter().enumerate() {
                        tr {
                            td.num { (i + 1) }
                            td { (p.full_name) }
                            td.small { (BY_ELECTION_NOMINEE_LABEL) ": không thuộc diện triệu tập" }
                        }
                    } }
                }
            }
        }
        @if can && !plenum && kind == Some(AssemblyKind::DelegatesCongress) && !alternates.is_empty() {
            section.card {
                h2 { "Triệu tập đại biểu dự khuyết" }
                form.inline method="post" action="/attendance/alternate" {
                    (csrf(current))
                    label { "Đại biểu dự khuyết" select name="alternate" { @for p in &alternates { option value=(p.id) { (p.full_name) } } } }
                    label { "Thay cho" select name="replaces" {
                        option value="" { "— (rút triệu tập)" }
                        @for r in &a.rows { @if matches!(r.person.delegate_kind.as_deref(), Some("elected" | "appointed")) && r.person.absence != "none" {
                            option value=(r.person.id) { (r.person.full_name) }
                        } }
                    } }
                    button type="submit" { "Triệu tập" }
                }
            }
        }
    };
    layout("Điểm danh", Some(current), "/attendance", notice, content)
}

pub async fn attendance_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(q): Query<AttendanceQuery>,
) -> Response {
    let kind = state.app.congress().await.ok().flatten().map(|c| c.assembly_kind);
    match state.app.attendance(&current.session.actor, q.sitting).await {
        Ok(a) => attendance_view(
            &current,
            &a,
            kind,
            &Notice::from(NoticeQuery { ok: q.ok, err: q.err, sig: q.sig }),
        )
        .into_response(),
        Err(AppError::Conflict(m)) => back("/congress", Err(AppError::Conflict(m))),
        Err(e) => app_error(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct SittingForm {
    name: String,
}

pub async fn sitting_create(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<SittingForm>,
) -> Response {
    match state.app.add_sitting(&current.session.actor, &f.name).await {
        Ok(id) => back(&format!("/attendance?sitting={id}"), Ok(format!("Đã thêm {}.", f.name.trim()))),
        Err(e) => back("/attendance", Err(e)),
    }
}

#[derive(Debug, Deserialize)]
pub struct PlenumForm {
    body: String,
}

/// Summons the first plenum of a decided body and opens its attendance.
pub async fn plenum_summon(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<PlenumForm>,
) -> Response {
    match state.app.summon_plenum(&current.session.actor, &f.body).await {
        Ok(id) => back(
            &format!("/attendance?sitting={id}"),
            Ok("Đã triệu tập hội nghị: điểm danh các ủy viên.".to_owned()),
        ),
        Err(e) => back("/attendance", Err(e)),
    }
}

#[derive(Debug, Deserialize)]
pub struct CheckInForm {
    sitting: i64,
    person: i64,
    present: String,
}

pub async fn check_in(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<CheckInForm>,
) -> Response {
    let present = f.present == "1";
    let to = format!("/attendance?sitting={}", f.sitting);
    let r = state.app.set_check_in(&current.session.actor, f.sitting, f.person, present).await;
    back(&to, r.map(|()| if present { "Đã điểm danh." } else { "Đã bỏ điểm danh." }.to_owned()))
}

#[derive(Debug, Deserialize)]
pub struct CheckInNameForm {
    sitting: i64,
    query: String,
}

pub async fn check_in_name(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<CheckInNameForm>,
) -> Response {
    let to = format!("/attendance?sitting={}", f.sitting);
    let r = state.app.check_in_by_name(&current.session.actor, f.sitting, &f.query).await;
    back(&to, r.map(|p| format!("{} có mặt.", p.full_name)))
}

#[derive(Debug, Deserialize)]
pub struct AbsenceForm {
    person: i64,
    absence: String,
    #[serde(default)]
    back: Option<String>,
}

pub async fn absence(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<AbsenceForm>,
) -> Response {
    let to = safe_next(f.back.as_deref());
    let r = state.app.set_absence(&current.session.actor, f.person, &f.absence).await;
    back(&to, r.map(|()| "Đã ghi tình trạng vắng mặt.".to_owned()))
}

#[derive(Debug, Deserialize)]
pub struct AlternateForm {
    alternate: i64,
    #[serde(default)]
    replaces: Option<String>,
}

pub async fn alternate(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<AlternateForm>,
) -> Response {
    let replaces = f.replaces.as_deref().and_then(|r| r.parse().ok());
    let r = state.app.summon_alternate(&current.session.actor, f.alternate, replaces).await;
    back("/attendance", r.map(|()| "Đã ghi việc triệu tập đại biểu dự khuyết.".to_owned()))
}
