//! The two documents the presidium reads from: the election rules read to the congress (thể lệ bầu
//! cử) and the presidium's running script (kịch bản điều hành), both made from the congress's own
//! data — its attendance and base, the show-of-hands votes, each election's seats and list in ballot
//! order, the counting board. Every figure arrives already decided (the base and threshold by the
//! engine's assembly, the ballot order by the engine's list, the invalid reasons in the engine's own
//! words); this module only writes the sentences around them, once, as a list of blocks that the PDF
//! (Typst) and the Word file lay out alike.

use crate::DocError;
use crate::office::{BaseRow, OfficeHead, Signer};
use baucu_rules::Layout;
use docx_rs::{AlignmentType, Docx, Paragraph, Table, TableCell, TableRow};
use serde::Serialize;

/// The line written by hand where a figure or a name is not known yet.
const BLANK: &str = "……………";

/// The attendance of the congress as the app's attendance summary gives it (the engine's assembly).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceFacts {
    pub summoned: u64,
    pub present: u64,
    pub absent: u64,
    /// `B`, the engine's base.
    pub base: u64,
    /// `T`, the engine's threshold for `B`.
    pub threshold: u64,
    /// The base line by line, as the minutes state it.
    pub lines: Vec<BaseRow>,
}

/// A show-of-hands vote of the congress as recorded: the persons it elected and its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandsVote {
    pub names: Vec<String>,
    pub votes_for: u32,
    pub votes_against: u32,
}

/// The counting board the congress voted (head first, then members in the order voted; technical
/// staff apart), with the vote's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardFacts {
    pub head: String,
    pub members: Vec<String>,
    pub technical: Vec<String>,
    pub votes_for: u32,
    pub votes_against: u32,
}

/// One election as it stands: its seats, its list in ballot order, what the congress voted on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectionFacts {
    /// The election's number in the node (for the screens that link it).
    pub id: i64,
    /// "Bầu ban chấp hành", as the election names itself.
    pub title: String,
    /// "Ban Chấp hành", the body, capitalised.
    pub body: String,
    /// Elected by the first plenum of the new committee, not by the congress.
    pub plenum: bool,
    /// Delegates to the higher congress: the superior allocates the seats, the congress does not
    /// vote them.
    pub delegates: bool,
    pub seats: u32,
    pub alternate_seats: u32,
    /// The show of hands on the seats (for, against), if recorded.
    pub seats_vote: Option<(i64, i64)>,
    /// The show of hands approving the list (for, against), if recorded.
    pub list_vote: Option<(i64, i64)>,
    /// The names on the ballot, in ballot order (the engine's).
    pub ballot: Vec<String>,
    /// The names withdrawn from the list.
    pub withdrawn: Vec<String>,
    /// The ballot's layout, once the list decides it.
    pub layout: Option<Layout>,
    /// The body the names are drawn from ("Ban Chấp hành"), if any.
    pub drawn_from: Option<String>,
    /// For a plenum's election: its base and threshold as its first recorded round took them.
    pub recorded_base: Option<(u64, u64)>,
}

/// Everything both documents are made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptFacts {
    pub head: OfficeHead,
    /// "Đại hội Đảng bộ xã … lần thứ …".
    pub congress: String,
    pub organisation: String,
    pub term: String,
    /// "Ban Chấp hành Đảng bộ xã … khóa …": the convening committee, empty when not named.
    pub convening_committee: String,
    /// "đại biểu" or "đảng viên".
    pub who: String,
    pub attendance: Option<AttendanceFacts>,
    pub presidium: Option<HandsVote>,
    pub secretariat: Option<HandsVote>,
    /// Only at a delegates' congress.
    pub credentials_committee: Option<HandsVote>,
    pub delegates_congress: bool,
    pub board: Option<BoardFacts>,
    /// The counting board the committee's first plenum voted of its own (its latest show-of-hands
    /// vote on it), when recorded.
    pub plenum_board: Option<BoardFacts>,
    /// In the order the elections were defined.
    pub elections: Vec<ElectionFacts>,
    /// What makes a ballot invalid, in the engine's words and order (first matching reason wins).
    pub invalid_reasons: Vec<String>,
}

/// One block of a document: the PDF and the Word file lay out the same blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A section heading.
    Heading { text: String },
    /// A paragraph of the document.
    Text { text: String },
    /// What the speaker says, word for word.
    Say { who: String, text: String },
    /// A stage direction.
    Note { text: String },
    /// A numbered list (names in ballot order).
    Numbered { items: Vec<String> },
    /// A list of points.
    Bullets { items: Vec<String> },
}

/// Which of the two documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptKind {
    /// Thể lệ bầu cử.
    RulesText,
    /// Kịch bản điều hành.
    RunningScript,
}

/// A document made of blocks, with the motto head, its title lines and its signers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScriptDoc {
    #[serde(skip)]
    pub kind: ScriptKind,
    pub title: String,
    pub head: OfficeHead,
    /// "THỂ LỆ BẦU CỬ", "KỊCH BẢN ĐIỀU HÀNH".
    pub heading: String,
    pub subheading: String,
    pub blocks: Vec<Block>,
    pub signers: Vec<Signer>,
}

fn heading(text: impl Into<String>) -> Block {
    Block::Heading { text: text.into() }
}

fn text(text: impl Into<String>) -> Block {
    Block::Text { text: text.into() }
}

fn note(text: impl Into<String>) -> Block {
    Block::Note { text: text.into() }
}

fn say(who: &str, text: impl Into<String>) -> Block {
    Block::Say { who: who.into(), text: text.into() }
}

const CHAIR: &str = "Chủ tọa";
const BOARD_HEAD: &str = "Trưởng Ban kiểm phiếu";

/// "30 tán thành, 0 không tán thành", or a line to fill.
fn counts(vote: Option<(i64, i64)>) -> String {
    match vote {
        Some((f, a)) => format!("{f} tán thành, {a} không tán thành"),
        None => format!("{BLANK} tán thành, {BLANK} không tán thành"),
    }
}

/// The names a vote elected, or `n` numbered lines to fill.
fn names_or_blanks(names: Option<&[String]>, blanks: usize) -> Block {
    match names {
        Some(n) if !n.is_empty() => Block::Numbered { items: n.to_vec() },
        _ => Block::Numbered { items: vec![format!("Đồng chí {BLANK}"); blanks] },
    }
}

/// How the voter marks the ballot of a layout; `seats` names the most a strike ballot may keep.
fn how_to_mark(layout: Layout, seats: Option<u32>) -> String {
    let most = match seats {
        Some(n) => format!("quá {n} người"),
        None => "nhiều hơn số lượng cần bầu".into(),
    };
    match layout {
        Layout::Strike => format!(
            "Phiếu bầu theo danh sách có số dư: đồng chí không bầu cho ai thì gạch ngang cả họ và tên người \
             đó; tên không bị gạch là bầu cho người đó. Phiếu bầu không được để lại {most}."
        ),
        Layout::AgreeDisagree => "Phiếu bầu theo danh sách không có số dư: ở mỗi dòng, đánh dấu X vào một \
                                  ô \"Đồng ý\" hoặc \"Không đồng ý\"; chỉ dòng đánh dấu \"Đồng ý\" được \
                                  tính là bầu cho người đó."
            .into(),
    }
}

impl ScriptFacts {
    fn congress_elections(&self) -> impl Iterator<Item = &ElectionFacts> {
        self.elections.iter().filter(|e| !e.plenum)
    }

    fn plenum_elections(&self) -> impl Iterator<Item = &ElectionFacts> {
        self.elections.iter().filter(|e| e.plenum)
    }

    /// "số làm căn cứ … là 130; người trúng cử phải được ít nhất 66 phiếu".
    fn majority_sentence(&self) -> String {
        match &self.attendance {
            Some(a) => format!(
                "Số làm căn cứ tính kết quả bầu cử của Đại hội là B = {} (số {} được triệu tập trừ các \
                 trường hợp được trừ theo Quy chế). Người trúng cử phải được số phiếu bầu quá một nửa so \
                 với số làm căn cứ, tức là ít nhất T = {} phiếu.",
                a.base, self.who, a.threshold
            ),
            None => format!(
                "Số làm căn cứ tính kết quả bầu cử của Đại hội là B = {BLANK} (chưa điểm danh). Người \
                 trúng cử phải được số phiếu bầu quá một nửa so với số làm căn cứ."
            ),
        }
    }

    fn board_head(&self) -> String {
        match &self.board {
            Some(b) => format!("đồng chí {}", b.head),
            None => format!("đồng chí {BLANK}"),
        }
    }

    /// Thể lệ bầu cử.
    pub fn rules_text(&self) -> ScriptDoc {
        let mut b = vec![
            heading("I. Nguyên tắc bầu cử"),
            text(
                "Việc bầu cử thực hiện theo Quy chế bầu cử trong Đảng ban hành kèm theo Quyết định số 190-QĐ/TW \
             ngày 10 tháng 10 năm 2024 của Bộ Chính trị: bảo đảm nguyên tắc tập trung dân chủ, bầu bằng phiếu \
             kín (Điều 3). Chỉ đảng viên chính thức được bầu cử, ứng cử và đề cử; đảng viên dự bị không bầu \
             cử, ứng cử, đề cử.",
            ),
            text(
                "Bầu bằng phiếu kín: Ban Chấp hành, Ban Thường vụ, Bí thư, Phó Bí thư, Ủy ban kiểm tra, Chủ \
             nhiệm Ủy ban kiểm tra và đại biểu dự đại hội cấp trên. Biểu quyết giơ tay: Đoàn Chủ tịch, Đoàn \
             Thư ký, Ban thẩm tra tư cách đại biểu, Ban kiểm phiếu, số lượng cần bầu, danh sách bầu cử và \
             việc rút khỏi danh sách.",
            ),
        ];
        b.push(heading("II. Ban kiểm phiếu"));
        match &self.board {
            Some(board) => {
                b.push(text(format!(
                    "Ban kiểm phiếu do Đại hội bầu bằng biểu quyết giơ tay ({}), gồm {} đồng chí:",
                    counts(Some((i64::from(board.votes_for), i64::from(board.votes_against)))),
                    1 + board.members.len()
                )));
                let mut items = vec![format!("Đồng chí {} — Trưởng ban", board.head)];
                items.extend(board.members.iter().map(|m| format!("Đồng chí {m} — Thành viên")));
                b.push(Block::Numbered { items });
                if !board.technical.is_empty() {
                    b.push(text(format!(
                        "Giúp việc kỹ thuật cho Ban kiểm phiếu (không phải thành viên Ban kiểm phiếu): {}.",
                        board.technical.join(", ")
                    )));
                }
            }
            None => {
                b.push(text("Ban kiểm phiếu do Đại hội bầu bằng biểu quyết giơ tay, gồm các đồng chí:"));
                b.push(names_or_blanks(None, 5));
            }
        }
        b.push(text(
            "Ban kiểm phiếu kiểm tra thùng phiếu trước khi bỏ phiếu, phát phiếu, hướng dẫn cách bầu, kiểm \
             phiếu, lập biên bản kiểm phiếu và công bố kết quả trước Đại hội.",
        ));

        b.push(heading("III. Số lượng cần bầu và danh sách bầu cử"));
        let congress: Vec<&ElectionFacts> = self.congress_elections().collect();
        if congress.is_empty() {
            b.push(text("Đại hội chưa có cuộc bầu nào."));
        }
        for (i, e) in congress.iter().enumerate() {
            b.push(Block::Text { text: format!("{}. {}", i + 1, e.title) });
            b.push(text(seats_sentence(e)));
            if e.ballot.is_empty() {
                b.push(text("Danh sách bầu cử: chưa lập xong."));
            } else {
                b.push(text(format!(
                    "Danh sách bầu cử gồm {} đồng chí, xếp theo thứ tự trên phiếu bầu:",
                    e.ballot.len()
                )));
                b.push(Block::Numbered { items: e.ballot.clone() });
            }
            match e.layout {
                Some(l) => b.push(text(how_to_mark(l, Some(e.seats)))),
                None => b.push(text("Hình thức phiếu bầu: xác định khi danh sách được thông qua.")),
            }
        }

        b.push(heading("IV. Phiếu bầu và cách bầu"));
        b.push(text(format!(
            "Phiếu bầu do Ban kiểm phiếu phát ra, có dấu của cấp ủy triệu tập đại hội ở góc trên bên trái. \
             Mỗi {} nhận một phiếu cho mỗi cuộc bầu, tự viết phiếu và tự tay bỏ phiếu vào thùng phiếu.",
            self.who
        )));
        b.push(Block::Bullets {
            items: vec![how_to_mark(Layout::Strike, None), how_to_mark(Layout::AgreeDisagree, None)],
        });
        b.push(text(
            "Tên chỉ bị gạch một phần (chỉ gạch họ hoặc chỉ gạch tên) được tính là không bị gạch, trừ khi Ban \
             kiểm phiếu quyết định khác.",
        ));

        b.push(heading("V. Phiếu không hợp lệ"));
        b.push(text("Những phiếu sau đây là phiếu không hợp lệ (xét theo thứ tự dưới đây):"));
        b.push(Block::Numbered { items: self.invalid_reasons.iter().map(|r| capitalised(r)).collect() });
        b.push(text(
            "Phiếu không hợp lệ không được tính vào kết quả bầu cử. Trên phiếu đồng ý / không đồng ý có nhiều \
             người, dòng đánh dấu cả hai ô hoặc không đánh dấu ô nào không được tính phiếu cho người đó, \
             phiếu vẫn hợp lệ.",
        ));

        b.push(heading("VI. Nguyên tắc xác định người trúng cử"));
        b.push(text(self.majority_sentence()));
        if let Some(a) = &self.attendance {
            b.push(Block::Bullets { items: base_lines(a) });
        }
        b.push(text("Người trúng cử được xác định như sau:"));
        b.push(Block::Bullets {
            items: vec![
                "Nếu số người được quá một nửa số phiếu không nhiều hơn số lượng cần bầu thì tất cả những \
                 người đó trúng cử."
                    .into(),
                "Nếu nhiều hơn số lượng cần bầu thì lấy người có số phiếu cao hơn cho đến đủ số lượng; nếu ở \
                 vị trí cuối có nhiều người bằng phiếu nhau thì Đại hội bầu lại trong số những người bằng \
                 phiếu nhau để chọn đủ số lượng còn lại; ở lần bầu lại này lấy người có số phiếu cao hơn, \
                 không xét lại điều kiện quá một nửa."
                    .into(),
                "Nếu số người trúng cử ít hơn số lượng cần bầu thì Đoàn Chủ tịch báo cáo Đại hội; Đại hội \
                 quyết định có bầu tiếp hay không, bầu bao nhiêu người và với danh sách nào; Đại hội có thể \
                 quyết định không bầu đủ."
                    .into(),
                "Bầu đại biểu dự đại hội cấp trên: bầu đại biểu chính thức trước; những người tiếp theo \
                 cũng được quá một nửa số phiếu được công nhận là đại biểu dự khuyết theo thứ tự số phiếu \
                 từ cao xuống thấp, đến đủ số dự khuyết; số dự khuyết còn thiếu được bầu tiếp trong số những \
                 người còn lại."
                    .into(),
                "Tỷ lệ phần trăm số phiếu được tính so với số làm căn cứ; việc trúng cử được xác định bằng số \
                 phiếu, không dựa vào tỷ lệ đã làm tròn."
                    .into(),
            ],
        });
        ScriptDoc {
            kind: ScriptKind::RulesText,
            title: "Thể lệ bầu cử".into(),
            head: self.head.clone(),
            heading: "THỂ LỆ BẦU CỬ".into(),
            subheading: self.head.congress_line.clone(),
            blocks: b,
            signers: vec![Signer {
                on_behalf: "T/M Đoàn Chủ tịch".into(),
                capacity: String::new(),
                name: String::new(),
            }],
        }
    }

    /// Kịch bản điều hành.
    pub fn running_script(&self) -> ScriptDoc {
        let mut b = Vec::new();
        let who = self.who.as_str();
        let convening = if self.convening_committee.trim().is_empty() {
            "cấp ủy triệu tập đại hội".to_owned()
        } else {
            self.convening_committee.trim().to_owned()
        };
        b.push(heading("I. Khai mạc"));
        b.push(note("Ổn định tổ chức; chào cờ, hát Quốc ca, Quốc tế ca."));
        b.push(say(
            "Người dẫn chương trình",
            format!(
                "Kính thưa Đại hội! Thay mặt {convening}, tôi xin tuyên bố lý do và giới thiệu đại biểu dự \
                 {}.",
                self.head.congress_line
            ),
        ));
        let mut step = 0;
        let mut hands = |b: &mut Vec<Block>, what: &str, vote: Option<&HandsVote>, blanks: usize| {
            step += 1;
            b.push(heading(format!("{step}. Bầu {what}")));
            let n = vote.map(|v| v.names.len().to_string()).unwrap_or_else(|| BLANK.into());
            b.push(say(
                "Người dẫn chương trình",
                format!("{convening} đề nghị Đại hội bầu {what} gồm {n} đồng chí:"),
            ));
            b.push(names_or_blanks(vote.map(|v| v.names.as_slice()), blanks));
            b.push(say(
                "Người dẫn chương trình",
                "Đồng chí nào nhất trí xin giơ tay. Đồng chí nào không nhất trí xin giơ tay.",
            ));
            b.push(text(format!(
                "Kết quả biểu quyết: {}.",
                counts(vote.map(|v| (i64::from(v.votes_for), i64::from(v.votes_against))))
            )));
        };
        hands(&mut b, "Đoàn Chủ tịch", self.presidium.as_ref(), 3);
        hands(&mut b, "Đoàn Thư ký", self.secretariat.as_ref(), 2);
        if self.delegates_congress || self.credentials_committee.is_some() {
            hands(&mut b, "Ban thẩm tra tư cách đại biểu", self.credentials_committee.as_ref(), 3);
        }
        b.push(note("Đoàn Chủ tịch, Đoàn Thư ký lên vị trí làm việc."));

        b.push(heading(format!("II. Báo cáo số {who} có mặt; khai mạc")));
        match &self.attendance {
            Some(a) => {
                b.push(say(
                    CHAIR,
                    format!(
                        "Kính thưa Đại hội! Tổng số {who} được triệu tập: {}; có mặt: {}; vắng mặt: {}.",
                        a.summoned, a.present, a.absent
                    ),
                ));
                b.push(Block::Bullets { items: base_lines(a) });
                b.push(say(
                    CHAIR,
                    format!(
                        "Số làm căn cứ tính kết quả bầu cử của Đại hội là {}; người trúng cử phải được ít \
                         nhất {} phiếu. Đại hội đủ điều kiện tiến hành.",
                        a.base, a.threshold
                    ),
                ));
            }
            None => {
                b.push(say(
                    CHAIR,
                    format!(
                        "Kính thưa Đại hội! Tổng số {who} được triệu tập: {BLANK}; có mặt: {BLANK}; vắng mặt: \
                         {BLANK}. Số làm căn cứ tính kết quả bầu cử: {BLANK}."
                    ),
                ));
                b.push(note("Chưa điểm danh: ghi số liệu khi điểm danh xong."));
            }
        }
        b.push(say(CHAIR, format!("Tôi xin tuyên bố khai mạc {}.", self.congress)));
        b.push(note("Đại hội tiến hành các báo cáo, thảo luận theo chương trình trước phần bầu cử."));

        b.push(heading("III. Bầu Ban kiểm phiếu"));
        b.push(say(CHAIR, "Đoàn Chủ tịch đề nghị Đại hội bầu Ban kiểm phiếu gồm các đồng chí:"));
        match &self.board {
            Some(board) => {
                let mut items = vec![format!("Đồng chí {} — Trưởng ban", board.head)];
                items.extend(board.members.iter().map(|m| format!("Đồng chí {m} — Thành viên")));
                b.push(Block::Numbered { items });
                if !board.technical.is_empty() {
                    b.push(text(format!(
                        "Giúp việc kỹ thuật (không phải thành viên): {}.",
                        board.technical.join(", ")
                    )));
                }
            }
            None => b.push(names_or_blanks(None, 5)),
        }
        b.push(say(CHAIR, "Đồng chí nào nhất trí xin giơ tay. Đồng chí nào không nhất trí xin giơ tay."));
        b.push(text(format!(
            "Kết quả biểu quyết: {}.",
            counts(self.board.as_ref().map(|v| (i64::from(v.votes_for), i64::from(v.votes_against))))
        )));

        let majority = self.majority_sentence();
        let mut section = 3;
        let roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV"];
        let numeral = |n: usize| roman.get(n).map(|s| (*s).to_owned()).unwrap_or_else(|| (n + 1).to_string());
        for e in self.congress_elections() {
            b.push(heading(format!("{}. {}", numeral(section), e.title)));
            section += 1;
            self.election_steps(&mut b, e, &Sitting::congress(self, &majority));
        }
        let plenum: Vec<&ElectionFacts> = self.plenum_elections().collect();
        if !plenum.is_empty() {
            b.push(heading(format!("{}. Hội nghị lần thứ nhất Ban Chấp hành khóa mới", numeral(section))));
            section += 1;
            b.push(note(
                "Đại hội tạm dừng; Ban Chấp hành vừa được bầu họp hội nghị lần thứ nhất, do đồng chí được \
                 Ban Chấp hành khóa mới cử chủ trì. Số làm căn cứ của hội nghị là số ủy viên của cơ quan được \
                 triệu tập, trừ các trường hợp được trừ theo Quy chế.",
            ));
            if let Some(board) = &self.plenum_board {
                let members = match board.members.as_slice() {
                    [] => String::new(),
                    names => format!("; thành viên: các đồng chí {}", names.join(", ")),
                };
                b.push(text(format!(
                    "Hội nghị đã biểu quyết bầu Ban kiểm phiếu của hội nghị ({} tán thành, {} không tán thành): \
                     Trưởng ban: đồng chí {}{members}.",
                    board.votes_for, board.votes_against, board.head
                )));
            }
            for (k, e) in plenum.into_iter().enumerate() {
                b.push(heading(format!("{}.{}. {}", numeral(section - 1), k + 1, e.title)));
                let majority = match e.recorded_base {
                    Some((base, threshold)) => format!(
                        "Số làm căn cứ của hội nghị là {base}; người trúng cử phải được ít nhất {threshold} \
                         phiếu."
                    ),
                    None => format!(
                        "Số làm căn cứ của hội nghị là {BLANK}; người trúng cử phải được quá một nửa số đó."
                    ),
                };
                self.election_steps(&mut b, e, &Sitting::plenum(self, &majority));
            }
            b.push(note("Chủ trì hội nghị báo cáo Đại hội kết quả hội nghị lần thứ nhất."));
        }
        b.push(heading(format!("{}. Bế mạc", numeral(section))));
        b.push(say(
            CHAIR,
            format!(
                "Kính thưa Đại hội! {} đã hoàn thành chương trình đề ra. Tôi xin tuyên bố bế mạc Đại hội.",
                self.congress
            ),
        ));
        b.push(note("Chào cờ bế mạc."));
        ScriptDoc {
            kind: ScriptKind::RunningScript,
            title: "Kịch bản điều hành".into(),
            head: self.head.clone(),
            heading: "KỊCH BẢN ĐIỀU HÀNH".into(),
            subheading: self.head.congress_line.clone(),
            blocks: b,
            signers: vec![Signer {
                on_behalf: "T/M Đoàn Chủ tịch".into(),
                capacity: String::new(),
                name: String::new(),
            }],
        }
    }

    /// Seats, list, withdrawals, rules, voting, counting and the result of one election.
    fn election_steps(&self, b: &mut Vec<Block>, e: &ElectionFacts, at: &Sitting) {
        let (chair, assembly) = (at.chair, at.assembly);
        b.push(text(format!("1. Số lượng cần bầu: {}", seats_number(e))));
        if e.delegates {
            b.push(say(chair, seats_sentence(e)));
        } else {
            b.push(say(
                chair,
                format!(
                    "{} đề nghị {assembly} bầu {} đồng chí. Đồng chí nào nhất trí xin giơ tay. Đồng chí nào \
                     không nhất trí xin giơ tay.",
                    at.proposer, e.seats
                ),
            ));
            b.push(text(format!("Kết quả biểu quyết: {}.", counts(e.seats_vote))));
        }
        b.push(text("2. Danh sách bầu cử"));
        if let Some(from) = &e.drawn_from {
            b.push(note(format!("Người được bầu là ủy viên {from}.")));
        }
        if e.ballot.is_empty() {
            b.push(say(chair, format!("Danh sách bầu cử gồm {BLANK} đồng chí:")));
            b.push(names_or_blanks(None, e.seats.max(1) as usize));
        } else {
            b.push(say(
                chair,
                format!(
                    "{} xin công bố danh sách bầu cử gồm {} đồng chí, xếp theo thứ tự A, B, C trên phiếu bầu:",
                    at.proposer,
                    e.ballot.len()
                ),
            ));
            b.push(Block::Numbered { items: e.ballot.clone() });
        }
        b.push(text("3. Rút khỏi danh sách"));
        if e.withdrawn.is_empty() {
            b.push(say(
                chair,
                "Đồng chí nào có ý kiến xin rút khỏi danh sách bầu cử? Không có đồng chí nào xin rút.",
            ));
        } else {
            b.push(say(
                chair,
                format!(
                    "Các đồng chí sau đây xin rút khỏi danh sách và được {assembly} đồng ý: {}.",
                    e.withdrawn.join(", ")
                ),
            ));
        }
        b.push(say(
            chair,
            "Đồng chí nào nhất trí với danh sách bầu cử xin giơ tay. Đồng chí nào không nhất trí xin giơ tay.",
        ));
        b.push(text(format!("Kết quả biểu quyết thông qua danh sách: {}.", counts(e.list_vote))));
        b.push(text("4. Thể lệ bầu cử"));
        b.push(say(
            chair,
            format!("Mời {} thay mặt Ban kiểm phiếu đọc thể lệ bầu cử và hướng dẫn cách bầu.", at.board_head),
        ));
        let mut rules = Vec::new();
        if let Some(l) = e.layout {
            rules.push(how_to_mark(l, Some(e.seats)));
        }
        rules.push(at.majority.to_owned());
        b.push(say(BOARD_HEAD, rules.join(" ")));
        b.push(text("5. Bỏ phiếu"));
        b.push(say(
            BOARD_HEAD,
            format!(
                "Ban kiểm phiếu kiểm tra thùng phiếu trước {assembly} và phát phiếu bầu. Đề nghị các đồng chí \
                 kiểm tra phiếu bầu, có dấu {}; phiếu nào thiếu hoặc có sai sót xin đổi ngay.",
                at.stamp
            ),
        ));
        b.push(note("Các đồng chí lần lượt bỏ phiếu vào thùng phiếu."));
        b.push(say(
            BOARD_HEAD,
            "Đồng chí nào chưa bỏ phiếu? Tất cả đã bỏ phiếu; Ban kiểm phiếu xin phép làm việc.",
        ));
        b.push(text("6. Kiểm phiếu"));
        b.push(note(format!(
            "Ban kiểm phiếu kiểm phiếu tại phòng kiểm phiếu, nhập phiếu độc lập, đối chiếu và lập biên bản kiểm \
             phiếu; {assembly} làm việc theo chương trình trong khi chờ kết quả."
        )));
        b.push(text("7. Công bố kết quả"));
        b.push(say(
            BOARD_HEAD,
            format!(
                "Thay mặt Ban kiểm phiếu, tôi xin công bố biên bản kiểm phiếu {}: số phiếu phát ra, thu vào, \
                 hợp lệ, không hợp lệ; số phiếu bầu cho từng đồng chí và những đồng chí trúng cử.",
                e.title.to_lowercase()
            ),
        ));
        b.push(say(
            chair,
            format!(
                "{} báo cáo kết quả và, nếu còn thiếu người hoặc có người bằng phiếu nhau, đề nghị cách giải \
                 quyết để {assembly} quyết định.",
                at.proposer
            ),
        ));
    }
}

/// Who runs the election and before whom: the congress (the presidium, the board it voted) or the
/// first plenum (its chair, its own board).
struct Sitting<'a> {
    chair: &'static str,
    proposer: &'static str,
    assembly: &'static str,
    stamp: &'static str,
    board_head: String,
    majority: &'a str,
}

impl<'a> Sitting<'a> {
    fn congress(facts: &ScriptFacts, majority: &'a str) -> Self {
        Sitting {
            chair: CHAIR,
            proposer: "Đoàn Chủ tịch",
            assembly: "Đại hội",
            stamp: "của cấp ủy triệu tập đại hội",
            board_head: facts.board_head(),
            majority,
        }
    }

    fn plenum(facts: &ScriptFacts, majority: &'a str) -> Self {
        let head = facts.plenum_board.as_ref().map_or(BLANK, |b| b.head.as_str());
        Sitting {
            chair: "Chủ trì hội nghị",
            proposer: "Tôi",
            assembly: "hội nghị",
            stamp: "theo quy định",
            board_head: format!("đồng chí {head}, Trưởng Ban kiểm phiếu của hội nghị,"),
            majority,
        }
    }
}

/// "9 (chín)" is not written: the number, with the alternates for delegates.
fn seats_number(e: &ElectionFacts) -> String {
    if e.delegates && e.alternate_seats > 0 {
        format!("{} chính thức, {} dự khuyết", e.seats, e.alternate_seats)
    } else {
        e.seats.to_string()
    }
}

fn seats_sentence(e: &ElectionFacts) -> String {
    if e.delegates {
        let alternates = if e.alternate_seats > 0 {
            format!(" và {} đại biểu dự khuyết", e.alternate_seats)
        } else {
            String::new()
        };
        format!("Số lượng cần bầu theo phân bổ của cấp trên: {} đại biểu chính thức{alternates}.", e.seats)
    } else {
        let vote = match e.seats_vote {
            Some(_) => format!(" (Đại hội đã biểu quyết: {})", counts(e.seats_vote)),
            None => String::new(),
        };
        format!("Số lượng cần bầu: {} đồng chí{vote}.", e.seats)
    }
}

/// The base line by line as the attendance summary words it: "Tổng số … được triệu tập: 140",
/// "Trừ …: 3", "Số làm căn cứ …: 137".
fn base_lines(a: &AttendanceFacts) -> Vec<String> {
    a.lines.iter().map(|l| format!("{}: {}", l.label, l.count)).collect()
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

impl ScriptDoc {
    /// The PDF: `rules_text.typ` or `script.typ` by the document.
    pub fn pdf(&self) -> Result<Vec<u8>, DocError> {
        let template = match self.kind {
            ScriptKind::RulesText => "rules_text.typ",
            ScriptKind::RunningScript => "script.typ",
        };
        crate::pdf(template, self)
    }

    /// The Word file: the same blocks.
    pub fn docx(&self) -> Result<Vec<u8>, DocError> {
        let mut d = Docx::new().add_table(Table::new(vec![TableRow::new(vec![
            TableCell::new().add_paragraph(centered(bold(&self.head.organisation.to_uppercase()))),
            TableCell::new().add_paragraph(centered(bold("ĐẢNG CỘNG SẢN VIỆT NAM"))),
        ])]));
        if let Some(pd) = &self.head.place_date {
            d = d.add_paragraph(Paragraph::new().add_run(run(pd).italic()).align(AlignmentType::Right));
        }
        d = d.add_paragraph(centered(bold(&self.heading)));
        if !self.subheading.is_empty() {
            d = d.add_paragraph(centered(para(&self.subheading)));
        }
        for block in &self.blocks {
            match block {
                Block::Heading { text } => d = d.add_paragraph(bold(text)),
                Block::Text { text } => d = d.add_paragraph(para(text)),
                Block::Say { who, text } => {
                    d = d.add_paragraph(
                        Paragraph::new().add_run(run(&format!("{who}: ")).bold()).add_run(run(text).italic()),
                    )
                }
                Block::Note { text } => {
                    d = d.add_paragraph(Paragraph::new().add_run(run(&format!("({text})")).italic()))
                }
                Block::Numbered { items } => {
                    for (i, item) in items.iter().enumerate() {
                        d = d.add_paragraph(para(&format!("    {}. {item}", i + 1)));
                    }
                }
                Block::Bullets { items } => {
                    for item in items {
                        d = d.add_paragraph(para(&format!("    – {item}")));
                    }
                }
            }
        }
        for s in &self.signers {
            d = d.add_paragraph(para(""));
            if !s.on_behalf.is_empty() {
                d = d.add_paragraph(centered(bold(&s.on_behalf.to_uppercase())));
            }
            if !s.capacity.is_empty() {
                d = d.add_paragraph(centered(bold(&s.capacity.to_uppercase())));
            }
            d = d.add_paragraph(centered(Paragraph::new().add_run(run("(Ký, ghi rõ họ tên)").italic())));
        }
        let mut buffer = std::io::Cursor::new(Vec::new());
        d.build().pack(&mut buffer).map_err(|e| DocError(format!("không tạo được tệp Word: {e}")))?;
        Ok(buffer.into_inner())
    }
}

use crate::docx::{bold, centered, para, run};

#[cfg(test)]
mod tests {
    use super::*;
    use baucu_rules::InvalidReason;

    fn facts() -> ScriptFacts {
        let election = |title: &str, plenum: bool, layout: Option<Layout>, ballot: &[&str]| ElectionFacts {
            id: 1,
            title: title.into(),
            body: title.trim_start_matches("Bầu ").into(),
            plenum,
            delegates: false,
            seats: 3,
            alternate_seats: 0,
            seats_vote: Some((40, 0)),
            list_vote: None,
            ballot: ballot.iter().map(|s| (*s).to_owned()).collect(),
            withdrawn: vec!["Lê Văn Rút".into()],
            layout,
            drawn_from: plenum.then(|| "Ban Chấp hành".into()),
            recorded_base: None,
        };
        ScriptFacts {
            head: OfficeHead::new(
                "Đảng bộ xã Hải Thanh",
                "Đại hội Đảng bộ xã Hải Thanh lần thứ XXV",
                "2025–2030",
                "Hải Thanh",
                Some("2025-05-20"),
            ),
            congress: "Đại hội Đảng bộ xã Hải Thanh lần thứ XXV".into(),
            organisation: "Đảng bộ xã Hải Thanh".into(),
            term: "2025–2030".into(),
            convening_committee: String::new(),
            who: "đảng viên".into(),
            attendance: Some(AttendanceFacts {
                summoned: 45,
                present: 42,
                absent: 3,
                base: 44,
                threshold: 23,
                lines: vec![
                    BaseRow {
                        label: "Số đảng viên được triệu tập".into(), count: 45, sign: String::new()
                    },
                    BaseRow { label: "vắng mặt có lý do".into(), count: 1, sign: "-".into() },
                    BaseRow {
                        label: "Số làm căn cứ tính kết quả bầu cử (B)".into(),
                        count: 44,
                        sign: "=".into(),
                    },
                ],
            }),
            presidium: Some(HandsVote {
                names: vec!["Nguyễn Văn An".into()],
                votes_for: 42,
                votes_against: 0,
            }),
            secretariat: None,
            credentials_committee: None,
            delegates_congress: false,
            board: Some(BoardFacts {
                head: "Trần Thị Bình".into(),
                members: vec!["Phạm Văn Cường".into()],
                technical: vec!["Trần Văn Kỹ".into()],
                votes_for: 42,
                votes_against: 0,
            }),
            plenum_board: None,
            elections: vec![
                election(
                    "Bầu ban chấp hành",
                    false,
                    Some(Layout::Strike),
                    &["Bùi Thị Ánh", "Lê Văn Bảo", "Võ Thị Cúc", "Đỗ Văn Dũng"],
                ),
                election("Bầu bí thư", true, None, &[]),
            ],
            invalid_reasons: InvalidReason::ALL
                .iter()
                .map(|r| baucu_rules::messages::invalid_reason(*r).to_owned())
                .collect(),
        }
    }

    fn words(doc: &ScriptDoc) -> String {
        let mut out = String::new();
        for b in &doc.blocks {
            match b {
                Block::Heading { text } | Block::Text { text } | Block::Note { text } => out.push_str(text),
                Block::Say { who, text } => out.push_str(&format!("{who}: {text}")),
                Block::Numbered { items } | Block::Bullets { items } => out.push_str(&items.join("\n")),
            }
            out.push('\n');
        }
        out
    }

    #[test]
    fn running_script_both_templates_compile_to_pdf_and_word() {
        let f = facts();
        for doc in [f.rules_text(), f.running_script()] {
            let pdf = doc.pdf().expect("pdf");
            assert!(pdf.starts_with(b"%PDF"), "{}", doc.title);
            let again = doc.pdf().expect("pdf");
            assert_eq!(pdf, again, "deterministic: {}", doc.title);
            let word = doc.docx().expect("docx");
            assert!(word.starts_with(b"PK"), "{}", doc.title);
        }
    }

    #[test]
    fn running_script_rules_text_carries_the_engine_reasons_base_and_board() {
        let f = facts();
        let text = words(&f.rules_text());
        for r in &f.invalid_reasons {
            assert!(text.contains(&capitalised(r)), "{r}: {text}");
        }
        assert!(text.contains("B = 44") && text.contains("T = 23"), "{text}");
        assert!(text.contains("Đồng chí Trần Thị Bình — Trưởng ban"), "{text}");
        assert!(text.contains("Trần Văn Kỹ"), "technical staff: {text}");
        assert!(text.contains("Bùi Thị Ánh\nLê Văn Bảo\nVõ Thị Cúc\nĐỗ Văn Dũng"), "ballot order: {text}");
        assert!(text.contains("không được để lại quá 3 người"), "{text}");
        // The plenum's elections are not read to the congress.
        assert!(!text.contains("Bầu bí thư"), "{text}");
    }

    /// The plenum's section names the board the plenum voted, and its head reads the rules there;
    /// without that vote, a line to fill.
    #[test]
    fn show_of_hands_plenum_board_in_the_running_script() {
        let mut f = facts();
        let text = words(&f.running_script());
        assert!(text.contains(&format!("đồng chí {BLANK}, Trưởng Ban kiểm phiếu của hội nghị")), "{text}");
        assert!(!text.contains("Hội nghị đã biểu quyết bầu Ban kiểm phiếu"), "{text}");
        f.plenum_board = Some(BoardFacts {
            head: "Đinh Văn Hội".into(),
            members: vec!["Mai Thị Nghị".into(), "Lò Văn Phiếu".into()],
            technical: Vec::new(),
            votes_for: 8,
            votes_against: 1,
        });
        let text = words(&f.running_script());
        assert!(
            text.contains(
                "Hội nghị đã biểu quyết bầu Ban kiểm phiếu của hội nghị (8 tán thành, 1 không tán thành): \
                 Trưởng ban: đồng chí Đinh Văn Hội; thành viên: các đồng chí Mai Thị Nghị, Lò Văn Phiếu."
            ),
            "{text}"
        );
        assert!(text.contains("đồng chí Đinh Văn Hội, Trưởng Ban kiểm phiếu của hội nghị"), "{text}");
        // The congress's part keeps the congress's board.
        assert!(text.contains("Trần Thị Bình"), "{text}");
    }

    #[test]
    fn running_script_fills_what_is_known_and_leaves_lines_for_the_rest() {
        let f = facts();
        let text = words(&f.running_script());
        assert!(text.contains("Nguyễn Văn An"), "presidium from the vote: {text}");
        assert!(text.contains(&format!("Đồng chí {BLANK}")), "secretariat not voted: blanks: {text}");
        assert!(text.contains("được triệu tập: 45; có mặt: 42; vắng mặt: 3"), "{text}");
        assert!(text.contains("là 44; người trúng cử phải được ít nhất 23 phiếu"), "{text}");
        assert!(text.contains("Lê Văn Rút"), "withdrawal: {text}");
        assert!(text.contains("Hội nghị lần thứ nhất") && text.contains("Bầu bí thư"), "{text}");
        let mut none = f.clone();
        none.attendance = None;
        none.board = None;
        let text = words(&none.running_script());
        assert!(text.contains(&format!("Tổng số đảng viên được triệu tập: {BLANK}")), "{text}");
        none.running_script().pdf().expect("a script with blanks compiles");
    }
}
