//! "Nhận gói kết quả": a folder of result packages (a district's USB stick) or several files chosen
//! one by one, imported file by file with a verdict for each.

use super::{csrf, failed, page};
use crate::aggregator::guard::{CSRF_FIELD, Signed};
use crate::aggregator::upload::{self, Refused};
use crate::aggregator::{AggState, blocking};
use crate::pages::{Notice, NoticeQuery};
use axum::Extension;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use baucu_aggregator::import::{self, VerdictKind};
use maud::{Markup, html};

fn form(signed: &Signed) -> Markup {
    html! {
        form.card method="post" action={ "/packages?" (CSRF_FIELD) "=" (signed.csrf) } enctype="multipart/form-data" {
            p.muted {
                "Chọn cả thư mục chứa các gói (ví dụ thư mục trên USB của một đảng bộ huyện), hoặc chọn từng tệp. "
                "Mỗi lần tối đa " (upload::MAX_FILES) " tệp, mỗi tệp không quá " (upload::MAX_FILE_BYTES / (1024 * 1024)) " MB."
            }
            label { "Thư mục gói kết quả " input type="file" name="files" multiple webkitdirectory; }
            label { "Hoặc các tệp gói kết quả " input type="file" name="files" multiple; }
            button.primary type="submit" { "Nhận các gói đã chọn" }
        }
        (csrf(signed))
    }
}

fn verdict_label(kind: VerdictKind) -> &'static str {
    match kind {
        VerdictKind::Imported => "Đã nhận",
        VerdictKind::Duplicate => "Đã có từ trước",
        VerdictKind::Refused => "Từ chối",
    }
}

pub async fn packages_page(Extension(signed): Extension<Signed>, Query(q): Query<NoticeQuery>) -> Response {
    page("Nhận gói kết quả", &signed, "/packages", &Notice::from(q), form(&signed))
}

pub async fn packages_upload(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    mut multipart: Multipart,
) -> Response {
    let upload = match upload::read_files(&mut multipart, "files").await {
        Ok(u) => u,
        Err(Refused(message)) => {
            let notice = Notice { ok: None, err: Some(message) };
            let body = page("Nhận gói kết quả", &signed, "/packages", &notice, form(&signed));
            return (StatusCode::PAYLOAD_TOO_LARGE, body).into_response();
        }
    };
    if upload.files.is_empty() {
        let notice =
            Notice { ok: None, err: Some("Chưa chọn thư mục hay tệp gói kết quả nào.".into()) };
        let body = page("Nhận gói kết quả", &signed, "/packages", &notice, form(&signed));
        return (StatusCode::UNPROCESSABLE_ENTITY, body).into_response();
    }
    let (db, actor) = (state.db.clone(), signed.actor.clone());
    // Files not read (over the size of one package) get their verdict here; the rest go to the
    // import together, which orders them by unit and version.
    let mut unread = Vec::new();
    let mut files = Vec::new();
    for f in upload.files {
        match f.bytes {
            Ok(bytes) => files.push((f.name, bytes)),
            Err(why) => unread.push((f.name, why)),
        }
    }
    let reports = match blocking(move || Ok(import::import_files(&db, &actor, files))).await {
        Ok(r) => r,
        Err(e) => return failed(&signed, e),
    };
    let mut summary = import::Summary::of(&reports);
    summary.refused += unread.len();
    let imported = summary.imported;
    let content = html! {
        p data-import-summary { (summary.sentence()) }
        table.list.import-report {
            thead { tr { th { "Tệp" } th { "Kết quả" } th { "Đơn vị" } th { "Chi tiết" } } }
            tbody {
                @for r in &reports {
                    tr data-file=(r.file) data-verdict=(r.code) class=[(!r.accepted()).then_some("mismatch")] {
                        td { (r.file) }
                        td { (verdict_label(r.kind)) }
                        td { @if let Some(u) = &r.unit_code { a href={ "/congress/" (u) } { (u) } @if let Some(v) = r.version { " (phiên bản " (v) ")" } } }
                        td { (r.message) }
                    }
                }
                @for (name, why) in &unread {
                    tr data-file=(name) data-verdict="too_large" class="mismatch" {
                        td { (name) } td { (verdict_label(VerdictKind::Refused)) } td {} td { "Tệp " (name) ": " (why) }
                    }
                }
            }
        }
        @if imported > 0 { p { a href="/units" { "Xem cây đơn vị" } } }
        h2 { "Nhận thêm" }
        (form(&signed))
    };
    page("Nhận gói kết quả", &signed, "/packages", &Notice::default(), content)
}
