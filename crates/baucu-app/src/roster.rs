//! The roster: import from `.xlsx` (all or nothing, every error by row and column), the template to
//! fill, search without diacritics, and editing one person.

use crate::congress::parse_date;
use crate::limits;
use crate::{Actor, App, AppError, FieldProblem, Permission};
use baucu_rules::PersonName;
use baucu_rules::name::fold_for_search;
use baucu_rules::roster::{Absence, DelegateKind, PartyStatus};
use baucu_store::persons::{self, PersonRow};
use calamine::{DataRef, Reader, Xlsx};
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

/// The length limit of each free-text column; every other column is held to [`limits::CELL`].
const FIELD_LIMITS: [(&str, limits::TextLimit); 5] = [
    ("full_name", limits::PERSON_NAME),
    ("ethnicity", limits::ETHNICITY),
    ("religion", limits::RELIGION),
    ("unit", limits::UNIT),
    ("education", limits::EDUCATION),
];

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
    // Lengths first: a value over its limit is named without being repeated in other messages.
    for (key, _, _) in COLUMNS {
        let limit = FIELD_LIMITS.iter().find(|(k, _)| *k == key).map_or(limits::CELL, |(_, l)| *l);
        if let Err(p) = limits::text(key, limit, fields.get(key).map_or("", String::as_str)) {
            let header = COLUMNS.iter().find(|(k, _, _)| *k == key).map_or(key, |(_, h, _)| *h);
            problems.push(FieldProblem {
                field: columns.get(key).cloned().unwrap_or_else(|| key.to_owned()),
                row,
                column: row.map(|_| header.to_owned()),
                message: p.message,
            });
        }
    }
    if let Err(p) = limits::text("absence", limits::CELL, fields.get("absence").map_or("", String::as_str)) {
        problems.push(p);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
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

/// Reads the text of a cell as staff typed it; dates become `yyyy-mm-dd`. A text longer than any
/// field may be is cut one character past [`limits::CELL`], so that it is refused without copying it.
fn cell_text(cell: &DataRef<'_>) -> String {
    let bounded = |s: &str| s.chars().take(limits::CELL.max_chars + 1).collect::<String>();
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) => bounded(s),
        DataRef::SharedString(s) => bounded(s),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => {
            if *b {
                "x".into()
            } else {
                String::new()
            }
        }
        DataRef::Float(f) if f.fract() == 0.0 => bounded(&format!("{f:.0}")),
        DataRef::Float(f) => f.to_string(),
        DataRef::DateTime(d) => {
            let serial = d.as_f64().floor() as i64;
            jiff::civil::date(1899, 12, 30)
                .checked_add(jiff::Span::new().days(serial))
                .map(|d| d.to_string())
                .unwrap_or_default()
        }
        DataRef::DateTimeIso(s) => s.chars().take(10).collect(),
        DataRef::DurationIso(s) => bounded(s),
        DataRef::Error(e) => format!("#{e:?}"),
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

/// Imports under way in this process: one at a time.
static IMPORTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

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
        limits::require_text("query", limits::SEARCH, query)?;
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
        // Reading a file is CPU work: it runs on the blocking pool, one file at a time, so that the
        // async threads stay free for the entry screens; a second import meanwhile is told to wait.
        let permit = IMPORTS.try_acquire().map_err(|_| {
            AppError::Conflict(
                "Máy chủ đang nhập một danh sách khác. Vui lòng chờ việc đó xong rồi nhập lại.".into(),
            )
        })?;
        // The permit goes with the reading: if the request is dropped, the file still being read
        // keeps its place until it is done.
        let (read, permit) = tokio::task::spawn_blocking(move || (read_roster_file(&bytes), permit))
            .await
            .map_err(|_| AppError::Conflict("Không đọc được tệp Excel (lỗi khi đọc tệp).".into()))?;
        let rows = read?;
        let done = self.act(actor, "roster.import", move |c| {
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
        .await;
        drop(permit);
        done
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

/// Refuses a file that would cost the node more than a roster ever needs, before anything is
/// unpacked: too many files inside the zip, a file or all of them too large once unpacked, or packed
/// like a zip bomb. The sizes checked are those the zip declares; the zip reader stops a file that
/// unpacks to more than it declared, so they bound what calamine reads.
fn check_container(bytes: &[u8]) -> Result<(), AppError> {
    use limits::{
        XLSX_MAX_BYTES, XLSX_MAX_ENTRIES, XLSX_MAX_ENTRY_BYTES, XLSX_MAX_RATIO, XLSX_MAX_TOTAL_BYTES,
    };
    let refuse = |m: String| AppError::Invalid(vec![FieldProblem::field("file", m)]);
    let mb = |n: u64| limits::thousands(n.div_ceil(1024 * 1024));
    if bytes.len() > XLSX_MAX_BYTES {
        return Err(refuse(format!(
            "Tệp Excel lớn {} MB, quá giới hạn {} MB.",
            mb(bytes.len() as u64),
            mb(XLSX_MAX_BYTES as u64)
        )));
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| refuse("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ.".into()))?;
    if archive.len() > XLSX_MAX_ENTRIES {
        return Err(refuse(format!(
            "Tệp Excel chứa {} tệp con, quá nhiều: một bảng tính có tối đa {} tệp con.",
            limits::thousands(archive.len() as u64),
            XLSX_MAX_ENTRIES
        )));
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|_| refuse("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ.".into()))?;
        let name: String = entry.name().map(|n| n.chars().take(80).collect()).unwrap_or_default();
        let (size, packed) = (entry.size(), entry.compressed_size());
        if size > XLSX_MAX_ENTRY_BYTES {
            return Err(refuse(format!(
                "Tệp Excel có phần \"{name}\" giải nén ra {} MB, quá giới hạn {} MB.",
                mb(size),
                mb(XLSX_MAX_ENTRY_BYTES)
            )));
        }
        if size > limits::XLSX_RATIO_FROM_BYTES && size / packed.max(1) > XLSX_MAX_RATIO {
            return Err(refuse(format!(
                "Tệp Excel có phần \"{name}\" nén bất thường (giải nén ra gấp {} lần, giới hạn {} lần): tệp có thể là \"bom nén\", không nhập.",
                limits::thousands(size / packed.max(1)),
                XLSX_MAX_RATIO
            )));
        }
        total = total.saturating_add(size);
        if total > XLSX_MAX_TOTAL_BYTES {
            return Err(refuse(format!(
                "Tệp Excel giải nén ra hơn {} MB, quá giới hạn.",
                mb(XLSX_MAX_TOTAL_BYTES)
            )));
        }
    }
    Ok(())
}

/// The refusal of a sheet that reaches past the roster's rows or columns (`end` is 0-based).
fn sheet_too_large(what: &str, end: (u32, u32)) -> AppError {
    AppError::invalid(
        "file",
        format!(
            "Tệp Excel có {what} tới ô {}{}, quá lớn: danh sách tối đa {} dòng và {} cột.",
            column_letter(end.1 as usize),
            u64::from(end.0) + 1,
            limits::thousands(u64::from(limits::ROSTER_MAX_ROWS)),
            limits::ROSTER_MAX_COLUMNS
        ),
    )
}

/// Reads and checks every row of a roster file: the checked people by Excel row number, or every
/// problem found. The file's container and the sheet's declared dimension are checked first; cells
/// are then streamed one by one (never the sheet's whole area), and reading stops at the first cell
/// past the roster's rows or columns.
pub fn read_roster_file(bytes: &[u8]) -> Result<Vec<(u32, PersonRow)>, AppError> {
    let file_problem = |m: &str| AppError::Invalid(vec![FieldProblem::field("file", m)]);
    check_container(bytes)?;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|_| file_problem("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ."))?;
    let sheet =
        book.sheet_names().first().cloned().ok_or_else(|| file_problem("Tệp không có trang tính nào."))?;
    let mut cells = book
        .worksheet_cells_reader(&sheet)
        .map_err(|_| file_problem("Không đọc được trang tính đầu tiên."))?;
    let declared = cells.dimensions().end;
    if declared.0 >= limits::ROSTER_MAX_ROWS || declared.1 >= limits::ROSTER_MAX_COLUMNS {
        return Err(sheet_too_large("vùng dữ liệu", declared));
    }
    let mut sheet = RosterSheet::default();
    let mut last: Option<(u32, u32)> = None;
    let mut row: Option<(u32, Vec<(u32, String)>)> = None;
    loop {
        let cell = match cells.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(_) => return Err(file_problem("Không đọc được trang tính đầu tiên: nội dung bị hỏng.")),
        };
        let text = cell_text(cell.get_value());
        if text.trim().is_empty() {
            continue;
        }
        let at = cell.get_position();
        if at.0 >= limits::ROSTER_MAX_ROWS || at.1 >= limits::ROSTER_MAX_COLUMNS {
            return Err(sheet_too_large("dữ liệu", at));
        }
        if last.is_some_and(|l| at <= l) {
            return Err(file_problem(
                "Các ô của trang tính không theo thứ tự dòng và cột như Excel ghi; hãy mở tệp bằng Excel, lưu lại rồi nhập.",
            ));
        }
        last = Some(at);
        match &mut row {
            Some((r, values)) if *r == at.0 => values.push((at.1, text)),
            _ => {
                if let Some((r, values)) = row.take() {
                    sheet.row(r, &values)?;
                    if sheet.full() {
                        break;
                    }
                }
                row = Some((at.0, vec![(at.1, text)]));
            }
        }
    }
    if let Some((r, values)) = row.take()
        && !sheet.full()
    {
        sheet.row(r, &values)?;
    }
    sheet.finish()
}

/// A roster sheet read row by row: the header's columns, the people read, the problems found.
#[derive(Debug, Default)]
struct RosterSheet {
    /// For each column key, its 0-based column in the sheet, once the header row is read.
    header: Option<BTreeMap<&'static str, u32>>,
    people: Vec<(u32, PersonRow)>,
    problems: Vec<FieldProblem>,
}

impl RosterSheet {
    /// Takes one row (0-based `row`, its non-empty cells by column): the first is the header.
    fn row(&mut self, row: u32, values: &[(u32, String)]) -> Result<(), AppError> {
        let Some(header) = &self.header else {
            self.header = Some(Self::read_header(row, values)?);
            return Ok(());
        };
        let excel_row = row + 1;
        let fields: PersonFields = header
            .iter()
            .map(|(key, col)| {
                let text = values.iter().find(|(c, _)| c == col).map(|(_, t)| t.clone()).unwrap_or_default();
                ((*key).to_owned(), text)
            })
            .collect();
        if fields.values().all(|v| v.trim().is_empty()) {
            return Ok(()); // a row with nothing in the roster's columns (notes beside the table)
        }
        let cells_of_row: BTreeMap<&str, String> = header
            .iter()
            .map(|(k, col)| (*k, format!("{}{excel_row}", column_letter(*col as usize))))
            .collect();
        match parse_person(&fields, Some(excel_row), &cells_of_row) {
            Ok(p) => self.people.push((excel_row, p)),
            Err(p) => self.problems.extend(p),
        }
        if self.full() {
            self.problems.truncate(limits::ROSTER_MAX_PROBLEMS);
            self.problems.push(FieldProblem::field(
                "file",
                format!(
                    "Tệp còn lỗi ở các dòng sau dòng {excel_row}; sửa {} lỗi trên rồi nhập lại để xem tiếp.",
                    limits::ROSTER_MAX_PROBLEMS
                ),
            ));
        }
        Ok(())
    }

    fn full(&self) -> bool {
        self.problems.len() >= limits::ROSTER_MAX_PROBLEMS
    }

    /// Columns are found by their header, in any order; a missing required column is a problem.
    fn read_header(row: u32, values: &[(u32, String)]) -> Result<BTreeMap<&'static str, u32>, AppError> {
        let mut index = BTreeMap::new();
        let mut problems = Vec::new();
        for (key, title, required) in COLUMNS {
            let wanted = fold_for_search(title);
            match values.iter().find(|(_, h)| fold_for_search(h.trim()) == wanted) {
                Some((col, _)) => {
                    index.insert(key, *col);
                }
                None if required => problems.push(FieldProblem {
                    field: "1".into(),
                    row: Some(row + 1),
                    column: Some(title.into()),
                    message: format!("Thiếu cột \"{title}\" ở dòng tiêu đề."),
                }),
                None => {}
            }
        }
        if problems.is_empty() { Ok(index) } else { Err(AppError::Invalid(problems)) }
    }

    fn finish(mut self) -> Result<Vec<(u32, PersonRow)>, AppError> {
        if self.header.is_none() {
            // An empty sheet: its header row is missing.
            self.header = Some(Self::read_header(0, &[])?);
        }
        let name_column = self
            .header
            .as_ref()
            .and_then(|h| h.get("full_name"))
            .map_or_else(|| "A".to_owned(), |c| column_letter(*c as usize));
        // Duplicates inside the file.
        let mut seen: BTreeMap<(String, Option<String>), u32> = BTreeMap::new();
        for (row, p) in &self.people {
            if let Some(first) = seen.get(&identity(p)) {
                self.problems.push(FieldProblem {
                    field: format!("{name_column}{row}"),
                    row: Some(*row),
                    column: Some("Họ và tên".into()),
                    message: format!("Trùng người với dòng {first} (cùng họ tên và ngày sinh)."),
                });
            } else {
                seen.insert(identity(p), *row);
            }
        }
        if !self.problems.is_empty() {
            self.problems.sort_by_key(|p| p.row.unwrap_or(u32::MAX));
            return Err(AppError::Invalid(self.problems));
        }
        if self.people.is_empty() {
            return Err(AppError::invalid("file", "Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."));
        }
        Ok(self.people)
    }
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
    fn a_table_placed_lower_and_to_the_right_is_read_by_its_own_cells() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (c, title) in ["Giới tính", "Họ và tên", "Đảng viên"].iter().enumerate() {
            sheet.write_string(2, c as u16 + 2, *title).expect("write");
        }
        let long = "Ễ".repeat(101);
        let rows = [["Nam", "Hà Văn Giang", "Chính thức"], ["", "", ""], ["Nữ", long.as_str(), "Dự bị"]];
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(r as u32 + 3, c as u16 + 2, *v).expect("write");
            }
        }
        let err = read_roster_file(&book.save_to_buffer().expect("save")).expect_err("a long name");
        let AppError::Invalid(problems) = err else { panic!("not invalid: {err:?}") };
        let found: Vec<(Option<u32>, &str, &str)> =
            problems.iter().map(|p| (p.row, p.field.as_str(), p.message.as_str())).collect();
        assert_eq!(found, [(Some(6), "D6", "Họ và tên dài quá 100 ký tự.")]);
    }

    #[test]
    fn a_sheet_past_the_roster_area_is_refused_before_its_cells_are_read() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Họ và tên").expect("write");
        sheet.write_string(limits::ROSTER_MAX_ROWS, 0, "x").expect("write");
        let err = read_roster_file(&book.save_to_buffer().expect("save")).expect_err("too many rows");
        assert_eq!(
            err.message(),
            "Tệp Excel có vùng dữ liệu tới ô A20001, quá lớn: danh sách tối đa 20.000 dòng và 60 cột."
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
