//! Backups from the browser: the counting board (or the administrator) downloads a fresh, verified
//! copy of the database; the page also lists the node's automatic copies and says how to restore.
//!
//! The copy is written to a temporary file in the data folder and streamed back in chunks (never
//! held in memory whole); the file is removed once sent, or when the download is abandoned.

use super::{Notice, app_error, csrf, layout};
use crate::AppState;
use crate::guard::Current;
use axum::Extension;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::html;
use std::io::Read;
use std::path::PathBuf;

/// How much of the file goes into one chunk of the response.
const CHUNK: usize = 256 * 1024;

pub async fn backup_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(notice): Query<Notice>,
) -> Response {
    let actor = &current.session.actor;
    let copies = match state.app.automatic_backups(actor).await {
        Ok(c) => c,
        Err(e) => return app_error(e),
    };
    let folder = state.app.backup_folder();
    let content = html! {
        p {
            "Tải về một bản sao đầy đủ và nhất quán của cơ sở dữ liệu đại hội ngay lúc này; các máy vẫn nhập phiếu bình thường trong khi sao. "
            "Bản sao được kiểm tra toàn vẹn (như lệnh " code { "baucu audit verify" } ") trước khi tải về, và nhật ký thao tác ghi lại ai đã tải, lúc nào, cùng mã đầu chuỗi nhật ký của bản sao. "
            "Cất tệp ở nơi an toàn, ví dụ USB của ban kiểm phiếu."
        }
        form method="post" action="/backup" {
            (csrf(&current))
            button type="submit" { "Tải bản sao lưu về" }
        }
        h2 { "Bản tự sao lưu trên máy chủ" }
        p.small {
            "Máy chủ tự sao lưu định kỳ và sau mỗi lần bầu kết thúc vào thư mục " code { (folder.display()) }
            "; tên tệp ghi thời điểm sao lưu theo giờ UTC (giờ Việt Nam trừ 7 tiếng)."
        }
        @if copies.is_empty() {
            p { "Chưa có bản tự sao lưu nào." }
        } @else {
            table.list {
                thead { tr { th { "Tệp" } th { "Kích thước" } } }
                tbody { @for (name, size) in &copies {
                    tr { td { code { (name) } } td.num { (format_size(*size)) } }
                } }
            }
        }
        h2 { "Khi máy chủ hỏng" }
        p {
            "Trên một máy khác có chương trình baucu, chép tệp sao lưu mới nhất sang rồi chạy "
            code { "baucu restore --from TỆP-SAO-LƯU --data data" }
            " và sau đó " code { "baucu serve --data data" }
            ". Lệnh khôi phục kiểm tra tệp trước, và không thay một cơ sở dữ liệu mới hơn tệp sao lưu."
        }
    };
    layout("Sao lưu dữ liệu", Some(&current), "/backup", &notice, content).into_response()
}

fn format_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{},{} MB", bytes / (1024 * 1024), (bytes % (1024 * 1024)) * 10 / (1024 * 1024))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// Removes the temporary copy when the response is finished or abandoned.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_file(&self.0)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!("cannot remove the downloaded copy {}: {e}", self.0.display());
        }
    }
}

/// The file being sent, then its removal (fields drop in this order: the file is closed first).
struct Sending {
    file: std::fs::File,
    /// Bytes still to send: the file is closed and removed as soon as the last one is read.
    left: u64,
    _remove: RemoveOnDrop,
}

pub async fn backup_download(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
) -> Response {
    let actor = &current.session.actor;
    let copy = match state.app.download_backup(actor).await {
        Ok(c) => c,
        Err(e) => return app_error(e),
    };
    let remove = RemoveOnDrop(copy.path.clone());
    let opened = std::fs::File::open(&copy.path).and_then(|f| f.metadata().map(|m| (f, m.len())));
    let (file, length) = match opened {
        Ok(x) => x,
        Err(e) => {
            tracing::error!("cannot open the copy {}: {e}", copy.path.display());
            return app_error(baucu_app::AppError::Conflict(
                "Đã sao lưu nhưng không đọc lại được bản sao để gửi về; vui lòng thử lại.".into(),
            ));
        }
    };
    let stream = futures_util::stream::unfold(
        Some(Sending { file, left: length, _remove: remove }),
        |state| async move {
            let mut sending = state?;
            let read = tokio::task::spawn_blocking(move || {
                // Never more than the length announced.
                let size = usize::try_from(sending.left).map_or(CHUNK, |left| left.min(CHUNK));
                let mut buf = vec![0u8; size];
                let n = sending.file.read(&mut buf);
                (
                    sending,
                    n.map(|n| {
                        buf.truncate(n);
                        buf
                    }),
                )
            })
            .await;
            match read {
                // A file shorter than it was: the download is cut short rather than padded.
                Ok((_, Ok(buf))) if buf.is_empty() => {
                    Some((Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof)), None))
                }
                Ok((mut sending, Ok(buf))) => {
                    sending.left = sending.left.saturating_sub(buf.len() as u64);
                    // After the last bytes, `sending` drops (which removes the file) before they go out.
                    let more = (sending.left > 0).then_some(sending);
                    Some((Ok(buf), more))
                }
                Ok((_, Err(e))) => Some((Err(e), None)),
                Err(e) => Some((Err(std::io::Error::other(e)), None)),
            }
        },
    );
    (
        [
            (header::CONTENT_TYPE, "application/vnd.sqlite3".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", copy.file_name)),
            (header::CONTENT_LENGTH, length.to_string()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}
