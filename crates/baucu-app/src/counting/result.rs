//! Where a result is made (closing a round into its record), what the presidium decides after it, and
//! publication; the recount that `baucu audit verify` compares with the record.

use super::*;
use crate::record::RecordLine;

impl App {
    /// Closes the round: every stack accepted, ballots issued and collected recorded, the stacks'
    /// agreed ballots adding up to the ballots collected (≤ issued). The engine decides; the result is
    /// recorded once (`record`), and the elected by person id.
    pub async fn close_round(&self, actor: &Actor, round_id: i64) -> Result<Value, AppError> {
        actor.require(Permission::ManageCounting)?;
        let poll = self
            .read(move |c| {
                Ok(db::get_round(c, round_id)?.ok_or(AppError::NotFound("lần bầu"))?.purpose == db::POLL)
            })
            .await?;
        if poll {
            return self.close_poll(actor, round_id).await;
        }
        let (at, who) = (self.now().to_string(), actor.username.clone());
        let result = self
            .counting_act(actor, "round.close", Some(round_id), move |c| {
                let (mut row, round) = load_round(c, round_id)?;
                if round.closed {
                    return Err(AppError::Conflict("Lần bầu đã kết thúc.".into()));
                }
                let stacks = db::stacks_of(c, round_id)?;
                if stacks.is_empty() {
                    return Err(AppError::Conflict("Chưa có chồng phiếu nào.".into()));
                }
                if let Some(s) = stacks.iter().find(|s| s.status != StackStatus::Accepted) {
                    return Err(AppError::Conflict(format!(
                        "Chồng phiếu \"{}\" chưa được đối chiếu xong.",
                        s.name
                    )));
                }
                let issued = row
                    .ballots_issued
                    .ok_or_else(|| AppError::Conflict("Chưa ghi số phiếu phát ra.".into()))?;
                let collected = row
                    .ballots_collected
                    .ok_or_else(|| AppError::Conflict("Chưa ghi số phiếu thu vào từ hòm phiếu.".into()))?;
                let codes = reconciled_codes(c, &stacks, collected)?;
                let record = write_record(c, &round, issued, &codes, &at, &who)?;
                let value = record.answer(round.body, round.purpose)?;
                row.status = "closed".into();
                row.closed_at = Some(at.clone());
                db::update_round(c, &row)?;
                db::journal(
                    c,
                    db::JournalAt::round(round_id),
                    &at,
                    &who,
                    "round.close",
                    &json!({ "next_step": record.next_step.code() }).to_string(),
                )?;
                Ok((value.clone(), json!({ "round_id": round_id, "result": value })))
            })
            .await?;
        self.closes.send_modify(|n| *n += 1);
        Ok(result)
    }

    /// Closes a poll counted like ballots: the same checks as any round (every stack reconciled, the
    /// stacks adding up to the ballots collected, ≤ issued); then the engine's tally of the agreed
    /// ballots gives each name's agreements, and the poll is recorded into the list exactly as typed
    /// totals are (`elections::apply_poll`, marked keyed), with those present at the poll as the base of
    /// the 30 % gate. No election result is made and no one is elected.
    async fn close_poll(&self, actor: &Actor, round_id: i64) -> Result<Value, AppError> {
        let (at, who) = (self.now().to_string(), actor.username.clone());
        self.counting_act(actor, "poll.close", Some(round_id), move |c| {
            let (mut row, round) = load_round(c, round_id)?;
            if round.closed {
                return Err(AppError::Conflict("Lần kiểm phiếu xin ý kiến đã kết thúc.".into()));
            }
            let stacks = db::stacks_of(c, round_id)?;
            if stacks.is_empty() {
                return Err(AppError::Conflict("Chưa có chồng phiếu nào.".into()));
            }
            if let Some(s) = stacks.iter().find(|s| s.status != StackStatus::Accepted) {
                return Err(AppError::Conflict(format!(
                    "Chồng phiếu \"{}\" chưa được đối chiếu xong.",
                    s.name
                )));
            }
            row.ballots_issued.ok_or_else(|| AppError::Conflict("Chưa ghi số phiếu phát ra.".into()))?;
            let collected = row
                .ballots_collected
                .ok_or_else(|| AppError::Conflict("Chưa ghi số phiếu thu vào từ hòm phiếu.".into()))?;
            let codes = reconciled_codes(c, &stacks, collected)?;
            let agreements = poll_agreements(&round, &codes)?;
            let cands = edb::candidates(c, round.election_id)?;
            let mut agrees = Vec::with_capacity(agreements.len());
            for (person_id, agree) in round.candidate_ids.iter().zip(&agreements) {
                let cand = cands
                    .iter()
                    .find(|x| x.person_id == *person_id)
                    .ok_or(AppError::NotFound("người có tên trong danh sách"))?;
                agrees.push((cand.id, u32::try_from(*agree).map_err(|_| damaged("số đồng ý"))?));
            }
            let present = round.assembly.present;
            let log = crate::elections::apply_poll(
                c,
                round.election_id,
                present,
                &agrees,
                crate::elections::PollSource::Keyed,
            )?;
            let result = PollResult {
                present,
                gate: log["gate"].as_u64().ok_or_else(|| damaged("ngưỡng lấy phiếu"))?,
                nominees: log["nominees"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|n| {
                        Ok(PollLine {
                            person_id: n["person_id"].as_i64().ok_or_else(|| damaged("người có tên"))?,
                            full_name: n["full_name"].as_str().unwrap_or_default().to_owned(),
                            agree: n["agree"]
                                .as_u64()
                                .and_then(|a| u32::try_from(a).ok())
                                .ok_or_else(|| damaged("số đồng ý"))?,
                            status: n["status"].as_str().unwrap_or_default().to_owned(),
                        })
                    })
                    .collect::<Result<_, AppError>>()?,
            };
            db::put_setting(
                c,
                &poll_result_key(round_id),
                &serde_json::to_string(&result).unwrap_or_default(),
            )?;
            row.status = "closed".into();
            row.closed_at = Some(at.clone());
            db::update_round(c, &row)?;
            db::journal(c, db::JournalAt::round(round_id), &at, &who, "poll.close", &log.to_string())?;
            let mut data = log.clone();
            data["round_id"] = json!(round_id);
            Ok((json!({ "round_id": round_id, "poll": result }), data))
        })
        .await
    }

    /// Creates what the presidium decided after a result, in one step.
    pub async fn decide_next(
        &self,
        actor: &Actor,
        round_id: i64,
        decision: NextDecision,
    ) -> Result<Option<i64>, AppError> {
        actor.require(Permission::RunRounds)?;
        let (at, who) = (self.now().to_string(), actor.username.clone());
        self.counting_act(actor, "round.decide", Some(round_id), move |c| {
            let (mut row, round) = load_round(c, round_id)?;
            let record =
                round.record.clone().ok_or_else(|| AppError::Conflict("Lần bầu chưa có kết quả.".into()))?;
            if round.decision.is_some() {
                return Err(AppError::Conflict("Đoàn chủ tịch đã quyết định cho lần bầu này.".into()));
            }
            let next_step = record.next_step;
            let new_round = match &decision {
                NextDecision::Stop => None,
                NextDecision::TieBreak => {
                    let tie = record
                        .tie
                        .as_ref()
                        .ok_or_else(|| AppError::Conflict("Không có ai bằng phiếu.".into()))?;
                    let list: Vec<(i64, String)> = record
                        .lines
                        .iter()
                        .filter(|l| tie.person_ids.contains(&l.person_id))
                        .map(|l| (l.person_id, l.name.clone()))
                        .collect();
                    Some(("tie_break", Some(tie.for_seats.code().to_owned()), i64::from(tie.seats), list))
                }
                NextDecision::FurtherRound { seats, person_ids }
                | NextDecision::AlternateRound { seats, person_ids } => {
                    let alternates = matches!(decision, NextDecision::AlternateRound { .. });
                    let expected = if alternates { NextStep::AlternateRound } else { NextStep::FurtherRound };
                    if next_step != expected && !(alternates && next_step == NextStep::FurtherRound) {
                        return Err(AppError::Conflict("Kết quả không cần lần bầu này.".into()));
                    }
                    let limit = if alternates {
                        u64::from(record.alternate_seats_unfilled.max(record.seats_unfilled))
                    } else {
                        u64::from(record.seats_unfilled)
                    };
                    if let Some(refusal) = super::further_round_refused(c, round.election_id, round.body)? {
                        return Err(AppError::Conflict(refusal));
                    }
                    if *seats == 0 || u64::from(*seats) > limit {
                        return Err(AppError::invalid(
                            "seats",
                            format!("Số lượng bầu phải từ 1 đến {limit}."),
                        ));
                    }
                    let elected: BTreeSet<i64> =
                        edb::elected(c, round.election_id)?.into_iter().map(|(p, _)| p).collect();
                    let mut list = Vec::new();
                    for pid in person_ids {
                        if elected.contains(pid) {
                            return Err(AppError::invalid(
                                "person_ids",
                                "Người đã trúng cử không ở trong danh sách bầu tiếp.",
                            ));
                        }
                        let p = persons::get(c, *pid)?.ok_or(AppError::NotFound("người này"))?;
                        list.push((p.id, p.full_name));
                    }
                    if (list.len() as u64) < u64::from(*seats) {
                        return Err(AppError::invalid(
                            "person_ids",
                            "Danh sách phải có ít nhất bằng số lượng cần bầu.",
                        ));
                    }
                    // Vietnamese ballot order, by the engine.
                    let names: Vec<PersonName> = list
                        .iter()
                        .map(|(_, n)| PersonName::parse(n))
                        .collect::<Result<_, _>>()
                        .map_err(|_| AppError::invalid("person_ids", "Tên không hợp lệ."))?;
                    let ordered = baucu_rules::order::ballot_order(&names)
                        .into_iter()
                        .map(|i| list[i].clone())
                        .collect();
                    Some((
                        if alternates { "alternates" } else { "regular" },
                        None,
                        i64::from(*seats),
                        ordered,
                    ))
                }
            };
            row.decision = Some(serde_json::to_string(&decision).unwrap_or_default());
            db::update_round(c, &row)?;
            let new_id = match new_round {
                Some((purpose, tie_for, seats, list)) => {
                    let next = RoundRow {
                        election_id: round.election_id,
                        purpose: purpose.into(),
                        tie_for,
                        seats,
                        alternate_seats: 0,
                        entries_per_stack: i64::from(round.entries_per_stack),
                        assembly: serde_json::to_string(&round.assembly).unwrap_or_default(),
                        opened_at: at.clone(),
                        ..RoundRow::default()
                    };
                    let id = db::insert_round(c, &next, &list)?;
                    db::journal(
                        c,
                        db::JournalAt::round(id),
                        &at,
                        &who,
                        "round.open",
                        &json!({ "after": round_id }).to_string(),
                    )?;
                    Some(id)
                }
                None => None,
            };
            db::journal(
                c,
                db::JournalAt::round(round_id),
                &at,
                &who,
                "round.decide",
                &serde_json::to_string(&decision).unwrap_or_default(),
            )?;
            Ok((new_id, json!({ "round_id": round_id, "decision": decision, "new_round": new_id })))
        })
        .await
    }

    pub async fn publish(&self, actor: &Actor, round_id: i64) -> Result<(), AppError> {
        actor.require(Permission::RunRounds)?;
        let (at, who) = (self.now().to_string(), actor.username.clone());
        self.act(actor, "round.publish", move |c| {
            let (mut row, round) = load_round(c, round_id)?;
            if round.poll {
                return Err(AppError::Conflict(
                    "Kết quả lấy phiếu xin ý kiến được ghi vào danh sách, không công bố lên màn chiếu."
                        .into(),
                ));
            }
            if !round.closed {
                return Err(AppError::Conflict("Lần bầu chưa có kết quả.".into()));
            }
            row.published_at = Some(at.clone());
            db::update_round(c, &row)?;
            db::journal(c, db::JournalAt::round(round_id), &at, &who, "round.publish", "{}")?;
            Ok(((), json!({ "round_id": round_id })))
        })
        .await?;
        self.notify(Event { round_id, published: true });
        Ok(())
    }

    /// The presidium takes a published result off the projector and the public pages, with a reason
    /// (audited and journaled); it can be published again.
    pub async fn unpublish(&self, actor: &Actor, round_id: i64, reason: &str) -> Result<(), AppError> {
        actor.require(Permission::RunRounds)?;
        let reason = reason_of(reason)?;
        let (at, who) = (self.now().to_string(), actor.username.clone());
        self.act(actor, "round.unpublish", move |c| {
            let (mut row, round) = load_round(c, round_id)?;
            if !round.published {
                return Err(AppError::Conflict("Kết quả của lần bầu này chưa được công bố.".into()));
            }
            row.published_at = None;
            db::update_round(c, &row)?;
            let detail = json!({ "reason": reason });
            db::journal(
                c,
                db::JournalAt::round(round_id),
                &at,
                &who,
                "round.unpublish",
                &detail.to_string(),
            )?;
            Ok(((), json!({ "round_id": round_id, "reason": reason })))
        })
        .await?;
        // The projector listens to publications: it reloads and no longer shows the result.
        self.notify(Event { round_id, published: true });
        Ok(())
    }

    /// The presidium reopens a closed round, with a reason, while nothing was built on its result: no
    /// later round of the election exists (a decision to stop is withdrawn with the result) and no
    /// plenum took its members from it. In the same audited action the record of the result is deleted
    /// (the next closing makes it anew), the people it elected are no longer elected, the publication
    /// is withdrawn, and the reopening is stored (the minutes of the next closing print it). The round
    /// is open again: the board can correct the ballots issued and collected and reopen entries.
    pub async fn reopen_round(&self, actor: &Actor, round_id: i64, reason: &str) -> Result<(), AppError> {
        actor.require(Permission::RunRounds)?;
        let reason = reason_of(reason)?;
        let (at, who, name) = (self.now().to_string(), actor.username.clone(), actor.full_name.clone());
        self.act(actor, "round.reopen", move |c| {
            let (mut row, round) = load_round(c, round_id)?;
            if round.poll {
                return Err(AppError::Conflict(
                    "Lần kiểm phiếu xin ý kiến đã ghi vào danh sách: không mở lại; nếu cần, kiểm phiếu xin ý kiến lần nữa.".into(),
                ));
            }
            let Some(record) = round.record.as_ref() else {
                return Err(AppError::Conflict("Lần bầu chưa kết thúc: không có gì để mở lại.".into()));
            };
            let later: Vec<i64> = db::rounds_of(c, round.election_id)?
                .iter()
                .filter(|r| r.number > round.number)
                .map(|r| r.number)
                .collect();
            if let Some(next) = later.first() {
                return Err(AppError::Conflict(format!(
                    "Đã có lần bầu thứ {next} sau kết quả này: không mở lại lần bầu thứ {} được.",
                    round.number
                )));
            }
            if matches!(round.body, Body::Committee | Body::InspectionCommittee)
                && db::setting(c, &format!("assembly:plenum:{}", round.body.code()))?.is_some()
            {
                return Err(AppError::Conflict(format!(
                    "Hội nghị {} đã lấy thành viên từ kết quả này để bầu tiếp: không mở lại lần bầu được.",
                    messages::body(round.body)
                )));
            }
            let winners: Vec<i64> =
                winners_of(&round, record).into_iter().map(|(l, _)| l.person_id).collect();
            db::delete_elected(c, round.election_id, &winners)?;
            db::delete_record(c, round_id)?;
            let closed_at = row.closed_at.clone().unwrap_or_else(|| record.closed_at.to_string());
            db::insert_reopening(
                c,
                &db::ReopeningRow {
                    round_id,
                    at: at.clone(),
                    actor: who.clone(),
                    actor_name: name.clone(),
                    reason: reason.clone(),
                    closed_at: closed_at.clone(),
                },
            )?;
            let withdrawn_decision = row.decision.take();
            let was_published = row.published_at.take().is_some();
            row.status = "open".into();
            row.closed_at = None;
            db::update_round(c, &row)?;
            let detail = json!({ "reason": reason, "closed_at": closed_at, "unpublished": was_published,
                "decision_withdrawn": withdrawn_decision.is_some() });
            db::journal(c, db::JournalAt::round(round_id), &at, &who, "round.reopen", &detail.to_string())?;
            Ok((
                (),
                json!({ "round_id": round_id, "reason": reason, "closed_at": closed_at,
                "elected_withdrawn": winners, "unpublished": was_published,
                "decision_withdrawn": withdrawn_decision.is_some(), "withdrawn_decision": withdrawn_decision }),
            ))
        })
        .await?;
        self.notify(Event { round_id, published: true });
        Ok(())
    }

    /// Published results, newest first, for the public projector page (no login).
    pub async fn published_results(&self) -> Result<Vec<Round>, AppError> {
        self.read(|c| db::published_rounds(c)?.iter().map(|r| load_round(c, r.id).map(|(_, x)| x)).collect())
            .await
    }
}

/// The reason for undoing an irreversible step: required, at most [`REASON`] characters, trimmed.
fn reason_of(reason: &str) -> Result<String, AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid("reason", "Ghi lý do (bắt buộc)."));
    }
    crate::limits::require_text("reason", REASON, reason)?;
    Ok(reason.to_owned())
}

/// The bound of a reason for unpublishing or reopening.
pub const REASON: crate::limits::TextLimit = crate::limits::TextLimit { label: "Lý do", max_chars: 1_000 };

/// Decides a round through the engine from its agreed ballots and writes its one record (with the
/// counting board, congress and place as they are now, and the time and actor of the closing); the
/// elected are recorded from it by person id.
fn write_record(
    c: &Connection,
    round: &Round,
    issued: i64,
    codes: &[String],
    at: &str,
    who: &str,
) -> Result<RoundRecord, AppError> {
    let issued =
        u64::try_from(issued).map_err(|_| AppError::Conflict("Số phiếu phát ra không hợp lệ.".into()))?;
    let (result, disagree) = decide_codes(round, issued, codes)?;
    let congress = baucu_store::congress::get(c)?;
    let ids_names: Vec<(i64, String)> =
        round.candidate_ids.iter().copied().zip(round.candidates.iter().cloned()).collect();
    let assembly = round.assembly.assembly()?;
    let ctx = ClosingContext {
        round_id: round.id,
        assembly: &assembly,
        seats: round.seats,
        alternate_seats: round.alternate_seats,
        candidates: &ids_names,
        disagree,
        board: board_now(c, round)?,
        closed_at: at.to_owned(),
        congress: congress.as_ref().map(|x| x.name.clone()).unwrap_or_default(),
        organisation: congress.as_ref().map(|x| x.organisation.clone()).unwrap_or_default(),
        term: congress.as_ref().map(|x| x.term.clone()).unwrap_or_default(),
        place: congress.as_ref().map(|x| x.place.clone()).unwrap_or_default(),
        closed_by: who.to_owned(),
        audit_seq: results::next_audit_seq(c)?,
    };
    let stored = crate::record::to_store(&ctx, &result)?;
    results::insert(c, &stored)?;
    let record = RoundRecord::parse(stored, None)?;
    for (line, alternate) in winners_of(round, &record) {
        edb::record_elected(c, round.election_id, line.person_id, alternate)?;
    }
    Ok(record)
}

/// Who a round's record elects, each with whether as an alternate: the elected of a tie-break for
/// alternate seats are alternates.
fn winners_of<'r>(round: &Round, record: &'r RoundRecord) -> Vec<(&'r RecordLine, bool)> {
    let tie_break_for_alternates =
        round.purpose == Purpose::TieBreak && round.tie_for.as_deref() == Some("alternate");
    let officials = record.winners(false).into_iter().map(|l| (l, tie_break_for_alternates));
    officials.chain(record.winners(true).into_iter().map(|l| (l, true))).collect()
}

impl App {
    /// Rounds closed by a version of baucu older than the typed record (migration 3) have no record:
    /// each is decided once more from its stored ballots, exactly as closing does now, and recorded
    /// (one audited action, with the original closing time; the board and congress are taken as they
    /// are at the upgrade). Runs when the node starts; does nothing when every closed round has its
    /// record. Returns how many rounds were recorded.
    pub async fn record_earlier_results(&self) -> Result<usize, AppError> {
        // A closed poll has no election result: it is recorded into the list when it closes.
        let pending = self
            .read(|c| {
                let mut rounds = Vec::new();
                for id in results::closed_without_record(c)? {
                    if db::get_round(c, id)?.is_some_and(|r| r.purpose != db::POLL) {
                        rounds.push(id);
                    }
                }
                Ok(rounds)
            })
            .await?;
        if pending.is_empty() {
            return Ok(0);
        }
        self.act(&Actor::system(), "round.record_earlier", move |c| {
            for &round_id in &pending {
                let (row, round) = load_round_unrecorded(c, round_id)?;
                let issued = row
                    .ballots_issued
                    .ok_or_else(|| AppError::Conflict("Chưa ghi số phiếu phát ra.".into()))?;
                let at = row
                    .closed_at
                    .clone()
                    .ok_or_else(|| AppError::Conflict("Thiếu thời điểm kết thúc.".into()))?;
                write_record(
                    c,
                    &round,
                    issued,
                    &agreed_codes(c, round_id)?,
                    &at,
                    baucu_store::integrity::SYSTEM_ACTOR,
                )?;
            }
            Ok((pending.len(), json!({ "rounds": pending })))
        })
        .await
    }
}

/// Recounts a closed round from its stored ballots through the engine and compares the answer with
/// the round's record; `Some(sentence)` says what differs. Used by `baucu audit verify` only: every
/// page and document reads the record.
pub(crate) fn recount(c: &Connection, round_id: i64) -> Result<Option<String>, AppError> {
    let (row, round) = match load_round(c, round_id) {
        Ok(loaded) => loaded,
        Err(e) => return Ok(Some(e.message())),
    };
    if round.poll {
        return recount_poll(c, &round);
    }
    let Some(record) = &round.record else { return Ok(None) };
    let issued = row.ballots_issued.unwrap_or(0);
    // A stored value that cannot be read back is one more finding, not the end of the check.
    let recounted = agreed_codes(c, round_id).and_then(|codes| {
        let (result, disagree) = decide_codes(&round, u64::try_from(issued).unwrap_or(0), &codes)?;
        Ok((disagree, result))
    });
    let (disagree, fresh) = match recounted {
        Ok(r) => r,
        Err(e) => return Ok(Some(format!("không tính lại được từ các phiếu đã lưu ({})", e.message()))),
    };
    if record.result()? != fresh {
        return Ok(Some("kết quả đã lưu khác kết quả tính lại từ các phiếu đã lưu".into()));
    }
    // The "không đồng ý" counts of an agree/disagree round, where the record keeps them.
    let disagree_differs = disagree
        .is_some_and(|d| record.lines.iter().zip(&d).any(|(l, n)| l.disagree.is_some_and(|kept| kept != *n)));
    if disagree_differs {
        return Ok(Some("số phiếu không đồng ý đã lưu khác số đếm lại từ các phiếu đã lưu".into()));
    }
    let ids: Vec<i64> = record.lines.iter().map(|l| l.person_id).collect();
    if ids != round.candidate_ids {
        return Ok(Some("người ứng cử trong kết quả khác danh sách của lần bầu".into()));
    }
    let elected: BTreeMap<i64, bool> = edb::elected(c, round.election_id)?.into_iter().collect();
    for (line, alternate) in winners_of(&round, record) {
        if elected.get(&line.person_id) != Some(&alternate) {
            return Ok(Some(format!("danh sách trúng cử không ghi {} như kết quả", line.name)));
        }
    }
    Ok(None)
}

/// Recounts a closed poll's agreements from its stored ballots through the engine's tally and
/// compares them with what its closing recorded (the poll's result kept with the round).
fn recount_poll(c: &Connection, round: &Round) -> Result<Option<String>, AppError> {
    if !round.closed {
        return Ok(None);
    }
    let stored = match poll_result_of(c, round.id) {
        Ok(Some(stored)) => stored,
        Ok(None) => {
            return Ok(Some("lần kiểm phiếu xin ý kiến đã kết thúc nhưng không có kết quả đã ghi".into()));
        }
        Err(e) => return Ok(Some(e.message())),
    };
    let fresh = match agreed_codes(c, round.id).and_then(|codes| poll_agreements(round, &codes)) {
        Ok(fresh) => fresh,
        Err(e) => return Ok(Some(format!("không tính lại được từ các phiếu đã lưu ({})", e.message()))),
    };
    let recorded: Vec<(i64, u64)> =
        stored.nominees.iter().map(|l| (l.person_id, u64::from(l.agree))).collect();
    let recounted: Vec<(i64, u64)> = round.candidate_ids.iter().copied().zip(fresh).collect();
    if recorded != recounted {
        return Ok(Some("số đồng ý đã ghi khác số đếm lại từ các phiếu xin ý kiến đã lưu".into()));
    }
    Ok(None)
}

/// The counting board frozen into a round's record at closing: the head and members the round's
/// assembly (the congress, or the plenum that holds the election) elected in its latest
/// show-of-hands vote on the counting board (technical staff who operate the machines are not board
/// members and do not sign). A plenum that voted no board of its own keeps the congress's. When no
/// such vote was recorded, the accounts with board roles as they are now (heads first, then
/// members): closing a round never waits for the vote to be keyed, and the minutes still name a
/// board that can sign.
pub(super) fn board_now(
    c: &Connection,
    round: &Round,
) -> Result<Vec<baucu_rules::case::BoardMember>, AppError> {
    use crate::attendance::SittingAssembly;
    use baucu_rules::case::{BoardMember, BoardRole};
    let held_at = crate::votes::election_assembly(c, round.assembly.kind, round.body)?;
    if let Some(voted) = crate::votes::voted_board(c, held_at)? {
        return Ok(voted);
    }
    if held_at != SittingAssembly::Congress
        && let Some(voted) = crate::votes::voted_board(c, SittingAssembly::Congress)?
    {
        return Ok(voted);
    }
    let heads = db::users_with_roles(c, &["board_head"])?;
    let members = db::users_with_roles(c, &["board_member"])?;
    Ok(heads
        .into_iter()
        .map(|(_, name, _)| BoardMember { name, role: BoardRole::Head })
        .chain(members.into_iter().map(|(_, name, _)| BoardMember { name, role: BoardRole::Member }))
        .collect())
}

/// The engine's election for a round: its names in ballot order, seats and purpose.
pub(super) fn engine_election(round: &Round) -> Result<baucu_rules::Election, AppError> {
    let names: Vec<PersonName> = round
        .candidates
        .iter()
        .map(|n| PersonName::parse(n).map_err(|_| AppError::Conflict(format!("Tên \"{n}\" không hợp lệ."))))
        .collect::<Result<_, _>>()?;
    Ok(baucu_rules::Election::new(round.body, round.purpose, round.seats, round.alternate_seats, names)?)
}

/// The agreed ballots of a round's reconciled stacks, each stack adding up to the papers counted into
/// it and all of them to the ballots collected from the box.
fn reconciled_codes(
    c: &Connection,
    stacks: &[db::StackRow],
    collected: i64,
) -> Result<Vec<String>, AppError> {
    let mut codes = Vec::new();
    for s in stacks {
        let stack_codes = readings(c, s.id)?;
        let n = stack_codes.len() as i64;
        if let Some(papers) = s.papers.filter(|&p| p != n) {
            return Err(AppError::Conflict(format!(
                "Chồng phiếu \"{}\" có {papers} tờ nhưng các lượt nhập thống nhất {n} phiếu: kiểm lại chồng phiếu.",
                s.name
            )));
        }
        codes.extend(stack_codes);
    }
    let agreed = codes.len() as i64;
    if agreed != collected {
        return Err(AppError::Conflict(format!(
            "Các chồng phiếu có tổng cộng {agreed} phiếu, số phiếu thu vào từ hòm là {collected} (chênh lệch {}): kiểm lại các chồng phiếu trước khi kết thúc.",
            (agreed - collected).abs()
        )));
    }
    Ok(codes)
}

/// Each name's agreements on a poll's agreed ballots: the engine's tally (the "Đồng ý" of its valid
/// ballots), in the round's order.
pub(super) fn poll_agreements(round: &Round, codes: &[String]) -> Result<Vec<u64>, AppError> {
    let election = engine_election(round)?;
    let mut tally = Tally::new(&election);
    for code in codes {
        let ballot = Ballot::from_code(code).map_err(|e| AppError::Conflict(e.0))?;
        tally.add(&ballot, 1).map_err(|e| AppError::Conflict(messages::entry_error(&e)))?;
    }
    Ok(tally.all_votes())
}

/// The engine's result of a round: the agreed readings of its stacks tallied and decided.
/// The engine's result of a round from its agreed ballots, and on an agree/disagree list each name's
/// "disagree" count from the same tally (`None` on a strike list).
pub(super) fn decide_codes(
    round: &Round,
    issued: u64,
    codes: &[String],
) -> Result<(baucu_rules::outcome::RoundResult, Option<Vec<u64>>), AppError> {
    let election = engine_election(round)?;
    let mut tally = Tally::new(&election);
    for code in codes {
        let ballot = Ballot::from_code(code).map_err(|e| AppError::Conflict(e.0))?;
        tally.add(&ballot, 1).map_err(|e| AppError::Conflict(messages::entry_error(&e)))?;
    }
    let result = decide(&election, round.assembly.assembly()?.base(), issued, &tally)?;
    Ok((result, tally.disagrees().map(<[u64]>::to_vec)))
}
