//! Complaints about an election (`rules.md` § 8, Art. 33): logged when received (by the inspection
//! committee or the staff), verified by a member of the inspection committee, closed with an outcome.
//! A pending complaint blocks approving what it concerns ([`crate::workflow::approve_body`]).
//!
//! A complaint received after the window (closing + the complaint deadline in working days) is still
//! logged — the record of what was received must be complete — and marked "quá hạn khiếu nại"; it
//! blocks approval like any other until the inspection committee closes it (usually dismissed as
//! late), so the decision to set it aside is a recorded, audited one and never silent.

use crate::AppError;
use crate::accounts::{Actor, Permission, text_field};
use crate::calendar::{self, vn_date};
use crate::workflow::{self, body_label};
use baucu_rules::election::Body;
use baucu_store::aggregator::db::AggDb;
use baucu_store::aggregator::workflow as store;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::json;

pub const MAX_COMPLAINANT_CHARS: usize = 200;
pub const MAX_SUMMARY_CHARS: usize = 4_000;

/// What a complaint is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    /// The whole congress.
    Congress,
    /// The election of one body.
    Body(Body),
    /// One person elected to a body (the person's number in the package).
    Person(Body, i64),
}

impl About {
    /// From a form: `body` empty = the whole congress; `person` empty = the whole body.
    pub fn parse(body: &str, person: &str) -> Result<Self, AppError> {
        let body = body.trim();
        let person = person.trim();
        if body.is_empty() {
            if !person.is_empty() {
                return Err(AppError::invalid("body", "Chọn cơ quan được bầu của người bị khiếu nại."));
            }
            return Ok(About::Congress);
        }
        let b = Body::from_code(body)
            .ok_or_else(|| AppError::invalid("body", "Cơ quan được bầu không hợp lệ."))?;
        if person.is_empty() {
            return Ok(About::Body(b));
        }
        match person.parse::<i64>() {
            Ok(p) if (1..=1_000_000).contains(&p) => Ok(About::Person(b, p)),
            _ => Err(AppError::invalid("person", "Số thứ tự người bị khiếu nại không hợp lệ.")),
        }
    }
}

/// A complaint as received.
#[derive(Debug, Clone)]
pub struct NewComplaint {
    pub received_on: Date,
    pub complainant: String,
    pub about: About,
    pub summary: String,
}

/// How a complaint ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Upheld,
    Dismissed,
    Withdrawn,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Upheld => "upheld",
            Outcome::Dismissed => "dismissed",
            Outcome::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(code: &str) -> Result<Self, AppError> {
        match code.trim() {
            "upheld" => Ok(Outcome::Upheld),
            "dismissed" => Ok(Outcome::Dismissed),
            "withdrawn" => Ok(Outcome::Withdrawn),
            _ => Err(AppError::invalid(
                "outcome",
                "Kết quả giải quyết không hợp lệ (upheld, dismissed, withdrawn).",
            )),
        }
    }
}

fn status_label(status: &str) -> Result<&'static str, AppError> {
    Ok(match status {
        "pending" => "Đang giải quyết",
        "upheld" => "Khiếu nại đúng",
        "dismissed" => "Khiếu nại không đúng",
        "withdrawn" => "Đã rút khiếu nại",
        other => return Err(AppError::damaged("Khiếu nại", format!("trạng thái \"{other}\""))),
    })
}

/// A complaint on the congress page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplaintView {
    pub id: i64,
    pub received_on: String,
    pub received_on_vn: String,
    pub complainant: String,
    pub about_body: Option<String>,
    pub about_person: Option<i64>,
    /// "Toàn bộ đại hội", "Ban Chấp hành", "Nguyễn Văn A (Ban Chấp hành)".
    pub about_label: String,
    pub summary: String,
    pub verifier: Option<String>,
    pub status: String,
    pub status_label: &'static str,
    pub pending: bool,
    pub outcome: Option<String>,
    pub closed_on: Option<String>,
    /// Received after the complaint window: "quá hạn khiếu nại".
    pub late: bool,
}

pub(crate) fn view_of(
    r: &store::ComplaintRow,
    window_ends: Option<Date>,
    elected: &[store::ElectedRow],
) -> Result<ComplaintView, AppError> {
    let received = calendar::parse_date("received_on", &r.received_on)
        .map_err(|_| AppError::damaged("Khiếu nại", &r.received_on))?;
    let label =
        |code: &str| Body::from_code(code).map_or_else(|| code.to_owned(), |b| body_label(b).to_owned());
    let about_label = match (&r.about_body, r.about_person) {
        (None, _) => "Toàn bộ đại hội".to_owned(),
        (Some(b), None) => label(b),
        (Some(b), Some(p)) => {
            let name = elected
                .iter()
                .find(|e| &e.body == b && e.person == p)
                .map_or_else(|| format!("người số {p}"), |e| e.name.clone());
            format!("{name} ({})", label(b))
        }
    };
    Ok(ComplaintView {
        id: r.id,
        received_on: r.received_on.clone(),
        received_on_vn: vn_date(received),
        complainant: r.complainant.clone(),
        about_body: r.about_body.clone(),
        about_person: r.about_person,
        about_label,
        summary: r.summary.clone(),
        verifier: r.verifier.clone(),
        status_label: status_label(&r.status)?,
        pending: r.status == "pending",
        status: r.status.clone(),
        outcome: r.outcome.clone(),
        closed_on: r.closed_on.clone(),
        late: window_ends.is_some_and(|w| received > w),
    })
}

/// What [`log`] recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub id: i64,
    /// Received after the complaint window ("quá hạn khiếu nại").
    pub late: bool,
    pub window_ends: Date,
}

/// Logs a complaint received about a congress of the actor's area (inspection, staff, admin).
pub fn log(
    db: &AggDb,
    actor: &Actor,
    unit_code: &str,
    new: NewComplaint,
    today: Date,
) -> Result<Logged, AppError> {
    actor.require(Permission::LogComplaint)?;
    let complainant = text_field("complainant", "người khiếu nại", &new.complainant, MAX_COMPLAINANT_CHARS)?;
    let summary = text_field("summary", "nội dung khiếu nại", &new.summary, MAX_SUMMARY_CHARS)?;
    if new.received_on > today {
        return Err(AppError::invalid("received_on", "Ngày nhận khiếu nại không được sau ngày hôm nay."));
    }
    workflow::ensure_calendar(db)?;
    workflow::write(db, |tx| {
        let code = unit_code.trim();
        if code.is_empty() || code.len() > 64 {
            return Err(AppError::NotFound("đơn vị"));
        }
        let row = store::congress(tx, code)?.ok_or(AppError::NotFound("đơn vị"))?;
        if !actor.sees(&row.unit_path) {
            return Err(AppError::NotFound("đơn vị"));
        }
        let status = workflow::Status::from_stored(row.status.as_deref())?;
        let Some(closed) = row.closed_on.as_deref().filter(|_| status != workflow::Status::NotHeld) else {
            return Err(AppError::Conflict(format!(
                "Đại hội {} chưa tổ chức: chưa có gì để khiếu nại.",
                row.unit_name
            )));
        };
        let closed = calendar::parse_date("closed_on", closed)
            .map_err(|_| AppError::damaged("Ngày bế mạc", closed))?;
        if new.received_on < closed {
            return Err(AppError::invalid(
                "received_on",
                "Ngày nhận khiếu nại không được trước ngày bế mạc đại hội.",
            ));
        }
        let elected = match row.package_id {
            Some(p) => store::elected(tx, p)?,
            None => Vec::new(),
        };
        let (body, person) = match new.about {
            About::Congress => (None, None),
            About::Body(b) | About::Person(b, _) => {
                if !elected.iter().any(|e| e.body == b.code()) {
                    return Err(AppError::invalid(
                        "body",
                        format!("Kết quả đại hội không có {}.", body_label(b)),
                    ));
                }
                match new.about {
                    About::Person(_, p) => {
                        if !elected.iter().any(|e| e.body == b.code() && e.person == p) {
                            return Err(AppError::invalid(
                                "person",
                                format!("Người số {p} không trúng cử {}.", body_label(b)),
                            ));
                        }
                        (Some(b.code()), Some(p))
                    }
                    _ => (Some(b.code()), None),
                }
            }
        };
        let (h, dl) = workflow::calendar_of(tx)?;
        let window_ends = dl.complaint_window_ends(closed, &h)?;
        let late = new.received_on > window_ends;
        let id = store::insert_complaint(
            tx,
            &row.unit_code,
            &new.received_on.to_string(),
            &complainant,
            body,
            person,
            &summary,
        )?;
        let detail = json!({"id": id, "unit": row.unit_code, "received_on": new.received_on.to_string(),
            "complainant": complainant, "body": body, "person": person, "late": late});
        crate::audit::append(tx, actor, "complaint.log", &detail.to_string())?;
        Ok(Logged { id, late, window_ends })
    })
}

fn load(
    tx: &mut baucu_store::aggregator::db::Tx<'_>,
    actor: &Actor,
    id: i64,
) -> Result<store::ComplaintRow, AppError> {
    let c = store::complaint(tx, id)?.ok_or(AppError::NotFound("khiếu nại"))?;
    let unit = store::congress(tx, &c.unit_code)?.ok_or(AppError::NotFound("khiếu nại"))?;
    if !actor.sees(&unit.unit_path) {
        return Err(AppError::NotFound("khiếu nại"));
    }
    Ok(c)
}

/// Names the member of the inspection committee who verifies a complaint (inspection, admin).
pub fn assign_verifier(db: &AggDb, actor: &Actor, id: i64, verifier: &str) -> Result<(), AppError> {
    actor.require(Permission::VerifyComplaint)?;
    let verifier = text_field("verifier", "người xác minh", verifier, MAX_COMPLAINANT_CHARS)?;
    workflow::write(db, |tx| {
        let c = load(tx, actor, id)?;
        if c.status != "pending" {
            return Err(AppError::Conflict(format!("Khiếu nại số {id} đã được giải quyết.")));
        }
        store::set_verifier(tx, id, &verifier)?;
        let detail = json!({"id": id, "unit": c.unit_code, "verifier": verifier, "before": c.verifier});
        crate::audit::append(tx, actor, "complaint.verifier", &detail.to_string())?;
        Ok(())
    })
}

/// Records how a complaint ended (inspection, admin): upheld, dismissed or withdrawn, with the text
/// of the conclusion. It no longer blocks approval; an upheld complaint is then acted on by the staff
/// (refuse or annul).
pub fn close(
    db: &AggDb,
    actor: &Actor,
    id: i64,
    outcome: Outcome,
    text: &str,
    closed_on: Date,
    today: Date,
) -> Result<(), AppError> {
    actor.require(Permission::VerifyComplaint)?;
    let text = text_field("outcome_text", "kết luận", text, MAX_SUMMARY_CHARS)?;
    if closed_on > today {
        return Err(AppError::invalid("closed_on", "Ngày kết luận không được sau ngày hôm nay."));
    }
    workflow::write(db, |tx| {
        let c = load(tx, actor, id)?;
        if c.status != "pending" {
            return Err(AppError::Conflict(format!("Khiếu nại số {id} đã được giải quyết.")));
        }
        let received = calendar::parse_date("received_on", &c.received_on)
            .map_err(|_| AppError::damaged("Khiếu nại", &c.received_on))?;
        if closed_on < received {
            return Err(AppError::invalid(
                "closed_on",
                "Ngày kết luận không được trước ngày nhận khiếu nại.",
            ));
        }
        store::close_complaint(tx, id, outcome.code(), &text, &closed_on.to_string())?;
        let detail = json!({"id": id, "unit": c.unit_code, "outcome": outcome.code(), "closed_on": closed_on.to_string()});
        crate::audit::append(tx, actor, "complaint.close", &detail.to_string())?;
        Ok(())
    })
}

/// The pending complaints of the actor's area, for the dashboard.
pub fn pending(db: &AggDb, actor: &Actor) -> Result<Vec<ComplaintView>, AppError> {
    actor.require(Permission::ViewReports)?;
    let rows = db.read(|tx| store::pending_complaints(tx, &actor.area_prefix()))?;
    rows.iter().map(|r| view_of(r, None, &[])).collect()
}
