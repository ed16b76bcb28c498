//! Sittings of the congress, check-in, whole-congress absence, alternates summoned, and the base `B`
//! computed line by line through the engine as the minutes state it (rules.md § 1).

use crate::roster::{ABSENCES, Person};
use crate::{Actor, App, AppError, Permission};
use baucu_rules::assembly::{Assembly, AssemblyKind};
use baucu_rules::messages;
use baucu_rules::roster::{DelegateKind, RosterFacts, Standing, assembly_from_roster, standing};
use baucu_store::persons;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sitting {
    pub id: i64,
    pub name: String,
    pub held_on: Option<String>,
}

/// One line of the base computation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseLine {
    pub label: String,
    pub count: u32,
    /// `-` for a subtraction, `=` for the result, empty for a plain figure.
    pub sign: &'static str,
}

/// The base of the majority as the minutes state it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseReport {
    pub assembly_kind: AssemblyKind,
    pub summoned: u32,
    pub present: u32,
    pub absent: u32,
    pub base: u32,
    pub threshold: u64,
    pub lines: Vec<BaseLine>,
}

impl BaseReport {
    fn from_assembly(a: &Assembly) -> Self {
        let who = match a.kind() {
            AssemblyKind::DelegatesCongress => "đại biểu chính thức được triệu tập",
            _ => "đảng viên chính thức được triệu tập",
        };
        let mut lines = vec![BaseLine { label: format!("Tổng số {who}"), count: a.summoned(), sign: "" }];
        for &(e, n) in a.exclusions() {
            lines.push(BaseLine { label: format!("Trừ {}", messages::exclusion(e)), count: n, sign: "-" });
        }
        lines.push(BaseLine {
            label: "Số làm căn cứ tính kết quả bầu cử (B)".into(),
            count: a.base().get(),
            sign: "=",
        });
        BaseReport {
            assembly_kind: a.kind(),
            summoned: a.summoned(),
            present: a.present(),
            absent: a.absent(),
            base: a.base().get(),
            threshold: a.base().threshold(),
            lines,
        }
    }
}

/// One person on the attendance page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttendanceRow {
    pub person: Person,
    pub checked_in: bool,
    /// How the person counts towards the base, in Vietnamese.
    pub standing: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attendance {
    pub sitting: Option<Sitting>,
    pub sittings: Vec<Sitting>,
    pub rows: Vec<AttendanceRow>,
    /// `None` while the roster gives a base of 0.
    pub report: Option<BaseReport>,
}

pub(crate) fn facts(p: &Person, attended: bool, replaced: bool) -> RosterFacts {
    RosterFacts {
        party_status: p.party_status(),
        delegate_kind: p.delegate_kind(),
        temporarily_transferred: p.temporarily_transferred,
        exempted: p.exempted,
        suspended: p.suspended,
        prosecuted: p.prosecuted,
        absence: p.absence(),
        attended,
        summoned_as_replacement: p.replaces_person_id.is_some(),
        replaced,
    }
}

fn standing_label(s: Standing) -> String {
    match s {
        Standing::NotSummoned => "Không thuộc diện triệu tập".into(),
        Standing::Excluded(e) => format!("Trừ khỏi số làm căn cứ: {}", messages::exclusion(e)),
        Standing::Counted => "Tính vào số làm căn cứ".into(),
    }
}

/// The engine's assembly for a roster, with the people checked in at a sitting as `present`.
pub(crate) fn assembly_of(
    kind: AssemblyKind,
    people: &[Person],
    attended: &BTreeSet<i64>,
    checked_in: &BTreeSet<i64>,
) -> Result<(Assembly, Vec<Standing>), AppError> {
    let replaced: BTreeSet<i64> = people.iter().filter_map(|p| p.replaces_person_id).collect();
    let all_facts: Vec<RosterFacts> =
        people.iter().map(|p| facts(p, attended.contains(&p.id), replaced.contains(&p.id))).collect();
    let standings: Vec<Standing> = all_facts.iter().map(|f| standing(kind, f)).collect();
    let present = people
        .iter()
        .zip(&standings)
        .filter(|(p, s)| checked_in.contains(&p.id) && **s != Standing::NotSummoned)
        .count() as u32;
    Ok((assembly_from_roster(kind, &all_facts, present)?, standings))
}

impl App {
    async fn congress_kind(&self) -> Result<AssemblyKind, AppError> {
        Ok(self
            .congress()
            .await?
            .ok_or_else(|| AppError::Conflict("Chưa khai báo đại hội: vào trang Đại hội trước.".into()))?
            .assembly_kind)
    }

    pub async fn sittings(&self, actor: &Actor) -> Result<Vec<Sitting>, AppError> {
        actor.require(Permission::ViewSetup)?;
        let rows = self.read(|c| Ok(persons::sittings(c)?)).await?;
        Ok(rows.into_iter().map(|s| Sitting { id: s.id, name: s.name, held_on: s.held_on }).collect())
    }

    pub async fn add_sitting(&self, actor: &Actor, name: &str) -> Result<i64, AppError> {
        actor.require(Permission::TakeAttendance)?;
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(AppError::invalid("name", "Tên phiên họp không được để trống."));
        }
        crate::limits::require_text("name", crate::limits::SITTING_NAME, &name)?;
        let today = self.now().to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7))).date().to_string();
        self.act(actor, "sitting.create", move |c| {
            let id = persons::insert_sitting(c, &name, Some(&today))?;
            Ok((id, json!({ "id": id, "name": name })))
        })
        .await
    }

    /// The attendance of a sitting (the first one if `sitting_id` is `None`) with the base report.
    pub async fn attendance(&self, actor: &Actor, sitting_id: Option<i64>) -> Result<Attendance, AppError> {
        actor.require(Permission::ViewSetup)?;
        let kind = self.congress_kind().await?;
        let sittings = self.sittings(actor).await?;
        let sitting = match sitting_id {
            Some(id) => {
                Some(sittings.iter().find(|s| s.id == id).cloned().ok_or(AppError::NotFound("phiên họp"))?)
            }
            None => sittings.first().cloned(),
        };
        let sid = sitting.as_ref().map(|s| s.id);
        let (rows, attended, checked) = self
            .read(move |c| {
                let checked = match sid {
                    Some(id) => persons::checked_in(c, id)?,
                    None => Vec::new(),
                };
                Ok((persons::all(c)?, persons::attended_any(c)?, checked))
            })
            .await?;
        let people: Vec<Person> = rows.into_iter().map(Person::from_row).collect::<Result<_, _>>()?;
        let attended: BTreeSet<i64> = attended.into_iter().collect();
        let checked: BTreeSet<i64> = checked.into_iter().collect();
        let (report, standings) = match assembly_of(kind, &people, &attended, &checked) {
            Ok((a, s)) => (Some(BaseReport::from_assembly(&a)), s),
            Err(_) => (None, vec![Standing::NotSummoned; people.len()]),
        };
        let rows = people
            .into_iter()
            .zip(standings)
            .map(|(p, s)| AttendanceRow {
                checked_in: checked.contains(&p.id),
                standing: standing_label(s),
                person: p,
            })
            .collect();
        Ok(Attendance { sitting, sittings, rows, report })
    }

    pub async fn set_check_in(
        &self,
        actor: &Actor,
        sitting_id: i64,
        person_id: i64,
        present: bool,
    ) -> Result<(), AppError> {
        actor.require(Permission::TakeAttendance)?;
        let at = self.now().to_string();
        self.act(actor, "attendance.check_in", move |c| {
            persons::get(c, person_id)?.ok_or(AppError::NotFound("người này"))?;
            if !persons::sittings(c)?.iter().any(|s| s.id == sitting_id) {
                return Err(AppError::NotFound("phiên họp"));
            }
            persons::set_check_in(c, sitting_id, person_id, present, &at)?;
            Ok(((), json!({ "sitting_id": sitting_id, "person_id": person_id, "present": present })))
        })
        .await
    }

    /// Checks in the one person whose name matches `query` (without diacritics); several matches are
    /// listed so that the user can pick.
    pub async fn check_in_by_name(
        &self,
        actor: &Actor,
        sitting_id: i64,
        query: &str,
    ) -> Result<Person, AppError> {
        actor.require(Permission::TakeAttendance)?;
        if query.trim().is_empty() {
            return Err(AppError::invalid("query", "Gõ họ tên người cần điểm danh."));
        }
        crate::limits::require_text("query", crate::limits::SEARCH, query)?;
        let found = self.search_persons(actor, query, 10).await?;
        let exact: Vec<&Person> = found
            .iter()
            .filter(|p| {
                baucu_rules::name::fold_for_search(&p.full_name)
                    == baucu_rules::name::fold_for_search(query.trim())
            })
            .collect();
        let person = match (exact.as_slice(), found.as_slice()) {
            ([one], _) => (*one).clone(),
            ([], [one]) => one.clone(),
            (_, []) => {
                return Err(AppError::invalid(
                    "query",
                    format!("Không có ai tên \"{}\" trong danh sách.", query.trim()),
                ));
            }
            _ => {
                let names: Vec<&str> = found.iter().map(|p| p.full_name.as_str()).collect();
                return Err(AppError::invalid(
                    "query",
                    format!("Có nhiều người khớp: {}. Gõ đầy đủ hơn.", names.join(", ")),
                ));
            }
        };
        self.set_check_in(actor, sitting_id, person.id, true).await?;
        Ok(person)
    }

    pub async fn set_absence(&self, actor: &Actor, person_id: i64, absence: &str) -> Result<(), AppError> {
        actor.require(Permission::TakeAttendance)?;
        let code = ABSENCES
            .iter()
            .find(|(c, _)| *c == absence)
            .map(|(c, _)| *c)
            .ok_or_else(|| AppError::invalid("absence", "Chọn tình trạng vắng mặt."))?;
        self.act(actor, "attendance.absence", move |c| {
            let mut p = persons::get(c, person_id)?.ok_or(AppError::NotFound("người này"))?;
            p.absence = code.into();
            persons::update(c, &p)?;
            Ok(((), json!({ "person_id": person_id, "absence": code })))
        })
        .await
    }

    /// Summons an alternate delegate in place of an official delegate absent for the whole congress
    /// (`replaces = None` withdraws the summons).
    pub async fn summon_alternate(
        &self,
        actor: &Actor,
        alternate_id: i64,
        replaces: Option<i64>,
    ) -> Result<(), AppError> {
        actor.require(Permission::TakeAttendance)?;
        self.act(actor, "attendance.summon_alternate", move |c| {
            let mut alt = persons::get(c, alternate_id)?.ok_or(AppError::NotFound("đại biểu dự khuyết"))?;
            if Person::from_row(alt.clone())?.delegate_kind() != Some(DelegateKind::Alternate) {
                return Err(AppError::invalid("alternate", format!("{} không phải đại biểu dự khuyết.", alt.full_name)));
            }
            if let Some(rid) = replaces {
                let official = Person::from_row(persons::get(c, rid)?.ok_or(AppError::NotFound("đại biểu chính thức"))?)?;
                let is_official_delegate =
                    matches!(official.delegate_kind(), Some(DelegateKind::Elected | DelegateKind::Appointed));
                if !is_official_delegate || official.absence() == baucu_rules::roster::Absence::None {
                    return Err(AppError::invalid(
                        "replaces",
                        format!("Chỉ triệu tập dự khuyết thay đại biểu chính thức vắng mặt cả đại hội; {} không như vậy.", official.full_name),
                    ));
                }
                let taken = persons::all(c)?.into_iter().any(|p| p.id != alternate_id && p.replaces_person_id == Some(rid));
                if taken {
                    return Err(AppError::Conflict(format!("Đã có đại biểu dự khuyết thay {}.", official.full_name)));
                }
            }
            alt.replaces_person_id = replaces;
            persons::update(c, &alt)?;
            Ok(((), json!({ "alternate_id": alternate_id, "replaces": replaces })))
        })
        .await
    }
}
