//! A congress of the area: status, dates and deadlines, the package versions received (with the
//! summary PDF and the file itself), the elected by body, the superior's decisions (approve a body,
//! refuse a person or a body, annul with a reason — each behind a confirm box), and its complaints.

use super::{back, csrf, download, failed, page, vn_time};
use crate::aggregator::guard::Signed;
use crate::aggregator::{AggState, blocking};
use crate::pages::{Notice, NoticeQuery};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::{Extension, Form};
use baucu_aggregator::AppError;
use baucu_aggregator::accounts::Permission;
use baucu_aggregator::calendar;
use baucu_aggregator::units::{self, UnitKey};
use baucu_aggregator::workflow::{self, BodyState, CongressView, Status};
use maud::{Markup, html};
use serde::Deserialize;

/// Today in Vietnam (the working-day deadlines count civil days there).
pub(crate) fn today() -> jiff::civil::Date {
    jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7))).date()
}

/// A stored `YYYY-MM-DD` as `dd/mm/yyyy` (an unreadable one as it is: the page still shows).
pub(crate) fn vn_day(day: Option<&str>) -> String {
    match day {
        Some(d) => calendar::parse_date("day", d).map_or_else(|_| d.to_owned(), calendar::vn_date),
        None => "—".into(),
    }
}

/// A unit code from the address: the characters of unit codes only.
fn unit_code(raw: &str) -> Result<String, AppError> {
    let ok = !raw.is_empty()
        && raw.len() <= 64
        && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok { Ok(raw.to_owned()) } else { Err(AppError::NotFound("đơn vị")) }
}

pub async fn congress_page(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Path(unit): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let unit = match unit_code(&unit) {
        Ok(u) => u,
        Err(e) => return failed(&signed, e),
    };
    let (db, actor) = (state.db.clone(), signed.actor.clone());
    let found = blocking(move || {
        let view = workflow::congress_view(&db, &actor, &unit, today())?;
        let keys = units::keys_of_unit(&db, &actor, &unit)?;
        Ok((view, keys))
    })
    .await;
    match found {
        Ok((view, keys)) => {
            let title = format!("Đại hội {}", view.unit_name);
            let body = html! { (congress_view(&signed, &view)) (keys_view(&signed, &view.unit_code, &keys)) };
            page(&title, &signed, "/units", &Notice::from(q), body)
        }
        Err(e) => failed(&signed, e),
    }
}

/// The node keys registered to the unit, each with a form to revoke it (a laptop lost or replaced).
fn keys_view(signed: &Signed, unit: &str, keys: &[UnitKey]) -> Markup {
    let may = signed.actor.role.may(Permission::Import);
    html! {
        h2 { "Khóa ký đã đăng ký" }
        @if keys.is_empty() {
            p.muted { "Đơn vị này chưa có khóa ký nào: gói kết quả của đơn vị sẽ bị từ chối cho đến khi đăng ký khóa (nhập lại danh sách đơn vị có cột \"Dấu vân tay khóa\")." }
        } @else {
            table.list {
                thead { tr { th { "Dấu vân tay" } th { "Đăng ký lúc" } th { "Tình trạng" } @if may { th { "Thu hồi" } } } }
                tbody {
                    @for k in keys {
                        tr {
                            td.small { code { (k.fingerprint) } }
                            td { (vn_time(k.registered_at)) }
                            td { @if let Some(at) = k.revoked_at { "Đã thu hồi lúc " (vn_time(at)) } @else { "Đang dùng" } }
                            @if may {
                                td {
                                    @if k.revoked_at.is_none() {
                                        form.inline method="post" action={ "/congress/" (unit) "/keys/revoke" } {
                                            (csrf(signed))
                                            input type="hidden" name="fingerprint" value=(k.fingerprint);
                                            input type="text" name="reason" required maxlength="500" placeholder="Lý do (máy bị mất, thay máy…)";
                                            label { input type="checkbox" name="confirm" value="yes" required; " Từ nay mọi gói ký bằng khóa này bị từ chối" }
                                            button type="submit" { "Thu hồi khóa" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    fingerprint: String,
    reason: String,
    #[serde(default)]
    confirm: Option<String>,
}

pub async fn revoke_key(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Path(unit): Path<String>,
    Form(f): Form<RevokeForm>,
) -> Response {
    let (db, actor) = (state.db.clone(), signed.actor.clone());
    let result = blocking(move || {
        if f.confirm.as_deref() != Some("yes") {
            return Err(AppError::invalid(
                "confirm",
                "Đánh dấu ô xác nhận để thu hồi khóa: việc này không hoàn tác được.",
            ));
        }
        units::revoke_key(&db, &actor, &f.fingerprint, &f.reason, jiff::Timestamp::now())
            .map(|_| "Đã thu hồi khóa: từ nay mọi gói ký bằng khóa này bị từ chối.".to_owned())
    })
    .await;
    back(&format!("/congress/{}", unit_code(&unit).unwrap_or_default()), result)
}

fn congress_view(signed: &Signed, c: &CongressView) -> Markup {
    let role = signed.actor.role;
    let base = format!("/congress/{}", c.unit_code);
    let decide = role.may(Permission::Decide);
    let pending: Vec<_> = c.bodies.iter().filter(|b| b.approvable && b.state == BodyState::Pending).collect();
    let decidable = matches!(c.status, Status::Reported | Status::Approved | Status::ApprovalRefused);
    html! {
        section.card {
            p {
                "Mã đơn vị: " code { (c.unit_code) } " · Trạng thái: "
                span class={ "status " (c.status.code()) } data-status=(c.status.code()) { (c.status_label) }
                @if let Some(on) = &c.status_on { " (từ " (vn_day(Some(on))) ")" }
            }
            @if let Some(name) = &c.name { p { strong { (name) } } }
            table.list {
                tbody {
                    @if let Some(o) = &c.organisation { tr { th { "Đảng bộ" } td { (o) } } }
                    @if let Some(t) = &c.term { tr { th { "Nhiệm kỳ" } td { (t) } } }
                    tr { th { "Khai mạc" } td { (vn_day(c.opened_on.as_deref())) } }
                    tr { th { "Bế mạc" } td { (vn_day(c.closed_on.as_deref())) } }
                    tr { th { "Nhận báo cáo" } td { (vn_day(c.reported_on.as_deref())) } }
                    @if let Some(direct) = c.direct_secretary {
                        tr { th { "Bí thư" } td { @if direct { "Đại hội bầu trực tiếp" } @else { "Ban Chấp hành bầu" } } }
                    }
                }
            }
        }
        @if !c.deadlines.is_empty() {
            h2 { "Thời hạn" }
            table.list {
                thead { tr { th { "Việc" } th { "Hạn" } th { "Đã xong" } th { "Tình trạng" } } }
                tbody {
                    @for d in &c.deadlines {
                        @let class = match d.urgency.map(|u| u.label()) { Some("quá hạn") => "alert-late", Some("sắp đến hạn") => "alert-soon", _ => "" };
                        tr class=(class) {
                            td { (d.label) } td { (d.due_vn) }
                            td { (vn_day(d.done_on.as_deref())) }
                            td { @if let Some(u) = d.urgency { (u.label()) } }
                        }
                    }
                }
            }
        }
        @if decide && matches!(c.status, Status::NotHeld | Status::Held | Status::Annulled) {
            form.inline method="post" action={ (base) "/held" } {
                (csrf(signed))
                label { "Ngày bế mạc " input type="date" name="closed_on" required; }
                button type="submit" { "Ghi đã tổ chức đại hội" }
            }
        }
        h2 { "Các phiên bản gói kết quả" }
        @if c.packages.is_empty() {
            p.muted { "Chưa nhận gói kết quả nào của đại hội này." }
        } @else {
            table.list {
                thead { tr { th { "Phiên bản" } th { "Nhận lúc" } th { "Người nhận" } th { "Khóa ký" } th { "Tải" } } }
                tbody {
                    @for p in &c.packages {
                        tr {
                            td.num { (p.version) @if p.current { " (đang dùng)" } }
                            td { (vn_time(p.received_at)) }
                            td { (p.received_by) }
                            td.small { code { (p.fingerprint) } }
                            td {
                                a href={ (base) "/packages/" (p.version) "/summary.pdf" } { "Tải bản tóm tắt PDF" }
                                " · "
                                a href={ (base) "/packages/" (p.version) "/package" } { "Tải gói" }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Kết quả bầu cử" }
        @for b in &c.bodies {
            h3 { (b.label) " — " (b.state.label()) }
            table.list data-body=(b.body) {
                thead { tr { th { "Họ và tên" } th { "Nữ" } th { "Năm sinh" } th { "Lần đầu" } th { "Số phiếu" } th { "Tỉ lệ" } th { "" } } }
                tbody {
                    @for e in &b.elected {
                        tr {
                            td { (e.name) @if e.alternate { " (dự khuyết)" } }
                            td { @if e.female { "Nữ" } }
                            td.num { @if let Some(y) = e.birth_year { (y) } }
                            td { @if e.first_time { "Lần đầu" } }
                            td.num { (e.votes) }
                            td.num { (format!("{},{:02} %", e.percent_of_base / 100, e.percent_of_base % 100)) }
                            td { @if e.refused { span.warn { "Không chuẩn y" } } }
                        }
                    }
                }
            }
        }
        @if decide && decidable {
            h2 { "Quyết định của cấp trên" }
            @if !pending.is_empty() {
                form.card.confirm method="post" action={ (base) "/approve" } {
                    (csrf(signed))
                    label { "Cơ quan " select name="body" required {
                        @for b in &pending { option value=(b.body) { (b.label) } }
                    } }
                    label.check { input type="checkbox" name="confirm" value="yes"; " Tôi xác nhận chuẩn y kết quả bầu cơ quan này." }
                    button.primary type="submit" { "Chuẩn y" }
                }
                form.card.confirm method="post" action={ (base) "/refuse" } {
                    (csrf(signed))
                    label { "Không chuẩn y " select name="target" required {
                        @for b in &pending {
                            option value=(b.body) { "Cả " (b.label) }
                            @for e in b.elected.iter().filter(|e| !e.alternate && !e.refused) {
                                option value={ (b.body) ":" (e.person) } { (e.name) " (" (b.label) ")" }
                            }
                        }
                    } }
                    label { "Lý do " textarea name="reason" maxlength="2000" required {} }
                    label.check { input type="checkbox" name="confirm" value="yes"; " Tôi xác nhận không chuẩn y." }
                    button type="submit" { "Không chuẩn y" }
                }
            }
            form.card.confirm method="post" action={ (base) "/annul" } {
                (csrf(signed))
                label { "Hủy kết quả " select name="body" {
                    option value="" { "Toàn bộ đại hội" }
                    @for b in c.bodies.iter().filter(|b| b.approvable && b.state != BodyState::Annulled) { option value=(b.body) { (b.label) } }
                } }
                label { "Lý do " textarea name="reason" maxlength="2000" required {} }
                label.check { input type="checkbox" name="confirm" value="yes"; " Tôi xác nhận hủy kết quả; đơn vị phải bầu lại." }
                button type="submit" { "Hủy kết quả" }
            }
        }
        @if !c.decisions.is_empty() || !c.annulments.is_empty() {
            h2 { "Các quyết định đã ghi" }
            table.list {
                thead { tr { th { "Ngày" } th { "Cơ quan" } th { "Quyết định" } th { "Lý do" } th { "Người ghi" } } }
                tbody {
                    @for d in &c.decisions {
                        tr {
                            td { (vn_day(Some(&d.decided_on))) }
                            td { (d.body_label) @if let Some(n) = &d.person_name { ": " (n) } }
                            td { @if d.approved { "Chuẩn y" } @else { "Không chuẩn y" } @if !d.current { " (phiên bản gói trước)" } }
                            td { (d.reason.as_deref().unwrap_or("")) }
                            td { (d.decided_by) }
                        }
                    }
                    @for a in &c.annulments {
                        tr { td { (vn_day(Some(&a.decided_on))) } td { (a.body_label) } td { "Hủy kết quả" } td { (a.reason) } td { (a.decided_by) } }
                    }
                }
            }
        }
        h2 { "Khiếu nại" }
        (super::complaints::complaint_table(signed, &c.complaints))
        @if role.may(Permission::LogComplaint) {
            form.card method="post" action={ (base) "/complaints" } {
                (csrf(signed))
                h3 { "Ghi nhận đơn khiếu nại" }
                label { "Ngày nhận " input type="date" name="received_on" required; }
                label { "Người khiếu nại " input name="complainant" maxlength="200" required; }
                label { "Về " select name="about" {
                    option value="" { "Toàn bộ đại hội" }
                    @for b in &c.bodies {
                        option value=(b.body) { (b.label) }
                        @for e in b.elected.iter().filter(|e| !e.alternate) {
                            option value={ (b.body) ":" (e.person) } { (e.name) " (" (b.label) ")" }
                        }
                    }
                } }
                label { "Nội dung " textarea name="summary" maxlength="4000" required {} }
                button type="submit" { "Ghi nhận khiếu nại" }
            }
        }
    }
}

/// A form's confirm box: the action happens only when it is ticked.
fn confirmed(confirm: Option<&str>) -> Result<(), AppError> {
    match confirm {
        Some("yes") => Ok(()),
        _ => Err(AppError::invalid("confirm", "Hãy đánh dấu ô xác nhận rồi bấm lại: chưa có gì thay đổi.")),
    }
}

/// `body` or `body:person` from a select.
pub(crate) fn split_target(target: &str) -> Result<(String, Option<i64>), AppError> {
    match target.split_once(':') {
        None => Ok((target.trim().to_owned(), None)),
        Some((body, person)) => match person.trim().parse::<i64>() {
            Ok(p) if p > 0 => Ok((body.trim().to_owned(), Some(p))),
            _ => Err(AppError::invalid("target", "Người được chọn không hợp lệ.")),
        },
    }
}

#[derive(Debug, Deserialize)]
pub struct HeldForm {
    closed_on: String,
}

pub async fn mark_held(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Path(unit): Path<String>,
    Form(f): Form<HeldForm>,
) -> Response {
    let (db, actor, unit2) = (state.db.clone(), signed.actor.clone(), unit.clone());
    let result = blocking(move || {
        let unit = unit_code(&unit2)?;
        let closed_on = calendar::parse_date("closed_on", &f.closed_on)?;
        workflow::mark_held(&db, &actor, &unit, closed_on, today())
    })
    .await;
    back(&format!("/congress/{unit}"), result.map(|()| "Đã ghi đại hội đã tổ chức.".to_owned()))
}

#[derive(Debug, Deserialize)]
pub struct ApproveForm {
    body: String,
    #[serde(default)]
    confirm: Option<String>,
}

pub async fn approve(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Path(unit): Path<String>,
    Form(f): Form<ApproveForm>,
) -> Response {
    let (db, actor, unit2) = (state.db.clone(), signed.actor.clone(), unit.clone());
    let result = blocking(move || {
        confirmed(f.confirm.as_deref())?;
        let unit = unit_code(&unit2)?;
        let body = workflow::parse_body("body", &f.body)?;
        let status = workflow::approve_body(&db, &actor, &unit, &f.body, today())?;
        Ok(format!("Đã chuẩn y {}. Trạng thái đại hội: {}.", workflow::body_label(body), status.label()))
    })
    .await;
    back(&format!("/congress/{unit}"), result)
}

#[derive(Debug, Deserialize)]
pub struct RefuseForm {
    target: String,
    reason: String,
    #[serde(default)]
    confirm: Option<String>,
}

pub async fn refuse(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Path(unit): Path<String>,
    Form(f): Form<RefuseForm>,
) -> Response {
    let (db, actor, unit2) = (state.db.clone(), signed.actor.clone(), unit.clone());
    let result = blocking(move || {
        confirmed(f.confirm.as_deref())?;
        let unit = unit_code(&unit2)?;
        let (body, person) = split_target(&f.target)?;
        let status = workflow::refuse(&db, &actor, &unit, &body, person, &f.reason, today())?;
        Ok(format!("Đã ghi không chuẩn y. Trạng thái đại hội: {}.", status.label()))
    })
    .await;
    back(&format!("/congress/{unit}"), result)
}

#[derive(Debug, Deserialize)]
pub struct AnnulForm {
    #[serde(default)]
    body: String,
    reason: String,
    #[serde(default)]
    confirm: Option<String>,
}

pub async fn annul(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Path(unit): Path<String>,
    Form(f): Form<AnnulForm>,
) -> Response {
    let (db, actor, unit2) = (state.db.clone(), signed.actor.clone(), unit.clone());
    let result = blocking(move || {
        confirmed(f.confirm.as_deref())?;
        let unit = unit_code(&unit2)?;
        let body = Some(f.body.as_str()).filter(|b| !b.trim().is_empty());
        let status = workflow::annul(&db, &actor, &unit, body, &f.reason, today())?;
        Ok(format!("Đã hủy kết quả. Trạng thái đại hội: {}.", status.label()))
    })
    .await;
    back(&format!("/congress/{unit}"), result)
}

/// The file of a package version of a congress of the actor's area. The congress is read through
/// the workflow first, which refuses a role that may not read it or a unit outside the actor's area;
/// only then is the file read (the store's query of `packages`).
async fn package_bytes(
    state: &AggState,
    signed: &Signed,
    unit: &str,
    version: i64,
) -> Result<Vec<u8>, AppError> {
    use baucu_app::baucu_store::aggregator::packages;
    let (db, actor, unit) = (state.db.clone(), signed.actor.clone(), unit_code(unit)?);
    blocking(move || {
        let view = workflow::congress_view(&db, &actor, &unit, today())?;
        if !view.packages.iter().any(|p| p.version == version) {
            return Err(AppError::NotFound("phiên bản gói kết quả này"));
        }
        let file = db.read(|tx| {
            let held = packages::versions(tx, &view.unit_code)?;
            match held.iter().find(|p| p.version == version) {
                Some(p) => packages::file(tx, p.id),
                None => Ok(None),
            }
        })?;
        file.ok_or(AppError::NotFound("phiên bản gói kết quả này"))
    })
    .await
}

pub async fn package_summary(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Path((unit, version)): Path<(String, i64)>,
) -> Response {
    let pdf = package_bytes(&state, &signed, &unit, version).await.and_then(|bytes| {
        let opened = baucu_exchange::open(&bytes).map_err(|r| AppError::Conflict(r.message()))?;
        baucu_exchange::summary_pdf(&opened.package).map_err(|r| AppError::Conflict(r.message()))
    });
    match pdf {
        Ok(pdf) => download("application/pdf", &format!("tom-tat-{unit}-v{version}.pdf"), pdf),
        Err(e) => failed(&signed, e),
    }
}

pub async fn package_file(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Path((unit, version)): Path<(String, i64)>,
) -> Response {
    match package_bytes(&state, &signed, &unit, version).await {
        Ok(bytes) => {
            download("application/octet-stream", &format!("goi-ket-qua-{unit}-v{version}.baucu"), bytes)
        }
        Err(e) => failed(&signed, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_unit_codes_are_parsed_once() {
        assert_eq!(split_target("committee").ok(), Some(("committee".into(), None)));
        assert_eq!(split_target("committee:12").ok(), Some(("committee".into(), Some(12))));
        assert!(split_target("committee:x").is_err());
        assert!(split_target("committee:-1").is_err());
        assert!(unit_code("01.001.0001").is_ok());
        assert!(unit_code("01/../x").is_err());
        assert!(unit_code("").is_err());
    }
}
