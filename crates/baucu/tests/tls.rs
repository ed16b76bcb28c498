//! `baucu serve` speaks HTTPS by default (issue 10): it makes its own certificate in the data folder
//! at the first start and keeps it, prints the fingerprint that the board compares on each
//! workstation, sets every cookie `Secure`, and answers plain HTTP on its port with the HTTPS address.
//! A certificate the office was given is taken with `--tls-cert/--tls-key`.

mod support;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use support::{DEMO_PASSWORD, Server, https, split_reply as split};

/// A node started as the hall runs it, with what it printed.
struct Secured {
    server: Server,
    fingerprint: String,
    printed: Vec<String>,
}

fn start_secured(data: &Path, extra: &[&str]) -> Secured {
    let mut child = Command::new(env!("CARGO_BIN_EXE_baucu"))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start");
    let stdout = child.stdout.take().expect("stdout");
    let mut printed = Vec::new();
    let mut fingerprint = None;
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.expect("line");
        printed.push(line.clone());
        if printed.len() >= 2 && printed[printed.len() - 2].starts_with("Dấu vân tay chứng chỉ") {
            fingerprint = Some(line.trim().to_owned());
        }
        if line.starts_with("Dừng máy chủ") {
            break;
        }
    }
    support::drain(lines);
    let addr = printed
        .iter()
        .find_map(|l| l.trim().strip_prefix("https://"))
        .map(|a| a.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| panic!("no https address printed: {printed:?}"));
    let fingerprint = fingerprint.unwrap_or_else(|| panic!("no fingerprint printed: {printed:?}"));
    Secured { server: Server { child, addr, admin_password: None }, fingerprint, printed }
}

fn der_of(cert: &Path) -> CertificateDer<'static> {
    CertificateDer::pem_file_iter(cert).expect("cert").next().expect("one cert").expect("pem")
}

fn browser_fingerprint(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

fn login_request(addr: &str) -> String {
    let body = format!("{{\"username\":\"doanchutich\",\"password\":\"{DEMO_PASSWORD}\"}}");
    format!(
        "POST /api/login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn https_by_default_with_a_kept_certificate_and_secure_cookies() {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    let node = start_secured(&data, &[]);
    let cert = data.join("tls").join("chung-chi.pem");
    assert!(cert.exists(), "the certificate is kept in the data folder");
    assert_eq!(node.fingerprint, browser_fingerprint(der_of(&cert).as_ref()), "{:?}", node.printed);
    assert!(node.printed.iter().any(|l| l.contains("so dấu vân tay")), "{:?}", node.printed);

    // Signing in over HTTPS: the session cookie is Secure (and still HttpOnly, SameSite=Strict).
    let (status, head, body) = https(&node.server.addr, &cert, &login_request(&node.server.addr));
    assert_eq!(status, 200, "{head}\n{body}");
    let cookie = head.lines().find(|l| l.to_ascii_lowercase().starts_with("set-cookie:")).expect("cookie");
    for attribute in ["Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }

    // A clerk typing the address without https:// is sent to the HTTPS address, path kept.
    let mut plain = TcpStream::connect(&node.server.addr).expect("connect");
    write!(plain, "GET /results?x=1 HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", node.server.addr)
        .expect("write");
    let mut raw = Vec::new();
    plain.read_to_end(&mut raw).expect("read");
    let (status, head, body) = split(&raw);
    assert_eq!(status, 307, "{head}");
    assert!(head.contains(&format!("location: https://{}/results?x=1", node.server.addr)), "{head}");
    assert!(body.contains("kết nối mã hóa"), "{body}");

    // A Host header that is not a plain host name does not go into the redirect.
    let mut plain = TcpStream::connect(&node.server.addr).expect("connect");
    plain
        .write_all(b"GET //evil.example/x HTTP/1.1\r\nHost: evil.example/path\r\nConnection: close\r\n\r\n")
        .expect("w");
    let mut raw = Vec::new();
    plain.read_to_end(&mut raw).expect("read");
    let (status, head, _) = split(&raw);
    assert_eq!(status, 307, "{head}");
    let home = format!("location: https://{}/", node.server.addr);
    assert!(head.lines().any(|l| l == home), "{head}");

    // The same certificate the next night: the fingerprint the board wrote down still holds.
    let first = node.fingerprint.clone();
    drop(node);
    let again = start_secured(&data, &[]);
    assert_eq!(again.fingerprint, first);
    assert!(!again.printed.iter().any(|l| l.starts_with("Đã tạo chứng chỉ")), "{:?}", again.printed);
}

#[test]
fn a_given_certificate_is_served_and_plain_http_needs_the_flag() {
    let dir = tempfile::tempdir().expect("temp");
    // A certificate made elsewhere (here: by another node) and given to this one.
    let other = dir.path().join("other");
    drop(start_secured(&other, &[]));
    let (cert, key) = (other.join("tls").join("chung-chi.pem"), other.join("tls").join("khoa-rieng.pem"));
    let data = dir.path().join("data");
    let node = start_secured(
        &data,
        &["--tls-cert", cert.to_str().expect("path"), "--tls-key", key.to_str().expect("path")],
    );
    assert_eq!(node.fingerprint, browser_fingerprint(der_of(&cert).as_ref()));
    assert!(!data.join("tls").exists(), "no certificate of its own is made when one is given");
    let (status, head, _) = https(&node.server.addr, &cert, &login_request(&node.server.addr));
    assert_eq!(status, 200, "{head}");

    // Plain HTTP only with the explicit flag, and it says so.
    let out = Command::new(env!("CARGO_BIN_EXE_baucu"))
        .args(["serve", "--insecure-http", "--tls-cert", "a.pem", "--tls-key", "b.pem"])
        .output()
        .expect("run");
    assert!(!out.status.success(), "--insecure-http with a certificate is refused");
    let plain = support::start(&dir.path().join("plain"), false);
    let (status, cookie, _) = support::http(
        &plain.addr,
        "POST",
        "/api/login",
        &[("Content-Type", "application/json")],
        br#"{"username":"nobody","password":"wrong password"}"#,
    )
    .expect("plain http");
    assert_ne!(status, 0);
    assert!(cookie.is_none_or(|c| !c.contains("Secure")));
}
