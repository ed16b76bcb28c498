//! "Tài liệu đại hội": the documents the office used to write by hand, to download — the credentials
//! report and the report of the congress's results (for the whole congress), the candidates' summary
//! list and the poll ballots (for each election list). The files are made by the application
//! (`baucu_app::documents`) when asked for; this page only links them. The election rules read to the
//! congress and the presidium's running script are among the congress's documents; the guided screen
//! that follows the running script live is `/guide` (`guide.rs`).

use super::{Notice, app_error, layout};
use crate::AppState;
use crate::counting::file_response;
use crate::guard::Current;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use baucu_app::AppError;
use baucu_app::documents::{OfficeFormat, PollKind};
use maud::{Markup, html};

/// One link per format: "PDF", "Word", "Excel".
fn links(base: &str, formats: &[OfficeFormat]) -> Markup {
    html! {
        @for f in formats {
            @let (ext, label) = match f {
                OfficeFormat::Pdf => ("pdf", "PDF"),
                OfficeFormat::Docx => ("docx", "Word"),
                OfficeFormat::Xlsx => ("xlsx", "Excel"),
            };
            a.button href={ (base) "." (ext) } { (label) } " "
        }
    }
}

pub async fn documents_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(notice): Query<Notice>,
) -> Response {
    let actor = &current.session.actor;
    let elections = match state.app.elections(actor).await {
        Ok(e) => e,
        Err(e) => return app_error(e),
    };
    use OfficeFormat::{Docx, Pdf, Xlsx};
    let content = html! {
        p {
            "Các tài liệu văn phòng đại hội thường phải đánh máy lại, lập từ chính số liệu đã ghi: điểm danh, "
            "danh sách bầu cử và kết quả từng lần bầu. Mỗi lần tải là một bản mới theo số liệu lúc tải."
        }
        p { "Đoàn Chủ tịch theo dõi trình tự đại hội từng bước trên trang " a href="/guide" { "Điều hành đại hội" } "." }
        p { "Gói kết quả đã ký gửi cấp ủy cấp trên: trang " a href="/package" { "Gói kết quả" } "." }
        h2 { "Tài liệu của cả đại hội" }
        table.list {
            thead { tr { th { "Tài liệu" } th { "Tải về" } } }
            tbody {
                tr {
                    td { "Báo cáo thẩm tra tư cách đại biểu (số triệu tập, có mặt, vắng mặt, số làm căn cứ, cơ cấu người có mặt)" }
                    td { (links("/documents/files/tham-tra-tu-cach", &[Pdf, Docx, Xlsx])) }
                }
                tr {
                    td { "Báo cáo kết quả đại hội gửi cấp trên (các cơ quan được bầu, số phiếu, tỷ lệ, cơ cấu)" }
                    td { (links("/documents/files/bao-cao-ket-qua", &[Pdf, Docx])) }
                }
                tr {
                    td { "Thể lệ bầu cử đọc tại đại hội (ban kiểm phiếu, số lượng và danh sách từng cuộc bầu theo thứ tự trên phiếu, cách bầu, phiếu không hợp lệ, số làm căn cứ và số phiếu tối thiểu để trúng cử)" }
                    td { (links("/documents/files/the-le-bau-cu", &[Pdf, Docx])) }
                }
                tr {
                    td { "Kịch bản điều hành của Đoàn Chủ tịch (trình tự đại hội và lời dẫn, điền sẵn số liệu điểm danh, các biểu quyết, danh sách bầu cử)" }
                    td { (links("/documents/files/kich-ban-dieu-hanh", &[Pdf, Docx])) }
                }
            }
        }
        h2 { "Tài liệu của từng cuộc bầu" }
        @if elections.is_empty() {
            p { "Chưa có cuộc bầu nào." }
        } @else {
            table.list {
                thead { tr { th { "Cuộc bầu" } th { "Danh sách trích ngang" } th { "Phiếu giới thiệu" } th { "Phiếu xin ý kiến" } } }
                tbody {
                    @for e in &elections {
                        @let base = format!("/documents/elections/{}", e.id);
                        tr {
                            td { (e.title()) }
                            td { (links(&format!("{base}/trich-ngang"), &[Pdf, Docx, Xlsx])) }
                            td { (links(&format!("{base}/phieu-gioi-thieu"), &[Pdf])) }
                            td { (links(&format!("{base}/phieu-xin-y-kien"), &[Pdf])) }
                        }
                    }
                }
            }
        }
        p.small {
            "Biên bản kiểm phiếu, kết quả (Excel), phiếu bầu và nhật ký nhập phiếu của từng lần bầu ở trang của lần bầu đó; "
            "danh sách trúng cử ở trang cuộc bầu."
        }
    };
    layout("Tài liệu đại hội", Some(&current), "/documents", &notice, content).into_response()
}

/// Splits `name.ext` into the document's name and its format; an unknown format is not a document.
fn split(file: &str) -> Result<(&str, OfficeFormat), AppError> {
    let (stem, ext) = file.rsplit_once('.').ok_or(AppError::NotFound("tài liệu này"))?;
    Ok((stem, OfficeFormat::from_extension(ext).ok_or(AppError::NotFound("tài liệu này"))?))
}

/// A document of the whole congress.
pub async fn congress_document(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(file): Path<String>,
) -> Response {
    let actor = &current.session.actor;
    let download = match split(&file) {
        Ok(("tham-tra-tu-cach", f)) => state.app.credentials_report(actor, f).await,
        Ok(("bao-cao-ket-qua", f)) => state.app.results_report(actor, f).await,
        Ok(("the-le-bau-cu", f)) => state.app.rules_text(actor, f).await,
        Ok(("kich-ban-dieu-hanh", f)) => state.app.running_script(actor, f).await,
        Ok(_) => Err(AppError::NotFound("tài liệu này")),
        Err(e) => Err(e),
    };
    match download {
        Ok(d) => file_response(d.content_type, &d.file_name, d.bytes),
        Err(e) => app_error(e),
    }
}

/// A document of one election list.
pub async fn election_document(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path((id, file)): Path<(i64, String)>,
) -> Response {
    let actor = &current.session.actor;
    let download = match split(&file) {
        Ok(("trich-ngang", f)) => state.app.summary_list(actor, id, f).await,
        Ok(("phieu-gioi-thieu", OfficeFormat::Pdf)) => {
            state.app.poll_ballot(actor, id, PollKind::Nominate).await
        }
        Ok(("phieu-xin-y-kien", OfficeFormat::Pdf)) => {
            state.app.poll_ballot(actor, id, PollKind::Opinion).await
        }
        Ok(_) => Err(AppError::NotFound("tài liệu này")),
        Err(e) => Err(e),
    };
    match download {
        Ok(d) => file_response(d.content_type, &d.file_name, d.bytes),
        Err(e) => app_error(e),
    }
}
