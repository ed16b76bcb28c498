//! The counting board's work: ballots issued and collected, stacks handed out once, reconciling the
//! independent entries, the board's resolutions (withdrawn when an entry changes), and the journal as
//! each role may see it.

use super::*;

/// Compares the finished entries of a stack ballot by ballot; returns the differing sequence numbers.
pub(super) fn differences(c: &Connection, stack_id: i64) -> Result<Vec<Difference>, AppError> {
    let entries = db::entries_of(c, stack_id)?;
    let readings: Vec<Vec<String>> = entries
        .iter()
        .map(|e| db::ballots_of(c, e.id).map(|b| b.into_iter().map(|x| x.code).collect()))
        .collect::<Result<_, _>>()?;
    let resolved: BTreeMap<i64, Option<String>> = db::resolutions_of(c, stack_id)?.into_iter().collect();
    let longest = readings.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = Vec::new();
    for i in 0..longest {
        let at: Vec<Option<String>> = readings.iter().map(|r| r.get(i).cloned()).collect();
        if at.iter().any(|x| *x != at[0]) {
            let seq = i as i64 + 1;
            out.push(Difference { seq, readings: at, resolved: resolved.get(&seq).cloned() });
        }
    }
    Ok(out)
}

/// Once every entry of a stack is finished: accepted when they agree (or every difference is
/// resolved), otherwise `mismatch`.
pub(super) fn reconcile(
    c: &Connection,
    round_id: i64,
    stack_id: i64,
    at: &str,
    actor: &str,
) -> Result<StackStatus, AppError> {
    let entries = db::entries_of(c, stack_id)?;
    if entries.iter().any(|e| e.status != EntryStatus::Done) {
        db::set_stack_status(c, stack_id, StackStatus::Entering)?;
        return Ok(StackStatus::Entering);
    }
    let diffs = differences(c, stack_id)?;
    let status = if diffs.iter().all(|d| d.resolved.is_some()) {
        StackStatus::Accepted
    } else {
        StackStatus::Mismatch
    };
    db::set_stack_status(c, stack_id, status)?;
    let open: Vec<i64> = diffs.iter().filter(|d| d.resolved.is_none()).map(|d| d.seq).collect();
    db::journal(
        c,
        db::JournalAt::round(round_id).stack(stack_id),
        at,
        actor,
        "reconcile",
        &json!({ "status": status.code(), "differing": open }).to_string(),
    )?;
    Ok(status)
}

/// The journal kinds that carry an entry's ballot readings.
pub(super) const READING_KINDS: [&str; 3] = ["ballot", "undo", "correct"];

/// What the journal says of a ballot while its stack is not yet reconciled, to anyone but the board
/// head: independent entries stay independent.
pub const HIDDEN_READING: &str = "(ẩn đến khi chồng phiếu được đối chiếu xong)";

/// The round's journal as `actor` may see it: the readings of an entry whose stack is not yet
/// reconciled are hidden from everyone but the board head.
pub(super) fn visible_journal(
    c: &Connection,
    actor: &Actor,
    round_id: i64,
) -> Result<Vec<db::JournalRow>, AppError> {
    let accepted: BTreeSet<i64> = db::stacks_of(c, round_id)?
        .into_iter()
        .filter(|s| s.status == StackStatus::Accepted)
        .map(|s| s.id)
        .collect();
    let mut rows = db::journal_of(c, round_id)?;
    if actor.role != crate::Role::BoardHead {
        for row in &mut rows {
            let reading = row.entry_id.is_some() && READING_KINDS.contains(&row.kind.as_str());
            if reading && !row.stack_id.is_some_and(|s| accepted.contains(&s)) {
                row.detail = HIDDEN_READING.to_owned();
            }
        }
    }
    Ok(rows)
}

/// Whether the readings of an entry may be shown to `actor` now (its stack reconciled, or the board
/// head asks).
pub(crate) fn readings_visible(c: &Connection, actor: &Actor, entry_id: i64) -> Result<bool, AppError> {
    if actor.role == crate::Role::BoardHead {
        return Ok(true);
    }
    let Some(entry) = db::get_entry(c, entry_id)? else { return Ok(false) };
    if entry.operator_id == actor.user_id {
        return Ok(true);
    }
    Ok(db::get_stack(c, entry.stack_id)?.is_some_and(|s| s.status == StackStatus::Accepted))
}

/// An entry of the stack changed: every resolution the board made on the stack depended on it and is
/// withdrawn (journaled); the stack must be reconciled again.
pub(super) fn withdraw_resolutions(
    c: &Connection,
    round_id: i64,
    stack_id: i64,
    at: &str,
    actor: &str,
) -> Result<usize, AppError> {
    let n = db::clear_resolutions(c, stack_id)?;
    if n > 0 {
        let detail = json!({ "withdrawn": n }).to_string();
        db::journal(
            c,
            db::JournalAt::round(round_id).stack(stack_id),
            at,
            actor,
            "resolutions.withdrawn",
            &detail,
        )?;
    }
    Ok(n)
}

/// The agreed ballot codes of a round: its reconciled stacks' readings, stack after stack.
pub(super) fn agreed_codes(c: &Connection, round_id: i64) -> Result<Vec<String>, AppError> {
    let mut out = Vec::new();
    for s in db::stacks_of(c, round_id)?.into_iter().filter(|s| s.status == StackStatus::Accepted) {
        out.extend(readings(c, s.id)?);
    }
    Ok(out)
}

/// The agreed reading of a stack's ballots (only for accepted stacks).
pub(super) fn readings(c: &Connection, stack_id: i64) -> Result<Vec<String>, AppError> {
    let entries = db::entries_of(c, stack_id)?;
    let first = match entries.first() {
        Some(e) => db::ballots_of(c, e.id)?,
        None => return Ok(Vec::new()),
    };
    let resolved: BTreeMap<i64, Option<String>> = db::resolutions_of(c, stack_id)?.into_iter().collect();
    let longest = entries.iter().map(|e| e.ballots).max().unwrap_or(0);
    let mut out = Vec::new();
    for seq in 1..=longest {
        match resolved.get(&seq) {
            Some(Some(code)) => out.push(code.clone()),
            Some(None) => {}
            None => {
                if let Some(b) = first.get(seq as usize - 1) {
                    out.push(b.code.clone());
                }
            }
        }
    }
    Ok(out)
}

impl App {
    /// The board records the ballots issued and, once the box is opened, the ballots collected from
    /// it (never more than issued). A round closes only when its stacks add up to the ballots collected.
    pub async fn set_issued(
        &self,
        actor: &Actor,
        round_id: i64,
        issued: u32,
        collected: Option<u32>,
    ) -> Result<(), AppError> {
        actor.require(Permission::ManageCounting)?;
        let (at, who) = (self.now().to_string(), actor.username.clone());
        self.counting_act(actor, "round.issued", Some(round_id), move |c| {
            let (mut row, round) = load_round(c, round_id)?;
            if round.closed {
                return Err(AppError::Conflict("Lần bầu đã kết thúc.".into()));
            }
            // One ballot to each voter: never more than those summoned to the assembly.
            let summoned = round.assembly.summoned;
            if issued > summoned {
                return Err(AppError::invalid(
                    "issued",
                    format!(
                        "Số phiếu phát ra ({issued}) không được lớn hơn số người được triệu tập ({summoned})."
                    ),
                ));
            }
            if let Some(n) = collected.filter(|&n| n > issued) {
                return Err(AppError::invalid(
                    "collected",
                    format!("Số phiếu thu vào ({n}) không được lớn hơn số phiếu phát ra ({issued})."),
                ));
            }
            row.ballots_issued = Some(i64::from(issued));
            if let Some(n) = collected {
                row.ballots_collected = Some(i64::from(n));
            }
            db::update_round(c, &row)?;
            let detail = json!({ "issued": issued, "collected": collected });
            db::journal(c, db::JournalAt::round(round_id), &at, &who, "issued", &detail.to_string())?;
            Ok(((), json!({ "round_id": round_id, "issued": issued, "collected": collected })))
        })
        .await
    }

    /// A stack of `papers` ballots handed to `operators` (as many as the round's entries per stack,
    /// distinct accounts). The same `key` (one per hand-out form) creates the stack once, however
    /// often the request is sent. A member of the counting board keys only in a one-person count, and
    /// only when the board consents (`board_consent`).
    pub async fn create_stack(
        &self,
        actor: &Actor,
        round_id: i64,
        req: StackRequest,
    ) -> Result<i64, AppError> {
        actor.require(Permission::ManageCounting)?;
        let name = req.name.trim().to_owned();
        if name.is_empty() {
            return Err(AppError::invalid("name", "Đặt tên cho chồng phiếu (ví dụ: Chồng 1)."));
        }
        crate::limits::require_text("name", crate::limits::STACK_NAME, &name)?;
        if req.key.is_empty() {
            return Err(AppError::invalid("key", "Thiếu khóa chống gửi trùng."));
        }
        crate::limits::require_text("key", crate::limits::REQUEST_KEY, &req.key)?;
        if req.papers == 0 {
            return Err(AppError::invalid("papers", "Ghi số tờ phiếu của chồng (từ 1)."));
        }
        crate::limits::count("papers", crate::limits::PAPERS, req.papers)?;
        let (at, who) = (self.now().to_string(), actor.username.clone());
        self.counting_act(actor, "stack.create", Some(round_id), move |c| {
            if let Some((id, its_round)) = db::stack_by_request(c, &req.key)? {
                if its_round != round_id {
                    return Err(AppError::Conflict("Khóa chống gửi trùng đã dùng cho lần bầu khác.".into()));
                }
                return Ok((id, json!({ "round_id": round_id, "stack_id": id, "repeated": true })));
            }
            let (row, round) = load_round(c, round_id)?;
            if round.closed {
                return Err(AppError::Conflict("Lần bầu đã kết thúc.".into()));
            }
            let operators = &req.operators;
            let distinct: BTreeSet<i64> = operators.iter().copied().collect();
            if distinct.len() != operators.len() || operators.len() != round.entries_per_stack as usize {
                return Err(AppError::invalid(
                    "operators",
                    format!("Mỗi chồng phiếu cần {} người nhập khác nhau.", round.entries_per_stack),
                ));
            }
            let keyers: BTreeSet<i64> = db::users_with_roles(c, &["operator", "board_member", "board_head", "admin"])?
                .into_iter()
                .map(|(id, _, _)| id)
                .collect();
            if let Some(bad) = operators.iter().find(|o| !keyers.contains(o)) {
                return Err(AppError::invalid("operators", format!("Tài khoản số {bad} không nhập phiếu được.")));
            }
            let board: BTreeSet<i64> = db::users_with_roles(c, &["board_member", "board_head"])?
                .into_iter()
                .map(|(id, _, _)| id)
                .collect();
            if operators.iter().any(|o| board.contains(o)) && !(round.entries_per_stack == 1 && req.board_consent) {
                return Err(AppError::invalid(
                    "operators",
                    "Thành viên ban kiểm phiếu chỉ nhập phiếu khi mỗi chồng nhập một lần và ban kiểm phiếu đồng ý; nếu không, giao cho kỹ thuật viên nhập phiếu.",
                ));
            }
            let handed: i64 = db::stacks_of(c, round_id)?.iter().filter_map(|s| s.papers).sum();
            if let Some(collected) = row.ballots_collected
                && handed + i64::from(req.papers) > collected
            {
                return Err(AppError::invalid(
                    "papers",
                    format!(
                        "Các chồng phiếu đã giao có {handed} tờ; thêm {} tờ sẽ vượt số phiếu thu vào ({collected}).",
                        req.papers
                    ),
                ));
            }
            let id = db::insert_stack(c, round_id, &name, i64::from(req.papers), &req.key, &at)?;
            for (slot, op) in operators.iter().enumerate() {
                db::insert_entry(c, id, slot as i64 + 1, *op)?;
            }
            let detail = json!({ "name": name, "papers": req.papers, "operators": operators, "board_consent": req.board_consent });
            db::journal(c, db::JournalAt::round(round_id).stack(id), &at, &who, "stack.create", &detail.to_string())?;
            Ok((id, json!({ "round_id": round_id, "stack_id": id, "name": name, "papers": req.papers, "operators": operators })))
        })
        .await
    }

    /// The board reopens an operator's finished entry (the operator found more ballots, say).
    pub async fn reopen_entry(&self, actor: &Actor, entry_id: i64) -> Result<(), AppError> {
        actor.require(Permission::ManageCounting)?;
        let (at, who) = (self.now().to_string(), actor.username.clone());
        self.act(actor, "entry.reopen", move |c| {
            let e = db::get_entry(c, entry_id)?.ok_or(AppError::NotFound("lượt nhập"))?;
            let stack = db::get_stack(c, e.stack_id)?.ok_or(AppError::NotFound("chồng phiếu"))?;
            let (_, round) = load_round(c, stack.round_id)?;
            if round.closed {
                return Err(AppError::Conflict("Lần bầu đã kết thúc.".into()));
            }
            db::set_entry_status(c, entry_id, EntryStatus::Open)?;
            db::set_stack_status(c, stack.id, StackStatus::Entering)?;
            db::journal(
                c,
                db::JournalAt::round(round.id).stack(stack.id).entry(entry_id),
                &at,
                &who,
                "entry.reopen",
                "{}",
            )?;
            let withdrawn = withdraw_resolutions(c, round.id, stack.id, &at, &who)?;
            Ok(((), json!({ "entry_id": entry_id, "resolutions_withdrawn": withdrawn })))
        })
        .await
    }

    /// The board's reading of a ballot the entries disagree on, after looking at the paper
    /// (`code = None`: there is no such ballot).
    pub async fn resolve(
        &self,
        actor: &Actor,
        stack_id: i64,
        seq: i64,
        code: Option<String>,
    ) -> Result<StackStatus, AppError> {
        actor.require(Permission::ManageCounting)?;
        let (at, who) = (self.now().to_string(), actor.username.clone());
        let (round_id, status) = self
            .act(actor, "stack.resolve", move |c| {
                let stack = db::get_stack(c, stack_id)?.ok_or(AppError::NotFound("chồng phiếu"))?;
                let (_, round) = load_round(c, stack.round_id)?;
                if stack.status != StackStatus::Mismatch {
                    return Err(AppError::Conflict(
                        "Chồng phiếu này không có chênh lệch cần quyết định.".into(),
                    ));
                }
                if !differences(c, stack_id)?.iter().any(|d| d.seq == seq) {
                    return Err(AppError::invalid("seq", format!("Phiếu thứ {seq} không có chênh lệch.")));
                }
                let code = match code {
                    Some(raw) => Some(check_code(round.spec(), &raw)?.1.code),
                    None => None,
                };
                db::put_resolution(c, stack_id, seq, code.as_deref(), &who, &at)?;
                db::journal(
                    c,
                    db::JournalAt::round(round.id).stack(stack_id).ballot(seq),
                    &at,
                    &who,
                    "resolve",
                    &json!({ "code": code }).to_string(),
                )?;
                let status = reconcile(c, round.id, stack_id, &at, &who)?;
                Ok((
                    (round.id, status),
                    json!({ "stack_id": stack_id, "seq": seq, "code": code, "stack_status": status }),
                ))
            })
            .await?;
        self.notify(Event { round_id, published: false });
        Ok(status)
    }

    /// The ballot-entry journal of a round.
    pub async fn journal(&self, actor: &Actor, round_id: i64) -> Result<Vec<db::JournalRow>, AppError> {
        actor.require(Permission::ViewCounting)?;
        let actor = actor.clone();
        self.read(move |c| visible_journal(c, &actor, round_id)).await
    }

    /// The agreed ballot codes of a closed or fully reconciled round, stack after stack (for tests,
    /// documents and the check against `baucu evaluate`).
    pub async fn agreed_ballots(&self, actor: &Actor, round_id: i64) -> Result<Vec<String>, AppError> {
        actor.require(Permission::ViewCounting)?;
        self.read(move |c| agreed_codes(c, round_id)).await
    }
}
