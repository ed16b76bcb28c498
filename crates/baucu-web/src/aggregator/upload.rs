//! Reading many result packages from one multipart form, bounded before anything is kept: at most
//! [`MAX_FILES`] files, [`MAX_FILE_BYTES`] each and [`MAX_TOTAL_BYTES`] in all. A file over its limit
//! is not read further; it is reported by name with the reason, as the import reports the others.

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;

/// Files in one upload (a district's USB stick of packages).
pub const MAX_FILES: usize = 200;
/// One package file.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// All files of one upload together.
pub const MAX_TOTAL_BYTES: usize = 256 * 1024 * 1024;
/// The route's body limit: the files and the multipart wrapping of up to [`MAX_FILES`] parts.
pub const BODY_LIMIT: usize = MAX_TOTAL_BYTES + 1024 * 1024;

/// One file of the form: its name as the browser gave it (a folder upload gives `folder/name`) and
/// its bytes, or why it was not read.
#[derive(Debug)]
pub struct Uploaded {
    pub name: String,
    pub bytes: Result<Vec<u8>, String>,
}

/// What the form carried.
#[derive(Debug, Default)]
pub struct Upload {
    pub files: Vec<Uploaded>,
}

/// Why the whole form was refused (nothing of it is imported).
#[derive(Debug)]
pub struct Refused(pub String);

fn unreadable(e: &MultipartError) -> Refused {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Refused(format!(
            "Dữ liệu gửi lên lớn quá {} MB; hãy chia các gói thành nhiều lần gửi.",
            MAX_TOTAL_BYTES / (1024 * 1024)
        ))
    } else {
        Refused("Không đọc được các tệp gửi lên; hãy chọn lại rồi gửi.".into())
    }
}

/// The file name shown in the report: the browser's name, bounded, without control characters.
fn shown_name(name: Option<&str>, index: usize) -> String {
    let name: String =
        name.unwrap_or_default().chars().filter(|c| !c.is_control()).take(200).collect::<String>();
    let name = name.trim();
    if name.is_empty() { format!("tệp thứ {}", index + 1) } else { name.to_owned() }
}

/// Reads every field named `field` of the form (other fields are skipped, empty file inputs are
/// ignored).
pub async fn read_files(multipart: &mut Multipart, field: &str) -> Result<Upload, Refused> {
    let mut upload = Upload::default();
    let mut total = 0usize;
    loop {
        let mut part = match multipart.next_field().await {
            Ok(Some(part)) => part,
            Ok(None) => break,
            Err(e) => return Err(unreadable(&e)),
        };
        if part.name() != Some(field) {
            continue;
        }
        let named = part.file_name().is_some_and(|n| !n.is_empty());
        let name = shown_name(part.file_name(), upload.files.len());
        if upload.files.len() >= MAX_FILES {
            return Err(Refused(format!(
                "Gửi quá {MAX_FILES} tệp một lần; hãy chia thành nhiều lần gửi (mỗi lần tối đa {MAX_FILES} tệp)."
            )));
        }
        let mut bytes = Vec::new();
        let mut over = false;
        loop {
            match part.chunk().await {
                Ok(Some(chunk)) => {
                    if over {
                        continue;
                    }
                    if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                        over = true;
                        bytes = Vec::new();
                        continue;
                    }
                    total += chunk.len();
                    if total > MAX_TOTAL_BYTES {
                        return Err(Refused(format!(
                            "Các tệp gửi lên lớn quá {} MB cộng lại; hãy chia thành nhiều lần gửi.",
                            MAX_TOTAL_BYTES / (1024 * 1024)
                        )));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(unreadable(&e)),
            }
        }
        if !named && bytes.is_empty() && !over {
            continue;
        }
        let bytes = if over {
            Err(format!(
                "Tệp lớn quá {} MB: không phải một gói kết quả đại hội.",
                MAX_FILE_BYTES / (1024 * 1024)
            ))
        } else {
            Ok(bytes)
        };
        upload.files.push(Uploaded { name, bytes });
    }
    Ok(upload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_bounded_and_never_empty() {
        assert_eq!(shown_name(Some("goi/01.001.sig"), 0), "goi/01.001.sig");
        assert_eq!(shown_name(Some("  "), 2), "tệp thứ 3");
        assert_eq!(shown_name(Some("a\u{7}b"), 0), "ab");
        assert_eq!(shown_name(Some(&"x".repeat(500)), 0).chars().count(), 200);
    }
}
