//! The roster: import from the files offices keep (`import`: `.xlsx`, `.xls`, `.ods`, `.csv`, the
//! header found under title rows, legacy encodings converted, a preview before anything is written;
//! every error by row and column), the template to fill, search without diacritics, editing and
//! deleting one person.

mod import;
pub mod legacy;

pub use import::{
    ColumnView, Conversion, HEADER_SEARCH_ROWS, ImportChoice, ImportPreview, PreviewChange, PreviewPerson,
    mapping_choices, read_roster_file,
};

use crate::congress::parse_date;
use crate::limits;
use crate::{Actor, App, AppError, FieldProblem, Permission};
use baucu_rules::PersonName;
use baucu_rules::name::fold_for_search;
use baucu_rules::roster::{Absence, DelegateKind, PartyStatus};
use baucu_store::persons::{self, PersonRow};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

/// The columns of the roster file, in the template's order: (key, header, required).
pub const COLUMNS: [(&str, &str, bool); 19] = [
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
    ("hometown", "Quê quán", false),
    ("position", "Chức vụ hiện tại", false),
    ("joined_on", "Ngày vào Đảng", false),
    ("official_on", "Ngày chính thức", false),
    ("first_time", "Tham gia cấp ủy lần đầu", false),
    ("temporarily_transferred", "Sinh hoạt tạm thời nơi khác", false),
    ("exempted", "Miễn công tác và sinh hoạt", false),
    ("suspended", "Đình chỉ sinh hoạt", false),
    ("prosecuted", "Khởi tố, truy tố, tạm giam", false),
];

/// The columns that are a mark (x) rather than a value: the form shows them as check boxes.
pub const FLAG_KEYS: [&str; 5] =
    ["first_time", "temporarily_transferred", "exempted", "suspended", "prosecuted"];

/// A birth date as offices record it: the day, or only the year (common for older members).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BirthDate {
    Year(i16),
    Day(jiff::civil::Date),
}

impl BirthDate {
    /// `1968`, or a date as [`parse_date`] reads it (`dd/mm/yyyy`, `yyyy-mm-dd`, ...).
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
            let year: i16 = t.parse().ok()?;
            return (1900..=2100).contains(&year).then_some(BirthDate::Year(year));
        }
        parse_date(t).map(BirthDate::Day)
    }

    pub fn year(self) -> i16 {
        match self {
            BirthDate::Year(y) => y,
            BirthDate::Day(d) => d.year(),
        }
    }

    /// As the store keeps it: `1968` or `1968-05-02`.
    pub fn stored(self) -> String {
        match self {
            BirthDate::Year(y) => y.to_string(),
            BirthDate::Day(d) => d.to_string(),
        }
    }

    /// The day ages are counted from: the date, or 1 January of a year alone (age by year, as the
    /// office counts it when only the year is known).
    pub fn day_for_age(self) -> jiff::civil::Date {
        match self {
            BirthDate::Day(d) => d,
            BirthDate::Year(y) => jiff::civil::Date::new(y, 1, 1).unwrap_or(jiff::civil::Date::MIN),
        }
    }
}

impl std::fmt::Display for BirthDate {
    /// As people read it: `1968` or `02/05/1968`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BirthDate::Year(y) => write!(f, "{y}"),
            BirthDate::Day(d) => write!(f, "{:02}/{:02}/{}", d.day(), d.month(), d.year()),
        }
    }
}

impl Serialize for BirthDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.stored())
    }
}

/// A date as people read it (`02/05/1968`), or nothing.
pub fn vn_date(d: Option<jiff::civil::Date>) -> String {
    d.map(|d| format!("{:02}/{:02}/{}", d.day(), d.month(), d.year())).unwrap_or_default()
}

/// Letters that look like Vietnamese ones but are not (what some keyboards and old converters
/// produce): they would break search and ballot order.
const LOOK_ALIKES: [(char, char); 4] = [('\u{D0}', 'Đ'), ('\u{F0}', 'đ'), ('\u{189}', 'Đ'), ('\u{256}', 'đ')];

/// NFC.
pub(crate) fn nfc(text: &str) -> String {
    icu_normalizer::ComposingNormalizerBorrowed::new_nfc().normalize(text).into_owned()
}

/// A name or text as the roster keeps it: NFC, look-alike letters replaced, invisible characters
/// removed, spaces collapsed and trimmed.
pub fn normalize_text(text: &str) -> String {
    let replaced: String = nfc(text)
        .chars()
        .filter(|c| !matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' | '\u{AD}'))
        .map(|c| LOOK_ALIKES.iter().find(|(l, _)| *l == c).map_or(c, |(_, v)| *v))
        .collect();
    let nfc_again = nfc(&replaced);
    nfc_again.split_whitespace().collect::<Vec<_>>().join(" ")
}

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
    pub birth_date: Option<BirthDate>,
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
    /// Quê quán.
    pub hometown: String,
    /// Chức vụ hiện tại.
    pub position: String,
    /// Ngày vào Đảng.
    pub joined_on: Option<jiff::civil::Date>,
    /// Ngày chính thức.
    pub official_on: Option<jiff::civil::Date>,
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
            Some(text) => Some(BirthDate::parse(text).ok_or_else(|| damaged("ngày sinh"))?),
        };
        let joined_on = match r.joined_on.as_deref() {
            None => None,
            Some(text) => Some(parse_date(text).ok_or_else(|| damaged("ngày vào Đảng"))?),
        };
        let official_on = match r.official_on.as_deref() {
            None => None,
            Some(text) => Some(parse_date(text).ok_or_else(|| damaged("ngày chính thức"))?),
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
            hometown: r.hometown,
            position: r.position,
            joined_on,
            official_on,
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
const FIELD_LIMITS: [(&str, limits::TextLimit); 7] = [
    ("full_name", limits::PERSON_NAME),
    ("ethnicity", limits::ETHNICITY),
    ("religion", limits::RELIGION),
    ("unit", limits::UNIT),
    ("education", limits::EDUCATION),
    ("hometown", limits::UNIT),
    ("position", limits::UNIT),
];

/// Where each field of a person was read: the form field or cell (`C5`), and the column's header.
pub(crate) type FieldPlaces = BTreeMap<&'static str, (String, String)>;

/// The places of a form's fields: each field by its key and its header.
fn form_places() -> FieldPlaces {
    COLUMNS.iter().map(|(k, h, _)| (*k, ((*k).to_owned(), (*h).to_owned()))).collect()
}

/// One person's fields as text, from a form or a spreadsheet row, keyed by [`COLUMNS`] keys.
pub type PersonFields = BTreeMap<String, String>;

/// Checks one person's fields; problems name the field (and, for a file, row, cell and header).
/// Every text is normalised first ([`normalize_text`]).
pub(crate) fn parse_person(
    fields: &PersonFields,
    row: Option<u32>,
    places: &FieldPlaces,
) -> Result<PersonRow, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let place = |key: &str| -> (String, Option<String>) {
        let standard = COLUMNS.iter().find(|(k, _, _)| *k == key).map_or(key, |(_, h, _)| *h);
        match places.get(key) {
            Some((field, header)) => (field.clone(), row.map(|_| header.clone())),
            None => (key.to_owned(), row.map(|_| standard.to_owned())),
        }
    };
    // Lengths first: a value over its limit is named without being repeated in other messages.
    for (key, _, _) in COLUMNS {
        let limit = FIELD_LIMITS.iter().find(|(k, _)| *k == key).map_or(limits::CELL, |(_, l)| *l);
        if let Err(p) = limits::text(key, limit, fields.get(key).map_or("", String::as_str)) {
            let (field, column) = place(key);
            problems.push(FieldProblem { field, row, column, message: p.message });
        }
    }
    if let Err(p) = limits::text("absence", limits::CELL, fields.get("absence").map_or("", String::as_str)) {
        problems.push(p);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let get = |key: &str| normalize_text(fields.get(key).map(String::as_str).unwrap_or(""));
    let mut problem = |key: &str, message: String| {
        let (field, column) = place(key);
        problems.push(FieldProblem { field, row, column, message });
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
        match BirthDate::parse(&birth) {
            Some(d) => Some(d.stored()),
            None => {
                problem(
                    "birth_date",
                    format!(
                        "Ngày sinh \"{birth}\" không hợp lệ (viết dd/mm/yyyy, hoặc chỉ năm sinh như 1968)."
                    ),
                );
                None
            }
        }
    };
    let mut day = |key: &str, label: &str| {
        let text = get(key);
        if text.is_empty() {
            return None;
        }
        match parse_date(&text) {
            Some(d) => Some(d.to_string()),
            None => {
                problem(key, format!("{label} \"{text}\" không hợp lệ (viết dd/mm/yyyy)."));
                None
            }
        }
    };
    let joined_on = day("joined_on", "Ngày vào Đảng");
    let official_on = day("official_on", "Ngày chính thức");
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
            hometown: get("hometown"),
            position: get("position"),
            joined_on,
            official_on,
            ..PersonRow::default()
        }),
        _ => Err(problems),
    }
}

/// Two rows are the same person when the names match (without diacritics) and so do the birth dates.
pub(crate) fn identity(p: &PersonRow) -> (String, Option<String>) {
    (p.search_key.clone(), p.birth_date.clone())
}

pub(crate) fn column_letter(index: usize) -> String {
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
pub(crate) static IMPORTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub imported: usize,
    pub changed: usize,
    pub removed: usize,
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
        let key = fold_for_search(&normalize_text(query));
        let rows = self.read(move |c| Ok(persons::search(c, &key, limit)?)).await?;
        rows.into_iter().map(Person::from_row).collect()
    }

    pub async fn person(&self, actor: &Actor, id: i64) -> Result<Person, AppError> {
        actor.require(Permission::ViewSetup)?;
        let row = self.read(move |c| Ok(persons::get(c, id)?)).await?;
        Person::from_row(row.ok_or(AppError::NotFound("người này"))?)
    }

    /// Why a person cannot be deleted (checked in, a candidate, in a round or its result, elected,
    /// replaced by someone), or `None` when nothing uses them.
    pub async fn person_in_use(&self, actor: &Actor, id: i64) -> Result<Option<String>, AppError> {
        actor.require(Permission::ViewSetup)?;
        self.read(move |c| Ok(persons::uses(c, id)?.map(|u| in_use_message(&u)))).await
    }

    /// Deletes a person nothing uses yet. Audited.
    pub async fn delete_person(&self, actor: &Actor, id: i64) -> Result<String, AppError> {
        actor.require(Permission::EditRoster)?;
        self.act(actor, "person.delete", move |c| {
            let row = persons::get(c, id)?.ok_or(AppError::NotFound("người này"))?;
            if let Some(u) = persons::uses(c, id)? {
                return Err(AppError::Conflict(format!(
                    "Không xóa được {}: {}",
                    row.full_name,
                    in_use_message(&u)
                )));
            }
            refuse_deleting_a_nominee(c, id, &row.full_name)?;
            persons::delete(c, id)?;
            Ok((row.full_name.clone(), json!({ "id": id, "full_name": row.full_name })))
        })
        .await
    }

    /// Imports a roster file directly (the API and `baucu simulate`): every row is checked first; if
    /// any has a problem, nothing is imported and every problem is returned with its row and column.
    /// The web page shows a preview first ([`App::preview_import`]).
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
            Ok((
                ImportReport { imported: rows.len(), changed: 0, removed: 0 },
                json!({ "imported": rows.len(), "mode": "add" }),
            ))
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
        let mut row = parse_person(&fields, None, &form_places()).map_err(AppError::Invalid)?;
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

/// Why a person is in use, in a sentence.
pub(crate) fn in_use_message(u: &persons::PersonUses) -> String {
    let mut why = Vec::new();
    if u.check_ins > 0 {
        why.push(format!("đã điểm danh {} phiên", u.check_ins));
    }
    if u.candidacies > 0 {
        why.push("có tên trong danh sách bầu cử".to_owned());
    }
    if u.rounds > 0 {
        why.push("có tên trong một lần bầu hoặc kết quả".to_owned());
    }
    if u.replaced_by > 0 {
        why.push("đã được thay bằng người khác (dự khuyết)".to_owned());
    }
    if u.other > 0 {
        why.push("được dùng trong dữ liệu khác của đại hội".to_owned());
    }
    format!("người này {}; chỉ xóa được người chưa được dùng ở đâu.", why.join(", "))
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
        (14, vec!["Có", "Không"]),
    ];
    for (col, values) in lists {
        let v = DataValidation::new().allow_list_strings(&values).map_err(fail)?;
        sheet.add_data_validation(1, col as u16, 5000, col as u16, &v).map_err(fail)?;
    }
    for col in 15..19u16 {
        let v = DataValidation::new().allow_list_strings(&["x"]).map_err(fail)?;
        sheet.add_data_validation(1, col, 5000, col, &v).map_err(fail)?;
    }
    let help = book.add_worksheet();
    help.set_name("Hướng dẫn").map_err(fail)?;
    help.set_column_width(0, 110).map_err(fail)?;
    let lines = [
        "Mỗi dòng của trang \"Danh sách\" là một người; giữ nguyên dòng tiêu đề (có thể thêm tên đơn vị, tiêu đề ở các dòng trên).",
        "Họ và tên, Giới tính (Nam/Nữ) và Đảng viên (Chính thức/Dự bị) là bắt buộc.",
        "Ngày sinh viết dd/mm/yyyy, ví dụ 02/09/1975 (hoặc dùng ô kiểu ngày); chỉ biết năm sinh thì ghi năm, ví dụ 1968.",
        "Quê quán, Chức vụ hiện tại, Ngày vào Đảng và Ngày chính thức (dd/mm/yyyy) không bắt buộc.",
        "Loại đại biểu (chỉ đại hội đại biểu): Được bầu, Đương nhiên, Chỉ định hoặc Dự khuyết.",
        "Lý luận chính trị: Sơ cấp, Trung cấp, Cao cấp hoặc Cử nhân.",
        "Bốn cột cuối ghi x nếu đúng; các cột này ảnh hưởng đến số làm căn cứ tính kết quả bầu cử (Điều 30).",
        "Trước khi nhập, trang web cho xem những người được thêm, sửa, bớt và mọi lỗi theo dòng và cột; chưa ghi gì cho đến khi chọn cách nhập.",
        "Nhận tệp .xlsx, .xls, .ods và .csv; chữ gõ bằng phông TCVN3 (.VnTime) hay VNI được tự chuyển sang Unicode.",
    ];
    for (i, line) in lines.iter().enumerate() {
        help.write_string(i as u32, 0, *line).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

/// A by-election nominee is marked by person id in a setting: deleting the person could hand the mark
/// to whoever is added next under the same id, so the mark is lifted first, on purpose.
pub(crate) fn refuse_deleting_a_nominee(
    c: &baucu_store::rusqlite::Connection,
    id: i64,
    full_name: &str,
) -> Result<(), AppError> {
    if crate::attendance::by_election_nominees(c)?.contains(&id) {
        return Err(AppError::Conflict(format!(
            "Không xóa được {full_name}: người này đang được đánh dấu là người được giới thiệu bầu bổ sung; bỏ đánh dấu trước."
        )));
    }
    Ok(())
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
            "Tệp có vùng dữ liệu tới ô A20001, quá lớn: danh sách tối đa 20.000 dòng và 60 cột."
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
