//! The audit page: whether the log's hash chain and the data are intact, and the log itself as
//! people read it — local time, one Vietnamese sentence per action — filtered by round, user and kind
//! (GET parameters; a value that names nothing is refused with its reason), and as a PDF.

use super::{Notice, app_error, layout};
use crate::AppState;
use crate::counting::file_response;
use crate::guard::Current;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use baucu_app::AppError;
use baucu_app::journal::{AUDIT_PAGE_LINES, AuditQuery, JOURNAL_ONLY, KINDS};
use maud::html;

/// The query string of the same filters, for the PDF link.
fn query_string(q: &AuditQuery) -> String {
    let fields: Vec<(&str, &str)> = [("round", &q.round), ("user", &q.user), ("kind", &q.kind)]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().filter(|v| !v.trim().is_empty()).map(|v| (k, v)))
        .collect();
    let encoded = serde_urlencoded::to_string(fields).unwrap_or_default();
    if encoded.is_empty() { String::new() } else { format!("?{encoded}") }
}

/// A filter value that names nothing: the page says which, with a way back (400).
fn refused(current: &Current, e: &AppError) -> Response {
    let notice = Notice { ok: None, err: Some(e.message()) };
    let content = html! { p { a href="/audit" { "Xem toàn bộ nhật ký thao tác" } } };
    (StatusCode::BAD_REQUEST, layout("Nhật ký thao tác", Some(current), "/audit", &notice, content))
        .into_response()
}

pub async fn audit_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(notice): Query<Notice>,
    Query(query): Query<AuditQuery>,
) -> Response {
    let actor = &current.session.actor;
    let pdf_link = format!("/audit/nhat-ky-thao-tac.pdf{}", query_string(&query));
    let audit = match state.app.readable_audit(actor, query).await {
        Ok(a) => a,
        Err(e @ AppError::Invalid(_)) => return refused(&current, &e),
        Err(e) => return app_error(e),
    };
    let report = match state.app.verify_integrity(None).await {
        Ok(r) => r,
        Err(e) => return app_error(e),
    };
    let f = &audit.filter;
    let content = html! {
        @if report.intact() {
            p.notice.ok {
                "Nhật ký và dữ liệu toàn vẹn: " (report.entries) " mục; không dòng dữ liệu nào bị sửa, thêm hay xóa ngoài phần mềm, và mọi lần bầu đã kết thúc tính lại đúng kết quả đã lưu."
            }
        } @else {
            div.notice.err {
                p { "Nhật ký hoặc dữ liệu KHÔNG toàn vẹn:" }
                ul { @for problem in &report.problems { li { (problem.message()) } } }
                @if report.unlisted > 0 { p { "… và " (report.unlisted) " chỗ khác." } }
            }
        }
        p.small { "Mã đầu chuỗi nhật ký (ghi lại để đối chiếu về sau bằng " code { "baucu audit verify --expect-head" } "): " code { (report.head) } }
        @if actor.role.may(baucu_app::Permission::ManageCounting) { p { a href="/backup" { "Sao lưu dữ liệu: tải về một bản sao đã kiểm tra" } } }
        form.search.audit-filter method="get" action="/audit" role="search" {
            label { "Lần bầu" br;
                select name="round" {
                    option value="" { "Tất cả" }
                    @for (id, title) in &audit.rounds { option value=(id) selected[f.round == Some(*id)] { (title) } }
                }
            }
            label { "Người thực hiện" br;
                select name="user" {
                    option value="" { "Tất cả" }
                    @for (username, name) in &audit.users { option value=(username) selected[f.user.as_deref() == Some(username.as_str())] { (name) } }
                }
            }
            label { "Thao tác" br;
                select name="kind" {
                    option value="" { "Tất cả" }
                    @for (code, label) in KINDS.iter().copied().filter(|(c, _)| !JOURNAL_ONLY.contains(c)) { option value=(code) selected[f.kind == Some(code)] { (label) } }
                }
            }
            button type="submit" { "Lọc" }
            a href=(pdf_link) { "Tải nhật ký đã lọc (PDF)" }
        }
        p.small {
            "Đang xem: " (audit.filter_text) ". Thời gian theo " (audit.zone) ". "
            @if audit.truncated { (AUDIT_PAGE_LINES) " mục mới nhất; tệp PDF có nhiều hơn." } @else { (audit.lines.len()) " mục." }
        }
        table.list.audit {
            thead { tr { th { "Số" } th { "Thời gian (" (audit.zone) ")" } th { "Người thực hiện" } th { "Việc đã làm" } } }
            tbody { @for l in &audit.lines {
                tr { td.num { (l.seq.unwrap_or_default()) } td { (l.at) } td { (l.actor) } td { (l.sentence) } }
            } }
        }
    };
    layout("Nhật ký thao tác", Some(&current), "/audit", &notice, content).into_response()
}

/// The filtered audit log as a PDF.
pub async fn audit_pdf(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(query): Query<AuditQuery>,
) -> Response {
    match state.app.audit_pdf(&current.session.actor, query).await {
        Ok(d) => file_response(d.content_type, &d.file_name, d.bytes),
        Err(e @ AppError::Invalid(_)) => refused(&current, &e),
        Err(e) => app_error(e),
    }
}
