//! Packs the Windows node for the office (`scripts/windows`): `baucu.exe` and `ĐỌC TRƯỚC.txt` in one
//! zip that is byte-for-byte the same for the same exe: entries in a fixed order, a fixed time (the
//! commit's, from `SOURCE_DATE_EPOCH`), fixed permissions, names flagged UTF-8 so that Windows shows
//! "ĐỌC TRƯỚC.txt" as written. The text file gets Windows line endings and a byte order mark, so
//! that every Notepad shows its Vietnamese right.
//!
//! `cargo run -p baucu-pack -- EXE README.txt OUT.zip` (what `scripts/windows` runs). A crate of its
//! own, with only `zip` and `jiff`, so packing does not build the whole node a second time.

use std::io::Write;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [exe, readme, out] = args.as_slice() else {
        return Err("dùng: baucu-pack EXE README.txt OUT.zip".into());
    };
    let epoch: i64 = std::env::var("SOURCE_DATE_EPOCH")
        .map_err(|_| "SOURCE_DATE_EPOCH chưa đặt (thời điểm của commit)".to_owned())?
        .parse()
        .map_err(|e| format!("SOURCE_DATE_EPOCH không đọc được: {e}"))?;
    let at =
        jiff::Timestamp::from_second(epoch).map_err(|e| e.to_string())?.to_zoned(jiff::tz::TimeZone::UTC);
    let time = DateTime::from_date_and_time(
        u16::try_from(at.year()).map_err(|e| e.to_string())?,
        at.month().unsigned_abs(),
        at.day().unsigned_abs(),
        at.hour().unsigned_abs(),
        at.minute().unsigned_abs(),
        at.second().unsigned_abs(),
    )
    .map_err(|e| format!("thời điểm không ghi được vào zip: {e}"))?;
    let text = std::fs::read_to_string(readme).map_err(|e| format!("{readme}: {e}"))?;
    let mut windows_text = vec![0xEF, 0xBB, 0xBF];
    windows_text.extend_from_slice(text.replace("\r\n", "\n").replace('\n', "\r\n").as_bytes());
    let exe_bytes = std::fs::read(exe).map_err(|e| format!("{exe}: {e}"))?;

    let file = std::fs::File::create(out).map_err(|e| format!("{out}: {e}"))?;
    let mut zip = ZipWriter::new(file);
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(time)
        .unix_permissions(0o644);
    for (name, bytes) in [("baucu.exe", exe_bytes.as_slice()), ("ĐỌC TRƯỚC.txt", windows_text.as_slice())]
    {
        zip.start_file(name, options).map_err(|e| e.to_string())?;
        zip.write_all(bytes).map_err(|e| e.to_string())?;
    }
    zip.finish().map_err(|e| e.to_string())?;
    Ok(())
}
