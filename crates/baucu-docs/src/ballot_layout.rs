//! One ballot, one sheet: the single place that decides how a ballot is laid out. From the number of
//! names, their widths in the embedded font and the header's texts it chooses the paper (A5, A4, A3,
//! never smaller than the one asked for), one to three columns and the type size of the names
//! (from the paper's size down to [`MIN_NAME_PT`]), so that every name stands on one line of one page.
//! A list that fits nowhere is refused; a ballot is never continued on a second page. The template
//! (`templates/ballot.typ`) takes these numbers as they are and checks, when it lays the page out, that
//! the ballot's content is no taller than the page (a compile error otherwise, never a second page).

use crate::{DocError, FONTS, Paper};
use std::sync::LazyLock;

/// The smallest type of the names: a delegate must read every name without glasses he does not own.
pub const MIN_NAME_PT: f64 = 10.0;
/// Below this size a second (or third) column is preferred to a smaller type in one column.
const COMFORT_NAME_PT: f64 = 11.0;
/// At most three columns: beyond that the list no longer reads as one list.
pub const MAX_COLUMNS: u8 = 3;
const MM: f64 = 72.0 / 25.4;
/// Page margins (docs/ballot-geometry.md): nothing in the bottom 36 mm, the QR code's place.
const SIDE_MM: f64 = 15.0;
const TOP_MM: f64 = 15.0;
const BOTTOM_MM: f64 = 36.0;
const GUTTER_MM: f64 = 4.0;
/// Vertical padding of a table row and horizontal padding of a cell, in em of the names' size.
const INSET_Y_EM: f64 = 0.12;
const INSET_X_EM: f64 = 0.3;
/// The side of an agree/disagree box, in em of the names' size.
const BOX_EM: f64 = 1.1;
/// Space between lines of one paragraph, in em (the template's `par(leading)`).
const LEADING_EM: f64 = 0.3;
/// What the width sum misses (kerning, rounding): every measured width is taken this much larger.
const WIDTH_SLACK: f64 = 1.04;
const FOOTER_PT: f64 = 9.0;
/// The space kept between the table and the footer, and the margin of safety of the estimate.
const FOOTER_GAP_MM: f64 = 3.0;
const SAFETY_MM: f64 = 3.0;

struct Faces {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
    italic: ttf_parser::Face<'static>,
    /// Ascender + descender of the serif, in em: the height of a line (the template sets the text's
    /// edges to them).
    line_em: f64,
}

static FACES: LazyLock<Option<Faces>> = LazyLock::new(|| {
    let regular = ttf_parser::Face::parse(FONTS[0], 0).ok()?;
    let bold = ttf_parser::Face::parse(FONTS[1], 0).ok()?;
    let italic = ttf_parser::Face::parse(FONTS[2], 0).ok()?;
    let upem = f64::from(regular.units_per_em());
    let line_em = (f64::from(regular.ascender()) - f64::from(regular.descender())) / upem;
    Some(Faces { regular, bold, italic, line_em })
});

#[derive(Debug, Clone, Copy)]
enum Style {
    Regular,
    Bold,
    Italic,
}

impl Faces {
    /// The advance width of `text` in em (a glyph the font lacks counts as a wide one).
    fn width_em(&self, style: Style, text: &str) -> f64 {
        let face = match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
            Style::Italic => &self.italic,
        };
        let upem = f64::from(face.units_per_em());
        let units: f64 = text
            .chars()
            .map(|c| {
                face.glyph_index(c).and_then(|g| face.glyph_hor_advance(g)).map_or(0.7 * upem, f64::from)
            })
            .sum();
        units / upem * WIDTH_SLACK
    }

    /// How many lines `text` takes at `size` pt in a measure of `width` pt, words wrapped greedily.
    fn lines(&self, style: Style, text: &str, size: f64, width: f64) -> usize {
        if text.trim().is_empty() {
            return 0;
        }
        let space = self.width_em(style, " ") * size;
        let mut lines = 1;
        let mut used = 0.0;
        for word in text.split_whitespace() {
            let w = self.width_em(style, word) * size;
            if used > 0.0 && used + space + w > width {
                lines += 1 + (w / width).floor() as usize;
                used = w % width;
            } else if used > 0.0 {
                used += space + w;
            } else {
                lines += (w / width).floor() as usize;
                used = w % width;
            }
        }
        lines
    }

    /// The height of a paragraph of `lines` lines at `size` pt.
    fn paragraph(&self, lines: usize, size: f64) -> f64 {
        if lines == 0 {
            return 0.0;
        }
        lines as f64 * self.line_em * size + (lines - 1) as f64 * LEADING_EM * size
    }
}

/// The texts of a ballot above and below the names, which take their share of the page.
#[derive(Debug, Clone, Copy)]
pub struct BallotTexts<'a> {
    pub organisation: &'a str,
    pub heading: &'a str,
    pub congress: &'a str,
    pub term: &'a str,
    pub instruction: &'a str,
    pub footer: &'a str,
}

/// How a ballot is printed: the numbers the template lays out (lengths in pt unless named `_mm`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BallotLayout {
    /// The paper one ballot is printed on.
    #[serde(skip)]
    pub paper: Paper,
    /// The paper that was asked for.
    #[serde(skip)]
    pub requested: Paper,
    /// Two A5 ballots on one A4 sheet (landscape), to be cut in two.
    pub two_per_sheet: bool,
    pub columns: u8,
    pub rows_per_column: usize,
    /// The type size of the names.
    pub name_size: f64,
    /// The type size of the header and the instruction.
    pub header_size: f64,
    pub title_size: f64,
    pub ballot_width_mm: f64,
    pub ballot_height_mm: f64,
    pub page_width_mm: f64,
    pub page_height_mm: f64,
    pub stamp_width_mm: f64,
    pub stamp_height_mm: f64,
    pub gap_mm: f64,
    pub side_mm: f64,
    pub top_mm: f64,
    pub bottom_mm: f64,
    pub gutter_mm: f64,
    pub number_width: f64,
    pub agree_width: f64,
    pub disagree_width: f64,
    pub inset_x: f64,
    pub inset_y: f64,
    pub box_side: f64,
    pub leading_em: f64,
    pub footer_size: f64,
    pub footer_gap_mm: f64,
}

impl Paper {
    /// Width and height in mm, portrait.
    pub fn size_mm(self) -> (f64, f64) {
        match self {
            Paper::A5 => (148.0, 210.0),
            Paper::A4 => (210.0, 297.0),
            Paper::A3 => (297.0, 420.0),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Paper::A5 => "A5",
            Paper::A4 => "A4",
            Paper::A3 => "A3",
        }
    }

    /// The type size of the header, and the largest of the names.
    fn base_size(self) -> f64 {
        match self {
            Paper::A5 => 11.0,
            Paper::A4 | Paper::A3 => 13.0,
        }
    }

    /// This paper and the larger ones, smallest first.
    fn and_larger(self) -> &'static [Paper] {
        match self {
            Paper::A5 => &[Paper::A5, Paper::A4, Paper::A3],
            Paper::A4 => &[Paper::A4, Paper::A3],
            Paper::A3 => &[Paper::A3],
        }
    }
}

/// "10,5" for 10.5: sizes are whole or half points.
fn points(size: f64) -> String {
    let halves = (size * 2.0).round() as i64;
    if halves % 2 == 0 { format!("{}", halves / 2) } else { format!("{},5", halves / 2) }
}

impl BallotLayout {
    /// The sheets a print run of `copies` ballots takes.
    pub fn sheets(&self, copies: u32) -> u32 {
        if self.two_per_sheet { copies.div_ceil(2) } else { copies }
    }

    /// What the clerk is told: the paper, columns and type chosen, and why the paper is not the one
    /// asked for when it is not.
    pub fn describe(&self, names: usize, asked_two_per_sheet: bool) -> String {
        let mut text = format!(
            "Phiếu bầu in trên một tờ {}{}, {} cột, tên cỡ chữ {} pt.",
            self.paper.label(),
            if self.two_per_sheet { " (hai phiếu trên một tờ A4 để cắt đôi)" } else { "" },
            self.columns,
            points(self.name_size)
        );
        if self.paper != self.requested {
            text.push_str(&format!(
                " Danh sách {names} người không vừa một tờ {} nên phiếu được in trên khổ {}.",
                self.requested.label(),
                self.paper.label()
            ));
        }
        if asked_two_per_sheet && !self.two_per_sheet {
            text.push_str(
                " Chỉ phiếu khổ A5 mới in được hai phiếu trên một tờ A4; mỗi phiếu in trên một tờ riêng.",
            );
        }
        text
    }
}

/// Decides how a ballot is printed: the first of the papers from `requested` up (A5, A4, A3) on
/// which every name fits on one line of one page, with, on that paper, one to three columns of type
/// at least 11 pt (fewest columns first, then the largest type), else one to three columns down to
/// 10 pt. `two_per_sheet` applies when the paper chosen is A5. Refuses a list that fits nowhere.
pub fn ballot_layout(
    requested: Paper,
    two_per_sheet: bool,
    agree_disagree: bool,
    names: &[String],
    texts: &BallotTexts<'_>,
) -> Result<BallotLayout, DocError> {
    let faces = FACES.as_ref().ok_or_else(|| DocError("không đọc được phông chữ của phiếu bầu.".into()))?;
    if names.is_empty() {
        return Err(DocError("Danh sách bầu cử trống: không có gì để in trên phiếu.".into()));
    }
    let widest_em = names.iter().map(|n| faces.width_em(Style::Regular, n)).fold(0.0, f64::max);
    let number_em =
        faces.width_em(Style::Bold, "TT").max(faces.width_em(Style::Regular, &names.len().to_string()));
    let agree_em = faces.width_em(Style::Bold, "Đồng ý");
    let disagree_em = faces.width_em(Style::Bold, "Không đồng ý");
    let name_header_em = faces.width_em(Style::Bold, "Họ và tên");
    for &paper in requested.and_larger() {
        let base = paper.base_size();
        let (width_mm, height_mm) = paper.size_mm();
        let text_width = (width_mm - 2.0 * SIDE_MM) * MM;
        let body_height = (height_mm - TOP_MM - BOTTOM_MM) * MM;
        let (stamp_w, stamp_h, gap, title) =
            if paper == Paper::A5 { (38.0, 18.0, 3.0, 15.0) } else { (45.0, 22.0, 6.0, 18.0) };
        // The header: organisation (left half) over the stamp area; title, heading, congress, term;
        // the instruction; then the footer under the names.
        let organisation =
            faces.lines(Style::Bold, &texts.organisation.to_uppercase(), base, text_width / 2.0);
        let left = faces.paragraph(organisation.max(1), base) + 2.0 * MM + stamp_h * MM;
        let heading = faces.lines(Style::Bold, texts.heading, base, text_width);
        let congress = faces.lines(Style::Regular, texts.congress, base, text_width);
        let term = usize::from(!texts.term.is_empty());
        let instruction = faces.lines(Style::Italic, texts.instruction, base, text_width);
        let header = left
            + gap * MM
            + faces.paragraph(1, title)
            + faces.paragraph(heading + congress + term, base)
            + LEADING_EM * base
            + 4.0 * MM
            + faces.paragraph(instruction, base);
        let footer =
            faces.paragraph(faces.lines(Style::Regular, texts.footer, FOOTER_PT, text_width), FOOTER_PT);
        let room = body_height - header - footer - (FOOTER_GAP_MM + SAFETY_MM) * MM;
        let halves: Vec<u32> = (20..=(base * 2.0) as u32).rev().collect();
        let comfortable: Vec<u32> =
            halves.iter().copied().filter(|h| f64::from(*h) / 2.0 >= COMFORT_NAME_PT).collect();
        let small: Vec<u32> =
            halves.iter().copied().filter(|h| f64::from(*h) / 2.0 < COMFORT_NAME_PT).collect();
        for band in [&comfortable, &small] {
            for columns in 1..=MAX_COLUMNS {
                for &h in band {
                    let size = f64::from(h) / 2.0;
                    let inset_x = INSET_X_EM * size;
                    let inset_y = INSET_Y_EM * size;
                    let column_width =
                        (text_width - f64::from(columns - 1) * GUTTER_MM * MM) / f64::from(columns);
                    let number_width = number_em * size + 2.0 * inset_x;
                    let (agree_width, disagree_width) = if agree_disagree {
                        (agree_em * size + 2.0 * inset_x, disagree_em * size + 2.0 * inset_x)
                    } else {
                        (0.0, 0.0)
                    };
                    let name_width = column_width - number_width - agree_width - disagree_width;
                    if widest_em.max(name_header_em) * size + 2.0 * inset_x > name_width {
                        continue;
                    }
                    let rows = names.len().div_ceil(usize::from(columns));
                    let line = if agree_disagree { faces.line_em.max(BOX_EM) } else { faces.line_em };
                    let row_height = line * size + 2.0 * inset_y;
                    if (rows + 1) as f64 * row_height > room {
                        continue;
                    }
                    let two_up = two_per_sheet && paper == Paper::A5;
                    let (page_width_mm, page_height_mm) =
                        if two_up { (297.0, 210.0) } else { (width_mm, height_mm) };
                    return Ok(BallotLayout {
                        paper,
                        requested,
                        two_per_sheet: two_up,
                        columns,
                        rows_per_column: rows,
                        name_size: size,
                        header_size: base,
                        title_size: title,
                        ballot_width_mm: if two_up { 148.5 } else { width_mm },
                        ballot_height_mm: height_mm,
                        page_width_mm,
                        page_height_mm,
                        stamp_width_mm: stamp_w,
                        stamp_height_mm: stamp_h,
                        gap_mm: gap,
                        side_mm: SIDE_MM,
                        top_mm: TOP_MM,
                        bottom_mm: BOTTOM_MM,
                        gutter_mm: GUTTER_MM,
                        number_width,
                        agree_width,
                        disagree_width,
                        inset_x,
                        inset_y,
                        box_side: BOX_EM * size,
                        leading_em: LEADING_EM,
                        footer_size: FOOTER_PT,
                        footer_gap_mm: FOOTER_GAP_MM,
                    });
                }
            }
        }
    }
    Err(DocError(format!(
        "Danh sách {} người không in vừa một tờ phiếu, kể cả khổ A3 chia {MAX_COLUMNS} cột với tên cỡ chữ \
         nhỏ nhất {} pt. Một phiếu bầu không được in trên nhiều tờ: hãy xem lại danh sách (hoặc những tên \
         quá dài).",
        names.len(),
        points(MIN_NAME_PT)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts() -> BallotTexts<'static> {
        BallotTexts {
            organisation: "Đảng bộ xã Thượng Kiệm",
            heading: "Bầu Ban Chấp hành Đảng bộ xã",
            congress: "Đại hội đại biểu Đảng bộ xã Thượng Kiệm lần thứ XXV",
            term: "2025–2030",
            instruction: "Gạch ngang cả họ và tên người không bầu.",
            footer: "Bầu 9 trong số 11 người. Phiếu chỉ hợp lệ khi có dấu của cấp ủy triệu tập đại hội.",
        }
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("Nguyễn Thị Phương Thảo {i}")).collect()
    }

    #[test]
    fn ballot_one_sheet_small_lists_stay_on_the_paper_asked_for_in_one_column() {
        let l = ballot_layout(Paper::A5, true, false, &names(5), &texts()).expect("layout");
        assert_eq!((l.paper, l.columns, l.name_size, l.two_per_sheet), (Paper::A5, 1, 11.0, true));
        assert_eq!(l.sheets(7), 4);
    }

    #[test]
    fn ballot_one_sheet_larger_lists_grow_columns_then_paper_and_the_clerk_is_told() {
        let l = ballot_layout(Paper::A5, true, false, &names(90), &texts()).expect("layout");
        assert_ne!(l.paper, Paper::A5);
        assert!(!l.two_per_sheet);
        let said = l.describe(90, true);
        assert!(said.contains("không vừa một tờ A5"), "{said}");
        assert!(said.contains("mỗi phiếu in trên một tờ riêng"), "{said}");
        let l = ballot_layout(Paper::A4, false, false, &names(150), &texts()).expect("layout");
        assert!(l.name_size >= MIN_NAME_PT && l.columns <= MAX_COLUMNS);
    }

    #[test]
    fn ballot_one_sheet_the_template_refuses_a_ballot_taller_than_its_page_rather_than_continue_it() {
        let list: Vec<String> = names(30);
        let case = serde_json::json!({
            "kind": "round",
            "meta": { "organisation": "Đảng bộ xã Thượng Kiệm", "round": 1 },
            "assembly": { "type": "members_congress", "summoned": 100, "present": 100 },
            "election": { "body": "committee", "seats": 29, "candidates": list },
            "ballots_issued": 0,
            "ballots": []
        });
        let bytes = serde_json::to_vec(&case).expect("json");
        let Ok(baucu_rules::case::Case::Round(c)) = baucu_rules::case::parse(&bytes) else {
            panic!("a round case");
        };
        let mut doc =
            crate::BallotDoc::printed(&c.meta, &c.election, "k", Paper::A4, false, 2).expect("ballot");
        assert_eq!(doc.sheets(), 2);
        assert!(doc.pdf().is_ok());
        // Names three times as large as the layout chose: the page would overflow.
        doc.sheet.name_size *= 3.0;
        let e = doc.pdf().expect_err("taller than the page");
        assert!(e.0.contains("Phiếu bầu không vừa một trang A4 (danh sách 30 người)"), "{e}");
    }

    #[test]
    fn ballot_one_sheet_a_list_that_fits_nowhere_is_refused() {
        let e = ballot_layout(Paper::A4, false, false, &names(400), &texts()).expect_err("too long");
        assert!(e.0.contains("Danh sách 400 người không in vừa một tờ phiếu"), "{e}");
        let long = vec!["Nguyễn ".repeat(40)];
        assert!(ballot_layout(Paper::A4, false, true, &long, &texts()).is_err());
    }
}
