//! The documents the congress office used to write by hand: the credentials report (báo cáo thẩm tra
//! tư cách đại biểu), the candidates' summary list (danh sách trích ngang), the poll ballots (phiếu
//! giới thiệu, phiếu xin ý kiến) and the report of the congress's results to the superior. Every
//! figure arrives here already counted (by the engine, through the application); this module only
//! lays them out, as PDF (Typst), Word (docx-rs) and, for tables, Excel.

use crate::{BallotLayout, BallotTexts, DocError, Paper, StatLine, ballot_layout, export};
use docx_rs::{AlignmentType, Docx, PageOrientationType, Paragraph, Table, TableCell, TableRow};
use serde::Serialize;

/// Lays a template out with `data` and exports it as PDF; a poll ballot too long for one sheet is
/// refused in words, never split.
fn pdf(template: &str, data: &impl Serialize) -> Result<Vec<u8>, DocError> {
    let doc = crate::layout(template, data).map_err(|e| {
        if e.0.contains("baucu-overflow") {
            DocError("Phiếu không vừa một trang: danh sách quá dài để in trên một tờ.".into())
        } else {
            e
        }
    })?;
    export(&doc)
}

/// `ngày 20 tháng 05 năm 2025` from `2025-05-20`.
fn vn_date(iso: &str) -> Option<String> {
    match iso.split('-').collect::<Vec<_>>().as_slice() {
        [y, m, d] if y.len() == 4 => Some(format!("ngày {d} tháng {m} năm {y}")),
        _ => None,
    }
}

/// The head of every office document: who writes it, the congress (its term once), place and date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficeHead {
    /// "Đảng bộ xã …": the left column of the national motto block.
    pub organisation: String,
    /// "Đại hội Đảng bộ xã … lần thứ …, nhiệm kỳ 2025–2030": the congress with its term, once.
    pub congress_line: String,
    /// "…, ngày 20 tháng 05 năm 2025", right-aligned under the motto block.
    pub place_date: Option<String>,
}

impl OfficeHead {
    /// `date` is ISO (`2025-05-20`); an unreadable or missing date leaves the line to be written.
    pub fn new(organisation: &str, congress: &str, term: &str, place: &str, date: Option<&str>) -> Self {
        let congress_line = match (congress.trim(), term.trim()) {
            ("", _) => String::new(),
            (c, "") => c.to_owned(),
            (c, t) => format!("{c}, nhiệm kỳ {t}"),
        };
        let place_date = date
            .and_then(vn_date)
            .map(|d| if place.trim().is_empty() { d } else { format!("{}, {d}", place.trim()) });
        OfficeHead { organisation: organisation.to_owned(), congress_line, place_date }
    }
}

/// A signature block: on whose behalf and in what capacity (one line each, upper case; an empty one
/// is left out), the name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signer {
    /// "T/M BAN THẨM TRA TƯ CÁCH ĐẠI BIỂU"; empty when the signer signs in person.
    pub on_behalf: String,
    /// "TRƯỞNG BAN".
    pub capacity: String,
    /// Empty: written by hand.
    pub name: String,
}

/// A heading and its lines of a composition (counts and percentages of the same total).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatGroup {
    pub title: String,
    pub lines: Vec<StatLine>,
}

/// Attendance of one kind of delegate (or of the members, at a members' congress).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindRow {
    pub kind: String,
    pub summoned: u64,
    pub present: u64,
    pub absent_with_reason: u64,
    pub absent_without_reason: u64,
}

/// One line of the base as the engine computed it: `sign` is `-` for an exclusion, `=` for the base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseRow {
    pub label: String,
    pub count: u64,
    pub sign: String,
}

/// Báo cáo thẩm tra tư cách đại biểu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialsDoc {
    pub title: String,
    pub head: OfficeHead,
    /// "đại biểu" or "đảng viên".
    pub who: String,
    /// The sitting whose check-in gives those present.
    pub sitting: String,
    pub summoned: u64,
    pub present: u64,
    pub absent: u64,
    pub base: u64,
    pub threshold: u64,
    /// Present as a share of the summoned ("93,28%").
    pub present_percent: String,
    pub kinds: Vec<KindRow>,
    pub base_rows: Vec<BaseRow>,
    /// The composition of those present, each line a share of `present`.
    pub composition: Vec<StatGroup>,
    pub signers: Vec<Signer>,
}

/// One candidate of the summary list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SummaryRow {
    pub name: String,
    pub birth: String,
    pub sex: String,
    pub hometown: String,
    pub ethnicity: String,
    pub religion: String,
    pub position: String,
    pub education: String,
    pub theory: String,
    pub joined_on: String,
    pub official_on: String,
}

/// Danh sách trích ngang: the candidates of one election list in ballot order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SummaryListDoc {
    pub title: String,
    pub head: OfficeHead,
    /// "Danh sách bầu Ban Chấp hành …".
    pub heading: String,
    pub rows: Vec<SummaryRow>,
    pub signers: Vec<Signer>,
}

const SUMMARY_HEADERS: [&str; 12] = [
    "TT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Quê quán",
    "Dân tộc",
    "Tôn giáo",
    "Chức vụ hiện tại",
    "Trình độ chuyên môn",
    "Lý luận chính trị",
    "Ngày vào Đảng",
    "Ngày chính thức",
];

impl SummaryRow {
    fn cells(&self) -> [&str; 11] {
        [
            &self.name,
            &self.birth,
            &self.sex,
            &self.hometown,
            &self.ethnicity,
            &self.religion,
            &self.position,
            &self.education,
            &self.theory,
            &self.joined_on,
            &self.official_on,
        ]
    }
}

/// Which poll ballot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollKind {
    /// Phiếu giới thiệu: numbered blank lines, as many as seats, to write nominees on.
    Nominate,
    /// Phiếu xin ý kiến: each nominee with "Đồng ý" / "Không đồng ý".
    Opinion,
}

/// A poll ballot, one sheet, laid out by [`ballot_layout`] as an election ballot is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PollBallotDoc {
    pub title: String,
    /// "PHIẾU GIỚI THIỆU NHÂN SỰ" or "PHIẾU XIN Ý KIẾN".
    pub kind_title: String,
    pub organisation: String,
    pub heading: String,
    pub congress: String,
    pub term: String,
    pub instruction: String,
    pub footer: String,
    /// `strike` (numbered lines) or `agree_disagree`.
    pub layout: String,
    /// The nominees, or one dotted line per seat.
    pub candidates: Vec<String>,
    pub sheet: BallotLayout,
}

/// The line a nominee's name is written on.
const BLANK_LINE: &str = "..................................................";

impl PollBallotDoc {
    /// A poll ballot for an election list. `heading` names the election; `nominees` are used by the
    /// opinion ballot, `seats` by the nomination ballot.
    pub fn new(
        kind: PollKind,
        organisation: &str,
        congress: &str,
        term: &str,
        heading: &str,
        seats: u32,
        nominees: &[String],
    ) -> Result<Self, DocError> {
        let (kind_title, instruction, footer, candidates) = match kind {
            PollKind::Nominate => (
                "PHIẾU GIỚI THIỆU NHÂN SỰ",
                "Ghi họ và tên người được giới thiệu, mỗi dòng một người.".to_owned(),
                format!("Giới thiệu không quá {seats} người."),
                vec![BLANK_LINE.to_owned(); seats as usize],
            ),
            PollKind::Opinion => (
                "PHIẾU XIN Ý KIẾN",
                "Đánh dấu X vào một ô \"Đồng ý\" hoặc \"Không đồng ý\" ở mỗi dòng.".to_owned(),
                format!("Danh sách {} người được giới thiệu.", nominees.len()),
                nominees.to_vec(),
            ),
        };
        if candidates.is_empty() {
            return Err(DocError(match kind {
                PollKind::Nominate => "Cuộc bầu chưa có số lượng cần bầu: không có dòng nào để in.".into(),
                PollKind::Opinion => "Chưa có người được giới thiệu: không có gì để xin ý kiến.".into(),
            }));
        }
        let texts =
            BallotTexts { organisation, heading, congress, term, instruction: &instruction, footer: &footer };
        let agree_disagree = kind == PollKind::Opinion;
        let sheet = ballot_layout(Paper::A5, false, agree_disagree, &candidates, &texts)?;
        Ok(PollBallotDoc {
            title: format!("{} — {heading}", kind_title.to_lowercase()),
            kind_title: kind_title.into(),
            organisation: organisation.into(),
            heading: heading.into(),
            congress: congress.into(),
            term: term.into(),
            instruction,
            footer,
            layout: if agree_disagree { "agree_disagree".into() } else { "strike".into() },
            candidates,
            sheet,
        })
    }

    pub fn pdf(&self) -> Result<Vec<u8>, DocError> {
        pdf("poll.typ", self)
    }
}

/// One elected person on the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRow {
    pub name: String,
    pub votes: u64,
    /// Of the base, "93,28%".
    pub percent: String,
    pub hundredths: u64,
}

/// One body elected by the congress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportBody {
    /// "Ban Chấp hành Đảng bộ …" as the election names it.
    pub heading: String,
    pub seats: u32,
    pub elected: Vec<ReportRow>,
    /// Alternate delegates (only for the delegates to the superior congress).
    pub alternates: Vec<ReportRow>,
    /// The composition of the new body (its official members); empty for a one-person office.
    pub composition: Vec<StatLine>,
    pub total: u64,
}

/// Where the outcome of one body departs from the personnel plan (phương án nhân sự).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanSection {
    pub heading: String,
    /// One sentence per departure ("Nữ: kế hoạch ít nhất 3, trúng cử 2"); empty when the outcome
    /// follows the plan.
    pub departures: Vec<String>,
}

/// Báo cáo kết quả đại hội gửi cấp trên.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultsReportDoc {
    pub title: String,
    /// "Kính gửi: …" (the superior), empty when not known.
    pub recipient: String,
    pub head: OfficeHead,
    pub who: String,
    pub summoned: u64,
    pub present: u64,
    pub base: u64,
    pub bodies: Vec<ReportBody>,
    /// Whether a personnel plan was entered; `plan` has a section per body planned.
    pub planned: bool,
    pub plan: Vec<PlanSection>,
    /// The audit chain's head when the report was made, and its entry number.
    pub chain_head: String,
    pub chain_seq: i64,
    /// The fingerprint of the key that signs the congress's result package (the superior registers
    /// it); empty on a node without a key.
    pub key_fingerprint: String,
    pub signers: Vec<Signer>,
}

// --- PDF --------------------------------------------------------------------------------------------

impl CredentialsDoc {
    pub fn pdf(&self) -> Result<Vec<u8>, DocError> {
        pdf("credentials.typ", self)
    }

    pub fn docx(&self) -> Result<Vec<u8>, DocError> {
        let who = &self.who;
        let mut d = word_head(Docx::new(), &self.head);
        d = d
            .add_paragraph(centered(bold("BÁO CÁO")))
            .add_paragraph(centered(bold(&format!("THẨM TRA TƯ CÁCH {}", who.to_uppercase()))))
            .add_paragraph(centered(para(&self.head.congress_line)))
            .add_paragraph(para(&format!("Số liệu điểm danh: {}.", self.sitting)))
            .add_paragraph(bold(&format!("1. Số {who} được triệu tập và có mặt")))
            .add_paragraph(para(&format!(
                "Tổng số {who} được triệu tập: {}; có mặt: {} ({}); vắng mặt: {}.",
                self.summoned, self.present, self.present_percent, self.absent
            )));
        let rows: Vec<Vec<String>> = self
            .kinds
            .iter()
            .map(|k| {
                vec![
                    k.kind.clone(),
                    k.summoned.to_string(),
                    k.present.to_string(),
                    k.absent_with_reason.to_string(),
                    k.absent_without_reason.to_string(),
                ]
            })
            .collect();
        d = d
            .add_table(table(
                Some(&["Loại", "Triệu tập", "Có mặt", "Vắng có lý do", "Vắng không có lý do"]),
                rows,
            ))
            .add_paragraph(bold("2. Số làm căn cứ tính kết quả bầu cử"))
            .add_table(table(
                None,
                self.base_rows
                    .iter()
                    .map(|r| vec![r.label.clone(), format!("{}{}", r.sign, r.count)])
                    .collect(),
            ))
            .add_paragraph(para(&format!(
                "Người trúng cử phải được quá một nửa so với số làm căn cứ: ít nhất {} phiếu.",
                self.threshold
            )))
            .add_paragraph(bold(&format!(
                "3. Cơ cấu {who} có mặt (tỷ lệ so với {} người có mặt)",
                self.present
            )));
        for g in &self.composition {
            d = d.add_paragraph(bold(&g.title)).add_table(stat_table(&g.lines));
        }
        d = d.add_paragraph(para(&format!(
            "Ban thẩm tra tư cách xác nhận: {} {who} có mặt đủ tư cách dự đại hội.",
            self.present
        )));
        pack(signatures(d, &self.signers))
    }

    /// The attendance by kind and the composition, as a spreadsheet.
    pub fn xlsx(&self) -> Result<Vec<u8>, DocError> {
        use rust_xlsxwriter::Format;
        let fail = |e: rust_xlsxwriter::XlsxError| DocError(format!("không tạo được tệp Excel: {e}"));
        let mut book = crate::reproducible_workbook().map_err(fail)?;
        let bold = Format::new().set_bold();
        let sheet = book.add_worksheet();
        sheet.set_name("Thẩm tra tư cách").map_err(fail)?;
        sheet.write_string_with_format(0, 0, &self.head.organisation, &bold).map_err(fail)?;
        sheet.write_string(1, 0, &self.head.congress_line).map_err(fail)?;
        sheet.write_string(2, 0, &self.sitting).map_err(fail)?;
        let mut row = 4u32;
        for (label, n) in [
            (format!("Số {} được triệu tập", self.who), self.summoned),
            (format!("Số {} có mặt", self.who), self.present),
            (format!("Số {} vắng mặt", self.who), self.absent),
            ("Số làm căn cứ tính kết quả bầu cử".to_owned(), self.base),
            ("Số phiếu tối thiểu để trúng cử".to_owned(), self.threshold),
        ] {
            sheet.write_string(row, 0, &label).map_err(fail)?;
            sheet.write_number(row, 1, n as f64).map_err(fail)?;
            row += 1;
        }
        row += 1;
        for (c, h) in
            ["Loại", "Triệu tập", "Có mặt", "Vắng có lý do", "Vắng không có lý do"].iter().enumerate()
        {
            sheet.write_string_with_format(row, c as u16, *h, &bold).map_err(fail)?;
        }
        for k in &self.kinds {
            row += 1;
            sheet.write_string(row, 0, &k.kind).map_err(fail)?;
            for (c, n) in
                [k.summoned, k.present, k.absent_with_reason, k.absent_without_reason].iter().enumerate()
            {
                sheet.write_number(row, c as u16 + 1, *n as f64).map_err(fail)?;
            }
        }
        row += 2;
        for (c, h) in ["Cơ cấu (so với số có mặt)", "Số người", "Tỷ lệ (%)"].iter().enumerate()
        {
            sheet.write_string_with_format(row, c as u16, *h, &bold).map_err(fail)?;
        }
        for g in &self.composition {
            for s in &g.lines {
                row += 1;
                sheet.write_string(row, 0, format!("{}: {}", g.title, s.label)).map_err(fail)?;
                sheet.write_number(row, 1, s.count as f64).map_err(fail)?;
                sheet.write_number(row, 2, s.hundredths as f64 / 100.0).map_err(fail)?;
            }
        }
        sheet.set_column_width(0, 48).map_err(fail)?;
        for c in 1..5u16 {
            sheet.set_column_width(c, 16).map_err(fail)?;
        }
        book.save_to_buffer().map_err(fail)
    }
}

impl SummaryListDoc {
    pub fn pdf(&self) -> Result<Vec<u8>, DocError> {
        pdf("summary.typ", self)
    }

    pub fn docx(&self) -> Result<Vec<u8>, DocError> {
        // A4 landscape: 297 × 210 mm in twentieths of a point.
        let mut d = word_head(
            Docx::new().page_size(16838, 11906).page_orient(PageOrientationType::Landscape),
            &self.head,
        );
        d = d
            .add_paragraph(centered(bold("DANH SÁCH TRÍCH NGANG")))
            .add_paragraph(centered(bold(&self.heading)))
            .add_paragraph(centered(para(&self.head.congress_line)))
            .add_paragraph(centered(para("(theo thứ tự trên phiếu bầu)")));
        let rows = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut cells = vec![(i + 1).to_string()];
                cells.extend(r.cells().iter().map(|c| (*c).to_owned()));
                cells
            })
            .collect();
        d = d.add_table(table(Some(&SUMMARY_HEADERS), rows));
        pack(signatures(d, &self.signers))
    }

    pub fn xlsx(&self) -> Result<Vec<u8>, DocError> {
        use rust_xlsxwriter::Format;
        let fail = |e: rust_xlsxwriter::XlsxError| DocError(format!("không tạo được tệp Excel: {e}"));
        let mut book = crate::reproducible_workbook().map_err(fail)?;
        let bold = Format::new().set_bold();
        let sheet = book.add_worksheet();
        sheet.set_name("Trích ngang").map_err(fail)?;
        sheet.write_string_with_format(0, 0, &self.head.organisation, &bold).map_err(fail)?;
        sheet.write_string(1, 0, &self.head.congress_line).map_err(fail)?;
        sheet
            .write_string_with_format(2, 0, format!("Danh sách trích ngang — {}", self.heading), &bold)
            .map_err(fail)?;
        for (c, h) in SUMMARY_HEADERS.iter().enumerate() {
            sheet.write_string_with_format(4, c as u16, *h, &bold).map_err(fail)?;
        }
        for (i, r) in self.rows.iter().enumerate() {
            let row = 5 + i as u32;
            sheet.write_number(row, 0, (i + 1) as f64).map_err(fail)?;
            for (c, v) in r.cells().iter().enumerate() {
                sheet.write_string(row, c as u16 + 1, *v).map_err(fail)?;
            }
        }
        sheet.set_column_width(1, 28).map_err(fail)?;
        for c in 2..12u16 {
            sheet.set_column_width(c, 16).map_err(fail)?;
        }
        book.save_to_buffer().map_err(fail)
    }
}

impl ResultsReportDoc {
    pub fn pdf(&self) -> Result<Vec<u8>, DocError> {
        pdf("report.typ", self)
    }

    pub fn docx(&self) -> Result<Vec<u8>, DocError> {
        let who = &self.who;
        let mut d = word_head(Docx::new(), &self.head)
            .add_paragraph(centered(bold("BÁO CÁO")))
            .add_paragraph(centered(bold("KẾT QUẢ ĐẠI HỘI")))
            .add_paragraph(centered(para(&self.head.congress_line)));
        if !self.recipient.is_empty() {
            d = d.add_paragraph(centered(para(&format!("Kính gửi: {}", self.recipient))));
        }
        d = d.add_paragraph(para(&format!(
            "Tổng số {who} được triệu tập: {}; có mặt: {}; số làm căn cứ tính kết quả bầu cử: {}.",
            self.summoned, self.present, self.base
        )));
        for (i, b) in self.bodies.iter().enumerate() {
            d = d.add_paragraph(bold(&format!("{}. {} (số lượng: {})", i + 1, b.heading, b.seats)));
            d = d.add_table(table(Some(&["TT", "Họ và tên", "Số phiếu", "Tỷ lệ"]), report_rows(&b.elected)));
            if !b.alternates.is_empty() {
                d = d.add_paragraph(bold("Đại biểu dự khuyết")).add_table(table(
                    Some(&["TT", "Họ và tên", "Số phiếu", "Tỷ lệ"]),
                    report_rows(&b.alternates),
                ));
            }
            if !b.composition.is_empty() {
                d = d
                    .add_paragraph(para(&format!("Cơ cấu (tỷ lệ so với {} người):", b.total)))
                    .add_table(stat_table(&b.composition));
            }
        }
        d = d.add_paragraph(bold(&format!("{}. Kết quả so với phương án nhân sự", self.bodies.len() + 1)));
        if !self.planned {
            d = d.add_paragraph(para("Chưa nhập phương án nhân sự."));
        }
        for s in &self.plan {
            if s.departures.is_empty() {
                d = d.add_paragraph(para(&format!("{}: đúng phương án nhân sự.", s.heading)));
            } else {
                d = d.add_paragraph(para(&format!("{}:", s.heading)));
                for x in &s.departures {
                    d = d.add_paragraph(para(&format!("– {x}.")));
                }
            }
        }
        d = d.add_paragraph(para(&format!(
            "Mã kiểm chứng dữ liệu (đầu chuỗi nhật ký, mục số {}): {}",
            self.chain_seq, self.chain_head
        )));
        if !self.key_fingerprint.is_empty() {
            d = d.add_paragraph(para(&format!(
                "Dấu vân tay khóa ký gói kết quả (cấp trên đối chiếu khi nhận gói): {}",
                self.key_fingerprint
            )));
        }
        pack(signatures(d, &self.signers))
    }
}

// --- Word ------------------------------------------------------------------------------------------

use crate::docx::{bold, centered, para, run};

fn table(header: Option<&[&str]>, rows: Vec<Vec<String>>) -> Table {
    let mut out = Vec::new();
    if let Some(h) = header {
        out.push(TableRow::new(h.iter().map(|t| TableCell::new().add_paragraph(bold(t))).collect()));
    }
    for r in rows {
        out.push(TableRow::new(r.iter().map(|t| TableCell::new().add_paragraph(para(t))).collect()));
    }
    Table::new(out)
}

fn stat_table(lines: &[StatLine]) -> Table {
    table(
        Some(&["Tiêu chí", "Số người", "Tỷ lệ"]),
        lines.iter().map(|s| vec![s.label.clone(), s.count.to_string(), s.percent.clone()]).collect(),
    )
}

fn report_rows(rows: &[ReportRow]) -> Vec<Vec<String>> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| vec![(i + 1).to_string(), r.name.clone(), r.votes.to_string(), r.percent.clone()])
        .collect()
}

/// The national motto block as the minutes have it: the organisation left, the party right, then
/// place and date right-aligned.
fn word_head(d: Docx, head: &OfficeHead) -> Docx {
    let mut d = d.add_table(Table::new(vec![TableRow::new(vec![
        TableCell::new().add_paragraph(centered(bold(&head.organisation.to_uppercase()))),
        TableCell::new().add_paragraph(centered(bold("ĐẢNG CỘNG SẢN VIỆT NAM"))),
    ])]));
    if let Some(pd) = &head.place_date {
        d = d.add_paragraph(Paragraph::new().add_run(run(pd).italic()).align(AlignmentType::Right));
    }
    d
}

fn signatures(d: Docx, signers: &[Signer]) -> Docx {
    let cells: Vec<TableCell> = signers
        .iter()
        .map(|s| {
            let mut c = TableCell::new();
            if !s.on_behalf.is_empty() {
                c = c.add_paragraph(centered(bold(&s.on_behalf.to_uppercase())));
            }
            if !s.capacity.is_empty() {
                c = c.add_paragraph(centered(bold(&s.capacity.to_uppercase())));
            }
            c.add_paragraph(centered(Paragraph::new().add_run(run("(Ký, ghi rõ họ tên)").italic())))
                .add_paragraph(para(""))
                .add_paragraph(para(""))
                .add_paragraph(centered(para(&s.name)))
        })
        .collect();
    if cells.is_empty() {
        return d;
    }
    let rows: Vec<TableRow> = cells.chunks(2).map(|c| TableRow::new(c.to_vec())).collect();
    d.add_paragraph(para("")).add_table(Table::new(rows))
}

fn pack(d: Docx) -> Result<Vec<u8>, DocError> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut buffer).map_err(|e| DocError(format!("không tạo được tệp Word: {e}")))?;
    Ok(buffer.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head() -> OfficeHead {
        OfficeHead::new(
            "Đảng bộ xã Hải Thanh",
            "Đại hội Đảng bộ xã Hải Thanh lần thứ XXV",
            "2025–2030",
            "Hải Thanh",
            Some("2025-05-20"),
        )
    }

    fn signer() -> Vec<Signer> {
        vec![Signer {
            on_behalf: "T/M Đoàn Chủ tịch".into(),
            capacity: "Chủ tịch".into(),
            name: String::new(),
        }]
    }

    fn is_pdf(pdf: &[u8]) -> bool {
        pdf.starts_with(b"%PDF") && pdf.len() > 1000
    }

    /// The term once, the place and date in words.
    #[test]
    fn documents_readback_head_names_the_term_once_and_the_date_in_words() {
        let h = head();
        assert_eq!(h.congress_line, "Đại hội Đảng bộ xã Hải Thanh lần thứ XXV, nhiệm kỳ 2025–2030");
        assert_eq!(h.place_date.as_deref(), Some("Hải Thanh, ngày 20 tháng 05 năm 2025"));
        assert_eq!(OfficeHead::new("x", "", "", "", None).place_date, None);
    }

    /// Every template compiles, and each Word file and workbook is a zip.
    #[test]
    fn documents_readback_every_office_template_compiles() {
        let stats = vec![StatLine::new("Nữ", 3, 7), StatLine::new("Nam", 4, 7)];
        let credentials = CredentialsDoc {
            title: "Báo cáo thẩm tra tư cách đại biểu".into(),
            head: head(),
            who: "đảng viên".into(),
            sitting: "Phiên thứ nhất".into(),
            summoned: 8,
            present: 7,
            absent: 1,
            base: 7,
            threshold: 4,
            present_percent: "87,50%".into(),
            kinds: vec![KindRow {
                kind: "Đảng viên chính thức".into(),
                summoned: 8,
                present: 7,
                absent_with_reason: 1,
                absent_without_reason: 0,
            }],
            base_rows: vec![BaseRow { label: "Số làm căn cứ".into(), count: 7, sign: "=".into() }],
            composition: vec![StatGroup { title: "Giới tính".into(), lines: stats.clone() }],
            signers: signer(),
        };
        assert!(is_pdf(&credentials.pdf().expect("pdf")));
        assert!(credentials.docx().expect("docx").starts_with(b"PK"));
        assert!(credentials.xlsx().expect("xlsx").starts_with(b"PK"));

        let row = SummaryRow {
            name: "Nguyễn Văn An".into(),
            birth: "01/02/1970".into(),
            sex: "Nam".into(),
            hometown: "Hải Thanh".into(),
            ethnicity: "Kinh".into(),
            religion: "Không".into(),
            position: "Bí thư chi bộ".into(),
            education: "Đại học".into(),
            theory: "Cao cấp".into(),
            joined_on: "03/02/1995".into(),
            official_on: "03/02/1996".into(),
        };
        let list = SummaryListDoc {
            title: "Danh sách trích ngang".into(),
            head: head(),
            heading: "Bầu Ban Chấp hành".into(),
            rows: vec![row; 3],
            signers: signer(),
        };
        assert!(is_pdf(&list.pdf().expect("pdf")));
        assert!(list.docx().expect("docx").starts_with(b"PK"));
        assert!(list.xlsx().expect("xlsx").starts_with(b"PK"));

        let names: Vec<String> = (1..=9).map(|i| format!("Nguyễn Văn Người Thứ {i}")).collect();
        for kind in [PollKind::Nominate, PollKind::Opinion] {
            let ballot = PollBallotDoc::new(
                kind,
                "Đảng bộ xã Hải Thanh",
                "Đại hội",
                "2025–2030",
                "Bầu Ban Chấp hành",
                7,
                &names,
            )
            .expect("layout");
            assert!(is_pdf(&ballot.pdf().expect("pdf")));
        }
        assert!(PollBallotDoc::new(PollKind::Opinion, "a", "b", "c", "d", 3, &[]).is_err());

        let report = ResultsReportDoc {
            title: "Báo cáo kết quả đại hội".into(),
            recipient: String::new(),
            head: head(),
            who: "đảng viên".into(),
            summoned: 8,
            present: 7,
            base: 7,
            bodies: vec![ReportBody {
                heading: "Ban Chấp hành".into(),
                seats: 2,
                elected: vec![ReportRow {
                    name: "Nguyễn Văn An".into(),
                    votes: 6,
                    percent: "85,71%".into(),
                    hundredths: 8571,
                }],
                alternates: Vec::new(),
                composition: stats,
                total: 7,
            }],
            planned: true,
            plan: vec![PlanSection {
                heading: "Ban Chấp hành".into(),
                departures: vec!["Nữ: kế hoạch ít nhất 3, trúng cử 2".into()],
            }],
            chain_head: "ab".repeat(32),
            chain_seq: 42,
            key_fingerprint: "3F2A-9C1B-0000-1111-2222-3333-4444-5555".into(),
            signers: signer(),
        };
        assert!(is_pdf(&report.pdf().expect("pdf")));
        assert!(report.docx().expect("docx").starts_with(b"PK"));
    }

    /// A nomination ballot with more lines than one sheet holds is refused, never split.
    #[test]
    fn documents_readback_a_poll_ballot_that_fits_no_sheet_is_refused() {
        let many: Vec<String> = (0..400).map(|i| format!("Người được giới thiệu số {i}")).collect();
        assert!(PollBallotDoc::new(PollKind::Opinion, "a", "b", "c", "d", 3, &many).is_err());
    }
}
