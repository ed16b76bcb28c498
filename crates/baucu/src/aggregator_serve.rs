//! `baucu serve --role aggregator`: the superior committee's aggregator on its own database (the
//! embedded SQLite file in the data folder, or PostgreSQL with `--database postgres://…`), served
//! like the node (HTTPS with its own certificate unless told otherwise, the same caps and timeouts).

use crate::node::{Transport, bind_to, init_logs, lan_addresses, stop_requested};
use baucu_app::baucu_store::aggregator::db::AggDb;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// What `baucu serve` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ServeRole {
    /// The congress's own node in the hall.
    Node,
    /// The superior committee's aggregator of result packages.
    Aggregator,
}

/// How the aggregator serves.
#[derive(Debug, Clone)]
pub struct AggServeConfig {
    pub data: PathBuf,
    /// A `postgres://` URL; the SQLite file in `data` when `None`.
    pub database: Option<String>,
    pub listen: SocketAddr,
    pub transport: Transport,
}

/// Options that belong to one role only, given with the other: refused with the reason (exit 2).
pub fn refuse_mixed(role: ServeRole, demo: bool, database: bool) -> Option<ExitCode> {
    let problem = match role {
        ServeRole::Node if database => Some("--database chỉ dùng với --role aggregator."),
        ServeRole::Aggregator if demo => {
            Some("--demo chỉ dùng cho máy đại hội, không dùng với --role aggregator.")
        }
        _ => None,
    }?;
    eprintln!("baucu: {problem}");
    Some(ExitCode::from(2))
}

/// On a database without any account, creates the administrator "admin" with a one-time password
/// (returned, to be printed once), as the node does for its first account.
fn ensure_admin(db: &AggDb) -> Result<Option<String>, baucu_aggregator::AppError> {
    use baucu_aggregator::accounts::{self, Actor, NewUser, Role};
    let cli = Actor::cli();
    if !accounts::list_users(db, &cli)?.is_empty() {
        return Ok(None);
    }
    let password: String = baucu_app::auth::random_token().chars().take(16).collect();
    let admin = NewUser {
        username: "admin".into(),
        full_name: "Quản trị máy tổng hợp".into(),
        role: Role::Admin,
        area: None,
        password: password.clone(),
    };
    accounts::create_user(db, &cli, admin, jiff::Timestamp::now())?;
    Ok(Some(password))
}

pub async fn serve(config: AggServeConfig) -> Result<ExitCode, String> {
    init_logs("info");
    let data = config.data.clone();
    std::fs::create_dir_all(&data)
        .map_err(|e| format!("không tạo được thư mục dữ liệu {}: {e}", data.display()))?;
    let _lock = crate::backup::lock_folder(&data, crate::backup::Holder::Serve)?;
    let (folder, database) = (data.clone(), config.database.clone());
    let db = tokio::task::spawn_blocking(move || AggDb::open(&folder, database.as_deref()))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("không mở được cơ sở dữ liệu của máy tổng hợp: {e}"))?;
    let admin_db = db.clone();
    let created = tokio::task::spawn_blocking(move || ensure_admin(&admin_db))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.message())?;
    if let Some(password) = created {
        println!("Đã tạo tài khoản quản trị: tên đăng nhập \"admin\", mật khẩu ban đầu \"{password}\".");
        println!("Hãy đăng nhập và tạo tài khoản cho từng người; ghi lại mật khẩu này ở nơi an toàn.");
    }
    let listener = bind_to(config.listen, false).await?;
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
    match &config.database {
        Some(_) => println!("Cơ sở dữ liệu: PostgreSQL."),
        None => println!("Thư mục dữ liệu: {}", data.display()),
    }
    println!("Máy tổng hợp baucu đang chạy. Mở trình duyệt tới:");
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
        }
        None => println!(
            "CHÚ Ý: đang phục vụ HTTP không mã hóa (--insecure-http): mật khẩu đi qua mạng ở dạng rõ. Chỉ dùng để thử trên một máy."
        ),
    }
    println!("Dừng máy chủ: bấm Ctrl+C.");
    tracing::info!(%bound, "serving the aggregator");
    let shutdown = async {
        stop_requested().await;
        tracing::info!("stopping");
    };
    let secure = tls.is_some();
    let options = baucu_web::ServeOptions {
        tls: tls.map(|identity| identity.config),
        limits: baucu_web::Limits::for_this_process(),
    };
    let router = baucu_web::aggregator::router(db, secure);
    baucu_web::server::serve_router(listener, router, options, shutdown).await.map_err(|e| e.to_string())?;
    println!("Đã dừng máy tổng hợp.");
    Ok(ExitCode::SUCCESS)
}
