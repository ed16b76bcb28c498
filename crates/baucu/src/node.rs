//! The commands that work on a node's data directory: serve, user add, audit verify (backup and
//! restore: `crate::backup`).

use baucu_app::baucu_store::Store;
use baucu_app::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD};
use baucu_app::{App, Role, SystemClock};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

pub const DATABASE_FILE: &str = "baucu.sqlite";

/// Runs an async command on a runtime and turns its outcome into an exit status.
pub fn run(command: impl std::future::Future<Output = Result<ExitCode, String>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("baucu: không khởi động được: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("baucu: {message}");
            ExitCode::FAILURE
        }
    }
}

pub(crate) fn open(data: &Path) -> Result<App, String> {
    std::fs::create_dir_all(data)
        .map_err(|e| format!("không tạo được thư mục dữ liệu {}: {e}", data.display()))?;
    let store = Store::open(&data.join(DATABASE_FILE))
        .map_err(|e| format!("không mở được cơ sở dữ liệu trong {}: {e}", data.display()))?;
    Ok(App::new(store, Arc::new(SystemClock)))
}

/// The node's log on its console: `info` for `baucu serve`, only warnings and errors in the window of
/// a double-click start (the clerk reads the Vietnamese lines); `RUST_LOG` overrides. Colours only
/// on a terminal that shows them (the Windows console of Windows 10 prints their codes as text).
pub(crate) fn init_logs(default: &str) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let ansi = !cfg!(windows) && std::io::stdout().is_terminal();
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_ansi(ansi).try_init();
}

/// The node's IPv4 addresses on the LAN, or the one it listens on when that is not "every address".
pub(crate) fn lan_addresses(listen: SocketAddr) -> Vec<std::net::IpAddr> {
    if !listen.ip().is_unspecified() {
        return vec![listen.ip()];
    }
    let mut ips: Vec<std::net::IpAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.ip())
        .filter(|ip| ip.is_ipv4())
        .collect();
    ips.sort();
    ips.dedup();
    ips
}

/// How the node talks to the hall's browsers.
#[derive(Debug, Clone)]
pub enum Transport {
    /// HTTPS with the certificate the node made for itself (kept in the data folder).
    OwnCertificate,
    /// HTTPS with a certificate the office was given.
    GivenCertificate { cert: PathBuf, key: PathBuf },
    /// Plain HTTP (`--insecure-http`): for trying the node out on one machine.
    PlainHttp,
}

/// How `baucu serve` (or a double-click) runs the node.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub data: PathBuf,
    pub listen: SocketAddr,
    /// When the port is taken, try the next ones ([`NEXT_PORTS`]): a double-click start has no
    /// `--listen` to change.
    pub try_next_ports: bool,
    pub demo: bool,
    pub transport: Transport,
    pub automatic: crate::backup::Automatic,
    /// Open the default browser on the node's own page once it serves.
    pub open_browser: bool,
    /// The time zone of the times people read (journal, audit log).
    pub zone: baucu_app::journal::LocalZone,
}

/// How many ports after the first a double-click start tries.
const NEXT_PORTS: u16 = 10;

pub(crate) async fn bind_to(
    listen: SocketAddr,
    try_next_ports: bool,
) -> Result<tokio::net::TcpListener, String> {
    let tries = if try_next_ports { NEXT_PORTS } else { 0 };
    let mut last = None;
    for step in 0..=tries {
        let Some(port) = listen.port().checked_add(step) else { break };
        let at = SocketAddr::new(listen.ip(), port);
        match tokio::net::TcpListener::bind(at).await {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(format!("không lắng nghe được ở {at}: {e}")),
        }
    }
    Err(last.unwrap_or_else(|| format!("không lắng nghe được ở {listen}")))
}

pub async fn serve(config: ServeConfig) -> Result<ExitCode, String> {
    init_logs(if config.try_next_ports { "warn" } else { "info" });
    let data = config.data.clone();
    // The data folder is this node's alone while it serves (restore and a second serve refuse).
    let _lock = crate::backup::lock_folder(&data, crate::backup::Holder::Serve)?;
    let app = open(&data)?.with_zone(config.zone.clone());
    crate::backup::start_automatic(&app, config.automatic);
    if let Some(password) = app.ensure_admin().await.map_err(|e| e.message())? {
        println!("Đã tạo tài khoản quản trị: tên đăng nhập \"admin\", mật khẩu một lần \"{password}\".");
        println!("Hãy đăng nhập và tạo tài khoản cho từng người; ghi lại mật khẩu này ở nơi an toàn.");
    }
    // The key that signs the result package, made once on a new data folder.
    app.ensure_node_key().await.map_err(|e| e.message())?;
    let recorded = app.record_earlier_results().await.map_err(|e| e.message())?;
    if recorded > 0 {
        println!(
            "Đã ghi bản kết quả cho {recorded} lần bầu kết thúc ở phiên bản trước (tính lại từ các phiếu đã lưu)."
        );
    }
    if config.demo && app.seed_demo().await.map_err(|e| e.message())? {
        for (username, name, role) in DEMO_ACCOUNTS {
            app.add_user_from_cli(username, name, role, DEMO_PASSWORD).await.map_err(|e| e.message())?;
        }
        println!(
            "Đã tạo đại hội mẫu (150 đảng viên, đã điểm danh, danh sách bầu ban chấp hành đã thông qua)."
        );
        println!(
            "Tài khoản mẫu (mật khẩu \"{DEMO_PASSWORD}\"): bantochuc (ban tổ chức), doanchutich (đoàn chủ tịch), kiemphieu (trưởng ban kiểm phiếu), nhapphieu1 đến nhapphieu4 (nhập phiếu)."
        );
    }
    let listener = bind_to(config.listen, config.try_next_ports).await?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    let addresses = lan_addresses(bound);
    let tls = match &config.transport {
        Transport::PlainHttp => None,
        Transport::OwnCertificate => {
            let names: Vec<String> = addresses.iter().map(ToString::to_string).collect();
            Some(baucu_web::tls::load_or_create(&data, &names)?)
        }
        Transport::GivenCertificate { cert, key } => Some(baucu_web::tls::load(cert, key)?),
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("Thư mục dữ liệu: {}", data.display());
    println!("baucu đang chạy. Trên các máy trong hội trường, mở trình duyệt tới:");
    let urls: Vec<String> =
        addresses.iter().map(|ip| format!("{scheme}://{}/", SocketAddr::new(*ip, bound.port()))).collect();
    for url in &urls {
        println!("  {url}");
    }
    // A phone or tablet reads the first address on the LAN from the screen.
    if config.try_next_ports
        && let Some(lan) = addresses.iter().position(|ip| !ip.is_loopback()).map(|i| &urls[i])
        && let Some(code) = qr_text(lan)
    {
        println!("Mã QR của địa chỉ {lan}:");
        println!("{code}");
    }
    match &tls {
        Some(identity) => {
            if identity.created {
                println!("Đã tạo chứng chỉ mã hóa cho máy chủ: {}", identity.cert_path.display());
            }
            println!("Dấu vân tay chứng chỉ (SHA-256) của máy chủ:");
            println!("  {}", identity.fingerprint);
            println!(
                "Trình duyệt sẽ báo chứng chỉ tự ký: trên mỗi máy, trước khi đăng nhập, xem chứng chỉ và so dấu vân tay với dòng trên; khớp mới bấm tiếp tục."
            );
        }
        None => println!(
            "CHÚ Ý: đang phục vụ HTTP không mã hóa (--insecure-http): mật khẩu đi qua mạng ở dạng rõ. Chỉ dùng để thử trên một máy."
        ),
    }
    println!(
        "Dừng máy chủ: bấm Ctrl+C hoặc đóng cửa sổ này. Mọi phiếu đã ghi đều đã lưu vào đĩa, không mất khi dừng."
    );
    tracing::info!(%bound, data = %data.display(), "serving");
    if config.open_browser {
        open_browser(&format!("{scheme}://localhost:{}/login", bound.port()));
    }
    let shutdown = async {
        stop_requested().await;
        tracing::info!("stopping");
    };
    let options = baucu_web::ServeOptions {
        tls: tls.map(|identity| identity.config),
        limits: baucu_web::Limits::for_this_process(),
    };
    baucu_web::serve(listener, app.clone(), options, shutdown).await.map_err(|e| e.to_string())?;
    app.store().close();
    println!("Đã dừng máy chủ.");
    Ok(ExitCode::SUCCESS)
}

/// Ctrl+C; on Windows also the console window being closed, the user logging off or the machine
/// shutting down (Windows then allows a few seconds); on Unix also SIGTERM.
pub(crate) async fn stop_requested() {
    #[cfg(windows)]
    {
        use tokio::signal::windows;
        match (windows::ctrl_close(), windows::ctrl_logoff(), windows::ctrl_shutdown()) {
            (Ok(mut close), Ok(mut logoff), Ok(mut shutdown)) => tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = close.recv() => {}
                _ = logoff.recv() => {}
                _ = shutdown.recv() => {}
            },
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(any(windows, unix)))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The address as a QR code drawn with block characters, two rows of modules per line of text.
fn qr_text(url: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(url, qrcode::EcLevel::L).ok()?;
    Some(
        code.render::<qrcode::render::unicode::Dense1x2>()
            .dark_color(qrcode::render::unicode::Dense1x2::Light)
            .light_color(qrcode::render::unicode::Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

/// Opens the default browser on `url`; says what to open when it cannot.
fn open_browser(url: &str) {
    #[cfg(windows)]
    let opened = std::process::Command::new("cmd").args(["/C", "start", "", url]).spawn();
    #[cfg(target_os = "macos")]
    let opened = std::process::Command::new("open").arg(url).spawn();
    #[cfg(not(any(windows, target_os = "macos")))]
    let opened = std::process::Command::new("xdg-open")
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if opened.is_err() {
        println!("Không tự mở được trình duyệt: hãy mở {url} trên máy này.");
    }
}

/// The folder name of a double-click start's data.
pub const DOUBLE_CLICK_FOLDER: &str = "baucu-du-lieu";

/// Where a double-click start keeps its data: beside the program (a USB stick carries both), or in
/// the user's Documents when the program's folder cannot be written to.
pub fn double_click_data() -> Result<PathBuf, String> {
    let beside =
        std::env::current_exe().ok().and_then(|exe| exe.parent().map(|dir| dir.join(DOUBLE_CLICK_FOLDER)));
    if let Some(dir) = beside.filter(|dir| writable(dir)) {
        return Ok(dir);
    }
    let home = std::env::var_os("USERPROFILE").or_else(|| std::env::var_os("HOME")).map(PathBuf::from);
    let documents = home.map(|h| if h.join("Documents").is_dir() { h.join("Documents") } else { h });
    match documents.map(|d| d.join(DOUBLE_CLICK_FOLDER)) {
        Some(dir) if writable(&dir) => Ok(dir),
        _ => Err("không tìm được thư mục ghi được cho dữ liệu (cạnh chương trình hoặc trong Documents); chạy \"baucu serve --data THƯ-MỤC\".".into()),
    }
}

/// Whether `dir` exists or can be made, and a file can be written in it.
fn writable(dir: &Path) -> bool {
    if std::fs::create_dir_all(dir).is_err() {
        return false;
    }
    let probe = dir.join(".baucu-thu-ghi");
    let written = std::fs::write(&probe, b"baucu").is_ok();
    let _ = std::fs::remove_file(&probe);
    written
}

pub async fn user_add(
    data: PathBuf,
    username: String,
    role: String,
    name: String,
    password: Option<String>,
) -> Result<ExitCode, String> {
    let role = Role::from_code(&role).ok_or_else(|| {
        let all: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
        format!("vai trò \"{role}\" không có; chọn một trong: {}", all.join(", "))
    })?;
    let app = open(&data)?;
    let generated = password.is_none();
    let password = password.unwrap_or_else(|| baucu_app::auth::random_token()[..16].to_owned());
    app.add_user_from_cli(&username, &name, role, &password).await.map_err(|e| e.message())?;
    println!("Đã tạo tài khoản \"{}\" ({}).", username.trim().to_lowercase(), role.label());
    if generated {
        println!("Mật khẩu: {password}");
    }
    app.store().close();
    Ok(ExitCode::SUCCESS)
}

pub async fn audit_verify(data: PathBuf, expect_head: Option<String>) -> Result<ExitCode, String> {
    let path = data.join(DATABASE_FILE);
    if !path.exists() {
        return Err(format!("không có cơ sở dữ liệu ở {}", path.display()));
    }
    let app = open(&data)?;
    let report = app.verify_integrity(expect_head).await;
    app.store().close();
    let report = report.map_err(|e| e.message())?;
    println!("Nhật ký có {} mục.", report.entries);
    println!("Mã đầu chuỗi nhật ký: {}", report.head);
    if let Some(anchor) = report.anchor_message() {
        println!("{anchor}");
    }
    if report.intact() {
        println!(
            "Nhật ký và dữ liệu toàn vẹn: chuỗi băm khớp từ đầu đến cuối, mọi dòng dữ liệu khớp với nhật ký."
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!("Nhật ký và dữ liệu KHÔNG toàn vẹn:");
    for problem in &report.problems {
        println!("  - {}", problem.message());
    }
    if report.unlisted > 0 {
        println!("  … và {} vấn đề khác.", report.unlisted);
    }
    Ok(ExitCode::from(1))
}
