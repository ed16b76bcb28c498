//! The aggregator's audit log: every write action appends an entry, hash-chained, in the same
//! transaction as the change it records (`baucu_store::aggregator::audit`).

use crate::AppError;
use crate::accounts::{Actor, Permission};
use baucu_store::aggregator::audit as store;
use baucu_store::aggregator::db::{AggDb, Tx};

pub use store::{Break, BreakReason, Entry, GENESIS};

/// Appends an entry for `action` done by `actor`, inside the caller's transaction: if the action
/// fails later and rolls back, so does its entry. `action` is a short code (`congress.approve`);
/// `detail` is what the action did, usually compact JSON. The time is the wall clock's, in unix
/// seconds (the audit records when a thing was done; the working-day rules never read it).
pub fn append(tx: &mut Tx<'_>, actor: &Actor, action: &str, detail: &str) -> baucu_store::Result<i64> {
    let at = jiff::Timestamp::now().as_second();
    store::append(tx, at, &actor.username, action, detail)
}

/// What a check of the whole chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    pub entries: i64,
    /// The hash of the last entry ([`GENESIS`] when the log is empty).
    pub head: String,
    /// The first entry from which the chain no longer holds.
    pub broken: Option<Break>,
}

impl Chain {
    /// The head when the whole chain holds, else the first broken entry.
    pub fn result(&self) -> Result<&str, Break> {
        match self.broken {
            None => Ok(&self.head),
            Some(b) => Err(b),
        }
    }

    /// The sentence the command line and the administrator page print.
    pub fn message(&self) -> String {
        match self.broken {
            None => format!(
                "Nhật ký toàn vẹn: {} mục, chuỗi băm khớp từ đầu đến cuối; mã đầu chuỗi {}.",
                self.entries, self.head
            ),
            Some(b) => {
                let why = match b.reason {
                    BreakReason::HashMismatch => "nội dung mục đã bị sửa",
                    BreakReason::ChainBroken => "một mục đã bị xóa hoặc chèn thêm",
                    BreakReason::Gap => "thiếu số thứ tự",
                };
                format!(
                    "Nhật ký bị hỏng từ mục số {}: {why}. Các mục từ đó trở đi không còn được bảo đảm.",
                    b.seq
                )
            }
        }
    }
}

/// Walks the whole chain.
pub fn verify(db: &AggDb) -> Result<Chain, AppError> {
    let walk = db.read(store::walk)?;
    Ok(Chain { entries: walk.entries, head: walk.head, broken: walk.broken })
}

/// The latest entries for the administrator's page (at most 500).
pub fn latest(db: &AggDb, actor: &Actor, limit: i64) -> Result<Vec<Entry>, AppError> {
    actor.require(Permission::Administer)?;
    let limit = limit.clamp(1, 500);
    Ok(db.read(|tx| store::latest(tx, limit))?)
}

/// Whether a head written down earlier (64 hex digits) is still an entry of the chain: if not, the
/// log was cut short or rewritten since.
pub fn contains_head(db: &AggDb, head: &str) -> Result<bool, AppError> {
    let head = head.trim().to_ascii_lowercase();
    if head.len() != 64 || !head.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::invalid("expect_head", "Mã đầu chuỗi phải gồm 64 chữ số thập lục phân."));
    }
    Ok(db.read(|tx| store::contains_hash(tx, &head))?)
}

/// The Vietnamese sentence of an action code, for the log page; `None` for a code this list does
/// not know (the page then shows the code itself).
pub fn action_label(action: &str) -> Option<&'static str> {
    Some(match action {
        "user.create" => "Tạo tài khoản",
        "user.enable" => "Mở lại tài khoản",
        "user.disable" => "Khóa tài khoản",
        "session.login" => "Đăng nhập",
        "session.logout" => "Đăng xuất",
        "congress.held" => "Ghi nhận đại hội đã tổ chức",
        "congress.approve" => "Chuẩn y",
        "congress.refuse" => "Không chuẩn y",
        "congress.annul" => "Hủy kết quả bầu cử",
        "complaint.log" => "Tiếp nhận khiếu nại",
        "complaint.verifier" => "Phân công xác minh khiếu nại",
        "complaint.close" => "Kết luận khiếu nại",
        "holiday.add" => "Thêm ngày nghỉ",
        "holiday.rename" => "Đổi tên ngày nghỉ",
        "holiday.remove" => "Xóa ngày nghỉ",
        "settings.deadlines" => "Sửa thời hạn",
        "calendar.preload" => "Nạp lịch ngày nghỉ lễ",
        "package.import" => "Nhận gói kết quả",
        "units.import" => "Nhập danh sách đơn vị",
        "units.revoke_key" => "Thu hồi khóa ký của một đơn vị",
        _ => return None,
    })
}
