//! The node on the office's Windows laptop (issue 14), smoke-tested under Wine: the real
//! `baucu.exe` cross-compiled by `scripts/test` (`BAUCU_WINDOWS_EXE`), in folders whose paths have
//! Vietnamese letters and spaces.
//!
//! * `windows_double_click_start_under_wine`: started as a double-click starts it (`baucu.exe start`,
//!   without the browser), the exe keeps its data beside itself, serves HTTPS on 8080 or the next free
//!   port, prints in Vietnamese the addresses, a QR code, the certificate's fingerprint (the one it
//!   serves) and how to stop; a second start on the same folder says the node is already running.
//! * `windows_node_counts_a_round_under_wine`: accounts made with `baucu.exe user add`; through the
//!   HTTP API the congress, roster, attendance, a round keyed twice and closed; the minutes PDF
//!   downloaded and read back; stopped with Ctrl+C, restarted with the result intact, and
//!   `baucu.exe audit verify` says intact; `baucu.exe backup` to a folder with Vietnamese letters,
//!   `baucu.exe restore` into another, verified there.
//!
//! Without `BAUCU_WINDOWS_EXE` the tests say so and skip, unless `BAUCU_WINDOWS_TESTS=required`
//! (as `scripts/test` sets), when they fail instead.

mod support;

use serde_json::json;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;
use support::{Client, SMALL_CANDIDATES, SMALL_PASSWORD, Server, small_congress_by, start_command};

/// One Wine prefix for both tests, used one test at a time (its first use creates it).
static WINE: Mutex<()> = Mutex::new(());

fn exe() -> Option<PathBuf> {
    match std::env::var_os("BAUCU_WINDOWS_EXE") {
        Some(path) => Some(PathBuf::from(path)),
        None if std::env::var("BAUCU_WINDOWS_TESTS").as_deref() == Ok("required") => {
            panic!("BAUCU_WINDOWS_EXE is not set: scripts/test builds baucu.exe and sets it")
        }
        None => {
            eprintln!("skipped: BAUCU_WINDOWS_EXE not set (scripts/test builds the Windows exe and sets it)");
            None
        }
    }
}

fn prefix() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("wine-prefix")
}

/// Makes the Wine prefix once, with the one DLL of Windows 10 that Wine 8 lacks and Rust's standard
/// library needs (`packaging/wine/bcryptprimitives.c`: `ProcessPrng` over `RtlGenRandom`), built
/// here with mingw-w64. Called with [`WINE`] held.
fn ensure_prefix() {
    let system32 = prefix().join("drive_c/windows/system32");
    let shim = system32.join("bcryptprimitives.dll");
    if shim.exists() {
        return;
    }
    let boot = Command::new("wine")
        .args(["wineboot", "--init"])
        .env("WINEPREFIX", prefix())
        .env("WINEDEBUG", "-all")
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
        .output()
        .expect("wineboot");
    assert!(system32.is_dir(), "wineboot made no prefix: {}", String::from_utf8_lossy(&boot.stderr));
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packaging/wine/bcryptprimitives.c");
    let built = Command::new("x86_64-w64-mingw32-gcc")
        .args(["-shared", "-O2", "-o"])
        .arg(&shim)
        .arg(&source)
        .arg("-ladvapi32")
        .output()
        .expect("x86_64-w64-mingw32-gcc (mingw-w64)");
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
}

/// The exe copied into `folder` (created), run by Wine.
fn installed(exe: &Path, folder: &Path) -> PathBuf {
    std::fs::create_dir_all(folder).expect("folder");
    let target = folder.join("baucu.exe");
    std::fs::copy(exe, &target).expect("copy exe");
    target
}

fn wine(exe: &Path) -> Command {
    let mut cmd = Command::new("wine");
    cmd.arg(exe)
        .env("WINEPREFIX", prefix())
        .env("WINEDEBUG", "-all")
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=");
    cmd
}

/// Stops a node as Ctrl+C in its window does; it must end by itself, successfully.
fn stop(mut server: Server) {
    let pid = server.child.id().to_string();
    let _ = Command::new("kill").args(["-INT", &pid]).status();
    let status = wait_exit(&mut server.child, "the node after Ctrl+C");
    assert!(status.success(), "the node stopped with {status}");
}

/// Waits for a process to end; a watchdog ends it after two minutes (Wine's first start creates its
/// prefix), and the test then fails.
fn wait_exit(child: &mut Child, what: &str) -> std::process::ExitStatus {
    let pid = child.id().to_string();
    let (done, watch) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        let expired = watch.recv_timeout(Duration::from_secs(120)).is_err();
        if expired {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
        }
        expired
    });
    let status = child.wait().expect("wait");
    let _ = done.send(());
    assert!(!watchdog.join().unwrap_or(true), "{what} did not end within two minutes");
    status
}

#[test]
fn windows_double_click_start_under_wine() {
    let Some(exe) = exe() else { return };
    let _one = WINE.lock().unwrap_or_else(|p| p.into_inner());
    ensure_prefix();
    let dir = tempfile::tempdir().expect("temp");
    let folder = dir.path().join("Máy chủ Đại hội Đảng bộ xã");
    let exe = installed(&exe, &folder);
    let mut child = wine(&exe)
        .args(["start", "--no-browser"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("wine");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut printed = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("line");
        let last = line.starts_with("Dừng máy chủ");
        printed.push(line);
        if last {
            break;
        }
    }
    support::drain(lines);
    let server = Server { child, addr: String::new(), admin_password: None };
    let text = printed.join("\n");
    let data = folder.join("baucu-du-lieu");
    assert!(data.join("baucu.sqlite").exists(), "the data is kept beside the exe:\n{text}");
    assert!(text.contains("Máy chủ Đại hội Đảng bộ xã\\baucu-du-lieu"), "{text}");
    assert!(text.contains("mật khẩu một lần"), "{text}");
    assert!(text.contains("Mã QR của địa chỉ") && text.contains('█'), "{text}");
    let url = printed
        .iter()
        .filter_map(|l| l.trim().strip_prefix("https://127.0.0.1:"))
        .next()
        .unwrap_or_else(|| panic!("no https address on 127.0.0.1:\n{text}"));
    let port: u16 = url.trim_end_matches('/').parse().expect("port");
    assert!((8080..=8090).contains(&port), "{text}");
    let fingerprint = printed
        .iter()
        .position(|l| l.starts_with("Dấu vân tay chứng chỉ"))
        .and_then(|i| printed.get(i + 1))
        .map(|l| l.trim().to_owned())
        .unwrap_or_else(|| panic!("no fingerprint:\n{text}"));
    let cert = data.join("tls").join("chung-chi.pem");
    let addr = format!("127.0.0.1:{port}");
    let (status, head, body) = support::https(
        &addr,
        &cert,
        &format!("GET /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(status, 200, "{head}");
    assert!(body.contains("Đăng nhập"), "{body}");
    let der = {
        use rustls::pki_types::pem::PemObject;
        rustls::pki_types::CertificateDer::from_pem_file(&cert).expect("cert")
    };
    use sha2::Digest;
    let served: Vec<String> = sha2::Sha256::digest(der.as_ref()).iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(fingerprint, served.join(":"), "the fingerprint printed is the certificate's");

    // A second double-click on the same folder says the node is running and changes nothing.
    let second = wine(&exe).args(["start", "--no-browser"]).current_dir(dir.path()).output().expect("wine");
    assert!(!second.status.success());
    let said =
        format!("{}{}", String::from_utf8_lossy(&second.stdout), String::from_utf8_lossy(&second.stderr));
    assert!(said.contains("đang chạy"), "{said}");
    stop(server);
}

#[test]
fn windows_node_counts_a_round_under_wine() {
    let Some(exe) = exe() else { return };
    let _one = WINE.lock().unwrap_or_else(|p| p.into_inner());
    ensure_prefix();
    let dir = tempfile::tempdir().expect("temp");
    let exe = installed(&exe, &dir.path().join("Chương trình bầu cử"));
    let data = dir.path().join("Dữ liệu Đại hội lần thứ X");
    let run = || wine(&exe);
    let (server, round, _stack, entries) =
        small_congress_by(&data, &SMALL_CANDIDATES, 6, &run, |data| start_command(run(), data, false));
    // Both entries key the same six ballots; the board closes the round.
    let ballots = ["x:1", "x:2,3", "x:", "x:6", "x:1,2,3,4,5,6", "x:4"];
    for (entry, user) in entries.iter().zip(["op1", "op2"]) {
        let op = Client::login(&server.addr, user, SMALL_PASSWORD);
        for (n, code) in ballots.iter().enumerate() {
            op.post(
                &format!("/api/entries/{entry}/ballots"),
                json!({ "code": code, "key": format!("{user}-{n}") }),
            );
        }
        op.post(&format!("/api/entries/{entry}/finish"), json!({}));
    }
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    let closed = head.get(&format!("/api/rounds/{round}"));
    let result = closed["round"]["result"].clone();
    assert!(result.is_object(), "{closed}");
    let (status, pdf) = head.download(&format!("/rounds/{round}/files/bien-ban.pdf"));
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF"), "the minutes are a PDF");
    let pdf_path = dir.path().join("bien-ban.pdf");
    std::fs::write(&pdf_path, &pdf).expect("write pdf");
    if let Ok(out) = Command::new("pdftotext").arg(&pdf_path).arg("-").output() {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Trần Thị Bình"), "the minutes name the candidates: {text}");
    }

    // Ctrl+C stops it cleanly; started again, the result is as it was.
    stop(server);
    let again = start_command(run(), &data, false);
    let head = Client::login(&again.addr, "head", SMALL_PASSWORD);
    assert_eq!(head.get(&format!("/api/rounds/{round}"))["round"]["result"], result);
    stop(again);
    let verified = ran(run().args(["audit", "verify", "--data"]).arg(&data), "audit verify");
    assert!(verified.contains("toàn vẹn"), "{verified}");

    // A backup to a folder with Vietnamese letters (as a USB stick would be), restored into a new
    // data folder, verified there.
    let stick = dir.path().join("USB sao lưu");
    std::fs::create_dir_all(&stick).expect("stick");
    let copy = stick.join("sao lưu lần 1.sqlite");
    let backed = ran(run().args(["backup", "--data"]).arg(&data).arg("--to").arg(&copy), "backup");
    assert!(copy.exists(), "{backed}");
    let elsewhere = dir.path().join("Máy mới").join("baucu-du-lieu");
    ran(run().args(["restore", "--from"]).arg(&copy).arg("--data").arg(&elsewhere), "restore");
    let verified =
        ran(run().args(["audit", "verify", "--data"]).arg(&elsewhere), "audit verify of the restored copy");
    assert!(verified.contains("toàn vẹn"), "{verified}");
}

/// Runs a command of the exe to its end; what it printed, after checking it succeeded.
fn ran(cmd: &mut Command, what: &str) -> String {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("wine");
    let status = wait_exit(&mut child, what);
    let mut said = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().expect("stdout"), &mut said).expect("read");
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut said).expect("read");
    assert!(status.success(), "{what}: {said}");
    said
}
