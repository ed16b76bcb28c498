//! The audit page: the latest entries of the audit log and whether its hash chain is intact.

use super::{Notice, app_error, layout};
use crate::AppState;
use crate::guard::Current;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::html;

pub async fn audit_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(notice): Query<Notice>,
) -> Response {
    let actor = &current.session.actor;
    let (entries, report) =
        match (state.app.recent_audit(actor, 300).await, state.app.verify_integrity(None).await) {
            (Ok(e), Ok(r)) => (e, r),
            (Err(e), _) | (_, Err(e)) => return app_error(e),
        };
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
        table.list.audit {
            thead { tr { th { "Số" } th { "Thời gian (UTC)" } th { "Người thực hiện" } th { "Thao tác" } th { "Nội dung" } } }
            tbody { @for e in &entries {
                tr { td.num { (e.seq) } td { (e.at.get(..19).unwrap_or(&e.at).replace('T', " ")) } td { (e.actor) } td { code { (e.action) } } td.small { code { (e.data) } } }
            } }
        }
    };
    layout("Nhật ký thao tác", Some(&current), "/audit", &notice, content).into_response()
}
