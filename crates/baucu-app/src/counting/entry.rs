//! The operator's independent entry of a stack: the live check, durable ballots with idempotency
//! keys, undo, corrections, and finishing (which reconciles the stack).

use super::*;

impl App {
    /// The entries assigned to the actor, with their rounds (the operator's home).
    pub async fn my_entries(&self, actor: &Actor) -> Result<Vec<(EntryInfo, String, String)>, AppError> {
        actor.require(Permission::EnterBallots)?;
        let me = actor.user_id;
        self.read(move |c| {
            let mut out = Vec::new();
            for e in db::entries_of_operator(c, me)? {
                let stack = db::get_stack(c, e.stack_id)?.ok_or(AppError::NotFound("chồng phiếu"))?;
                let (_, round) = load_round(c, stack.round_id)?;
                if !round.closed {
                    out.push((entry_info(&e), stack.name, round.title()));
                }
            }
            Ok(out)
        })
        .await
    }

    fn own_entry(
        c: &Connection,
        actor: &Actor,
        entry_id: i64,
    ) -> Result<(db::EntryRow, db::StackRow, Round), AppError> {
        let e = db::get_entry(c, entry_id)?.ok_or(AppError::NotFound("lượt nhập"))?;
        if e.operator_id != actor.user_id {
            // Independent entry: nobody sees or touches another operator's entry.
            return Err(AppError::Forbidden);
        }
        let stack = db::get_stack(c, e.stack_id)?.ok_or(AppError::NotFound("chồng phiếu"))?;
        let (_, round) = load_round(c, stack.round_id)?;
        Ok((e, stack, round))
    }

    pub async fn entry(&self, actor: &Actor, entry_id: i64) -> Result<EntryView, AppError> {
        actor.require(Permission::EnterBallots)?;
        let actor = actor.clone();
        self.read(move |c| {
            let (e, stack, round) = Self::own_entry(c, &actor, entry_id)?;
            let spec = round.spec();
            let ballots = db::ballots_of(c, e.id)?
                .into_iter()
                .map(|b| {
                    let check = check_code(spec, &b.code).ok().map(|(_, ch)| ch);
                    EnteredBallot {
                        seq: b.seq,
                        code: b.code,
                        valid: check.as_ref().is_some_and(|ch| ch.valid),
                        reason: check.and_then(|ch| ch.reason_text),
                    }
                })
                .collect();
            Ok(EntryView { entry: entry_info(&e), stack_name: stack.name, round, ballots })
        })
        .await
    }

    /// The engine's verdict on a ballot as typed, before it is committed.
    pub async fn check_ballot(&self, actor: &Actor, entry_id: i64, code: String) -> Result<Check, AppError> {
        actor.require(Permission::EnterBallots)?;
        let actor = actor.clone();
        self.read(move |c| {
            let (_, _, round) = Self::own_entry(c, &actor, entry_id)?;
            Ok(check_code(round.spec(), &code)?.1)
        })
        .await
    }

    /// Stores one ballot of the operator's entry. The key makes a retried request harmless.
    pub async fn submit_ballot(
        &self,
        actor: &Actor,
        entry_id: i64,
        code: String,
        key: String,
    ) -> Result<Ack, AppError> {
        actor.require(Permission::EnterBallots)?;
        if key.is_empty() {
            return Err(AppError::invalid("key", "Thiếu khóa chống gửi trùng."));
        }
        crate::limits::require_text("key", crate::limits::REQUEST_KEY, &key)?;
        let (at, who, me) = (self.now().to_string(), actor.username.clone(), actor.clone());
        let (round_id, ack) = self
            .act(actor, "ballot.enter", move |c| {
                let (e, stack, round) = Self::own_entry(c, &me, entry_id)?;
                let (_, check) = check_code(round.spec(), &code)?;
                if let Some((kentry, seq, stored)) = db::ballot_by_key(c, &key)? {
                    if kentry != entry_id {
                        return Err(AppError::Conflict(
                            "Khóa chống gửi trùng đã dùng cho lượt nhập khác.".into(),
                        ));
                    }
                    let (_, check) = check_code(round.spec(), &stored)?;
                    let ack = Ack { seq, check, count: e.ballots, repeated: true };
                    return Ok((
                        (round.id, ack),
                        json!({ "entry_id": entry_id, "seq": seq, "repeated": true }),
                    ));
                }
                if e.status == EntryStatus::Done || stack.status == StackStatus::Accepted || round.closed {
                    return Err(AppError::Conflict("Lượt nhập này đã kết thúc.".into()));
                }
                let seq = db::append_ballot(c, entry_id, &check.code, &key, &at)?;
                db::journal(
                    c,
                    db::JournalAt::round(round.id).stack(stack.id).entry(entry_id).ballot(seq),
                    &at,
                    &who,
                    "ballot",
                    &check.code,
                )?;
                let ack = Ack { seq, check: check.clone(), count: e.ballots + 1, repeated: false };
                Ok(((round.id, ack), json!({ "entry_id": entry_id, "seq": seq, "code": check.code })))
            })
            .await?;
        self.notify(Event { round_id, published: false });
        Ok(ack)
    }

    /// Takes back the operator's last ballot.
    pub async fn undo_last_ballot(&self, actor: &Actor, entry_id: i64) -> Result<Option<i64>, AppError> {
        actor.require(Permission::EnterBallots)?;
        let (at, who, me) = (self.now().to_string(), actor.username.clone(), actor.clone());
        self.act(actor, "ballot.undo", move |c| {
            let (e, stack, round) = Self::own_entry(c, &me, entry_id)?;
            if e.status == EntryStatus::Done || round.closed {
                return Err(AppError::Conflict("Lượt nhập này đã kết thúc.".into()));
            }
            let removed = db::remove_last_ballot(c, entry_id)?;
            if let Some((seq, code)) = &removed {
                db::journal(
                    c,
                    db::JournalAt::round(round.id).stack(stack.id).entry(entry_id).ballot(*seq),
                    &at,
                    &who,
                    "undo",
                    code,
                )?;
            }
            Ok((removed.as_ref().map(|(s, _)| *s), json!({ "entry_id": entry_id, "removed": removed })))
        })
        .await
    }

    /// Corrects an earlier ballot of the operator's entry (journaled with the old reading).
    pub async fn correct_ballot(
        &self,
        actor: &Actor,
        entry_id: i64,
        seq: i64,
        code: String,
    ) -> Result<Check, AppError> {
        actor.require(Permission::EnterBallots)?;
        let (at, who, me) = (self.now().to_string(), actor.username.clone(), actor.clone());
        self.act(actor, "ballot.correct", move |c| {
            let (e, stack, round) = Self::own_entry(c, &me, entry_id)?;
            if e.status == EntryStatus::Done || round.closed {
                return Err(AppError::Conflict("Lượt nhập này đã kết thúc.".into()));
            }
            let (_, check) = check_code(round.spec(), &code)?;
            let old = db::ballots_of(c, entry_id)?
                .into_iter()
                .find(|b| b.seq == seq)
                .ok_or(AppError::NotFound("phiếu này"))?;
            db::replace_ballot(c, entry_id, seq, &check.code)?;
            withdraw_resolutions(c, round.id, stack.id, &at, &who)?;
            let detail = json!({ "from": old.code, "to": check.code }).to_string();
            db::journal(
                c,
                db::JournalAt::round(round.id).stack(stack.id).entry(entry_id).ballot(seq),
                &at,
                &who,
                "correct",
                &detail,
            )?;
            Ok((check, json!({ "entry_id": entry_id, "seq": seq, "from": old.code })))
        })
        .await
    }

    /// The operator has keyed the whole stack. When every entry is finished the stack is reconciled.
    pub async fn finish_entry(&self, actor: &Actor, entry_id: i64) -> Result<StackStatus, AppError> {
        actor.require(Permission::EnterBallots)?;
        let (at, who, me) = (self.now().to_string(), actor.username.clone(), actor.clone());
        let (round_id, status) = self
            .act(actor, "entry.finish", move |c| {
                let (e, stack, round) = Self::own_entry(c, &me, entry_id)?;
                if round.closed {
                    return Err(AppError::Conflict("Lần bầu đã kết thúc.".into()));
                }
                db::set_entry_status(c, e.id, EntryStatus::Done)?;
                db::journal(
                    c,
                    db::JournalAt::round(round.id).stack(stack.id).entry(e.id),
                    &at,
                    &who,
                    "entry.finish",
                    &json!({ "ballots": e.ballots }).to_string(),
                )?;
                let status = reconcile(c, round.id, stack.id, &at, &who)?;
                Ok(((round.id, status), json!({ "entry_id": entry_id, "stack_status": status })))
            })
            .await?;
        self.notify(Event { round_id, published: false });
        Ok(status)
    }
}
