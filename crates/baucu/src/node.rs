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

fn open(data: &Path) -> Result<App, String> {
    std::fs::create_dir_all(data)
        .map_err(|e| format!("không tạo được thư mục dữ liệu {}: {e}", data.display()))?;
    let store = Store::open(&data.join(DATABASE_FILE))
        .map_err(|e| format!("không mở được cơ sở dữ liệu trong {}: {e}", data.display()))?;
    Ok(App::new(store, Arc::new(SystemClock)))
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init();
}

/// The node's IPv4 addresses on the LAN, or the one it listens on when that is not "every address".
fn lan_addresses(listen: SocketAddr) -> Vec<std::net::IpAddr> {
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

pub async fn serve(
    data: PathBuf,
    listen: SocketAddr,
    demo: bool,
    transport: Transport,
    automatic: crate::backup::Automatic,
) -> Result<ExitCode, String> {
    init_logs();
    // The data folder is this node's alone while it serves (restore and a second serve refuse).
    let _lock = crate::backup::lock_folder(&data, crate::backup::Holder::Serve)?;
    let app = open(&data)?;
    crate::backup::start_automatic(&app, automatic);
    if let Some(password) = app.ensure_admin().await.map_err(|e| e.message())? {
        println!("Đã tạo tài khoản quản trị: tên đăng nhập \"admin\", mật khẩu một lần \"{password}\".");
        println!("Hãy đăng nhập và tạo tài khoản cho từng người; ghi lại mật khẩu này ở nơi an toàn.");
    }
    let recorded = app.record_earlier_results().await.map_err(|e| e.message())?;
    if recorded > 0 {
        println!(
            "Đã ghi bản kết quả cho {recorded} lần bầu kết thúc ở phiên bản trước (tính lại từ các phiếu đã lưu)."
        );
    }
    if demo && app.seed_demo().await.map_err(|e| e.message())? {
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
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("không lắng nghe được ở {listen}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    let addresses = lan_addresses(bound);
    let tls = match &transport {
        Transport::PlainHttp => None,
        Transport::OwnCertificate => {
            let names: Vec<String> = addresses.iter().map(ToString::to_string).collect();
            Some(baucu_web::tls::load_or_create(&data, &names)?)
        }
        Transport::GivenCertificate { cert, key } => Some(baucu_web::tls::load(cert, key)?),
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("baucu đang chạy. Trên các máy trong hội trường, mở trình duyệt tới:");
    for ip in &addresses {
        println!("  {scheme}://{}/", SocketAddr::new(*ip, bound.port()));
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
    println!("Dừng máy chủ: bấm Ctrl+C trong cửa sổ này (các phiếu đã ghi không mất).");
    tracing::info!(%bound, data = %data.display(), "serving");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("stopping");
    };
    let options = baucu_web::ServeOptions {
        tls: tls.map(|identity| identity.config),
        limits: baucu_web::Limits::for_this_process(),
    };
    baucu_web::serve(listener, app.clone(), options, shutdown).await.map_err(|e| e.to_string())?;
    app.store().close();
    Ok(ExitCode::SUCCESS)
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
