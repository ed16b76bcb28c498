//! The tree of units and their registered node keys, imported from the superior committee's Excel
//! table (`.xlsx`): "Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên", "Dấu vân tay khóa".
//!
//! The file either goes in whole or not at all: every problem is listed by row and column, and
//! nothing is written while one remains. Units already in the database are updated by code; units
//! not named in the file stay as they are, and keys are only ever added (a key registered to another
//! unit is an error naming both units).

use crate::accounts::{Actor, Permission};
use crate::{AppError, FieldProblem};
use baucu_exchange::{Fingerprint, valid_unit_code};
use baucu_store::aggregator::db::AggDb;
use baucu_store::aggregator::units::{self as store, UnitRow};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

/// Largest workbook accepted.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// Most units in one file.
pub const MAX_ROWS: u32 = 200_000;
/// Columns read (the table has five; a few more may hold notes).
const MAX_COLUMNS: u32 = 40;
/// The header is looked for among the first rows, under the title rows.
pub const HEADER_SEARCH_ROWS: u32 = 15;
/// Longest cell read.
const MAX_CELL_CHARS: usize = 2_000;
const MAX_NAME_CHARS: usize = 300;
/// Most keys on one row.
const MAX_KEYS_PER_UNIT: usize = 20;
/// Deepest tree (province, district, grassroots, cell).
const MAX_DEPTH: usize = 4;
/// Problems listed at most.
const MAX_PROBLEMS: usize = 200;
/// Zip limits: the parts of a workbook unpacked.
const ZIP_MAX_ENTRIES: usize = 1_000;
const ZIP_MAX_ENTRY_BYTES: u64 = 512 * 1024 * 1024;
const ZIP_MAX_TOTAL_BYTES: u64 = 768 * 1024 * 1024;
const ZIP_MAX_RATIO: u64 = 200;
const ZIP_RATIO_FROM_BYTES: u64 = 1024 * 1024;

/// A level of the tree of units (`units.level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitLevel {
    Province,
    District,
    Grassroots,
    Cell,
}

impl UnitLevel {
    pub const ALL: [UnitLevel; 4] =
        [UnitLevel::Province, UnitLevel::District, UnitLevel::Grassroots, UnitLevel::Cell];

    /// The code stored in `units.level`.
    pub fn code(self) -> &'static str {
        match self {
            UnitLevel::Province => "province",
            UnitLevel::District => "district",
            UnitLevel::Grassroots => "grassroots",
            UnitLevel::Cell => "cell",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The level as the units workbook writes it: "Tỉnh", "Huyện", "Cơ sở", "Chi bộ".
    pub fn workbook_label(self) -> &'static str {
        match self {
            UnitLevel::Province => "Tỉnh",
            UnitLevel::District => "Huyện",
            UnitLevel::Grassroots => "Cơ sở",
            UnitLevel::Cell => "Chi bộ",
        }
    }

    /// A level named on a form or the command line; anything else is refused.
    pub fn parse(code: &str) -> Result<Self, AppError> {
        Self::from_code(code.trim()).ok_or_else(|| {
            AppError::invalid(
                "level",
                format!(
                    "Cấp \"{}\" không hợp lệ (province, district, grassroots, cell).",
                    code.chars().take(40).collect::<String>()
                ),
            )
        })
    }

    /// The column label: "Cấp tỉnh", "Cấp huyện", "Cơ sở", "Chi bộ".
    pub fn label(self) -> &'static str {
        match self {
            UnitLevel::Province => "Cấp tỉnh",
            UnitLevel::District => "Cấp huyện",
            UnitLevel::Grassroots => "Cơ sở",
            UnitLevel::Cell => "Chi bộ",
        }
    }

    /// What the paragraph calls the party organisations of this level.
    pub fn noun(self) -> &'static str {
        match self {
            UnitLevel::Province => "đảng bộ cấp tỉnh",
            UnitLevel::District => "đảng bộ cấp huyện",
            UnitLevel::Grassroots => "tổ chức cơ sở đảng",
            UnitLevel::Cell => "chi bộ",
        }
    }

    /// 0 for the province, 3 for a cell: a child's rank is larger than its parent's.
    fn rank(self) -> u8 {
        match self {
            UnitLevel::Province => 0,
            UnitLevel::District => 1,
            UnitLevel::Grassroots => 2,
            UnitLevel::Cell => 3,
        }
    }

    /// The level as the table writes it ("Tỉnh", "Cấp tỉnh", "Đảng bộ cơ sở", "Chi bộ", …).
    pub fn from_workbook(text: &str) -> Option<Self> {
        let key = header_key(text);
        let level = match key.as_str() {
            "tinh" | "captinh" | "dangbotinh" | "thanhpho" | "dangbothanhpho" | "province" => {
                UnitLevel::Province
            }
            "huyen"
            | "caphuyen"
            | "dangbohuyen"
            | "quan"
            | "dangboquan"
            | "thixa"
            | "dangbothixa"
            | "captrentructiepcuacoso"
            | "district" => UnitLevel::District,
            "coso" | "capcoso" | "dangbocoso" | "chibocoso" | "tochucdangcoso" | "xa" | "dangboxa"
            | "phuong" | "dangbophuong" | "grassroots" => UnitLevel::Grassroots,
            "chibo" | "capchibo" | "chibotructhuoc" | "chibotructhuocdanguycoso" | "cell" => UnitLevel::Cell,
            _ => return None,
        };
        Some(level)
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnitsImportReport {
    pub file_name: String,
    /// Units in the file.
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Keys newly registered (keys already registered to the same unit are not counted).
    pub keys_registered: usize,
}

impl UnitsImportReport {
    /// One Vietnamese sentence.
    pub fn summary(&self) -> String {
        format!(
            "Tệp {}: {} đơn vị — {} mới, {} cập nhật, {} không đổi; {} khóa mới được đăng ký.",
            self.file_name, self.rows, self.created, self.updated, self.unchanged, self.keys_registered
        )
    }
}

/// A header or level as compared: without diacritics, case, spaces or punctuation.
fn header_key(text: &str) -> String {
    baucu_rules::name::fold_for_search(&baucu_app::roster::normalize_text(text))
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Column {
    Code,
    Name,
    Level,
    Parent,
    Keys,
}

impl Column {
    const ALL: [Column; 5] = [Column::Code, Column::Name, Column::Level, Column::Parent, Column::Keys];

    fn header(self) -> &'static str {
        match self {
            Column::Code => "Mã đơn vị",
            Column::Name => "Tên đơn vị",
            Column::Level => "Cấp",
            Column::Parent => "Mã đơn vị cấp trên",
            Column::Keys => "Dấu vân tay khóa",
        }
    }

    fn from_header(text: &str) -> Option<Self> {
        match header_key(text).as_str() {
            "madonvi" | "madv" => Some(Column::Code),
            "tendonvi" | "tendv" => Some(Column::Name),
            "cap" | "capdonvi" => Some(Column::Level),
            "madonvicaptren" | "madvcaptren" | "captren" => Some(Column::Parent),
            "dauvantaykhoa" | "dauvantay" | "vantaykhoa" | "dauvantaycuakhoa" => Some(Column::Keys),
            _ => None,
        }
    }
}

fn file_problem(message: impl Into<String>) -> AppError {
    AppError::Invalid(vec![FieldProblem::field("file", message)])
}

/// The non-empty cells of the first sheet: (row, column, text), 0-based, in sheet order.
type Cells = Vec<(u32, u32, String)>;

fn check_container(bytes: &[u8]) -> Result<(), AppError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| file_problem("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ."))?;
    if archive.len() > ZIP_MAX_ENTRIES {
        return Err(file_problem(format!(
            "Tệp bảng tính chứa {} tệp con, quá nhiều (tối đa {ZIP_MAX_ENTRIES}).",
            archive.len()
        )));
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|_| file_problem("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ."))?;
        let (size, packed) = (entry.size(), entry.compressed_size());
        let bomb = size > ZIP_RATIO_FROM_BYTES && size / packed.max(1) > ZIP_MAX_RATIO;
        total = total.saturating_add(size);
        if size > ZIP_MAX_ENTRY_BYTES || bomb || total > ZIP_MAX_TOTAL_BYTES {
            return Err(file_problem(
                "Tệp bảng tính giải nén ra quá lớn hoặc nén bất thường (có thể là \"bom nén\"): không nhập.",
            ));
        }
    }
    Ok(())
}

fn cell_text(cell: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef;
    let bounded = |s: &str| s.chars().take(MAX_CELL_CHARS + 1).collect::<String>();
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) => bounded(s),
        DataRef::SharedString(s) => bounded(s),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => d.as_f64().to_string(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => bounded(s),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

fn read_cells(bytes: &[u8]) -> Result<Cells, AppError> {
    if bytes.is_empty() {
        return Err(file_problem("Tệp trống (0 byte): không có gì để nhập."));
    }
    if bytes.len() > MAX_BYTES {
        return Err(file_problem(format!(
            "Tệp lớn {} byte, quá giới hạn {} MB của danh sách đơn vị.",
            bytes.len(),
            MAX_BYTES / (1024 * 1024)
        )));
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(file_problem(
            "Tệp không phải là bảng tính Excel (.xlsx): hãy lưu danh sách đơn vị dạng .xlsx.",
        ));
    }
    check_container(bytes)?;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|_| file_problem("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ."))?;
    use calamine::Reader;
    let sheet =
        book.sheet_names().first().cloned().ok_or_else(|| file_problem("Tệp không có trang tính nào."))?;
    let mut reader = book
        .worksheet_cells_reader(&sheet)
        .map_err(|_| file_problem("Không đọc được trang tính đầu tiên."))?;
    let mut cells = Vec::new();
    let mut text_bytes: usize = 0;
    loop {
        let cell = match reader.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(_) => return Err(file_problem("Không đọc được trang tính đầu tiên: nội dung bị hỏng.")),
        };
        let (row, col) = cell.get_position();
        let text = cell_text(cell.get_value());
        if text.trim().is_empty() || col >= MAX_COLUMNS {
            continue;
        }
        if row > MAX_ROWS + HEADER_SEARCH_ROWS {
            return Err(file_problem(format!("Tệp có hơn {MAX_ROWS} dòng đơn vị, quá giới hạn.")));
        }
        text_bytes = text_bytes.saturating_add(text.len());
        if text_bytes > 64 * 1024 * 1024 {
            return Err(file_problem("Tệp có quá nhiều chữ trong các ô cho một danh sách đơn vị."));
        }
        cells.push((row, col, text));
    }
    Ok(cells)
}

/// One unit as the file gives it.
#[derive(Debug, Clone)]
struct FileUnit {
    /// 1-based, as Excel shows it.
    row: u32,
    code: String,
    name: String,
    level: UnitLevel,
    parent: Option<String>,
    keys: Vec<Fingerprint>,
}

struct Problems(Vec<FieldProblem>);

impl Problems {
    fn at(&mut self, row: u32, column: Column, message: impl Into<String>) {
        if self.0.len() < MAX_PROBLEMS {
            self.0.push(FieldProblem {
                field: column.header().to_owned(),
                row: Some(row),
                column: Some(column.header().to_owned()),
                message: message.into(),
            });
        }
    }
}

/// Finds the header and reads every data row; the problems of the rows' own values.
fn parse(cells: &Cells, problems: &mut Problems) -> Result<Vec<FileUnit>, AppError> {
    let mut header: Option<(u32, BTreeMap<Column, u32>)> = None;
    let mut rows: BTreeMap<u32, BTreeMap<u32, &str>> = BTreeMap::new();
    for (r, c, text) in cells {
        rows.entry(*r).or_default().insert(*c, text.as_str());
    }
    for (r, cols) in rows.range(0..HEADER_SEARCH_ROWS) {
        let mut found = BTreeMap::new();
        for (c, text) in cols {
            if let Some(column) = Column::from_header(text) {
                found.entry(column).or_insert(*c);
            }
        }
        if found.contains_key(&Column::Code) && found.contains_key(&Column::Name) {
            header = Some((*r, found));
            break;
        }
    }
    let Some((header_row, columns)) = header else {
        return Err(file_problem(format!(
            "Không tìm thấy dòng tiêu đề (có các cột \"Mã đơn vị\" và \"Tên đơn vị\") trong {HEADER_SEARCH_ROWS} dòng đầu của trang tính."
        )));
    };
    let missing: Vec<&str> = [Column::Level, Column::Parent, Column::Keys]
        .into_iter()
        .filter(|c| !columns.contains_key(c))
        .map(Column::header)
        .collect();
    if !missing.is_empty() {
        return Err(file_problem(format!(
            "Dòng tiêu đề (dòng {}) thiếu cột: {}.",
            header_row + 1,
            missing.iter().map(|m| format!("\"{m}\"")).collect::<Vec<_>>().join(", ")
        )));
    }
    let mut units = Vec::new();
    for (r, cols) in rows.range(header_row + 1..) {
        let row = r + 1;
        let get = |c: Column| -> String {
            columns
                .get(&c)
                .and_then(|i| cols.get(i))
                .map(|t| baucu_app::roster::normalize_text(t))
                .unwrap_or_default()
        };
        let values: BTreeMap<Column, String> = Column::ALL.into_iter().map(|c| (c, get(c))).collect();
        if values.values().all(String::is_empty) {
            continue;
        }
        if units.len() >= MAX_ROWS as usize {
            return Err(file_problem(format!("Tệp có hơn {MAX_ROWS} dòng đơn vị, quá giới hạn.")));
        }
        let before = problems.0.len();
        let code = values[&Column::Code].clone();
        if code.is_empty() {
            problems.at(row, Column::Code, "Thiếu mã đơn vị.");
        } else if !valid_unit_code(&code) {
            problems.at(
                row,
                Column::Code,
                format!(
                    "Mã đơn vị \"{}\" không hợp lệ: 1–32 ký tự chữ không dấu, số, dấu chấm, gạch.",
                    short(&code)
                ),
            );
        }
        let name = values[&Column::Name].clone();
        if name.is_empty() {
            problems.at(row, Column::Name, "Thiếu tên đơn vị.");
        } else if name.chars().count() > MAX_NAME_CHARS {
            problems.at(row, Column::Name, format!("Tên đơn vị dài quá {MAX_NAME_CHARS} ký tự."));
        }
        let level_text = &values[&Column::Level];
        let level = if level_text.is_empty() {
            problems.at(row, Column::Level, "Thiếu cấp (Tỉnh, Huyện, Cơ sở hoặc Chi bộ).");
            None
        } else {
            let level = UnitLevel::from_workbook(level_text);
            if level.is_none() {
                problems.at(
                    row,
                    Column::Level,
                    format!(
                        "Cấp \"{}\" không hợp lệ: ghi Tỉnh, Huyện, Cơ sở hoặc Chi bộ.",
                        short(level_text)
                    ),
                );
            }
            level
        };
        let parent_text = &values[&Column::Parent];
        let parent = if parent_text.is_empty() {
            None
        } else if !valid_unit_code(parent_text) {
            problems.at(
                row,
                Column::Parent,
                format!("Mã đơn vị cấp trên \"{}\" không hợp lệ.", short(parent_text)),
            );
            None
        } else if *parent_text == code {
            problems.at(row, Column::Parent, "Đơn vị không thể là cấp trên của chính nó.");
            None
        } else {
            Some(parent_text.clone())
        };
        let mut keys = Vec::new();
        let keys_text = &values[&Column::Keys];
        for part in keys_text.split([';', '\n', '\r']).map(str::trim).filter(|p| !p.is_empty()) {
            match Fingerprint::parse(part) {
                Some(fp) if !keys.contains(&fp) => keys.push(fp),
                Some(_) => {}
                None => problems.at(
                    row,
                    Column::Keys,
                    format!(
                        "\"{}\" không phải dấu vân tay khóa: cần 32 chữ số hex (như ABCD-1234-…), các khóa cách nhau bằng dấu chấm phẩy.",
                        short(part)
                    ),
                ),
            }
        }
        if keys.len() > MAX_KEYS_PER_UNIT {
            problems.at(
                row,
                Column::Keys,
                format!("Quá nhiều khóa cho một đơn vị (tối đa {MAX_KEYS_PER_UNIT})."),
            );
        }
        if problems.0.len() == before
            && let Some(level) = level
        {
            units.push(FileUnit { row, code, name, level, parent, keys });
        }
    }
    if units.is_empty() && problems.0.is_empty() {
        return Err(file_problem(format!(
            "Tệp không có dòng đơn vị nào dưới dòng tiêu đề (dòng {}).",
            header_row + 1
        )));
    }
    Ok(units)
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// A unit of the merged tree (database overlaid with the file).
#[derive(Debug, Clone)]
struct Node {
    parent: Option<String>,
    name: String,
    level: UnitLevel,
    position: i64,
    /// The file's row, for units named in the file.
    row: Option<u32>,
}

/// Imports the table of units (`bytes`, an `.xlsx` named `file_name`) as `actor`.
pub fn import_workbook(
    db: &AggDb,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
) -> Result<UnitsImportReport, AppError> {
    import_workbook_at(db, actor, bytes, file_name, jiff::Timestamp::now())
}

/// [`import_workbook`] at a given time (the keys' registration time).
pub fn import_workbook_at(
    db: &AggDb,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
    now: jiff::Timestamp,
) -> Result<UnitsImportReport, AppError> {
    actor.require(Permission::Import)?;
    let file_name: String = file_name.chars().take(200).collect();
    let cells = read_cells(bytes)?;
    let mut problems = Problems(Vec::new());
    let units = parse(&cells, &mut problems)?;
    drop(cells);
    db.write(|tx| {
        let existing = store::all(tx)?;
        let keys = store::keys(tx)?;
        let plan = match plan(&units, existing, keys, actor, problems) {
            Ok(plan) => plan,
            Err(e) => return Ok(Err(e)),
        };
        store::upsert(tx, &plan.changed)?;
        let mut registered = 0;
        for (fp, code) in &plan.new_keys {
            if store::register_key(tx, fp, code, now.as_second())? {
                registered += 1;
            }
        }
        let report = UnitsImportReport {
            file_name: file_name.clone(),
            rows: units.len(),
            created: plan.created,
            updated: plan.updated,
            unchanged: units.len() - plan.created - plan.updated,
            keys_registered: registered,
        };
        let detail = serde_json::json!({
            "file": file_name,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "keys_registered": report.keys_registered,
        });
        crate::audit::append(tx, actor, "units.import", &detail.to_string())?;
        Ok(Ok(report))
    })?
}

struct Plan {
    /// Units to insert or update, parents first.
    changed: Vec<UnitRow>,
    created: usize,
    updated: usize,
    /// Keys to register: (fingerprint, unit code).
    new_keys: Vec<(String, String)>,
}

/// Checks the file against the database and works out what to write.
fn plan(
    units: &[FileUnit],
    existing: Vec<UnitRow>,
    keys: Vec<store::KeyRow>,
    actor: &Actor,
    mut problems: Problems,
) -> Result<Plan, AppError> {
    let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
    let mut old: BTreeMap<String, UnitRow> = BTreeMap::new();
    for u in existing {
        let Some(level) = UnitLevel::from_code(&u.level) else {
            return Err(AppError::damaged(
                "Danh sách đơn vị",
                format!("cấp \"{}\" của đơn vị {}", u.level, u.code),
            ));
        };
        nodes.insert(
            u.code.clone(),
            Node {
                parent: u.parent_code.clone(),
                name: u.name.clone(),
                level,
                position: u.position,
                row: None,
            },
        );
        old.insert(u.code.clone(), u);
    }
    // Units already known keep their place in the listing; new ones follow, in the file's order.
    let base = old.values().map(|u| u.position).max().unwrap_or(0);
    let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
    for u in units {
        if let Some(first) = seen.insert(u.code.as_str(), u.row) {
            problems.at(u.row, Column::Code, format!("Mã đơn vị {} trùng với dòng {first}.", u.code));
            continue;
        }
        nodes.insert(
            u.code.clone(),
            Node {
                parent: u.parent.clone(),
                name: u.name.clone(),
                level: u.level,
                position: old.get(&u.code).map_or(base + i64::from(u.row), |o| o.position),
                row: Some(u.row),
            },
        );
    }
    // Parents exist, levels go down, no cycles; then the paths.
    let mut paths: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for u in units {
        let Some(parent) = &u.parent else { continue };
        match nodes.get(parent) {
            None => problems.at(
                u.row,
                Column::Parent,
                format!("Đơn vị cấp trên {parent} không có trong tệp cũng như trong danh sách đơn vị đã có."),
            ),
            Some(p) if p.level.rank() >= u.level.rank() => problems.at(
                u.row,
                Column::Level,
                format!(
                    "Cấp {} phải thấp hơn cấp của đơn vị cấp trên {parent} ({}).",
                    u.level.workbook_label(),
                    p.level.workbook_label()
                ),
            ),
            Some(_) => {}
        }
    }
    for code in nodes.keys() {
        let mut chain = vec![code.clone()];
        let mut at = code.clone();
        let mut broken = false;
        while let Some(parent) = nodes.get(&at).and_then(|n| n.parent.clone()) {
            if chain.contains(&parent) {
                let row = nodes.get(code).and_then(|n| n.row).unwrap_or(0);
                problems.at(
                    row,
                    Column::Parent,
                    format!("Vòng lặp cấp trên: {} → {parent}.", chain.join(" → ")),
                );
                broken = true;
                break;
            }
            if !nodes.contains_key(&parent) || chain.len() > MAX_DEPTH {
                broken = true;
                break;
            }
            chain.push(parent.clone());
            at = parent;
        }
        if broken {
            continue;
        }
        chain.reverse();
        let depth = chain.len() - 1;
        paths.insert(code.clone(), (chain.iter().map(|c| format!("{c}/")).collect(), depth));
    }
    // Keys: not on two units, and not registered to another unit already.
    let registered: BTreeMap<&str, &str> =
        keys.iter().map(|k| (k.fingerprint.as_str(), k.unit_code.as_str())).collect();
    let mut in_file: BTreeMap<String, (&str, u32)> = BTreeMap::new();
    let mut new_keys = Vec::new();
    let describe = |code: &str| match nodes.get(code) {
        Some(n) => format!("{code} ({})", n.name),
        None => code.to_owned(),
    };
    for u in units {
        for fp in &u.keys {
            if let Some((other, other_row)) = in_file.get(fp.as_str()) {
                if *other != u.code {
                    problems.at(
                        u.row,
                        Column::Keys,
                        format!(
                            "Khóa {fp} đã ghi cho đơn vị {} ở dòng {other_row}, không thể ghi thêm cho đơn vị {}.",
                            describe(other),
                            describe(&u.code)
                        ),
                    );
                }
                continue;
            }
            in_file.insert(fp.as_str().to_owned(), (u.code.as_str(), u.row));
            match registered.get(fp.as_str()) {
                Some(owner) if *owner == u.code => {}
                Some(owner) => problems.at(
                    u.row,
                    Column::Keys,
                    format!(
                        "Khóa {fp} đã được đăng ký cho đơn vị {}, không thể đăng ký cho đơn vị {}.",
                        describe(owner),
                        describe(&u.code)
                    ),
                ),
                None => new_keys.push((fp.as_str().to_owned(), u.code.clone())),
            }
        }
    }
    // The actor's area: every unit of the file lies in it.
    if actor.area_path.is_some() {
        for u in units {
            if let Some((path, _)) = paths.get(&u.code)
                && !actor.sees(path)
            {
                problems.at(
                    u.row,
                    Column::Code,
                    format!("Đơn vị {} nằm ngoài phạm vi tài khoản của bạn.", u.code),
                );
            }
        }
    }
    if !problems.0.is_empty() {
        problems.0.sort_by_key(|p| p.row);
        return Err(AppError::Invalid(problems.0));
    }
    let mut changed = Vec::new();
    let (mut created, mut updated) = (0, 0);
    let in_file_codes: BTreeSet<&str> = units.iter().map(|u| u.code.as_str()).collect();
    for (code, node) in &nodes {
        let Some((path, depth)) = paths.get(code) else {
            return Err(AppError::damaged("Danh sách đơn vị", format!("cấp trên của đơn vị {code}")));
        };
        let row = UnitRow {
            code: code.clone(),
            parent_code: node.parent.clone(),
            name: node.name.clone(),
            level: node.level.code().to_owned(),
            path: path.clone(),
            depth: *depth as i64,
            position: node.position,
        };
        match old.get(code) {
            None => {
                created += 1;
                changed.push(row);
            }
            Some(before) if *before != row => {
                if in_file_codes.contains(code.as_str()) {
                    updated += 1;
                }
                changed.push(row);
            }
            Some(_) => {}
        }
    }
    changed.sort_by_key(|u| u.depth);
    Ok(Plan { changed, created, updated, new_keys })
}

/// A node key registered to a unit, as the congress page lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnitKey {
    pub fingerprint: String,
    pub registered_at: i64,
    pub revoked_at: Option<i64>,
}

/// The keys registered to `unit_code`, for an actor who sees the unit.
pub fn keys_of_unit(db: &AggDb, actor: &Actor, unit_code: &str) -> Result<Vec<UnitKey>, AppError> {
    actor.require(Permission::ViewReports)?;
    db.read(|tx| {
        let Some(unit) = store::get(tx, unit_code)? else {
            return Ok(Err(AppError::NotFound("đơn vị này")));
        };
        if !actor.sees(&unit.path) {
            return Ok(Err(AppError::NotFound("đơn vị này")));
        }
        let keys = store::keys_of(tx, unit_code)?
            .into_iter()
            .map(|k| UnitKey {
                fingerprint: k.fingerprint,
                registered_at: k.registered_at,
                revoked_at: k.revoked_at,
            })
            .collect();
        Ok(Ok(keys))
    })?
}

/// Revokes a node key (a laptop lost or replaced): from now on every package it signs is refused, with
/// the reason "đã bị thu hồi"; packages already imported stay as they are. Audited with the reason.
/// Returns the code of the unit the key was registered to.
pub fn revoke_key(
    db: &AggDb,
    actor: &Actor,
    fingerprint: &str,
    reason: &str,
    now: jiff::Timestamp,
) -> Result<String, AppError> {
    actor.require(Permission::Import)?;
    let Some(fp) = Fingerprint::parse(fingerprint) else {
        return Err(AppError::invalid(
            "fingerprint",
            "Dấu vân tay khóa phải gồm 32 chữ số hex (có thể viết thành 8 nhóm 4 chữ số cách nhau bởi dấu gạch).",
        ));
    };
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::invalid("reason", "Ghi lý do thu hồi khóa (tối đa 500 ký tự)."));
    }
    db.write(|tx| {
        let Some(key) = store::key(tx, fp.as_str())? else {
            return Ok(Err(AppError::NotFound("khóa có dấu vân tay này")));
        };
        let Some(unit) = store::get(tx, &key.unit_code)? else {
            return Ok(Err(AppError::NotFound("đơn vị của khóa này")));
        };
        if !actor.sees(&unit.path) {
            return Ok(Err(AppError::NotFound("khóa có dấu vân tay này")));
        }
        if !store::revoke_key(tx, fp.as_str(), now.as_second())? {
            return Ok(Err(AppError::Conflict(format!("Khóa {fp} đã bị thu hồi từ trước."))));
        }
        let detail = serde_json::json!({ "fingerprint": fp.as_str(), "unit": unit.code, "reason": reason });
        crate::audit::append(tx, actor, "units.revoke_key", &detail.to_string())?;
        Ok(Ok(unit.code))
    })?
}
