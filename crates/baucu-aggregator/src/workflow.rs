//! The approval workflow of `rules.md` § 8: each congress moves through not held → held → reported →
//! approved / approval refused (per body and per person) / annulled and re-run, against the
//! working-day deadlines of [`crate::calendar`]. Every action checks the actor's role and area and is
//! audited in the same transaction.
//!
//! Decisions belong to the package version they were taken on: a superseding package (the import
//! puts the congress back to "reported") starts the decisions again, the old ones stay as history.

use crate::AppError;
use crate::accounts::{Actor, Permission};
use crate::calendar::{self, Deadlines, Holidays, Urgency};
use baucu_rules::election::Body;
use baucu_store::StoreError;
use baucu_store::aggregator::db::{AggDb, Tx};
use baucu_store::aggregator::workflow as store;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::json;

/// The longest reason, name or summary typed on a decision or a complaint.
pub const MAX_REASON_CHARS: usize = 2_000;
/// The setting that says the preloaded holidays were written once (so a removed one stays removed).
const PRELOADED_SETTING: &str = "holidays_preloaded";

/// Runs `f` in one write transaction: an [`AppError`] rolls everything back, as a store error does.
pub(crate) fn write<T>(
    db: &AggDb,
    f: impl FnOnce(&mut Tx<'_>) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let mut refused = None;
    let out = db.write(|tx| match f(tx) {
        Ok(v) => Ok(v),
        Err(AppError::Store(e)) => Err(e),
        Err(e) => {
            refused = Some(e);
            Err(StoreError::Data("refused by the action".into()))
        }
    });
    match (out, refused) {
        (_, Some(e)) => Err(e),
        (Ok(v), None) => Ok(v),
        (Err(e), None) => Err(AppError::Store(e)),
    }
}

/// Runs `f` in one read transaction, with [`AppError`]s passed through.
pub(crate) fn read<T>(db: &AggDb, f: impl FnOnce(&mut Tx<'_>) -> Result<T, AppError>) -> Result<T, AppError> {
    let mut refused = None;
    let out = db.read(|tx| match f(tx) {
        Ok(v) => Ok(v),
        Err(AppError::Store(e)) => Err(e),
        Err(e) => {
            refused = Some(e);
            Err(StoreError::Data("refused by the action".into()))
        }
    });
    match (out, refused) {
        (_, Some(e)) => Err(e),
        (Ok(v), None) => Ok(v),
        (Err(e), None) => Err(AppError::Store(e)),
    }
}

/// Where a congress stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotHeld,
    Held,
    Reported,
    Approved,
    ApprovalRefused,
    Annulled,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::NotHeld => "not_held",
            Status::Held => "held",
            Status::Reported => "reported",
            Status::Approved => "approved",
            Status::ApprovalRefused => "approval_refused",
            Status::Annulled => "annulled",
        }
    }

    /// The stored status (`None`: no row, not held); an unknown value is damage.
    pub fn from_stored(status: Option<&str>) -> Result<Self, AppError> {
        Ok(match status {
            None => Status::NotHeld,
            Some("held") => Status::Held,
            Some("reported") => Status::Reported,
            Some("approved") => Status::Approved,
            Some("approval_refused") => Status::ApprovalRefused,
            Some("annulled") => Status::Annulled,
            Some(other) => return Err(AppError::damaged("Trạng thái đại hội", other)),
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::NotHeld => "Chưa tổ chức",
            Status::Held => "Đã tổ chức, chưa nhận báo cáo",
            Status::Reported => "Đã báo cáo, chờ chuẩn y",
            Status::Approved => "Đã chuẩn y",
            Status::ApprovalRefused => "Không chuẩn y (một phần hoặc toàn bộ)",
            Status::Annulled => "Đã hủy kết quả, phải bầu lại",
        }
    }
}

/// The Vietnamese name of a body.
pub fn body_label(body: Body) -> &'static str {
    match body {
        Body::Committee => "Ban Chấp hành",
        Body::StandingCommittee => "Ban Thường vụ",
        Body::Secretary => "Bí thư",
        Body::DeputySecretary => "Phó Bí thư",
        Body::InspectionCommittee => "Ủy ban Kiểm tra",
        Body::InspectionChair => "Chủ nhiệm Ủy ban Kiểm tra",
        Body::InspectionDeputyChair => "Phó Chủ nhiệm Ủy ban Kiểm tra",
        Body::Delegates => "Đại biểu dự đại hội cấp trên",
    }
}

/// A stored body code (from a package); unknown is damage.
fn stored_body(code: &str) -> Result<Body, AppError> {
    Body::from_code(code).ok_or_else(|| AppError::damaged("Kết quả bầu cử", format!("cơ quan \"{code}\"")))
}

/// A body named on a form for a decision: any body the superior approves (not the delegates).
pub fn parse_body(field: &str, code: &str) -> Result<Body, AppError> {
    match Body::from_code(code.trim()) {
        Some(Body::Delegates) => {
            Err(AppError::invalid(field, "Đại biểu dự đại hội cấp trên không thuộc diện cấp trên chuẩn y."))
        }
        Some(b) => Ok(b),
        None => Err(AppError::invalid(field, "Cơ quan được bầu không hợp lệ.")),
    }
}

fn label_of_code(code: &str) -> String {
    Body::from_code(code).map_or_else(|| code.to_owned(), |b| body_label(b).to_owned())
}

fn reason_text(field: &str, text: &str) -> Result<String, AppError> {
    crate::accounts::text_field(field, "lý do", text, MAX_REASON_CHARS)
}

fn date_of(field: &str, stored: Option<&str>) -> Result<Option<Date>, AppError> {
    stored
        .map(|s| calendar::parse_date(field, s).map_err(|_| AppError::damaged("Ngày của đại hội", s)))
        .transpose()
}

/// The holidays and deadlines as stored, preloading the holidays on first use.
pub(crate) fn calendar_of(tx: &mut Tx<'_>) -> Result<(Holidays, Deadlines), AppError> {
    let mut days = Vec::new();
    for (day, _) in store::holidays(tx)? {
        days.push(calendar::parse_date("day", &day).map_err(|_| AppError::damaged("Lịch ngày nghỉ", &day))?);
    }
    let settings = store::settings(tx)?;
    let deadlines = Deadlines::from_settings(settings.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    Ok((Holidays::new(days), deadlines))
}

/// Writes the preloaded holidays ([`calendar::PRELOADED`]) once, on the first use of a new database.
pub fn ensure_calendar(db: &AggDb) -> Result<(), AppError> {
    if db.read(|tx| store::setting(tx, PRELOADED_SETTING))?.is_some() {
        return Ok(());
    }
    write(db, |tx| {
        if store::setting(tx, PRELOADED_SETTING)?.is_some() {
            return Ok(());
        }
        for (day, name) in calendar::PRELOADED {
            if store::holiday(tx, day)?.is_none() {
                store::put_holiday(tx, day, name)?;
            }
        }
        store::put_setting(tx, PRELOADED_SETTING, "2025-2027")?;
        let system = Actor { username: "hệ thống".into(), ..Actor::cli() };
        let detail = json!({"days": calendar::PRELOADED.len(), "years": "2025-2027"});
        crate::audit::append(tx, &system, "calendar.preload", &detail.to_string())?;
        Ok(())
    })
}

/// A congress loaded for an action: its row, parsed, after the area check.
struct Loaded {
    row: store::CongressRow,
    status: Status,
}

/// Loads a unit's congress for `actor`; a unit outside the actor's area is "not found", as one
/// that does not exist.
fn load(tx: &mut Tx<'_>, actor: &Actor, unit_code: &str) -> Result<Loaded, AppError> {
    let code = unit_code.trim();
    if code.is_empty() || code.len() > 64 {
        return Err(AppError::NotFound("đơn vị"));
    }
    let row = store::congress(tx, code)?.ok_or(AppError::NotFound("đơn vị"))?;
    if !actor.sees(&row.unit_path) {
        return Err(AppError::NotFound("đơn vị"));
    }
    let status = Status::from_stored(row.status.as_deref())?;
    Ok(Loaded { row, status })
}

/// The date (Asia/Ho_Chi_Minh) a package was received.
fn received_date(received_at: i64) -> Result<Date, AppError> {
    let tz = jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh")
        .map_err(|_| AppError::damaged("Múi giờ", "Asia/Ho_Chi_Minh"))?;
    let ts = jiff::Timestamp::from_second(received_at)
        .map_err(|_| AppError::damaged("Gói kết quả", "thời điểm nhận"))?;
    Ok(ts.to_zoned(tz).date())
}

/// What the decisions on the current package are, body by body.
struct Decisions {
    package_id: i64,
    elected: Vec<store::ElectedRow>,
    approvals: Vec<store::ApprovalRow>,
    /// Bodies annulled since the current package was received.
    annulled_bodies: Vec<String>,
}

fn decisions(tx: &mut Tx<'_>, loaded: &Loaded) -> Result<Option<Decisions>, AppError> {
    let Some(package_id) = loaded.row.package_id else { return Ok(None) };
    let code = &loaded.row.unit_code;
    let elected = store::elected(tx, package_id)?;
    let approvals: Vec<_> =
        store::approvals(tx, code)?.into_iter().filter(|a| a.package_id == Some(package_id)).collect();
    let received = store::package_versions(tx, code)?
        .into_iter()
        .find(|p| p.id == package_id)
        .map(|p| received_date(p.received_at))
        .transpose()?;
    let mut annulled_bodies = Vec::new();
    for a in store::annulments(tx, code)? {
        let on = calendar::parse_date("decided_on", &a.decided_on)
            .map_err(|_| AppError::damaged("Quyết định hủy", &a.decided_on))?;
        if let Some(body) = a.body
            && received.is_none_or(|r| on >= r)
        {
            annulled_bodies.push(body);
        }
    }
    Ok(Some(Decisions { package_id, elected, approvals, annulled_bodies }))
}

impl Decisions {
    /// The bodies the superior approves that this package elected, in the usual order.
    fn bodies(&self) -> Vec<Body> {
        Body::ALL
            .into_iter()
            .filter(|b| {
                *b != Body::Delegates && self.elected.iter().any(|e| e.body == b.code() && !e.alternate)
            })
            .collect()
    }

    fn body_decision(&self, body: &str) -> Option<&store::ApprovalRow> {
        self.approvals.iter().find(|a| a.body == body && a.person.is_none())
    }

    fn person_decision(&self, body: &str, person: i64) -> Option<&store::ApprovalRow> {
        self.approvals.iter().find(|a| a.body == body && a.person == Some(person))
    }

    /// The status the decisions give: any refusal → approval refused; every body (not annulled)
    /// approved → approved; else still reported.
    fn status(&self) -> Status {
        if self.approvals.iter().any(|a| a.decision == "refused") {
            return Status::ApprovalRefused;
        }
        let open: Vec<Body> = self
            .bodies()
            .into_iter()
            .filter(|b| !self.annulled_bodies.iter().any(|a| a == b.code()))
            .collect();
        if !open.is_empty()
            && open.iter().all(|b| self.body_decision(b.code()).is_some_and(|d| d.decision == "approved"))
        {
            Status::Approved
        } else {
            Status::Reported
        }
    }
}

/// Marks a congress held, closed on `closed_on` (before its package arrives, or the re-run after an
/// annulment). Staff and administrators, in their area.
pub fn mark_held(
    db: &AggDb,
    actor: &Actor,
    unit_code: &str,
    closed_on: Date,
    today: Date,
) -> Result<(), AppError> {
    actor.require(Permission::Decide)?;
    if closed_on > today {
        return Err(AppError::invalid("closed_on", "Ngày bế mạc không được sau ngày hôm nay."));
    }
    write(db, |tx| {
        let c = load(tx, actor, unit_code)?;
        if !matches!(c.status, Status::NotHeld | Status::Held | Status::Annulled) {
            return Err(AppError::Conflict(format!(
                "Đại hội {} đang ở trạng thái \"{}\": chỉ đánh dấu đã tổ chức khi chưa tổ chức hoặc phải bầu lại.",
                c.row.unit_name,
                c.status.label()
            )));
        }
        store::mark_held(tx, &c.row.unit_code, &closed_on.to_string(), &today.to_string())?;
        let detail =
            json!({"unit": c.row.unit_code, "closed_on": closed_on.to_string(), "before": c.status.code()});
        crate::audit::append(tx, actor, "congress.held", &detail.to_string())?;
        Ok(())
    })
}

/// The first pending complaint that blocks approving `body`: one about the whole congress, that body,
/// or a person of it.
fn blocking_complaint(
    tx: &mut Tx<'_>,
    unit_code: &str,
    body: &str,
) -> Result<Option<store::ComplaintRow>, AppError> {
    let found = store::complaints(tx, unit_code)?
        .into_iter()
        .find(|c| c.status == "pending" && c.about_body.as_deref().is_none_or(|b| b == body));
    Ok(found)
}

fn blocked_message(c: &store::ComplaintRow, what: &str) -> String {
    let about = match (&c.about_body, c.about_person) {
        (None, _) => "toàn bộ đại hội".to_owned(),
        (Some(b), None) => label_of_code(b),
        (Some(b), Some(p)) => format!("một người trúng cử {} (số {p})", label_of_code(b)),
    };
    let received =
        calendar::parse_date("received_on", &c.received_on).map_or(c.received_on.clone(), calendar::vn_date);
    format!(
        "Chưa thể chuẩn y {what}: khiếu nại số {} của {} (nhận ngày {received}) về {about} đang chờ giải quyết.",
        c.id, c.complainant
    )
}

fn require_decidable(c: &Loaded) -> Result<(), AppError> {
    if matches!(c.status, Status::Reported | Status::Approved | Status::ApprovalRefused)
        && c.row.package_id.is_some()
    {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "Đại hội {} đang ở trạng thái \"{}\": chỉ quyết định chuẩn y khi đã nhận báo cáo kết quả.",
            c.row.unit_name,
            c.status.label()
        )))
    }
}

fn update_status(tx: &mut Tx<'_>, c: &Loaded, today: Date) -> Result<Status, AppError> {
    let Some(d) = decisions(tx, c)? else { return Ok(c.status) };
    let status = d.status();
    if status != c.status {
        store::set_status(tx, &c.row.unit_code, status.code(), &today.to_string())?;
    }
    Ok(status)
}

/// Approves a body: all its elected, except anyone already refused. Refused while a complaint about
/// the congress, the body or one of its people is pending (the message names the complaint).
pub fn approve_body(
    db: &AggDb,
    actor: &Actor,
    unit_code: &str,
    body: &str,
    today: Date,
) -> Result<Status, AppError> {
    actor.require(Permission::Decide)?;
    let body = parse_body("body", body)?;
    write(db, |tx| {
        let c = load(tx, actor, unit_code)?;
        require_decidable(&c)?;
        let Some(d) = decisions(tx, &c)? else { return Err(AppError::NotFound("gói kết quả")) };
        if !d.bodies().contains(&body) {
            return Err(AppError::invalid("body", format!("Đại hội không bầu {}.", body_label(body))));
        }
        if d.annulled_bodies.iter().any(|b| b == body.code()) {
            return Err(AppError::Conflict(format!(
                "Kết quả bầu {} đã bị hủy, phải bầu lại.",
                body_label(body)
            )));
        }
        if d.body_decision(body.code()).is_some() {
            return Err(AppError::Conflict(format!("{} đã có quyết định.", body_label(body))));
        }
        if let Some(complaint) = blocking_complaint(tx, &c.row.unit_code, body.code())? {
            return Err(AppError::Conflict(blocked_message(&complaint, body_label(body))));
        }
        store::insert_approval(
            tx,
            &c.row.unit_code,
            body.code(),
            None,
            "approved",
            None,
            &today.to_string(),
            &actor.username,
            d.package_id,
        )?;
        let status = update_status(tx, &c, today)?;
        let detail = json!({"unit": c.row.unit_code, "body": body.code(), "package": d.package_id, "status": status.code()});
        crate::audit::append(tx, actor, "congress.approve", &detail.to_string())?;
        Ok(status)
    })
}

/// Refuses to approve a body (`person` = `None`) or one person elected to it, with a reason.
pub fn refuse(
    db: &AggDb,
    actor: &Actor,
    unit_code: &str,
    body: &str,
    person: Option<i64>,
    reason: &str,
    today: Date,
) -> Result<Status, AppError> {
    actor.require(Permission::Decide)?;
    let body = parse_body("body", body)?;
    let reason = reason_text("reason", reason)?;
    write(db, |tx| {
        let c = load(tx, actor, unit_code)?;
        require_decidable(&c)?;
        let Some(d) = decisions(tx, &c)? else { return Err(AppError::NotFound("gói kết quả")) };
        if !d.bodies().contains(&body) {
            return Err(AppError::invalid("body", format!("Đại hội không bầu {}.", body_label(body))));
        }
        if d.body_decision(body.code()).is_some_and(|a| a.decision == "refused") {
            return Err(AppError::Conflict(format!("{} đã bị từ chối chuẩn y.", body_label(body))));
        }
        let name = match person {
            None => {
                if d.body_decision(body.code()).is_some() {
                    return Err(AppError::Conflict(format!("{} đã có quyết định.", body_label(body))));
                }
                None
            }
            Some(p) => {
                let Some(e) =
                    d.elected.iter().find(|e| e.body == body.code() && e.person == p && !e.alternate)
                else {
                    return Err(AppError::invalid(
                        "person",
                        format!("Người số {p} không trúng cử {}.", body_label(body)),
                    ));
                };
                if d.person_decision(body.code(), p).is_some() {
                    return Err(AppError::Conflict(format!(
                        "{} đã có quyết định về {}.",
                        e.name,
                        body_label(body)
                    )));
                }
                Some(e.name.clone())
            }
        };
        store::insert_approval(
            tx,
            &c.row.unit_code,
            body.code(),
            person,
            "refused",
            Some(&reason),
            &today.to_string(),
            &actor.username,
            d.package_id,
        )?;
        let status = update_status(tx, &c, today)?;
        let detail = json!({"unit": c.row.unit_code, "body": body.code(), "person": person, "name": name,
            "reason": reason, "package": d.package_id, "status": status.code()});
        crate::audit::append(tx, actor, "congress.refuse", &detail.to_string())?;
        Ok(status)
    })
}

/// Annuls the election of a body, or the whole congress (`body` = `None`), with a reason. The whole
/// congress goes to "annulled": it is re-run (marked held again) and its next package starts again.
pub fn annul(
    db: &AggDb,
    actor: &Actor,
    unit_code: &str,
    body: Option<&str>,
    reason: &str,
    today: Date,
) -> Result<Status, AppError> {
    actor.require(Permission::Decide)?;
    let body = body.map(str::trim).filter(|b| !b.is_empty()).map(|b| parse_body("body", b)).transpose()?;
    let reason = reason_text("reason", reason)?;
    write(db, |tx| {
        let c = load(tx, actor, unit_code)?;
        if matches!(c.status, Status::NotHeld | Status::Annulled) {
            return Err(AppError::Conflict(format!(
                "Đại hội {} đang ở trạng thái \"{}\": không có kết quả để hủy.",
                c.row.unit_name,
                c.status.label()
            )));
        }
        let status = match body {
            None => {
                store::set_status(tx, &c.row.unit_code, Status::Annulled.code(), &today.to_string())?;
                Status::Annulled
            }
            Some(b) => {
                let Some(d) = decisions(tx, &c)? else {
                    return Err(AppError::Conflict(
                        "Chưa nhận báo cáo kết quả: chỉ hủy được toàn bộ đại hội.".into(),
                    ));
                };
                if !d.bodies().contains(&b) {
                    return Err(AppError::invalid("body", format!("Đại hội không bầu {}.", body_label(b))));
                }
                if d.annulled_bodies.iter().any(|x| x == b.code()) {
                    return Err(AppError::Conflict(format!("Kết quả bầu {} đã bị hủy.", body_label(b))));
                }
                c.status
            }
        };
        store::insert_annulment(
            tx,
            &c.row.unit_code,
            body.map(Body::code),
            &reason,
            &today.to_string(),
            &actor.username,
        )?;
        let status = if body.is_some() { update_status(tx, &c, today)? } else { status };
        let detail = json!({"unit": c.row.unit_code, "body": body.map(Body::code), "reason": reason, "status": status.code()});
        crate::audit::append(tx, actor, "congress.annul", &detail.to_string())?;
        Ok(status)
    })
}

/// Which deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// The congress reports within N working days of the closing.
    Report,
    /// The superior approves within N working days of receiving the report.
    Approval,
    /// Complaints are accepted within N working days of the closing.
    ComplaintWindow,
}

impl DeadlineKind {
    pub fn label(self) -> &'static str {
        match self {
            DeadlineKind::Report => "Hạn báo cáo kết quả",
            DeadlineKind::Approval => "Hạn chuẩn y",
            DeadlineKind::ComplaintWindow => "Hạn nhận khiếu nại",
        }
    }
}

/// A deadline on the detail page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineView {
    pub kind: DeadlineKind,
    pub label: &'static str,
    /// `YYYY-MM-DD`.
    pub due: String,
    /// `dd/mm/yyyy`.
    pub due_vn: String,
    /// The day it was met (report received, decision taken), when it was.
    pub done_on: Option<String>,
    /// Where today stands, while it runs (`None` once met, and for the complaint window).
    pub urgency: Option<Urgency>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionView {
    pub body: String,
    pub body_label: String,
    pub person: Option<i64>,
    pub person_name: Option<String>,
    pub approved: bool,
    pub reason: Option<String>,
    pub decided_on: String,
    pub decided_by: String,
    /// Taken on the current package (else on a superseded one: history).
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnnulmentView {
    pub body: Option<String>,
    pub body_label: String,
    pub reason: String,
    pub decided_on: String,
    pub decided_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageView {
    pub version: i64,
    pub sha256: String,
    pub supersedes_sha256: Option<String>,
    pub fingerprint: String,
    /// Unix seconds.
    pub received_at: i64,
    pub received_by: String,
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElectedView {
    pub person: i64,
    pub name: String,
    pub alternate: bool,
    pub female: bool,
    pub birth_year: Option<i64>,
    pub first_time: bool,
    pub votes: i64,
    /// Hundredths of a percent of the base.
    pub percent_of_base: i64,
    /// Approval of this person was refused.
    pub refused: bool,
}

/// Where a body stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyState {
    /// Waiting for a decision (or not approved by the superior: the delegates).
    Pending,
    Approved,
    Refused,
    Annulled,
}

impl BodyState {
    pub fn label(self) -> &'static str {
        match self {
            BodyState::Pending => "Chờ chuẩn y",
            BodyState::Approved => "Đã chuẩn y",
            BodyState::Refused => "Không chuẩn y",
            BodyState::Annulled => "Đã hủy, bầu lại",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BodyView {
    pub body: String,
    pub label: &'static str,
    /// Approved by the superior (all but the delegates).
    pub approvable: bool,
    pub state: BodyState,
    pub elected: Vec<ElectedView>,
}

/// Everything the congress detail page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CongressView {
    pub unit_code: String,
    pub unit_name: String,
    pub unit_level: String,
    pub status: Status,
    pub status_label: &'static str,
    pub status_on: Option<String>,
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub kind: Option<String>,
    pub term: Option<String>,
    pub opened_on: Option<String>,
    pub closed_on: Option<String>,
    pub reported_on: Option<String>,
    pub direct_secretary: Option<bool>,
    pub deadlines: Vec<DeadlineView>,
    /// The deadlines due soon or late.
    pub alerts: Vec<DeadlineView>,
    pub decisions: Vec<DecisionView>,
    pub annulments: Vec<AnnulmentView>,
    pub complaints: Vec<crate::complaints::ComplaintView>,
    pub packages: Vec<PackageView>,
    pub bodies: Vec<BodyView>,
}

fn deadline_views(
    row: &store::CongressRow,
    status: Status,
    h: &Holidays,
    d: &Deadlines,
    today: Date,
) -> Result<Vec<DeadlineView>, AppError> {
    let closed = date_of("closed_on", row.closed_on.as_deref())?;
    let reported = date_of("reported_on", row.reported_on.as_deref())?;
    let mut out = Vec::new();
    let view = |kind: DeadlineKind, due: Date, done_on: Option<String>, runs: bool| DeadlineView {
        kind,
        label: kind.label(),
        due: due.to_string(),
        due_vn: calendar::vn_date(due),
        urgency: (done_on.is_none() && runs).then(|| calendar::urgency(due, today, h)),
        done_on,
    };
    if status == Status::NotHeld || status == Status::Annulled {
        return Ok(out);
    }
    if let Some(closed) = closed {
        out.push(view(DeadlineKind::Report, d.report_due(closed, h)?, row.reported_on.clone(), true));
    }
    if let Some(reported) = reported {
        let decided = matches!(status, Status::Approved | Status::ApprovalRefused)
            .then(|| row.status_on.clone())
            .flatten();
        out.push(view(
            DeadlineKind::Approval,
            d.approval_due(reported, h)?,
            decided,
            status == Status::Reported,
        ));
    }
    if let Some(closed) = closed {
        out.push(view(DeadlineKind::ComplaintWindow, d.complaint_window_ends(closed, h)?, None, false));
    }
    Ok(out)
}

/// The congress detail page: status, dates, deadlines and alerts, decisions, complaints, package
/// history and the elected by body. Any role may read it, within its area.
pub fn congress_view(
    db: &AggDb,
    actor: &Actor,
    unit_code: &str,
    today: Date,
) -> Result<CongressView, AppError> {
    actor.require(Permission::ViewReports)?;
    ensure_calendar(db)?;
    read(db, |tx| {
        let c = load(tx, actor, unit_code)?;
        let (h, dl) = calendar_of(tx)?;
        let deadlines = deadline_views(&c.row, c.status, &h, &dl, today)?;
        let alerts = deadlines
            .iter()
            .filter(|d| matches!(d.urgency, Some(Urgency::DueSoon | Urgency::Overdue)))
            .cloned()
            .collect();
        let d = decisions(tx, &c)?;
        let elected = d.as_ref().map(|d| d.elected.clone()).unwrap_or_default();
        let name_of = |body: &str, person: i64| {
            elected.iter().find(|e| e.body == body && e.person == person).map(|e| e.name.clone())
        };
        let decisions_all = store::approvals(tx, &c.row.unit_code)?
            .into_iter()
            .map(|a| DecisionView {
                body_label: label_of_code(&a.body),
                person_name: a.person.and_then(|p| name_of(&a.body, p)),
                person: a.person,
                approved: a.decision == "approved",
                reason: a.reason,
                decided_on: a.decided_on,
                decided_by: a.decided_by,
                current: a.package_id.is_some() && a.package_id == c.row.package_id,
                body: a.body,
            })
            .collect();
        let annulments = store::annulments(tx, &c.row.unit_code)?
            .into_iter()
            .map(|a| AnnulmentView {
                body_label: a.body.as_deref().map_or_else(|| "Toàn bộ đại hội".to_owned(), label_of_code),
                body: a.body,
                reason: a.reason,
                decided_on: a.decided_on,
                decided_by: a.decided_by,
            })
            .collect();
        let window = date_of("closed_on", c.row.closed_on.as_deref())?
            .map(|closed| dl.complaint_window_ends(closed, &h))
            .transpose()?;
        let complaints = store::complaints(tx, &c.row.unit_code)?
            .iter()
            .map(|r| crate::complaints::view_of(r, window, &elected))
            .collect::<Result<Vec<_>, _>>()?;
        let packages = store::package_versions(tx, &c.row.unit_code)?
            .into_iter()
            .map(|p| PackageView {
                version: p.version,
                sha256: p.sha256,
                supersedes_sha256: p.supersedes_sha256,
                fingerprint: p.fingerprint,
                received_at: p.received_at,
                received_by: p.received_by,
                current: p.current,
            })
            .collect();
        let mut bodies = Vec::new();
        if let Some(d) = &d {
            // A body code this program does not know is damage, never skipped.
            for e in &d.elected {
                stored_body(&e.body)?;
            }
            for body in Body::ALL {
                let people: Vec<_> = d.elected.iter().filter(|e| e.body == body.code()).collect();
                if people.is_empty() {
                    continue;
                }
                let state = if d.annulled_bodies.iter().any(|b| b == body.code()) {
                    BodyState::Annulled
                } else {
                    match d.body_decision(body.code()) {
                        Some(a) if a.decision == "approved" => BodyState::Approved,
                        Some(_) => BodyState::Refused,
                        None => BodyState::Pending,
                    }
                };
                bodies.push(BodyView {
                    body: body.code().to_owned(),
                    label: body_label(body),
                    approvable: body != Body::Delegates,
                    state,
                    elected: people
                        .into_iter()
                        .map(|e| ElectedView {
                            person: e.person,
                            name: e.name.clone(),
                            alternate: e.alternate,
                            female: e.female,
                            birth_year: e.birth_year,
                            first_time: e.first_time,
                            votes: e.votes,
                            percent_of_base: e.percent_of_base,
                            refused: d
                                .person_decision(body.code(), e.person)
                                .is_some_and(|a| a.decision == "refused"),
                        })
                        .collect(),
                });
            }
        }
        Ok(CongressView {
            unit_code: c.row.unit_code.clone(),
            unit_name: c.row.unit_name.clone(),
            unit_level: c.row.unit_level.clone(),
            status: c.status,
            status_label: c.status.label(),
            status_on: c.row.status_on.clone(),
            name: c.row.name.clone(),
            organisation: c.row.organisation.clone(),
            kind: c.row.kind.clone(),
            term: c.row.term.clone(),
            opened_on: c.row.opened_on.clone(),
            closed_on: c.row.closed_on.clone(),
            reported_on: c.row.reported_on.clone(),
            direct_secretary: c.row.direct_secretary,
            deadlines,
            alerts,
            decisions: decisions_all,
            annulments,
            complaints,
            packages,
            bodies,
        })
    })
}

/// A deadline due soon or late, for the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub unit_code: String,
    pub unit_name: String,
    pub kind: DeadlineKind,
    pub label: &'static str,
    pub due: String,
    pub due_vn: String,
    pub urgency: Urgency,
    /// "sắp đến hạn" / "quá hạn".
    pub urgency_label: &'static str,
}

/// The deadlines of the actor's area that are due within two working days or past: reports not
/// received, approvals not decided. Late ones first, then by due day and unit.
pub fn alerts(db: &AggDb, actor: &Actor, today: Date) -> Result<Vec<Alert>, AppError> {
    actor.require(Permission::ViewReports)?;
    ensure_calendar(db)?;
    read(db, |tx| {
        let (h, dl) = calendar_of(tx)?;
        let rows = store::open_congresses(tx, &actor.area_prefix())?;
        let mut out = Vec::new();
        for row in rows {
            if !actor.sees(&row.unit_path) {
                continue;
            }
            let status = Status::from_stored(row.status.as_deref())?;
            for d in deadline_views(&row, status, &h, &dl, today)? {
                if let Some(u @ (Urgency::DueSoon | Urgency::Overdue)) = d.urgency {
                    out.push(Alert {
                        unit_code: row.unit_code.clone(),
                        unit_name: row.unit_name.clone(),
                        kind: d.kind,
                        label: d.kind.label(),
                        due: d.due,
                        due_vn: d.due_vn,
                        urgency: u,
                        urgency_label: u.label(),
                    });
                }
            }
        }
        out.sort_by(|a, b| {
            b.urgency
                .cmp(&a.urgency)
                .then_with(|| a.due.cmp(&b.due))
                .then_with(|| a.unit_code.cmp(&b.unit_code))
        });
        Ok(out)
    })
}

/// A holiday on the calendar page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HolidayView {
    pub day: String,
    pub day_vn: String,
    pub name: String,
}

/// The holiday calendar (any role may read it).
pub fn holidays(db: &AggDb, actor: &Actor) -> Result<Vec<HolidayView>, AppError> {
    actor.require(Permission::ViewReports)?;
    ensure_calendar(db)?;
    let rows = db.read(store::holidays)?;
    rows.into_iter()
        .map(|(day, name)| {
            let d =
                calendar::parse_date("day", &day).map_err(|_| AppError::damaged("Lịch ngày nghỉ", &day))?;
            Ok(HolidayView { day, day_vn: calendar::vn_date(d), name })
        })
        .collect()
}

/// Adds a holiday, or renames one (staff and administrators).
pub fn put_holiday(db: &AggDb, actor: &Actor, day: &str, name: &str) -> Result<(), AppError> {
    actor.require(Permission::EditHolidays)?;
    let day = calendar::parse_date("day", day)?;
    let name = crate::accounts::text_field("name", "tên ngày nghỉ", name, 200)?;
    ensure_calendar(db)?;
    write(db, |tx| {
        let before = store::holiday(tx, &day.to_string())?;
        store::put_holiday(tx, &day.to_string(), &name)?;
        let action = if before.is_some() { "holiday.rename" } else { "holiday.add" };
        let detail = json!({"day": day.to_string(), "name": name, "before": before});
        crate::audit::append(tx, actor, action, &detail.to_string())?;
        Ok(())
    })
}

/// Removes a holiday (staff and administrators).
pub fn remove_holiday(db: &AggDb, actor: &Actor, day: &str) -> Result<(), AppError> {
    actor.require(Permission::EditHolidays)?;
    let day = calendar::parse_date("day", day)?;
    ensure_calendar(db)?;
    write(db, |tx| {
        let Some(name) = store::holiday(tx, &day.to_string())? else {
            return Err(AppError::NotFound("ngày nghỉ"));
        };
        store::delete_holiday(tx, &day.to_string())?;
        let detail = json!({"day": day.to_string(), "name": name});
        crate::audit::append(tx, actor, "holiday.remove", &detail.to_string())?;
        Ok(())
    })
}

/// The deadlines in force.
pub fn deadlines(db: &AggDb) -> Result<Deadlines, AppError> {
    read(db, |tx| Ok(calendar_of(tx)?.1))
}

/// Changes the deadlines (administrators only); each is 1–120 working days.
pub fn set_deadlines(db: &AggDb, actor: &Actor, new: Deadlines) -> Result<(), AppError> {
    actor.require(Permission::Administer)?;
    for (key, value) in [
        (calendar::REPORT_DAYS, new.report_days),
        (calendar::APPROVAL_DAYS, new.approval_days),
        (calendar::COMPLAINT_DAYS, new.complaint_days),
    ] {
        calendar::parse_deadline_days(key, &value.to_string())?;
    }
    write(db, |tx| {
        let before = calendar_of(tx)?.1;
        store::put_setting(tx, calendar::REPORT_DAYS, &new.report_days.to_string())?;
        store::put_setting(tx, calendar::APPROVAL_DAYS, &new.approval_days.to_string())?;
        store::put_setting(tx, calendar::COMPLAINT_DAYS, &new.complaint_days.to_string())?;
        let detail = json!({"before": before, "after": new});
        crate::audit::append(tx, actor, "settings.deadlines", &detail.to_string())?;
        Ok(())
    })
}
