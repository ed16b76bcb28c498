//! The congress's documents that are not a round's (`counting::documents` prints those): the
//! credentials report, the candidates' summary list of each election list, the poll ballots and the
//! report of the congress's results to the superior. Every figure is read, never recomputed: the
//! attendance and the base from the app's attendance summary (the engine's assembly), votes and
//! percentages from the recorded results, the composition of a body from the engine's `composition`.

use crate::attendance::assembly_of;
use crate::counting::Download;
use crate::elections::{CandidateStatus, Election};
use crate::roster::{DELEGATE_KINDS, Person, SEXES, THEORY_LEVELS, label_of};
use crate::{Actor, App, AppError, Permission};
use baucu_docs::StatLine;
use baucu_docs::office::{
    BaseRow, CredentialsDoc, KindRow, OfficeHead, PlanSection, PollBallotDoc, ReportBody, ReportRow,
    ResultsReportDoc, Signer, StatGroup, SummaryListDoc, SummaryRow,
};
use baucu_rules::Percent;
use baucu_rules::assembly::AssemblyKind;
use baucu_rules::composition::{Day, MemberFacts, composition};
use baucu_rules::outcome::Outcome;
use baucu_rules::roster::{Absence, Standing};
use baucu_store::persons;
use std::collections::{BTreeMap, BTreeSet};

use crate::votes::{Subject, VoteRole};
pub use baucu_docs::office::PollKind;
use baucu_docs::script::{AttendanceFacts, BoardFacts, ElectionFacts, HandsVote, ScriptFacts};
use baucu_rules::InvalidReason;
use baucu_rules::case::BoardRole;
use baucu_rules::outcome::NextStep;

/// A file format an office document comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficeFormat {
    Pdf,
    Docx,
    Xlsx,
}

impl OfficeFormat {
    /// Reads a file extension; anything else is not a format of these documents.
    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext {
            "pdf" => Some(OfficeFormat::Pdf),
            "docx" => Some(OfficeFormat::Docx),
            "xlsx" => Some(OfficeFormat::Xlsx),
            _ => None,
        }
    }

    fn extension(self) -> &'static str {
        match self {
            OfficeFormat::Pdf => "pdf",
            OfficeFormat::Docx => "docx",
            OfficeFormat::Xlsx => "xlsx",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            OfficeFormat::Pdf => "application/pdf",
            OfficeFormat::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            OfficeFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// A calendar date as the engine's composition reads it.
pub(crate) fn day(d: jiff::civil::Date) -> Day {
    Day { year: i32::from(d.year()), month: d.month().unsigned_abs(), day: d.day().unsigned_abs() }
}

/// "93,28%": the engine's percentage, written one way in every output.
fn vn_percent(p: Percent) -> String {
    format!("{}%", p.to_vietnamese())
}

/// The person's birth as the composition reads it: a year alone counts from 1 January (age by year,
/// as the office counts it).
fn birth_day(p: &Person) -> Option<Day> {
    p.birth_date.map(|b| day(b.day_for_age()))
}

/// `dd/mm/yyyy`, as offices write dates; empty when not known.
fn dmy(d: Option<jiff::civil::Date>) -> String {
    d.map(|d| format!("{:02}/{:02}/{}", d.day(), d.month(), d.year())).unwrap_or_default()
}

/// The person's birth date as the documents print it.
pub(crate) fn birth_text(p: &Person) -> String {
    p.birth_date.map(|b| b.to_string()).unwrap_or_default()
}

/// What the engine's composition needs to know of a person.
pub(crate) fn member_facts(p: &Person) -> MemberFacts {
    MemberFacts {
        female: p.sex == "female",
        birth: birth_day(p),
        ethnicity: p.ethnicity.clone(),
        religion: p.religion.clone(),
        first_time: p.first_time,
        education: p.education.clone(),
        theory: label_of(&THEORY_LEVELS, &p.political_theory).to_owned(),
    }
}

/// The composition of a newly elected body (rules.md § 9), counted by the engine, as the lines of
/// the list of the elected and of the report to the superior: (members, lines).
pub(crate) fn body_composition(
    members: &[Person],
    opening: Option<jiff::civil::Date>,
) -> (u64, Vec<StatLine>) {
    let facts: Vec<MemberFacts> = members.iter().map(member_facts).collect();
    let c = composition(&facts, opening.map(day));
    let total = c.total;
    let mut stats = vec![
        StatLine::new("Nữ", c.women, total),
        StatLine::new("Dưới 35 tuổi", c.under_35, total),
        StatLine::new("Dân tộc thiểu số", c.ethnic_minority, total),
        StatLine::new("Có tôn giáo", c.religious, total),
        StatLine::new("Tham gia lần đầu", c.first_time, total),
    ];
    stats.extend(c.education.into_iter().map(|(k, n)| {
        let k = if k.is_empty() { "chưa ghi".to_owned() } else { k };
        StatLine::new(format!("Trình độ chuyên môn: {k}"), n, total)
    }));
    stats.extend(c.theory.into_iter().map(|(k, n)| {
        let k = if k.is_empty() { "chưa có".to_owned() } else { k };
        StatLine::new(format!("Lý luận chính trị: {k}"), n, total)
    }));
    (total, stats)
}

/// One person elected in an election, with the votes and percentage of the base recorded in the
/// round that elected them.
pub(crate) struct ElectedMember {
    pub person: Person,
    pub alternate: bool,
    pub votes: u64,
    pub hundredths: u64,
}

/// The people elected in an election (officials first), each with the figures of the recorded result
/// of the round in which they were elected.
pub(crate) fn elected_members(
    c: &baucu_store::rusqlite::Connection,
    election_id: i64,
) -> Result<Vec<ElectedMember>, AppError> {
    // The votes a person was elected with are those of the round in which they passed the majority.
    // A tie-break round only settles a tie among people who had already passed it, without the
    // majority again (rules.md § 5): its count is not their share of the base, so a winner of a
    // tie-break keeps the votes of the round in which they were tied.
    let mut votes: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
    let mut tied: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
    for r in baucu_store::counting::rounds_of(c, election_id)? {
        let (_, round) = crate::counting::load_round(c, r.id)?;
        let tie_break = round.purpose == baucu_rules::election::Purpose::TieBreak;
        for line in round.record.iter().flat_map(|rec| rec.lines.iter()) {
            let figures = (line.votes, line.percent_of_base.hundredths());
            match line.outcome {
                Outcome::Tied if line.passes_threshold => {
                    tied.entry(line.person_id).or_insert(figures);
                }
                Outcome::Elected | Outcome::Alternate => {
                    let passed = if tie_break { tied.get(&line.person_id).copied() } else { None };
                    votes.insert(line.person_id, passed.unwrap_or(figures));
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for (person_id, alternate) in baucu_store::elections::elected(c, election_id)? {
        let person =
            Person::from_row(persons::get(c, person_id)?.ok_or(AppError::NotFound("người trúng cử"))?)?;
        let (votes, hundredths) = votes.get(&person_id).copied().ok_or_else(|| {
            AppError::damaged(
                format!("Kết quả cuộc bầu số {election_id}"),
                format!("số phiếu của {}", person.full_name),
            )
        })?;
        out.push(ElectedMember { person, alternate, votes, hundredths });
    }
    Ok(out)
}

/// The congress, which every office document is headed with.
fn require_congress(c: Option<crate::congress::Congress>) -> Result<crate::congress::Congress, AppError> {
    c.ok_or_else(|| AppError::Conflict("Chưa khai báo đại hội: vào trang Đại hội trước.".into()))
}

fn head(c: &crate::congress::Congress, date: Option<jiff::civil::Date>) -> OfficeHead {
    let iso = date.map(|d| d.to_string());
    // A by-election plenum is headed by its heading, which carries its term.
    let (name, term) = if c.is_by_election() { (c.heading(), "") } else { (c.name.clone(), c.term.as_str()) };
    OfficeHead::new(&c.organisation, &name, term, &c.place, iso.as_deref())
}

/// "đại biểu" at a delegates' congress, "đảng viên" at a members' one, "ủy viên" at a plenum (a
/// by-election node's own assembly).
fn who(kind: AssemblyKind) -> &'static str {
    match kind {
        AssemblyKind::DelegatesCongress => "đại biểu",
        AssemblyKind::Plenum => "ủy viên",
        AssemblyKind::MembersCongress => "đảng viên",
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Whole years from `from` to `on` (age, years in the party); unknown when either is.
fn years(from: Option<Day>, on: Option<Day>) -> Option<i32> {
    Some(from?.age_on(on?))
}

/// A group of lines counting `people` into bands, each a share of `total`; a band nobody is in is
/// still shown, except "chưa ghi".
fn bands(
    title: &str,
    labels: &[&str],
    unknown: &str,
    of: impl Fn(&Person) -> Option<usize>,
    people: &[Person],
) -> StatGroup {
    let total = people.len() as u64;
    let mut counts = vec![0u64; labels.len()];
    let mut missing = 0u64;
    for p in people {
        match of(p) {
            Some(i) => counts[i] += 1,
            None => missing += 1,
        }
    }
    let mut lines: Vec<StatLine> =
        labels.iter().zip(counts).map(|(l, n)| StatLine::new(*l, n, total)).collect();
    if missing > 0 {
        lines.push(StatLine::new(unknown, missing, total));
    }
    StatGroup { title: title.into(), lines }
}

/// The composition of those present (the credentials report): sex, age band, ethnicity, religion,
/// years in the party, education and political theory. Women, minority, religion, education and
/// theory are the engine's counts; ages are the engine's `age_on` at the opening day.
fn present_composition(people: &[Person], opening: Option<Day>) -> Vec<StatGroup> {
    let facts: Vec<MemberFacts> = people.iter().map(member_facts).collect();
    let c = composition(&facts, opening);
    let total = c.total;
    let stated_ethnicity = facts.iter().filter(|f| !f.ethnicity.trim().is_empty()).count() as u64;
    let mut ethnicity = vec![
        StatLine::new("Dân tộc Kinh", stated_ethnicity - c.ethnic_minority, total),
        StatLine::new("Dân tộc thiểu số", c.ethnic_minority, total),
    ];
    if stated_ethnicity < total {
        ethnicity.push(StatLine::new("Chưa ghi dân tộc", total - stated_ethnicity, total));
    }
    let age = |p: &Person| {
        years(birth_day(p), opening).map(|a| match a {
            ..35 => 0,
            35..=50 => 1,
            _ => 2,
        })
    };
    let party_age = |p: &Person| {
        years(p.joined_on.map(day), opening).map(|a| match a {
            ..10 => 0,
            10..30 => 1,
            _ => 2,
        })
    };
    let named = |prefix: &str, map: BTreeMap<String, u64>, none: &str| StatGroup {
        title: prefix.into(),
        lines: map
            .into_iter()
            .map(|(k, n)| StatLine::new(if k.is_empty() { none.to_owned() } else { k }, n, total))
            .collect(),
    };
    vec![
        StatGroup {
            title: "Giới tính".into(),
            lines: vec![StatLine::new("Nam", total - c.women, total), StatLine::new("Nữ", c.women, total)],
        },
        bands(
            "Độ tuổi",
            &["Dưới 35 tuổi", "Từ 35 đến 50 tuổi", "Trên 50 tuổi"],
            "Chưa ghi ngày sinh",
            age,
            people,
        ),
        StatGroup { title: "Dân tộc".into(), lines: ethnicity },
        StatGroup {
            title: "Tôn giáo".into(),
            lines: vec![
                StatLine::new("Có tôn giáo", c.religious, total),
                StatLine::new("Không theo tôn giáo", total - c.religious, total),
            ],
        },
        bands(
            "Tuổi Đảng",
            &["Dưới 10 năm", "Từ 10 đến dưới 30 năm", "Từ 30 năm trở lên"],
            "Chưa ghi ngày vào Đảng",
            party_age,
            people,
        ),
        named("Trình độ chuyên môn", c.education, "Chưa ghi"),
        named("Lý luận chính trị", c.theory, "Chưa có"),
    ]
}

/// Runs a document's rendering on the blocking pool.
async fn render<D: Send + 'static>(
    doc: D,
    format: OfficeFormat,
    stem: String,
    f: impl FnOnce(&D, OfficeFormat) -> Result<Vec<u8>, baucu_docs::DocError> + Send + 'static,
) -> Result<Download, AppError> {
    let bytes = tokio::task::spawn_blocking(move || f(&doc, format))
        .await
        .map_err(|_| AppError::Conflict("Không tạo được tài liệu.".into()))?
        .map_err(|e| AppError::Conflict(e.0))?;
    Ok(Download {
        file_name: format!("{stem}.{}", format.extension()),
        content_type: format.content_type(),
        bytes,
    })
}

fn no_format(what: &str) -> AppError {
    AppError::NotFound(match what {
        "xlsx" => "tài liệu này ở dạng Excel",
        _ => "tài liệu này ở dạng Word",
    })
}

/// Where a step of the guided screen is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuidePlace {
    Attendance,
    Votes,
    Election(i64),
    Round(i64),
}

/// One step of the congress: done or not (from the live records), where it is done, and the words
/// the chair says at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideStep {
    pub title: String,
    pub done: bool,
    pub place: GuidePlace,
    pub say: String,
}

/// A part of the congress: the opening, or one election.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideSection {
    pub title: String,
    pub steps: Vec<GuideStep>,
}

/// The guided screen: every step in order, and the first not done (section, step).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guide {
    pub sections: Vec<GuideSection>,
    pub next: Option<(usize, usize)>,
}

impl App {
    /// What the election rules and the running script are made from: the congress, its attendance
    /// summary (the engine's base and threshold, never recomputed), the latest show-of-hands vote
    /// on the presidium, the secretariat, the credentials committee and the counting board (the
    /// board as `votes::voted_board` reads it), and every election with its list in ballot order;
    /// a plenum's election takes its base from its first recorded round.
    async fn script_facts(&self, actor: &Actor) -> Result<ScriptFacts, AppError> {
        actor.require(Permission::ViewCounting)?;
        let congress = require_congress(self.congress().await?)?;
        let attendance = self.attendance(actor, None).await?.report.map(|r| AttendanceFacts {
            summoned: u64::from(r.summoned),
            present: u64::from(r.present),
            absent: u64::from(r.absent),
            base: u64::from(r.base),
            threshold: r.threshold,
            lines: r
                .lines
                .iter()
                .map(|l| BaseRow {
                    label: l.label.clone(),
                    count: u64::from(l.count),
                    sign: l.sign.to_owned(),
                })
                .collect(),
        });
        // The congress's own votes (a plenum's are its own, not the congress's opening).
        use crate::attendance::SittingAssembly;
        let all_votes = self.votes(actor).await?;
        let votes: Vec<_> = all_votes.iter().filter(|v| v.assembly == SittingAssembly::Congress).collect();
        let latest = |subject: Subject| votes.iter().rev().find(|v| v.subject == subject).copied();
        let hands = |subject: Subject| {
            latest(subject).map(|v| HandsVote {
                names: v
                    .persons
                    .iter()
                    .filter(|p| p.role == VoteRole::Member)
                    .map(|p| p.name.clone())
                    .collect(),
                votes_for: v.votes_for,
                votes_against: v.votes_against,
            })
        };
        // The counting board an assembly voted (as `votes::voted_board` reads it) with its vote.
        let mut boards = Vec::new();
        for which in [SittingAssembly::Congress, SittingAssembly::Plenum(baucu_rules::Body::Committee)] {
            let voted = self.read(move |c| crate::votes::voted_board(c, which)).await?;
            let vote =
                all_votes.iter().rev().find(|v| v.subject == Subject::CountingBoard && v.assembly == which);
            boards.push(match (voted, vote) {
                (Some(members), Some(vote)) => {
                    let head = members
                        .iter()
                        .find(|m| m.role == BoardRole::Head)
                        .map(|m| m.name.clone())
                        .ok_or_else(|| AppError::damaged("Biểu quyết bầu ban kiểm phiếu", "trưởng ban"))?;
                    Some(BoardFacts {
                        head,
                        members: members
                            .iter()
                            .filter(|m| m.role == BoardRole::Member)
                            .map(|m| m.name.clone())
                            .collect(),
                        technical: vote
                            .persons
                            .iter()
                            .filter(|p| p.role == VoteRole::Technical)
                            .map(|p| p.name.clone())
                            .collect(),
                        votes_for: vote.votes_for,
                        votes_against: vote.votes_against,
                    })
                }
                _ => None,
            });
        }
        let plenum_board = boards.pop().flatten();
        let board = boards.pop().flatten();
        let mut elections = Vec::new();
        for e in self.elections(actor).await? {
            let detail = self.election(actor, e.id).await?;
            let plenum = e.assembly_kind == AssemblyKind::Plenum;
            let recorded_base = if plenum {
                let id = e.id;
                self.read(move |c| {
                    for r in baucu_store::counting::rounds_of(c, id)? {
                        let (_, round) = crate::counting::load_round(c, r.id)?;
                        if let Some(record) = &round.record {
                            let base = record.assembly()?.base();
                            return Ok(Some((u64::from(base.get()), base.threshold())));
                        }
                    }
                    Ok(None)
                })
                .await?
            } else {
                None
            };
            elections.push(ElectionFacts {
                id: e.id,
                title: e.title(),
                body: capitalised(crate::view::body_label(e.body)),
                plenum,
                delegates: e.body == baucu_rules::Body::Delegates,
                seats: e.seats,
                alternate_seats: e.alternate_seats,
                seats_vote: e.seats_for.zip(e.seats_against),
                list_vote: e.approve_for.zip(e.approve_against),
                ballot: detail.ballot.iter().map(|c| c.full_name.clone()).collect(),
                withdrawn: detail
                    .candidates
                    .iter()
                    .filter(|c| c.status == CandidateStatus::Withdrawn)
                    .map(|c| c.full_name.clone())
                    .collect(),
                layout: detail.layout,
                drawn_from: detail.drawn_from.clone(),
                recorded_base,
            });
        }
        let kind = congress.assembly_kind;
        Ok(ScriptFacts {
            head: head(&congress, congress.opens_on),
            congress: congress.name.clone(),
            organisation: congress.organisation.clone(),
            term: congress.term.clone(),
            convening_committee: congress.convening_committee.clone(),
            who: who(kind).into(),
            attendance,
            presidium: hands(Subject::Presidium),
            secretariat: hands(Subject::Secretariat),
            credentials_committee: hands(Subject::CredentialsCommittee),
            delegates_congress: kind == AssemblyKind::DelegatesCongress,
            board,
            plenum_board,
            elections,
            invalid_reasons: InvalidReason::ALL
                .iter()
                .map(|r| baucu_rules::messages::invalid_reason(*r).to_owned())
                .collect(),
        })
    }

    /// Thể lệ bầu cử: the election rules read to the congress, from its own data — the counting
    /// board it voted, each election's seats and list in ballot order and ballot layout, the invalid
    /// reasons in the engine's words, the majority with this congress's `B` and `T`.
    pub async fn rules_text(&self, actor: &Actor, format: OfficeFormat) -> Result<Download, AppError> {
        if format == OfficeFormat::Xlsx {
            return Err(no_format("xlsx"));
        }
        let doc = self.script_facts(actor).await?.rules_text();
        render(doc, format, "the-le-bau-cu".into(), |d, f| match f {
            OfficeFormat::Docx => d.docx(),
            _ => d.pdf(),
        })
        .await
    }

    /// Kịch bản điều hành: the congress step by step with the words the chair says, filled from the
    /// recorded attendance, votes and lists (lines to fill where nothing is recorded yet).
    pub async fn running_script(&self, actor: &Actor, format: OfficeFormat) -> Result<Download, AppError> {
        if format == OfficeFormat::Xlsx {
            return Err(no_format("xlsx"));
        }
        let doc = self.script_facts(actor).await?.running_script();
        render(doc, format, "kich-ban-dieu-hanh".into(), |d, f| match f {
            OfficeFormat::Docx => d.docx(),
            _ => d.pdf(),
        })
        .await
    }

    /// The presidium's guided screen: the congress step by step as the running script orders it
    /// (attendance, the show-of-hands votes, then each election of the congress and of the first
    /// plenum: list approved, round opened, counted and closed, next step decided where the result
    /// asks for one, published; a decided further round is the next round), each step done or not
    /// from the live records, with the words the chair says. The first step not done is the next.
    pub async fn guide(&self, actor: &Actor) -> Result<Guide, AppError> {
        let facts = self.script_facts(actor).await?;
        let votes = self.votes(actor).await?;
        let voted = |subject: Subject| {
            votes
                .iter()
                .any(|v| v.subject == subject && v.assembly == crate::attendance::SittingAssembly::Congress)
        };
        let mut sections = Vec::new();
        let mut opening = Vec::new();
        opening.push(GuideStep {
            title: "Điểm danh, báo cáo số có mặt".into(),
            done: facts.attendance.as_ref().is_some_and(|a| a.present > 0),
            place: GuidePlace::Attendance,
            say: match &facts.attendance {
                Some(a) => format!(
                    "Tổng số {} được triệu tập: {}; có mặt: {}; vắng mặt: {}. Số làm căn cứ tính kết quả bầu cử \
                     là {}; người trúng cử phải được ít nhất {} phiếu.",
                    facts.who, a.summoned, a.present, a.absent, a.base, a.threshold
                ),
                None => "Chưa có số liệu điểm danh.".into(),
            },
        });
        for (subject, body, names) in [
            (Subject::Presidium, "Đoàn Chủ tịch", facts.presidium.as_ref().map(|v| v.names.clone())),
            (Subject::Secretariat, "Đoàn Thư ký", facts.secretariat.as_ref().map(|v| v.names.clone())),
            (
                Subject::CountingBoard,
                "Ban kiểm phiếu",
                facts
                    .board
                    .as_ref()
                    .map(|b| std::iter::once(b.head.clone()).chain(b.members.clone()).collect()),
            ),
        ] {
            opening.push(GuideStep {
                title: format!("Biểu quyết bầu {body}"),
                done: voted(subject),
                place: GuidePlace::Votes,
                say: match names {
                    Some(n) => format!("Đại hội đã biểu quyết bầu {body} gồm các đồng chí: {}.", n.join(", ")),
                    None => format!(
                        "Đề nghị Đại hội bầu {body}. Đồng chí nào nhất trí xin giơ tay. Đồng chí nào không nhất \
                         trí xin giơ tay."
                    ),
                },
            });
        }
        sections.push(GuideSection { title: "Khai mạc".into(), steps: opening });
        let elections = self.elections(actor).await?;
        let mut ordered: Vec<&Election> =
            elections.iter().filter(|e| e.assembly_kind != AssemblyKind::Plenum).collect();
        ordered.extend(elections.iter().filter(|e| e.assembly_kind == AssemblyKind::Plenum));
        for e in ordered {
            let f = facts.elections.iter().find(|f| f.id == e.id);
            let plenum = e.assembly_kind == AssemblyKind::Plenum;
            let mut steps = vec![GuideStep {
                title: "Thông qua danh sách bầu cử".into(),
                done: e.approved,
                place: GuidePlace::Election(e.id),
                say: match f {
                    Some(f) if !f.ballot.is_empty() => format!(
                        "Danh sách bầu cử gồm {} đồng chí, theo thứ tự trên phiếu bầu: {}. Số lượng cần bầu: {}.",
                        f.ballot.len(),
                        f.ballot.join(", "),
                        e.seats
                    ),
                    _ => format!("Số lượng cần bầu: {}; danh sách bầu cử chưa lập xong.", e.seats),
                },
            }];
            let rounds = self.rounds_of(actor, e.id).await?;
            for r in &rounds {
                let n = r.number;
                steps.push(GuideStep {
                    title: format!("Lần bầu {n}: phát phiếu, bỏ phiếu"),
                    done: true,
                    place: GuidePlace::Round(r.id),
                    say: format!(
                        "Mời Ban kiểm phiếu phát phiếu; người trúng cử phải được ít nhất {} phiếu (số làm căn cứ {}).",
                        r.threshold, r.base
                    ),
                });
                steps.push(GuideStep {
                    title: format!("Lần bầu {n}: kiểm phiếu xong, có kết quả"),
                    done: r.closed,
                    place: GuidePlace::Round(r.id),
                    say: "Ban kiểm phiếu làm việc; khi đủ các chồng phiếu đã đối chiếu, kết thúc lần bầu."
                        .into(),
                });
                let open_step = r.record.as_ref().is_some_and(|rec| rec.next_step != NextStep::Complete);
                if open_step {
                    steps.push(GuideStep {
                        title: format!("Lần bầu {n}: Đoàn Chủ tịch quyết định bước tiếp theo"),
                        done: r.decision.is_some(),
                        place: GuidePlace::Round(r.id),
                        say: "Kết quả còn thiếu người hoặc có người bằng phiếu nhau: Đoàn Chủ tịch đề nghị cách giải \
                              quyết để Đại hội quyết định."
                            .into(),
                    });
                }
                steps.push(GuideStep {
                    title: format!("Lần bầu {n}: công bố kết quả"),
                    done: r.published,
                    place: GuidePlace::Round(r.id),
                    say: "Mời Trưởng Ban kiểm phiếu công bố biên bản kiểm phiếu.".into(),
                });
            }
            if rounds.is_empty() {
                steps.push(GuideStep {
                    title: "Mở lần bầu 1, in phiếu bầu".into(),
                    done: false,
                    place: GuidePlace::Election(e.id),
                    say: "Mời Trưởng Ban kiểm phiếu đọc thể lệ bầu cử và hướng dẫn cách bầu.".into(),
                });
                for title in ["Lần bầu 1: kiểm phiếu xong, có kết quả", "Lần bầu 1: công bố kết quả"]
                {
                    steps.push(GuideStep {
                        title: title.into(),
                        done: false,
                        place: GuidePlace::Election(e.id),
                        say:
                            "Ban kiểm phiếu làm việc, rồi Trưởng Ban kiểm phiếu công bố biên bản kiểm phiếu."
                                .into(),
                    });
                }
            }
            sections.push(GuideSection {
                title: format!("{}{}", e.title(), if plenum { " (hội nghị lần thứ nhất)" } else { "" }),
                steps,
            });
        }
        let mut next = None;
        for (i, s) in sections.iter().enumerate() {
            if let Some(j) = s.steps.iter().position(|st| !st.done) {
                next = Some((i, j));
                break;
            }
        }
        Ok(Guide { sections, next })
    }

    /// Báo cáo thẩm tra tư cách đại biểu: the attendance of the first sitting (the app's attendance
    /// summary, the engine's assembly and base) by kind, and the composition of those present.
    pub async fn credentials_report(
        &self,
        actor: &Actor,
        format: OfficeFormat,
    ) -> Result<Download, AppError> {
        actor.require(Permission::ViewCounting)?;
        let congress = require_congress(self.congress().await?)?;
        let attendance = self.attendance(actor, None).await?;
        let report = attendance.report.clone().ok_or_else(|| {
            AppError::Conflict("Chưa có ai được triệu tập: chưa có số liệu thẩm tra tư cách.".into())
        })?;
        let sitting = attendance.sitting.clone().ok_or_else(|| {
            AppError::Conflict(
                "Chưa có phiên họp nào: điểm danh trước khi lập báo cáo thẩm tra tư cách.".into(),
            )
        })?;
        let attended: BTreeSet<i64> =
            self.read(|c| Ok(persons::attended_any(c)?)).await?.into_iter().collect();
        let people: Vec<Person> = attendance.rows.iter().map(|r| r.person.clone()).collect();
        let checked: BTreeSet<i64> =
            attendance.rows.iter().filter(|r| r.checked_in).map(|r| r.person.id).collect();
        let kind = congress.assembly_kind;
        // How each person counts, by the same function the attendance summary uses.
        let (assembly, standings) = assembly_of(kind, &people, &attended, &checked)?;
        if (assembly.summoned(), assembly.present(), assembly.base().get())
            != (report.summoned, report.present, report.base)
        {
            return Err(AppError::Conflict("Số liệu điểm danh vừa thay đổi: tải lại báo cáo.".into()));
        }
        let kinds: Vec<(String, Option<&str>)> = match kind {
            AssemblyKind::DelegatesCongress => DELEGATE_KINDS
                .iter()
                .map(|(code, label)| (format!("Đại biểu {}", label.to_lowercase()), Some(*code)))
                .collect(),
            _ => vec![("Đảng viên chính thức".to_owned(), None)],
        };
        let mut rows: Vec<KindRow> = kinds
            .iter()
            .map(|(label, _)| KindRow {
                kind: label.clone(),
                summoned: 0,
                present: 0,
                absent_with_reason: 0,
                absent_without_reason: 0,
            })
            .collect();
        let mut present_people = Vec::new();
        for (p, s) in people.iter().zip(&standings) {
            if *s == Standing::NotSummoned {
                continue;
            }
            let i = kinds
                .iter()
                .position(|(_, code)| code.is_none() || *code == p.delegate_kind.as_deref())
                .ok_or_else(|| {
                    AppError::damaged(format!("Dữ liệu của đảng viên số {}", p.id), "loại đại biểu")
                })?;
            let row = &mut rows[i];
            row.summoned += 1;
            if checked.contains(&p.id) {
                row.present += 1;
                present_people.push(p.clone());
            } else if p.absence() == Absence::WithAcceptedReason {
                row.absent_with_reason += 1;
            } else {
                row.absent_without_reason += 1;
            }
        }
        rows.retain(|r| r.summoned > 0);
        let base_rows = report
            .lines
            .iter()
            .map(|l| BaseRow { label: l.label.clone(), count: u64::from(l.count), sign: l.sign.to_owned() })
            .collect();
        let opening =
            congress.opens_on.or_else(|| sitting.held_on.as_deref().and_then(crate::congress::parse_date));
        let who = who(kind);
        let doc = CredentialsDoc {
            title: format!("Báo cáo thẩm tra tư cách {who}"),
            head: head(&congress, opening),
            who: who.into(),
            sitting: sitting.name.clone(),
            summoned: u64::from(report.summoned),
            present: u64::from(report.present),
            absent: u64::from(report.absent),
            base: u64::from(report.base),
            threshold: report.threshold,
            present_percent: vn_percent(
                Percent::of(u64::from(report.present), u64::from(report.summoned)).unwrap_or(Percent::ZERO),
            ),
            kinds: rows,
            base_rows,
            composition: present_composition(&present_people, opening.map(day)),
            signers: vec![Signer {
                on_behalf: match kind {
                    AssemblyKind::DelegatesCongress => "T/M Ban thẩm tra tư cách đại biểu".into(),
                    _ => "T/M Đoàn Chủ tịch".into(),
                },
                capacity: match kind {
                    AssemblyKind::DelegatesCongress => "Trưởng ban".into(),
                    _ => String::new(),
                },
                name: String::new(),
            }],
        };
        render(doc, format, "bao-cao-tham-tra-tu-cach".into(), |d, f| match f {
            OfficeFormat::Pdf => d.pdf(),
            OfficeFormat::Docx => d.docx(),
            OfficeFormat::Xlsx => d.xlsx(),
        })
        .await
    }

    /// Danh sách trích ngang of an election list: every name on the ballot, in ballot order.
    pub async fn summary_list(
        &self,
        actor: &Actor,
        election_id: i64,
        format: OfficeFormat,
    ) -> Result<Download, AppError> {
        actor.require(Permission::ViewCounting)?;
        let congress = require_congress(self.congress().await?)?;
        let detail = self.election(actor, election_id).await?;
        if detail.ballot.is_empty() {
            return Err(AppError::Conflict(format!(
                "{}: danh sách bầu cử chưa có ai theo thứ tự trên phiếu.",
                detail.election.title()
            )));
        }
        let ids: Vec<i64> = detail.ballot.iter().map(|c| c.person_id).collect();
        let people = self
            .read(move |c| {
                ids.iter()
                    .map(|id| {
                        Person::from_row(
                            persons::get(c, *id)?.ok_or(AppError::NotFound("người trong danh sách"))?,
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .await?;
        let rows = people
            .iter()
            .map(|p| SummaryRow {
                name: p.full_name.clone(),
                birth: birth_text(p),
                sex: label_of(&SEXES, &p.sex).into(),
                hometown: p.hometown.clone(),
                ethnicity: p.ethnicity.clone(),
                religion: p.religion.clone(),
                position: p.position.clone(),
                education: p.education.clone(),
                theory: label_of(&THEORY_LEVELS, &p.political_theory).into(),
                joined_on: dmy(p.joined_on),
                official_on: dmy(p.official_on),
            })
            .collect();
        let on_behalf = if congress.convening_committee.trim().is_empty() {
            "T/M cấp ủy triệu tập đại hội".to_owned()
        } else {
            format!("T/M {}", congress.convening_committee.trim())
        };
        let doc = SummaryListDoc {
            title: format!("Danh sách trích ngang — {}", detail.election.title()),
            head: head(&congress, congress.opens_on),
            heading: format!(
                "Danh sách bầu cử {}",
                capitalised(crate::view::body_label(detail.election.body))
            ),
            rows,
            signers: vec![Signer { on_behalf, capacity: String::new(), name: String::new() }],
        };
        render(doc, format, format!("danh-sach-trich-ngang-{election_id}"), |d, f| match f {
            OfficeFormat::Pdf => d.pdf(),
            OfficeFormat::Docx => d.docx(),
            OfficeFormat::Xlsx => d.xlsx(),
        })
        .await
    }

    /// A poll ballot of an election, one sheet: `Nominate` (numbered blank lines, as many as seats)
    /// or `Opinion` (every name put forward and not withdrawn, in order of entry, with "Đồng ý" /
    /// "Không đồng ý").
    pub async fn poll_ballot(
        &self,
        actor: &Actor,
        election_id: i64,
        kind: PollKind,
    ) -> Result<Download, AppError> {
        actor.require(Permission::ViewCounting)?;
        let congress = require_congress(self.congress().await?)?;
        let detail = self.election(actor, election_id).await?;
        let nominees: Vec<String> = detail
            .candidates
            .iter()
            .filter(|c| c.status != CandidateStatus::Withdrawn)
            .map(|c| c.full_name.clone())
            .collect();
        let election: Election = detail.election;
        let by_election = congress.is_by_election();
        let heading = if by_election {
            crate::attendance::by_election_title(&election.title())
        } else {
            election.title()
        };
        let seats = election.seats;
        // A poll at a plenum is headed by the plenum, not the congress; a by-election plenum's heading
        // carries its term.
        let assembly = crate::attendance::election_heading(
            congress.assembly_kind,
            election.assembly_kind,
            election.body,
            &congress.name,
            &congress.organisation,
            &congress.term,
        );
        let poll_term = if by_election { String::new() } else { congress.term.clone() };
        let bytes = tokio::task::spawn_blocking(move || {
            PollBallotDoc::new(
                kind,
                &congress.organisation,
                &assembly,
                &poll_term,
                &heading,
                seats,
                &nominees,
            )?
            .pdf()
        })
        .await
        .map_err(|_| AppError::Conflict("Không tạo được phiếu.".into()))?
        .map_err(|e| AppError::Conflict(e.0))?;
        let stem = match kind {
            PollKind::Nominate => "phieu-gioi-thieu",
            PollKind::Opinion => "phieu-xin-y-kien",
        };
        Ok(Download {
            file_name: format!("{stem}-{election_id}.pdf"),
            content_type: "application/pdf",
            bytes,
        })
    }

    /// Báo cáo kết quả đại hội gửi cấp trên: every body elected with each person's votes and
    /// percentage of the base (from the recorded results), the composition of each new body (the
    /// engine's), the delegates official and alternate, and the audit chain's head. The assembly is
    /// the one the congress's first recorded round took (the congress's base is fixed once).
    pub async fn results_report(&self, actor: &Actor, format: OfficeFormat) -> Result<Download, AppError> {
        actor.require(Permission::ViewCounting)?;
        if format == OfficeFormat::Xlsx {
            return Err(no_format("xlsx"));
        }
        let congress = require_congress(self.congress().await?)?;
        let elections = self.elections(actor).await?;
        let opening = congress.opens_on;
        // A by-election node's own assembly is its plenum.
        let by_election = congress.is_by_election();
        let (assembly, bodies, (planned, plan), head_entry) = self
            .read(move |c| {
                let mut assembly = None;
                let mut bodies = Vec::new();
                // The departures from the personnel plan, per planned body elected (all its rounds).
                let plans = crate::plan::load(c)?;
                let mut plan = Vec::new();
                let mut compared: Vec<&'static str> = Vec::new();
                for e in &elections {
                    if assembly.is_none() && (by_election || e.assembly_kind != AssemblyKind::Plenum) {
                        for r in baucu_store::counting::rounds_of(c, e.id)? {
                            let (_, round) = crate::counting::load_round(c, r.id)?;
                            if let Some(record) = &round.record {
                                assembly = Some(record.assembly()?);
                                break;
                            }
                        }
                    }
                    let members = elected_members(c, e.id)?;
                    if members.is_empty() {
                        continue;
                    }
                    let row = |m: &ElectedMember| ReportRow {
                        name: m.person.full_name.clone(),
                        votes: m.votes,
                        percent: vn_percent(Percent::from_hundredths(m.hundredths)),
                        hundredths: m.hundredths,
                    };
                    let officials: Vec<Person> =
                        members.iter().filter(|m| !m.alternate).map(|m| m.person.clone()).collect();
                    let (total, composition) = if officials.len() > 1 {
                        body_composition(&officials, opening)
                    } else {
                        (officials.len() as u64, Vec::new())
                    };
                    if let Some(departures) = crate::plan::departures(c, e.id, e.body, None)? {
                        compared.push(e.body.code());
                        plan.push(PlanSection {
                            heading: capitalised(crate::view::body_label(e.body)),
                            departures: departures.into_iter().map(|d| d.text).collect(),
                        });
                    }
                    bodies.push(ReportBody {
                        heading: capitalised(crate::view::body_label(e.body)),
                        seats: e.seats,
                        elected: members.iter().filter(|m| !m.alternate).map(row).collect(),
                        alternates: members.iter().filter(|m| m.alternate).map(row).collect(),
                        composition,
                        total,
                    });
                }
                for p in &plans {
                    if !compared.contains(&p.body.code()) {
                        plan.push(PlanSection {
                            heading: capitalised(crate::view::body_label(p.body)),
                            departures: vec![format!("Chưa có kết quả bầu (kế hoạch {} người)", p.seats)],
                        });
                    }
                }
                let last = baucu_store::audit::recent(c, 1)?.into_iter().next();
                Ok((assembly, bodies, (!plans.is_empty(), plan), last.map(|e| (e.seq, e.hash))))
            })
            .await?;
        let assembly = assembly.ok_or_else(|| {
            AppError::Conflict("Đại hội chưa có kết quả bầu cử nào được ghi: chưa có báo cáo kết quả.".into())
        })?;
        let (chain_seq, chain_head) = head_entry.unwrap_or((0, baucu_store::audit::GENESIS.to_owned()));
        let who = who(congress.assembly_kind);
        let key_fingerprint = self.node_fingerprint().await?.unwrap_or_default();
        let doc = ResultsReportDoc {
            title: "Báo cáo kết quả đại hội".into(),
            recipient: String::new(),
            head: head(&congress, congress.closes_on.or(congress.opens_on)),
            who: who.into(),
            summoned: u64::from(assembly.summoned()),
            present: u64::from(assembly.present()),
            base: u64::from(assembly.base().get()),
            bodies,
            planned,
            plan,
            chain_head,
            chain_seq,
            key_fingerprint,
            signers: vec![Signer {
                on_behalf: if by_election { "T/M Ban Chấp hành" } else { "T/M Đoàn Chủ tịch" }.into(),
                capacity: String::new(),
                name: String::new(),
            }],
        };
        render(doc, format, "bao-cao-ket-qua-dai-hoi".into(), |d, f| match f {
            OfficeFormat::Docx => d.docx(),
            _ => d.pdf(),
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::BirthDate;

    fn date(y: i16, m: i8, d: i8) -> jiff::civil::Date {
        jiff::civil::Date::new(y, m, d).expect("date")
    }

    fn person(
        birth: Option<BirthDate>,
        joined: Option<jiff::civil::Date>,
        sex: &str,
        ethnicity: &str,
    ) -> Person {
        Person {
            id: 1,
            full_name: "Nguyễn Văn An".into(),
            birth_date: birth,
            sex: sex.into(),
            ethnicity: ethnicity.into(),
            religion: "Không".into(),
            party_status: "official".into(),
            delegate_kind: None,
            unit: String::new(),
            education: "Đại học".into(),
            political_theory: "advanced".into(),
            first_time: false,
            temporarily_transferred: false,
            exempted: false,
            suspended: false,
            prosecuted: false,
            absence: "none".into(),
            replaces_person_id: None,
            hometown: String::new(),
            position: String::new(),
            joined_on: joined,
            official_on: None,
        }
    }

    fn line<'a>(groups: &'a [StatGroup], title: &str, label: &str) -> &'a StatLine {
        groups
            .iter()
            .find(|g| g.title == title)
            .and_then(|g| g.lines.iter().find(|l| l.label == label))
            .unwrap_or_else(|| panic!("{title}: {label}"))
    }

    /// Age bands at the opening day: 34 is under 35, 35 and 50 are in 35–50, 51 is over 50; a year
    /// alone counts by year (1990 at a 2025 congress is 35). Years in the party: 9 is under 10, 30 is
    /// "30 and more". Unknown dates are counted apart, and every share is of those present.
    #[test]
    fn documents_readback_present_composition_bands_at_the_opening_day() {
        let opening = Some(day(date(2025, 5, 20)));
        let people = [
            person(Some(BirthDate::Day(date(1990, 5, 21))), Some(date(2016, 5, 21)), "female", "Kinh"),
            person(Some(BirthDate::Year(1990)), Some(date(1995, 5, 20)), "male", "Tày"),
            person(Some(BirthDate::Day(date(1975, 5, 20))), None, "male", "Kinh"),
            person(Some(BirthDate::Day(date(1974, 5, 19))), Some(date(2000, 1, 1)), "male", ""),
            person(None, None, "female", "kinh"),
        ];
        let groups = present_composition(&people, opening);
        let count = |title: &str, label: &str| line(&groups, title, label).count;
        assert_eq!(count("Giới tính", "Nữ"), 2);
        assert_eq!(line(&groups, "Giới tính", "Nữ").percent, "40,00%");
        assert_eq!(count("Độ tuổi", "Dưới 35 tuổi"), 1);
        assert_eq!(count("Độ tuổi", "Từ 35 đến 50 tuổi"), 2);
        assert_eq!(count("Độ tuổi", "Trên 50 tuổi"), 1);
        assert_eq!(count("Độ tuổi", "Chưa ghi ngày sinh"), 1);
        assert_eq!(count("Dân tộc", "Dân tộc Kinh"), 3);
        assert_eq!(count("Dân tộc", "Dân tộc thiểu số"), 1);
        assert_eq!(count("Dân tộc", "Chưa ghi dân tộc"), 1);
        assert_eq!(count("Tuổi Đảng", "Dưới 10 năm"), 1);
        assert_eq!(count("Tuổi Đảng", "Từ 10 đến dưới 30 năm"), 1);
        assert_eq!(count("Tuổi Đảng", "Từ 30 năm trở lên"), 1);
        assert_eq!(count("Tuổi Đảng", "Chưa ghi ngày vào Đảng"), 2);
        assert_eq!(count("Lý luận chính trị", "Cao cấp"), 5);
        assert_eq!(line(&groups, "Trình độ chuyên môn", "Đại học").percent, "100,00%");
        // Nobody present: no line divides by zero.
        assert!(present_composition(&[], opening).iter().flat_map(|g| &g.lines).all(|l| l.count == 0));
    }
}
