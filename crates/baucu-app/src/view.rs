//! What the pages name and show of the regulation's vocabulary, so that the web crate depends on the
//! application alone: the kinds of assembly, body, layout and round (the engine's own types,
//! re-exported as the application's), their Vietnamese labels, and a ballot as a person reads it.

use baucu_rules::ballot::{Ballot, BallotContent, Mark};
use baucu_rules::messages;

pub use baucu_rules::assembly::AssemblyKind;
pub use baucu_rules::election::{Body, Layout, Purpose};

/// "Danh sách có số dư (gạch tên)", … — the ballot layout in words.
pub fn layout_label(layout: Layout) -> &'static str {
    messages::layout(layout)
}

/// "Ban Chấp hành", "Bí thư", … — the body in words.
pub fn body_label(body: Body) -> &'static str {
    messages::body(body)
}

/// How one name reads on a ballot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineMark {
    /// Strike list: the name is kept (a vote).
    Kept,
    /// Strike list: the name is struck out.
    Struck,
    Agree,
    Disagree,
    /// Agree/disagree list: both boxes marked.
    Both,
    /// Agree/disagree list: neither box marked.
    Blank,
}

impl LineMark {
    /// The mark in words, for agree/disagree lists ("đồng ý", …); empty for a strike list.
    pub fn label(self) -> &'static str {
        match self {
            LineMark::Kept | LineMark::Struck => "",
            LineMark::Agree => "đồng ý",
            LineMark::Disagree => "không đồng ý",
            LineMark::Both => "cả hai ô",
            LineMark::Blank => "bỏ trống",
        }
    }
}

/// A ballot as a person reads it: each name with its mark, and the flags the reader noted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotReading {
    pub lines: Vec<(String, LineMark)>,
    pub flags: Vec<&'static str>,
}

/// Reads a stored ballot code against the round's names; `None` when the code is not a ballot.
pub fn read_ballot(code: &str, names: &[String]) -> Option<BallotReading> {
    let ballot = Ballot::from_code(code).ok()?;
    let lines = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mark = match &ballot.content {
                BallotContent::Strike(struck) if struck.contains(&(i as u32 + 1)) => LineMark::Struck,
                BallotContent::Strike(_) => LineMark::Kept,
                BallotContent::AgreeDisagree(marks) => match marks.get(i) {
                    Some(Mark::Agree) => LineMark::Agree,
                    Some(Mark::Disagree) => LineMark::Disagree,
                    Some(Mark::Both) => LineMark::Both,
                    _ => LineMark::Blank,
                },
            };
            (name.clone(), mark)
        })
        .collect();
    let flags = [
        (ballot.flags.not_issued, "không do ban kiểm phiếu phát ra"),
        (ballot.flags.write_in, "ghi thêm tên"),
        (ballot.flags.signed, "có ký tên"),
    ]
    .into_iter()
    .filter_map(|(on, text)| on.then_some(text))
    .collect();
    Some(BallotReading { lines, flags })
}
