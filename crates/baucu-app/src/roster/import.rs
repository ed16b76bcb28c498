//! Reading a roster file as offices keep it, and the preview before anything is written.
//!
//! The format is told by the bytes, never by the file's name: a zip is `.xlsx` or `.ods`, a compound
//! file is `.xls`, anything else must be CSV text (UTF-8 with or without BOM, UTF-16 with BOM; `,`,
//! `;` or tab). Every format is held to the same bounds (`limits`): the upload's size, the zip's
//! entries, the sheet's rows, columns and cells, the text kept. The header is the row among the first
//! [`HEADER_SEARCH_ROWS`] that matches the most known headers (title rows and a title merged across
//! the top are passed over); a column it does not know is shown on the preview, where the user maps
//! it to a field or to "bỏ qua", and the mapping is remembered by the column's normalised header.

use super::legacy::{self, Legacy};
use super::{
    COLUMNS, FieldPlaces, IMPORTS, ImportReport, PersonFields, column_letter, identity, in_use_message,
    parse_person,
};
use crate::limits;
use crate::{Actor, App, AppError, FieldProblem, Permission};
use baucu_rules::name::fold_for_search;
use baucu_store::counting as settings;
use baucu_store::persons::{self, PersonRow};
use calamine::{Data, DataRef, Reader};
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};
use std::sync::Mutex;

/// The header is looked for among this many first non-empty rows.
pub const HEADER_SEARCH_ROWS: usize = 15;
/// All the text kept of one file's cells, in bytes: a roster of 20,000 people is about 4 MB.
const GRID_MAX_TEXT_BYTES: usize = 24 * 1024 * 1024;
/// Files read and waiting for the user's choice, in the whole node.
const PENDING_MAX: usize = 4;
/// How long a file read waits for the user's choice.
const PENDING_MINUTES: i64 = 30;
/// Conversions from legacy encodings listed on the preview (all are counted).
const CONVERSIONS_SHOWN: usize = 200;
/// The prefix of the settings that remember a column's mapping, by its normalised header.
const MAPPING_SETTING: &str = "roster.column.";

/// What a file is, told from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Xlsx,
    Xls,
    Ods,
    Csv,
}

impl Format {
    fn label(self) -> &'static str {
        match self {
            Format::Xlsx => "Excel (.xlsx)",
            Format::Xls => "Excel 97–2003 (.xls)",
            Format::Ods => "OpenDocument (.ods)",
            Format::Csv => "CSV",
        }
    }
}

/// The non-empty cells of a sheet: rows (0-based) in order, each with its cells (0-based column)
/// in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Grid {
    rows: Vec<(u32, Vec<(u32, String)>)>,
    text_bytes: usize,
}

impl Grid {
    fn push(&mut self, row: u32, col: u32, text: String) -> Result<(), AppError> {
        if text.trim().is_empty() {
            return Ok(());
        }
        if row >= limits::ROSTER_MAX_ROWS || col >= limits::ROSTER_MAX_COLUMNS {
            return Err(sheet_too_large("dữ liệu", (row, col)));
        }
        self.text_bytes = self.text_bytes.saturating_add(text.len());
        if self.text_bytes > GRID_MAX_TEXT_BYTES {
            return Err(file_problem(format!(
                "Tệp có hơn {} MB chữ trong các ô, quá nhiều cho một danh sách.",
                GRID_MAX_TEXT_BYTES / (1024 * 1024)
            )));
        }
        match self.rows.last_mut() {
            Some((r, cells)) if *r == row => {
                if cells.last().is_some_and(|(c, _)| *c >= col) {
                    return Err(out_of_order());
                }
                cells.push((col, text));
            }
            Some((r, _)) if *r > row => return Err(out_of_order()),
            _ => self.rows.push((row, vec![(col, text)])),
        }
        Ok(())
    }
}

fn out_of_order() -> AppError {
    file_problem(
        "Các ô của trang tính không theo thứ tự dòng và cột như Excel ghi; hãy mở tệp bằng Excel, lưu lại rồi nhập.",
    )
}

fn file_problem(m: impl Into<String>) -> AppError {
    AppError::Invalid(vec![FieldProblem::field("file", m)])
}

/// The refusal of a sheet that reaches past the roster's rows or columns (`end` is 0-based).
fn sheet_too_large(what: &str, end: (u32, u32)) -> AppError {
    AppError::invalid(
        "file",
        format!(
            "Tệp có {what} tới ô {}{}, quá lớn: danh sách tối đa {} dòng và {} cột.",
            column_letter(end.1 as usize),
            u64::from(end.0) + 1,
            limits::thousands(u64::from(limits::ROSTER_MAX_ROWS)),
            limits::ROSTER_MAX_COLUMNS
        ),
    )
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads the first sheet of a roster file of any accepted format into its non-empty cells.
pub(crate) fn read_grid(bytes: &[u8]) -> Result<(Format, Grid), AppError> {
    let mb = |n: u64| limits::thousands(n.div_ceil(1024 * 1024));
    if bytes.is_empty() {
        return Err(file_problem("Tệp được chọn trống (0 byte): không có gì để nhập."));
    }
    if bytes.len() > limits::XLSX_MAX_BYTES {
        return Err(file_problem(format!(
            "Tệp lớn {} MB, quá giới hạn {} MB.",
            mb(bytes.len() as u64),
            mb(limits::XLSX_MAX_BYTES as u64)
        )));
    }
    if bytes.starts_with(ZIP_MAGIC) {
        let is_ods = check_container(bytes)?;
        if is_ods {
            check_ods(bytes)?;
            let book: calamine::Ods<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|_| file_problem("Tệp không phải là bảng tính OpenDocument (.ods) hợp lệ."))?;
            Ok((Format::Ods, range_grid(book)?))
        } else {
            Ok((Format::Xlsx, xlsx_grid(bytes)?))
        }
    } else if bytes.starts_with(CFB_MAGIC) {
        check_xls(bytes)?;
        let book: calamine::Xls<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
            .map_err(|_| file_problem("Tệp không phải là bảng tính Excel 97–2003 (.xls) hợp lệ."))?;
        Ok((Format::Xls, range_grid(book)?))
    } else {
        Ok((Format::Csv, csv_grid(bytes)?))
    }
}

/// Refuses a zip that would cost the node more than a roster ever needs, before anything is
/// unpacked: too many files inside, a file or all of them too large once unpacked, or packed like a
/// zip bomb. The sizes checked are those the zip declares; the zip reader stops a file that unpacks
/// to more than it declared, so they bound what calamine reads. Returns whether the zip is an
/// OpenDocument spreadsheet.
fn check_container(bytes: &[u8]) -> Result<bool, AppError> {
    use limits::{XLSX_MAX_ENTRIES, XLSX_MAX_ENTRY_BYTES, XLSX_MAX_RATIO, XLSX_MAX_TOTAL_BYTES};
    let refuse = |m: String| AppError::Invalid(vec![FieldProblem::field("file", m)]);
    let mb = |n: u64| limits::thousands(n.div_ceil(1024 * 1024));
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
        refuse("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ (hay OpenDocument .ods).".into())
    })?;
    if archive.len() > XLSX_MAX_ENTRIES {
        return Err(refuse(format!(
            "Tệp bảng tính chứa {} tệp con, quá nhiều: một bảng tính có tối đa {} tệp con.",
            limits::thousands(archive.len() as u64),
            XLSX_MAX_ENTRIES
        )));
    }
    let mut total: u64 = 0;
    let mut ods = false;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|_| refuse("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ.".into()))?;
        let name: String = entry.name().map(|n| n.chars().take(80).collect()).unwrap_or_default();
        if name == "content.xml" {
            ods = true;
        }
        let (size, packed) = (entry.size(), entry.compressed_size());
        if size > XLSX_MAX_ENTRY_BYTES {
            return Err(refuse(format!(
                "Tệp bảng tính có phần \"{name}\" giải nén ra {} MB, quá giới hạn {} MB.",
                mb(size),
                mb(XLSX_MAX_ENTRY_BYTES)
            )));
        }
        if size > limits::XLSX_RATIO_FROM_BYTES && size / packed.max(1) > XLSX_MAX_RATIO {
            return Err(refuse(format!(
                "Tệp bảng tính có phần \"{name}\" nén bất thường (giải nén ra gấp {} lần, giới hạn {} lần): tệp có thể là \"bom nén\", không nhập.",
                limits::thousands(size / packed.max(1)),
                XLSX_MAX_RATIO
            )));
        }
        total = total.saturating_add(size);
        if total > XLSX_MAX_TOTAL_BYTES {
            return Err(refuse(format!(
                "Tệp bảng tính giải nén ra hơn {} MB, quá giới hạn.",
                mb(XLSX_MAX_TOTAL_BYTES)
            )));
        }
    }
    Ok(ods && archive.by_name("xl/workbook.xml").is_err())
}

/// An OpenDocument sheet repeats rows and cells by a count (`number-rows-repeated`); calamine expands
/// them. A repeated cell or row with content past the roster's area is refused before it is.
fn check_ods(bytes: &[u8]) -> Result<(), AppError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| file_problem("Tệp không phải là bảng tính OpenDocument (.ods) hợp lệ."))?;
    let mut content = Vec::new();
    archive
        .by_name("content.xml")
        .map_err(|_| file_problem("Tệp OpenDocument không có nội dung (content.xml)."))?
        .take(limits::XLSX_MAX_ENTRY_BYTES)
        .read_to_end(&mut content)
        .map_err(|_| file_problem("Tệp OpenDocument bị hỏng: không giải nén được nội dung."))?;
    let text = String::from_utf8_lossy(&content);
    let repeat = |tag: &str, attr: &str| -> u64 {
        tag.find(attr)
            .and_then(|at| tag[at + attr.len()..].split('"').nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or(1)
    };
    let (mut row, mut col) = (0u64, 0u64);
    let mut row_repeat = 1u64;
    let mut rest: &str = &text;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        let element = tag.split([' ', '/', '\n', '\t', '\r']).next().unwrap_or("");
        if element == "table:table" {
            (row, col) = (0, 0);
        } else if element == "table:table-row" {
            row_repeat = repeat(tag, "table:number-rows-repeated=");
            col = 0;
            if tag.ends_with('/') {
                row = row.saturating_add(row_repeat);
            }
        } else if tag.starts_with("/table:table-row") && tag.trim_end() == "/table:table-row" {
            row = row.saturating_add(row_repeat);
        } else if element == "table:table-cell" || element == "table:covered-table-cell" {
            let n = repeat(tag, "table:number-columns-repeated=");
            let has_content = !tag.ends_with('/');
            if has_content {
                let last_row = row.saturating_add(row_repeat - 1);
                let last_col = col.saturating_add(n - 1);
                if last_row >= u64::from(limits::ROSTER_MAX_ROWS)
                    || last_col >= u64::from(limits::ROSTER_MAX_COLUMNS)
                {
                    let at =
                        (last_row.min(u64::from(u32::MAX)) as u32, last_col.min(u64::from(u32::MAX)) as u32);
                    return Err(sheet_too_large("dữ liệu", at));
                }
            }
            col = col.saturating_add(n);
        }
        rest = &rest[end.min(rest.len())..];
    }
    Ok(())
}

/// An `.xls` keeps its cells as records of a compound file; calamine lays every sheet out whole.
/// A cell record past the roster's area is refused before it does.
fn check_xls(bytes: &[u8]) -> Result<(), AppError> {
    let damaged = || file_problem("Tệp không phải là bảng tính Excel 97–2003 (.xls) hợp lệ.");
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|_| damaged())?;
    let name = if file.is_stream("/Workbook") { "/Workbook" } else { "/Book" };
    let mut stream = Vec::new();
    file.open_stream(name)
        .map_err(|_| damaged())?
        .take(limits::XLSX_MAX_TOTAL_BYTES)
        .read_to_end(&mut stream)
        .map_err(|_| damaged())?;
    let mut at = 0usize;
    while at + 4 <= stream.len() {
        let kind = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = usize::from(u16::from_le_bytes([stream[at + 2], stream[at + 3]]));
        let data = stream.get(at + 4..at + 4 + len).ok_or_else(damaged)?;
        let u16_at = |i: usize| data.get(i..i + 2).map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])));
        // FORMULA, LABELSST, NUMBER, LABEL, RK, BOOLERR, RSTRING: row, column; MULRK: row, first
        // column, ..., last column.
        let last = match kind {
            0x0006 | 0x00FD | 0x0203 | 0x0204 | 0x027E | 0x0205 | 0x00D6 => u16_at(0).zip(u16_at(2)),
            0x00BD if len >= 6 => u16_at(0).zip(u16_at(len - 2)),
            _ => None,
        };
        if let Some((row, col)) = last
            && (row >= limits::ROSTER_MAX_ROWS || col >= limits::ROSTER_MAX_COLUMNS)
        {
            return Err(sheet_too_large("dữ liệu", (row, col)));
        }
        // DIMENSIONS: calamine reserves the area it declares.
        if kind == 0x0200 {
            let u32_at = |i: usize| data.get(i..i + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            let (first_row, end_row, first_col, end_col) = match len {
                10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
                14 | 16 => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
                _ => return Err(damaged()),
            };
            let (first_row, end_row, first_col, end_col) = (
                first_row.ok_or_else(damaged)?,
                end_row.ok_or_else(damaged)?,
                first_col.ok_or_else(damaged)?,
                end_col.ok_or_else(damaged)?,
            );
            if first_row > end_row || first_col > end_col {
                return Err(damaged());
            }
            let last = (end_row.saturating_sub(1), end_col.saturating_sub(1));
            if last.0 >= limits::ROSTER_MAX_ROWS || last.1 >= limits::ROSTER_MAX_COLUMNS {
                return Err(sheet_too_large("vùng dữ liệu", last));
            }
        }
        at += 4 + len;
    }
    Ok(())
}

/// The first sheet of an `.xls` or `.ods`, already checked by [`check_xls`] or [`check_ods`].
fn range_grid<RS, R>(mut book: R) -> Result<Grid, AppError>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
{
    let sheet =
        book.sheet_names().first().cloned().ok_or_else(|| file_problem("Tệp không có trang tính nào."))?;
    let range = book
        .worksheet_range(&sheet)
        .map_err(|_| file_problem("Không đọc được trang tính đầu tiên: nội dung bị hỏng."))?;
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut grid = Grid::default();
    for (r, c, value) in range.used_cells() {
        let (row, col) = (u32::try_from(r).unwrap_or(u32::MAX), u32::try_from(c).unwrap_or(u32::MAX));
        grid.push(r0.saturating_add(row), c0.saturating_add(col), data_text(value))?;
    }
    Ok(grid)
}

/// The first sheet of an `.xlsx`: the sheet's declared dimension is checked first; cells are then
/// streamed one by one (never the sheet's whole area), and reading stops at the first cell past the
/// roster's rows or columns.
fn xlsx_grid(bytes: &[u8]) -> Result<Grid, AppError> {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
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
    let mut grid = Grid::default();
    loop {
        let cell = match cells.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(_) => return Err(file_problem("Không đọc được trang tính đầu tiên: nội dung bị hỏng.")),
        };
        let (row, col) = cell.get_position();
        grid.push(row, col, cell_text(cell.get_value()))?;
    }
    Ok(grid)
}

fn bounded(s: &str) -> String {
    s.chars().take(limits::CELL.max_chars + 1).collect()
}

fn serial_date(serial: f64) -> String {
    let days = serial.floor() as i64;
    jiff::civil::date(1899, 12, 30)
        .checked_add(jiff::Span::new().days(days))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 { bounded(&format!("{f:.0}")) } else { f.to_string() }
}

/// Reads the text of a cell as staff typed it; dates become `yyyy-mm-dd`. A text longer than any
/// field may be is cut one character past [`limits::CELL`], so that it is refused without copying it.
fn cell_text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) => bounded(s),
        DataRef::SharedString(s) => bounded(s),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => if *b { "x" } else { "" }.into(),
        DataRef::Float(f) => float_text(*f),
        DataRef::DateTime(d) => serial_date(d.as_f64()),
        DataRef::DateTimeIso(s) => s.chars().take(10).collect(),
        DataRef::DurationIso(s) => bounded(s),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

/// [`cell_text`] for the cells of an `.xls` or `.ods`.
fn data_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => bounded(s),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "x" } else { "" }.into(),
        Data::Float(f) => float_text(*f),
        Data::DateTime(d) => serial_date(d.as_f64()),
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => bounded(s),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// A CSV file's text: UTF-8 (with or without BOM) or UTF-16 with its BOM.
fn csv_text(bytes: &[u8]) -> Result<String, AppError> {
    let utf16 = |bytes: &[u8], big: bool| -> Result<String, AppError> {
        if !bytes.len().is_multiple_of(2) {
            return Err(file_problem("Tệp CSV UTF-16 bị cắt dở (số byte lẻ)."));
        }
        let units = bytes
            .chunks_exact(2)
            .map(|b| if big { u16::from_be_bytes([b[0], b[1]]) } else { u16::from_le_bytes([b[0], b[1]]) });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| file_problem("Tệp CSV UTF-16 có ký tự hỏng."))
    };
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8(rest.to_vec())
            .map_err(|_| file_problem("Tệp CSV có BOM UTF-8 nhưng chữ không phải UTF-8."));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, false);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, true);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.contains('\0') => Ok(text.to_owned()),
        _ => Err(file_problem(
            "Tệp không phải là bảng tính (.xlsx, .xls, .ods) hay tệp CSV (chữ UTF-8 hoặc UTF-16): hãy mở tệp bằng Excel và lưu lại dưới dạng .xlsx.",
        )),
    }
}

/// The rows of a CSV file; the separator (`,`, `;` or tab) is the one that splits the first lines
/// into the most fields.
fn csv_grid(bytes: &[u8]) -> Result<Grid, AppError> {
    let text = csv_text(bytes)?;
    let reader = |sep: u8| {
        csv::ReaderBuilder::new()
            .delimiter(sep)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes())
    };
    let widest = |sep: u8| {
        reader(sep)
            .records()
            .take(HEADER_SEARCH_ROWS * 2)
            .filter_map(Result::ok)
            .map(|r| r.len())
            .max()
            .unwrap_or(0)
    };
    let sep = [b'\t', b';', b','].into_iter().max_by_key(|s| (widest(*s), *s == b',')).unwrap_or(b',');
    let mut grid = Grid::default();
    for (row, record) in reader(sep).records().enumerate() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            file_problem(format!(
                "Tệp CSV hỏng ở dòng {line}: dấu ngoặc kép không đóng hoặc chữ không đọc được."
            ))
        })?;
        let row = u32::try_from(row).unwrap_or(u32::MAX);
        for (col, field) in record.iter().enumerate() {
            grid.push(row, u32::try_from(col).unwrap_or(u32::MAX), bounded(field))?;
        }
    }
    Ok(grid)
}

/// What a column of the file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Target {
    /// One of [`COLUMNS`], by its key.
    Field(&'static str),
    /// "Họ, tên đệm" of a name split in two columns.
    LastMiddle,
    /// "Tên" of a name split in two columns.
    Given,
    /// A column marked (x, or the birth date written in it) for women.
    FemaleMark,
    /// A column marked for men.
    MaleMark,
    /// Read and ignored (STT, notes).
    Skip,
}

impl Target {
    fn code(self) -> &'static str {
        match self {
            Target::Field(key) => key,
            Target::LastMiddle => "last_middle",
            Target::Given => "given_name",
            Target::FemaleMark => "female_mark",
            Target::MaleMark => "male_mark",
            Target::Skip => "skip",
        }
    }

    pub(crate) fn from_code(code: &str) -> Option<Self> {
        TARGETS.iter().map(|(t, _)| *t).find(|t| t.code() == code)
    }

    pub(crate) fn label(self) -> &'static str {
        TARGETS.iter().find(|(t, _)| *t == self).map_or("", |(_, l)| *l)
    }
}

/// What a column may be mapped to, with its label on the preview.
const TARGETS: [(Target, &str); 25] = [
    (Target::Skip, "Bỏ qua"),
    (Target::Field("full_name"), "Họ và tên"),
    (Target::LastMiddle, "Họ và tên đệm (tên tách cột)"),
    (Target::Given, "Tên (tên tách cột)"),
    (Target::Field("birth_date"), "Ngày sinh"),
    (Target::Field("sex"), "Giới tính"),
    (Target::FemaleMark, "Cột đánh dấu Nữ"),
    (Target::MaleMark, "Cột đánh dấu Nam"),
    (Target::Field("ethnicity"), "Dân tộc"),
    (Target::Field("religion"), "Tôn giáo"),
    (Target::Field("party_status"), "Đảng viên chính thức/dự bị"),
    (Target::Field("delegate_kind"), "Loại đại biểu"),
    (Target::Field("unit"), "Đơn vị"),
    (Target::Field("education"), "Trình độ chuyên môn"),
    (Target::Field("political_theory"), "Lý luận chính trị"),
    (Target::Field("hometown"), "Quê quán"),
    (Target::Field("position"), "Chức vụ hiện tại"),
    (Target::Field("joined_on"), "Ngày vào Đảng"),
    (Target::Field("official_on"), "Ngày chính thức"),
    (Target::Field("first_time"), "Tham gia cấp ủy lần đầu"),
    (Target::Field("temporarily_transferred"), "Sinh hoạt tạm thời nơi khác"),
    (Target::Field("exempted"), "Miễn công tác và sinh hoạt"),
    (Target::Field("suspended"), "Đình chỉ sinh hoạt"),
    (Target::Field("prosecuted"), "Khởi tố, truy tố, tạm giam"),
    (Target::Field("absence"), "Vắng mặt"),
];

/// The choices of the preview's column mapping: (code, label).
pub fn mapping_choices() -> Vec<(&'static str, &'static str)> {
    TARGETS.iter().filter(|(t, _)| *t != Target::Field("absence")).map(|(t, l)| (t.code(), *l)).collect()
}

/// A header as compared: without diacritics, case, spaces or punctuation.
pub(crate) fn header_key(text: &str) -> String {
    fold_for_search(&super::normalize_text(text)).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The usual Vietnamese headers and their variants, as [`header_key`] folds them.
const HEADERS: &[(&str, Target)] = &[
    ("hovaten", Target::Field("full_name")),
    ("hoten", Target::Field("full_name")),
    ("hovatendaydu", Target::Field("full_name")),
    ("hotenkhaisinh", Target::Field("full_name")),
    ("hovatenkhaisinh", Target::Field("full_name")),
    ("hotendangvien", Target::Field("full_name")),
    ("hovatendangvien", Target::Field("full_name")),
    ("hotendaibieu", Target::Field("full_name")),
    ("hovatendaibieu", Target::Field("full_name")),
    ("hotendem", Target::LastMiddle),
    ("hovatendem", Target::LastMiddle),
    ("hodem", Target::LastMiddle),
    ("ho", Target::LastMiddle),
    ("ten", Target::Given),
    ("ngaysinh", Target::Field("birth_date")),
    ("namsinh", Target::Field("birth_date")),
    ("ngaythangnamsinh", Target::Field("birth_date")),
    ("sinhngay", Target::Field("birth_date")),
    ("gioitinh", Target::Field("sex")),
    ("gioi", Target::Field("sex")),
    ("nu", Target::FemaleMark),
    ("nam", Target::MaleMark),
    ("dantoc", Target::Field("ethnicity")),
    ("tongiao", Target::Field("religion")),
    ("quequan", Target::Field("hometown")),
    ("que", Target::Field("hometown")),
    ("chucvu", Target::Field("position")),
    ("chucvuhientai", Target::Field("position")),
    ("chucvudangdamnhiem", Target::Field("position")),
    ("trinhdochuyenmon", Target::Field("education")),
    ("chuyenmon", Target::Field("education")),
    ("trinhdochuyenmonnghiepvu", Target::Field("education")),
    ("chuyenmonnghiepvu", Target::Field("education")),
    ("lyluanchinhtri", Target::Field("political_theory")),
    ("llct", Target::Field("political_theory")),
    ("trinhdolyluanchinhtri", Target::Field("political_theory")),
    ("trinhdollct", Target::Field("political_theory")),
    ("ngayvaodang", Target::Field("joined_on")),
    ("ngaychinhthuc", Target::Field("official_on")),
    ("ngayvaodangchinhthuc", Target::Field("official_on")),
    ("ngaydangvienchinhthuc", Target::Field("official_on")),
    ("dangvien", Target::Field("party_status")),
    ("dangvienchinhthucdubi", Target::Field("party_status")),
    ("chinhthucdubi", Target::Field("party_status")),
    ("loaidangvien", Target::Field("party_status")),
    ("loaidaibieu", Target::Field("delegate_kind")),
    ("donvi", Target::Field("unit")),
    ("donvicongtac", Target::Field("unit")),
    ("chibo", Target::Field("unit")),
    ("stt", Target::Skip),
    ("tt", Target::Skip),
    ("sott", Target::Skip),
    ("so", Target::Skip),
];

/// The known meaning of a header, if any (the template's own headers included).
fn known_header(key: &str) -> Option<Target> {
    if key.is_empty() {
        return None;
    }
    HEADERS.iter().find(|(h, _)| *h == key).map(|(_, t)| *t).or_else(|| {
        COLUMNS.iter().find(|(_, title, _)| header_key(title) == key).map(|(k, _, _)| Target::Field(k))
    })
}

/// One column of the file's header, as the preview shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnView {
    /// `C`.
    pub letter: String,
    /// The header as written in the file (converted from a legacy encoding if it was).
    pub header: String,
    /// [`header_key`] of the header: what a remembered mapping is keyed by.
    pub key: String,
    /// The mapping code ([`mapping_choices`]), or `None` for a column not recognised nor mapped.
    pub target: Option<String>,
    /// What the column is read as, in words.
    pub target_label: String,
    /// How the column was matched: `known`, `remembered` or `unknown`.
    pub how: &'static str,
}

/// A cell converted from a legacy encoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conversion {
    pub cell: String,
    pub encoding: &'static str,
    pub before: String,
    pub after: String,
}

/// The result of reading a grid: what the preview shows and what an import writes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Analysis {
    pub header_row: u32,
    pub columns: Vec<ColumnView>,
    pub conversions: Vec<Conversion>,
    pub conversions_total: usize,
    pub rows: Vec<(u32, PersonRow)>,
    pub problems: Vec<FieldProblem>,
    /// The fields the file has a column for: a person already in the roster keeps the others.
    pub present: BTreeSet<&'static str>,
}

/// Converts a cell's text from a legacy encoding when it looks like one (`prefer` decides a text
/// that looks like both).
fn unlegacy(text: &str, prefer: Option<Legacy>) -> (String, Option<Legacy>) {
    match legacy::detect(text, prefer) {
        Some(enc) => (enc.convert(text), Some(enc)),
        None => (text.to_owned(), None),
    }
}

/// Finds the header, maps the columns (known headers, then `mapping` remembered by header key),
/// converts legacy text, and checks every data row.
pub(crate) fn analyse(grid: &Grid, mapping: &BTreeMap<String, Target>) -> Result<Analysis, AppError> {
    if grid.rows.is_empty() {
        return Err(file_problem("Tệp không có ô nào có chữ: bảng tính trống, không có gì để nhập."));
    }
    // The header: the row among the first ones with the most known headers.
    let mut best: Option<(usize, usize)> = None;
    for (i, (_, cells)) in grid.rows.iter().enumerate().take(HEADER_SEARCH_ROWS) {
        let known: BTreeSet<Target> = cells
            .iter()
            .filter_map(|(_, t)| {
                let key = header_key(&unlegacy(t, None).0);
                known_header(&key).or_else(|| mapping.get(&key).copied())
            })
            .filter(|t| *t != Target::Skip)
            .collect();
        if best.is_none_or(|(_, n)| known.len() > n) {
            best = Some((i, known.len()));
        }
    }
    let Some((header_index, _)) = best.filter(|(_, n)| *n >= 2) else {
        return Err(file_problem(format!(
            "Không tìm thấy dòng tiêu đề trong {HEADER_SEARCH_ROWS} dòng đầu của tệp: cần một dòng có các cột như \"Họ và tên\", \"Ngày sinh\", \"Giới tính\", \"Đảng viên\"."
        )));
    };
    let header_row = &grid.rows[header_index].0;
    let mut header_map: BTreeMap<u32, String> = grid.rows[header_index].1.iter().cloned().collect();
    let mut data_start = header_index + 1;
    // A second header row under the first (the usual "Ngày sinh" over "Nam" | "Nữ"): its cells,
    // all known headers, name the columns under the merged cell above.
    if let Some((_, next)) = grid.rows.get(data_start)
        && next
            .iter()
            .all(|(_, t)| known_header(&header_key(&unlegacy(t, None).0)).is_some_and(|t| t != Target::Skip))
    {
        header_map.extend(next.iter().cloned());
        data_start += 1;
    }
    // The row of column numbers printed forms have under the header: (1) (2) (3) ...
    while let Some((_, next)) = grid.rows.get(data_start)
        && next.len() >= 3
        && next.iter().all(|(_, t)| {
            let n = t.trim().trim_start_matches('(').trim_end_matches(')');
            !n.is_empty() && n.len() <= 2 && n.bytes().all(|b| b.is_ascii_digit())
        })
    {
        data_start += 1;
    }
    let header_cells: Vec<(u32, String)> = header_map.into_iter().collect();
    let header_cells = &header_cells;
    let mut columns = Vec::new();
    let mut targets: BTreeMap<u32, Target> = BTreeMap::new();
    for (col, text) in header_cells {
        let header = super::normalize_text(&unlegacy(text, None).0);
        let key = header_key(&header);
        let (target, how) = match (known_header(&key), mapping.get(&key)) {
            (_, Some(t)) => (Some(*t), "remembered"),
            (Some(t), None) => (Some(t), "known"),
            (None, None) => (None, "unknown"),
        };
        // A target already taken by an earlier column is kept by that one.
        let target = target.filter(|t| *t == Target::Skip || !targets.values().any(|v| v == t));
        if let Some(t) = target {
            targets.insert(*col, t);
        }
        columns.push(ColumnView {
            letter: column_letter(*col as usize),
            header,
            key,
            target: target.map(|t| t.code().to_owned()),
            target_label: target.map_or("Chưa rõ (bỏ qua)", Target::label).to_owned(),
            how,
        });
    }
    let col_of = |t: Target| targets.iter().find(|(_, v)| **v == t).map(|(c, _)| *c);
    let has = |t: Target| col_of(t).is_some();
    let mut problems = Vec::new();
    let header_excel_row = header_row + 1;
    let missing = |title: &str| FieldProblem {
        field: format!("{header_excel_row}"),
        row: Some(header_excel_row),
        column: Some(title.to_owned()),
        message: format!("Thiếu cột \"{title}\" ở dòng tiêu đề (dòng {header_excel_row})."),
    };
    if !(has(Target::Field("full_name")) || has(Target::LastMiddle) && has(Target::Given)) {
        problems.push(missing("Họ và tên"));
    }
    if !has(Target::Field("sex")) && !has(Target::FemaleMark) && !has(Target::MaleMark) {
        problems.push(missing("Giới tính"));
    }
    if !has(Target::Field("party_status")) && !has(Target::Field("official_on")) {
        problems.push(missing("Đảng viên"));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    // Legacy encodings: each column's prevailing one decides a cell that looks like both.
    let mut prevailing: BTreeMap<u32, Legacy> = BTreeMap::new();
    {
        let mut scores: BTreeMap<u32, (u32, u32)> = BTreeMap::new();
        for (_, cells) in &grid.rows[data_start..] {
            for (col, text) in cells {
                let (t, v) = legacy::scores(text);
                let e = scores.entry(*col).or_default();
                e.0 = e.0.saturating_add(t);
                e.1 = e.1.saturating_add(v);
            }
        }
        for (col, (t, v)) in scores {
            if t > 0 || v > 0 {
                prevailing.insert(col, if v >= t { Legacy::Vni } else { Legacy::Tcvn3 });
            }
        }
    }
    let mut present: BTreeSet<&'static str> =
        targets.values().filter_map(|t| if let Target::Field(k) = t { Some(*k) } else { None }).collect();
    present.extend(["full_name", "sex", "party_status"]);
    if has(Target::FemaleMark) || has(Target::MaleMark) {
        present.insert("birth_date");
    }
    let mut analysis = Analysis { header_row: header_excel_row, columns, present, ..Analysis::default() };
    let header_text: BTreeMap<u32, String> =
        header_cells.iter().map(|(c, t)| (*c, super::normalize_text(&unlegacy(t, None).0))).collect();
    for (row, cells) in &grid.rows[data_start..] {
        let excel_row = row + 1;
        let mut values: BTreeMap<u32, String> = BTreeMap::new();
        for (col, text) in cells {
            if targets.get(col).is_none_or(|t| *t == Target::Skip) {
                continue;
            }
            let (converted, enc) = unlegacy(text, prevailing.get(col).copied());
            if let Some(enc) = enc {
                analysis.conversions_total += 1;
                if analysis.conversions.len() < CONVERSIONS_SHOWN {
                    analysis.conversions.push(Conversion {
                        cell: format!("{}{excel_row}", column_letter(*col as usize)),
                        encoding: enc.label(),
                        before: text.clone(),
                        after: converted.clone(),
                    });
                }
            }
            values.insert(*col, converted);
        }
        let value = |t: Target| {
            col_of(t).and_then(|c| values.get(&c)).map(|v| v.trim().to_owned()).unwrap_or_default()
        };
        let mut fields = PersonFields::new();
        let mut places: FieldPlaces = BTreeMap::new();
        let place_of = |c: u32| {
            (
                format!("{}{excel_row}", column_letter(c as usize)),
                header_text.get(&c).cloned().unwrap_or_default(),
            )
        };
        for (col, target) in &targets {
            if let Target::Field(key) = target {
                fields.insert((*key).to_owned(), values.get(col).cloned().unwrap_or_default());
                places.insert(key, place_of(*col));
            }
        }
        if fields.values().all(|v| v.trim().is_empty())
            && [Target::LastMiddle, Target::Given, Target::FemaleMark, Target::MaleMark]
                .iter()
                .all(|t| value(*t).is_empty())
        {
            continue; // a row with nothing in the roster's columns (notes beside the table)
        }
        let mut row_problems = Vec::new();
        if !has(Target::Field("full_name")) {
            let name = format!("{} {}", value(Target::LastMiddle), value(Target::Given));
            fields.insert("full_name".into(), name.trim().to_owned());
            if let Some(c) = col_of(Target::LastMiddle) {
                places.insert("full_name", place_of(c));
            }
        }
        if !has(Target::Field("sex")) {
            let (female, male) = (value(Target::FemaleMark), value(Target::MaleMark));
            let mark_place = col_of(Target::FemaleMark).or(col_of(Target::MaleMark)).map(place_of);
            let sex = match (female.is_empty(), male.is_empty()) {
                (false, true) => Some("Nữ"),
                (true, false) => Some("Nam"),
                // Only a "Nữ" column: an unmarked row is a man.
                (true, true) if !has(Target::MaleMark) => Some("Nam"),
                // Only a "Nam" column: an unmarked row is a woman.
                (true, true) if !has(Target::FemaleMark) => Some("Nữ"),
                _ => None,
            };
            match sex {
                Some(s) => {
                    fields.insert("sex".into(), s.into());
                }
                None => {
                    let (field, column) = mark_place.clone().unwrap_or_default();
                    row_problems.push(FieldProblem {
                        field,
                        row: Some(excel_row),
                        column: Some(column),
                        message: if female.is_empty() {
                            "Chưa đánh dấu Nam hay Nữ.".into()
                        } else {
                            "Đánh dấu cả Nam và Nữ.".into()
                        },
                    });
                }
            }
            if let Some(c) = mark_place.as_ref() {
                places.insert("sex", c.clone());
            }
            // The birth date written in the Nam/Nữ column, as the usual printed forms do.
            let mark = if female.is_empty() { male } else { female };
            if fields.get("birth_date").is_none_or(|b| b.trim().is_empty())
                && super::BirthDate::parse(&mark).is_some()
            {
                fields.insert("birth_date".into(), mark);
                if let Some(c) = col_of(Target::FemaleMark)
                    .filter(|_| !value(Target::FemaleMark).is_empty())
                    .or(col_of(Target::MaleMark))
                {
                    places.insert("birth_date", place_of(c));
                }
            }
        }
        if !has(Target::Field("party_status")) {
            // No "Đảng viên" column: a member with a date made official is official.
            let official = !value(Target::Field("official_on")).is_empty();
            fields.insert("party_status".into(), if official { "Chính thức" } else { "Dự bị" }.into());
        }
        match parse_person(&fields, Some(excel_row), &places) {
            Ok(p) if row_problems.is_empty() => analysis.rows.push((excel_row, p)),
            Ok(_) => analysis.problems.extend(row_problems),
            Err(p) => {
                analysis.problems.extend(row_problems);
                analysis.problems.extend(p);
            }
        }
        if analysis.problems.len() >= limits::ROSTER_MAX_PROBLEMS {
            analysis.problems.truncate(limits::ROSTER_MAX_PROBLEMS);
            analysis.problems.push(FieldProblem::field(
                "file",
                format!(
                    "Tệp còn lỗi ở các dòng sau dòng {excel_row}; sửa {} lỗi trên rồi nhập lại để xem tiếp.",
                    limits::ROSTER_MAX_PROBLEMS
                ),
            ));
            break;
        }
    }
    // Duplicates inside the file: the later row is an error.
    let name_place = |row: u32| {
        col_of(Target::Field("full_name"))
            .or(col_of(Target::LastMiddle))
            .map(|c| {
                (
                    format!("{}{row}", column_letter(c as usize)),
                    header_text.get(&c).cloned().unwrap_or_default(),
                )
            })
            .unwrap_or_default()
    };
    let mut seen: BTreeMap<(String, Option<String>), u32> = BTreeMap::new();
    let mut kept = Vec::with_capacity(analysis.rows.len());
    for (row, p) in std::mem::take(&mut analysis.rows) {
        if let Some(first) = seen.get(&identity(&p)) {
            let (field, column) = name_place(row);
            analysis.problems.push(FieldProblem {
                field,
                row: Some(row),
                column: Some(column),
                message: format!("Trùng người với dòng {first} (cùng họ tên và ngày sinh)."),
            });
        } else {
            seen.insert(identity(&p), row);
            kept.push((row, p));
        }
    }
    analysis.rows = kept;
    analysis.problems.sort_by_key(|p| p.row.unwrap_or(u32::MAX));
    Ok(analysis)
}

/// Reads and checks every row of a roster file with no remembered mapping: the checked people by
/// row number (as the sheet shows it), or every problem found. All or nothing.
pub fn read_roster_file(bytes: &[u8]) -> Result<Vec<(u32, PersonRow)>, AppError> {
    let (_, grid) = read_grid(bytes)?;
    let analysis = analyse(&grid, &BTreeMap::new())?;
    if !analysis.problems.is_empty() {
        return Err(AppError::Invalid(analysis.problems));
    }
    if analysis.rows.is_empty() {
        return Err(no_data_rows(analysis.header_row));
    }
    Ok(analysis.rows)
}

fn no_data_rows(header_row: u32) -> AppError {
    file_problem(format!("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề (dòng {header_row})."))
}

/// How the user chose to import a previewed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportChoice {
    /// "Nhập tất cả": only when no row has an error; adds the new people and updates the changed.
    All,
    /// "Chỉ nhập các dòng hợp lệ": the rows with errors are left out.
    ValidOnly,
    /// "Thay toàn bộ danh sách": the roster becomes the file (only before attendance starts).
    Replace,
}

impl ImportChoice {
    /// The choice as the form sends it; an unknown one is an error.
    pub fn parse(text: &str) -> Result<Self, AppError> {
        match text {
            "all" => Ok(ImportChoice::All),
            "valid" => Ok(ImportChoice::ValidOnly),
            "replace" => Ok(ImportChoice::Replace),
            _ => Err(AppError::invalid("choice", "Cách nhập không hợp lệ.")),
        }
    }

    fn code(self) -> &'static str {
        match self {
            ImportChoice::All => "all",
            ImportChoice::ValidOnly => "valid",
            ImportChoice::Replace => "replace",
        }
    }
}

/// A person of the file, on the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewPerson {
    /// The row of the file (0 for a person of the roster not in the file).
    pub row: u32,
    pub id: Option<i64>,
    pub full_name: String,
    pub birth: String,
}

/// A person of the roster the file changes, field by field: (field label, before, after).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewChange {
    pub person: PreviewPerson,
    pub fields: Vec<(String, String, String)>,
}

/// What importing a file would do, before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportPreview {
    /// Names the file kept on the server until the user chooses (for a short while).
    pub token: String,
    pub format: &'static str,
    pub header_row: u32,
    pub columns: Vec<ColumnView>,
    pub conversions: Vec<Conversion>,
    pub conversions_total: usize,
    pub added: Vec<PreviewPerson>,
    pub changed: Vec<PreviewChange>,
    pub unchanged: usize,
    /// People of the roster not in the file: deleted only by "Thay toàn bộ danh sách".
    pub removed: Vec<PreviewPerson>,
    pub errors: Vec<FieldProblem>,
    /// Why the roster cannot be replaced now, if it cannot.
    pub replace_refused: Option<String>,
}

/// A file read and waiting for the user's choice.
#[derive(Debug, Clone)]
struct Pending {
    username: String,
    created: jiff::Timestamp,
    format: Format,
    grid: Grid,
}

static PENDING: Mutex<BTreeMap<String, Pending>> = Mutex::new(BTreeMap::new());

fn pending_lock() -> std::sync::MutexGuard<'static, BTreeMap<String, Pending>> {
    PENDING.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn expired() -> AppError {
    AppError::NotFound("bản xem trước của tệp này (đã nhập, hoặc đã quá 30 phút): hãy chọn lại tệp để nhập")
}

/// The plan of an import against the roster as it is.
#[derive(Debug, Default)]
struct Plan {
    added: Vec<(u32, PersonRow)>,
    /// (row, the stored person, the file's version with the stored id)
    changed: Vec<(u32, PersonRow, PersonRow)>,
    unchanged: usize,
    removed: Vec<PersonRow>,
}

/// The fields an import compares and writes (absence and replacement are the attendance's).
fn field_diff(old: &PersonRow, new: &PersonRow) -> Vec<(String, String, String)> {
    let yes = |b: bool| if b { "x" } else { "" }.to_owned();
    let label = |key: &str| COLUMNS.iter().find(|(k, _, _)| *k == key).map_or(key, |(_, h, _)| *h).to_owned();
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let pairs: [(&str, String, String); 18] = [
        ("full_name", old.full_name.clone(), new.full_name.clone()),
        ("birth_date", opt(&old.birth_date), opt(&new.birth_date)),
        ("sex", old.sex.clone(), new.sex.clone()),
        ("ethnicity", old.ethnicity.clone(), new.ethnicity.clone()),
        ("religion", old.religion.clone(), new.religion.clone()),
        ("party_status", old.party_status.clone(), new.party_status.clone()),
        ("delegate_kind", opt(&old.delegate_kind), opt(&new.delegate_kind)),
        ("unit", old.unit.clone(), new.unit.clone()),
        ("education", old.education.clone(), new.education.clone()),
        ("political_theory", old.political_theory.clone(), new.political_theory.clone()),
        ("hometown", old.hometown.clone(), new.hometown.clone()),
        ("position", old.position.clone(), new.position.clone()),
        ("joined_on", opt(&old.joined_on), opt(&new.joined_on)),
        ("official_on", opt(&old.official_on), opt(&new.official_on)),
        ("first_time", yes(old.first_time), yes(new.first_time)),
        ("temporarily_transferred", yes(old.temporarily_transferred), yes(new.temporarily_transferred)),
        ("exempted", yes(old.exempted), yes(new.exempted)),
        ("suspended", yes(old.suspended), yes(new.suspended)),
    ];
    let mut diff: Vec<(String, String, String)> =
        pairs.into_iter().filter(|(_, a, b)| a != b).map(|(k, a, b)| (label(k), a, b)).collect();
    if old.prosecuted != new.prosecuted {
        diff.push((label("prosecuted"), yes(old.prosecuted), yes(new.prosecuted)));
    }
    diff
}

/// A stored person as the file would leave them: the file's fields, the stored ones for the
/// columns the file does not have (a file without "Dân tộc" does not erase it).
fn merged(old: &PersonRow, new: &PersonRow, present: &BTreeSet<&'static str>) -> PersonRow {
    let mut m = new.clone();
    let keep = |key: &str| !present.contains(key);
    if keep("ethnicity") {
        m.ethnicity = old.ethnicity.clone();
    }
    if keep("religion") {
        m.religion = old.religion.clone();
    }
    if keep("delegate_kind") {
        m.delegate_kind = old.delegate_kind.clone();
    }
    if keep("unit") {
        m.unit = old.unit.clone();
    }
    if keep("education") {
        m.education = old.education.clone();
    }
    if keep("political_theory") {
        m.political_theory = old.political_theory.clone();
    }
    if keep("hometown") {
        m.hometown = old.hometown.clone();
    }
    if keep("position") {
        m.position = old.position.clone();
    }
    if keep("joined_on") {
        m.joined_on = old.joined_on.clone();
    }
    if keep("official_on") {
        m.official_on = old.official_on.clone();
    }
    if keep("first_time") {
        m.first_time = old.first_time;
    }
    if keep("temporarily_transferred") {
        m.temporarily_transferred = old.temporarily_transferred;
    }
    if keep("exempted") {
        m.exempted = old.exempted;
    }
    if keep("suspended") {
        m.suspended = old.suspended;
    }
    if keep("prosecuted") {
        m.prosecuted = old.prosecuted;
    }
    m.id = old.id;
    m.absence = old.absence.clone();
    m.replaces_person_id = old.replaces_person_id;
    m.entry_order = old.entry_order;
    m
}

fn plan(existing: Vec<PersonRow>, rows: &[(u32, PersonRow)], present: &BTreeSet<&'static str>) -> Plan {
    let mut by_identity: BTreeMap<(String, Option<String>), PersonRow> =
        existing.into_iter().map(|p| (identity(&p), p)).collect();
    let mut plan = Plan::default();
    for (row, new) in rows {
        match by_identity.remove(&identity(new)) {
            Some(old) => {
                let updated = merged(&old, new, present);
                if field_diff(&old, &updated).is_empty() {
                    plan.unchanged += 1;
                } else {
                    plan.changed.push((*row, old, updated));
                }
            }
            None => plan.added.push((*row, new.clone())),
        }
    }
    plan.removed = by_identity.into_values().collect();
    plan.removed.sort_by_key(|p| p.entry_order);
    plan
}

fn birth_text(p: &PersonRow) -> String {
    p.birth_date.as_deref().and_then(super::BirthDate::parse).map(|b| b.to_string()).unwrap_or_default()
}

fn preview_person(row: u32, p: &PersonRow) -> PreviewPerson {
    PreviewPerson {
        row,
        id: (p.id != 0).then_some(p.id),
        full_name: p.full_name.clone(),
        birth: birth_text(p),
    }
}

fn load_mapping(c: &baucu_store::rusqlite::Connection) -> Result<BTreeMap<String, Target>, AppError> {
    let rows = persons::settings_with_prefix(c, MAPPING_SETTING)?;
    let mut mapping = BTreeMap::new();
    for (key, value) in rows {
        let target = Target::from_code(&value)
            .ok_or_else(|| AppError::damaged("Cách đọc cột đã nhớ của danh sách", key.clone()))?;
        mapping.insert(key.trim_start_matches(MAPPING_SETTING).to_owned(), target);
    }
    Ok(mapping)
}

impl App {
    /// Reads a roster file and shows what importing it would do; nothing is written. The file is
    /// kept (for [`PENDING_MINUTES`], at most [`PENDING_MAX`] in the node) under the preview's token
    /// until the user chooses ([`App::apply_import`]).
    pub async fn preview_import(&self, actor: &Actor, bytes: Vec<u8>) -> Result<ImportPreview, AppError> {
        actor.require(Permission::EditRoster)?;
        let permit = IMPORTS.try_acquire().map_err(|_| {
            AppError::Conflict(
                "Máy chủ đang nhập một danh sách khác. Vui lòng chờ việc đó xong rồi nhập lại.".into(),
            )
        })?;
        let (read, permit) = tokio::task::spawn_blocking(move || (read_grid(&bytes), permit))
            .await
            .map_err(|_| AppError::Conflict("Không đọc được tệp (lỗi khi đọc tệp).".into()))?;
        drop(permit);
        let (format, grid) = read?;
        let mut token_bytes = [0u8; 16];
        getrandom::fill(&mut token_bytes)
            .map_err(|_| AppError::Conflict("Máy chủ không tạo được mã ngẫu nhiên.".into()))?;
        let token = hex::encode(token_bytes);
        let now = self.now();
        {
            let mut pending = pending_lock();
            pending.retain(|_, p| now.duration_since(p.created).as_mins() < PENDING_MINUTES);
            pending.retain(|_, p| p.username != actor.username);
            while pending.len() >= PENDING_MAX {
                let oldest = pending.iter().min_by_key(|(_, p)| p.created).map(|(k, _)| k.clone());
                match oldest {
                    Some(k) => pending.remove(&k),
                    None => break,
                };
            }
            pending.insert(
                token.clone(),
                Pending { username: actor.username.clone(), created: now, format, grid },
            );
        }
        self.import_preview(actor, &token).await
    }

    fn pending(&self, actor: &Actor, token: &str) -> Result<Pending, AppError> {
        let now = self.now();
        let pending = pending_lock();
        pending
            .get(token)
            .filter(|p| p.username == actor.username)
            .filter(|p| now.duration_since(p.created).as_mins() < PENDING_MINUTES)
            .cloned()
            .ok_or_else(expired)
    }

    /// The preview of a file read by [`App::preview_import`], against the roster as it is now.
    pub async fn import_preview(&self, actor: &Actor, token: &str) -> Result<ImportPreview, AppError> {
        actor.require(Permission::EditRoster)?;
        let pending = self.pending(actor, token)?;
        let token = token.to_owned();
        self.read(move |c| {
            let mapping = load_mapping(c)?;
            let analysis = analyse(&pending.grid, &mapping)?;
            if analysis.rows.is_empty() && analysis.problems.is_empty() {
                return Err(no_data_rows(analysis.header_row));
            }
            let plan = plan(persons::all(c)?, &analysis.rows, &analysis.present);
            let replace_refused = if persons::attendance_started(c)? {
                Some(
                    "Đã điểm danh hoặc đã có danh sách bầu cử: không thay toàn bộ danh sách được nữa."
                        .to_owned(),
                )
            } else if !analysis.problems.is_empty() {
                Some("Tệp còn lỗi: sửa hết lỗi rồi mới thay toàn bộ danh sách được.".to_owned())
            } else {
                None
            };
            Ok(ImportPreview {
                token,
                format: pending.format.label(),
                header_row: analysis.header_row,
                columns: analysis.columns,
                conversions: analysis.conversions,
                conversions_total: analysis.conversions_total,
                added: plan.added.iter().map(|(r, p)| preview_person(*r, p)).collect(),
                changed: plan
                    .changed
                    .iter()
                    .map(|(r, old, new)| PreviewChange {
                        person: preview_person(*r, old),
                        fields: field_diff(old, new),
                    })
                    .collect(),
                unchanged: plan.unchanged,
                removed: plan.removed.iter().map(|p| preview_person(0, p)).collect(),
                errors: analysis.problems,
                replace_refused,
            })
        })
        .await
    }

    /// Remembers how the file's columns are read (`column key → mapping code`, codes of
    /// [`mapping_choices`]), for this file and the next ones. Audited.
    pub async fn save_import_mapping(
        &self,
        actor: &Actor,
        token: &str,
        mapping: BTreeMap<String, String>,
    ) -> Result<ImportPreview, AppError> {
        actor.require(Permission::EditRoster)?;
        let pending = self.pending(actor, token)?;
        let (_, grid) = (pending.format, pending.grid);
        // Only the columns of this file's header may be mapped, each to a known target.
        let analysis_columns = self
            .read({
                let grid = grid.clone();
                move |c| Ok(analyse(&grid, &load_mapping(c)?).map(|a| a.columns).unwrap_or_default())
            })
            .await?;
        let keys: BTreeSet<String> = analysis_columns.iter().map(|c| c.key.clone()).collect();
        let mut chosen: Vec<(String, Target)> = Vec::new();
        for (key, code) in &mapping {
            if code.is_empty() {
                continue;
            }
            if !keys.contains(key) || key.len() > 200 {
                return Err(AppError::invalid("mapping", "Cột được chọn không có trong tệp."));
            }
            let target = Target::from_code(code).ok_or_else(|| {
                AppError::invalid("mapping", format!("Cách đọc cột \"{code}\" không hợp lệ."))
            })?;
            chosen.push((key.clone(), target));
        }
        if !chosen.is_empty() {
            self.act(actor, "roster.mapping", move |c| {
                for (key, target) in &chosen {
                    settings::put_setting(c, &format!("{MAPPING_SETTING}{key}"), target.code())?;
                }
                let data: Vec<serde_json::Value> = chosen
                    .iter()
                    .map(|(k, t)| json!({ "column": k, "field": t.code(), "label": t.label() }))
                    .collect();
                Ok(((), json!({ "columns": data })))
            })
            .await?;
        }
        self.import_preview(actor, token).await
    }

    /// Applies the user's choice to exactly the previewed file, all or nothing, audited. The plan
    /// is made again inside the transaction: a roster changed since the preview is refused.
    pub async fn apply_import(
        &self,
        actor: &Actor,
        token: &str,
        choice: ImportChoice,
        expected: (usize, usize, usize),
    ) -> Result<ImportReport, AppError> {
        actor.require(Permission::EditRoster)?;
        let pending = self.pending(actor, token)?;
        let grid = pending.grid;
        // The file is read again off the writer thread (CPU work); the plan, against the roster as
        // it is, inside the transaction.
        let mapping = self.read(load_mapping).await?;
        let analysis = tokio::task::spawn_blocking(move || analyse(&grid, &mapping))
            .await
            .map_err(|_| AppError::Conflict("Không đọc được tệp (lỗi khi đọc tệp).".into()))??;
        let report = self
            .act(actor, "roster.import", move |c| {
                if analysis.rows.is_empty() && analysis.problems.is_empty() {
                    return Err(no_data_rows(analysis.header_row));
                }
                let errors = analysis.problems.len();
                match choice {
                    ImportChoice::All | ImportChoice::Replace if errors > 0 => {
                        return Err(AppError::Conflict(format!(
                            "Tệp còn {errors} lỗi: sửa các lỗi rồi nhập lại, hoặc chọn \"Chỉ nhập các dòng hợp lệ\"."
                        )));
                    }
                    ImportChoice::Replace if persons::attendance_started(c)? => {
                        return Err(AppError::Conflict(
                            "Đã điểm danh hoặc đã có danh sách bầu cử: không thay toàn bộ danh sách được nữa.".into(),
                        ));
                    }
                    _ => {}
                }
                let plan = plan(persons::all(c)?, &analysis.rows, &analysis.present);
                if (plan.added.len(), plan.changed.len(), plan.removed.len()) != expected {
                    return Err(AppError::Conflict(
                        "Danh sách đã thay đổi từ lúc xem trước: hãy xem lại trước khi nhập.".into(),
                    ));
                }
                for (_, new) in &plan.added {
                    persons::insert(c, new)?;
                }
                for (_, _, updated) in &plan.changed {
                    persons::update(c, updated)?;
                }
                let removed = if choice == ImportChoice::Replace {
                    for old in &plan.removed {
                        if let Some(u) = persons::uses(c, old.id)? {
                            return Err(AppError::Conflict(format!(
                                "Không thay được danh sách: {} — {}",
                                old.full_name,
                                in_use_message(&u)
                            )));
                        }
                        super::refuse_deleting_a_nominee(c, old.id, &old.full_name)?;
                        persons::delete(c, old.id)?;
                    }
                    plan.removed.len()
                } else {
                    0
                };
                let report = ImportReport { imported: plan.added.len(), changed: plan.changed.len(), removed };
                Ok((
                    report.clone(),
                    json!({
                        "imported": report.imported,
                        "changed": report.changed,
                        "removed": report.removed,
                        "skipped_rows": errors,
                        "mode": choice.code(),
                    }),
                ))
            })
            .await?;
        pending_lock().remove(token);
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analysed(csv: &str, mapping: &BTreeMap<String, Target>) -> Analysis {
        let (format, grid) = read_grid(csv.as_bytes()).expect("read");
        assert_eq!(format, Format::Csv);
        analyse(&grid, mapping).expect("analyse")
    }

    #[test]
    fn a_two_row_header_with_nam_and_nu_columns_and_column_numbers() {
        let a = analysed(
            "DANH SÁCH ĐẢNG VIÊN,,,,\n\
             STT,Họ và tên,Ngày sinh,,Đảng viên\n\
             ,,Nam,Nữ,\n\
             (1),(2),(3),(4),(5)\n\
             1,Nguyễn Văn A,1960,,Chính thức\n\
             2,Trần Thị B,,05/06/1970,Dự bị\n",
            &BTreeMap::new(),
        );
        assert!(a.problems.is_empty(), "{:?}", a.problems);
        let got: Vec<(u32, &str, &str, Option<&str>)> = a
            .rows
            .iter()
            .map(|(r, p)| (*r, p.full_name.as_str(), p.sex.as_str(), p.birth_date.as_deref()))
            .collect();
        assert_eq!(
            got,
            [(5, "Nguyễn Văn A", "male", Some("1960")), (6, "Trần Thị B", "female", Some("1970-06-05"))]
        );
    }

    #[test]
    fn split_names_are_joined_and_every_text_normalised() {
        let a = analysed(
            "Họ và tên đệm;Tên;Giới tính;Đảng viên;Quê quán\n\
             \u{D0}inh\u{A0} Văn;  An\u{200B} ;Nam;Chính thức;Nguye\u{302}\u{303}n   Xá\n",
            &BTreeMap::new(),
        );
        let p = &a.rows[0].1;
        assert_eq!((p.full_name.as_str(), p.search_key.as_str()), ("Đinh Văn An", "dinh van an"));
        assert_eq!(p.hometown, "Nguyễn Xá");
        assert_eq!(super::super::normalize_text(" \u{F0}ông\t\u{FEFF}A "), "đông A");
    }

    #[test]
    fn a_remembered_mapping_reads_an_unknown_column() {
        let csv = "Họ và tên,Giới tính,Đảng viên,Nơi sinh hoạt\nLê Văn C,Nam,Chính thức,Chi bộ 2\n";
        let a = analysed(csv, &BTreeMap::new());
        assert_eq!(a.columns[3].how, "unknown");
        assert_eq!(a.rows[0].1.unit, "");
        let a = analysed(csv, &BTreeMap::from([("noisinhhoat".to_owned(), Target::Field("unit"))]));
        assert_eq!((a.columns[3].how, a.rows[0].1.unit.as_str()), ("remembered", "Chi bộ 2"));
    }

    #[test]
    fn utf16_big_endian_csv_and_refusals_of_text_files() {
        let text = "Họ và tên\tGiới tính\tĐảng viên\nLê Thị D\tNữ\tDự bị\n";
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        let (_, grid) = read_grid(&be).expect("utf-16 be");
        assert_eq!(analyse(&grid, &BTreeMap::new()).expect("rows").rows[0].1.full_name, "Lê Thị D");
        let message = |bytes: &[u8]| read_grid(bytes).map(|_| ()).expect_err("refused").message();
        assert!(message(b"").contains("trống"));
        assert!(message(&[0xFF, 0xFE, 0x41]).contains("số byte lẻ"));
        assert!(message(&[0x00, 0x9F, 0x92, 0x96]).contains("không phải là bảng tính"));
    }

    #[test]
    fn a_file_without_a_column_keeps_what_the_roster_has() {
        let a = analysed(
            "Họ và tên,Giới tính,Đảng viên,Chức vụ\nLê Văn E,Nam,Chính thức,Tổ phó\n",
            &BTreeMap::new(),
        );
        let mut old = a.rows[0].1.clone();
        old.id = 7;
        old.ethnicity = "Tày".into();
        old.position = "Tổ trưởng".into();
        let p = plan(vec![old], &a.rows, &a.present);
        assert_eq!((p.added.len(), p.unchanged, p.removed.len()), (0, 0, 0));
        let (_, before, after) = &p.changed[0];
        assert_eq!((after.id, after.ethnicity.as_str(), after.position.as_str()), (7, "Tày", "Tổ phó"));
        assert_eq!(
            field_diff(before, after),
            [("Chức vụ hiện tại".to_owned(), "Tổ trưởng".to_owned(), "Tổ phó".to_owned())]
        );
    }

    fn ods_zip(content: &str) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("mimetype", options).expect("zip");
        zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").expect("zip");
        zip.start_file("content.xml", options).expect("zip");
        zip.write_all(content.as_bytes()).expect("zip");
        zip.finish().expect("zip").into_inner()
    }

    #[test]
    fn ods_repeats_past_the_roster_area_are_refused_before_calamine_expands_them() {
        let wide = ods_zip(
            "<table:table table:name=\"a\"><table:table-row><table:table-cell table:number-columns-repeated=\"16000\" \
             office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row></table:table>",
        );
        assert!(check_container(&wide).expect("zip"), "an OpenDocument file");
        assert!(check_ods(&wide).expect_err("wide").message().contains("quá lớn"));
        let tall = ods_zip(
            "<table:table table:name=\"a\"><table:table-row table:number-rows-repeated=\"1000000\">\
             <table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row></table:table>",
        );
        assert!(check_ods(&tall).expect_err("tall").message().contains("quá lớn"));
        let empty_tail = ods_zip(
            "<table:table table:name=\"a\"><table:table-row><table:table-cell office:value-type=\"string\"><text:p>x</text:p>\
             </table:table-cell><table:table-cell table:number-columns-repeated=\"16000\"/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell/></table:table-row></table:table>",
        );
        check_ods(&empty_tail).expect("LibreOffice's empty tail is fine");
    }
}
