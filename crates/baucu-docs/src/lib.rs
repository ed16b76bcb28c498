//! The documents of a congress, in Vietnamese: ballots (PDF), count minutes (PDF and Word), the entry
//! journal (PDF) and the results (Excel). Every figure comes from the rules engine's own types; this
//! crate only lays them out. PDFs are made by Typst with the fonts embedded in the binary (Libertinus
//! Serif, SIL OFL: `fonts/OFL.txt`) and are byte-identical for the same input (no dates, fixed ids).

pub mod aggregate;
mod ballot_layout;
mod docx;
mod minutes;
pub mod office;
pub mod package_summary;
pub mod script;

use serde::Serialize;
use std::sync::LazyLock;
use typst::foundations::{Dict, Smart, Value};
use typst_as_lib::{TypstEngine, TypstTemplateCollection};
use typst_layout::PagedDocument;

pub use ballot_layout::{BallotLayout, BallotTexts, MAX_COLUMNS, MIN_NAME_PT, ballot_layout};
pub use minutes::{
    BoardLine, ElectedDoc, ElectedRow, JournalDoc, JournalRow, MinutesDoc, ResultRow, StatLine,
};

const FONTS: [&[u8]; 4] = [
    include_bytes!("../fonts/LibertinusSerif-Regular.otf"),
    include_bytes!("../fonts/LibertinusSerif-Bold.otf"),
    include_bytes!("../fonts/LibertinusSerif-Italic.otf"),
    include_bytes!("../fonts/LibertinusSerif-BoldItalic.otf"),
];

static ENGINE: LazyLock<TypstEngine<TypstTemplateCollection>> = LazyLock::new(|| {
    TypstEngine::builder()
        .fonts(FONTS)
        .with_static_source_file_resolver([
            ("common.typ", include_str!("templates/common.typ")),
            ("aggregate.typ", include_str!("templates/aggregate.typ")),
            ("ballot.typ", include_str!("templates/ballot.typ")),
            ("minutes.typ", include_str!("templates/minutes.typ")),
            ("journal.typ", include_str!("templates/journal.typ")),
            ("elected.typ", include_str!("templates/elected.typ")),
            ("office.typ", include_str!("templates/office.typ")),
            ("credentials.typ", include_str!("templates/credentials.typ")),
            ("summary.typ", include_str!("templates/summary.typ")),
            ("poll.typ", include_str!("templates/poll.typ")),
            ("report.typ", include_str!("templates/report.typ")),
            ("script_blocks.typ", include_str!("templates/script_blocks.typ")),
            ("rules_text.typ", include_str!("templates/rules_text.typ")),
            ("script.typ", include_str!("templates/script.typ")),
            ("package_summary.typ", include_str!("templates/package_summary.typ")),
        ])
        .build()
});

/// Why a document could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocError(pub String);

impl std::fmt::Display for DocError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DocError {}

/// Renders a template with `data` (as `sys.inputs.data`, JSON) into a PDF.
pub(crate) fn pdf(template: &str, data: &impl Serialize) -> Result<Vec<u8>, DocError> {
    export(&layout(template, data)?)
}

/// Lays a template out with `data` (as `sys.inputs.data`, JSON).
pub(crate) fn layout(template: &str, data: &impl Serialize) -> Result<PagedDocument, DocError> {
    let json = serde_json::to_string(data).map_err(|e| DocError(format!("dữ liệu tài liệu: {e}")))?;
    let mut inputs = Dict::new();
    inputs.insert("data".into(), Value::Str(json.into()));
    ENGINE
        .compile_with_input(template, inputs)
        .output
        .map_err(|e| DocError(format!("không dàn trang được {template}: {e:?}")))
}

/// A laid-out document as PDF, with the deterministic options.
pub(crate) fn export(doc: &PagedDocument) -> Result<Vec<u8>, DocError> {
    let options =
        typst_pdf::PdfOptions { ident: Smart::Custom("baucu".into()), timestamp: None, ..Default::default() };
    typst_pdf::pdf(doc, &options).map_err(|e| DocError(format!("không tạo được PDF: {e:?}")))
}

/// Paper sizes for ballots, smallest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    A5,
    A4,
    A3,
}

impl Paper {
    pub fn code(self) -> &'static str {
        match self {
            Paper::A5 => "a5",
            Paper::A4 => "a4",
            Paper::A3 => "a3",
        }
    }

    /// Reads `a5`, `a4` or `a3` (either case); anything else is refused by the caller.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "a5" => Some(Paper::A5),
            "a4" => Some(Paper::A4),
            "a3" => Some(Paper::A3),
            _ => None,
        }
    }
}

/// A ballot as printed.
#[derive(Debug, Clone, Serialize)]
pub struct BallotDoc {
    pub title: String,
    pub organisation: String,
    pub congress: String,
    pub term: String,
    /// "Ban Chấp hành Đảng bộ xã … khóa …".
    pub heading: String,
    pub instruction: String,
    /// `strike` or `agree_disagree`.
    pub layout: String,
    pub seats: u32,
    pub candidates: Vec<String>,
    /// The paper a ballot is printed on (chosen by [`ballot_layout`]).
    pub paper: String,
    pub copies: u32,
    /// Whose stamp makes the ballot valid.
    pub stamp_owner: String,
    /// The line under the names: how many to elect, and the stamp that makes the ballot valid.
    pub footer: String,
    /// How the ballot is laid out: one page (or half an A4 sheet) per ballot, never more.
    pub sheet: BallotLayout,
    /// The QR code (SVG) naming the congress, election, round, layout and list.
    pub qr_svg: String,
}

/// What the QR code of a ballot says: the format version, the congress, the election, the round, the
/// layout and a hash of the list in ballot order. Never a serial number: the vote is secret.
pub fn qr_payload(
    congress: &str,
    election: &str,
    round: u32,
    layout: baucu_rules::Layout,
    candidates: &[String],
) -> String {
    use sha2::{Digest, Sha256};
    let list = hex::encode(Sha256::digest(candidates.join("\n").as_bytes()));
    let congress = hex::encode(Sha256::digest(congress.as_bytes()));
    format!("BAUCU1|c={}|e={election}|r={round}|l={}|h={}", &congress[..12], layout.code(), &list[..16])
}

fn qr_svg(payload: &str) -> Result<String, DocError> {
    let code = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| DocError(format!("mã QR: {e}")))?;
    Ok(code.render::<qrcode::render::svg::Color<'_>>().quiet_zone(false).min_dimensions(200, 200).build())
}

impl BallotDoc {
    /// The ballot of an election round, from the engine's election, one ballot per sheet.
    pub fn new(
        meta: &baucu_rules::case::Meta,
        election: &baucu_rules::Election,
        election_key: &str,
        paper: Paper,
        copies: u32,
    ) -> Result<Self, DocError> {
        Self::printed(meta, election, election_key, paper, false, copies)
    }

    /// The ballot of an election round on `paper` or, when its list does not fit one sheet of it, the
    /// next larger paper that holds it ([`ballot_layout`]); A5 ballots two to an A4 sheet when
    /// `two_per_sheet`. Refused when the list fits no sheet.
    pub fn printed(
        meta: &baucu_rules::case::Meta,
        election: &baucu_rules::Election,
        election_key: &str,
        paper: Paper,
        two_per_sheet: bool,
        copies: u32,
    ) -> Result<Self, DocError> {
        let candidates: Vec<String> = election.candidates().iter().map(ToString::to_string).collect();
        let round = meta.round.unwrap_or(1);
        let congress = meta.congress.clone().unwrap_or_default();
        let payload = qr_payload(&congress, election_key, round, election.layout(), &candidates);
        let body = minutes::body_title(election.body());
        let organisation = meta.organisation.clone().unwrap_or_default();
        let heading = match election.purpose() {
            baucu_rules::Purpose::Alternates => format!(
                "Bầu đại biểu dự khuyết dự đại hội cấp trên{}",
                if round > 1 { format!(" (lần {round})") } else { String::new() }
            ),
            _ if round > 1 => format!("Bầu {body} (lần {round})"),
            _ => format!("Bầu {body}"),
        };
        let term = meta.term.clone().unwrap_or_default();
        let instruction: String = match election.layout() {
            baucu_rules::Layout::Strike => "Gạch ngang cả họ và tên người không bầu.".into(),
            baucu_rules::Layout::AgreeDisagree => {
                "Đánh dấu X vào một ô \"Đồng ý\" hoặc \"Không đồng ý\" ở mỗi dòng.".into()
            }
        };
        let stamp_owner = "cấp ủy triệu tập đại hội";
        let footer = format!(
            "Bầu {} trong số {} người. Phiếu chỉ hợp lệ khi có dấu của {stamp_owner}.",
            election.seats(),
            candidates.len()
        );
        let texts = BallotTexts {
            organisation: &organisation,
            heading: &heading,
            congress: &congress,
            term: &term,
            instruction: &instruction,
            footer: &footer,
        };
        let agree_disagree = election.layout() == baucu_rules::Layout::AgreeDisagree;
        let sheet = ballot_layout(paper, two_per_sheet, agree_disagree, &candidates, &texts)?;
        Ok(BallotDoc {
            title: format!("Phiếu bầu — {heading}"),
            organisation,
            congress,
            term,
            heading,
            instruction,
            layout: election.layout().code().into(),
            seats: election.seats(),
            candidates,
            paper: sheet.paper.code().into(),
            copies: copies.max(1),
            stamp_owner: stamp_owner.into(),
            footer,
            sheet,
            qr_svg: qr_svg(&payload)?,
        })
    }

    /// The sheets the print run takes: one per copy, or one per two copies two to a sheet.
    pub fn sheets(&self) -> u32 {
        self.sheet.sheets(self.copies)
    }

    /// What the clerk is told about the layout chosen (paper, columns, type size, and why).
    pub fn describe(&self, asked_two_per_sheet: bool) -> String {
        self.sheet.describe(self.candidates.len(), asked_two_per_sheet)
    }

    /// The print run as one PDF: each ballot on one page (or one half of an A4 sheet). The template
    /// refuses content taller than the page; a page count other than [`Self::sheets`] is refused too.
    pub fn pdf(&self) -> Result<Vec<u8>, DocError> {
        let doc = layout("ballot.typ", self).map_err(|e| {
            if e.0.contains("baucu-overflow") {
                DocError(format!(
                    "Phiếu bầu không vừa một trang {} (danh sách {} người): không in phiếu trên nhiều tờ.",
                    self.sheet.paper.label(),
                    self.candidates.len()
                ))
            } else {
                e
            }
        })?;
        if doc.pages().len() != self.sheets() as usize {
            return Err(DocError(format!(
                "Phiếu bầu dàn ra {} trang thay vì {}: không in phiếu trên nhiều tờ.",
                doc.pages().len(),
                self.sheets()
            )));
        }
        export(&doc)
    }
}

impl MinutesDoc {
    pub fn pdf(&self) -> Result<Vec<u8>, DocError> {
        pdf("minutes.typ", self)
    }

    pub fn docx(&self) -> Result<Vec<u8>, DocError> {
        docx::minutes(self)
    }

    /// The results of the round as a spreadsheet (values, never formulas): the congress (organisation,
    /// name and term once), the round, the assembly (the base's lines as the minutes state them, then
    /// the threshold), the ballots as totals rows, then the table of every candidate. Numbers are cells
    /// of numbers; percentages are numbers of percent with two decimals.
    pub fn xlsx(&self) -> Result<Vec<u8>, DocError> {
        use rust_xlsxwriter::Format;
        let fail = |e: rust_xlsxwriter::XlsxError| DocError(format!("không tạo được tệp Excel: {e}"));
        let mut book = reproducible_workbook().map_err(fail)?;
        let bold = Format::new().set_bold();
        let pct = Format::new().set_num_format("0.00");
        let sheet = book.add_worksheet();
        sheet.set_name("Kết quả").map_err(fail)?;
        let congress = match (self.congress.is_empty(), self.term.is_empty()) {
            (true, _) => String::new(),
            (false, true) => self.congress.clone(),
            (false, false) => format!("{}, nhiệm kỳ {}", self.congress, self.term),
        };
        let mut row = 0u32;
        for (text, strong) in [
            (self.organisation.to_uppercase(), true),
            (congress, false),
            (self.heading.clone(), true),
            (self.round_label.clone(), false),
        ] {
            if text.is_empty() {
                continue;
            }
            if strong {
                sheet.write_string_with_format(row, 0, &text, &bold).map_err(fail)?;
            } else {
                sheet.write_string(row, 0, &text).map_err(fail)?;
            }
            row += 1;
        }
        if let Some(pd) = &self.place_date {
            sheet.write_string(row, 0, pd).map_err(fail)?;
            row += 1;
        }
        row += 1;
        // The assembly and the ballots: a label and its number, one row each.
        let mut totals: Vec<(String, u64)> = Vec::new();
        for l in &self.base_lines {
            let n = l.value.trim().parse::<u64>().map_err(|_| {
                DocError(format!("dòng \"{}\" của số làm căn cứ không phải là một số: {}", l.label, l.value))
            })?;
            totals.push((l.label.clone(), n));
        }
        totals.push(("Số phiếu tối thiểu để trúng cử (quá một nửa số làm căn cứ)".into(), self.threshold));
        totals.push(("Số phiếu phát ra".into(), self.ballots.issued));
        totals.push(("Số phiếu thu vào".into(), self.ballots.returned));
        totals.push(("Số phiếu hợp lệ".into(), self.ballots.valid));
        totals.push(("Số phiếu không hợp lệ".into(), self.ballots.invalid));
        for r in &self.ballots.reasons {
            totals.push((format!("    trong đó: {}", r.label), r.count));
        }
        for (label, n) in &totals {
            sheet.write_string(row, 1, label).map_err(fail)?;
            sheet.write_number(row, 2, *n as f64).map_err(fail)?;
            row += 1;
        }
        row += 1;
        let headers = [
            "TT",
            "Họ và tên",
            "Số phiếu",
            "% so với số làm căn cứ",
            "% so với phiếu hợp lệ",
            "Xếp hạng",
            "Kết quả",
        ];
        for (c, h) in headers.iter().enumerate() {
            sheet.write_string_with_format(row, c as u16, *h, &bold).map_err(fail)?;
        }
        for r in &self.rows {
            row += 1;
            sheet.write_number(row, 0, r.position as f64).map_err(fail)?;
            sheet.write_string(row, 1, &r.name).map_err(fail)?;
            sheet.write_number(row, 2, r.votes as f64).map_err(fail)?;
            sheet
                .write_number_with_format(row, 3, r.hundredths_of_base as f64 / 100.0, &pct)
                .map_err(fail)?;
            if let Some(v) = r.hundredths_of_valid {
                sheet.write_number_with_format(row, 4, v as f64 / 100.0, &pct).map_err(fail)?;
            }
            sheet.write_number(row, 5, r.rank as f64).map_err(fail)?;
            sheet.write_string(row, 6, &r.outcome).map_err(fail)?;
        }
        sheet.set_column_width(0, 6).map_err(fail)?;
        sheet.set_column_width(1, 44).map_err(fail)?;
        for c in 2..7u16 {
            sheet.set_column_width(c, 16).map_err(fail)?;
        }
        book.save_to_buffer().map_err(fail)
    }
}

impl JournalDoc {
    pub fn pdf(&self) -> Result<Vec<u8>, DocError> {
        pdf("journal.typ", self)
    }
}

impl ElectedDoc {
    pub fn pdf(&self) -> Result<Vec<u8>, DocError> {
        pdf("elected.typ", self)
    }

    /// The list and its composition as a spreadsheet: sheets "Danh sách" and "Cơ cấu".
    pub fn xlsx(&self) -> Result<Vec<u8>, DocError> {
        use rust_xlsxwriter::Format;
        let fail = |e: rust_xlsxwriter::XlsxError| DocError(format!("không tạo được tệp Excel: {e}"));
        let mut book = reproducible_workbook().map_err(fail)?;
        let bold = Format::new().set_bold();
        let list = book.add_worksheet();
        list.set_name("Danh sách").map_err(fail)?;
        list.write_string_with_format(0, 0, &self.heading, &bold).map_err(fail)?;
        let headers = [
            "TT",
            "Họ và tên",
            "Ngày sinh",
            "Giới tính",
            "Dân tộc",
            "Tôn giáo",
            "Trình độ chuyên môn",
            "Lý luận chính trị",
            "Lần đầu",
            "Số phiếu",
            "Tỷ lệ (%)",
            "Dự khuyết",
        ];
        for (c, h) in headers.iter().enumerate() {
            list.write_string_with_format(2, c as u16, *h, &bold).map_err(fail)?;
        }
        for (i, r) in self.rows.iter().enumerate() {
            let row = 3 + i as u32;
            list.write_number(row, 0, (i + 1) as f64).map_err(fail)?;
            for (c, v) in [&r.name, &r.birth, &r.sex, &r.ethnicity, &r.religion, &r.education, &r.theory]
                .iter()
                .enumerate()
            {
                list.write_string(row, c as u16 + 1, *v).map_err(fail)?;
            }
            list.write_string(row, 8, if r.first_time { "x" } else { "" }).map_err(fail)?;
            list.write_number(row, 9, r.votes as f64).map_err(fail)?;
            list.write_number(row, 10, r.hundredths as f64 / 100.0).map_err(fail)?;
            list.write_string(row, 11, if r.alternate { "x" } else { "" }).map_err(fail)?;
        }
        list.set_column_width(1, 28).map_err(fail)?;
        let stats = book.add_worksheet();
        stats.set_name("Cơ cấu").map_err(fail)?;
        for (c, h) in ["Tiêu chí", "Số người", "Tỷ lệ (%)"].iter().enumerate() {
            stats.write_string_with_format(0, c as u16, *h, &bold).map_err(fail)?;
        }
        for (i, s) in self.stats.iter().enumerate() {
            let row = 1 + i as u32;
            stats.write_string(row, 0, &s.label).map_err(fail)?;
            stats.write_number(row, 1, s.count as f64).map_err(fail)?;
            stats.write_number(row, 2, s.hundredths as f64 / 100.0).map_err(fail)?;
        }
        stats.set_column_width(0, 40).map_err(fail)?;
        book.save_to_buffer().map_err(fail)
    }
}

/// A workbook whose bytes depend only on its content: the creation time the library would take from
/// the clock is fixed, as the PDFs' are.
fn reproducible_workbook() -> Result<rust_xlsxwriter::Workbook, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let epoch = rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1)?;
    book.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&epoch));
    Ok(book)
}
