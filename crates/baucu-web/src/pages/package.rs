//! The result package for the superior committee (issue 13): the unit code the superior gave, the
//! fingerprint of the node's signing key (the key itself is never shown), the exports so far, and
//! "Tải gói kết quả" — the signed `.baucu` file, the same bytes as `baucu package export` writes —
//! and "Gửi lên cấp trên": the file POSTed to the aggregator's `<URL>/api/packages` (hyper's client;
//! over HTTPS only to the certificate whose SHA-256 fingerprint the user typed, as the aggregator's
//! own self-made certificate is checked on a LAN), with a timeout and a bound on the answer, and the
//! aggregator's verdict shown to the user and written in the audit log.

use super::{Notice, app_error, back, csrf, layout};
use crate::AppState;
use crate::counting::file_response;
use crate::guard::Current;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use baucu_app::package::{UNIT_CODE_LABEL, parse_unit_code};
use maud::html;
use serde::Deserialize;

const CONTENT_TYPE: &str = "application/octet-stream";

pub async fn package_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(notice): Query<Notice>,
) -> Response {
    let actor = &current.session.actor;
    let s = match state.app.package_state(actor).await {
        Ok(s) => s,
        Err(e) => return app_error(e),
    };
    let content = html! {
        p {
            "Sau khi đại hội kết thúc, gửi cấp ủy cấp trên một " strong { "gói kết quả" }
            ": một tệp " code { ".baucu" } " có kết quả từng lần bầu, số làm căn cứ của từng hội nghị, người trúng cử "
            "và bản tóm tắt PDF, ký bằng khóa riêng của máy này. Cấp trên kiểm tra chữ ký bằng dấu vân tay của khóa "
            "(in trong " a href="/documents/files/bao-cao-ket-qua.pdf" { "báo cáo kết quả đại hội gửi cấp trên" } ")."
        }
        h2 { "Dấu vân tay khóa ký" }
        @match &s.fingerprint {
            Some(fp) => p { code data-fingerprint { (fp) } },
            None => p { "Máy chưa có khóa ký: khởi động lại máy chủ để tạo khóa." },
        }
        h2 { (UNIT_CODE_LABEL) }
        form.card method="post" action="/package/unit-code" {
            (csrf(&current))
            label {
                (UNIT_CODE_LABEL) " (do cấp trên cấp, ví dụ 01.001.0001) "
                input name="unit_code" value=(s.unit_code.clone().unwrap_or_default()) required maxlength="32"
                    pattern="[A-Za-z0-9._\\-]{1,32}";
            }
            button type="submit" { "Lưu mã đơn vị" }
        }
        h2 { "Xuất gói kết quả" }
        p.small {
            "Nội dung không đổi thì tải lại đúng tệp đã xuất; nếu một lần bầu được mở lại rồi kết thúc lại, hay có thêm "
            "lần bầu, gói mới là phiên bản tiếp theo và thay thế phiên bản trước."
        }
        form method="post" action="/package/export" {
            (csrf(&current))
            button type="submit" { "Xuất gói kết quả" }
        }
        h2 { "Các phiên bản đã xuất" }
        @if s.exports.is_empty() {
            p { "Chưa xuất gói kết quả nào." }
        } @else {
            table.list {
                thead { tr { th { "Phiên bản" } th { "Mã đơn vị" } th { "Lúc xuất (UTC)" } th { "Người xuất" } th { "Mã băm SHA-256" } th { "Tải về" } } }
                tbody { @for x in &s.exports {
                    tr {
                        td.num { (x.version) }
                        td { (x.unit_code) }
                        td { (x.exported_at) }
                        td { (x.exported_by) }
                        td { code.small { (x.sha256) } }
                        td { a href=(format!("/package/files/{}", x.version)) download=(x.file_name()) { "Tải gói kết quả" } }
                    }
                } }
            }
        }
        @if let Some(latest) = s.exports.first() {
            h2 { "Gửi lên cấp trên" }
            p.small {
                "Khi máy này nối mạng được tới máy tổng hợp của cấp ủy cấp trên: gửi gói phiên bản " (latest.version)
                ". Với địa chỉ https, nhập dấu vân tay SHA-256 chứng chỉ của máy tổng hợp (cấp trên thông báo) để chắc chắn gửi đúng máy."
            }
            form.card method="post" action="/package/send" {
                (csrf(&current))
                input type="hidden" name="version" value=(latest.version);
                label { "Địa chỉ máy tổng hợp " input name="url" required maxlength="300" placeholder="https://192.168.1.10:8443"; }
                label { "Dấu vân tay chứng chỉ (https) " input name="certificate" maxlength="120" placeholder="AB:CD:…"; }
                button type="submit" { "Gửi lên cấp trên" }
            }
        }
        p.small { "Kiểm tra một tệp gói trên máy khác: " code { "baucu package verify TỆP --fingerprint DẤU-VÂN-TAY" } "." }
    };
    layout("Gói kết quả gửi cấp trên", Some(&current), "/package", &notice, content).into_response()
}

#[derive(Debug, Deserialize)]
pub struct UnitCodeForm {
    unit_code: String,
}

pub async fn package_unit_code(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(form): Form<UnitCodeForm>,
) -> Response {
    let result = match parse_unit_code(&form.unit_code) {
        Ok(code) => state
            .app
            .set_unit_code(&current.session.actor, &code)
            .await
            .map(|c| format!("Đã lưu mã đơn vị {c}.")),
        Err(e) => Err(e),
    };
    back("/package", result)
}

pub async fn package_export(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
) -> Response {
    let result = state.app.export_package(&current.session.actor).await.map(|x| {
        if x.unchanged {
            format!(
                "Nội dung không đổi: gói phiên bản {} đã xuất trước đây vẫn là gói hiện hành.",
                x.info.version
            )
        } else {
            format!("Đã xuất gói kết quả phiên bản {} (mã băm {}).", x.info.version, x.info.sha256)
        }
    });
    back("/package", result)
}

pub async fn package_file(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(version): Path<u32>,
) -> Response {
    match state.app.package_file(&current.session.actor, version).await {
        Ok((info, bytes)) => file_response(CONTENT_TYPE, &info.file_name(), bytes),
        Err(e) => app_error(e),
    }
}

/// How long a send may take, from the connection to the whole answer.
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// The longest answer read from the aggregator.
const MAX_ANSWER: usize = 64 * 1024;
/// The longest address accepted.
const MAX_URL: usize = 300;

#[derive(Debug, Deserialize)]
pub struct SendForm {
    version: u32,
    url: String,
    #[serde(default)]
    certificate: String,
}

/// Where to send: the aggregator's address as typed, checked once.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    https: bool,
    host: String,
    port: u16,
    /// `host[:port]` as the `Host` header says it.
    authority: String,
    /// The path of `/api/packages` under the address's own path.
    path: String,
}

fn parse_target(url: &str) -> Result<Target, String> {
    let url = url.trim();
    let refuse = || {
        format!(
            "Địa chỉ máy tổng hợp \"{}\" không đúng: ghi dạng http://MÁY:CỔNG hoặc https://MÁY:CỔNG (không có dấu ?, # hay tên đăng nhập).",
            url.chars().take(80).collect::<String>()
        )
    };
    if url.is_empty() || url.len() > MAX_URL {
        return Err(refuse());
    }
    let uri: axum::http::Uri = url.parse().map_err(|_| refuse())?;
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err(refuse()),
    };
    let authority = uri.authority().ok_or_else(refuse)?;
    if authority.as_str().contains('@') || uri.query().is_some() || url.contains('#') {
        return Err(refuse());
    }
    let host = authority.host().trim_start_matches('[').trim_end_matches(']').to_owned();
    if host.is_empty() {
        return Err(refuse());
    }
    let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
    let path = format!("{}/api/packages", uri.path().trim_end_matches('/'));
    Ok(Target { https, host, port, authority: authority.as_str().to_owned(), path })
}

/// A certificate fingerprint as typed (64 hex digits, with or without colons or spaces), in the form
/// [`crate::tls::fingerprint`] writes.
fn parse_certificate_pin(text: &str) -> Option<String> {
    let digits: String =
        text.chars().filter(|c| !matches!(c, ':' | ' ' | '-')).collect::<String>().to_uppercase();
    if digits.len() != 64 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    Some((0..32).map(|i| &digits[i * 2..i * 2 + 2]).collect::<Vec<_>>().join(":"))
}

/// Trusts exactly one certificate, named by its SHA-256 fingerprint; signatures are checked as usual.
#[derive(Debug)]
struct Pinned {
    fingerprint: String,
    algorithms: rustls::crypto::WebPkiSupportedAlgorithms,
}

impl rustls::client::danger::ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if crate::tls::fingerprint(end_entity.as_ref()) == self.fingerprint {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::ApplicationVerificationFailure))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// One request on one connection: the status and the answer's bytes (at most [`MAX_ANSWER`]).
async fn exchange<I>(io: I, request: axum::http::Request<axum::body::Body>) -> Result<(u16, Vec<u8>), String>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| format!("không bắt tay HTTP được với máy tổng hợp ({e})"))?;
    let driver = tokio::spawn(connection);
    let answer = sender.send_request(request).await.map_err(|e| format!("máy tổng hợp không trả lời ({e})"));
    let result = match answer {
        Ok(response) => {
            let status = response.status().as_u16();
            axum::body::to_bytes(axum::body::Body::new(response.into_body()), MAX_ANSWER)
                .await
                .map(|b| (status, b.to_vec()))
                .map_err(|_| "câu trả lời của máy tổng hợp quá dài hoặc bị ngắt".to_owned())
        }
        Err(e) => Err(e),
    };
    driver.abort();
    result
}

async fn post_package(target: &Target, pin: Option<String>, file: Vec<u8>) -> Result<(u16, Vec<u8>), String> {
    let request = axum::http::Request::post(target.path.as_str())
        .header(axum::http::header::HOST, target.authority.as_str())
        .header(axum::http::header::CONTENT_TYPE, CONTENT_TYPE)
        .header(axum::http::header::CONTENT_LENGTH, file.len())
        .body(axum::body::Body::from(file))
        .map_err(|e| format!("không lập được yêu cầu gửi ({e})"))?;
    let tcp = tokio::net::TcpStream::connect((target.host.as_str(), target.port))
        .await
        .map_err(|e| format!("không kết nối được tới {}:{} ({e})", target.host, target.port))?;
    if !target.https {
        return exchange(hyper_util::rt::TokioIo::new(tcp), request).await;
    }
    let fingerprint = pin.ok_or_else(|| {
        "Gửi qua https cần dấu vân tay SHA-256 chứng chỉ của máy tổng hợp (64 chữ số hex).".to_owned()
    })?;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let algorithms = provider.signature_verification_algorithms;
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("không lập được kết nối bảo mật ({e})"))?
        .dangerous()
        .with_custom_certificate_verifier(std::sync::Arc::new(Pinned { fingerprint, algorithms }))
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from(target.host.clone())
        .map_err(|_| format!("tên máy \"{}\" không dùng được cho https", target.host))?;
    let tls = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| {
            format!(
                "kết nối bảo mật bị từ chối: chứng chỉ không khớp dấu vân tay, hoặc máy không nói https ({e})"
            )
        })?;
    exchange(hyper_util::rt::TokioIo::new(tls), request).await
}

/// The aggregator's answer as the user reads it: `{"verdict": code, "message": text}`.
fn answer_text(status: u16, body: &[u8]) -> Result<String, String> {
    let json: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| format!("máy tổng hợp trả lời không đúng dạng (mã HTTP {status})"))?;
    match (json["verdict"].as_str(), json["message"].as_str()) {
        (Some(verdict), Some(message)) => {
            let short: String = message.chars().take(500).collect();
            Ok(format!("{short} ({verdict})"))
        }
        _ => Err(format!("máy tổng hợp trả lời không đúng dạng (mã HTTP {status})")),
    }
}

pub async fn package_send(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(form): Form<SendForm>,
) -> Response {
    let actor = &current.session.actor;
    let target = match parse_target(&form.url) {
        Ok(t) => t,
        Err(message) => return back("/package", Err(baucu_app::AppError::invalid("url", message))),
    };
    let pin = match form.certificate.trim() {
        "" => None,
        typed => match parse_certificate_pin(typed) {
            Some(p) => Some(p),
            None => {
                return back(
                    "/package",
                    Err(baucu_app::AppError::invalid(
                        "certificate",
                        "Dấu vân tay chứng chỉ phải có 64 chữ số hex (có thể ngăn bằng dấu hai chấm).",
                    )),
                );
            }
        },
    };
    let (info, file) = match state.app.package_file(actor, form.version).await {
        Ok(x) => x,
        Err(e) => return back("/package", Err(e)),
    };
    let sent = tokio::time::timeout(SEND_TIMEOUT, post_package(&target, pin, file))
        .await
        .unwrap_or_else(|_| Err(format!("máy tổng hợp không trả lời trong {} giây", SEND_TIMEOUT.as_secs())));
    let (ok, answer) = match sent.and_then(|(status, body)| answer_text(status, &body).map(|a| (status, a))) {
        Ok((status, answer)) => ((200..300).contains(&status), answer),
        Err(problem) => (false, problem),
    };
    let url = form.url.trim().chars().take(MAX_URL).collect::<String>();
    if let Err(e) = state.app.record_package_sent(actor, info.version, &url, &answer).await {
        return back("/package", Err(e));
    }
    let text = format!("Gửi gói phiên bản {} lên cấp trên: {answer}", info.version);
    back("/package", if ok { Ok(text) } else { Err(baucu_app::AppError::Conflict(text)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregator_addresses_are_checked() {
        let t = parse_target(" https://192.168.1.10:8443/tinh ").expect("valid");
        assert_eq!(
            (t.https, t.host.as_str(), t.port, t.path.as_str()),
            (true, "192.168.1.10", 8443, "/tinh/api/packages")
        );
        let t = parse_target("http://tonghop.local").expect("valid");
        assert_eq!((t.https, t.port, t.path.as_str()), (false, 80, "/api/packages"));
        for bad in ["", "ftp://x", "tonghop", "https://u:p@x/", "http://x/?a=1", "http://x/#a"] {
            assert!(parse_target(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn certificate_pins_are_read_as_browsers_show_them() {
        let pin = parse_certificate_pin(&"ab".repeat(32)).expect("valid");
        assert_eq!(pin, vec!["AB"; 32].join(":"));
        assert_eq!(pin.len(), crate::tls::fingerprint(b"x").len());
        assert_eq!(parse_certificate_pin(&pin.to_lowercase()), Some(pin));
        assert!(parse_certificate_pin("AB:CD").is_none());
    }
}
