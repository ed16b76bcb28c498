//! The roster: import from `.xlsx` (all or nothing, every error by row and column), the template to
//! fill, search without diacritics, and editing one person.

use crate::congress::parse_date;
use crate::{Actor, App, AppError, FieldProblem, Permission};
use baucu_rules::PersonName;
use baucu_rules::name::fold_for_search;
use baucu_rules::roster::{Absence, DelegateKind, PartyStatus};
use baucu_store::persons::{self, PersonRow};
use calamine::{Data, Reader, Xlsx};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Cursor;

/// The columns of the roster file, in the template's order: (key, header, required).
pub const COLUMNS: [(&str, &str, bool); 15] = [
    ("full_name", "Họ và tên", true),
    ("birth_date", "Ngày sinh", false),
    ("sex", "Giới tính", true),
    ("ethnicity", "Dân tộc", false),
    ("religion", "Tôn giáo", false),
    ("party_status", "Đảng viên", true),
    ("delegate_kind", "Loại đại biểu", false),
    ("unit", "Đơn vị", false),
    ("education", "Trình độ chuyên môn", false),
    ("political_theory", "Lý luận chính trị", false),
    ("first_time", "Tham gia cấp ủy lần đầu", false),
    ("temporarily_transferred", "Sinh hoạt tạm thời nơi khác", false),
    ("exempted", "Miễn công tác và sinh hoạt", false),
    ("suspended", "Đình chỉ sinh hoạt", false),
    ("prosecuted", "Khởi tố, truy tố, tạm giam", false),
];

pub const SEXES: [(&str, &str); 2] = [("male", "Nam"), ("female", "Nữ")];
pub const PARTY_STATUSES: [(&str, &str); 2] = [("official", "Chính thức"), ("probationary", "Dự bị")];
pub const DELEGATE_KINDS: [(&str, &str); 4] = [
    ("elected", "Được bầu"),
    ("ex_officio", "Đương nhiên"),
    ("appointed", "Chỉ định"),
    ("alternate", "Dự khuyết"),
];
pub const THEORY_LEVELS: [(&str, &str); 4] = [
    ("elementary", "Sơ cấp"),
    ("intermediate", "Trung cấp"),
    ("advanced", "Cao cấp"),
    ("bachelor", "Cử nhân"),
];
pub const ABSENCES: [(&str, &str); 3] = [
    ("none", "Có mặt"),
    ("with_accepted_reason", "Vắng cả đại hội, có lý do được chấp nhận"),
    ("without_reason", "Vắng cả đại hội, không có lý do"),
];

/// Looks a label up in a (code, label) table, comparing without diacritics or case.
fn code_of(table: &[(&'static str, &'static str)], text: &str) -> Option<&'static str> {
    let t = fold_for_search(text.trim());
    table.iter().find(|(code, label)| fold_for_search(label) == t || *code == t).map(|(code, _)| *code)
}

pub fn label_of(table: &[(&'static str, &'static str)], code: &str) -> &'static str {
    table.iter().find(|(c, _)| *c == code).map_or("", |(_, l)| *l)
}

fn yes(text: &str) -> Option<bool> {
    match fold_for_search(text.trim()).as_str() {
        "" | "khong" | "0" | "false" | "-" => Some(false),
        "x" | "co" | "1" | "true" | "v" => Some(true),
        _ => None,
    }
}

/// A person as the pages show and the rules read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: i64,
    pub full_name: String,
    pub birth_date: Option<jiff::civil::Date>,
    pub sex: String,
    pub ethnicity: String,
    pub religion: String,
    pub party_status: String,
    pub delegate_kind: Option<String>,
    pub unit: String,
    pub education: String,
    pub political_theory: String,
    pub first_time: bool,
    pub temporarily_transferred: bool,
    pub exempted: bool,
    pub suspended: bool,
    pub prosecuted: bool,
    pub absence: String,
    pub replaces_person_id: Option<i64>,
}

impl Person {
    /// A stored person, every enumerated field checked: an unknown party status, sex, delegate kind
    /// or absence is an error (the row was damaged behind the node's back), never a default.
    pub(crate) fn from_row(r: PersonRow) -> Result<Self, AppError> {
        let known = |table: &[(&str, &str)], value: &str| table.iter().any(|(code, _)| *code == value);
        let damaged = |field: &str| AppError::damaged(format!("Dữ liệu của đảng viên số {}", r.id), field);
        if !known(&PARTY_STATUSES, &r.party_status) {
            return Err(damaged("đảng viên chính thức/dự bị"));
        }
        if !known(&SEXES, &r.sex) {
            return Err(damaged("giới tính"));
        }
        if !known(&ABSENCES, &r.absence) {
            return Err(damaged("vắng mặt"));
        }
        if r.delegate_kind.as_deref().is_some_and(|k| !known(&DELEGATE_KINDS, k)) {
            return Err(damaged("loại đại biểu"));
        }
        if !r.political_theory.is_empty() && !known(&THEORY_LEVELS, &r.political_theory) {
            return Err(damaged("lý luận chính trị"));
        }
        let birth_date = match r.birth_date.as_deref() {
            None => None,
            Some(text) => Some(parse_date(text).ok_or_else(|| damaged("ngày sinh"))?),
        };
        Ok(Person {
            id: r.id,
            full_name: r.full_name,
            birth_date,
            sex: r.sex,
            ethnicity: r.ethnicity,
            religion: r.religion,
            party_status: r.party_status,
            delegate_kind: r.delegate_kind,
            unit: r.unit,
            education: r.education,
            political_theory: r.political_theory,
            first_time: r.first_time,
            temporarily_transferred: r.temporarily_transferred,
            exempted: r.exempted,
            suspended: r.suspended,
            prosecuted: r.prosecuted,
            absence: r.absence,
            replaces_person_id: r.replaces_person_id,
        })
    }

    pub fn party_status(&self) -> PartyStatus {
        if self.party_status == "probationary" { PartyStatus::Probationary } else { PartyStatus::Official }
    }

    pub fn delegate_kind(&self) -> Option<DelegateKind> {
        match self.delegate_kind.as_deref() {
            Some("elected") => Some(DelegateKind::Elected),
            Some("ex_officio") => Some(DelegateKind::ExOfficio),
            Some("appointed") => Some(DelegateKind::Appointed),
            Some("alternate") => Some(DelegateKind::Alternate),
            _ => None,
        }
    }

    pub fn absence(&self) -> Absence {
        match self.absence.as_str() {
            "with_accepted_reason" => Absence::WithAcceptedReason,
            "without_reason" => Absence::WithoutReason,
            _ => Absence::None,
        }
    }
}

/// One person's fields as text, from a form or a spreadsheet row, keyed by [`COLUMNS`] keys.
pub type PersonFields = BTreeMap<String, String>;

/// Checks one person's fields; problems name the field (and, for a file, row and column).
fn parse_person(
    fields: &PersonFields,
    row: Option<u32>,
    columns: &BTreeMap<&str, String>,
) -> Result<PersonRow, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let get = |key: &str| fields.get(key).map(String::as_str).unwrap_or("").trim().to_owned();
    let mut problem = |key: &str, message: String| {
        let header = COLUMNS.iter().find(|(k, _, _)| *k == key).map_or(key, |(_, h, _)| *h);
        problems.push(FieldProblem {
            field: columns.get(key).cloned().unwrap_or_else(|| key.to_owned()),
            row,
            column: row.map(|_| header.to_owned()),
            message,
        });
    };
    let name = match PersonName::parse(&get("full_name")) {
        Ok(n) => Some(n),
        Err(_) => {
            problem("full_name", "Họ và tên để trống hoặc không hợp lệ.".into());
            None
        }
    };
    let birth = get("birth_date");
    let birth_date = if birth.is_empty() {
        None
    } else {
        match parse_date(&birth) {
            Some(d) => Some(d.to_string()),
            None => {
                problem("birth_date", format!("Ngày sinh \"{birth}\" không hợp lệ (viết dd/mm/yyyy)."));
                None
            }
        }
    };
    let sex = code_of(&SEXES, &get("sex"));
    if sex.is_none() {
        problem("sex", format!("Giới tính \"{}\" không hợp lệ (Nam hoặc Nữ).", get("sex")));
    }
    let status = code_of(&PARTY_STATUSES, &get("party_status"));
    if status.is_none() {
        problem(
            "party_status",
            format!("Đảng viên \"{}\" không hợp lệ (Chính thức hoặc Dự bị).", get("party_status")),
        );
    }
    let delegate_text = get("delegate_kind");
    let delegate_kind = if delegate_text.is_empty() {
        None
    } else {
        let k = code_of(&DELEGATE_KINDS, &delegate_text);
        if k.is_none() {
            problem(
                "delegate_kind",
                format!(
                    "Loại đại biểu \"{delegate_text}\" không hợp lệ (Được bầu, Đương nhiên, Chỉ định hoặc Dự khuyết)."
                ),
            );
        }
        k
    };
    let theory_text = get("political_theory");
    let political_theory = if theory_text.is_empty() {
        ""
    } else {
        code_of(&THEORY_LEVELS, &theory_text).unwrap_or_else(|| {
            problem(
                "political_theory",
                format!("Lý luận chính trị \"{theory_text}\" không hợp lệ (Sơ cấp, Trung cấp, Cao cấp hoặc Cử nhân)."),
            );
            ""
        })
    };
    let mut flag = |key: &str| {
        let text = get(key);
        yes(&text).unwrap_or_else(|| {
            problem(key, format!("Giá trị \"{text}\" không hợp lệ (để trống, hoặc ghi x / Có)."));
            false
        })
    };
    let first_time = flag("first_time");
    let temporarily_transferred = flag("temporarily_transferred");
    let exempted = flag("exempted");
    let suspended = flag("suspended");
    let prosecuted = flag("prosecuted");
    let absence = fields.get("absence").and_then(|a| code_of(&ABSENCES, a)).unwrap_or("none");
    match (name, sex, status) {
        (Some(name), Some(sex), Some(status)) if problems.is_empty() => Ok(PersonRow {
            search_key: name.search_key(),
            full_name: name.to_string(),
            birth_date,
            sex: sex.into(),
            ethnicity: get("ethnicity"),
            religion: get("religion"),
            party_status: status.into(),
            delegate_kind: delegate_kind.map(Into::into),
            unit: get("unit"),
            education: get("education"),
            political_theory: political_theory.into(),
            first_time,
            temporarily_transferred,
            exempted,
            suspended,
            prosecuted,
            absence: absence.into(),
            ..PersonRow::default()
        }),
        _ => Err(problems),
    }
}

/// Two rows are the same person when the names match (without diacritics) and so do the birth dates.
fn identity(p: &PersonRow) -> (String, Option<String>) {
    (p.search_key.clone(), p.birth_date.clone())
}

/// Reads the text of a cell as staff typed it; dates become `yyyy-mm-dd`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => {
            if *b {
                "x".into()
            } else {
                String::new()
            }
        }
        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::DateTime(d) => {
            let serial = d.as_f64().floor() as i64;
            jiff::civil::date(1899, 12, 30)
                .checked_add(jiff::Span::new().days(serial))
                .map(|d| d.to_string())
                .unwrap_or_default()
        }
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub imported: usize,
}

impl App {
    pub async fn persons(&self, actor: &Actor) -> Result<Vec<Person>, AppError> {
        actor.require(Permission::ViewSetup)?;
        let rows = self.read(|c| Ok(persons::all(c)?)).await?;
        rows.into_iter().map(Person::from_row).collect()
    }

    /// People whose name contains `query`, ignoring diacritics and case ("nguyen" finds "Nguyễn").
    pub async fn search_persons(
        &self,
        actor: &Actor,
        query: &str,
        limit: i64,
    ) -> Result<Vec<Person>, AppError> {
        actor.require(Permission::ViewSetup)?;
        let key = fold_for_search(query.trim());
        let rows = self.read(move |c| Ok(persons::search(c, &key, limit)?)).await?;
        rows.into_iter().map(Person::from_row).collect()
    }

    pub async fn person(&self, actor: &Actor, id: i64) -> Result<Person, AppError> {
        actor.require(Permission::ViewSetup)?;
        let row = self.read(move |c| Ok(persons::get(c, id)?)).await?;
        Person::from_row(row.ok_or(AppError::NotFound("người này"))?)
    }

    /// Imports a roster file. Every row is checked first; if any has a problem, nothing is imported
    /// and every problem is returned with its row and column.
    pub async fn import_roster(&self, actor: &Actor, bytes: Vec<u8>) -> Result<ImportReport, AppError> {
        actor.require(Permission::EditRoster)?;
        let rows = read_roster_file(&bytes)?;
        self.act(actor, "roster.import", move |c| {
            let mut known: BTreeMap<(String, Option<String>), String> = persons::all(c)?
                .into_iter()
                .map(|p| (identity(&p), p.full_name))
                .collect();
            let mut problems = Vec::new();
            for (row, person) in &rows {
                if let Some(existing) = known.get(&identity(person)) {
                    problems.push(FieldProblem {
                        field: format!("A{row}"),
                        row: Some(*row),
                        column: Some("Họ và tên".into()),
                        message: format!("Trùng người: \"{existing}\" cùng ngày sinh đã có trong danh sách hoặc ở dòng trên."),
                    });
                } else {
                    known.insert(identity(person), person.full_name.clone());
                }
            }
            if !problems.is_empty() {
                return Err(AppError::Invalid(problems));
            }
            for (_, person) in &rows {
                persons::insert(c, person)?;
            }
            Ok((ImportReport { imported: rows.len() }, json!({ "imported": rows.len() })))
        })
        .await
    }

    /// Adds (`id = None`) or edits a person.
    pub async fn save_person(
        &self,
        actor: &Actor,
        id: Option<i64>,
        fields: PersonFields,
    ) -> Result<i64, AppError> {
        actor.require(Permission::EditRoster)?;
        let columns = COLUMNS.iter().map(|(k, _, _)| (*k, (*k).to_owned())).collect();
        let mut row = parse_person(&fields, None, &columns).map_err(AppError::Invalid)?;
        self.act(actor, if id.is_some() { "person.update" } else { "person.create" }, move |c| {
            let clash =
                persons::all(c)?.into_iter().find(|p| Some(p.id) != id && identity(p) == identity(&row));
            if let Some(other) = clash {
                return Err(AppError::invalid(
                    "full_name",
                    format!("Trùng người: \"{}\" cùng ngày sinh đã có.", other.full_name),
                ));
            }
            let id = match id {
                Some(id) => {
                    let old = persons::get(c, id)?.ok_or(AppError::NotFound("người này"))?;
                    row.id = id;
                    row.absence = old.absence;
                    row.replaces_person_id = old.replaces_person_id;
                    persons::update(c, &row)?;
                    id
                }
                None => persons::insert(c, &row)?,
            };
            Ok((id, json!({ "id": id, "full_name": row.full_name })))
        })
        .await
    }
}

/// Reads and checks every row of a roster file: the checked people by Excel row number, or every
/// problem found.
pub fn read_roster_file(bytes: &[u8]) -> Result<Vec<(u32, PersonRow)>, AppError> {
    let file_problem = |m: &str| AppError::Invalid(vec![FieldProblem::field("file", m)]);
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|_| file_problem("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ."))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| file_problem("Tệp không có trang tính nào."))?
        .map_err(|_| file_problem("Không đọc được trang tính đầu tiên."))?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut rows = range.rows();
    let header: Vec<String> = rows.next().map(|r| r.iter().map(cell_text).collect()).unwrap_or_default();
    // Columns are found by their header, in any order.
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut letters: BTreeMap<&str, String> = BTreeMap::new();
    let mut problems = Vec::new();
    for (key, title, required) in COLUMNS {
        match header.iter().position(|h| fold_for_search(h.trim()) == fold_for_search(title)) {
            Some(i) => {
                index.insert(key, i);
                letters.insert(key, column_letter(first_col as usize + i));
            }
            None if required => problems.push(FieldProblem {
                field: "1".into(),
                row: Some(first_row + 1),
                column: Some(title.into()),
                message: format!("Thiếu cột \"{title}\" ở dòng tiêu đề."),
            }),
            None => {}
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let mut people = Vec::new();
    for (offset, cells) in rows.enumerate() {
        let excel_row = first_row + 2 + offset as u32;
        let fields: PersonFields = index
            .iter()
            .map(|(key, &i)| ((*key).to_owned(), cells.get(i).map(cell_text).unwrap_or_default()))
            .collect();
        if fields.values().all(|v| v.trim().is_empty()) {
            continue; // blank rows between blocks are common and harmless
        }
        let cells_of_row: BTreeMap<&str, String> =
            letters.iter().map(|(k, letter)| (*k, format!("{letter}{excel_row}"))).collect();
        match parse_person(&fields, Some(excel_row), &cells_of_row) {
            Ok(p) => people.push((excel_row, p)),
            Err(p) => problems.extend(p),
        }
    }
    // Duplicates inside the file.
    let mut seen: BTreeMap<(String, Option<String>), u32> = BTreeMap::new();
    for (row, p) in &people {
        if let Some(first) = seen.get(&identity(p)) {
            problems.push(FieldProblem {
                field: format!("{}{row}", letters.get("full_name").map_or("A", String::as_str)),
                row: Some(*row),
                column: Some("Họ và tên".into()),
                message: format!("Trùng người với dòng {first} (cùng họ tên và ngày sinh)."),
            });
        } else {
            seen.insert(identity(p), *row);
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.row);
        return Err(AppError::Invalid(problems));
    }
    if people.is_empty() {
        return Err(file_problem("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."));
    }
    Ok(people)
}

/// The roster template: the header row, drop-down lists for the coded columns, and a sheet of
/// instructions.
pub fn roster_template() -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{DataValidation, Format, Workbook};
    let fail = |_| AppError::Conflict("Không tạo được tệp mẫu.".into());
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#FDE9D9").set_text_wrap();
    let sheet = book.add_worksheet();
    sheet.set_name("Danh sách").map_err(fail)?;
    for (i, (_, title, _)) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, *title, &bold).map_err(fail)?;
        sheet.set_column_width(i as u16, if i == 0 { 28 } else { 16 }).map_err(fail)?;
    }
    sheet.set_freeze_panes(1, 1).map_err(fail)?;
    let lists: [(usize, Vec<&str>); 5] = [
        (2, SEXES.iter().map(|(_, l)| *l).collect()),
        (5, PARTY_STATUSES.iter().map(|(_, l)| *l).collect()),
        (6, DELEGATE_KINDS.iter().map(|(_, l)| *l).collect()),
        (9, THEORY_LEVELS.iter().map(|(_, l)| *l).collect()),
        (10, vec!["Có", "Không"]),
    ];
    for (col, values) in lists {
        let v = DataValidation::new().allow_list_strings(&values).map_err(fail)?;
        sheet.add_data_validation(1, col as u16, 5000, col as u16, &v).map_err(fail)?;
    }
    for col in 11..15u16 {
        let v = DataValidation::new().allow_list_strings(&["x"]).map_err(fail)?;
        sheet.add_data_validation(1, col, 5000, col, &v).map_err(fail)?;
    }
    let help = book.add_worksheet();
    help.set_name("Hướng dẫn").map_err(fail)?;
    help.set_column_width(0, 110).map_err(fail)?;
    let lines = [
        "Mỗi dòng của trang \"Danh sách\" là một người; giữ nguyên dòng tiêu đề.",
        "Họ và tên, Giới tính (Nam/Nữ) và Đảng viên (Chính thức/Dự bị) là bắt buộc.",
        "Ngày sinh viết dd/mm/yyyy, ví dụ 02/09/1975 (hoặc dùng ô kiểu ngày).",
        "Loại đại biểu (chỉ đại hội đại biểu): Được bầu, Đương nhiên, Chỉ định hoặc Dự khuyết.",
        "Lý luận chính trị: Sơ cấp, Trung cấp, Cao cấp hoặc Cử nhân.",
        "Bốn cột cuối ghi x nếu đúng; các cột này ảnh hưởng đến số làm căn cứ tính kết quả bầu cử (Điều 30).",
        "Tệp có lỗi sẽ không được nhập dòng nào; mọi lỗi được liệt kê theo dòng và cột để sửa.",
    ];
    for (i, line) in lines.iter().enumerate() {
        help.write_string(i as u32, 0, *line).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::Workbook;

    fn file(rows: &[[&str; 6]]) -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (c, title) in
            ["Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Tôn giáo", "Đảng viên"].iter().enumerate()
        {
            sheet.write_string(0, c as u16, *title).expect("write");
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(r as u32 + 1, c as u16, *v).expect("write");
            }
        }
        book.save_to_buffer().expect("save")
    }

    #[test]
    fn a_clean_file_reads_every_row() {
        let rows = read_roster_file(&file(&[
            ["Nguyễn Văn An", "02/09/1975", "Nam", "Kinh", "Không", "Chính thức"],
            ["Lò Thị Bình", "1980-01-15", "nữ", "Thái", "", "dự bị"],
        ]))
        .expect("clean");
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].0, rows[1].1.sex.as_str(), rows[1].1.party_status.as_str()),
            (2, "female", "probationary")
        );
        assert_eq!(rows[0].1.birth_date.as_deref(), Some("1975-09-02"));
        assert_eq!(rows[1].1.search_key, "lo thi binh");
    }

    #[test]
    fn every_problem_is_named_by_row_and_column() {
        let err = read_roster_file(&file(&[
            ["", "02/09/1975", "Nam", "Kinh", "", "Chính thức"],
            ["Trần Văn Cường", "31/02/1980", "Nam", "Kinh", "", "Chính thức"],
            ["Lê Thị Dung", "01/01/1970", "Nữ", "Kinh", "", "Chính thức"],
            ["Lê Thị Dung", "01/01/1970", "Nữ", "Kinh", "", "Chính thức"],
            ["Phạm Văn Em", "01/01/1970", "Khác", "Kinh", "", "Chính thức"],
        ]))
        .expect_err("four problems");
        let AppError::Invalid(problems) = err else { panic!("not invalid: {err:?}") };
        let found: Vec<(Option<u32>, Option<&str>, &str)> =
            problems.iter().map(|p| (p.row, p.column.as_deref(), p.field.as_str())).collect();
        assert_eq!(
            found,
            [
                (Some(2), Some("Họ và tên"), "A2"),
                (Some(3), Some("Ngày sinh"), "B3"),
                (Some(5), Some("Họ và tên"), "A5"),
                (Some(6), Some("Giới tính"), "C6")
            ]
        );
    }

    #[test]
    fn the_template_reads_back_its_own_headers() {
        let bytes = roster_template().expect("template");
        let err = read_roster_file(&bytes).expect_err("no data rows");
        assert!(err.message().contains("không có dòng dữ liệu"), "{}", err.message());
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(26), "AA");
    }
}
