//! The result package this node sends its superior committee (issue 13): built from the node's
//! stored data only through the typed readers every document uses — the closing records
//! ([`crate::record::RoundRecord`]), the elected with their votes ([`crate::documents`]), the roster's
//! composition facts as the engine reads them ([`baucu_rules::composition::MemberFacts`]), the
//! personnel plan's departures ([`crate::plan`]) and the audit chain's head — then signed with the
//! node's own key (made once, at setup, and never shown: only its fingerprint is).
//!
//! Versioning: the content of a package is everything but the time, the version, what it supersedes,
//! the audit head and the PDF summary. Exporting content already exported returns the stored file
//! unchanged; changed content (a round reopened and closed again, a further round) is the next
//! version, which names the one it supersedes by version and digest.

use crate::documents::{day, elected_members, member_facts};
use crate::roster::Person as RosterPerson;
use crate::{Actor, App, AppError, Permission};
use baucu_exchange::{
    AssemblyBase, AuditHead, Congress, Elected, Election, ExclusionCount, Fingerprint, Line, NodeKey,
    Package, Person, PlanBody, PlanTarget, ReasonCount, Round, SCHEMA, Supersedes,
};
use baucu_rules::assembly::AssemblyKind;
use baucu_rules::election::Body;
use baucu_rules::outcome::Outcome;
use baucu_store::package::{ExportRow, KeyRow};
use baucu_store::rusqlite::Connection;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;

/// The setting that holds the unit code (`Mã đơn vị`) in the `settings` table.
pub const UNIT_CODE_SETTING: &str = "package.unit_code";
/// The label of the unit code wherever it is asked for.
pub const UNIT_CODE_LABEL: &str = "Mã đơn vị";
/// The program named in every package.
pub const PRODUCER: &str = concat!("baucu ", env!("CARGO_PKG_VERSION"));
/// The extension of a package file.
pub const EXTENSION: &str = "baucu";

/// The PKCS#8 document (version 1) of the ed25519 key made from `seed`: deterministic keys for
/// `baucu simulate` and tests only; a real node's key is random ([`App::ensure_node_key`]).
pub fn seeded_pkcs8(seed: &[u8; 32]) -> Vec<u8> {
    const PREFIX: [u8; 16] =
        [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
    let mut doc = PREFIX.to_vec();
    doc.extend_from_slice(seed);
    doc
}

/// The node's signing key, from its stored row.
fn node_key(row: &KeyRow) -> Result<NodeKey, AppError> {
    let key = NodeKey::from_pkcs8(&row.pkcs8).map_err(|e| AppError::damaged("Khóa ký của máy", e))?;
    if key.public().fingerprint().as_str() != row.fingerprint {
        return Err(AppError::damaged("Khóa ký của máy", "dấu vân tay không khớp khóa"));
    }
    Ok(key)
}

/// The stored unit code, checked; `None` when the organiser has not set it.
fn unit_code_of(c: &Connection) -> Result<Option<String>, AppError> {
    match baucu_store::counting::setting(c, UNIT_CODE_SETTING)? {
        None => Ok(None),
        Some(code) if baucu_exchange::valid_unit_code(&code) => Ok(Some(code)),
        Some(_) => Err(AppError::damaged("Dữ liệu đại hội", "mã đơn vị")),
    }
}

/// The unit code as typed: trimmed, then 1–32 characters of `A–Z a–z 0–9 . _ -`.
pub fn parse_unit_code(text: &str) -> Result<String, AppError> {
    let code = text.trim();
    if baucu_exchange::valid_unit_code(code) {
        Ok(code.to_owned())
    } else {
        Err(AppError::invalid(
            "unit_code",
            "Mã đơn vị phải có từ 1 đến 32 ký tự, chỉ gồm chữ không dấu, chữ số, dấu chấm, gạch ngang, gạch dưới \
             (ví dụ 01.001.0001), đúng như cấp trên đã cấp.",
        ))
    }
}

/// One export as pages and the command line show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExportInfo {
    pub version: u32,
    pub sha256: String,
    pub supersedes_sha256: Option<String>,
    pub unit_code: String,
    pub exported_at: String,
    pub exported_by: String,
}

impl ExportInfo {
    fn from_row(r: ExportRow) -> Result<Self, AppError> {
        Ok(ExportInfo {
            version: u32::try_from(r.version)
                .map_err(|_| AppError::damaged("Sổ gói kết quả", "phiên bản"))?,
            sha256: r.sha256,
            supersedes_sha256: r.supersedes_sha256,
            unit_code: r.unit_code,
            exported_at: r.exported_at,
            exported_by: r.exported_by,
        })
    }

    /// The file name of the package: `<unit code>-v<version>.baucu`.
    pub fn file_name(&self) -> String {
        format!("{}-v{}.{EXTENSION}", self.unit_code, self.version)
    }
}

/// What the package page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageState {
    pub unit_code: Option<String>,
    /// The key's fingerprint; `None` on a node set up before keys existed (made at the next start).
    pub fingerprint: Option<String>,
    /// Newest first.
    pub exports: Vec<ExportInfo>,
}

/// A package just exported (or the stored one, when nothing changed).
#[derive(Debug, Clone)]
pub struct Exported {
    pub info: ExportInfo,
    pub fingerprint: String,
    /// The package file, byte for byte.
    pub file: Vec<u8>,
    /// The content was already exported: this is the stored file.
    pub unchanged: bool,
}

/// A package file checked by [`verify_file`].
#[derive(Debug, Clone)]
pub struct Verified {
    pub package: Package,
    pub fingerprint: Fingerprint,
    pub digest: String,
}

/// Checks a package file as the superior would: framing, digest, signature, schema, content; then,
/// when given, the expected key fingerprint and unit code. The error is the Vietnamese reason.
pub fn verify_file(
    bytes: &[u8],
    fingerprint: Option<&str>,
    unit_code: Option<&str>,
) -> Result<Verified, String> {
    let opened = baucu_exchange::open(bytes).map_err(|r| r.message())?;
    let actual = opened.key.fingerprint();
    if let Some(expected) = fingerprint {
        let expected = Fingerprint::parse(expected)
            .ok_or_else(|| format!("Dấu vân tay \"{expected}\" không đúng dạng (32 chữ số hex)."))?;
        if expected != actual {
            return Err(format!(
                "Gói được ký bằng khóa {actual}, không phải khóa {expected} như đã đăng ký."
            ));
        }
    }
    if let Some(unit) = unit_code
        && unit.trim() != opened.package.unit_code
    {
        return Err(format!(
            "Gói là của đơn vị {}, không phải đơn vị {}.",
            opened.package.unit_code,
            unit.trim()
        ));
    }
    Ok(Verified { package: opened.package, fingerprint: actual, digest: opened.digest })
}

/// The assembly key of an election in the package: the congress, the committee's plenum, or the
/// inspection committee's meeting (which elects its chair and deputies).
fn assembly_key(kind: AssemblyKind, body: Body) -> &'static str {
    match (kind, body) {
        (AssemblyKind::Plenum, Body::InspectionChair | Body::InspectionDeputyChair) => "meeting-inspection",
        (AssemblyKind::Plenum, _) => "plenum-committee",
        _ => "congress",
    }
}

fn assembly_heading(key: &str, congress: &crate::congress::Congress) -> String {
    match key {
        "meeting-inspection" => "Hội nghị Ủy ban Kiểm tra".into(),
        "plenum-committee" if congress.is_by_election() => congress.heading(),
        "plenum-committee" => "Hội nghị lần thứ nhất Ban Chấp hành".into(),
        _ => congress.heading(),
    }
}

fn small(n: u64, what: &str) -> Result<u32, AppError> {
    u32::try_from(n).map_err(|_| AppError::damaged("Kết quả bầu cử", what))
}

/// The package's content from the stored data, as of `exported_at`; version 1, no summary yet.
fn build(
    c: &Connection,
    congress: &crate::congress::Congress,
    unit_code: &str,
    exported_at: jiff::Timestamp,
    zone: &crate::journal::LocalZone,
) -> Result<Package, AppError> {
    let opening = congress.opens_on;
    let mut people: Vec<Person> = Vec::new();
    let mut ids: BTreeMap<i64, u32> = BTreeMap::new();
    let mut person_id = |c: &Connection, node_id: i64, people: &mut Vec<Person>| -> Result<u32, AppError> {
        if let Some(id) = ids.get(&node_id) {
            return Ok(*id);
        }
        let row = baucu_store::persons::get(c, node_id)?.ok_or(AppError::NotFound("người ứng cử"))?;
        let p = RosterPerson::from_row(row)?;
        let facts = member_facts(&p);
        let id = small(people.len() as u64 + 1, "số người")?;
        people.push(Person {
            id,
            name: p.full_name.clone(),
            female: facts.female,
            birth_year: p.birth_date.map(|b| i32::from(b.year())),
            under_35: facts.under_35(opening.map(day)),
            ethnicity: p.ethnicity.clone(),
            ethnic_minority: facts.ethnic_minority(),
            religion: p.religion.clone(),
            religious: facts.religious(),
            education: facts.education.clone(),
            theory: facts.theory.clone(),
        });
        ids.insert(node_id, id);
        Ok(id)
    };
    let mut assemblies: BTreeMap<&'static str, (jiff::Timestamp, AssemblyBase)> = BTreeMap::new();
    let mut elections = Vec::new();
    let mut elected = Vec::new();
    let mut last_closed: Option<jiff::Timestamp> = None;
    let plans = crate::plan::load(c)?;
    let mut plan = Vec::new();
    for row in baucu_store::elections::all(c)? {
        let e = crate::elections::Election::from_row(&row)?;
        let key = assembly_key(e.assembly_kind, e.body);
        let mut rounds = Vec::new();
        // The round (number) whose record elected each person.
        let mut elected_in: BTreeMap<i64, u32> = BTreeMap::new();
        for r in baucu_store::counting::rounds_of(c, e.id)? {
            let (_, round) = crate::counting::load_round(c, r.id)?;
            if round.poll {
                continue;
            }
            let Some(record) = round.record else { continue };
            let number =
                u32::try_from(round.number).map_err(|_| AppError::damaged("Kết quả bầu cử", "số vòng"))?;
            let mut lines = Vec::new();
            for l in &record.lines {
                if matches!(l.outcome, Outcome::Elected | Outcome::Alternate) {
                    elected_in.insert(l.person_id, number);
                }
                lines.push(Line {
                    person: person_id(c, l.person_id, &mut people)?,
                    votes: l.votes,
                    percent_of_base: l.percent_of_base.hundredths(),
                    outcome: l.outcome,
                });
            }
            let base = AssemblyBase {
                key: key.to_owned(),
                heading: assembly_heading(key, congress),
                kind: record.assembly_kind,
                summoned: record.summoned,
                present: record.present,
                exclusions: record
                    .exclusions
                    .iter()
                    .map(|(kind, count)| ExclusionCount { kind: *kind, count: *count })
                    .collect(),
                base: record.base,
            };
            match assemblies.get(key) {
                Some((at, _)) if *at > record.closed_at => {}
                _ => {
                    assemblies.insert(key, (record.closed_at, base));
                }
            }
            if last_closed.is_none_or(|t| t < record.closed_at) {
                last_closed = Some(record.closed_at);
            }
            rounds.push(Round {
                number,
                purpose: round.purpose,
                closed_at: record.closed_at,
                base: record.base,
                threshold: record.threshold,
                issued: record.issued,
                collected: record.collected,
                valid: record.valid,
                invalid: record.invalid,
                invalid_reasons: record
                    .invalid_by_reason
                    .iter()
                    .map(|(reason, count)| ReasonCount { reason: *reason, count: *count })
                    .collect(),
                lines,
                next_step: record.next_step,
            });
        }
        if rounds.is_empty() {
            continue;
        }
        for m in elected_members(c, e.id)? {
            let round = *elected_in.get(&m.person.id).ok_or_else(|| {
                AppError::damaged(
                    format!("Kết quả cuộc bầu số {}", e.id),
                    format!("vòng bầu của {}", m.person.full_name),
                )
            })?;
            elected.push(Elected {
                person: person_id(c, m.person.id, &mut people)?,
                body: e.body,
                alternate: m.alternate,
                round,
                votes: m.votes,
                percent_of_base: m.hundredths,
                first_time: m.person.first_time,
            });
        }
        if let Some(planned) = plans.iter().find(|p| p.body == e.body)
            && let Some(departures) = crate::plan::departures(c, e.id, e.body, None)?
        {
            let targets = departures
                .iter()
                .filter(|d| d.kind == crate::plan::DepartureKind::TargetMissed)
                .map(|d| {
                    Ok(PlanTarget {
                        label: d.text.split(':').next().unwrap_or_default().trim().to_owned(),
                        planned: small(d.planned.unwrap_or(0), "kế hoạch")?,
                        achieved: small(d.elected.unwrap_or(0), "kế hoạch")?,
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            plan.push(PlanBody {
                body: e.body,
                seats: Some(planned.seats),
                targets,
                departures: departures.into_iter().map(|d| d.text).collect(),
            });
        }
        elections.push(Election {
            body: e.body,
            assembly: key.to_owned(),
            seats: e.seats,
            alternate_seats: e.alternate_seats,
            rounds,
        });
    }
    let last_closed = last_closed.ok_or_else(|| {
        AppError::Conflict(
            "Chưa có lần bầu nào được kết thúc và ghi biên bản: chưa có kết quả để xuất gói gửi cấp trên."
                .into(),
        )
    })?;
    let head = baucu_store::audit::recent(c, 1)?.into_iter().next();
    Ok(Package {
        schema: SCHEMA.into(),
        unit_code: unit_code.to_owned(),
        version: 1,
        supersedes: None,
        exported_at,
        producer: PRODUCER.into(),
        congress: Congress {
            name: congress.heading(),
            organisation: congress.organisation.clone(),
            level: congress.level,
            kind: congress.assembly_kind,
            term: congress.term.clone(),
            place: congress.place.clone(),
            regulation: congress.regulation.clone(),
            opened_on: congress.opens_on,
            closed_on: zone.zoned(last_closed).date(),
            direct_secretary: congress.direct_secretary,
        },
        assemblies: assemblies.into_values().map(|(_, a)| a).collect(),
        elections,
        people,
        elected,
        plan,
        audit: head
            .map_or(AuditHead { seq: 0, hash: String::new() }, |e| AuditHead { seq: e.seq, hash: e.hash }),
        summary_pdf: String::new(),
    })
}

/// The digest of what a package says about the congress: everything but the time, the version, what
/// it supersedes, the producer, the audit head and the summary (which follow from the rest).
fn content_digest(p: &Package) -> String {
    let mut content = p.clone();
    content.version = 1;
    content.supersedes = None;
    content.exported_at = jiff::Timestamp::UNIX_EPOCH;
    content.producer = String::new();
    content.audit = AuditHead { seq: 0, hash: String::new() };
    content.summary_pdf = String::new();
    // Serialising plain structs of strings and integers cannot fail.
    hex::encode(Sha256::digest(serde_json::to_vec(&content).unwrap_or_default()))
}

impl App {
    /// Makes the node's signing key when it has none (first start, `baucu simulate`); returns its
    /// fingerprint either way.
    pub async fn ensure_node_key(&self) -> Result<String, AppError> {
        if let Some(fp) = self.read(|c| Ok(baucu_store::package::fingerprint(c)?)).await? {
            return Ok(fp);
        }
        let (key, pkcs8) = NodeKey::generate().map_err(|e| AppError::Conflict(e.0))?;
        self.store_node_key(key, pkcs8).await
    }

    /// Stores `key` as the node's key (a deterministic one for `baucu simulate` and tests); refused
    /// when the node already has one.
    pub async fn set_node_key(&self, pkcs8: Vec<u8>) -> Result<String, AppError> {
        let key = NodeKey::from_pkcs8(&pkcs8).map_err(|e| AppError::Conflict(e.0))?;
        self.store_node_key(key, pkcs8).await
    }

    async fn store_node_key(&self, key: NodeKey, pkcs8: Vec<u8>) -> Result<String, AppError> {
        let fingerprint = key.public().fingerprint().to_string();
        let row = KeyRow { pkcs8, fingerprint: fingerprint.clone(), created_at: self.now().to_string() };
        self.act(&Actor::system(), "package.key", move |c| {
            if baucu_store::package::fingerprint(c)?.is_some() {
                return Err(AppError::Conflict("Máy đã có khóa ký gói kết quả; không thay khóa.".into()));
            }
            baucu_store::package::insert_key(c, &row)?;
            Ok((row.fingerprint.clone(), json!({ "fingerprint": row.fingerprint })))
        })
        .await
    }

    /// The unit code, the key's fingerprint and the exports.
    pub async fn package_state(&self, actor: &Actor) -> Result<PackageState, AppError> {
        actor.require(Permission::ExportPackage)?;
        self.read(|c| {
            Ok(PackageState {
                unit_code: unit_code_of(c)?,
                fingerprint: baucu_store::package::fingerprint(c)?,
                exports: baucu_store::package::exports(c)?
                    .into_iter()
                    .map(ExportInfo::from_row)
                    .collect::<Result<_, _>>()?,
            })
        })
        .await
    }

    /// The key's fingerprint, for the report to the superior (`None` before the key is made).
    pub(crate) async fn node_fingerprint(&self) -> Result<Option<String>, AppError> {
        self.read(|c| Ok(baucu_store::package::fingerprint(c)?)).await
    }

    /// Sets the unit code (`Mã đơn vị`) the superior gave this congress.
    pub async fn set_unit_code(&self, actor: &Actor, text: &str) -> Result<String, AppError> {
        actor.require(Permission::ExportPackage)?;
        let code = parse_unit_code(text)?;
        self.act(actor, "package.unit_code", move |c| {
            baucu_store::counting::put_setting(c, UNIT_CODE_SETTING, &code)?;
            Ok((code.clone(), json!({ "unit_code": code })))
        })
        .await
    }

    /// Exports the result package: the stored file when the content has not changed since the last
    /// export, otherwise the next version, signed with the node's key and kept.
    pub async fn export_package(&self, actor: &Actor) -> Result<Exported, AppError> {
        actor.require(Permission::ExportPackage)?;
        let congress = self
            .congress()
            .await?
            .ok_or_else(|| AppError::Conflict("Chưa khai báo đại hội: vào trang Đại hội trước.".into()))?;
        let now = self.now();
        let zone = self.zone().clone();
        let (package, key, latest) = self
            .read(move |c| {
                let unit = unit_code_of(c)?.ok_or_else(|| {
                    AppError::Conflict(
                        "Chưa có mã đơn vị: ban tổ chức nhập \"Mã đơn vị\" do cấp trên cấp ở trang Gói kết quả \
                         trước khi xuất gói."
                            .into(),
                    )
                })?;
                let key = baucu_store::package::key(c)?.ok_or_else(|| {
                    AppError::Conflict("Máy chưa có khóa ký gói kết quả: khởi động lại máy chủ để tạo khóa.".into())
                })?;
                let package = build(c, &congress, &unit, now, &zone)?;
                Ok((package, key, baucu_store::package::latest(c)?))
            })
            .await?;
        let key_row = key;
        let key = node_key(&key_row)?;
        let content = content_digest(&package);
        let fingerprint = key_row.fingerprint.clone();
        if let Some((row, file)) = latest.as_ref().filter(|(row, _)| row.content_sha256 == content) {
            let info = ExportInfo::from_row(row.clone())?;
            let data = json!({ "version": info.version, "unit_code": info.unit_code, "sha256": info.sha256, "unchanged": true });
            self.act(actor, "package.export", move |_| Ok(((), data))).await?;
            return Ok(Exported { info, fingerprint, file: file.clone(), unchanged: true });
        }
        let mut package = package;
        let previous = latest.as_ref().map(|(row, _)| row.clone());
        if let Some(prev) = &previous {
            package.version = u32::try_from(prev.version + 1)
                .map_err(|_| AppError::damaged("Sổ gói kết quả", "phiên bản"))?;
            package.supersedes =
                Some(Supersedes { version: package.version - 1, sha256: prev.sha256.clone() });
        }
        let pdf = tokio::task::spawn_blocking({
            let package = package.clone();
            move || baucu_docs::package_summary::render(&package)
        })
        .await
        .map_err(|_| AppError::Conflict("Không tạo được bản tóm tắt PDF.".into()))?
        .map_err(|e| AppError::Conflict(format!("Không tạo được bản tóm tắt PDF: {e}")))?;
        package.summary_pdf = baucu_exchange::encode_pdf(&pdf);
        package.check().map_err(|(field, problem)| {
            AppError::Conflict(format!("Gói kết quả không hợp lệ ở trường {field}: {problem}."))
        })?;
        let file = baucu_exchange::seal(&package, &key);
        let sha256 = baucu_exchange::open(&file)
            .map_err(|r| AppError::Conflict(format!("Gói vừa ký không mở lại được: {}", r.message())))?
            .digest;
        let row = ExportRow {
            version: i64::from(package.version),
            sha256: sha256.clone(),
            supersedes_sha256: previous.as_ref().map(|p| p.sha256.clone()),
            content_sha256: content,
            unit_code: package.unit_code.clone(),
            exported_at: now.to_string(),
            exported_by: actor.username.clone(),
        };
        let info = ExportInfo::from_row(row.clone())?;
        let expected = previous.map(|p| p.version);
        let stored = file.clone();
        self.act(actor, "package.export", move |c| {
            // Another export in between took this version: the user exports again.
            if baucu_store::package::latest(c)?.map(|(r, _)| r.version) != expected {
                return Err(AppError::Conflict("Gói kết quả vừa được xuất ở nơi khác: hãy xuất lại.".into()));
            }
            baucu_store::package::insert_export(c, &row, &stored)?;
            let data = json!({ "version": row.version, "unit_code": row.unit_code, "sha256": row.sha256, "unchanged": false });
            Ok(((), data))
        })
        .await?;
        Ok(Exported { info, fingerprint, file, unchanged: false })
    }

    /// The stored file of export `version`.
    pub async fn package_file(&self, actor: &Actor, version: u32) -> Result<(ExportInfo, Vec<u8>), AppError> {
        actor.require(Permission::ExportPackage)?;
        self.read(move |c| {
            let (row, file) = baucu_store::package::file(c, i64::from(version))?
                .ok_or(AppError::NotFound("gói kết quả phiên bản này"))?;
            Ok((ExportInfo::from_row(row)?, file))
        })
        .await
    }

    /// Records that the package of `version` was sent to `url` and what the superior answered.
    pub async fn record_package_sent(
        &self,
        actor: &Actor,
        version: u32,
        url: &str,
        answer: &str,
    ) -> Result<(), AppError> {
        actor.require(Permission::ExportPackage)?;
        let data = json!({ "version": version, "url": url, "answer": answer });
        self.act(actor, "package.send", move |_| Ok(((), data))).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_keys_read_back_as_the_seed_key() {
        let seed = [7u8; 32];
        let key = NodeKey::from_pkcs8(&seeded_pkcs8(&seed)).expect("reads");
        assert_eq!(key.public(), NodeKey::from_seed(&seed).expect("seed").public());
    }

    #[test]
    fn unit_codes_are_checked() {
        assert_eq!(parse_unit_code(" 01.001.0001 ").expect("valid"), "01.001.0001");
        assert!(parse_unit_code("").is_err());
        assert!(parse_unit_code("01 001").is_err());
        assert!(parse_unit_code(&"9".repeat(33)).is_err());
    }

    #[test]
    fn assemblies_are_keyed_by_who_votes() {
        assert_eq!(assembly_key(AssemblyKind::MembersCongress, Body::Committee), "congress");
        assert_eq!(assembly_key(AssemblyKind::Plenum, Body::StandingCommittee), "plenum-committee");
        assert_eq!(assembly_key(AssemblyKind::Plenum, Body::InspectionChair), "meeting-inspection");
    }
}
