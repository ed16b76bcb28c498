//! The report as files: the PDF and the workbook through `baucu_docs::aggregate` (the report mapped
//! into its typed input, every figure as the report holds it) and the JSON of the report itself.

use super::{Body, Figures, Report, Share, UnitLevel, body_label, paragraph};
use crate::AppError;
use baucu_docs::aggregate::{AggregateChart, AggregateDoc, AggregatePart, Cell};
use std::path::Path;

/// The kind of file a report is written to, told by the file name's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Xlsx,
    Pdf,
    Json,
}

impl FileKind {
    /// `.xlsx`, `.pdf` or `.json` (any case); anything else is refused, naming the extension.
    pub fn from_path(path: &Path) -> Result<FileKind, AppError> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("xlsx") => Ok(FileKind::Xlsx),
            Some("pdf") => Ok(FileKind::Pdf),
            Some("json") => Ok(FileKind::Json),
            other => Err(AppError::invalid(
                "to",
                format!(
                    "Không biết ghi báo cáo ra tệp \"{}\": tên tệp phải kết thúc bằng .xlsx, .pdf hoặc .json.",
                    match other {
                        Some(e) => format!(".{e}"),
                        None => path.display().to_string(),
                    }
                ),
            )),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Pdf => "application/pdf",
            FileKind::Json => "application/json",
        }
    }
}

/// The report written as `kind`.
pub fn render(report: &Report, kind: FileKind) -> Result<Vec<u8>, AppError> {
    match kind {
        FileKind::Json => serde_json::to_vec_pretty(report)
            .map_err(|e| AppError::Conflict(format!("Không ghi được báo cáo dạng JSON: {e}"))),
        FileKind::Pdf => document(report).pdf().map_err(|e| AppError::Conflict(e.0)),
        FileKind::Xlsx => document(report).xlsx().map_err(|e| AppError::Conflict(e.0)),
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn pct(s: &Share) -> Cell {
    Cell::Percent(s.percent.map(|p| p.hundredths()))
}

/// The three bodies of the composition table and chart.
const MAIN_BODIES: [Body; 3] = [Body::Committee, Body::StandingCommittee, Body::InspectionCommittee];

fn row_name(r: &super::GroupRow) -> String {
    if r.own { format!("{} (chính đơn vị)", r.name) } else { r.name.clone() }
}

fn progress_cells(label: String, p: &super::LevelProgress) -> Vec<Cell> {
    vec![
        text(label),
        Cell::Count(p.units),
        Cell::Count(p.organised.count),
        pct(&p.organised),
        Cell::Count(p.reported_total.count),
        Cell::Count(p.approved),
        Cell::Count(p.approval_refused),
        Cell::Count(p.annulled),
        Cell::Count(p.not_held),
        Cell::Count(p.direct_secretary),
    ]
}

fn composition_cells(label: String, f: &Figures) -> Vec<Cell> {
    let mut cells = vec![text(label)];
    match f.body(Body::Committee) {
        Some(b) => {
            cells.push(Cell::Count(b.members));
            for s in [&b.first_time, &b.women, &b.under_35, &b.ethnic_minority, &b.religious] {
                cells.push(Cell::Count(s.count));
                cells.push(pct(s));
            }
        }
        None => cells.extend((0..11).map(|_| Cell::Count(0))),
    }
    cells
}

fn secretary_cells(label: String, f: &Figures) -> Vec<Cell> {
    let s = &f.secretaries;
    let h = |p: Option<baucu_rules::Percent>| Cell::Percent(p.map(|p| p.hundredths()));
    vec![
        text(label),
        Cell::Count(s.all.count),
        h(s.all.min),
        h(s.all.max),
        Cell::Count(s.direct.count),
        h(s.direct.min),
        h(s.direct.max),
    ]
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// The report as the document's typed input.
pub fn document(report: &Report) -> AggregateDoc {
    let t = &report.totals;
    let rows = &report.rows;
    let area = match &report.area.code {
        Some(code) => format!("{} (mã {code})", report.area.name),
        None => report.area.name.clone(),
    };
    let area = match report.level {
        Some(l) => format!("{area} — chỉ tính {}", l.noun()),
        None => area,
    };
    let progress_columns = strings(&[
        "Đơn vị",
        "Số tổ chức đảng",
        "Đã đại hội",
        "Tỷ lệ đã đại hội (%)",
        "Đã báo cáo",
        "Đã chuẩn y",
        "Không chuẩn y",
        "Bị hủy",
        "Chưa đại hội",
        "Bầu trực tiếp bí thư",
    ]);
    let mut parts = vec![
        AggregatePart {
            sheet: "Tiến độ".into(),
            heading: "1. Tiến độ đại hội theo đơn vị".into(),
            note: "Tỷ lệ so với số tổ chức đảng của đơn vị.".into(),
            columns: progress_columns.clone(),
            rows: rows.iter().map(|r| progress_cells(row_name(r), &r.figures.progress)).collect(),
            total: Some(progress_cells("Tổng số".into(), &t.progress)),
        },
        AggregatePart {
            sheet: "Tiến độ theo cấp".into(),
            heading: "2. Tiến độ đại hội theo cấp".into(),
            note: "Tỷ lệ so với số tổ chức đảng của từng cấp.".into(),
            columns: {
                let mut c = progress_columns;
                c[0] = "Cấp".into();
                c
            },
            rows: t
                .levels
                .iter()
                .map(|l| progress_cells(l.level.map_or("", UnitLevel::label).to_owned(), l))
                .collect(),
            total: Some(progress_cells("Tổng số".into(), &t.progress)),
        },
    ];
    // The composition: a row per criterion, a count and a percentage per body.
    let mut columns = vec!["Tiêu chí".to_owned()];
    for body in MAIN_BODIES {
        columns.push(format!("{}: số người", body_label(body)));
        columns.push(format!("{}: tỷ lệ (%)", body_label(body)));
    }
    let composition_rows = super::CRITERIA
        .iter()
        .map(|(label, pick)| {
            let mut cells = vec![text(*label)];
            for body in MAIN_BODIES {
                match t.body(body) {
                    Some(b) => {
                        cells.push(Cell::Count(pick(b).count));
                        cells.push(pct(pick(b)));
                    }
                    None => cells.extend([Cell::Count(0), Cell::Percent(None)]),
                }
            }
            cells
        })
        .collect();
    let mut members = vec![text("Tổng số đồng chí")];
    for body in MAIN_BODIES {
        let n = t.body(body).map_or(0, |b| b.members);
        members.push(Cell::Count(n));
        members.push(Cell::Percent(baucu_rules::Percent::of(n, n).map(|p| p.hundredths())));
    }
    parts.push(AggregatePart {
        sheet: "Cơ cấu".into(),
        heading: "3. Cơ cấu cấp ủy, ban thường vụ, ủy ban kiểm tra mới".into(),
        note: "Tỷ lệ so với tổng số thành viên của từng cơ quan.".into(),
        columns,
        rows: composition_rows,
        total: Some(members),
    });
    let mut columns = vec!["Đơn vị".to_owned(), "Số cấp ủy viên".to_owned()];
    for (c, _) in super::CRITERIA {
        columns.push(c.to_owned());
        columns.push(format!("{c} (%)"));
    }
    parts.push(AggregatePart {
        sheet: "Cơ cấu cấp ủy theo đơn vị".into(),
        heading: "4. Cơ cấu cấp ủy mới theo đơn vị".into(),
        note: "Tỷ lệ so với số cấp ủy viên của đơn vị.".into(),
        columns,
        rows: rows.iter().map(|r| composition_cells(row_name(r), &r.figures)).collect(),
        total: Some(composition_cells("Tổng số".into(), t)),
    });
    let qualification_rows = |kind: &str, list: &[super::Qualification]| -> Vec<Vec<Cell>> {
        list.iter()
            .map(|q| {
                vec![
                    text(body_label(q.body)),
                    text(kind),
                    text(if q.label.is_empty() { "(không ghi)" } else { q.label.as_str() }),
                    Cell::Count(q.members.count),
                    pct(&q.members),
                ]
            })
            .collect()
    };
    let mut qrows = qualification_rows("Chuyên môn", &report.education);
    qrows.extend(qualification_rows("Lý luận chính trị", &report.theory));
    parts.push(AggregatePart {
        sheet: "Trình độ".into(),
        heading: "5. Trình độ chuyên môn và lý luận chính trị".into(),
        note: "Tỷ lệ so với tổng số thành viên của cơ quan.".into(),
        columns: strings(&["Cơ quan", "Loại", "Trình độ", "Số người", "Tỷ lệ (%)"]),
        rows: qrows,
        total: None,
    });
    parts.push(AggregatePart {
        sheet: "Bí thư".into(),
        heading: "6. Tỷ lệ phiếu bầu của bí thư".into(),
        note: "Tỷ lệ so với số làm căn cứ tính kết quả bầu cử của lần bầu.".into(),
        columns: strings(&[
            "Đơn vị",
            "Số bí thư",
            "Thấp nhất (%)",
            "Cao nhất (%)",
            "Bầu trực tiếp tại đại hội",
            "Trực tiếp: thấp nhất (%)",
            "Trực tiếp: cao nhất (%)",
        ]),
        rows: rows.iter().map(|r| secretary_cells(row_name(r), &r.figures)).collect(),
        total: Some(secretary_cells("Tổng số".into(), t)),
    });
    let s = &t.secretaries;
    parts.push(AggregatePart {
        sheet: "Phân bố phiếu bí thư".into(),
        heading: "7. Phân bố tỷ lệ phiếu bầu của bí thư".into(),
        note: "Tỷ lệ so với số bí thư của cột.".into(),
        columns: strings(&["Mức tỷ lệ phiếu", "Tất cả", "Tỷ lệ (%)", "Bầu trực tiếp", "Tỷ lệ (%)"]),
        rows: s
            .all
            .bands
            .iter()
            .zip(&s.direct.bands)
            .map(|(a, d)| {
                vec![
                    text(a.label.clone()),
                    Cell::Count(a.secretaries.count),
                    pct(&a.secretaries),
                    Cell::Count(d.secretaries.count),
                    pct(&d.secretaries),
                ]
            })
            .collect(),
        total: Some(vec![
            text("Tổng số"),
            Cell::Count(s.all.count),
            Cell::Percent(baucu_rules::Percent::of(s.all.count, s.all.count).map(|p| p.hundredths())),
            Cell::Count(s.direct.count),
            Cell::Percent(baucu_rules::Percent::of(s.direct.count, s.direct.count).map(|p| p.hundredths())),
        ]),
    });
    let delegate_cells = |label: String, f: &Figures| {
        vec![text(label), Cell::Count(f.delegates.official), Cell::Count(f.delegates.alternate)]
    };
    parts.push(AggregatePart {
        sheet: "Đại biểu".into(),
        heading: "8. Đại biểu dự đại hội cấp trên".into(),
        note: String::new(),
        columns: strings(&["Đơn vị", "Chính thức", "Dự khuyết"]),
        rows: rows.iter().map(|r| delegate_cells(row_name(r), &r.figures)).collect(),
        total: Some(delegate_cells("Tổng số".into(), t)),
    });
    parts.push(AggregatePart {
        sheet: "Khác phương án".into(),
        heading: "9. Kết quả khác phương án nhân sự".into(),
        note: if t.departures as usize > report.departures.len() {
            format!(
                "Tổng số {} trường hợp; liệt kê {} trường hợp đầu.",
                t.departures,
                report.departures.len()
            )
        } else {
            format!("Tổng số {} trường hợp.", t.departures)
        },
        columns: strings(&["Đơn vị", "Cơ quan", "Nội dung"]),
        rows: report
            .departures
            .iter()
            .map(|d| {
                vec![
                    text(format!("{} ({})", d.unit_name, d.unit_code)),
                    text(body_label(d.body)),
                    text(d.text.clone()),
                ]
            })
            .collect(),
        total: None,
    });
    let complaint_cells = |label: String, f: &Figures| {
        let c = &f.complaints;
        vec![
            text(label),
            Cell::Count(c.total),
            Cell::Count(c.pending),
            Cell::Count(c.upheld),
            Cell::Count(c.dismissed),
            Cell::Count(c.withdrawn),
        ]
    };
    parts.push(AggregatePart {
        sheet: "Khiếu nại".into(),
        heading: "10. Khiếu nại về bầu cử".into(),
        note: String::new(),
        columns: strings(&["Đơn vị", "Tổng số", "Đang giải quyết", "Có cơ sở", "Không có cơ sở", "Rút đơn"]),
        rows: rows.iter().map(|r| complaint_cells(row_name(r), &r.figures)).collect(),
        total: Some(complaint_cells("Tổng số".into(), t)),
    });
    AggregateDoc {
        title: "BÁO CÁO TỔNG HỢP KẾT QUẢ ĐẠI HỘI".into(),
        area,
        as_of: report.as_of.to_string(),
        paragraph: paragraph(report),
        parts,
        charts: vec![
            AggregateChart {
                title: "Tiến độ đại hội theo đơn vị".into(),
                part: 0,
                category_column: 0,
                value_columns: vec![1, 2],
            },
            AggregateChart {
                title: "Cơ cấu cấp ủy, ban thường vụ, ủy ban kiểm tra mới (%)".into(),
                part: 2,
                category_column: 0,
                value_columns: vec![2, 4, 6],
            },
        ],
    }
}
