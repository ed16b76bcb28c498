//! The superior committee's roll-up report across its congresses (rules.md § 9), as PDF (Typst, bar
//! charts drawn by the template) and as an Excel workbook (a sheet per part, native Excel charts).
//!
//! The input is typed and already counted: the aggregator maps its report into [`AggregateDoc`]
//! (this crate does not know the aggregator), with every percentage computed by the engine's
//! `Percent` on its base. Here the figures are only laid out.

use crate::{DocError, pdf, reproducible_workbook};
use serde::Serialize;

/// The longest sheet name Excel accepts.
const MAX_SHEET_NAME: usize = 31;

/// A roll-up report: the area, the day, the paragraph for the superior's own report, the parts as
/// tables and two charts drawn from the tables' own cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregateDoc {
    /// "BÁO CÁO TỔNG HỢP KẾT QUẢ ĐẠI HỘI".
    pub title: String,
    /// The area the report covers ("Đảng bộ tỉnh An Giang (mã 01)", "Toàn bộ các đơn vị").
    pub area: String,
    /// The day the figures were taken, `YYYY-MM-DD`.
    pub as_of: String,
    pub paragraph: String,
    pub parts: Vec<AggregatePart>,
    /// Bar charts, each drawn from columns of one part.
    pub charts: Vec<AggregateChart>,
}

/// One part of the report: a table (one Excel sheet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregatePart {
    /// The sheet's name (at most 31 characters, none of `[]:*?/\`).
    pub sheet: String,
    pub heading: String,
    /// A line under the heading (the base of the percentages, a limit on a list).
    pub note: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// The totals row, printed in bold after the rows.
    pub total: Option<Vec<Cell>>,
}

/// A cell of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Count(u64),
    /// Hundredths of a percent, from `baucu_rules::Percent`; `None` when the base is 0.
    Percent(Option<u64>),
}

/// A bar chart of a part: one bar group per row (the category is the text of `category_column`), one
/// series per value column. The totals row is not drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregateChart {
    pub title: String,
    /// Index into [`AggregateDoc::parts`].
    pub part: usize,
    pub category_column: usize,
    /// Columns of counts or of percentages (not mixed).
    pub value_columns: Vec<usize>,
}

impl Cell {
    /// As printed: counts as digits, percentages the Vietnamese way (`25,46`), `–` without a base.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Percent(Some(h)) => format!("{},{:02}", h / 100, h % 100),
            Cell::Percent(None) => "–".into(),
        }
    }

    /// The number a chart draws (a percentage in percent).
    fn value(&self) -> f64 {
        match self {
            Cell::Text(_) | Cell::Percent(None) => 0.0,
            Cell::Count(n) => *n as f64,
            Cell::Percent(Some(h)) => *h as f64 / 100.0,
        }
    }

    fn is_percent(&self) -> bool {
        matches!(self, Cell::Percent(_))
    }
}

/// What the template receives: every cell already written as text, and each chart's bars as numbers.
#[derive(Serialize)]
struct View<'a> {
    title: &'a str,
    area: &'a str,
    as_of: &'a str,
    paragraph: &'a str,
    parts: Vec<PartView<'a>>,
    charts: Vec<ChartView>,
}

#[derive(Serialize)]
struct PartView<'a> {
    heading: &'a str,
    note: &'a str,
    columns: &'a [String],
    /// Per column: is it a number (right-aligned)?
    numeric: Vec<bool>,
    rows: Vec<Vec<String>>,
    total: Option<Vec<String>>,
}

#[derive(Serialize)]
struct ChartView {
    title: String,
    /// After the part at this index.
    part: usize,
    percent: bool,
    series: Vec<String>,
    bars: Vec<BarGroup>,
    /// The largest value, so the template scales every bar to it.
    max: f64,
}

#[derive(Serialize)]
struct BarGroup {
    label: String,
    values: Vec<f64>,
    texts: Vec<String>,
}

impl AggregateDoc {
    /// Checks what the types cannot: rows as wide as the columns, charts naming existing columns,
    /// sheet names Excel accepts and unique.
    fn check(&self) -> Result<(), DocError> {
        let mut names = std::collections::BTreeSet::new();
        for p in &self.parts {
            if p.sheet.is_empty()
                || p.sheet.chars().count() > MAX_SHEET_NAME
                || p.sheet.contains(['[', ']', ':', '*', '?', '/', '\\'])
            {
                return Err(DocError(format!("tên trang tính không hợp lệ: \"{}\"", p.sheet)));
            }
            if !names.insert(p.sheet.to_lowercase()) {
                return Err(DocError(format!("tên trang tính bị trùng: \"{}\"", p.sheet)));
            }
            let width = p.columns.len();
            if p.rows.iter().chain(p.total.iter()).any(|r| r.len() != width) {
                return Err(DocError(format!("bảng \"{}\" có dòng không đủ {width} cột", p.heading)));
            }
        }
        for c in &self.charts {
            let part = self
                .parts
                .get(c.part)
                .ok_or_else(|| DocError(format!("biểu đồ \"{}\" chỉ tới bảng không có", c.title)))?;
            let width = part.columns.len();
            if c.category_column >= width
                || c.value_columns.is_empty()
                || c.value_columns.iter().any(|&v| v >= width)
            {
                return Err(DocError(format!("biểu đồ \"{}\" chỉ tới cột không có", c.title)));
            }
        }
        Ok(())
    }

    fn view(&self) -> View<'_> {
        let parts = self
            .parts
            .iter()
            .map(|p| {
                let numeric = (0..p.columns.len())
                    .map(|c| p.rows.iter().chain(p.total.iter()).any(|r| !matches!(r[c], Cell::Text(_))))
                    .collect();
                PartView {
                    heading: &p.heading,
                    note: &p.note,
                    columns: &p.columns,
                    numeric,
                    rows: p.rows.iter().map(|r| r.iter().map(Cell::text).collect()).collect(),
                    total: p.total.as_ref().map(|r| r.iter().map(Cell::text).collect()),
                }
            })
            .collect();
        let charts = self
            .charts
            .iter()
            .map(|c| {
                let part = &self.parts[c.part];
                let bars: Vec<BarGroup> = part
                    .rows
                    .iter()
                    .map(|r| BarGroup {
                        label: r[c.category_column].text(),
                        values: c.value_columns.iter().map(|&v| r[v].value()).collect(),
                        texts: c.value_columns.iter().map(|&v| r[v].text()).collect(),
                    })
                    .collect();
                let max = bars.iter().flat_map(|b| b.values.iter().copied()).fold(0.0, f64::max);
                let percent = part.rows.first().is_some_and(|r| r[c.value_columns[0]].is_percent());
                ChartView {
                    title: c.title.clone(),
                    part: c.part,
                    percent,
                    series: c.value_columns.iter().map(|&v| part.columns[v].clone()).collect(),
                    max: if percent { 100.0 } else { max.max(1.0) },
                    bars,
                }
            })
            .collect();
        View {
            title: &self.title,
            area: &self.area,
            as_of: &self.as_of,
            paragraph: &self.paragraph,
            parts,
            charts,
        }
    }

    /// The report as PDF: title, area and day, the paragraph, then each part's table with its charts
    /// drawn as bars after it.
    pub fn pdf(&self) -> Result<Vec<u8>, DocError> {
        self.check()?;
        pdf("aggregate.typ", &self.view())
    }

    /// The report as a workbook: a sheet per part (title rows with the area and the day, the table,
    /// percentages as numbers of percent with two decimals, the totals in bold) and a native Excel
    /// column chart beside each charted table.
    pub fn xlsx(&self) -> Result<Vec<u8>, DocError> {
        use rust_xlsxwriter::{Chart, Format};
        self.check()?;
        let fail = |e: rust_xlsxwriter::XlsxError| DocError(format!("không tạo được tệp Excel: {e}"));
        let mut book = reproducible_workbook().map_err(fail)?;
        let bold = Format::new().set_bold();
        let pct = Format::new().set_num_format("0.00");
        let pct_bold = Format::new().set_num_format("0.00").set_bold();
        // The table's header row on every sheet (after the title rows).
        const HEADER: u32 = 5;
        for (index, p) in self.parts.iter().enumerate() {
            let sheet = book.add_worksheet();
            sheet.set_name(&p.sheet).map_err(fail)?;
            sheet.write_string_with_format(0, 0, &self.title, &bold).map_err(fail)?;
            sheet.write_string(1, 0, format!("Đơn vị: {}", self.area)).map_err(fail)?;
            sheet.write_string(2, 0, format!("Số liệu đến ngày: {}", self.as_of)).map_err(fail)?;
            sheet.write_string_with_format(3, 0, &p.heading, &bold).map_err(fail)?;
            if !p.note.is_empty() {
                sheet.write_string(4, 0, &p.note).map_err(fail)?;
            }
            for (c, h) in p.columns.iter().enumerate() {
                sheet.write_string_with_format(HEADER, c as u16, h, &bold).map_err(fail)?;
            }
            let lines = p.rows.iter().map(|r| (r, false)).chain(p.total.iter().map(|r| (r, true)));
            for (i, (cells, strong)) in lines.enumerate() {
                let row = HEADER + 1 + i as u32;
                for (c, cell) in cells.iter().enumerate() {
                    let col = c as u16;
                    match (cell, strong) {
                        (Cell::Text(t), false) => sheet.write_string(row, col, t),
                        (Cell::Text(t), true) => sheet.write_string_with_format(row, col, t, &bold),
                        (Cell::Count(n), false) => sheet.write_number(row, col, *n as f64),
                        (Cell::Count(n), true) => sheet.write_number_with_format(row, col, *n as f64, &bold),
                        (Cell::Percent(Some(h)), s) => sheet.write_number_with_format(
                            row,
                            col,
                            *h as f64 / 100.0,
                            if s { &pct_bold } else { &pct },
                        ),
                        (Cell::Percent(None), _) => sheet.write_string(row, col, "–"),
                    }
                    .map_err(fail)?;
                }
            }
            sheet.set_column_width(0, 36).map_err(fail)?;
            for c in 1..p.columns.len() as u16 {
                sheet.set_column_width(c, 14).map_err(fail)?;
            }
            let mut chart_row = HEADER;
            for c in self.charts.iter().filter(|c| c.part == index && !p.rows.is_empty()) {
                let mut chart = Chart::new_column();
                chart.title().set_name(&c.title);
                let (first, last) = (HEADER + 1, HEADER + p.rows.len() as u32);
                for &v in &c.value_columns {
                    chart
                        .add_series()
                        .set_name((p.sheet.as_str(), HEADER, v as u16))
                        .set_categories((
                            p.sheet.as_str(),
                            first,
                            c.category_column as u16,
                            last,
                            c.category_column as u16,
                        ))
                        .set_values((p.sheet.as_str(), first, v as u16, last, v as u16));
                }
                chart.set_width(640).set_height(360);
                sheet.insert_chart(chart_row, p.columns.len() as u16 + 1, &chart).map_err(fail)?;
                chart_row += 20;
            }
        }
        book.save_to_buffer().map_err(fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> AggregateDoc {
        AggregateDoc {
            title: "BÁO CÁO TỔNG HỢP KẾT QUẢ ĐẠI HỘI".into(),
            area: "Đảng bộ tỉnh Thử (mã 01)".into(),
            as_of: "2025-06-30".into(),
            paragraph: "154/753 tổ chức cơ sở đảng đã tổ chức đại hội.".into(),
            parts: vec![AggregatePart {
                sheet: "Tiến độ".into(),
                heading: "1. Tiến độ đại hội".into(),
                note: "Tỷ lệ so với số tổ chức đảng.".into(),
                columns: vec!["Đơn vị".into(), "Số tổ chức".into(), "Đã đại hội".into(), "Tỷ lệ (%)".into()],
                rows: vec![
                    vec![
                        Cell::Text("Huyện Một".into()),
                        Cell::Count(753),
                        Cell::Count(154),
                        Cell::Percent(Some(2045)),
                    ],
                    vec![Cell::Text("Huyện Hai".into()), Cell::Count(0), Cell::Count(0), Cell::Percent(None)],
                ],
                total: Some(vec![
                    Cell::Text("Tổng số".into()),
                    Cell::Count(753),
                    Cell::Count(154),
                    Cell::Percent(Some(2045)),
                ]),
            }],
            charts: vec![AggregateChart {
                title: "Tiến độ".into(),
                part: 0,
                category_column: 0,
                value_columns: vec![1, 2],
            }],
        }
    }

    #[test]
    fn aggregate_pdf_and_xlsx_are_made() {
        let doc = sample();
        assert!(doc.pdf().expect("pdf").starts_with(b"%PDF"));
        assert!(doc.xlsx().expect("xlsx").starts_with(b"PK"));
        assert_eq!(Cell::Percent(Some(2546)).text(), "25,46");
        assert_eq!(Cell::Percent(None).text(), "–");
    }

    #[test]
    fn aggregate_refuses_ragged_rows_and_bad_charts() {
        let mut doc = sample();
        doc.parts[0].rows[0].pop();
        assert!(doc.pdf().is_err());
        let mut doc = sample();
        doc.charts[0].value_columns = vec![9];
        assert!(doc.xlsx().is_err());
        let mut doc = sample();
        doc.parts[0].sheet = "a/b".into();
        assert!(doc.xlsx().is_err());
    }
}
