//! The import of signed result packages: each file proves itself ([`baucu_exchange::open`]), then
//! is checked against the tree of units and the key registry, and against the versions already held
//! for its unit. Every file gets a verdict with a stable code and a Vietnamese sentence naming it.
//!
//! A batch is one transaction with a savepoint per file: a refused file leaves nothing, the others
//! go in. Files are taken in the order (unit, version), whatever the order given, so that a folder
//! holding versions 1 and 2 of a unit imports both. Signatures are checked on every core before the
//! transaction starts.

use crate::accounts::{Actor, Permission};
use crate::workflow::Status;
use baucu_exchange::{Opened, Package, Refusal};
use baucu_store::StoreError;
use baucu_store::aggregator::db::{AggDb, Tx};
use baucu_store::aggregator::packages::{
    self as store, BaseRow, CongressFacts, DepartureRow, ElectedRow, NewPackage,
};
use baucu_store::aggregator::units;
use serde::Serialize;
use std::collections::BTreeMap;

/// The time zone of the received day (`congresses.reported_on`).
const ZONE: &str = "Asia/Ho_Chi_Minh";
/// Longest file name kept in a verdict.
const MAX_NAME_CHARS: usize = 200;

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    /// Recorded as its unit's current package.
    Imported,
    /// The same package (same digest) was already held: nothing to do, not an error.
    Duplicate,
    Refused,
}

/// The verdict on one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileVerdict {
    pub file: String,
    pub kind: VerdictKind,
    /// Stable: `imported`, `duplicate`, the refusals of [`Refusal::code`] (`too_large`, `malformed`,
    /// `modified`, `bad_signature`, `unknown_schema`), and `forbidden`, `unknown_unit`, `outside_area`,
    /// `unknown_key`, `revoked_key`, `key_of_other_unit`, `older_version`, `version_conflict`,
    /// `unknown_supersedes`, `storage_error`.
    pub code: &'static str,
    /// The Vietnamese sentence, naming the file.
    pub message: String,
    pub unit_code: Option<String>,
    pub version: Option<u32>,
    pub package_id: Option<i64>,
}

impl FileVerdict {
    /// Imported, or exactly a package already held.
    pub fn accepted(&self) -> bool {
        matches!(self.kind, VerdictKind::Imported | VerdictKind::Duplicate)
    }

    fn refused(file: &str, code: &'static str, message: String) -> Self {
        FileVerdict {
            file: file.to_owned(),
            kind: VerdictKind::Refused,
            code,
            message,
            unit_code: None,
            version: None,
            package_id: None,
        }
    }
}

/// The counts of a batch, for a summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub imported: usize,
    pub duplicate: usize,
    pub refused: usize,
}

impl Summary {
    pub fn of(verdicts: &[FileVerdict]) -> Summary {
        let mut s = Summary::default();
        for v in verdicts {
            match v.kind {
                VerdictKind::Imported => s.imported += 1,
                VerdictKind::Duplicate => s.duplicate += 1,
                VerdictKind::Refused => s.refused += 1,
            }
        }
        s
    }

    pub fn sentence(&self) -> String {
        format!(
            "Đã nhận {} gói, {} gói đã có từ trước, {} tệp bị từ chối.",
            self.imported, self.duplicate, self.refused
        )
    }
}

/// Imports `files` (name, bytes) as `actor`: one verdict per file, in the order given.
pub fn import_files(db: &AggDb, actor: &Actor, files: Vec<(String, Vec<u8>)>) -> Vec<FileVerdict> {
    import_files_at(db, actor, files, jiff::Timestamp::now())
}

/// [`import_files`] at a given time (the received time and day).
pub fn import_files_at(
    db: &AggDb,
    actor: &Actor,
    files: Vec<(String, Vec<u8>)>,
    now: jiff::Timestamp,
) -> Vec<FileVerdict> {
    if actor.require(Permission::Import).is_err() {
        return forbidden(&OpenedFiles::names(&files));
    }
    import_opened_at(db, actor, open_files(files), now)
}

/// Files whose signatures and contents were checked ([`open_files`]), ready to import.
#[derive(Debug)]
pub struct OpenedFiles {
    names: Vec<String>,
    files: Vec<(String, Vec<u8>)>,
    opened: Vec<Result<Opened, Refusal>>,
}

impl OpenedFiles {
    fn names(files: &[(String, Vec<u8>)]) -> Vec<String> {
        files.iter().map(|(n, _)| n.chars().take(MAX_NAME_CHARS).collect()).collect()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Checks every file's signature and content, on all cores, without touching the database: the
/// command line checks the next batch while the database writes the current one.
pub fn open_files(files: Vec<(String, Vec<u8>)>) -> OpenedFiles {
    let opened = open_all(&files);
    OpenedFiles { names: OpenedFiles::names(&files), files, opened }
}

fn forbidden(names: &[String]) -> Vec<FileVerdict> {
    names
        .iter()
        .map(|n| {
            FileVerdict::refused(
                n,
                "forbidden",
                format!("Tệp {n}: tài khoản của bạn không có quyền nhận gói kết quả."),
            )
        })
        .collect()
}

/// [`import_files_at`] for files already opened by [`open_files`].
pub fn import_opened_at(
    db: &AggDb,
    actor: &Actor,
    batch: OpenedFiles,
    now: jiff::Timestamp,
) -> Vec<FileVerdict> {
    let OpenedFiles { names, files, opened } = batch;
    if actor.require(Permission::Import).is_err() {
        return forbidden(&names);
    }
    let mut verdicts: Vec<Option<FileVerdict>> = vec![None; files.len()];
    let mut order = Vec::new();
    for (i, result) in opened.iter().enumerate() {
        match result {
            Ok(o) => order.push((o.package.unit_code.clone(), o.package.version, i)),
            Err(refusal) => {
                verdicts[i] = Some(FileVerdict::refused(
                    &names[i],
                    refusal.code(),
                    format!("Tệp {}: {}", names[i], refusal.message()),
                ))
            }
        }
    }
    order.sort();
    let day =
        now.to_zoned(jiff::tz::TimeZone::get(ZONE).unwrap_or(jiff::tz::TimeZone::UTC)).date().to_string();
    let clock = Clock { at: now.as_second(), day };
    let batch = db.write(|tx| {
        let mut done = Vec::with_capacity(order.len());
        for (_, _, i) in &order {
            let (name, file) = (&names[*i], &files[*i].1);
            let Ok(o) = &opened[*i] else { continue };
            let verdict = match tx.savepoint(|tx| import_one(tx, actor, name, file, o, &clock)) {
                Ok(v) => v,
                Err(e) => storage_error(name, &e),
            };
            done.push((*i, verdict));
        }
        Ok(done)
    });
    match batch {
        Ok(done) => {
            for (i, v) in done {
                verdicts[i] = Some(v);
            }
        }
        Err(e) => {
            for (_, _, i) in &order {
                verdicts[*i] = Some(storage_error(&names[*i], &e));
            }
        }
    }
    verdicts
        .into_iter()
        .zip(&names)
        .map(|(v, n)| v.unwrap_or_else(|| storage_error(n, &StoreError::Closed)))
        .collect()
}

fn storage_error(name: &str, e: &StoreError) -> FileVerdict {
    tracing::error!("package import of {name}: {e}");
    FileVerdict::refused(
        name,
        "storage_error",
        format!("Tệp {name}: lỗi lưu trữ dữ liệu, gói chưa được ghi. Vui lòng thử lại."),
    )
}

/// Opens every file, on all cores.
fn open_all(files: &[(String, Vec<u8>)]) -> Vec<Result<Opened, Refusal>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    if threads == 1 || files.len() < 4 {
        return files.iter().map(|(_, bytes)| baucu_exchange::open(bytes)).collect();
    }
    let per = files.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(per)
            .map(|chunk| {
                scope.spawn(move || chunk.iter().map(|(_, b)| baucu_exchange::open(b)).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .zip(files.chunks(per))
            .flat_map(|(h, chunk)| {
                // A panic while checking a file refuses that chunk's files rather than the batch.
                h.join().unwrap_or_else(|_| {
                    chunk.iter().map(|_| Err(Refusal::Malformed("không đọc được tệp".into()))).collect()
                })
            })
            .collect()
    })
}

struct Clock {
    at: i64,
    day: String,
}

/// One file inside its savepoint. A refusal is decided before anything is written.
fn import_one(
    tx: &mut Tx<'_>,
    actor: &Actor,
    name: &str,
    file: &[u8],
    opened: &Opened,
    clock: &Clock,
) -> Result<FileVerdict, StoreError> {
    let p = &opened.package;
    let version = p.version;
    let refuse = |code: &'static str, message: String| {
        let mut v = FileVerdict::refused(name, code, format!("Tệp {name}: {message}"));
        v.unit_code = Some(p.unit_code.clone());
        v.version = Some(version);
        Ok(v)
    };
    let Some(unit) = units::get(tx, &p.unit_code)? else {
        return refuse(
            "unknown_unit",
            format!(
                "đơn vị mã {} không có trong danh sách đơn vị của máy tổng hợp (nhập danh sách đơn vị trước).",
                p.unit_code
            ),
        );
    };
    let unit_name = format!("{} ({})", unit.code, unit.name);
    if !actor.sees(&unit.path) {
        return refuse("outside_area", format!("đơn vị {unit_name} nằm ngoài phạm vi tài khoản của bạn."));
    }
    let fingerprint = opened.key.fingerprint();
    match units::key(tx, fingerprint.as_str())? {
        None => {
            return refuse(
                "unknown_key",
                format!(
                    "khóa ký gói (dấu vân tay {fingerprint}) chưa được đăng ký cho đơn vị nào; gói ghi đơn vị {unit_name}."
                ),
            );
        }
        Some(k) if k.revoked_at.is_some() => {
            return refuse("revoked_key", format!("khóa ký gói (dấu vân tay {fingerprint}) đã bị thu hồi."));
        }
        Some(k) if k.unit_code != unit.code => {
            let owner = match units::get(tx, &k.unit_code)? {
                Some(o) => format!("{} ({})", o.code, o.name),
                None => k.unit_code.clone(),
            };
            return refuse(
                "key_of_other_unit",
                format!(
                    "gói ghi đơn vị {unit_name} nhưng được ký bằng khóa (dấu vân tay {fingerprint}) đã đăng ký cho đơn vị {owner}."
                ),
            );
        }
        Some(_) => {}
    }
    if let Some(held) = store::by_sha256(tx, &opened.digest)? {
        return Ok(FileVerdict {
            file: name.to_owned(),
            kind: VerdictKind::Duplicate,
            code: "duplicate",
            message: format!(
                "Tệp {name}: đã có — phiên bản {} của đơn vị {unit_name} đã được nhận trước đây, không nhận lại.",
                held.version
            ),
            unit_code: Some(held.unit_code),
            version: Some(version),
            package_id: Some(held.id),
        });
    }
    let held = store::versions(tx, &unit.code)?;
    let v = i64::from(version);
    if let Some(same) = held.iter().find(|h| h.version == v) {
        return refuse(
            "version_conflict",
            format!(
                "máy tổng hợp đã có phiên bản {version} của đơn vị {unit_name} với nội dung khác (mã băm {}…); \
                 một lần gửi lại có thay đổi phải mang số phiên bản lớn hơn.",
                &same.sha256[..same.sha256.len().min(12)]
            ),
        );
    }
    let newest = held.iter().map(|h| h.version).max();
    if let Some(newest) = newest
        && v < newest
    {
        return refuse(
            "older_version",
            format!("đây là phiên bản {version}, cũ hơn phiên bản {newest} đã nhận của đơn vị {unit_name}."),
        );
    }
    let mut replaced = None;
    if let Some(s) = &p.supersedes {
        match held.iter().find(|h| h.sha256 == s.sha256) {
            Some(h) if h.version == i64::from(s.version) => replaced = Some(h.version),
            Some(h) => {
                return refuse(
                    "unknown_supersedes",
                    format!(
                        "gói ghi thay thế phiên bản {} nhưng mã băm nó nêu là của phiên bản {} đã nhận của đơn vị {unit_name}.",
                        s.version, h.version
                    ),
                );
            }
            None => {
                return refuse(
                    "unknown_supersedes",
                    format!(
                        "gói (phiên bản {version}) thay thế phiên bản {} có mã băm {}… mà máy tổng hợp chưa nhận của đơn vị {unit_name}; \
                         hãy nhập phiên bản đó trước.",
                        s.version,
                        &s.sha256[..12]
                    ),
                );
            }
        }
    }
    // Accepted: record it.
    let package_id = store::insert_current(
        tx,
        &NewPackage {
            unit_code: &unit.code,
            version: v,
            sha256: &opened.digest,
            supersedes_sha256: p.supersedes.as_ref().map(|s| s.sha256.as_str()),
            fingerprint: fingerprint.as_str(),
            received_at: clock.at,
            received_by: &actor.username,
            file,
        },
    )?;
    let previous = store::congress_status(tx, &unit.code)?;
    store::replace_congress(tx, &unit.code, package_id, &facts(p, &clock.day), "reported", &clock.day)?;
    let (elected, bases, departures) = rows(p);
    store::replace_results(tx, &unit.code, package_id, &elected, &bases, &departures)?;
    let detail = serde_json::json!({
        "file": name,
        "unit": unit.code,
        "version": version,
        "sha256": opened.digest,
        "fingerprint": fingerprint.as_str(),
        "replaces": replaced,
        "previous_status": previous,
    });
    crate::audit::append(tx, actor, "package.import", &detail.to_string())?;
    let mut message = match replaced {
        Some(old) => {
            format!("Tệp {name}: đã nhận phiên bản {version} của đơn vị {unit_name}, thay phiên bản {old}.")
        }
        None => format!("Tệp {name}: đã nhận phiên bản {version} của đơn vị {unit_name}."),
    };
    let previous = Status::from_stored(previous.as_deref()).map_err(|e| StoreError::Data(e.message()))?;
    if matches!(previous, Status::Approved | Status::ApprovalRefused | Status::Annulled) {
        message.push_str(&format!(
            " Đại hội trước đây ở trạng thái \"{}\"; nay trở lại trạng thái \"{}\" để xem xét lại theo phiên bản mới.",
            previous.label(),
            Status::Reported.label()
        ));
    }
    Ok(FileVerdict {
        file: name.to_owned(),
        kind: VerdictKind::Imported,
        code: "imported",
        message,
        unit_code: Some(unit.code),
        version: Some(version),
        package_id: Some(package_id),
    })
}

fn facts(p: &Package, received_on: &str) -> CongressFacts {
    let c = &p.congress;
    CongressFacts {
        name: c.name.clone(),
        organisation: c.organisation.clone(),
        level: c.level.code().to_owned(),
        kind: c.kind.code().to_owned(),
        term: c.term.clone(),
        opened_on: c.opened_on.map(|d| d.to_string()),
        closed_on: c.closed_on.to_string(),
        reported_on: received_on.to_owned(),
        direct_secretary: c.direct_secretary,
    }
}

fn rows(p: &Package) -> (Vec<ElectedRow>, Vec<BaseRow>, Vec<DepartureRow>) {
    let people: BTreeMap<u32, &baucu_exchange::Person> = p.people.iter().map(|x| (x.id, x)).collect();
    let elected = p
        .elected
        .iter()
        .filter_map(|e| {
            // `Package::check` made sure every elected person is in the package.
            let person = people.get(&e.person)?;
            Some(ElectedRow {
                body: e.body.code().to_owned(),
                alternate: e.alternate,
                person: i64::from(e.person),
                name: person.name.clone(),
                female: person.female,
                birth_year: person.birth_year.map(i64::from),
                under_35: person.under_35,
                ethnic_minority: person.ethnic_minority,
                religious: person.religious,
                first_time: e.first_time,
                ethnicity: person.ethnicity.clone(),
                religion: person.religion.clone(),
                education: person.education.clone(),
                theory: person.theory.clone(),
                votes: i64::try_from(e.votes).unwrap_or(i64::MAX),
                percent_of_base: i64::try_from(e.percent_of_base).unwrap_or(i64::MAX),
                round: i64::from(e.round),
            })
        })
        .collect();
    let bases = p
        .assemblies
        .iter()
        .map(|a| BaseRow {
            assembly: a.key.clone(),
            kind: a.kind.code().to_owned(),
            summoned: i64::from(a.summoned),
            present: i64::from(a.present),
            base: i64::from(a.base),
        })
        .collect();
    let departures = p
        .plan
        .iter()
        .flat_map(|b| {
            b.departures.iter().map(|d| DepartureRow { body: b.body.code().to_owned(), text: d.clone() })
        })
        .collect();
    (elected, bases, departures)
}
