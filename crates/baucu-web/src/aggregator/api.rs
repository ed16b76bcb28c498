//! `POST /api/packages`: a congress node's "Gửi lên cấp trên" posts its signed result package here.
//! There is no login: the signature and the registry of node keys are the proof of who sent it. The
//! body is bounded (one package), the rate per client address is limited, and the answer is JSON
//! `{"verdict": code, "message": text}` — 200 when imported or already held, 422 when refused.

use super::{AggState, blocking};
use axum::Extension;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use baucu_aggregator::accounts::{Actor, Role};
use baucu_aggregator::import;
use serde_json::json;
use std::net::SocketAddr;
use std::time::Instant;

fn answer(status: StatusCode, verdict: &str, message: &str) -> Response {
    (status, axum::Json(json!({ "verdict": verdict, "message": message }))).into_response()
}

pub async fn package_post(
    State(state): State<AggState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let from = crate::guard::source_address(connect);
    if let Err(wait) = state.throttle.take(from, Instant::now()) {
        let mut response = answer(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            &format!(
                "Gửi quá nhiều gói trong thời gian ngắn; hãy thử lại sau {} giây.",
                wait.as_secs().max(1)
            ),
        );
        if let Ok(v) = wait.as_secs().max(1).to_string().parse() {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return response;
    }
    let too_large = || {
        answer(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            &format!(
                "Tệp lớn quá {} MB: không phải một gói kết quả đại hội.",
                super::upload::MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
    };
    // A body announced larger than one package is refused before a byte of it is read.
    let announced = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if announced.is_some_and(|n| n > super::upload::MAX_FILE_BYTES as u64) {
        return too_large();
    }
    let bytes = match axum::body::to_bytes(body, super::upload::MAX_FILE_BYTES).await {
        Ok(b) => b,
        Err(_) if announced.is_none() => return too_large(),
        Err(_) => return answer(StatusCode::BAD_REQUEST, "malformed", "Không đọc được tệp gửi lên."),
    };
    let db = state.db.clone();
    // The sender is not signed in: the package's signature and the registry of node keys decide
    // which unit it may be for. The audit log and the package record name the address it came from.
    let actor =
        Actor {
            username: format!("gửi qua mạng từ {from}"), role: Role::Staff, area: None, area_path: None
        };
    let file = (String::from("gói gửi qua mạng"), bytes.to_vec());
    let verdicts = blocking(move || Ok(import::import_files(&db, &actor, vec![file]))).await;
    match verdicts.as_deref() {
        Ok([v]) => {
            let status = if v.accepted() {
                StatusCode::OK
            } else if v.code == "storage_error" {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            answer(status, v.code, &v.message)
        }
        Ok(_) => answer(StatusCode::INTERNAL_SERVER_ERROR, "storage_error", "Lỗi khi nhận gói; hãy gửi lại."),
        Err(e) => answer(StatusCode::INTERNAL_SERVER_ERROR, e.code(), &e.message()),
    }
}
