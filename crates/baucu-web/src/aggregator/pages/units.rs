//! The tree of units with drill-down (province → district → grassroots): for the chosen unit, itself
//! and each child with the progress of the congresses under it; a unit without children shows its
//! congress's status and leads to its congress page (dates, deadlines, results). And the import of
//! the table of units from Excel ("Nhập danh sách đơn vị").

use super::congress::today;
use super::{back, failed, page};
use crate::aggregator::guard::Signed;
use crate::aggregator::{AggState, blocking};
use crate::pages::NoticeQuery;
use axum::Extension;
use axum::extract::{Multipart, Query, State};
use axum::response::Response;
use baucu_aggregator::AppError;
use baucu_aggregator::accounts::Permission;
use baucu_aggregator::report::{self, LevelProgress, Share};
use baucu_aggregator::units;
use maud::{Markup, html};
use serde::Deserialize;

/// The body limit of the units workbook upload: the file and the multipart wrapping.
pub const BODY_LIMIT: usize = units::MAX_BYTES + 64 * 1024;

#[derive(Debug, Deserialize)]
pub struct UnitsQuery {
    #[serde(default)]
    area: Option<String>,
    #[serde(flatten)]
    notice: NoticeQuery,
}

fn share(s: &Share) -> String {
    match s.percent {
        Some(p) => format!("{} ({} %)", s.count, report::vn_percent(p)),
        None => s.count.to_string(),
    }
}

/// The status of a single congress, read from the progress of a group of one unit.
fn single_status(p: &LevelProgress) -> (&'static str, &'static str) {
    if p.approved == 1 {
        ("approved", "Đã chuẩn y")
    } else if p.approval_refused == 1 {
        ("approval_refused", "Không chuẩn y")
    } else if p.reported == 1 {
        ("reported", "Đã báo cáo, chờ chuẩn y")
    } else if p.held == 1 {
        ("held", "Đã tổ chức, chưa nhận báo cáo")
    } else if p.annulled == 1 {
        ("annulled", "Đã hủy, phải bầu lại")
    } else {
        ("not_held", "Chưa tổ chức")
    }
}

fn progress_cells(p: &LevelProgress) -> Markup {
    html! {
        @if p.units == 1 {
            @let (code, label) = single_status(p);
            td colspan="4" { span class={ "status " (code) } data-status=(code) { (label) } }
        } @else {
            td.num { (p.units) } td.num { (share(&p.organised)) } td.num { (share(&p.reported_total)) } td.num { (share(&p.approved_share)) }
        }
    }
}

pub async fn units_page(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Query(q): Query<UnitsQuery>,
) -> Response {
    let area = q.area.as_deref().map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned);
    let (db, actor) = (state.db.clone(), signed.actor.clone());
    let r = match blocking(move || report::report(&db, &actor, area.as_deref(), today())).await {
        Ok(r) => r,
        Err(e) => return failed(&signed, e),
    };
    let import = signed.actor.role.may(Permission::Import);
    let content = html! {
        p { "Đơn vị: " strong { (r.area.name) } @if let Some(code) = &r.area.code { " (" code { (code) } ")" } }
        @if r.rows.is_empty() {
            p.muted { "Chưa có đơn vị nào. Hãy nhập danh sách đơn vị từ tệp Excel." }
        } @else {
            table.list.units {
                thead { tr { th { "Đơn vị" } th { "Cấp" } th { "Số tổ chức đảng" } th { "Đã tổ chức" } th { "Đã báo cáo" } th { "Đã chuẩn y" } } }
                tbody {
                    @for row in &r.rows {
                        tr data-unit=(row.code) {
                            td {
                                @if row.own || row.figures.progress.units == 1 {
                                    a href={ "/congress/" (row.code) } { (row.name) }
                                    @if row.own { " (đại hội của chính đơn vị)" }
                                } @else {
                                    a href={ "/units?area=" (row.code) } { (row.name) }
                                }
                            }
                            td { (row.level.label()) }
                            (progress_cells(&row.figures.progress))
                        }
                    }
                }
            }
        }
        @if import {
            h2 { "Nhập danh sách đơn vị" }
            p.muted { "Tệp Excel (.xlsx) gồm mã đơn vị, mã đơn vị cấp trên, tên, cấp và dấu vân tay khóa của máy đại hội. Đơn vị đã có được cập nhật; không xóa đơn vị nào." }
            form.card method="post" action={ "/units/import?" (crate::aggregator::guard::CSRF_FIELD) "=" (signed.csrf) } enctype="multipart/form-data" {
                label { "Tệp danh sách đơn vị " input type="file" name="file" accept=".xlsx" required; }
                button.primary type="submit" { "Nhập danh sách đơn vị" }
            }
        }
    };
    page("Đơn vị", &signed, "/units", &q.notice.into(), content)
}

pub async fn units_import(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    mut multipart: Multipart,
) -> Response {
    let mut file = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name: String =
                    field.file_name().unwrap_or("danh-sach-don-vi.xlsx").chars().take(200).collect();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b.to_vec())),
                    Err(_) => return back("/units", Err(too_large())),
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => return back("/units", Err(too_large())),
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return back("/units", Err(AppError::invalid("file", "Chưa chọn tệp danh sách đơn vị.")));
    };
    let (db, actor) = (state.db.clone(), signed.actor.clone());
    let result = blocking(move || units::import_workbook(&db, &actor, &bytes, &name)).await;
    back("/units", result.map(|r| r.summary()))
}

fn too_large() -> AppError {
    let message = format!(
        "Không đọc được tệp gửi lên (tệp không quá {} MB); hãy chọn lại tệp rồi nhập.",
        units::MAX_BYTES / (1024 * 1024)
    );
    AppError::invalid("file", message)
}
