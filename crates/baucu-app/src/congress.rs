//! The congress: name, organisation, level, assembly type, term, dates, regulation.

use crate::{Actor, App, AppError, FieldProblem, Permission, limits};
use baucu_rules::AssemblyKind;
use baucu_store::congress::{self, CongressRow};
use serde::Serialize;
use serde_json::json;

pub use baucu_rules::assembly::Level;

pub fn assembly_label(kind: AssemblyKind) -> &'static str {
    match kind {
        AssemblyKind::MembersCongress => "Đại hội đảng viên",
        AssemblyKind::DelegatesCongress => "Đại hội đại biểu",
        AssemblyKind::Plenum => "Hội nghị",
    }
}

/// How the congress form and the home page name the node's own kind: a congress, or a by-election
/// plenum of the committee.
pub fn node_kind_label(kind: AssemblyKind) -> &'static str {
    match kind {
        AssemblyKind::Plenum => "Hội nghị Ban Chấp hành bầu bổ sung",
        AssemblyKind::MembersCongress | AssemblyKind::DelegatesCongress => assembly_label(kind),
    }
}

/// The kinds the congress form offers: a congress of members or of delegates, or a by-election
/// plenum of a committee whose term is running (bầu bổ sung, Art. 28).
pub const NODE_KINDS: [AssemblyKind; 3] =
    [AssemblyKind::MembersCongress, AssemblyKind::DelegatesCongress, AssemblyKind::Plenum];

pub fn assembly_from_code(code: &str) -> Option<AssemblyKind> {
    [AssemblyKind::MembersCongress, AssemblyKind::DelegatesCongress, AssemblyKind::Plenum]
        .into_iter()
        .find(|k| k.code() == code)
}

pub const REGULATIONS: [(&str, &str); 2] =
    [("190-QD/TW", "Quy định 190-QĐ/TW (2024)"), ("244-QD/TW", "Quyết định 244-QĐ/TW (2014)")];

/// The congress as pages and documents use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Congress {
    pub name: String,
    pub organisation: String,
    pub level: Level,
    pub assembly_kind: AssemblyKind,
    pub term: String,
    pub place: String,
    pub opens_on: Option<jiff::civil::Date>,
    pub closes_on: Option<jiff::civil::Date>,
    pub convening_committee: String,
    pub regulation: String,
    /// The superior allows the congress to elect the secretary directly (rules.md § 2): after the
    /// committee is decided, an introduction poll among the new committee, then the congress elects
    /// the secretary from the committee's members on the congress's base; the first plenum does not.
    pub direct_secretary: bool,
}

/// The key of the setting "the secretary elected directly at the congress" in the `settings` table:
/// `yes` or `no`; absent on a node that never set it (then the usual sequence: the first plenum).
pub const DIRECT_SECRETARY_SETTING: &str = "congress.direct_secretary";

/// The label of the setting on the congress form.
pub const DIRECT_SECRETARY_LABEL: &str = "Bí thư do đại hội bầu trực tiếp (cấp trên cho phép)";

/// The stored setting; an unknown value is an error (the row was damaged), never a default.
pub(crate) fn direct_secretary_of(c: &baucu_store::rusqlite::Connection) -> Result<bool, AppError> {
    match baucu_store::counting::setting(c, DIRECT_SECRETARY_SETTING)?.as_deref() {
        None | Some("no") => Ok(false),
        Some("yes") => Ok(true),
        Some(_) => Err(AppError::damaged("Dữ liệu đại hội", "thiết lập bầu trực tiếp bí thư")),
    }
}

/// The form's value of the setting: absent keeps what is stored (`None`), `1` turns it on, `0` or
/// empty (the page's unticked box) off; anything else is refused.
fn parse_direct_secretary(value: Option<&str>, problems: &mut Vec<FieldProblem>) -> Option<bool> {
    match value.map(str::trim) {
        None => None,
        Some("1") => Some(true),
        Some("0" | "") => Some(false),
        Some(other) => {
            problems.push(FieldProblem::field(
                "direct_secretary",
                format!("\"{other}\" không phải lựa chọn hợp lệ cho \"{DIRECT_SECRETARY_LABEL}\" (1: có, 0: không)."),
            ));
            None
        }
    }
}

impl Congress {
    /// Whether the node holds a by-election plenum of its committee, not a congress.
    pub fn is_by_election(&self) -> bool {
        self.assembly_kind == AssemblyKind::Plenum
    }

    /// How documents and pages head the node: the congress's name, or the by-election plenum's
    /// heading ("Hội nghị Ban Chấp hành … khóa …, nhiệm kỳ … (bầu bổ sung)").
    pub fn heading(&self) -> String {
        if self.is_by_election() {
            crate::attendance::by_election_heading(&self.name, &self.organisation, &self.term)
        } else {
            self.name.clone()
        }
    }
}

/// The congress form as submitted (all text, checked by [`App::save_congress`]).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CongressForm {
    pub name: String,
    pub organisation: String,
    pub level: String,
    pub assembly_kind: String,
    pub term: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub opens_on: String,
    #[serde(default)]
    pub closes_on: String,
    #[serde(default)]
    pub convening_committee: String,
    #[serde(default)]
    pub regulation: String,
    /// [`DIRECT_SECRETARY_LABEL`]: `1` on, `0` off, absent: unchanged.
    #[serde(default)]
    pub direct_secretary: Option<String>,
}

/// Reads a date written `dd/mm/yyyy` (as staff write it) or `yyyy-mm-dd` (as a date field sends it).
pub fn parse_date(text: &str) -> Option<jiff::civil::Date> {
    let t = text.trim();
    if let Ok(d) = t.parse::<jiff::civil::Date>() {
        return Some(d);
    }
    let parts: Vec<&str> = t.split(['/', '-', '.']).collect();
    if let [d, m, y] = parts.as_slice() {
        let (d, m, y) = (d.parse::<i8>().ok()?, m.parse::<i8>().ok()?, y.parse::<i16>().ok()?);
        if (1900..=2100).contains(&y) {
            return jiff::civil::Date::new(y, m, d).ok();
        }
    }
    None
}

/// The stored congress; an unknown level, assembly or regulation, or an unreadable date, is an error
/// (the row was damaged behind the node's back), never a default.
fn from_row(r: CongressRow, direct_secretary: bool) -> Result<Congress, AppError> {
    let damaged = |what: &str| AppError::damaged("Dữ liệu đại hội", what);
    let date = |text: Option<&str>, what: &str| match text {
        None => Ok(None),
        Some(t) => parse_date(t).map(Some).ok_or_else(|| damaged(what)),
    };
    if !REGULATIONS.iter().any(|(code, _)| *code == r.regulation) {
        return Err(damaged("quy chế bầu cử"));
    }
    Ok(Congress {
        level: Level::from_code(&r.level).ok_or_else(|| damaged("cấp"))?,
        assembly_kind: assembly_from_code(&r.assembly_kind).ok_or_else(|| damaged("loại đại hội"))?,
        opens_on: date(r.opens_on.as_deref(), "ngày khai mạc")?,
        closes_on: date(r.closes_on.as_deref(), "ngày bế mạc")?,
        name: r.name,
        organisation: r.organisation,
        term: r.term,
        place: r.place,
        convening_committee: r.convening_committee,
        regulation: r.regulation,
        direct_secretary,
    })
}

/// Why the congress's level and kind can no longer change.
pub const FIXED_REASON: &str = "Đại hội đã có lần bầu: số làm căn cứ và quy tắc bầu đã lấy theo cấp và hình thức đại hội, nên không đổi được nữa.";

impl App {
    /// Whether the congress's level and kind are fixed: once any round exists, its base and rules were
    /// taken from them.
    pub async fn congress_fixed(&self) -> Result<bool, AppError> {
        self.read(|c| Ok(baucu_store::counting::any_round(c)?)).await
    }

    /// The congress, if it has been set up.
    pub async fn congress(&self) -> Result<Option<Congress>, AppError> {
        self.read(|c| {
            let direct = direct_secretary_of(c)?;
            congress::get(c)?.map(|r| from_row(r, direct)).transpose()
        })
        .await
    }

    pub async fn save_congress(&self, actor: &Actor, form: CongressForm) -> Result<Congress, AppError> {
        actor.require(Permission::EditCongress)?;
        let mut problems = Vec::new();
        let required = |field: &str, value: &str, label: &str, problems: &mut Vec<FieldProblem>| {
            if value.trim().is_empty() {
                problems.push(FieldProblem::field(field, format!("{label} không được để trống.")));
            }
        };
        required("name", &form.name, "Tên đại hội", &mut problems);
        required("organisation", &form.organisation, "Tên tổ chức đảng", &mut problems);
        required("term", &form.term, "Nhiệm kỳ", &mut problems);
        for (field, limit, value) in [
            ("name", limits::CONGRESS_NAME, &form.name),
            ("organisation", limits::ORGANISATION, &form.organisation),
            ("term", limits::TERM, &form.term),
            ("place", limits::PLACE, &form.place),
            ("convening_committee", limits::CONVENING_COMMITTEE, &form.convening_committee),
            ("opens_on", limits::CELL, &form.opens_on),
            ("closes_on", limits::CELL, &form.closes_on),
            ("regulation", limits::CELL, &form.regulation),
        ] {
            limits::check_text(&mut problems, field, limit, value.trim());
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let level = Level::from_code(&form.level);
        if level.is_none() {
            problems.push(FieldProblem::field("level", "Chọn cấp tổ chức đảng."));
        }
        let kind = assembly_from_code(&form.assembly_kind).filter(|k| NODE_KINDS.contains(k));
        if kind.is_none() {
            problems.push(FieldProblem::field(
                "assembly_kind",
                "Chọn hình thức: đại hội đảng viên, đại hội đại biểu, hoặc hội nghị Ban Chấp hành bầu bổ sung.",
            ));
        }
        // A chi bộ has no Ban Chấp hành: it by-elects at a meeting of all its members.
        if kind == Some(AssemblyKind::Plenum) && level == Some(Level::Cell) {
            problems.push(FieldProblem::field(
                "assembly_kind",
                "Chi bộ không có hội nghị Ban Chấp hành: chi bộ bầu bổ sung tại hội nghị toàn thể đảng viên, chọn hình thức đại hội đảng viên.",
            ));
        }
        // A by-election plenum is headed by the committee's khóa, read from its name.
        if kind == Some(AssemblyKind::Plenum) && !crate::attendance::names_khoa(&form.name) {
            problems.push(FieldProblem::field(
                "name",
                "Hội nghị bầu bổ sung: ghi khóa của Ban Chấp hành trong tên (ví dụ: \"Hội nghị Ban Chấp hành Đảng bộ xã … khóa XXVI\").",
            ));
        }
        let date = |field: &str, text: &str, problems: &mut Vec<FieldProblem>| {
            if text.trim().is_empty() {
                return None;
            }
            let d = parse_date(text);
            if d.is_none() {
                problems
                    .push(FieldProblem::field(field, format!("Ngày \"{text}\" không hợp lệ (dd/mm/yyyy).")));
            }
            d
        };
        let opens_on = date("opens_on", &form.opens_on, &mut problems);
        let closes_on = date("closes_on", &form.closes_on, &mut problems);
        if let (Some(o), Some(c)) = (opens_on, closes_on)
            && c < o
        {
            problems.push(FieldProblem::field("closes_on", "Ngày bế mạc trước ngày khai mạc."));
        }
        let regulation =
            if form.regulation.is_empty() { "190-QD/TW".to_owned() } else { form.regulation.clone() };
        if !REGULATIONS.iter().any(|(code, _)| *code == regulation) {
            problems.push(FieldProblem::field("regulation", "Quy chế không có trong danh sách."));
        }
        let direct_secretary = parse_direct_secretary(form.direct_secretary.as_deref(), &mut problems);
        let (Some(level), Some(kind)) = (level, kind) else { return Err(AppError::Invalid(problems)) };
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let congress = Congress {
            name: form.name.trim().to_owned(),
            organisation: form.organisation.trim().to_owned(),
            level,
            assembly_kind: kind,
            term: form.term.trim().to_owned(),
            place: form.place.trim().to_owned(),
            opens_on,
            closes_on,
            convening_committee: form.convening_committee.trim().to_owned(),
            regulation,
            direct_secretary: false,
        };
        let mut saved = congress;
        let congress = self
            .act(actor, "congress.save", move |c| {
                let stored_direct = direct_secretary_of(c)?;
                saved.direct_secretary = direct_secretary.unwrap_or(stored_direct);
                // Whether the congress or the first plenum elects the secretary decides where its
                // election is held: once a round exists, it stays as it was.
                if saved.direct_secretary != stored_direct && baucu_store::counting::any_round(c)? {
                    let was = if stored_direct { "có" } else { "không" };
                    return Err(AppError::Conflict(format!(
                        "{FIXED_REASON} Thiết lập \"{DIRECT_SECRETARY_LABEL}\" giữ nguyên ({was})."
                    )));
                }
                // Once a round exists its base and rules were taken from the congress's kind and level:
                // they stay as they were.
                if let Some(before) = congress::get(c)?
                    && (before.level != saved.level.code()
                        || before.assembly_kind != saved.assembly_kind.code())
                    && baucu_store::counting::any_round(c)?
                {
                    let level = Level::from_code(&before.level).map(Level::label).unwrap_or(&before.level);
                    let kind = assembly_from_code(&before.assembly_kind)
                        .map(node_kind_label)
                        .unwrap_or(&before.assembly_kind);
                    return Err(AppError::Conflict(format!(
                        "{FIXED_REASON} Cấp ({level}) và hình thức đại hội ({kind}) giữ nguyên."
                    )));
                }
                let row = CongressRow {
                    name: saved.name.clone(),
                    organisation: saved.organisation.clone(),
                    level: saved.level.code().into(),
                    assembly_kind: saved.assembly_kind.code().into(),
                    term: saved.term.clone(),
                    place: saved.place.clone(),
                    opens_on: saved.opens_on.map(|d| d.to_string()),
                    closes_on: saved.closes_on.map(|d| d.to_string()),
                    convening_committee: saved.convening_committee.clone(),
                    regulation: saved.regulation.clone(),
                };
                congress::put(c, &row)?;
                baucu_store::counting::put_setting(
                    c,
                    DIRECT_SECRETARY_SETTING,
                    if saved.direct_secretary { "yes" } else { "no" },
                )?;
                let data = serde_json::to_value(&saved).unwrap_or_else(|_| json!({}));
                Ok((saved, data))
            })
            .await?;
        Ok(congress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_staff_write_them() {
        let d = jiff::civil::date(1975, 4, 30);
        assert_eq!(parse_date("30/04/1975"), Some(d));
        assert_eq!(parse_date("30-4-1975"), Some(d));
        assert_eq!(parse_date("1975-04-30"), Some(d));
        assert_eq!(parse_date("31/02/1975"), None);
        assert_eq!(parse_date("hôm qua"), None);
        assert_eq!(parse_date("01/01/0001"), None);
    }
}
