//! The holiday calendar (list by year, add, remove) and the working-day deadlines.

use super::{back, csrf, failed, page};
use crate::aggregator::guard::Signed;
use crate::aggregator::{AggState, blocking};
use crate::pages::NoticeQuery;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::{Extension, Form};
use baucu_aggregator::accounts::Permission;
use baucu_aggregator::calendar::{self, Deadlines};
use baucu_aggregator::workflow;
use maud::html;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct CalendarQuery {
    /// Text: numbers do not survive `flatten` in a query string.
    #[serde(default)]
    year: Option<String>,
    #[serde(flatten)]
    notice: NoticeQuery,
}

pub async fn calendar_page(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Query(q): Query<CalendarQuery>,
) -> Response {
    let (db, actor) = (state.db.clone(), signed.actor.clone());
    let loaded = blocking(move || Ok((workflow::holidays(&db, &actor)?, workflow::deadlines(&db)?))).await;
    let (days, deadlines) = match loaded {
        Ok(v) => v,
        Err(e) => return failed(&signed, e),
    };
    let mut years: Vec<i32> = days.iter().filter_map(|d| d.day.get(..4)?.parse().ok()).collect();
    years.dedup();
    let this_year = i32::from(super::congress::today().year());
    let year = q
        .year
        .as_deref()
        .and_then(|y| y.parse::<i32>().ok())
        .filter(|y| (1900..=2200).contains(y))
        .unwrap_or(this_year);
    let of_year: Vec<_> = days.iter().filter(|d| d.day.starts_with(&format!("{year:04}-"))).collect();
    let edit = signed.actor.role.may(Permission::EditHolidays);
    let admin = signed.actor.role.may(Permission::Administer);
    let content = html! {
        h2 { "Thời hạn (số ngày làm việc)" }
        form.card method="post" action="/calendar/deadlines" {
            (csrf(&signed))
            label { "Báo cáo kết quả đại hội sau bế mạc " input type="number" name="report_days" min="1" max=(calendar::MAX_DEADLINE_DAYS) value=(deadlines.report_days) disabled[!admin] required; }
            label { "Cấp trên chuẩn y sau khi nhận báo cáo " input type="number" name="approval_days" min="1" max=(calendar::MAX_DEADLINE_DAYS) value=(deadlines.approval_days) disabled[!admin] required; }
            label { "Nhận khiếu nại sau bế mạc " input type="number" name="complaint_days" min="1" max=(calendar::MAX_DEADLINE_DAYS) value=(deadlines.complaint_days) disabled[!admin] required; }
            @if admin { button type="submit" { "Lưu thời hạn" } }
        }
        h2 { "Ngày nghỉ năm " (year) }
        p { @for y in &years { a href={ "/calendar?year=" (y) } { (y) } " " } }
        p.muted { "Thứ Bảy và Chủ nhật luôn là ngày nghỉ; danh sách dưới đây là các ngày nghỉ lễ, Tết." }
        table.list {
            thead { tr { th { "Ngày" } th { "Tên" } th { "" } } }
            tbody {
                @for d in &of_year {
                    tr {
                        td { (d.day_vn) } td { (d.name) }
                        td { @if edit {
                            form.inline method="post" action="/calendar/holidays/remove" {
                                (csrf(&signed))
                                input type="hidden" name="day" value=(d.day);
                                button.small type="submit" { "Bỏ ngày nghỉ" }
                            }
                        } }
                    }
                }
            }
        }
        @if edit {
            form.card method="post" action="/calendar/holidays" {
                (csrf(&signed))
                label { "Ngày " input type="date" name="day" required; }
                label { "Tên " input name="name" maxlength="200" required; }
                button type="submit" { "Thêm ngày nghỉ" }
            }
        }
    };
    page("Ngày nghỉ và thời hạn", &signed, "/calendar", &q.notice.into(), content)
}

#[derive(Debug, Deserialize)]
pub struct HolidayForm {
    day: String,
    #[serde(default)]
    name: String,
}

fn year_of(day: &str) -> String {
    match day.get(..4).filter(|y| y.bytes().all(|b| b.is_ascii_digit())) {
        Some(y) => format!("/calendar?year={y}"),
        None => "/calendar".into(),
    }
}

pub async fn holiday_add(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Form(f): Form<HolidayForm>,
) -> Response {
    let to = year_of(&f.day);
    let (db, actor) = (state.db.clone(), signed.actor.clone());
    let result = blocking(move || workflow::put_holiday(&db, &actor, &f.day, &f.name)).await;
    back(&to, result.map(|()| "Đã lưu ngày nghỉ.".to_owned()))
}

pub async fn holiday_remove(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Form(f): Form<HolidayForm>,
) -> Response {
    let to = year_of(&f.day);
    let (db, actor) = (state.db.clone(), signed.actor.clone());
    let result = blocking(move || workflow::remove_holiday(&db, &actor, &f.day)).await;
    back(&to, result.map(|()| "Đã bỏ ngày nghỉ.".to_owned()))
}

#[derive(Debug, Deserialize)]
pub struct DeadlinesForm {
    report_days: String,
    approval_days: String,
    complaint_days: String,
}

pub async fn deadlines_save(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Form(f): Form<DeadlinesForm>,
) -> Response {
    let (db, actor) = (state.db.clone(), signed.actor.clone());
    let result = blocking(move || {
        let new = Deadlines {
            report_days: calendar::parse_deadline_days(calendar::REPORT_DAYS, &f.report_days)?,
            approval_days: calendar::parse_deadline_days(calendar::APPROVAL_DAYS, &f.approval_days)?,
            complaint_days: calendar::parse_deadline_days(calendar::COMPLAINT_DAYS, &f.complaint_days)?,
        };
        workflow::set_deadlines(&db, &actor, new)
    })
    .await;
    back("/calendar", result.map(|()| "Đã lưu thời hạn.".to_owned()))
}
