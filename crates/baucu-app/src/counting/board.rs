//! The counting board's work: ballots issued and collected, stacks handed out once, reconciling the
//! independent entries, the board's resolutions (withdrawn when an entry changes), and the journal as
//! each role may see it.

use super::*;

/// One position of the aligned entries of a stack: each entry's ballot there (its own sequence
/// number and code), or `None` when that entry has no ballot at this position.
type Column = Vec<Option<(i64, String)>>;

/// The most cells the banded alignment may fill for one pair (its traceback is one byte a cell).
const ALIGN_CELLS: usize = 8_000_000;

/// Traceback steps of the alignment.
const DIAGONAL: u8 = 0;
const UP: u8 = 1;
const LEFT: u8 = 2;

/// Aligns the entries of a stack (each a sequence of `(seq, code)`), so that a paper one entry
/// skipped or keyed twice is one gap, not a shift of every later ballot. Entries are added one after
/// the other (progressive alignment) to the columns built so far; each step is the minimum-cost
/// alignment where a column costs, summed over the entries already aligned, one for each entry whose
/// ballot there is not the new one's (a change or a gap). Ties put the gap as late as possible:
/// readings that agree on papers 1–3 and part at paper 4 show the gap at paper 4. Deterministic.
fn align(entries: &[Vec<(i64, String)>]) -> Vec<Column> {
    let Some(first) = entries.first() else { return Vec::new() };
    let mut columns: Vec<Column> = first.iter().map(|b| vec![Some(b.clone())]).collect();
    for (prior, next) in entries.iter().enumerate().skip(1) {
        columns = align_one(&columns, prior, next);
    }
    columns
}

/// The cost of giving the new entry's ballot `code` the column `col` (`None`: a gap in the new entry).
fn column_cost(col: &Column, code: Option<&str>) -> u64 {
    col.iter().filter(|r| r.as_ref().map(|(_, c)| c.as_str()) != code).count() as u64
}

/// Adds one entry to the columns of the `prior` entries aligned before it.
fn align_one(columns: &[Column], prior: usize, next: &[(i64, String)]) -> Vec<Column> {
    let (n, m) = (columns.len(), next.len());
    let apart = n.abs_diff(m);
    let mut band = apart.max(8);
    let mut best: Option<(u64, usize, Vec<u8>)> = None;
    loop {
        let width = 2 * band + 1;
        if (n + 1).saturating_mul(width) > ALIGN_CELLS {
            break;
        }
        let (cost, trace) = banded(columns, next, prior, band);
        let done = cost <= band as u64;
        best = Some((cost, band, trace));
        if done || band >= n.max(m) {
            break;
        }
        band *= 2;
    }
    let Some((_, band, trace)) = best else {
        // Entries too long and too far apart to align within the budget: paper by paper.
        return (0..n.max(m))
            .map(|i| {
                let mut col = columns.get(i).cloned().unwrap_or_else(|| vec![None; prior]);
                col.push(next.get(i).cloned());
                col
            })
            .collect();
    };
    let width = 2 * band + 1;
    let (mut i, mut j) = (n, m);
    let mut out = Vec::with_capacity(n.max(m));
    while i > 0 || j > 0 {
        let step = trace[i * width + (j + band - i)];
        match step {
            DIAGONAL => {
                let mut col = columns[i - 1].clone();
                col.push(Some(next[j - 1].clone()));
                out.push(col);
                i -= 1;
                j -= 1;
            }
            UP => {
                let mut col = columns[i - 1].clone();
                col.push(None);
                out.push(col);
                i -= 1;
            }
            _ => {
                let mut col = vec![None; prior];
                col.push(Some(next[j - 1].clone()));
                out.push(col);
                j -= 1;
            }
        }
    }
    out.reverse();
    out
}

/// The minimum-cost alignment of `columns` with `next` among the paths with |i − j| ≤ `band`: its
/// cost and the step that reaches each cell (row `i`, offset `j − i + band`).
fn banded(columns: &[Column], next: &[(i64, String)], prior: usize, band: usize) -> (u64, Vec<u8>) {
    const FAR: u64 = u64::MAX / 4;
    let (n, m) = (columns.len(), next.len());
    let width = 2 * band + 1;
    let mut trace = vec![LEFT; (n + 1) * width];
    let mut prev = vec![FAR; width];
    let mut cur = vec![FAR; width];
    for i in 0..=n {
        cur.fill(FAR);
        let lo = i.saturating_sub(band);
        let hi = (i + band).min(m);
        for j in lo..=hi {
            let k = j + band - i;
            if i == 0 && j == 0 {
                cur[k] = 0;
                continue;
            }
            // Ties: a gap in the new entry, then an extra ballot in it, then the diagonal — so that,
            // read from the end, agreeing ballots are matched first and the gap lands late.
            let mut value = FAR;
            let mut step = LEFT;
            if i > 0 && k + 1 < width && prev[k + 1] < FAR {
                value = prev[k + 1] + column_cost(&columns[i - 1], None);
                step = UP;
            }
            if j > 0 && k > 0 && cur[k - 1] < FAR {
                let v = cur[k - 1] + prior as u64;
                if v < value {
                    value = v;
                    step = LEFT;
                }
            }
            if i > 0 && j > 0 && prev[k] < FAR {
                let v = prev[k] + column_cost(&columns[i - 1], Some(next[j - 1].1.as_str()));
                if v < value {
                    value = v;
                    step = DIAGONAL;
                }
            }
            cur[k] = value;
            trace[i * width + k] = step;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[m + band - n], trace)
}

/// The board's reading of each aligned position it decided (`None`: no such ballot).
type Resolutions = BTreeMap<i64, Option<String>>;

/// The aligned entries of a stack with the board's resolutions: the columns and, for each, the
/// difference there if the entries disagree.
fn aligned(c: &Connection, stack_id: i64) -> Result<(Vec<Column>, Resolutions), AppError> {
    let entries = db::entries_of(c, stack_id)?;
    let readings: Vec<Vec<(i64, String)>> = entries
        .iter()
        .map(|e| db::ballots_of(c, e.id).map(|b| b.into_iter().map(|x| (x.seq, x.code)).collect()))
        .collect::<Result<_, _>>()?;
    let resolved: Resolutions = db::resolutions_of(c, stack_id)?.into_iter().collect();
    Ok((align(&readings), resolved))
}

/// The difference at one aligned position, if the entries disagree there.
fn difference_at(seq: i64, col: &Column, resolved: &Resolutions) -> Option<Difference> {
    let codes: Vec<Option<&str>> = col.iter().map(|r| r.as_ref().map(|(_, c)| c.as_str())).collect();
    if codes.iter().all(|x| *x == codes[0]) {
        return None;
    }
    let kind =
        if codes.iter().all(Option::is_some) { DifferenceKind::Changed } else { DifferenceKind::Missing };
    Some(Difference {
        seq,
        kind,
        readings: codes.iter().map(|x| x.map(str::to_owned)).collect(),
        entry_seqs: col.iter().map(|r| r.as_ref().map(|(s, _)| *s)).collect(),
        resolved: resolved.get(&seq).cloned(),
    })
}

/// Compares the entries of a stack after aligning them (`align`); returns the positions where they
/// differ, numbered in the aligned stack.
pub(super) fn differences(c: &Connection, stack_id: i64) -> Result<Vec<Difference>, AppError> {
    let (columns, resolved) = aligned(c, stack_id)?;
    Ok(columns
        .iter()
        .enumerate()
        .filter_map(|(i, col)| difference_at(i as i64 + 1, col, &resolved))
        .collect())
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

/// The agreed reading of a stack's ballots (only for accepted stacks): the aligned positions where
/// the entries agree, and the board's reading where they differ (none: no such ballot).
pub(super) fn readings(c: &Connection, stack_id: i64) -> Result<Vec<String>, AppError> {
    let (columns, resolved) = aligned(c, stack_id)?;
    let mut out = Vec::new();
    for (i, col) in columns.iter().enumerate() {
        let seq = i as i64 + 1;
        match difference_at(seq, col, &resolved) {
            None => out.extend(col.first().cloned().flatten().map(|(_, code)| code)),
            Some(d) => match d.resolved {
                Some(Some(code)) => out.push(code),
                Some(None) => {}
                None => {
                    return Err(AppError::Conflict(format!(
                        "Phiếu thứ {seq} của chồng phiếu chưa được ban kiểm phiếu quyết định."
                    )));
                }
            },
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
            // One ballot to each voter present: never more than those present at the sitting, as the
            // round's assembly took them.
            let present = round.assembly.present;
            if issued > present {
                return Err(AppError::invalid(
                    "issued",
                    format!(
                        "Số phiếu phát ra ({issued}) không được lớn hơn số người có mặt tại phiên họp ({present})."
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(codes: &[&str]) -> Vec<(i64, String)> {
        codes.iter().enumerate().map(|(i, c)| (i as i64 + 1, (*c).to_owned())).collect()
    }

    /// The positions (1-based) where the aligned entries differ, with each entry's own ballot number.
    fn gaps(entries: &[Vec<(i64, String)>]) -> Vec<(i64, Vec<Option<i64>>)> {
        align(entries)
            .iter()
            .enumerate()
            .filter_map(|(i, col)| difference_at(i as i64 + 1, col, &BTreeMap::new()))
            .map(|d| (d.seq, d.entry_seqs))
            .collect()
    }

    fn stack(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("x:{i}")).collect()
    }

    #[test]
    fn reconcile_alignment_a_skipped_paper_is_one_gap() {
        let all = stack(10);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let mut skipped = refs.clone();
        skipped.remove(3);
        assert_eq!(gaps(&[entry(&refs), entry(&skipped)]), [(4, vec![Some(4), None])]);
        assert_eq!(gaps(&[entry(&skipped), entry(&refs)]), [(4, vec![None, Some(4)])]);
    }

    #[test]
    fn reconcile_alignment_a_paper_keyed_twice_is_one_extra_ballot() {
        let all = stack(10);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let mut twice = refs.clone();
        twice.insert(6, "x:6");
        // Papers 1–6 agree; the second "x:6" of the second entry (its ballot 7) is the extra one.
        assert_eq!(gaps(&[entry(&refs), entry(&twice)]), [(7, vec![None, Some(7)])]);
    }

    #[test]
    fn reconcile_alignment_a_misread_is_one_change_and_repeats_do_not_shift() {
        let same = ["x:1", "x:1", "x:2", "x:1", "x:1"];
        let misread = ["x:1", "x:1", "x:1", "x:1", "x:1"];
        assert_eq!(gaps(&[entry(&same), entry(&misread)]), [(3, vec![Some(3), Some(3)])]);
        // A run of equal readings: the skipped one shows at the end of the run.
        let short = ["x:1", "x:1", "x:2", "x:1"];
        assert_eq!(gaps(&[entry(&same), entry(&short)]), [(5, vec![Some(5), None])]);
    }

    #[test]
    fn reconcile_alignment_three_entries_and_edges() {
        let all = stack(12);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let mut skipped = refs.clone();
        skipped.remove(3);
        let mut misread = refs.clone();
        misread[8] = "x:";
        assert_eq!(
            gaps(&[entry(&refs), entry(&skipped), entry(&misread)]),
            [(4, vec![Some(4), None, Some(4)]), (9, vec![Some(9), Some(8), Some(9)])]
        );
        assert!(gaps(&[entry(&refs), entry(&refs), entry(&refs)]).is_empty());
        assert_eq!(gaps(&[entry(&[]), entry(&["x:1"])]), [(1, vec![None, Some(1)])]);
        assert!(align(&[entry(&[]), entry(&[])]).is_empty());
    }

    #[test]
    fn reconcile_alignment_large_stacks_stay_within_the_budget() {
        // 100 000 papers, one skipped near the start and one keyed twice near the end.
        let all: Vec<String> = (0..100_000).map(|i| format!("x:{}", i % 7 + 1)).collect();
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let mut other = refs.clone();
        other.remove(10);
        other.insert(99_000, "x:9");
        let found = gaps(&[entry(&refs), entry(&other)]);
        assert_eq!(found.len(), 2, "{found:?}");
        // Entirely different entries of different lengths still align (paper by paper at worst).
        let a: Vec<String> = (0..50_000).map(|i| format!("x:{}", i % 5 + 1)).collect();
        let b: Vec<String> = (0..20_000).map(|i| format!("x:{}", i % 3 + 10)).collect();
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let b: Vec<&str> = b.iter().map(String::as_str).collect();
        assert_eq!(align(&[entry(&a), entry(&b)]).len(), 50_000);
    }
}
