//! Roster files as offices keep them, made in the test: `.xls` by a small BIFF8 writer in a
//! compound file (`cfb`), `.ods` as its zip of XML, CSV in UTF-8 and UTF-16, `.xlsx` with
//! rust_xlsxwriter (title rows, merged cells).

use std::io::Write;

/// A cell of a fixture: text, or a number (a year alone, an Excel date serial).
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

pub fn t(s: &str) -> Cell {
    if s.is_empty() { Cell::Empty } else { Cell::Text(s.to_owned()) }
}

pub fn n(v: f64) -> Cell {
    Cell::Number(v)
}

fn record(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&u16::try_from(data.len()).expect("record length").to_le_bytes());
    out.extend_from_slice(data);
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// An Excel 97–2003 workbook (BIFF8) of one sheet with these rows (row 0 first).
pub fn xls(rows: &[Vec<Cell>]) -> Vec<u8> {
    let bof = |dt: u16| {
        let mut d = Vec::new();
        d.extend_from_slice(&0x0600u16.to_le_bytes());
        d.extend_from_slice(&dt.to_le_bytes());
        d.extend_from_slice(&[0u8; 12]);
        d
    };
    // The globals: BOF, CODEPAGE (UTF-16), BOUNDSHEET8 (patched with the sheet's offset), EOF.
    let mut globals = Vec::new();
    record(&mut globals, 0x0809, &bof(0x0005));
    record(&mut globals, 0x0042, &1200u16.to_le_bytes());
    let name = "Danh sách";
    let mut sheet_rec = vec![0u8; 4];
    sheet_rec.extend_from_slice(&[0, 0, u8::try_from(name.encode_utf16().count()).expect("name"), 1]);
    sheet_rec.extend_from_slice(&utf16(name));
    let boundsheet_at = globals.len() + 4;
    record(&mut globals, 0x0085, &sheet_rec);
    record(&mut globals, 0x000A, &[]);
    let sheet_offset = u32::try_from(globals.len()).expect("offset");
    globals[boundsheet_at..boundsheet_at + 4].copy_from_slice(&sheet_offset.to_le_bytes());
    // The sheet: BOF, DIMENSIONS, one LABEL or NUMBER per cell, EOF.
    let mut sheet = Vec::new();
    record(&mut sheet, 0x0809, &bof(0x0010));
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut dim = Vec::new();
    dim.extend_from_slice(&0u32.to_le_bytes());
    dim.extend_from_slice(&u32::try_from(rows.len()).expect("rows").to_le_bytes());
    dim.extend_from_slice(&0u16.to_le_bytes());
    dim.extend_from_slice(&u16::try_from(cols).expect("cols").to_le_bytes());
    dim.extend_from_slice(&0u16.to_le_bytes());
    record(&mut sheet, 0x0200, &dim);
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let mut d = Vec::new();
            d.extend_from_slice(&u16::try_from(r).expect("row").to_le_bytes());
            d.extend_from_slice(&u16::try_from(c).expect("col").to_le_bytes());
            d.extend_from_slice(&0u16.to_le_bytes()); // XF
            match cell {
                Cell::Text(s) => {
                    d.extend_from_slice(&u16::try_from(s.encode_utf16().count()).expect("len").to_le_bytes());
                    d.push(1); // UTF-16
                    d.extend_from_slice(&utf16(s));
                    record(&mut sheet, 0x0204, &d);
                }
                Cell::Number(v) => {
                    d.extend_from_slice(&v.to_le_bytes());
                    record(&mut sheet, 0x0203, &d);
                }
                Cell::Empty => {}
            }
        }
    }
    record(&mut sheet, 0x000A, &[]);
    let mut stream = globals;
    stream.extend_from_slice(&sheet);
    // Past the mini-stream cutoff, as Excel's workbooks are.
    stream.resize(stream.len().max(4096), 0);
    let mut file = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).expect("cfb");
    {
        let mut s = file.create_stream("/Workbook").expect("stream");
        s.write_all(&stream).expect("write");
    }
    // A small stream too, so that the file has a mini stream, as Excel's files do (calamine's reader
    // wants the root entry to hold one).
    {
        let mut s = file.create_stream("/\u{1}CompObj").expect("stream");
        s.write_all(&[0u8; 64]).expect("write");
    }
    file.flush().expect("flush");
    file.into_inner().into_inner()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An OpenDocument spreadsheet of one sheet with these rows; `repeat_title` writes the first row's
/// first cell spread over three columns (`number-columns-spanned`), as LibreOffice writes a merged
/// title, and ends the sheet with LibreOffice's repeated empty rows.
pub fn ods(rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut body = String::new();
    for (r, row) in rows.iter().enumerate() {
        body.push_str("<table:table-row>");
        for (c, cell) in row.iter().enumerate() {
            let span = if r == 0 && c == 0 { " table:number-columns-spanned=\"3\"" } else { "" };
            match cell {
                Cell::Text(s) => body.push_str(&format!(
                    "<table:table-cell office:value-type=\"string\"{span}><text:p>{}</text:p></table:table-cell>",
                    xml_escape(s)
                )),
                Cell::Number(v) => body.push_str(&format!(
                    "<table:table-cell office:value-type=\"float\" office:value=\"{v}\"><text:p>{v}</text:p></table:table-cell>"
                )),
                Cell::Empty => body.push_str("<table:table-cell/>"),
            }
        }
        body.push_str("<table:table-cell table:number-columns-repeated=\"1000\"/></table:table-row>");
    }
    body.push_str("<table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>");
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
<office:body><office:spreadsheet><table:table table:name=\"Danh sách\">{body}</table:table>\
</office:spreadsheet></office:body></office:document-content>"
    );
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\
<manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
</manifest:manifest>";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).expect("zip");
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").expect("zip");
    zip.start_file("META-INF/manifest.xml", deflated).expect("zip");
    zip.write_all(manifest.as_bytes()).expect("zip");
    zip.start_file("content.xml", deflated).expect("zip");
    zip.write_all(content.as_bytes()).expect("zip");
    zip.finish().expect("zip").into_inner()
}

/// CSV text of these rows with separator `sep`, every field quoted where it needs it.
pub fn csv_text(rows: &[Vec<Cell>], sep: char) -> String {
    let mut out = String::new();
    for row in rows {
        let fields: Vec<String> = row
            .iter()
            .map(|c| match c {
                Cell::Text(s) if s.contains([sep, '"', '\n']) => format!("\"{}\"", s.replace('"', "\"\"")),
                Cell::Text(s) => s.clone(),
                Cell::Number(v) => v.to_string(),
                Cell::Empty => String::new(),
            })
            .collect();
        out.push_str(&fields.join(&sep.to_string()));
        out.push_str("\r\n");
    }
    out
}

/// UTF-16 little-endian with its BOM, as Excel's "Unicode Text" saves.
pub fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

/// UTF-8 with its BOM, as Excel's "CSV UTF-8" saves.
pub fn utf8_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    out.extend_from_slice(text.as_bytes());
    out
}

/// An `.xlsx` with `titles` merged across the first columns above the rows (a blank row between),
/// then the rows; numbers over 10,000 are written as dates (Excel's serial, formatted dd/mm/yyyy).
pub fn xlsx_with_titles(titles: &[&str], rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    let sheet = book.add_worksheet();
    let width = u16::try_from(rows.iter().map(Vec::len).max().unwrap_or(1)).expect("width");
    for (r, title) in titles.iter().enumerate() {
        let r = u32::try_from(r).expect("row");
        sheet.merge_range(r, 0, r, width - 1, title, &bold).expect("merge");
    }
    let first = u32::try_from(titles.len()).expect("row") + u32::from(!titles.is_empty());
    for (r, row) in rows.iter().enumerate() {
        let r = first + u32::try_from(r).expect("row");
        for (c, cell) in row.iter().enumerate() {
            let c = u16::try_from(c).expect("col");
            match cell {
                Cell::Text(s) => {
                    sheet.write_string(r, c, s).expect("write");
                }
                Cell::Number(v) if *v > 10_000.0 => {
                    sheet.write_number_with_format(r, c, *v, &date).expect("write");
                }
                Cell::Number(v) => {
                    sheet.write_number(r, c, *v).expect("write");
                }
                Cell::Empty => {}
            }
        }
    }
    book.save_to_buffer().expect("xlsx")
}
