//! The aggregator's pages, in Vietnamese, for the superior committee's office: what every page shares
//! (the frame with its navigation, the CSRF field, notices after an action); each area has its file.

mod calendar;
mod complaints;
mod congress;
mod dashboard;
mod login;
mod packages;
mod reports;
mod units;
mod users;

pub use calendar::{calendar_page, deadlines_save, holiday_add, holiday_remove};
pub use complaints::{complaint_log, complaint_outcome, complaint_verifier, complaints_page};
pub use congress::{
    annul, approve, congress_page, mark_held, package_file, package_summary, refuse, revoke_key,
};
pub use dashboard::dashboard;
pub use login::{login_page, login_submit, logout};
pub use packages::{packages_page, packages_upload};
pub use reports::{report_pdf, report_xlsx, reports_page};
pub use units::{BODY_LIMIT as UNITS_BODY_LIMIT, units_import, units_page};
pub use users::{user_create, users_page};

use super::guard::{CSRF_FIELD, Signed};
use crate::pages::Notice;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use baucu_aggregator::AppError;
use baucu_aggregator::accounts::Permission;
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// The node's stylesheet and the few rules of the aggregator's own pages (tree, charts, alerts).
pub async fn stylesheet() -> Response {
    const EXTRA: &str = include_str!("aggregator.css");
    let css = format!("{}\n{EXTRA}", include_str!("../../assets/style.css"));
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], css)
        .into_response()
}

pub(crate) fn csrf(signed: &Signed) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(signed.csrf); }
}

fn nav_item(href: &str, label: &str, active: &str) -> Markup {
    html! { a href=(href) class=[(href == active).then_some("active")] { (label) } }
}

/// The frame of every page of the aggregator.
pub(crate) fn layout(
    title: &str,
    signed: Option<&Signed>,
    active: &str,
    notice: &Notice,
    content: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — baucu tổng hợp" }
                link rel="stylesheet" href="/static/style.css";
            }
            body {
                header.top {
                    a.brand href="/" { "baucu" span { "Tổng hợp kết quả đại hội" } }
                    @if let Some(s) = signed {
                        @let role = s.actor.role;
                        nav {
                            (nav_item("/", "Tổng quan", active))
                            (nav_item("/units", "Đơn vị", active))
                            @if role.may(Permission::Import) { (nav_item("/packages", "Nhận gói kết quả", active)) }
                            (nav_item("/complaints", "Khiếu nại", active))
                            (nav_item("/calendar", "Ngày nghỉ, thời hạn", active))
                            (nav_item("/reports", "Báo cáo", active))
                            @if role.may(Permission::Administer) { (nav_item("/users", "Tài khoản", active)) }
                        }
                        form.logout method="post" action="/logout" {
                            (csrf(s))
                            span.who { (s.actor.username) " · " (role.label()) }
                            button.link type="submit" { "Đăng xuất" }
                        }
                    }
                }
                main {
                    h1 { (title) }
                    @if let Some(ok) = &notice.ok { p.notice.ok role="status" { (ok) } }
                    @if let Some(err) = &notice.err { p.notice.err role="alert" { (err) } }
                    (content)
                }
            }
        }
    }
}

/// A page answered with the frame.
pub(crate) fn page(title: &str, signed: &Signed, active: &str, notice: &Notice, content: Markup) -> Response {
    layout(title, Some(signed), active, notice, content).into_response()
}

/// The error page of a failed application call, in the frame.
pub(crate) fn failed(signed: &Signed, e: AppError) -> Response {
    let status = match &e {
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let title = match status {
        StatusCode::FORBIDDEN => "Không có quyền",
        StatusCode::NOT_FOUND => "Không tìm thấy",
        _ => "Có lỗi",
    };
    let content = html! { p { (e.message()) } p { a href="/" { "Về trang tổng quan" } } };
    (status, layout(title, Some(signed), "", &Notice::default(), content)).into_response()
}

/// Redirects to `to` with the notice of what happened (the node's signed notices).
pub(crate) fn back(to: &str, result: Result<String, AppError>) -> Response {
    crate::pages::back(to, result)
}

/// A file to save.
pub(crate) fn download(content_type: &str, file_name: &str, bytes: Vec<u8>) -> Response {
    crate::counting::file_response(content_type, file_name, bytes)
}

/// An SVG chart made by the report layer, put into the page as it is (it is the aggregator's own
/// markup, made from numbers and escaped labels, never from text a user typed unescaped).
pub(crate) fn svg(chart: &str) -> Markup {
    PreEscaped(chart.to_owned())
}

/// Unix seconds as `dd/mm/yyyy hh:mm` in Vietnam's time.
pub(crate) fn vn_time(unix: i64) -> String {
    let Ok(ts) = jiff::Timestamp::from_second(unix) else { return String::new() };
    let zoned = ts.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)));
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        zoned.day(),
        zoned.month(),
        zoned.year(),
        zoned.hour(),
        zoned.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_as_people_read_them() {
        assert_eq!(vn_time(0), "01/01/1970 07:00");
        assert_eq!(vn_time(1_767_225_600), "01/01/2026 07:00");
    }
}
