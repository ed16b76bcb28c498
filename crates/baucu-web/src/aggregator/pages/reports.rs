//! The report of an area (the actor's own by default) at one level or all: the charts, the tables
//! with the drill-down to each child unit, the paragraph ready to copy, and the XLSX and PDF files —
//! all read from the one `Report` the aggregator makes.

use super::congress::today;
use super::{download, failed, page, svg};
use crate::aggregator::guard::Signed;
use crate::aggregator::{AggState, blocking};
use crate::pages::Notice;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::Response;
use baucu_aggregator::AppError;
use baucu_aggregator::report::{self, FileKind, Report, Share, UnitLevel};
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    area: Option<String>,
    #[serde(default)]
    level: Option<String>,
}

impl ReportQuery {
    fn area(&self) -> Option<String> {
        self.area.as_deref().map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned)
    }

    /// The level chosen; empty is every level, anything unknown is refused.
    fn level(&self) -> Result<Option<UnitLevel>, AppError> {
        match self.level.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(code) => UnitLevel::parse(code).map(Some),
        }
    }

    /// The same choice as a query string, for the drill-down and the downloads.
    fn query(&self, area: Option<&str>) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if let Some(a) = area {
            pairs.push(("area", a));
        }
        if let Some(l) = self.level.as_deref().filter(|l| !l.is_empty()) {
            pairs.push(("level", l));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

async fn make(state: &AggState, signed: &Signed, q: &ReportQuery) -> Result<Report, AppError> {
    let (db, actor, area, level) = (state.db.clone(), signed.actor.clone(), q.area(), q.level()?);
    blocking(move || report::report_at_level(&db, &actor, area.as_deref(), level, today())).await
}

fn share(s: &Share) -> String {
    match s.percent {
        Some(p) => format!("{} ({} %)", s.count, report::vn_percent(p)),
        None => s.count.to_string(),
    }
}

fn pct(s: &Share) -> String {
    s.percent.map_or_else(|| "—".into(), |p| format!("{} %", report::vn_percent(p)))
}

pub async fn reports_page(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Query(q): Query<ReportQuery>,
) -> Response {
    match make(&state, &signed, &q).await {
        Ok(r) => page("Báo cáo tổng hợp", &signed, "/reports", &Notice::default(), view(&q, &r)),
        Err(e) => failed(&signed, e),
    }
}

fn view(q: &ReportQuery, r: &Report) -> Markup {
    let t = &r.totals;
    let here = q.query(r.area.code.as_deref());
    let chosen = q.level.as_deref().unwrap_or("");
    html! {
        form.toolbar method="get" action="/reports" {
            label { "Mã đơn vị (để trống: cả phạm vi của bạn) " input name="area" value=(r.area.code.as_deref().unwrap_or("")) maxlength="32"; }
            label { "Cấp " select name="level" {
                option value="" selected[chosen.is_empty()] { "Mọi cấp" }
                @for l in UnitLevel::ALL { option value=(l.code()) selected[chosen == l.code()] { (l.label()) } }
            } }
            button type="submit" { "Xem báo cáo" }
        }
        p {
            "Phạm vi: " strong data-figure="area" { (r.area.name) }
            " · Số liệu đến ngày " (baucu_aggregator::calendar::vn_date(r.as_of))
        }
        p.actions {
            a.button href={ "/reports/bao-cao.xlsx?" (here) } { "Tải báo cáo Excel" }
            " "
            a.button href={ "/reports/bao-cao.pdf?" (here) } { "Tải báo cáo PDF" }
        }
        h2 { "Đoạn văn tổng hợp" }
        p.muted { "Chép đoạn này vào báo cáo của cấp ủy; mọi con số lấy từ dữ liệu đã nhận." }
        textarea.paragraph readonly { (report::paragraph(r)) }
        h2 { "Biểu đồ" }
        div.charts {
            figure { figcaption { "Tiến độ đại hội" } (svg(&report::charts::progress_svg(r))) }
            figure { figcaption { "Cơ cấu cấp ủy, ban thường vụ, ủy ban kiểm tra" } (svg(&report::charts::composition_svg(r))) }
        }
        h2 { "Tiến độ" }
        table.list {
            thead { tr { th { "Đơn vị" } th { "Số tổ chức đảng" } th { "Đã tổ chức" } th { "Đã báo cáo" } th { "Đã chuẩn y" } th { "Không chuẩn y" } th { "Hủy, bầu lại" } } }
            tbody {
                @for row in &r.rows {
                    @let p = &row.figures.progress;
                    tr {
                        td {
                            @if row.own { (row.name) " (chính đơn vị)" }
                            @else { a href={ "/reports?" (q.query(Some(&row.code))) } { (row.name) } }
                            " " a.small href={ "/congress/" (row.code) } { "đại hội" }
                        }
                        td.num { (p.units) } td.num { (share(&p.organised)) } td.num { (share(&p.reported_total)) }
                        td.num { (share(&p.approved_share)) } td.num { (p.approval_refused) } td.num { (p.annulled) }
                    }
                }
                @let p = &t.progress;
                tr.total {
                    td { strong { "Cộng" } }
                    td.num data-figure="units" { (p.units) }
                    td.num data-figure="organised" { (share(&p.organised)) }
                    td.num data-figure="reported" { (share(&p.reported_total)) }
                    td.num data-figure="approved" { (share(&p.approved_share)) }
                    td.num data-figure="approval_refused" { (p.approval_refused) }
                    td.num data-figure="annulled" { (p.annulled) }
                }
            }
        }
        h2 { "Cơ cấu các cơ quan mới bầu" }
        table.list {
            thead { tr { th { "Cơ quan" } th { "Số người" } th { "Lần đầu" } th { "Nữ" } th { "Dưới 35 tuổi" } th { "Dân tộc thiểu số" } th { "Có tôn giáo" } } }
            tbody {
                @for b in &t.bodies {
                    tr {
                        td { (b.label) }
                        td.num data-figure={ (b.body.code()) ".members" } { (b.members) }
                        td.num data-figure={ (b.body.code()) ".first_time" } { (share(&b.first_time)) }
                        td.num data-figure={ (b.body.code()) ".women" } { (share(&b.women)) }
                        td.num data-figure={ (b.body.code()) ".under_35" } { (share(&b.under_35)) }
                        td.num { (share(&b.ethnic_minority)) }
                        td.num { (share(&b.religious)) }
                    }
                }
            }
        }
        h2 { "Bí thư: tỉ lệ phiếu bầu" }
        table.list {
            thead { tr { th { "" } th { "Số người" } th { "Thấp nhất" } th { "Cao nhất" } } }
            tbody {
                @for (label, v, key) in [("Tất cả", &t.secretaries.all, "all"), ("Đại hội bầu trực tiếp", &t.secretaries.direct, "direct"), ("Ban Chấp hành bầu", &t.secretaries.by_committee, "by_committee")] {
                    tr {
                        td { (label) }
                        td.num data-figure={ "secretaries." (key) } { (v.count) }
                        td.num { (v.min.map_or_else(|| "—".into(), |p| format!("{} %", report::vn_percent(p)))) }
                        td.num { (v.max.map_or_else(|| "—".into(), |p| format!("{} %", report::vn_percent(p)))) }
                    }
                }
            }
        }
        @if !t.secretaries.all.bands.is_empty() {
            table.list {
                thead { tr { th { "Tỉ lệ phiếu" } th { "Số bí thư" } th { "Tỉ lệ" } } }
                tbody { @for b in &t.secretaries.all.bands { tr { td { (b.label) } td.num { (b.secretaries.count) } td.num { (pct(&b.secretaries)) } } } }
            }
        }
        h2 { "Đại biểu dự đại hội cấp trên, phương án nhân sự, khiếu nại" }
        table.list {
            tbody {
                tr { th { "Đại biểu chính thức" } td.num data-figure="delegates.official" { (t.delegates.official) } }
                tr { th { "Đại biểu dự khuyết" } td.num data-figure="delegates.alternate" { (t.delegates.alternate) } }
                tr { th { "Khác phương án nhân sự" } td.num data-figure="departures" { (t.departures) } }
                tr { th { "Khiếu nại (đang giải quyết)" } td.num data-figure="complaints" { (t.complaints.total) " (" (t.complaints.pending) ")" } }
            }
        }
        @if !r.departures.is_empty() {
            details {
                summary { "Các trường hợp khác phương án nhân sự" }
                ul { @for d in &r.departures { li { (d.unit_name) " — " (report::body_label(d.body)) ": " (d.text) } } }
            }
        }
    }
}

async fn file(state: AggState, signed: Signed, q: ReportQuery, kind: FileKind, name: &str) -> Response {
    let made = match make(&state, &signed, &q).await {
        Ok(r) => blocking(move || report::render(&r, kind)).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(bytes) => download(kind.content_type(), name, bytes),
        Err(e) => failed(&signed, e),
    }
}

pub async fn report_xlsx(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Query(q): Query<ReportQuery>,
) -> Response {
    file(state, signed, q, FileKind::Xlsx, "bao-cao-tong-hop.xlsx").await
}

pub async fn report_pdf(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Query(q): Query<ReportQuery>,
) -> Response {
    file(state, signed, q, FileKind::Pdf, "bao-cao-tong-hop.pdf").await
}
