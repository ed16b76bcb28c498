//! What is printed from a round: ballots, count minutes, results workbook, entry journal, and the
//! list of the elected with the composition of the new body.

use super::*;

/// A document of a round, ready to download.
#[derive(Debug, Clone)]
pub struct Download {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// What a round's documents are made from: the engine's election, assembly and (once closed) result,
/// and the congress's description.
struct RoundSource {
    round: Round,
    election: baucu_rules::Election,
    assembly: Assembly,
    meta: baucu_rules::case::Meta,
    result: Option<baucu_rules::outcome::RoundResult>,
}

/// The decision as the minutes state it: a sentence of its own.
fn decision_text(d: &NextDecision) -> String {
    let label = d.label();
    let mut chars = label.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
    format!("{first}{}.", chars.as_str())
}

impl App {
    /// What a round's documents are made of. A closed round's minutes read only its record (the
    /// board, congress, date and place as they were at closing); ballots of an open round take the
    /// congress's description as it is now.
    async fn round_source(&self, actor: &Actor, round_id: i64) -> Result<RoundSource, AppError> {
        actor.require(Permission::ViewCounting)?;
        let congress = self.congress().await?;
        self.read(move |c| {
            let (_, round) = load_round(c, round_id)?;
            if let Some(record) = &round.record {
                let local = record.closed_at.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)));
                let meta = baucu_rules::case::Meta {
                    congress: Some(record.congress.clone()),
                    organisation: Some(record.organisation.clone()),
                    term: Some(record.term.clone()),
                    place: Some(record.place.clone()).filter(|p| !p.is_empty()),
                    date: Some(local.date().to_string()),
                    time: Some(format!("{:02} giờ {:02}", local.hour(), local.minute())),
                    round: u32::try_from(round.number).ok(),
                    counting_board: record.board.clone(),
                };
                return Ok(RoundSource {
                    election: record.election(round.body, round.purpose)?,
                    assembly: record.assembly()?,
                    result: Some(record.result()?),
                    meta,
                    round,
                });
            }
            let meta = baucu_rules::case::Meta {
                congress: congress.as_ref().map(|c| c.name.clone()),
                organisation: congress.as_ref().map(|c| c.organisation.clone()),
                term: congress.as_ref().map(|c| c.term.clone()),
                place: congress.as_ref().map(|c| c.place.clone()).filter(|p| !p.is_empty()),
                date: None,
                time: None,
                round: u32::try_from(round.number).ok(),
                counting_board: Vec::new(),
            };
            Ok(RoundSource {
                election: engine_election(&round)?,
                assembly: round.assembly.assembly()?,
                result: None,
                meta,
                round,
            })
        })
        .await
    }

    /// The round's ballots as a PDF (`copies` identical copies; no serial numbers), one per sheet.
    pub async fn ballots_pdf(
        &self,
        actor: &Actor,
        round_id: i64,
        paper: baucu_docs::Paper,
        copies: u32,
    ) -> Result<Download, AppError> {
        self.ballot_sheets_pdf(actor, round_id, paper, false, copies).await
    }

    /// The round's ballots as a PDF: each ballot on one sheet of `paper` or, when the list does not fit
    /// it, of the next larger paper (`baucu_docs::ballot_layout`, the one layout the command line uses
    /// too); A5 ballots two to an A4 sheet when `two_per_sheet`. The file's name says the paper used.
    /// A list that fits no sheet is refused with the layout's message.
    pub async fn ballot_sheets_pdf(
        &self,
        actor: &Actor,
        round_id: i64,
        paper: baucu_docs::Paper,
        two_per_sheet: bool,
        copies: u32,
    ) -> Result<Download, AppError> {
        let s = self.round_source(actor, round_id).await?;
        // Each voter summoned one copy, and spares for spoilt papers; no more.
        if copies == 0 {
            return Err(AppError::invalid("copies", "Số bản in phải ít nhất là 1."));
        }
        let voters = s.round.assembly.summoned;
        crate::limits::at_most("copies", "Số bản in", copies, crate::limits::max_copies(voters))?;
        let key = format!("{}-{}", s.round.election_id, s.round.number);
        let (bytes, sheet) = tokio::task::spawn_blocking(move || {
            let doc =
                baucu_docs::BallotDoc::printed(&s.meta, &s.election, &key, paper, two_per_sheet, copies)?;
            Ok::<_, baucu_docs::DocError>((doc.pdf()?, doc.sheet))
        })
        .await
        .map_err(|_| AppError::Conflict("Không tạo được phiếu bầu.".into()))?
        .map_err(|e| AppError::Conflict(e.0))?;
        let layout =
            if sheet.two_per_sheet { "a5-2-tren-a4".to_owned() } else { sheet.paper.code().to_owned() };
        Ok(Download {
            file_name: format!("phieu-bau-lan-{round_id}-{layout}.pdf"),
            content_type: "application/pdf",
            bytes,
        })
    }

    /// How the round's ballot is laid out when `paper` is asked for, one ballot per sheet: the
    /// sentence the clerk reads beside the print form, or the layout's refusal when the list fits no
    /// sheet. The same `baucu_docs::ballot_layout` as [`App::ballot_sheets_pdf`].
    pub async fn ballot_plan(
        &self,
        actor: &Actor,
        round_id: i64,
        paper: baucu_docs::Paper,
    ) -> Result<Result<String, String>, AppError> {
        let s = self.round_source(actor, round_id).await?;
        let key = format!("{}-{}", s.round.election_id, s.round.number);
        Ok(baucu_docs::BallotDoc::printed(&s.meta, &s.election, &key, paper, false, 1)
            .map(|doc| doc.describe(false))
            .map_err(|e| e.0))
    }

    /// The count minutes of a closed round: `pdf`, `docx`, or the results as `xlsx`.
    pub async fn minutes(&self, actor: &Actor, round_id: i64, format: &str) -> Result<Download, AppError> {
        let s = self.round_source(actor, round_id).await?;
        let result = s
            .result
            .ok_or_else(|| AppError::Conflict("Lần bầu chưa có kết quả: chưa có biên bản.".into()))?;
        let decision = s.round.decision.as_ref().map(decision_text);
        let mut doc =
            baucu_docs::MinutesDoc::from_engine(&s.meta, &s.assembly, &s.election, &result, decision);
        doc.chain_head = s.round.record.as_ref().and_then(|r| r.audit_head.clone());
        let format = format.to_owned();
        let (bytes, content_type, ext) = tokio::task::spawn_blocking(move || match format.as_str() {
            "docx" => doc.docx().map(|b| {
                (b, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
            }),
            "xlsx" => doc
                .xlsx()
                .map(|b| (b, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")),
            _ => doc.pdf().map(|b| (b, "application/pdf", "pdf")),
        })
        .await
        .map_err(|_| AppError::Conflict("Không tạo được biên bản.".into()))?
        .map_err(|e| AppError::Conflict(e.0))?;
        let stem = if ext == "xlsx" { "ket-qua" } else { "bien-ban-kiem-phieu" };
        Ok(Download { file_name: format!("{stem}-lan-{round_id}.{ext}"), content_type, bytes })
    }
}

impl App {
    /// The list of the elected of an election with the composition of the new body (rules.md § 9):
    /// `pdf` or `xlsx`. Ages are taken at the congress's opening date.
    pub async fn elected_list(
        &self,
        actor: &Actor,
        election_id: i64,
        format: &str,
    ) -> Result<Download, AppError> {
        actor.require(Permission::ViewCounting)?;
        let congress = self.congress().await?;
        let opening = congress.as_ref().and_then(|c| c.opens_on);
        let doc = self
            .read(move |c| {
                let erow = edb::get(c, election_id)?.ok_or(AppError::NotFound("cuộc bầu cử"))?;
                let election = Election::from_row(&erow)?;
                // Votes from the recorded result of the round in which each person was elected.
                let mut votes: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
                for r in db::rounds_of(c, election_id)? {
                    let (_, round) = load_round(c, r.id)?;
                    for line in round.record.iter().flat_map(|rec| rec.lines.iter()) {
                        if matches!(line.outcome, Outcome::Elected | Outcome::Alternate) {
                            votes.insert(line.person_id, (line.votes, line.percent_of_base.hundredths()));
                        }
                    }
                }
                let mut rows = Vec::new();
                let mut officials = Vec::new();
                for (person_id, alternate) in edb::elected(c, election_id)? {
                    let p = Person::from_row(
                        persons::get(c, person_id)?.ok_or(AppError::NotFound("người trúng cử"))?,
                    )?;
                    let (v, h) = votes.get(&person_id).copied().unwrap_or((0, 0));
                    rows.push(baucu_docs::ElectedRow {
                        name: p.full_name.clone(),
                        birth: p
                            .birth_date
                            .map(|d| format!("{:02}/{:02}/{}", d.day(), d.month(), d.year()))
                            .unwrap_or_default(),
                        sex: crate::roster::label_of(&crate::roster::SEXES, &p.sex).into(),
                        ethnicity: p.ethnicity.clone(),
                        religion: p.religion.clone(),
                        education: p.education.clone(),
                        theory: crate::roster::label_of(&crate::roster::THEORY_LEVELS, &p.political_theory)
                            .into(),
                        first_time: p.first_time,
                        votes: v,
                        percent: format!("{},{:02}%", h / 100, h % 100),
                        hundredths: h,
                        alternate,
                    });
                    if !alternate {
                        officials.push(p);
                    }
                }
                // The composition of the new body, counted by the engine from typed facts.
                let day = |d: jiff::civil::Date| baucu_rules::composition::Day {
                    year: i32::from(d.year()),
                    month: d.month().unsigned_abs(),
                    day: d.day().unsigned_abs(),
                };
                let facts: Vec<baucu_rules::composition::MemberFacts> = officials
                    .iter()
                    .map(|p| baucu_rules::composition::MemberFacts {
                        female: p.sex == "female",
                        birth: p.birth_date.map(day),
                        ethnicity: p.ethnicity.clone(),
                        religion: p.religion.clone(),
                        first_time: p.first_time,
                        education: p.education.clone(),
                        theory: crate::roster::label_of(&crate::roster::THEORY_LEVELS, &p.political_theory)
                            .to_owned(),
                    })
                    .collect();
                let c = baucu_rules::composition::composition(&facts, opening.map(day));
                let total = c.total;
                let mut stats = vec![
                    baucu_docs::StatLine::new("Nữ", c.women, total),
                    baucu_docs::StatLine::new("Dưới 35 tuổi", c.under_35, total),
                    baucu_docs::StatLine::new("Dân tộc thiểu số", c.ethnic_minority, total),
                    baucu_docs::StatLine::new("Có tôn giáo", c.religious, total),
                    baucu_docs::StatLine::new("Tham gia lần đầu", c.first_time, total),
                ];
                stats.extend(c.education.into_iter().map(|(k, n)| {
                    let k = if k.is_empty() { "chưa ghi".to_owned() } else { k };
                    baucu_docs::StatLine::new(format!("Trình độ chuyên môn: {k}"), n, total)
                }));
                stats.extend(c.theory.into_iter().map(|(k, n)| {
                    let k = if k.is_empty() { "chưa có".to_owned() } else { k };
                    baucu_docs::StatLine::new(format!("Lý luận chính trị: {k}"), n, total)
                }));
                Ok(baucu_docs::ElectedDoc {
                    title: format!("Danh sách trúng cử — {}", election.title()),
                    organisation: congress.as_ref().map(|c| c.organisation.clone()).unwrap_or_default(),
                    congress: congress.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
                    term: congress.as_ref().map(|c| c.term.clone()).unwrap_or_default(),
                    heading: election.title(),
                    rows,
                    total,
                    stats,
                })
            })
            .await?;
        let format = format.to_owned();
        let (bytes, content_type, ext) = tokio::task::spawn_blocking(move || match format.as_str() {
            "xlsx" => doc
                .xlsx()
                .map(|b| (b, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")),
            _ => doc.pdf().map(|b| (b, "application/pdf", "pdf")),
        })
        .await
        .map_err(|_| AppError::Conflict("Không tạo được danh sách.".into()))?
        .map_err(|e| AppError::Conflict(e.0))?;
        Ok(Download { file_name: format!("danh-sach-trung-cu-{election_id}.{ext}"), content_type, bytes })
    }
}
