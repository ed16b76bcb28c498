//! The count minutes as an editable Word file (the same content as the PDF).

use crate::{DocError, MinutesDoc, ResultRow};
use docx_rs::{AlignmentType, Docx, Paragraph, Run, RunFonts, Table, TableCell, TableRow};

const FONT: &str = "Times New Roman";

pub(crate) fn run(text: &str) -> Run {
    Run::new()
        .add_text(text)
        .fonts(RunFonts::new().ascii(FONT).hi_ansi(FONT).cs(FONT).east_asia(FONT))
        .size(26)
}

pub(crate) fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text))
}

pub(crate) fn bold(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text).bold())
}

pub(crate) fn centered(p: Paragraph) -> Paragraph {
    p.align(AlignmentType::Center)
}

fn cell(text: &str) -> TableCell {
    TableCell::new().add_paragraph(para(text))
}

fn table(header: Option<&[&str]>, rows: Vec<Vec<String>>) -> Table {
    let mut out = Vec::new();
    if let Some(h) = header {
        out.push(TableRow::new(h.iter().map(|t| TableCell::new().add_paragraph(bold(t))).collect()));
    }
    for r in rows {
        out.push(TableRow::new(r.iter().map(|t| cell(t)).collect()));
    }
    Table::new(out)
}

fn result_rows(rows: &[ResultRow], numbered: bool) -> Vec<Vec<String>> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let n = if numbered { i + 1 } else { r.position };
            vec![n.to_string(), r.name.clone(), r.votes.to_string(), r.percent_of_base.clone()]
        })
        .collect()
}

pub fn minutes(m: &MinutesDoc) -> Result<Vec<u8>, DocError> {
    let mut doc = Docx::new().add_paragraph(bold(&m.organisation.to_uppercase())).add_paragraph(
        Paragraph::new().add_run(run("ĐẢNG CỘNG SẢN VIỆT NAM").bold()).align(AlignmentType::Right),
    );
    if let Some(pd) = &m.place_date {
        doc = doc.add_paragraph(Paragraph::new().add_run(run(pd).italic()).align(AlignmentType::Right));
    }
    doc = doc
        .add_paragraph(centered(bold("BIÊN BẢN KIỂM PHIẾU")))
        .add_paragraph(centered(bold(&m.heading)))
        .add_paragraph(centered(para(&m.round_label)));
    if !m.congress_line.is_empty() {
        doc = doc.add_paragraph(para(&format!("{}: {}.", m.assembly_label, m.congress_line)));
    }
    if let Some(w) = &m.when {
        let place = if m.place.is_empty() { String::new() } else { format!("; địa điểm: {}", m.place) };
        doc = doc.add_paragraph(para(&format!("Thời gian: {w}{place}.")));
    }
    let alt = if m.alternate_seats > 0 {
        format!(" đại biểu chính thức (và {} đại biểu dự khuyết)", m.alternate_seats)
    } else {
        String::new()
    };
    doc = doc
        .add_paragraph(para(&format!("Số lượng cần bầu: {}{alt}.", m.seats)))
        .add_paragraph(bold("Ban kiểm phiếu"));
    for b in &m.board {
        doc = doc.add_paragraph(para(&format!("- {} — {}", b.name, b.role)));
    }
    doc = doc.add_paragraph(bold("Danh sách bầu cử (theo thứ tự trên phiếu)"));
    for (i, n) in m.candidates.iter().enumerate() {
        doc = doc.add_paragraph(para(&format!("{}. {n}", i + 1)));
    }
    doc = doc
        .add_paragraph(bold("Số làm căn cứ tính kết quả bầu cử"))
        .add_table(table(None, m.base_lines.iter().map(|l| vec![l.label.clone(), l.value.clone()]).collect()))
        .add_paragraph(para(&format!(
            "Người trúng cử phải được quá một nửa so với số làm căn cứ: ít nhất {} phiếu.",
            m.threshold
        )))
        .add_paragraph(bold("Kết quả kiểm phiếu"));
    let mut ballots = vec![
        vec!["Số phiếu phát ra".to_owned(), m.ballots.issued.to_string()],
        vec!["Số phiếu thu vào".to_owned(), m.ballots.returned.to_string()],
        vec!["Số phiếu hợp lệ".to_owned(), m.ballots.valid.to_string()],
        vec!["Số phiếu không hợp lệ".to_owned(), m.ballots.invalid.to_string()],
    ];
    for r in &m.ballots.reasons {
        ballots.push(vec![format!("    trong đó: {}", r.label), r.count.to_string()]);
    }
    doc = doc.add_table(table(None, ballots));
    doc = if m.agree_disagree {
        let rows = m
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.position.to_string(),
                    r.name.clone(),
                    r.votes.to_string(),
                    r.percent_of_base.clone(),
                    r.disagree.map_or("—".to_owned(), |n| n.to_string()),
                ]
            })
            .collect();
        doc.add_paragraph(para(
            "Số phiếu đồng ý, không đồng ý của từng người (theo thứ tự trên phiếu; tỷ lệ đồng ý so với số làm căn cứ):",
        ))
        .add_table(table(Some(&["TT", "Họ và tên", "Đồng ý", "Tỷ lệ", "Không đồng ý"]), rows))
    } else {
        doc.add_paragraph(para(
            "Số phiếu bầu cho từng người (theo thứ tự trên phiếu; tỷ lệ so với số làm căn cứ):",
        ))
        .add_table(table(Some(&["TT", "Họ và tên", "Số phiếu", "Tỷ lệ"]), result_rows(&m.rows, false)))
    };
    doc = doc.add_paragraph(bold("Người trúng cử"));
    if m.elected.is_empty() {
        doc = doc.add_paragraph(para("Không có người trúng cử."));
    } else {
        doc = doc
            .add_table(table(Some(&["TT", "Họ và tên", "Số phiếu", "Tỷ lệ"]), result_rows(&m.elected, true)));
    }
    if !m.alternates.is_empty() {
        doc = doc.add_paragraph(bold("Đại biểu dự khuyết")).add_table(table(
            Some(&["TT", "Họ và tên", "Số phiếu", "Tỷ lệ"]),
            result_rows(&m.alternates, true),
        ));
    }
    for n in &m.notes {
        doc = doc.add_paragraph(para(n));
    }
    if let Some(d) = &m.decision {
        doc = doc.add_paragraph(para(&format!("Quyết định của {}: {d}", m.assembly_label.to_lowercase())));
    }
    for r in &m.reopenings {
        doc = doc.add_paragraph(para(&format!("{r}.")));
    }
    if let Some(h) = &m.chain_head {
        doc = doc.add_paragraph(para(&format!("Mã kiểm chứng dữ liệu khi kết thúc kiểm phiếu: {h}")));
    }
    doc = doc.add_paragraph(para(
        "Biên bản đã đọc lại cho các thành viên ban kiểm phiếu cùng nghe và nhất trí ký tên.",
    ));
    let signers: Vec<(String, String)> = if m.board.is_empty() {
        vec![("Trưởng ban kiểm phiếu".into(), String::new())]
    } else {
        m.board.iter().map(|b| (b.role.clone(), b.name.clone())).collect()
    };
    let cells: Vec<TableCell> = signers
        .iter()
        .map(|(role, name)| {
            TableCell::new()
                .add_paragraph(centered(bold(&role.to_uppercase())))
                .add_paragraph(centered(Paragraph::new().add_run(run("(Ký, ghi rõ họ tên)").italic())))
                .add_paragraph(para(""))
                .add_paragraph(para(""))
                .add_paragraph(centered(para(name)))
        })
        .collect();
    let rows: Vec<TableRow> = cells.chunks(2).map(|c| TableRow::new(c.to_vec())).collect();
    doc = doc.add_table(Table::new(rows));
    let mut buffer = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut buffer).map_err(|e| DocError(format!("không tạo được tệp Word: {e}")))?;
    Ok(buffer.into_inner())
}
