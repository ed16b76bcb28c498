//! `baucu`: the command-line program. It parses arguments, does the IO, and hands every decision to
//! the application layer and the rules engine.

mod aggregator;
mod aggregator_serve;
mod backup;
mod evaluate;
mod node;
mod package;
mod print;
mod simulate;

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// Bầu cử trong Đảng theo Quy chế 190-QĐ/TW: kiểm phiếu, kết quả, biên bản.
#[derive(Debug, Parser)]
#[command(name = "baucu", version, about, long_about = None)]
struct Cli {
    /// Không có lệnh nào (như khi bấm đúp vào baucu.exe): chạy máy chủ như lệnh "start".
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Chạy máy chủ như khi bấm đúp vào chương trình: dữ liệu trong thư mục "baucu-du-lieu" cạnh
    /// chương trình (hoặc trong Documents), cổng 8080 (hoặc cổng trống kế tiếp), HTTPS, tự mở trình duyệt.
    Start {
        /// Không tự mở trình duyệt.
        #[arg(long)]
        no_browser: bool,
    },
    /// Chạy máy chủ đại hội: các máy trong hội trường mở trang web qua mạng nội bộ.
    Serve {
        /// Thư mục dữ liệu (chứa tệp cơ sở dữ liệu SQLite).
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Địa chỉ lắng nghe.
        #[arg(long, default_value = "0.0.0.0:8080")]
        listen: SocketAddr,
        /// Tạo sẵn một đại hội mẫu (khi thư mục dữ liệu còn trống) để xem thử.
        #[arg(long)]
        demo: bool,
        /// Chứng chỉ TLS (PEM) dùng thay cho chứng chỉ máy chủ tự tạo trong thư mục dữ liệu.
        #[arg(long, requires = "tls_key", conflicts_with = "insecure_http")]
        tls_cert: Option<PathBuf>,
        /// Khóa riêng (PEM) của chứng chỉ ở --tls-cert.
        #[arg(long, requires = "tls_cert", conflicts_with = "insecure_http")]
        tls_key: Option<PathBuf>,
        /// Phục vụ HTTP không mã hóa: mật khẩu đi qua mạng ở dạng rõ. Chỉ dùng khi thử trên một máy.
        #[arg(long)]
        insecure_http: bool,
        /// Tự sao lưu vào thư mục "backups" trong thư mục dữ liệu sau mỗi chừng ấy phút (0: không
        /// sao lưu định kỳ); luôn sao lưu sau mỗi lần bầu kết thúc.
        #[arg(long, value_name = "PHÚT", default_value_t = 10, value_parser = clap::value_parser!(u32).range(0..=1440))]
        backup_every: u32,
        /// Số bản tự sao lưu giữ lại (các bản mới nhất).
        #[arg(long, value_name = "K", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10000))]
        backup_keep: u32,
        /// Múi giờ của thời gian trong nhật ký (tên theo cơ sở dữ liệu IANA).
        #[arg(long, value_name = "MÚI_GIỜ", default_value = baucu_app::journal::VIETNAM, value_parser = time_zone)]
        timezone: baucu_app::journal::LocalZone,
        /// Vai trò của máy chủ: "node" (máy đại hội) hoặc "aggregator" (máy tổng hợp của cấp ủy cấp trên).
        #[arg(long, value_enum, default_value = "node")]
        role: aggregator_serve::ServeRole,
        /// Máy tổng hợp: cơ sở dữ liệu PostgreSQL (postgres://…); bỏ trống thì dùng tệp SQLite trong
        /// thư mục dữ liệu.
        #[arg(long, value_name = "URL")]
        database: Option<String>,
    },
    /// Tính một trường hợp (JSON) bằng bộ quy tắc: kết quả một lần bầu, kiểm tra danh sách, phiếu xin
    /// ý kiến, thứ tự tên. In câu trả lời JSON; mã thoát 2 khi dữ liệu sai.
    Evaluate {
        /// Tệp JSON, hoặc "-" để đọc từ đầu vào chuẩn.
        file: PathBuf,
    },
    /// In tài liệu từ một trường hợp (JSON, kind "round", có "meta"): phiếu bầu, biên bản kiểm phiếu.
    Print {
        #[command(subcommand)]
        what: PrintCommand,
    },
    /// Quản lý tài khoản.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Gói kết quả gửi cấp trên: xuất gói đã ký từ dữ liệu của máy, hoặc kiểm tra một tệp gói.
    Package {
        #[command(subcommand)]
        command: PackageCommand,
    },
    /// Nhật ký thao tác.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Mô phỏng trọn một đại hội đảng bộ xã (đại hội đảng viên) qua chính các thao tác của phần mềm:
    /// tài khoản, danh sách đảng viên, điểm danh, mọi cuộc bầu với danh sách, phiếu bầu, nhập phiếu hai
    /// lượt, đối chiếu, kết quả, quyết định của đoàn chủ tịch và tài liệu. Cùng hạt giống cho cùng kết
    /// quả. Thư mục dữ liệu phải chưa có cơ sở dữ liệu (mã thoát 2 nếu đã có).
    ///
    /// Với --packages N --to THƯ_MỤC: thay vào đó, ghi gói kết quả đã ký của N đại hội trên một cây đơn
    /// vị toàn quốc (tỉnh, huyện, cơ sở), mỗi đơn vị một khóa ký, và tệp units.xlsx (danh sách đơn vị
    /// với dấu vân tay khóa đã đăng ký) để nhập vào máy tổng hợp.
    Simulate {
        /// Thư mục dữ liệu mới; tài liệu được ghi vào thư mục con "documents".
        #[arg(long, required_unless_present = "packages", conflicts_with = "packages")]
        data: Option<PathBuf>,
        /// Số đại hội có gói kết quả (từ 1 đến 100000); cần --to.
        #[arg(long, requires = "to", conflicts_with_all = ["members", "direct_secretary"])]
        packages: Option<u32>,
        /// Thư mục mới (hoặc trống) để ghi các gói kết quả và units.xlsx.
        #[arg(long, requires = "packages")]
        to: Option<PathBuf>,
        /// Hạt giống của bộ sinh số: cùng hạt giống, cùng đại hội và cùng kết quả.
        #[arg(long, default_value_t = baucu_app::simulate::DEFAULT_SEED)]
        seed: u64,
        /// Số đảng viên của đảng bộ (từ 60 đến 1000).
        #[arg(long, default_value_t = baucu_app::simulate::DEFAULT_MEMBERS)]
        members: u32,
        /// Cấp trên cho phép đại hội bầu trực tiếp bí thư: sau khi bầu ban chấp hành, lấy phiếu giới
        /// thiệu trong ban chấp hành mới rồi đại hội bầu bí thư; hội nghị lần thứ nhất không bầu bí thư.
        #[arg(long)]
        direct_secretary: bool,
    },
    /// Máy tổng hợp của cấp ủy cấp trên: nhập danh sách đơn vị, nhận gói kết quả.
    Aggregator {
        #[command(subcommand)]
        command: aggregator::AggregatorCommand,
    },
    /// Sao lưu cơ sở dữ liệu (được cả khi máy chủ đang chạy), rồi kiểm tra bản sao như "audit verify".
    Backup {
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Tệp sao lưu sẽ tạo (chưa tồn tại).
        #[arg(long)]
        to: PathBuf,
    },
    /// Khôi phục cơ sở dữ liệu từ một tệp sao lưu (khi máy chủ đã dừng): kiểm tra tệp trước, không
    /// thay một cơ sở dữ liệu có nhật ký mới hơn tệp (trừ khi có --force), giữ lại cơ sở dữ liệu cũ.
    Restore {
        /// Tệp sao lưu (do "baucu backup", bản tự sao lưu trong "backups", hay tải từ trang web).
        #[arg(long)]
        from: PathBuf,
        /// Thư mục dữ liệu khôi phục vào (tạo mới nếu chưa có).
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Vẫn khôi phục khi cơ sở dữ liệu hiện có mới hơn hay khác tệp sao lưu (nó vẫn được giữ lại).
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
enum PrintCommand {
    /// Phiếu bầu (PDF), nhiều bản trong một tệp.
    Ballot {
        /// Tệp trường hợp JSON.
        case: PathBuf,
        /// Tệp PDF sẽ ghi.
        #[arg(short, long)]
        output: PathBuf,
        /// Số bản.
        #[arg(long, default_value_t = 1)]
        copies: u32,
        /// Khổ giấy: a5, a4 hoặc a3. Danh sách không vừa một tờ khổ này thì in trên khổ lớn hơn (có báo).
        #[arg(long, default_value = "a4")]
        paper: String,
        /// Phiếu A5: in hai phiếu trên một tờ A4 để cắt đôi.
        #[arg(long)]
        two_per_sheet: bool,
    },
    /// Biên bản kiểm phiếu: .pdf hoặc .docx theo đuôi tệp; số liệu do bộ quy tắc tính.
    Minutes {
        case: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Tạo tài khoản.
    Add {
        /// Tên đăng nhập.
        username: String,
        /// Vai trò: admin, organiser, presidium, board_head, board_member, operator, viewer.
        #[arg(long)]
        role: String,
        /// Họ và tên.
        #[arg(long)]
        name: String,
        /// Mật khẩu (nếu bỏ trống, một mật khẩu ngẫu nhiên được tạo và in ra).
        #[arg(long)]
        password: Option<String>,
        #[arg(long, default_value = "data")]
        data: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum PackageCommand {
    /// Xuất gói kết quả đã ký: nội dung không đổi thì ghi lại đúng tệp đã xuất; nội dung đổi (một lần
    /// bầu mở lại rồi kết thúc lại, thêm lần bầu) thì là phiên bản mới thay thế phiên bản trước.
    Export {
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Tệp gói sẽ tạo (chưa tồn tại), thường có đuôi .baucu.
        #[arg(long)]
        to: PathBuf,
    },
    /// Kiểm tra một tệp gói: nguyên vẹn, chữ ký đúng, nội dung hợp lệ. Mã thoát 1 khi không hợp lệ.
    Verify {
        file: PathBuf,
        /// Dấu vân tay khóa đã đăng ký của đơn vị (32 chữ số hex): gói phải được ký bằng khóa này.
        #[arg(long)]
        fingerprint: Option<String>,
        /// Mã đơn vị: gói phải là của đơn vị này.
        #[arg(long)]
        unit: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Kiểm tra chuỗi băm của nhật ký và từng dòng dữ liệu; chỉ ra mục bị sửa và từng dòng bị thêm,
    /// sửa hay xóa ngoài phần mềm. Mã thoát 1 khi không toàn vẹn.
    Verify {
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Mã đầu chuỗi nhật ký đã ghi lại trước đó (64 chữ số thập lục phân): phải còn trong chuỗi,
        /// nếu không thì nhật ký đã bị cắt bớt hoặc viết lại.
        #[arg(long, value_name = "HEX")]
        expect_head: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(command) = cli.command else {
        // Started from Explorer: the window closes with the program, so a failure waits for Enter.
        let code = start(true);
        if code != ExitCode::SUCCESS {
            println!("Bấm Enter để đóng cửa sổ này.");
            let _ = std::io::stdin().read_line(&mut String::new());
        }
        return code;
    };
    match command {
        Command::Start { no_browser } => start(!no_browser),
        Command::Evaluate { file } => evaluate::run(&file),
        Command::Print { what: PrintCommand::Ballot { case, output, copies, paper, two_per_sheet } } => {
            print::ballot(&case, &output, copies, &paper, two_per_sheet)
        }
        Command::Print { what: PrintCommand::Minutes { case, output } } => print::minutes(&case, &output),
        Command::Serve {
            data,
            listen,
            demo,
            tls_cert,
            tls_key,
            insecure_http,
            backup_every,
            backup_keep,
            timezone,
            role,
            database,
        } => {
            if let Some(code) = aggregator_serve::refuse_mixed(role, demo, database.is_some()) {
                return code;
            }
            let transport = match (tls_cert, tls_key) {
                _ if insecure_http => node::Transport::PlainHttp,
                (Some(cert), Some(key)) => node::Transport::GivenCertificate { cert, key },
                _ => node::Transport::OwnCertificate,
            };
            if role == aggregator_serve::ServeRole::Aggregator {
                return node::run(aggregator_serve::serve(aggregator_serve::AggServeConfig {
                    data,
                    database,
                    listen,
                    transport,
                }));
            }
            let automatic = backup::Automatic { every_minutes: backup_every, keep: backup_keep as usize };
            node::run(node::serve(node::ServeConfig {
                data,
                listen,
                try_next_ports: false,
                demo,
                transport,
                automatic,
                open_browser: false,
                zone: timezone,
            }))
        }
        Command::User { command: UserCommand::Add { username, role, name, password, data } } => {
            node::run(node::user_add(data, username, role, name, password))
        }
        Command::Package { command: PackageCommand::Export { data, to } } => {
            node::run(package::export(data, to))
        }
        Command::Package { command: PackageCommand::Verify { file, fingerprint, unit } } => {
            package::verify(&file, fingerprint.as_deref(), unit.as_deref())
        }
        Command::Audit { command: AuditCommand::Verify { data, expect_head } } => {
            node::run(node::audit_verify(data, expect_head))
        }
        Command::Aggregator { command } => aggregator::run(command),
        Command::Backup { data, to } => node::run(backup::backup(data, to)),
        Command::Restore { from, data, force } => node::run(backup::restore(from, data, force)),
        Command::Simulate { data, packages, to, seed, members, direct_secretary } => {
            match (data, packages, to) {
                (_, Some(packages), Some(to)) => simulate::packages(to, packages, seed),
                (Some(data), None, None) => node::run(simulate::run(data, seed, members, direct_secretary)),
                _ => {
                    eprintln!("baucu: hãy ghi --data THƯ_MỤC, hoặc --packages N --to THƯ_MỤC.");
                    ExitCode::from(2)
                }
            }
        }
    }
}

/// `--timezone`: a zone of the IANA database; an unknown name is refused with its reason.
fn time_zone(name: &str) -> Result<baucu_app::journal::LocalZone, String> {
    baucu_app::journal::LocalZone::parse(name).map_err(|e| e.message())
}

/// The node as a double-click starts it.
fn start(open_browser: bool) -> ExitCode {
    let data = match node::double_click_data() {
        Ok(data) => data,
        Err(message) => {
            eprintln!("baucu: {message}");
            return ExitCode::FAILURE;
        }
    };
    node::run(node::serve(node::ServeConfig {
        data,
        listen: SocketAddr::from(([0, 0, 0, 0], 8080)),
        try_next_ports: true,
        demo: false,
        transport: node::Transport::OwnCertificate,
        automatic: backup::Automatic::default(),
        open_browser,
        zone: baucu_app::journal::LocalZone::vietnam(),
    }))
}
