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
    /// The round belongs to a by-election plenum (bầu bổ sung): its titles say so.
    by_election: bool,
}

/// A by-election's ballot: "Bầu bổ sung …" in its title; the term is in the plenum's heading already;
/// no congress convenes it, so the stamp that makes it valid is the committee's.
fn by_election_ballot(doc: &mut baucu_docs::BallotDoc) {
    const STAMP: &str = "cấp ủy";
    doc.heading = crate::attendance::by_election_title(&doc.heading);
    doc.title = format!("Phiếu bầu — {}", doc.heading);
    doc.term.clear();
    doc.footer = doc.footer.replace(&doc.stamp_owner, STAMP);
    doc.stamp_owner = STAMP.into();
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
        let zone = self.zone().clone();
        // The kind of the node's own assembly: a by-election node heads every round by its plenum.
        let node_kind = congress.as_ref().map_or(AssemblyKind::MembersCongress, |c| c.assembly_kind);
        let by_election = node_kind == AssemblyKind::Plenum;
        self.read(move |c| {
            let (_, round) = load_round(c, round_id)?;
            if let Some(record) = &round.record {
                // The date and hour of the closing where the congress sits (the node's time zone).
                let local = zone.zoned(record.closed_at);
                let meta = baucu_rules::case::Meta {
                    congress: Some(crate::attendance::election_heading(
                        node_kind,
                        round.assembly.kind,
                        round.body,
                        &record.congress,
                        &record.organisation,
                        &record.term,
                    )),
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
                    by_election,
                });
            }
            let meta = baucu_rules::case::Meta {
                congress: congress.as_ref().map(|c| {
                    crate::attendance::election_heading(
                        node_kind,
                        round.assembly.kind,
                        round.body,
                        &c.name,
                        &c.organisation,
                        &c.term,
                    )
                }),
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
                by_election,
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
        let by_election = s.by_election;
        let (bytes, sheet) = tokio::task::spawn_blocking(move || {
            let mut doc =
                baucu_docs::BallotDoc::printed(&s.meta, &s.election, &key, paper, two_per_sheet, copies)?;
            if by_election {
                by_election_ballot(&mut doc);
            }
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
        // Each name's "không đồng ý" count of an agree/disagree round, as its record holds it.
        let disagree: Vec<Option<u64>> =
            s.round.record.iter().flat_map(|r| r.lines.iter().map(|l| l.disagree)).collect();
        let mut doc =
            baucu_docs::MinutesDoc::from_engine(&s.meta, &s.assembly, &s.election, &result, decision)
                .with_disagree(&disagree);
        doc.chain_head = s.round.record.as_ref().and_then(|r| r.audit_head.clone());
        if s.by_election {
            doc.heading = crate::attendance::by_election_title(&doc.heading);
            doc.title = format!("Biên bản kiểm phiếu — {}", doc.heading);
        }
        doc.reopenings = s.round.reopenings.iter().map(super::Reopening::sentence).collect();
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
                // Each person with the votes of the round that elected them, and the composition of the
                // new body: the same functions as the report to the superior (`crate::documents`).
                let mut rows = Vec::new();
                let mut officials = Vec::new();
                for m in crate::documents::elected_members(c, election_id)? {
                    let p = m.person;
                    rows.push(baucu_docs::ElectedRow {
                        name: p.full_name.clone(),
                        birth: crate::documents::birth_text(&p),
                        sex: crate::roster::label_of(&crate::roster::SEXES, &p.sex).into(),
                        ethnicity: p.ethnicity.clone(),
                        religion: p.religion.clone(),
                        education: p.education.clone(),
                        theory: crate::roster::label_of(&crate::roster::THEORY_LEVELS, &p.political_theory)
                            .into(),
                        first_time: p.first_time,
                        votes: m.votes,
                        percent: format!(
                            "{}%",
                            baucu_rules::Percent::from_hundredths(m.hundredths).to_vietnamese()
                        ),
                        hundredths: m.hundredths,
                        alternate: m.alternate,
                    });
                    if !m.alternate {
                        officials.push(p);
                    }
                }
                let (total, stats) = crate::documents::body_composition(&officials, opening);
                let title = if congress.as_ref().is_some_and(crate::congress::Congress::is_by_election) {
                    crate::attendance::by_election_title(&election.title())
                } else {
                    election.title()
                };
                Ok(baucu_docs::ElectedDoc {
                    title: format!("Danh sách trúng cử — {title}"),
                    organisation: congress.as_ref().map(|c| c.organisation.clone()).unwrap_or_default(),
                    congress: congress
                        .as_ref()
                        .map(|c| {
                            crate::attendance::election_heading(
                                c.assembly_kind,
                                election.assembly_kind,
                                election.body,
                                &c.name,
                                &c.organisation,
                                &c.term,
                            )
                        })
                        .unwrap_or_default(),
                    term: congress.as_ref().map(|c| c.term.clone()).unwrap_or_default(),
                    heading: title,
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
