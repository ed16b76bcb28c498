//! Shared by the process-level tests: start the real `baucu serve` on port 0 and talk HTTP to it.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The demo accounts' password (`baucu serve --demo`).
pub const DEMO_PASSWORD: &str = "demo-baucu";

pub struct Server {
    pub child: Child,
    pub addr: String,
    /// The administrator's one-time password, printed on the first start only.
    pub admin_password: Option<String>,
}

impl Server {
    /// SIGKILL: no chance to flush or close anything.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(data: &Path, demo: bool) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baucu"));
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data"]).arg(data);
    if demo {
        cmd.arg("--demo");
    }
    let mut child = cmd.env("RUST_LOG", "warn").stdout(Stdio::piped()).spawn().expect("start baucu serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut admin_password = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("stdout line");
        if let Some(rest) = line.split("mật khẩu một lần \"").nth(1) {
            admin_password = rest.split('"').next().map(str::to_owned);
        }
        if let Some(addr) = line.trim().strip_prefix("http://") {
            return Server { child, addr: addr.trim_end_matches('/').to_owned(), admin_password };
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("baucu serve did not print its address");
}

/// One HTTP/1.1 exchange on a fresh connection: (status, set-cookie, body).
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, Option<String>, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr)?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "no header end"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned());
    Ok((status, cookie, raw[split + 4..].to_vec()))
}

#[derive(Clone, Debug)]
pub struct Client {
    pub addr: String,
    pub cookie: String,
    pub csrf: String,
}

impl Client {
    pub fn login(addr: &str, user: &str, password: &str) -> Self {
        let body = serde_json::json!({ "username": user, "password": password }).to_string();
        let (status, cookie, reply) =
            http(addr, "POST", "/api/login", &[("Content-Type", "application/json")], body.as_bytes())
                .expect("login");
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));
        let v: Value = serde_json::from_slice(&reply).expect("json");
        Client {
            addr: addr.to_owned(),
            cookie: cookie.expect("cookie"),
            csrf: v["csrf_token"].as_str().expect("csrf").to_owned(),
        }
    }

    pub fn try_call(&self, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<(u16, Value)> {
        let payload = body.map(|b| b.to_string()).unwrap_or_default();
        let headers = [
            ("Cookie", self.cookie.as_str()),
            ("x-csrf-token", self.csrf.as_str()),
            ("Content-Type", "application/json"),
        ];
        let (status, _, reply) = http(&self.addr, method, path, &headers, payload.as_bytes())?;
        Ok((status, serde_json::from_slice(&reply).unwrap_or(Value::Null)))
    }

    /// A call that must succeed.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let (status, v) = self.try_call(method, path, body).expect("request");
        assert_eq!(status, 200, "{method} {path}: {v}");
        v
    }

    pub fn get(&self, path: &str) -> Value {
        self.call("GET", path, None)
    }

    pub fn post(&self, path: &str, body: Value) -> Value {
        self.call("POST", path, Some(&body))
    }

    pub fn post_bytes(&self, path: &str, content_type: &str, body: &[u8]) -> (u16, Value) {
        let headers = [
            ("Cookie", self.cookie.as_str()),
            ("x-csrf-token", self.csrf.as_str()),
            ("Content-Type", content_type),
        ];
        let (status, _, reply) = http(&self.addr, "POST", path, &headers, body).expect("request");
        (status, serde_json::from_slice(&reply).unwrap_or(Value::Null))
    }
}

/// The id of an account from a round's list of operators ("Họ tên (username)").
pub fn operator_id(round: &Value, username: &str) -> i64 {
    round["operators"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o[1].as_str().is_some_and(|n| n.ends_with(&format!("({username})"))))
        .and_then(|o| o[0].as_i64())
        .unwrap_or_else(|| panic!("no operator {username} in {}", round["operators"]))
}
