//! Is the node's data what its actions wrote? The audit chain, the digest of every row against the
//! file, and a chain head written down earlier (`baucu audit verify --expect-head`).

use crate::{App, AppError};
use baucu_store::audit::BreakReason;
pub use baucu_store::integrity::{Anchor, Problem as DataProblem};

/// One thing found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntegrityProblem {
    /// The chain of the log, or a row of the data, as the store found it.
    Data(DataProblem),
    /// A closed round whose stored result is not the engine's answer on its stored ballots.
    Recount { round_id: i64, title: String, why: String },
}

impl IntegrityProblem {
    /// The sentence a user reads.
    pub fn message(&self) -> String {
        match self {
            IntegrityProblem::Data(DataProblem::Chain(b)) => {
                let why = match b.reason {
                    BreakReason::HashMismatch => "nội dung mục này đã bị sửa",
                    BreakReason::ChainBroken => "mục này không nối với mục trước (có mục bị xóa hoặc chèn)",
                    BreakReason::Gap => "thiếu mục này (đã bị xóa)",
                };
                format!("Nhật ký, mục số {}: {why}.", b.seq)
            }
            IntegrityProblem::Data(DataProblem::UnreadableRows { seq }) => {
                format!(
                    "Nhật ký, mục số {seq}: không đọc được danh sách các dòng dữ liệu mà mục này ghi nhận."
                )
            }
            IntegrityProblem::Data(DataProblem::Added { table, key }) => {
                format!(
                    "Bảng {table}, dòng {key}: dòng được thêm ngoài phần mềm (nhật ký không ghi nhận dòng này)."
                )
            }
            IntegrityProblem::Data(DataProblem::Edited { table, key }) => {
                format!("Bảng {table}, dòng {key}: nội dung đã bị sửa ngoài phần mềm.")
            }
            IntegrityProblem::Data(DataProblem::Deleted { table, key }) => {
                format!("Bảng {table}, dòng {key}: dòng đã bị xóa ngoài phần mềm.")
            }
            IntegrityProblem::Recount { round_id, title, why } => {
                format!("Kiểm lại {title} (mã lần bầu {round_id}) từ các phiếu đã lưu: {why}.")
            }
        }
    }
}

/// What [`App::verify_integrity`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrityReport {
    /// How many entries the log holds.
    pub entries: i64,
    /// The chain head: the hash of the last entry (hex), or the genesis constant when the log is
    /// empty. Written down (or printed on the minutes), it lets a later check prove that nothing was
    /// cut from or rewritten in the log up to there.
    pub head: String,
    /// The expected head and where it is, when one was given.
    pub anchor: Option<(String, Anchor)>,
    /// The problems, in order: the chain's break, the rows, then the checks added by the app.
    pub problems: Vec<IntegrityProblem>,
    /// How many more problems the store found than it listed.
    pub unlisted: usize,
}

impl IntegrityReport {
    /// Nothing wrong, and the expected head (if any) found.
    pub fn intact(&self) -> bool {
        self.problems.is_empty() && self.unlisted == 0 && !matches!(self.anchor, Some((_, Anchor::Missing)))
    }

    /// The sentence about the expected head, when one was given.
    pub fn anchor_message(&self) -> Option<String> {
        self.anchor.as_ref().map(|(head, anchor)| match anchor {
            Anchor::Found { seq, following: 0 } => {
                format!("Mã đầu chuỗi đã ghi trước đó ({head}) có trong nhật ký: là mục số {seq}, mục cuối cùng.")
            }
            Anchor::Found { seq, following } => format!(
                "Mã đầu chuỗi đã ghi trước đó ({head}) có trong nhật ký: là mục số {seq}, sau đó có thêm {following} mục."
            ),
            Anchor::Missing => format!(
                "Mã đầu chuỗi đã ghi trước đó ({head}) KHÔNG có trong chuỗi nhật ký hợp lệ: nhật ký đã bị cắt bớt hoặc bị viết lại."
            ),
        })
    }
}

/// A chain head as typed: 64 hexadecimal digits, any case.
fn parse_head(text: &str) -> Result<String, AppError> {
    let head = text.trim().to_ascii_lowercase();
    if head.len() == 64 && head.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(head)
    } else {
        Err(AppError::invalid(
            "expect_head",
            "Mã đầu chuỗi nhật ký phải gồm đúng 64 chữ số thập lục phân (0–9, a–f).",
        ))
    }
}

impl App {
    /// Checks that the data is what the node's actions wrote: the audit chain from the first entry to
    /// the last, every row of every covered table against the digest the chain last recorded for it
    /// (a row added, edited or deleted behind the node's back is named by table and key), and, with
    /// `expect_head`, that a chain head written down earlier is still an entry of the valid chain.
    pub async fn verify_integrity(&self, expect_head: Option<String>) -> Result<IntegrityReport, AppError> {
        let expect = expect_head.as_deref().map(parse_head).transpose()?;
        let wanted = expect.clone();
        let found = self.read(move |c| Ok(baucu_store::integrity::verify(c, wanted.as_deref())?)).await?;
        let mut report = IntegrityReport {
            entries: found.entries,
            head: found.head,
            anchor: expect.zip(found.anchor),
            unlisted: found.total_problems - found.problems.len(),
            problems: found.problems.into_iter().map(IntegrityProblem::Data).collect(),
        };
        // Extension point: checks above the stored rows push their problems here.
        report.problems.extend(self.recount_closed_rounds().await?);
        Ok(report)
    }

    /// Recomputes every closed round through the engine from its stored ballots and compares it
    /// with its stored result: the digests prove that the rows are the ones the node wrote; this
    /// proves that the result written is the engine's answer on those ballots.
    async fn recount_closed_rounds(&self) -> Result<Vec<IntegrityProblem>, AppError> {
        self.read(|c| {
            let mut problems = Vec::new();
            for election in baucu_store::elections::all(c)? {
                let polls = baucu_store::counting::polls_of(c, election.id)?;
                for r in baucu_store::counting::rounds_of(c, election.id)?.into_iter().chain(polls) {
                    if let Some(why) = crate::counting::recount(c, r.id)? {
                        let title = if r.number < 0 {
                            format!(
                                "cuộc bầu số {}, lần kiểm phiếu xin ý kiến thứ {}",
                                election.id,
                                r.number.unsigned_abs()
                            )
                        } else {
                            format!("cuộc bầu số {}, lần bầu thứ {}", election.id, r.number)
                        };
                        problems.push(IntegrityProblem::Recount { round_id: r.id, title, why });
                    }
                }
            }
            Ok(problems)
        })
        .await
    }
}
