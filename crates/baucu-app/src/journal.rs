//! The audit log and a round's journal as people read them: local times (Asia/Ho_Chi_Minh unless
//! the node is told otherwise), one Vietnamese sentence per action with the names of the people,
//! rounds and stacks involved ([`sentence`]), ballot codes in words ([`ballot_words`]), the audit
//! log's filters, and both as PDF. Presentation only: what `audit_log` and `journal` store is never
//! changed. The readings of a stack not yet reconciled stay hidden as ARCHITECTURE.md says
//! ("Independent entries"), decided for every row from one load of the names, not a query per row.

use crate::counting::{Download, HIDDEN_READING, NextDecision, StackStatus, load_round};
use crate::{Actor, App, AppError, Permission, Role};
use baucu_store::counting as db;
use baucu_store::rusqlite::Connection;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The time zone people read times in, with the name shown beside the times.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalZone {
    tz: jiff::tz::TimeZone,
    label: String,
}

/// The congress's own zone: Vietnam keeps UTC+7 all year (no daylight saving).
pub const VIETNAM: &str = "Asia/Ho_Chi_Minh";

impl LocalZone {
    /// Asia/Ho_Chi_Minh, shown as "giờ Việt Nam (UTC+7)".
    pub fn vietnam() -> Self {
        let tz =
            jiff::tz::db().get(VIETNAM).unwrap_or_else(|_| jiff::tz::TimeZone::fixed(jiff::tz::offset(7)));
        LocalZone { tz, label: "giờ Việt Nam (UTC+7)".to_owned() }
    }

    /// A zone of the IANA database by its name ("Asia/Ho_Chi_Minh", "Europe/Paris", "UTC"); an
    /// unknown name is an error that says so.
    pub fn parse(name: &str) -> Result<Self, AppError> {
        let name = name.trim();
        if name.is_empty() || name.len() > 64 {
            return Err(AppError::invalid("timezone", "Ghi tên múi giờ, ví dụ Asia/Ho_Chi_Minh."));
        }
        if name == VIETNAM || name == "Asia/Saigon" {
            return Ok(Self::vietnam());
        }
        let tz = jiff::tz::db().get(name).map_err(|_| {
            AppError::invalid(
                "timezone",
                format!(
                    "Không có múi giờ \"{name}\" (ghi tên theo cơ sở dữ liệu IANA, ví dụ Asia/Ho_Chi_Minh)."
                ),
            )
        })?;
        Ok(LocalZone { tz, label: format!("giờ {name}") })
    }

    /// What the times are in: "giờ Việt Nam (UTC+7)".
    pub fn label(&self) -> &str {
        &self.label
    }

    /// A stored time (RFC 3339, UTC) as people read it: "27/11/2026 17:41:05". A time that does
    /// not parse is shown as stored, marked, never guessed.
    pub fn show(&self, at: &str) -> String {
        match at.parse::<jiff::Timestamp>() {
            Ok(t) => self.show_time(t),
            Err(_) => format!("(thời điểm không đọc được: {at})"),
        }
    }

    /// A moment in this zone (the date and hour a document states).
    pub fn zoned(&self, t: jiff::Timestamp) -> jiff::Zoned {
        t.to_zoned(self.tz.clone())
    }

    pub fn show_time(&self, t: jiff::Timestamp) -> String {
        let z = t.to_zoned(self.tz.clone());
        format!(
            "{:02}/{:02}/{:04} {:02}:{:02}:{:02}",
            z.day(),
            z.month(),
            z.year(),
            z.hour(),
            z.minute(),
            z.second()
        )
    }
}

/// A ballot code in words, as the entry screen shows it: "gạch 2, 5", "không gạch tên nào",
/// "đồng ý tất cả", "2: không đồng ý", with its flags ("không do ban kiểm phiếu phát ra", …). A
/// code that is not one of the engine's forms is shown as it is, marked.
pub fn ballot_words(code: &str) -> String {
    let mut parts = code.split('!');
    let body = parts.next().unwrap_or_default().trim();
    let text = if let Some(list) = body.strip_prefix("x:") {
        let list = list.trim();
        if list.is_empty() {
            "không gạch tên nào".to_owned()
        } else {
            format!("gạch {}", list.split(',').map(str::trim).collect::<Vec<_>>().join(", "))
        }
    } else if let Some(marks) = body.strip_prefix("m:") {
        let mut odd = Vec::new();
        for (i, m) in marks.chars().enumerate() {
            let label = match m {
                'a' => continue,
                'd' => "không đồng ý",
                'b' => "cả hai ô",
                'n' => "bỏ trống",
                _ => return format!("mã phiếu không đọc được \"{code}\""),
            };
            odd.push(format!("{}: {label}", i + 1));
        }
        if odd.is_empty() { "đồng ý tất cả".to_owned() } else { odd.join("; ") }
    } else {
        return format!("mã phiếu không đọc được \"{code}\"");
    };
    let mut words = vec![text];
    for flag in parts.map(str::trim).filter(|f| !f.is_empty()) {
        words.push(
            match flag {
                "n" => "không do ban kiểm phiếu phát ra",
                "w" => "ghi thêm tên",
                "s" => "có ký tên",
                _ => return format!("mã phiếu không đọc được \"{code}\""),
            }
            .to_owned(),
        );
    }
    words.join(", ")
}

/// The kinds of action the audit log records, with what each is called on the filter.
pub const KINDS: &[(&str, &str)] = &[
    ("session.login", "Đăng nhập"),
    ("session.logout", "Đăng xuất"),
    ("session.login_failed", "Đăng nhập không thành công"),
    ("session.login_refused", "Đăng nhập bị tạm chặn"),
    ("login.throttle_lift", "Gỡ giới hạn đăng nhập"),
    ("user.bootstrap", "Tạo tài khoản quản trị đầu tiên"),
    ("user.create", "Tạo tài khoản"),
    ("user.update", "Sửa tài khoản"),
    ("user.password", "Đặt lại mật khẩu"),
    ("user.password_change", "Đổi mật khẩu"),
    ("congress.save", "Lưu thông tin đại hội"),
    ("package.key", "Tạo khóa ký gói kết quả"),
    ("package.unit_code", "Đặt mã đơn vị"),
    ("package.export", "Xuất gói kết quả"),
    ("package.send", "Gửi gói kết quả lên cấp trên"),
    ("roster.import", "Nhập danh sách đảng viên"),
    ("person.create", "Thêm đảng viên"),
    ("person.update", "Sửa thông tin đảng viên"),
    ("person.delete", "Xóa đảng viên khỏi danh sách"),
    ("roster.mapping", "Lưu cách đọc cột của tệp danh sách"),
    ("sitting.create", "Tạo phiên họp"),
    ("plenum.summon", "Triệu tập hội nghị lần thứ nhất"),
    ("attendance.check_in", "Điểm danh"),
    ("attendance.absence", "Ghi vắng mặt cả đại hội"),
    ("attendance.summon_alternate", "Triệu tập đại biểu dự khuyết"),
    ("roster.by_election_nominee", "Ghi người được giới thiệu bầu bổ sung (không phải ủy viên)"),
    ("election.create", "Tạo cuộc bầu"),
    ("list.add", "Đưa vào danh sách bầu cử"),
    ("list.withdrawal_request", "Xin rút khỏi danh sách"),
    ("list.remove", "Đưa tên ra khỏi danh sách"),
    ("list.withdrawal_decision", "Quyết định việc xin rút"),
    ("list.poll", "Lấy phiếu xin ý kiến"),
    ("list.poll_tie_decision", "Quyết định người bằng phiếu xin ý kiến"),
    ("list.reorder", "Sắp xếp lại danh sách"),
    ("list.order_alphabetical", "Xếp danh sách theo tên"),
    ("list.approval_vote", "Biểu quyết thông qua danh sách"),
    ("vote.record", "Ghi biểu quyết tại đại hội"),
    ("plan.set", "Nhập phương án nhân sự"),
    ("plan.remove", "Xóa phương án nhân sự"),
    ("round.open", "Mở lần bầu"),
    ("round.issued", "Ghi số phiếu phát ra, thu vào"),
    ("stack.create", "Giao chồng phiếu"),
    ("ballot.enter", "Nhập phiếu"),
    ("ballot.undo", "Xóa phiếu vừa nhập"),
    ("ballot.correct", "Sửa phiếu đã nhập"),
    ("entry.finish", "Nhập xong lượt"),
    ("entry.reopen", "Mở lại lượt nhập"),
    ("stack.reconcile", "Đối chiếu chồng phiếu"),
    ("stack.resolve", "Quyết định phiếu chênh lệch"),
    ("resolutions.withdrawn", "Rút lại quyết định phiếu chênh lệch"),
    ("round.close", "Kết thúc kiểm phiếu"),
    ("round.decide", "Quyết định sau kết quả"),
    ("round.publish", "Công bố kết quả"),
    ("round.unpublish", "Gỡ công bố kết quả"),
    ("round.reopen", "Mở lại lần bầu đã kết thúc"),
    ("round.record_earlier", "Ghi kết quả lần bầu cũ"),
    ("poll.open", "Mở kiểm phiếu xin ý kiến bằng máy"),
    ("poll.close", "Kết thúc kiểm phiếu xin ý kiến, ghi vào danh sách"),
    ("backup.download", "Tải bản sao lưu"),
    ("integrity.baseline", "Ghi dấu toàn vẹn dữ liệu"),
];

/// Kinds only a round's journal holds (the reconciliation that follows an entry, the resolutions it
/// withdraws): the audit log records them inside the action that caused them.
pub const JOURNAL_ONLY: [&str; 2] = ["stack.reconcile", "resolutions.withdrawn"];

/// The Vietnamese name of a kind of action, or `None` for one this version does not know.
pub fn kind_label(kind: &str) -> Option<&'static str> {
    KINDS.iter().find(|(k, _)| *k == kind).map(|(_, l)| *l)
}

/// The kind an action of a round's journal is in the audit log's words (the journal names some
/// kinds shorter).
fn journal_kind(kind: &str) -> &str {
    match kind {
        "issued" => "round.issued",
        "ballot" => "ballot.enter",
        "undo" => "ballot.undo",
        "correct" => "ballot.correct",
        "reconcile" => "stack.reconcile",
        "resolve" => "stack.resolve",
        other => other,
    }
}

#[derive(Debug, Clone)]
struct RoundName {
    /// A poll counted like ballots (numbered −1, −2, …).
    poll: bool,
    number: i64,
    election: String,
    valid: Option<u64>,
}

#[derive(Debug, Clone)]
struct StackName {
    name: String,
    round_id: i64,
    accepted: bool,
}

#[derive(Debug, Clone)]
struct EntryName {
    stack_id: i64,
    slot: i64,
    operator_id: i64,
}

/// Everything a sentence names, loaded once for a whole page or document.
#[derive(Debug, Default)]
pub struct Names {
    users: BTreeMap<String, String>,
    user_ids: BTreeMap<i64, (String, String)>,
    elections: BTreeMap<i64, String>,
    rounds: BTreeMap<i64, RoundName>,
    stacks: BTreeMap<i64, StackName>,
    entries: BTreeMap<i64, EntryName>,
    persons: BTreeMap<i64, String>,
    sittings: BTreeMap<i64, String>,
    /// The round whose journal is shown: its stacks are named without it.
    within: Option<i64>,
}

impl Names {
    /// Loads the names of accounts, elections, rounds, stacks, entries, members and sittings.
    pub(crate) fn load(c: &Connection) -> Result<Self, AppError> {
        let mut n = Names::default();
        for u in baucu_store::users::list(c)? {
            n.users.insert(u.username.clone(), u.full_name.clone());
            n.user_ids.insert(u.id, (u.username, u.full_name));
        }
        for e in baucu_store::elections::all(c)? {
            let election = crate::elections::Election::from_row(&e)?;
            n.elections.insert(e.id, election.title());
            for r in db::rounds_of(c, e.id)?.into_iter().chain(db::polls_of(c, e.id)?) {
                let (_, round) = load_round(c, r.id)?;
                let valid = round.record.as_ref().map(|x| x.valid);
                n.rounds.insert(
                    r.id,
                    RoundName { poll: round.poll, number: r.number, election: election.title(), valid },
                );
                for s in db::stacks_of(c, r.id)? {
                    for en in db::entries_of(c, s.id)? {
                        n.entries.insert(
                            en.id,
                            EntryName { stack_id: s.id, slot: en.slot, operator_id: en.operator_id },
                        );
                    }
                    let accepted = s.status == StackStatus::Accepted;
                    n.stacks.insert(s.id, StackName { name: s.name, round_id: r.id, accepted });
                }
            }
        }
        for p in baucu_store::persons::all(c)? {
            n.persons.insert(p.id, p.full_name);
        }
        for s in baucu_store::persons::all_sittings(c)? {
            n.sittings.insert(s.id, s.name);
        }
        Ok(n)
    }

    /// Who did it: the account's full name, or what the log holds for the system and strangers.
    fn who(&self, actor: &str) -> String {
        if actor == baucu_store::integrity::SYSTEM_ACTOR {
            return "Hệ thống".to_owned();
        }
        match self.users.get(actor) {
            Some(name) => name.clone(),
            None if actor.starts_with('(') => "Một người chưa đăng nhập".to_owned(),
            None => format!("Tài khoản \"{actor}\""),
        }
    }

    /// How the actor column shows it: "Lê Văn Trưởng Ban (head)".
    pub fn actor_column(&self, actor: &str) -> String {
        match self.users.get(actor) {
            Some(name) => format!("{name} ({actor})"),
            None => self.who(actor),
        }
    }

    fn user_by_id(&self, id: Option<i64>) -> String {
        match id.and_then(|i| self.user_ids.get(&i)) {
            Some((_, name)) => name.clone(),
            None => format!("tài khoản số {}", id.map_or("?".to_owned(), |i| i.to_string())),
        }
    }

    fn person(&self, id: Option<i64>) -> String {
        match id.and_then(|i| self.persons.get(&i)) {
            Some(name) => name.clone(),
            None => format!("người số {}", id.map_or("?".to_owned(), |i| i.to_string())),
        }
    }

    fn election(&self, id: Option<i64>) -> String {
        match id.and_then(|i| self.elections.get(&i)) {
            Some(title) => format!("cuộc {}", lower_first(title)),
            None => "một cuộc bầu".to_owned(),
        }
    }

    /// "lần bầu thứ 1 — Bầu ban chấp hành".
    fn round(&self, id: Option<i64>) -> String {
        match id.and_then(|i| self.rounds.get(&i)) {
            Some(r) if r.poll => {
                format!("lần kiểm phiếu xin ý kiến thứ {} — {}", r.number.unsigned_abs(), r.election)
            }
            Some(r) => format!("lần bầu thứ {} — {}", r.number, r.election),
            None => format!("lần bầu số {}", id.map_or("?".to_owned(), |i| i.to_string())),
        }
    }

    /// "Chồng 1", with its round unless the journal of that round is shown.
    fn stack(&self, id: Option<i64>) -> String {
        match id.and_then(|i| self.stacks.get(&i)) {
            Some(s) if self.within == Some(s.round_id) => format!("chồng phiếu \"{}\"", s.name),
            Some(s) => format!("chồng phiếu \"{}\" của {}", s.name, self.round(Some(s.round_id))),
            None => "một chồng phiếu".to_owned(),
        }
    }

    /// The round an action belongs to, when it belongs to one.
    fn round_of(&self, data: &Value) -> Option<i64> {
        if let Some(r) = data["round_id"].as_i64() {
            return Some(r);
        }
        let stack = data["stack_id"].as_i64().or_else(|| self.entry_stack(data));
        stack.and_then(|s| self.stacks.get(&s)).map(|s| s.round_id)
    }

    fn entry_stack(&self, data: &Value) -> Option<i64> {
        data["entry_id"].as_i64().and_then(|e| self.entries.get(&e)).map(|e| e.stack_id)
    }

    /// Whether `viewer` may see the readings of the entry or stack an action names: the board head
    /// always; others once the stack is reconciled; an operator sees their own entry's readings in
    /// the audit log (`own_entry`), as the entry screen shows them.
    fn readings_visible(&self, viewer: &Actor, data: &Value, own_entry: bool) -> bool {
        if viewer.role == Role::BoardHead {
            return true;
        }
        let entry = data["entry_id"].as_i64().and_then(|e| self.entries.get(&e));
        if own_entry && entry.is_some_and(|e| e.operator_id == viewer.user_id) {
            return true;
        }
        let stack = data["stack_id"].as_i64().or_else(|| entry.map(|e| e.stack_id));
        stack.and_then(|s| self.stacks.get(&s)).is_some_and(|s| s.accepted)
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn count(v: &Value) -> String {
    v.as_u64().map_or("?".to_owned(), |n| n.to_string())
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or("?").to_owned()
}

fn role_label(code: &Value) -> String {
    code.as_str().and_then(Role::from_code).map_or("?".to_owned(), |r| lower_first(r.label()))
}

fn stack_status(v: &Value) -> &'static str {
    match v.as_str() {
        Some("accepted") => "các lượt nhập khớp nhau, chồng phiếu được chấp nhận",
        Some("mismatch") => "các lượt nhập có chênh lệch, chờ ban kiểm phiếu xem tờ phiếu",
        Some("entering") => "còn lượt nhập chưa xong",
        _ => "trạng thái chồng phiếu không rõ",
    }
}

fn ids(v: &Value) -> Vec<i64> {
    v.as_array().into_iter().flatten().filter_map(Value::as_i64).collect()
}

/// The sentence of one action: what `actor` did, from its `kind` and the `data` stored with it, with
/// the names involved. `hidden`: the ballot readings it carries are not for this reader. A kind
/// this version does not know still gets a sentence, with its code.
pub fn sentence(kind: &str, actor: &str, data: &Value, names: &Names, hidden: bool) -> String {
    let who = names.who(actor);
    let reading = |code: &Value| -> String {
        if hidden { HIDDEN_READING.to_owned() } else { code.as_str().map_or("?".to_owned(), ballot_words) }
    };
    let entry = data["entry_id"].as_i64().and_then(|e| names.entries.get(&e));
    let stack = names.stack(data["stack_id"].as_i64().or_else(|| entry.map(|e| e.stack_id)));
    let slot = entry.map_or("?".to_owned(), |e| e.slot.to_string());
    let election = names.election(data["election_id"].as_i64());
    match kind {
        "session.login" => format!("{who} đăng nhập từ địa chỉ {}.", text(&data["address"])),
        "session.logout" => format!("{who} đăng xuất."),
        "session.login_failed" => {
            let mut s = format!(
                "Đăng nhập không thành công bằng tên \"{}\" từ địa chỉ {}",
                text(&data["username"]),
                text(&data["address"])
            );
            if data["throttle_seconds"].as_u64().is_some_and(|n| n > 0) {
                s.push_str(&format!("; lần sau phải chờ {} giây", count(&data["throttle_seconds"])));
            }
            s + "."
        }
        "session.login_refused" => format!(
            "Đăng nhập bằng tên \"{}\" từ địa chỉ {} bị tạm chặn (chờ {} giây).",
            text(&data["username"]),
            text(&data["address"]),
            count(&data["retry_after"])
        ),
        "login.throttle_lift" => {
            let t = &data["throttle"];
            let found = |key: &str| -> Option<String> {
                t[key]
                    .as_str()
                    .map(str::to_owned)
                    .or_else(|| t.as_object()?.values().find_map(|v| v[key].as_str().map(str::to_owned)))
            };
            let mut what = Vec::new();
            if let Some(a) = found("account") {
                what.push(format!("tên \"{a}\""));
            }
            if let Some(a) = found("address") {
                what.push(format!("địa chỉ {a}"));
            }
            format!("{who} gỡ giới hạn đăng nhập của {}.", what.join(", ")).replace("của .", "một lần.")
        }
        "user.bootstrap" if data["skipped"].as_bool() == Some(true) => {
            format!("{who} thấy đã có tài khoản quản trị, không tạo thêm.")
        }
        "user.bootstrap" => format!("{who} tạo tài khoản quản trị đầu tiên \"admin\"."),
        "user.create" => format!(
            "{who} tạo tài khoản \"{}\" cho {} (vai trò: {}).",
            text(&data["username"]),
            text(&data["full_name"]),
            role_label(&data["role"])
        ),
        "user.update" => format!(
            "{who} sửa tài khoản của {}: vai trò {}, {}.",
            text(&data["full_name"]),
            role_label(&data["role"]),
            if data["active"].as_bool() == Some(false) { "đã khóa" } else { "đang dùng" }
        ),
        "user.password" => {
            format!("{who} đặt lại mật khẩu cho {}.", names.user_by_id(data["id"].as_i64()))
        }
        "user.password_change" => format!("{who} đổi mật khẩu của mình."),
        "congress.save" => format!("{who} lưu thông tin đại hội \"{}\".", text(&data["name"])),
        "package.key" => {
            format!("{who} tạo khóa ký gói kết quả của máy, dấu vân tay {}.", text(&data["fingerprint"]))
        }
        "package.unit_code" => format!("{who} đặt mã đơn vị của đại hội là {}.", text(&data["unit_code"])),
        "package.export" => {
            let again = if data["unchanged"].as_bool() == Some(true) {
                " (nội dung không đổi, tải lại tệp đã xuất)"
            } else {
                ""
            };
            format!(
                "{who} xuất gói kết quả phiên bản {} của đơn vị {}{again}, mã băm {}.",
                count(&data["version"]),
                text(&data["unit_code"]),
                text(&data["sha256"])
            )
        }
        "package.send" => format!(
            "{who} gửi gói kết quả phiên bản {} lên cấp trên ({}): {}.",
            count(&data["version"]),
            text(&data["url"]),
            text(&data["answer"])
        ),
        "roster.import" => {
            let mut line =
                format!("{who} nhập danh sách đảng viên từ tệp: {} người", count(&data["imported"]));
            if data["changed"].as_u64().is_some_and(|n| n > 0) {
                line.push_str(&format!(", sửa {} người", count(&data["changed"])));
            }
            if data["mode"].as_str() == Some("replace") {
                line.push_str(&format!(", thay toàn bộ danh sách (xóa {} người)", count(&data["removed"])));
            }
            if data["mode"].as_str() == Some("valid") {
                line.push_str(&format!(
                    ", chỉ các dòng hợp lệ ({} lỗi bỏ qua)",
                    count(&data["skipped_rows"])
                ));
            }
            line.push('.');
            line
        }
        "person.create" => format!("{who} thêm {} vào danh sách đảng viên.", text(&data["full_name"])),
        "person.update" => format!("{who} sửa thông tin của {}.", text(&data["full_name"])),
        "person.delete" => format!("{who} xóa {} khỏi danh sách đảng viên.", text(&data["full_name"])),
        "roster.mapping" => format!(
            "{who} lưu cách đọc cột của tệp danh sách: {}.",
            data["columns"]
                .as_array()
                .map(|cs| {
                    cs.iter()
                        .map(|c| format!("\"{}\" là {}", text(&c["column"]), text(&c["label"])))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default()
        ),
        "sitting.create" => format!("{who} tạo phiên họp \"{}\".", text(&data["name"])),
        "roster.by_election_nominee" => {
            if data["nominee"].as_bool() == Some(false) {
                format!(
                    "{who} ghi {} là ủy viên Ban Chấp hành, không còn là người được giới thiệu bầu bổ sung.",
                    text(&data["full_name"])
                )
            } else {
                format!(
                    "{who} ghi {} là người được giới thiệu bầu bổ sung (không phải ủy viên): không được triệu tập, không tính vào số làm căn cứ.",
                    text(&data["full_name"])
                )
            }
        }
        "plenum.summon" => format!(
            "{who} triệu tập \"{}\" với {} ủy viên vừa được bầu.",
            text(&data["name"]),
            data["members"].as_array().map_or(0, Vec::len)
        ),
        "attendance.check_in" => format!(
            "{who} ghi {} {} ở {}.",
            names.person(data["person_id"].as_i64()),
            if data["present"].as_bool() == Some(false) { "vắng mặt" } else { "có mặt" },
            data["sitting_id"]
                .as_i64()
                .and_then(|s| names.sittings.get(&s))
                .map_or("một phiên họp".to_owned(), |s| format!("phiên \"{s}\""))
        ),
        "attendance.absence" => {
            let label =
                data["absence"].as_str().map(|a| crate::roster::label_of(&crate::roster::ABSENCES, a));
            format!(
                "{who} ghi {}: {}.",
                names.person(data["person_id"].as_i64()),
                lower_first(label.filter(|l| !l.is_empty()).unwrap_or("tình trạng vắng mặt không rõ"))
            )
        }
        "attendance.summon_alternate" => format!(
            "{who} triệu tập đại biểu dự khuyết {} thay {}.",
            names.person(data["alternate_id"].as_i64()),
            names.person(data["replaces"].as_i64())
        ),
        "election.create" => {
            format!("{who} tạo {}: bầu {} người.", names.election(data["id"].as_i64()), count(&data["seats"]))
        }
        "list.add" => format!(
            "{who} đưa {} vào danh sách {} ({}{}).",
            text(&data["full_name"]),
            election,
            data["source"]
                .as_str()
                .and_then(crate::elections::Source::from_code)
                .map_or("nguồn không rõ".to_owned(), |s| lower_first(s.label())),
            data["nominator"].as_str().map_or(String::new(), |n| format!(", người đề cử: {n}"))
        ),
        "list.remove" => format!(
            "{who} đưa {} ra khỏi danh sách {election}, lý do: {}.",
            text(&data["full_name"]),
            text(&data["reason"])
        ),
        "list.withdrawal_request" => {
            format!("{who} ghi {} xin rút khỏi danh sách {election}.", text(&data["full_name"]))
        }
        "list.withdrawal_decision" => format!(
            "{who} ghi đại hội {} cho {} rút khỏi danh sách {election}.",
            if data["accepted"].as_bool() == Some(true) { "đồng ý" } else { "không đồng ý" },
            text(&data["full_name"])
        ),
        "list.poll" | "poll.close" => {
            let nominees: Vec<String> = data["nominees"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|n| format!("{} {} đồng ý", text(&n["full_name"]), count(&n["agree"])))
                .collect();
            if kind == "poll.close" {
                format!(
                    "{who} kết thúc {} và ghi kết quả vào danh sách {election} (nhập từ phiếu đã kiểm, {} người có mặt): {}.",
                    names.round(data["round_id"].as_i64().or(names.within)),
                    count(&data["present"]),
                    nominees.join("; ")
                )
            } else {
                format!(
                    "{who} ghi kết quả lấy phiếu xin ý kiến cho danh sách {election} (nhập tổng số, {} người có mặt): {}.",
                    count(&data["present"]),
                    nominees.join("; ")
                )
            }
        }
        "poll.open" => format!(
            "{who} mở {} cho danh sách {election}: {} người được lấy ý kiến, {} người có mặt, mỗi chồng phiếu được nhập {} lần độc lập.",
            names.round(data["round_id"].as_i64().or(names.within)),
            count(&data["candidates"]),
            count(&data["present"]),
            count(&data["entries_per_stack"])
        ),
        "list.poll_tie_decision" => {
            format!(
                "{who} ghi quyết định của đại hội chọn người bằng phiếu xin ý kiến cho danh sách {election}."
            )
        }
        "list.reorder" => format!("{who} sắp xếp lại thứ tự danh sách {election}."),
        "list.order_alphabetical" => format!("{who} xếp danh sách {election} theo thứ tự tên."),
        "list.approval_vote" => format!(
            "{who} ghi biểu quyết thông qua danh sách {election}: {} tán thành, {} không tán thành trên {} người có mặt — {}.",
            count(&data["for"]),
            count(&data["against"]),
            count(&data["present"]),
            if data["passed"].as_bool() == Some(true) {
                "được thông qua"
            } else {
                "chưa được thông qua"
            }
        ),
        "vote.record" => crate::votes::sentence(&who, data, &election),
        "plan.set" | "plan.remove" => crate::plan::sentence(kind, &who, data),
        "round.open" => {
            let round = names.round(data["round_id"].as_i64().or(names.within));
            if let Some(after) = data["after"].as_i64() {
                let earlier = names.rounds.get(&after);
                let this = data["round_id"].as_i64().or(names.within).and_then(|r| names.rounds.get(&r));
                match (earlier, this) {
                    (Some(e), Some(t)) if e.election == t.election => {
                        format!("{who} mở {round}, sau kết quả lần bầu thứ {}.", e.number)
                    }
                    _ => format!("{who} mở {round}, sau kết quả {}.", names.round(Some(after))),
                }
            } else if let Some(n) = data["entries_per_stack"].as_u64() {
                format!("{who} mở {round}: mỗi chồng phiếu được nhập {n} lần độc lập.")
            } else if let Some(n) = data["candidates"].as_u64() {
                format!("{who} mở {round}: {n} người trong danh sách bầu.")
            } else {
                format!("{who} mở {round}.")
            }
        }
        "round.issued" => {
            let round = names.round(data["round_id"].as_i64().or(names.within));
            match data["collected"].as_u64() {
                Some(n) => format!(
                    "{who} ghi số phiếu của {round}: {} phiếu phát ra, {n} phiếu thu vào.",
                    count(&data["issued"])
                ),
                None => format!("{who} ghi số phiếu của {round}: {} phiếu phát ra.", count(&data["issued"])),
            }
        }
        "stack.create" if data["repeated"].as_bool() == Some(true) => {
            format!("{who} gửi lại yêu cầu giao {stack}; chồng phiếu đã giao, không giao lần nữa.")
        }
        "stack.create" => {
            let ops: Vec<String> =
                ids(&data["operators"]).into_iter().map(|i| names.user_by_id(Some(i))).collect();
            format!(
                "{who} giao {stack} ({} tờ) cho {} nhập.",
                count(&data["papers"]),
                if ops.is_empty() { "người nhập".to_owned() } else { ops.join(", ") }
            )
        }
        "ballot.enter" if data["repeated"].as_bool() == Some(true) => format!(
            "{who} gửi lại phiếu số {} của {stack} (lượt {slot}); phiếu đã ghi, không ghi lần nữa.",
            count(&data["seq"])
        ),
        "ballot.enter" => format!(
            "{who} nhập phiếu số {} của {stack} (lượt {slot}): {}.",
            count(&data["seq"]),
            reading(&data["code"])
        ),
        "ballot.undo" => match data["removed"].as_array() {
            Some(r) => format!(
                "{who} xóa phiếu vừa nhập (số {}) của {stack} (lượt {slot}): {}.",
                count(&r.first().cloned().unwrap_or(Value::Null)),
                reading(r.get(1).unwrap_or(&Value::Null))
            ),
            None => format!("{who} bấm xóa phiếu vừa nhập ở {stack} (lượt {slot}) khi chưa có phiếu nào."),
        },
        "ballot.correct" => {
            let mut s = format!(
                "{who} sửa phiếu số {} của {stack} (lượt {slot}): trước là {}",
                count(&data["seq"]),
                reading(&data["from"])
            );
            if !data["to"].is_null() {
                s.push_str(&format!(", nay là {}", reading(&data["to"])));
            }
            s + "."
        }
        "entry.finish" => {
            let mut s = format!("{who} nhập xong lượt {slot} của {stack}");
            if let Some(n) = data["ballots"].as_u64() {
                s.push_str(&format!(": {n} phiếu"));
            }
            if !data["stack_status"].is_null() {
                s.push_str(&format!("; {}", stack_status(&data["stack_status"])));
            }
            s + "."
        }
        "entry.reopen" => {
            let operator = names.user_by_id(entry.map(|e| e.operator_id));
            format!("{who} mở lại lượt nhập {slot} ({operator}) của {stack}.")
        }
        "stack.reconcile" => {
            let open = ids(&data["differing"]);
            if open.is_empty() || data["status"].as_str() == Some("accepted") {
                format!("Đối chiếu {stack}: {}.", stack_status(&data["status"]))
            } else {
                let seqs: Vec<String> = open.iter().map(i64::to_string).collect();
                format!(
                    "Đối chiếu {stack}: {} phiếu chênh lệch giữa các lượt nhập (số {}).",
                    open.len(),
                    seqs.join(", ")
                )
            }
        }
        "stack.resolve" => {
            let decided = if data["code"].is_null() {
                "không có tờ phiếu này".to_owned()
            } else {
                reading(&data["code"])
            };
            format!(
                "{who} xem tờ phiếu và quyết định phiếu số {} của {stack}: {decided}.",
                count(&data["seq"])
            )
        }
        "resolutions.withdrawn" => format!(
            "Một lượt nhập của {stack} thay đổi: {} quyết định của ban kiểm phiếu về chồng phiếu này được rút lại, phải đối chiếu lại.",
            count(&data["withdrawn"])
        ),
        "round.close" => {
            let id = data["round_id"].as_i64().or(names.within);
            let valid = id.and_then(|i| names.rounds.get(&i)).and_then(|r| r.valid);
            match valid {
                Some(v) => format!("{who} kết thúc kiểm phiếu {}: {v} phiếu hợp lệ.", names.round(id)),
                None => format!("{who} kết thúc kiểm phiếu {}.", names.round(id)),
            }
        }
        "round.decide" => {
            let raw = if data["decision"].is_object() { &data["decision"] } else { data };
            let id = data["round_id"].as_i64().or(names.within);
            match serde_json::from_value::<NextDecision>(raw.clone()) {
                Ok(d) => format!("{who} quyết định sau kết quả {}: {}.", names.round(id), d.label()),
                Err(_) => {
                    format!("{who} ghi quyết định sau kết quả {} (không đọc được nội dung).", names.round(id))
                }
            }
        }
        "round.publish" => {
            format!("{who} công bố kết quả {}.", names.round(data["round_id"].as_i64().or(names.within)))
        }
        "round.unpublish" => format!(
            "{who} gỡ công bố kết quả {}, lý do: {}.",
            names.round(data["round_id"].as_i64().or(names.within)),
            text(&data["reason"])
        ),
        "round.reopen" => {
            let mut s = format!(
                "{who} mở lại {} đã kết thúc, lý do: {}; kết quả đã ghi bị xóa",
                names.round(data["round_id"].as_i64().or(names.within)),
                text(&data["reason"])
            );
            if data["decision_withdrawn"].as_bool() == Some(true) {
                s.push_str(", quyết định sau kết quả được rút lại");
            }
            if data["unpublished"].as_bool() == Some(true) {
                s.push_str(", kết quả được gỡ khỏi màn chiếu");
            }
            s + "."
        }
        "round.record_earlier" => format!(
            "{who} ghi bản kết quả cho {} lần bầu đã kết thúc ở phiên bản trước (tính lại từ các phiếu đã lưu).",
            data["rounds"].as_array().map_or(0, Vec::len)
        ),
        "backup.download" => format!(
            "{who} tải về bản sao lưu dữ liệu \"{}\" ({} mục nhật ký).",
            text(&data["file"]),
            count(&data["entries"])
        ),
        "integrity.baseline" => format!("{who} ghi dấu toàn vẹn của các dòng dữ liệu đã có."),
        other => format!("{who} thực hiện một thao tác phiên bản này chưa mô tả (mã \"{other}\")."),
    }
}

/// Whether an action carries an entry's ballot readings.
fn carries_readings(kind: &str) -> bool {
    matches!(kind, "ballot.enter" | "ballot.undo" | "ballot.correct" | "stack.resolve")
}

/// One line as people read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadableLine {
    /// The audit entry's number (none for a round's journal).
    pub seq: Option<i64>,
    /// Local time: "27/11/2026 17:41:05".
    pub at: String,
    /// "Lê Văn Trưởng Ban (head)".
    pub actor: String,
    pub sentence: String,
}

/// A round's journal as `actor` may read it.
#[derive(Debug, Clone)]
pub struct ReadableJournal {
    pub title: String,
    /// What the times are in: "giờ Việt Nam (UTC+7)".
    pub zone: String,
    pub lines: Vec<ReadableLine>,
}

/// The audit log's filters, each parsed against what exists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub round: Option<i64>,
    pub user: Option<String>,
    pub kind: Option<&'static str>,
}

/// The filters as they arrive (query parameters); an empty value means "all".
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AuditQuery {
    pub round: Option<String>,
    pub user: Option<String>,
    pub kind: Option<String>,
}

impl AuditQuery {
    fn parse(&self, names: &Names) -> Result<AuditFilter, AppError> {
        let given =
            |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let round = match given(&self.round) {
            None => None,
            Some(r) => {
                let id =
                    r.parse::<i64>().ok().filter(|id| names.rounds.contains_key(id)).ok_or_else(|| {
                        AppError::invalid(
                            "round",
                            format!("Không có lần bầu \"{}\" để lọc nhật ký.", short(&r)),
                        )
                    })?;
                Some(id)
            }
        };
        let user = match given(&self.user) {
            None => None,
            Some(u) if names.users.contains_key(&u) || u == baucu_store::integrity::SYSTEM_ACTOR => Some(u),
            Some(u) => {
                return Err(AppError::invalid(
                    "user",
                    format!("Không có tài khoản \"{}\" để lọc nhật ký.", short(&u)),
                ));
            }
        };
        let kind = match given(&self.kind) {
            None => None,
            Some(k) => Some(KINDS.iter().find(|(c, _)| *c == k).map(|(c, _)| *c).ok_or_else(|| {
                AppError::invalid("kind", format!("Không có loại thao tác \"{}\" để lọc nhật ký.", short(&k)))
            })?),
        };
        Ok(AuditFilter { round, user, kind })
    }
}

/// A value echoed in an error, bounded.
fn short(s: &str) -> String {
    let mut t: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        t.push('…');
    }
    t
}

/// The audit log as the audit page shows it.
#[derive(Debug, Clone)]
pub struct ReadableAudit {
    pub zone: String,
    pub filter: AuditFilter,
    /// In words, for the document's heading: "lần bầu thứ 1 — Bầu ban chấp hành; người thực hiện: …".
    pub filter_text: String,
    pub lines: Vec<ReadableLine>,
    /// More entries match than are shown.
    pub truncated: bool,
    /// The choices of the filter form: (value, label).
    pub rounds: Vec<(i64, String)>,
    pub users: Vec<(String, String)>,
}

/// How many audit entries the page shows at most; the PDF takes more.
pub const AUDIT_PAGE_LINES: usize = 300;
pub const AUDIT_PDF_LINES: usize = 3000;

fn audit_lines(
    c: &Connection,
    viewer: &Actor,
    zone: &LocalZone,
    query: &AuditQuery,
    limit: usize,
) -> Result<ReadableAudit, AppError> {
    let names = Names::load(c)?;
    let filter = query.parse(&names)?;
    let mut lines = Vec::new();
    let mut truncated = false;
    baucu_store::audit::newest_matching(c, filter.user.as_deref(), filter.kind, |e| {
        let data: Value = serde_json::from_str(&e.data).unwrap_or(Value::Null);
        if let Some(r) = filter.round
            && names.round_of(&data) != Some(r)
        {
            return Ok(true);
        }
        if lines.len() == limit {
            truncated = true;
            return Ok(false);
        }
        let hidden = carries_readings(&e.action) && !names.readings_visible(viewer, &data, true);
        lines.push(ReadableLine {
            seq: Some(e.seq),
            at: zone.show(&e.at),
            actor: names.actor_column(&e.actor),
            sentence: sentence(&e.action, &e.actor, &data, &names, hidden),
        });
        Ok(true)
    })?;
    let mut parts = Vec::new();
    if let Some(r) = filter.round {
        parts.push(names.round(Some(r)));
    }
    if let Some(u) = &filter.user {
        parts.push(format!("người thực hiện: {}", names.actor_column(u)));
    }
    if let Some(k) = filter.kind {
        parts.push(format!("thao tác: {}", kind_label(k).unwrap_or(k)));
    }
    let rounds = names.rounds.keys().map(|&id| (id, names.round(Some(id)))).collect();
    let mut users: Vec<(String, String)> =
        names.users.keys().map(|u| (u.clone(), names.actor_column(u))).collect();
    users.push((baucu_store::integrity::SYSTEM_ACTOR.to_owned(), "Hệ thống".to_owned()));
    Ok(ReadableAudit {
        zone: zone.label().to_owned(),
        filter,
        filter_text: if parts.is_empty() { "toàn bộ nhật ký".to_owned() } else { parts.join("; ") },
        lines,
        truncated,
        rounds,
        users,
    })
}

fn round_lines(
    c: &Connection,
    viewer: &Actor,
    zone: &LocalZone,
    round_id: i64,
) -> Result<ReadableJournal, AppError> {
    let (_, round) = load_round(c, round_id)?;
    let mut names = Names::load(c)?;
    names.within = Some(round_id);
    let mut lines = Vec::new();
    for row in db::journal_of(c, round_id)? {
        let kind = journal_kind(&row.kind);
        let mut data = match kind {
            "ballot.enter" => json!({ "code": row.detail }),
            "ballot.undo" => json!({ "removed": [row.seq, row.detail] }),
            _ => serde_json::from_str::<Value>(&row.detail).unwrap_or(Value::Null),
        };
        if !data.is_object() {
            data = if kind == "round.decide" { data } else { json!({}) };
        }
        if let Some(obj) = data.as_object_mut() {
            obj.entry("round_id").or_insert(json!(round_id));
            for (key, v) in [("stack_id", row.stack_id), ("entry_id", row.entry_id), ("seq", row.seq)] {
                if let Some(v) = v {
                    obj.insert(key.to_owned(), json!(v));
                }
            }
        }
        // The journal hides readings from everyone but the board head until the stack is reconciled.
        let hidden =
            row.entry_id.is_some() && carries_readings(kind) && !names.readings_visible(viewer, &data, false);
        lines.push(ReadableLine {
            seq: None,
            at: zone.show(&row.at),
            actor: names.actor_column(&row.actor),
            sentence: sentence(kind, &row.actor, &data, &names, hidden),
        });
    }
    Ok(ReadableJournal { title: round.title(), zone: zone.label().to_owned(), lines })
}

impl App {
    /// The audit log, newest first, filtered, in sentences and local time (at most
    /// [`AUDIT_PAGE_LINES`] entries). A filter value that names nothing is an error.
    pub async fn readable_audit(&self, actor: &Actor, query: AuditQuery) -> Result<ReadableAudit, AppError> {
        actor.require(Permission::ViewSetup)?;
        let (viewer, zone) = (actor.clone(), self.zone().clone());
        self.read(move |c| audit_lines(c, &viewer, &zone, &query, AUDIT_PAGE_LINES)).await
    }

    /// A round's journal in sentences and local time, as `actor` may read it.
    pub async fn readable_journal(&self, actor: &Actor, round_id: i64) -> Result<ReadableJournal, AppError> {
        actor.require(Permission::ViewCounting)?;
        let (viewer, zone) = (actor.clone(), self.zone().clone());
        self.read(move |c| round_lines(c, &viewer, &zone, round_id)).await
    }

    /// The filtered audit log as a PDF (at most [`AUDIT_PDF_LINES`] entries, newest first).
    pub async fn audit_pdf(&self, actor: &Actor, query: AuditQuery) -> Result<Download, AppError> {
        actor.require(Permission::ViewSetup)?;
        let (viewer, zone) = (actor.clone(), self.zone().clone());
        let audit = self.read(move |c| audit_lines(c, &viewer, &zone, &query, AUDIT_PDF_LINES)).await?;
        let organisation = self.congress().await?.map(|c| c.organisation).unwrap_or_default();
        let mut heading = format!("Lọc: {}", audit.filter_text);
        if audit.truncated {
            heading.push_str(&format!(" — {AUDIT_PDF_LINES} mục mới nhất"));
        }
        let doc = baucu_docs::JournalDoc {
            title: "Nhật ký thao tác".to_owned(),
            caption: "NHẬT KÝ THAO TÁC".to_owned(),
            organisation,
            heading,
            zone: audit.zone.clone(),
            numbered: true,
            rows: audit.lines.into_iter().map(doc_row).collect(),
        };
        render(doc, "nhat-ky-thao-tac.pdf").await
    }

    /// The ballot-entry journal of a round as a PDF, in sentences and local time.
    pub async fn journal_pdf(&self, actor: &Actor, round_id: i64) -> Result<Download, AppError> {
        let journal = self.readable_journal(actor, round_id).await?;
        let organisation = self.congress().await?.map(|c| c.organisation).unwrap_or_default();
        let doc = baucu_docs::JournalDoc {
            title: format!("Nhật ký nhập phiếu — {}", journal.title),
            caption: "NHẬT KÝ NHẬP PHIẾU".to_owned(),
            organisation,
            heading: journal.title,
            zone: journal.zone,
            numbered: false,
            rows: journal.lines.into_iter().map(doc_row).collect(),
        };
        render(doc, &format!("nhat-ky-nhap-phieu-lan-{round_id}.pdf")).await
    }
}

fn doc_row(l: ReadableLine) -> baucu_docs::JournalRow {
    baucu_docs::JournalRow {
        seq: l.seq.map(|s| s.to_string()).unwrap_or_default(),
        at: l.at,
        actor: l.actor,
        sentence: l.sentence,
    }
}

async fn render(doc: baucu_docs::JournalDoc, file_name: &str) -> Result<Download, AppError> {
    let bytes = tokio::task::spawn_blocking(move || doc.pdf())
        .await
        .map_err(|_| AppError::Conflict("Không tạo được nhật ký.".into()))?
        .map_err(|e| AppError::Conflict(e.0))?;
    Ok(Download { file_name: file_name.to_owned(), content_type: "application/pdf", bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_ballot_words_as_the_entry_screen() {
        assert_eq!(ballot_words("x:2,5"), "gạch 2, 5");
        assert_eq!(ballot_words("x:"), "không gạch tên nào");
        assert_eq!(ballot_words("m:aaaa"), "đồng ý tất cả");
        assert_eq!(ballot_words("m:adba"), "2: không đồng ý; 3: cả hai ô");
        assert_eq!(ballot_words("x:1!n!w"), "gạch 1, không do ban kiểm phiếu phát ra, ghi thêm tên");
        assert!(ballot_words("q:1").contains("không đọc được"));
        assert!(ballot_words("m:az").contains("không đọc được"));
    }

    #[test]
    fn journal_local_time_is_vietnam_by_default() {
        let zone = LocalZone::vietnam();
        assert_eq!(zone.label(), "giờ Việt Nam (UTC+7)");
        assert_eq!(zone.show("2026-11-27T10:41:05.5Z"), "27/11/2026 17:41:05");
        assert_eq!(zone.show("2026-12-31T20:00:00Z"), "01/01/2027 03:00:00");
        assert!(zone.show("hôm qua").contains("không đọc được"));
        let paris = LocalZone::parse("Europe/Paris").expect("zone");
        assert_eq!(paris.show("2026-07-01T10:00:00Z"), "01/07/2026 12:00:00");
        assert!(LocalZone::parse("Sao Hỏa/Thủ đô").is_err());
        assert_eq!(LocalZone::parse("Asia/Saigon").expect("zone"), zone);
    }

    #[test]
    fn journal_unknown_kind_keeps_its_code() {
        let names = Names::default();
        let s = sentence("round.teleport", "head", &json!({}), &names, false);
        assert!(s.contains("round.teleport"), "{s}");
        assert!(s.contains("chưa mô tả"), "{s}");
    }

    #[test]
    fn journal_hidden_readings_never_show_the_code() {
        let names = Names::default();
        let s =
            sentence("ballot.enter", "op1", &json!({ "entry_id": 1, "seq": 3, "code": "x:2" }), &names, true);
        assert!(s.contains(HIDDEN_READING) && !s.contains("gạch") && !s.contains("x:"), "{s}");
    }

    #[test]
    fn irreversible_journal_unpublish_and_reopen_say_why() {
        let names = Names::default();
        let data = json!({ "round_id": 4, "reason": "nhầm phòng" });
        let s = sentence("round.unpublish", "pres", &data, &names, false);
        assert!(s.contains("gỡ công bố") && s.contains("lý do: nhầm phòng"), "{s}");
        let data = json!({ "round_id": 4, "reason": "sai số phiếu", "unpublished": true, "decision_withdrawn": true });
        let s = sentence("round.reopen", "pres", &data, &names, false);
        assert!(s.contains("mở lại") && s.contains("lý do: sai số phiếu"), "{s}");
        assert!(s.contains("quyết định sau kết quả được rút lại") && s.contains("gỡ khỏi màn chiếu"), "{s}");
        let s = sentence("round.reopen", "pres", &json!({ "round_id": 4, "reason": "sai" }), &names, false);
        assert!(!s.contains("rút lại") && !s.contains("màn chiếu"), "{s}");
    }

    #[test]
    fn journal_every_known_kind_has_a_sentence() {
        let names = Names::default();
        for (kind, label) in KINDS {
            assert!(!label.is_empty());
            let s = sentence(kind, "hệ thống", &json!({}), &names, false);
            assert!(!s.contains("chưa mô tả"), "{kind}: {s}");
            assert!(!s.contains(kind), "{kind}: {s}");
        }
    }
}
