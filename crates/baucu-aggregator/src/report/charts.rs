//! The report's two charts as inline SVG for the web pages (no script): the progress of each child
//! unit and the composition of the new bodies — the same figures as the PDF's and the workbook's
//! charts, read from the [`Report`]. Each chart is an image with a title and a description for
//! screen readers, and every bar carries its label and figure as text.

use super::{Body, Report, Share, body_label, vn_percent};
use std::fmt::Write as _;

const WIDTH: u32 = 720;
const LABEL: u32 = 220;
const BAR_AREA: u32 = 400;
const ROW: u32 = 22;
const COLOURS: [&str; 3] = ["#1f4e79", "#c55a11", "#548235"];

/// Text for SVG content and attributes.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A group of bars: its label, then each series' value (scaled against `max`) and printed figure.
struct Group {
    label: String,
    bars: Vec<(u64, String)>,
}

fn chart(id: &str, title: &str, description: &str, series: &[&str], groups: &[Group], max: u64) -> String {
    let per_group = series.len().max(1) as u32;
    let legend = 24u32;
    let height = legend + 8 + groups.len() as u32 * (per_group * ROW + 10) + 8;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(description)
    );
    let mut x = LABEL;
    for (i, s) in series.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="6" width="12" height="12" fill="{}"/><text x="{}" y="16" font-size="12">{}</text>"#,
            COLOURS[i % COLOURS.len()],
            x + 16,
            escape(s)
        );
        x += 24 + 8 * s.chars().count() as u32;
    }
    let mut y = legend + 8;
    for g in groups {
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>"#,
            LABEL - 8,
            y + ROW * per_group / 2 + 4,
            escape(&g.label)
        );
        for (i, (value, figure)) in g.bars.iter().enumerate() {
            let w = if max == 0 {
                0
            } else {
                (u128::from(*value) * u128::from(BAR_AREA) / u128::from(max)) as u32
            };
            let top = y + i as u32 * ROW;
            let name = series.get(i).copied().unwrap_or("");
            let _ = write!(
                svg,
                r#"<rect x="{LABEL}" y="{top}" width="{w}" height="{}" fill="{}"><title>{}: {}: {}</title></rect><text x="{}" y="{}" font-size="11">{}</text>"#,
                ROW - 6,
                COLOURS[i % COLOURS.len()],
                escape(&g.label),
                escape(name),
                escape(figure),
                LABEL + w + 4,
                top + ROW - 10,
                escape(figure)
            );
        }
        y += per_group * ROW + 10;
    }
    svg.push_str("</svg>");
    svg
}

/// For each row of the drill-down (the area's own unit, then each child): the units and how many
/// have held their congress (with the percentage of the units).
pub fn progress_svg(report: &Report) -> String {
    let groups: Vec<Group> = report
        .rows
        .iter()
        .map(|r| {
            let p = &r.figures.progress;
            Group {
                label: if r.own { format!("{} (chính đơn vị)", r.name) } else { r.name.clone() },
                bars: vec![(p.units, p.units.to_string()), (p.organised.count, share(&p.organised))],
            }
        })
        .collect();
    let max = groups.iter().flat_map(|g| g.bars.iter().map(|b| b.0)).max().unwrap_or(0);
    let t = &report.totals.progress;
    chart(
        "progress",
        "Tiến độ đại hội theo đơn vị",
        &format!(
            "{} đơn vị; {} đã tổ chức đại hội ({}).",
            t.units,
            t.organised.count,
            t.organised.percent.map_or("–".into(), |p| format!("{} %", vn_percent(p)))
        ),
        &["Số tổ chức đảng", "Đã tổ chức đại hội"],
        &groups,
        max,
    )
}

fn share(s: &Share) -> String {
    match s.percent {
        Some(p) => format!("{} ({} %)", s.count, vn_percent(p)),
        None => s.count.to_string(),
    }
}

/// The composition of the new committee, standing committee and inspection committee: for each
/// criterion, the percentage of each body's members.
pub fn composition_svg(report: &Report) -> String {
    let bodies = [Body::Committee, Body::StandingCommittee, Body::InspectionCommittee];
    let t = &report.totals;
    let groups: Vec<Group> = super::CRITERIA
        .iter()
        .map(|(label, pick)| Group {
            label: (*label).to_owned(),
            bars: bodies
                .iter()
                .map(|b| match t.body(*b) {
                    Some(c) => (pick(c).percent.map_or(0, |p| p.hundredths()), share(pick(c))),
                    None => (0, "0".to_owned()),
                })
                .collect(),
        })
        .collect();
    let members: Vec<String> = bodies
        .iter()
        .map(|b| format!("{} {} đồng chí", body_label(*b), t.body(*b).map_or(0, |c| c.members)))
        .collect();
    let series: Vec<&str> = bodies.iter().map(|b| body_label(*b)).collect();
    chart(
        "composition",
        "Cơ cấu cấp ủy, ban thường vụ, ủy ban kiểm tra mới (tỷ lệ so với số thành viên)",
        &members.join("; "),
        &series,
        &groups,
        10_000,
    )
}
