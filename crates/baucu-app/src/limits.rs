//! The bounds of every input, in one place: how long each text may be, how large each count, and how
//! large a spreadsheet may be. Each bound is far above what a real congress needs (a national congress
//! has about 1,600 delegates; a roster a few thousand people) and far below what would let one request
//! take the node's memory or time. A value over a bound is refused with a sentence naming the field
//! and the bound ([`text`], [`count`]), never cut short silently.

use crate::{AppError, FieldProblem};

/// A text field: its label as users read it, and the most characters it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextLimit {
    pub label: &'static str,
    pub max_chars: usize,
}

const fn limit(label: &'static str, max_chars: usize) -> TextLimit {
    TextLimit { label, max_chars }
}

// People (the roster, its form and its file).
pub const PERSON_NAME: TextLimit = limit("Họ và tên", 100);
pub const ETHNICITY: TextLimit = limit("Dân tộc", 50);
pub const RELIGION: TextLimit = limit("Tôn giáo", 50);
pub const UNIT: TextLimit = limit("Đơn vị", 200);
pub const EDUCATION: TextLimit = limit("Trình độ chuyên môn", 200);
/// Any other cell of a roster file (a date, a mark, a code).
pub const CELL: TextLimit = limit("Nội dung ô", 1_000);
/// A name typed to find a person (search, check-in by name).
pub const SEARCH: TextLimit = limit("Từ khóa tìm kiếm", 100);

// The congress.
pub const CONGRESS_NAME: TextLimit = limit("Tên đại hội", 300);
pub const ORGANISATION: TextLimit = limit("Tên tổ chức đảng", 300);
pub const TERM: TextLimit = limit("Nhiệm kỳ", 50);
pub const PLACE: TextLimit = limit("Địa điểm", 300);
pub const CONVENING_COMMITTEE: TextLimit = limit("Cấp ủy triệu tập", 300);
pub const SITTING_NAME: TextLimit = limit("Tên phiên họp", 200);

// Counting.
pub const STACK_NAME: TextLimit = limit("Tên chồng phiếu", 60);
/// The key against sending a form twice (made by the page, not typed).
pub const REQUEST_KEY: TextLimit = limit("Khóa chống gửi trùng", 100);
/// A ballot as the entry screen codes it (`x:2,5`, `m:adbn`, `!n !w !s`): a few characters per name.
pub const BALLOT_CODE: TextLimit = limit("Mã phiếu", 4_000);

// Accounts. The login path reads [`USERNAME`] and [`PASSWORD_MAX_BYTES`] too.
pub const USERNAME: TextLimit = limit("Tên đăng nhập", 40);
pub const DISPLAY_NAME: TextLimit = limit("Họ tên người dùng", 100);
/// Argon2 hashes the whole password: a megabyte-long one would cost the node seconds. In bytes.
pub const PASSWORD_MAX_BYTES: usize = 256;

/// A count: its label and the largest value it may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountLimit {
    pub label: &'static str,
    pub max: u32,
}

/// People summoned, present or voting in one assembly (a roster has at most [`ROSTER_MAX_ROWS`]
/// people, a national congress about 1,600 delegates).
pub const PEOPLE: CountLimit = CountLimit { label: "Số người", max: 100_000 };
/// Seats of one election (a Central Committee has about 200).
pub const SEATS: CountLimit = CountLimit { label: "Số lượng bầu", max: 1_000 };
/// Papers of one stack.
pub const PAPERS: CountLimit = CountLimit { label: "Số tờ phiếu của chồng", max: 100_000 };
/// Copies of a ballot printed beyond the voters present: spares for spoilt papers.
pub const SPARE_COPIES_MIN: u32 = 10;
/// ... and at least this share of the voters present (1 in 10).
pub const SPARE_COPIES_DIVISOR: u32 = 10;

/// The most copies of a ballot worth printing for `voters` present: every voter one, and spares.
pub fn max_copies(voters: u32) -> u32 {
    voters.saturating_add((voters / SPARE_COPIES_DIVISOR).max(SPARE_COPIES_MIN))
}

// Spreadsheet files (the roster). A real roster of 5,000 people is about 0.5 MB, its sheet about
// 5 MB of XML once unpacked.
/// Largest upload of a spreadsheet, in bytes (the web route's body limit).
pub const XLSX_MAX_BYTES: usize = 8 * 1024 * 1024;
/// Files inside the spreadsheet's zip (Excel writes about a dozen).
pub const XLSX_MAX_ENTRIES: usize = 500;
/// Unpacked size of one file inside the zip, in bytes.
pub const XLSX_MAX_ENTRY_BYTES: u64 = 32 * 1024 * 1024;
/// Unpacked size of all files inside the zip together, in bytes.
pub const XLSX_MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;
/// Largest unpacked/packed ratio of a file over [`XLSX_RATIO_FROM_BYTES`] (Excel's XML packs about
/// 10:1; a zip bomb about 1000:1).
pub const XLSX_MAX_RATIO: u64 = 200;
pub const XLSX_RATIO_FROM_BYTES: u64 = 1024 * 1024;
/// Rows and columns of a roster sheet.
pub const ROSTER_MAX_ROWS: u32 = 20_000;
pub const ROSTER_MAX_COLUMNS: u32 = 60;
/// Problems listed for one file; past this, the user fixes these first.
pub const ROSTER_MAX_PROBLEMS: usize = 200;

/// Checks the length of `value` (as given, before trimming) against `limit`; `field` names the form
/// field or the cell.
pub fn text(field: &str, limit: TextLimit, value: &str) -> Result<(), FieldProblem> {
    // A string of more than 4 × max bytes has more than max characters whatever they are; counting
    // stops there, so a huge value costs no more than a long one.
    let chars = value.chars().take(limit.max_chars.saturating_add(1)).count();
    if chars <= limit.max_chars {
        return Ok(());
    }
    Err(FieldProblem::field(
        field,
        format!("{} dài quá {} ký tự.", limit.label, thousands(limit.max_chars as u64)),
    ))
}

/// [`text`], adding the problem to a list.
pub fn check_text(problems: &mut Vec<FieldProblem>, field: &str, limit: TextLimit, value: &str) {
    if let Err(p) = text(field, limit, value) {
        problems.push(p);
    }
}

/// [`text`] as an [`AppError`].
pub fn require_text(field: &str, limit: TextLimit, value: &str) -> Result<(), AppError> {
    text(field, limit, value).map_err(|p| AppError::Invalid(vec![p]))
}

/// Checks that `value` is at most `limit.max`.
pub fn count(field: &str, limit: CountLimit, value: u32) -> Result<(), AppError> {
    at_most(field, limit.label, value, limit.max)
}

/// Checks that `value` is at most `max`, a bound that depends on the data (copies ≤ voters and
/// spares, say).
pub fn at_most(field: &str, label: &str, value: u32, max: u32) -> Result<(), AppError> {
    if value <= max {
        return Ok(());
    }
    Err(AppError::invalid(
        field,
        format!("{label} ({}) vượt giới hạn {}.", thousands(u64::from(value)), thousands(u64::from(max))),
    ))
}

/// A password's length, in bytes ([`PASSWORD_MAX_BYTES`]).
pub fn password(field: &str, value: &str) -> Result<(), AppError> {
    if value.len() <= PASSWORD_MAX_BYTES {
        return Ok(());
    }
    Err(AppError::invalid(field, format!("Mật khẩu dài quá {PASSWORD_MAX_BYTES} byte.")))
}

/// A number as Vietnamese writes it: `20.000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_limits_count_characters_not_bytes() {
        let max = "Ễ".repeat(PERSON_NAME.max_chars);
        assert!(text("full_name", PERSON_NAME, &max).is_ok());
        let over = format!("{max}a");
        let problem = text("full_name", PERSON_NAME, &over).expect_err("too long");
        assert_eq!(problem.field, "full_name");
        assert_eq!(problem.message, "Họ và tên dài quá 100 ký tự.");
    }

    #[test]
    fn counts_and_passwords_have_ceilings() {
        assert!(count("seats", SEATS, 1_000).is_ok());
        let e = count("seats", SEATS, 1_001).expect_err("too many");
        assert_eq!(e.message(), "Số lượng bầu (1.001) vượt giới hạn 1.000.");
        assert!(password("password", &"x".repeat(256)).is_ok());
        assert!(password("password", &"x".repeat(257)).is_err());
        assert_eq!(max_copies(0), 10);
        assert_eq!(max_copies(1_600), 1_760);
        assert_eq!(max_copies(u32::MAX), u32::MAX);
    }

    #[test]
    fn thousands_are_separated_by_dots() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(20_000), "20.000");
        assert_eq!(thousands(1_048_576), "1.048.576");
    }
}
