//! `baucu simulate`: a whole commune congress run through the application's own actions, as a congress
//! office runs it — the accounts, the congress, the roster imported from a spreadsheet, attendance,
//! every election with its list, the ballots printed, issued, collected and keyed twice by different
//! operators (with the slips real operators make, settled by the board against the paper), the rounds
//! closed, the presidium's decisions (a tie-break, an alternates round, a further round), publication,
//! and every document written to a folder.
//!
//! Nothing here reaches the database or decides a number: every step is the function a web handler
//! calls, with the account of the role that does it, so the audit log records the congress like any
//! other. The papers come from a seeded generator and the time from a [`ManualClock`] moved step by
//! step: the same seed gives the same congress, the same ballots and the same results on every run.

use crate::congress::CongressForm;
use crate::counting::{NextDecision, Round, StackRequest, StackStatus};
use crate::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD, sample_roster};
use crate::elections::{ElectionForm, Source};
use crate::roster::{COLUMNS, Person};
use crate::{Actor, App, AppError, ManualClock, Role};
use baucu_rules::ballot::{Ballot, BallotContent, BallotFlags, Mark};
use baucu_rules::election::{Body, Layout, Purpose};
use baucu_rules::messages;
use baucu_rules::name::fold_for_search;
use baucu_rules::outcome::NextStep;
use baucu_rules::sample::SampleRng;
use baucu_store::Store;
use std::cmp::Reverse;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const DEFAULT_SEED: u64 = 1;
pub const DEFAULT_MEMBERS: u32 = 150;
/// The fewest members a simulated congress may have: the committee's list of 18 and the other lists
/// need that many people who may stand.
pub const MIN_MEMBERS: u32 = 60;
pub const MAX_MEMBERS: u32 = 1_000;

/// Seats of the committee the simulated congress elects.
pub const COMMITTEE_SEATS: u32 = 15;
/// Delegates to the superior congress: official and alternate.
pub const DELEGATE_SEATS: (u32, u32) = (8, 2);
pub const STANDING_COMMITTEE_SEATS: u32 = 5;
pub const DEPUTY_SECRETARY_SEATS: u32 = 2;
pub const INSPECTION_COMMITTEE_SEATS: u32 = 5;

/// Papers in one stack at most.
const STACK_PAPERS: usize = 50;
/// Rounds of one election at most (a safety net: the simulated results need at most two).
const MAX_ROUNDS: usize = 4;

/// The accounts besides the demo's: the administrator and two more members of the counting board.
pub const EXTRA_ACCOUNTS: [(&str, &str, Role); 3] = [
    ("admin", "Hoàng Minh Đức", Role::Admin),
    ("kiemphieu2", "Ngô Thị Hằng", Role::BoardMember),
    ("kiemphieu3", "Đinh Văn Lợi", Role::BoardMember),
];

const COMMUNES: [&str; 10] = [
    "Thượng Kiệm",
    "Yên Phong",
    "Quảng Phú",
    "Tân Lập",
    "Hải Thanh",
    "Đông Hưng",
    "Nghĩa Đàn",
    "Mỹ Lộc",
    "Phú Xuân",
    "Cẩm Giàng",
];
/// (this congress, the convening committee's term).
const TERMS: [(&str, &str); 4] = [("XXIV", "XXIII"), ("XXV", "XXIV"), ("XXVI", "XXV"), ("XXVII", "XXVI")];

/// What the simulation did, for the summary the command prints.
#[derive(Debug, Clone)]
pub struct Summary {
    pub seed: u64,
    pub congress: String,
    pub members: u32,
    /// Official members present at the first sitting, and the base of the majority.
    pub present: u32,
    pub base: u32,
    /// Every account (user name, role); all have [`Summary::password`].
    pub accounts: Vec<(String, Role)>,
    pub password: &'static str,
    pub elections: Vec<ElectionRun>,
    pub documents: PathBuf,
    /// File names written into `documents`, in order.
    pub files: Vec<String>,
}

/// One election and its rounds.
#[derive(Debug, Clone)]
pub struct ElectionRun {
    pub election_id: i64,
    pub title: String,
    pub rounds: Vec<RoundRun>,
    pub elected: Vec<String>,
    pub alternates: Vec<String>,
}

/// One round as it was counted and decided.
#[derive(Debug, Clone)]
pub struct RoundRun {
    pub round_id: i64,
    pub title: String,
    pub purpose: Purpose,
    pub issued: u64,
    pub collected: u64,
    pub valid: u64,
    pub invalid: u64,
    pub stacks: usize,
    /// Ballots the two entries read differently, settled by the board against the paper.
    pub differences: usize,
    pub elected: Vec<String>,
    /// The person ids of the elected (officials), for the elections that draw on them.
    pub elected_ids: Vec<i64>,
    pub alternates: Vec<String>,
    pub tied: Vec<String>,
    pub next_step: NextStep,
    /// The presidium's decision, in Vietnamese, when the result asked for one.
    pub decision: Option<String>,
}

/// Runs a whole congress into a new database at `database`, writing its documents into `documents`.
/// Refuses a database that already exists.
pub async fn simulate(
    database: &Path,
    documents: &Path,
    seed: u64,
    members: u32,
) -> Result<Summary, AppError> {
    simulate_with(database, documents, seed, members, false).await
}

/// [`simulate`], and with `direct_secretary` a congress whose superior allows it to elect the
/// secretary directly (rules.md § 2): after the committee and the delegates, an introduction poll
/// among the new committee, then the congress elects the secretary from the committee on its own
/// base; the first plenum elects no secretary.
pub async fn simulate_with(
    database: &Path,
    documents: &Path,
    seed: u64,
    members: u32,
    direct_secretary: bool,
) -> Result<Summary, AppError> {
    if !(MIN_MEMBERS..=MAX_MEMBERS).contains(&members) {
        return Err(AppError::invalid(
            "members",
            format!("Số đảng viên phải từ {MIN_MEMBERS} đến {MAX_MEMBERS} (đã ghi {members})."),
        ));
    }
    if database.exists() {
        return Err(AppError::Conflict(format!(
            "Đã có cơ sở dữ liệu {}: mô phỏng chỉ chạy vào một thư mục dữ liệu mới.",
            database.display()
        )));
    }
    std::fs::create_dir_all(documents).map_err(|e| write_error(documents, &e))?;
    let store = Store::open(database)?;
    let clock = Arc::new(ManualClock::new(at(0, 7, 0)?));
    let app = App::new(store, clock.clone());
    let result = Sim::begin(app.clone(), clock, seed, documents).await.map(|mut sim| {
        sim.direct_secretary = direct_secretary;
        sim
    });
    let result = match result {
        Ok(mut sim) => sim.run(members).await,
        Err(e) => Err(e),
    };
    app.store().close();
    result
}

fn write_error(path: &Path, e: &std::io::Error) -> AppError {
    AppError::Conflict(format!("Không ghi được {}: {e}", path.display()))
}

/// A time of the congress: `day` days after the opening (20/05/2025), at `hour:minute` Hà Nội time.
fn at(day: i8, hour: i8, minute: i8) -> Result<jiff::Timestamp, AppError> {
    jiff::civil::date(2025, 5, 20 + day)
        .at(hour, minute, 0, 0)
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)))
        .map(|z| z.timestamp())
        .map_err(|e| AppError::Conflict(format!("Thời điểm không hợp lệ: {e}")))
}

/// A plan that cannot be realised on paper: a bug of this module, never of the user's input.
fn plan_error(what: &str) -> AppError {
    AppError::Conflict(format!("Mô phỏng không tạo được phiếu: {what}."))
}

fn below(rng: &mut SampleRng, n: usize) -> usize {
    rng.below(n as u64) as usize
}

fn shuffle<T>(rng: &mut SampleRng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        items.swap(i, below(rng, i + 1));
    }
}

/// `n` distinct indices of `0..len`, in random order.
fn sample(rng: &mut SampleRng, len: usize, n: usize) -> Vec<usize> {
    let mut all: Vec<usize> = (0..len).collect();
    let n = n.min(len);
    for i in 0..n {
        let j = i + below(rng, len - i);
        all.swap(i, j);
    }
    all.truncate(n);
    all
}

/// A file name people read: the Vietnamese words without diacritics, joined by hyphens.
fn slug(text: &str) -> String {
    let folded: String =
        fold_for_search(text).chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    folded.split('-').filter(|w| !w.is_empty()).collect::<Vec<_>>().join("-")
}

/// What the voters of a round do, in the simulation's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    /// Strike list: all but one seat clearly won, and two names tied for the last seat.
    TieAtCutOff,
    /// Strike list: `winners` names pass, each with its own number of votes; the others do not pass.
    Clear { winners: usize },
    /// Strike list for one seat: every valid ballot keeps one name; one name has the most votes (and
    /// more than half of the base when `majority`).
    OneWinner { majority: bool },
    /// Agree/disagree list: every name passes.
    Approve,
}

/// The slips of one stack's two entries: (entry index, paper index).
#[derive(Debug, Clone, Copy, Default)]
struct Slips {
    /// An operator keys the name beside the struck one (or the other box).
    misread: Option<(usize, usize)>,
    /// An operator misses the last paper of the stack.
    skip: Option<usize>,
    /// An operator keys a paper wrong, sees it at once and takes it back (Ctrl+Z).
    undo: Option<(usize, usize)>,
}

struct Cast {
    organiser: Actor,
    presidium: Actor,
    head: Actor,
    operators: Vec<Actor>,
}

struct Sim {
    app: App,
    clock: Arc<ManualClock>,
    rng: SampleRng,
    seed: u64,
    documents: PathBuf,
    files: Vec<String>,
    cast: Cast,
    accounts: Vec<(String, Role)>,
    /// No round counted yet: the first one shows every kind of slip.
    first_count: bool,
    /// The number of the next election in the documents' file names.
    next_file_number: usize,
    /// The congress elects the secretary directly (`--direct-secretary`).
    direct_secretary: bool,
}

impl Sim {
    /// Creates every account through the app and logs the actors in.
    async fn begin(app: App, clock: Arc<ManualClock>, seed: u64, documents: &Path) -> Result<Self, AppError> {
        let mut accounts = Vec::new();
        for (username, name, role) in
            EXTRA_ACCOUNTS.iter().take(1).chain(DEMO_ACCOUNTS.iter()).chain(&EXTRA_ACCOUNTS[1..])
        {
            app.add_user_from_cli(username, name, *role, DEMO_PASSWORD).await?;
            accounts.push(((*username).to_owned(), *role));
        }
        let login = |username: &'static str| {
            let app = app.clone();
            async move { app.login(username, DEMO_PASSWORD, "127.0.0.1").await.map(|(_, s)| s.actor) }
        };
        let mut operators = Vec::new();
        for (username, _, role) in DEMO_ACCOUNTS {
            if role == Role::Operator {
                operators.push(login(username).await?);
            }
        }
        let cast = Cast {
            organiser: login(DEMO_ACCOUNTS[0].0).await?,
            presidium: login(DEMO_ACCOUNTS[1].0).await?,
            head: login(DEMO_ACCOUNTS[2].0).await?,
            operators,
        };
        Ok(Sim {
            app,
            clock,
            rng: SampleRng::new(seed ^ 0x9E37_79B9_7F4A_7C15),
            seed,
            documents: documents.to_owned(),
            files: Vec::new(),
            cast,
            accounts,
            first_count: true,
            next_file_number: 1,
            direct_secretary: false,
        })
    }

    fn advance(&self, seconds: i64) {
        self.clock.advance(jiff::SignedDuration::from_secs(seconds));
    }

    /// Moves the clock on to `day, hour:minute` unless it is already later.
    fn wait_until(&self, day: i8, hour: i8, minute: i8) -> Result<(), AppError> {
        let target = at(day, hour, minute)?;
        let now = self.app.now();
        if target > now {
            self.clock.advance(target.duration_since(now));
        }
        Ok(())
    }

    fn save(&mut self, name: &str, bytes: &[u8]) -> Result<(), AppError> {
        let path = self.documents.join(name);
        std::fs::write(&path, bytes).map_err(|e| write_error(&path, &e))?;
        self.files.push(name.to_owned());
        Ok(())
    }

    async fn run(&mut self, members: u32) -> Result<Summary, AppError> {
        let congress = self.set_up_congress().await?;
        let (people, present, base) = self.roster_and_attendance(members).await?;
        self.opening_votes(&people, present).await?;
        self.personnel_plan(&people).await?;
        let mut elections = Vec::new();

        // At the congress: the committee, then the delegates to the superior congress.
        self.wait_until(0, 9, 30)?;
        let committee = self.committee(&people, present).await?;
        let committee_members = official_members(&committee);
        elections.push(committee);
        self.wait_until(0, 14, 0)?;
        let delegates = self.delegates(&people, &committee_members, present).await?;
        elections.push(delegates);
        // Where the superior allows it, the congress itself elects the secretary from the new
        // committee, after an introduction poll among that committee.
        let direct_secretary = if self.direct_secretary {
            self.wait_until(0, 16, 0)?;
            let secretary = self.direct_secretary(&committee_members, present).await?;
            let ids = official_members(&secretary);
            elections.push(secretary);
            Some(ids)
        } else {
            None
        };

        // The first plenum of the new committee, summoned from its result: every member but the last
        // elected checks in (one absent, no draw), and its own present bounds its votes and ballots.
        self.wait_until(0, 17, 0)?;
        let sitting = self.app.summon_plenum(&self.cast.organiser, Body::Committee.code()).await?;
        let away = committee_members.last().copied();
        for id in committee_members.iter().filter(|id| Some(**id) != away) {
            self.app.set_check_in(&self.cast.organiser, sitting, *id, true).await?;
            self.advance(5);
        }
        let plenum = self
            .app
            .attendance(&self.cast.organiser, Some(sitting))
            .await?
            .report
            .map(|r| r.present)
            .ok_or_else(|| AppError::Conflict("Hội nghị chưa có ai được triệu tập.".into()))?;
        let standing = self.standing_committee(&committee_members, plenum).await?;
        let standing_members = official_members(&standing);
        elections.push(standing);
        let secretary_id = match direct_secretary {
            Some(ids) => ids,
            None => {
                let secretary = self.secretary(&standing_members, plenum).await?;
                let ids = official_members(&secretary);
                elections.push(secretary);
                ids
            }
        };
        let deputies: Vec<i64> =
            standing_members.iter().copied().filter(|p| !secretary_id.contains(p)).collect();
        elections.push(self.deputy_secretaries(&deputies, plenum).await?);
        let inspection =
            self.inspection_committee(&people, &committee_members, &standing_members, plenum).await?;
        let inspection_members = official_members(&inspection);
        elections.push(inspection);
        elections.push(self.inspection_chair(&inspection_members, plenum).await?);

        // The first meeting of the new inspection committee elects its deputy chair.
        self.wait_until(0, 19, 30)?;
        let sitting = self.app.summon_plenum(&self.cast.organiser, Body::InspectionCommittee.code()).await?;
        for id in &inspection_members {
            self.app.set_check_in(&self.cast.organiser, sitting, *id, true).await?;
            self.advance(5);
        }
        elections.push(self.inspection_deputy_chair(&inspection_members).await?);

        Ok(Summary {
            seed: self.seed,
            congress,
            members,
            present,
            base,
            accounts: self.accounts.clone(),
            password: DEMO_PASSWORD,
            elections,
            documents: self.documents.clone(),
            files: self.files.clone(),
        })
    }

    async fn set_up_congress(&mut self) -> Result<String, AppError> {
        let commune = COMMUNES[below(&mut self.rng, COMMUNES.len())];
        let (term, previous) = TERMS[below(&mut self.rng, TERMS.len())];
        let form = CongressForm {
            // The documents add the term ("nhiệm kỳ 2025–2030") to the name themselves.
            name: format!("Đại hội Đảng bộ xã {commune} lần thứ {term}"),
            organisation: format!("Đảng bộ xã {commune}"),
            level: "grassroots".into(),
            assembly_kind: "members_congress".into(),
            term: "2025–2030".into(),
            place: format!("Hội trường Trung tâm Văn hóa xã {commune}"),
            opens_on: "20/05/2025".into(),
            closes_on: "21/05/2025".into(),
            convening_committee: format!("Ban Chấp hành Đảng bộ xã {commune} khóa {previous}"),
            regulation: "190-QD/TW".into(),
            direct_secretary: self.direct_secretary.then(|| "1".to_owned()),
        };
        let congress = self.app.save_congress(&self.cast.organiser, form).await?;
        // The unit code the superior gave and the node's key (from the seed), so the node can export.
        self.app.set_unit_code(&self.cast.organiser, &format!("SIM.{:04}", self.seed % 10_000)).await?;
        let mut key_seed = [0u8; 32];
        key_seed[..8].copy_from_slice(&self.seed.to_be_bytes());
        self.app.set_node_key(crate::package::seeded_pkcs8(&key_seed)).await?;
        self.advance(600);
        Ok(congress.name)
    }

    /// The roster as a clerk keeps it, imported from the spreadsheet; absences for the whole congress;
    /// the first sitting's check-in. Returns the people, those present and the base.
    async fn roster_and_attendance(&mut self, members: u32) -> Result<(Vec<Person>, u32, u32), AppError> {
        // One step of a 64-bit LCG: distinct seeds give distinct rosters.
        let roster_seed =
            self.seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let mut roster = sample_roster(roster_seed, members as usize);
        // Two names that differ only in their diacritics ("Anh", "Ánh") and share a birth date are
        // one person to the import: such a clerk would have checked the date, and so do we.
        let mut known = BTreeSet::new();
        for person in &mut roster {
            let name = fold_for_search(person.get("full_name").map_or("", String::as_str));
            for tries in 0.. {
                if known.insert((name.clone(), person.get("birth_date").cloned())) {
                    break;
                }
                if tries == 28 {
                    return Err(plan_error("không tạo được danh sách đảng viên khác nhau"));
                }
                let birth = person.get("birth_date").cloned().unwrap_or_default();
                let day: u32 = birth.get(..2).and_then(|d| d.parse().ok()).unwrap_or(0);
                let rest = birth.get(2..).unwrap_or("/01/1970");
                person.insert("birth_date".into(), format!("{:02}{rest}", day % 28 + 1));
            }
        }
        let fail =
            |e: rust_xlsxwriter::XlsxError| AppError::Conflict(format!("Không tạo được tệp danh sách: {e}"));
        let mut book = rust_xlsxwriter::Workbook::new();
        // Prepared by the clerk the day before; a fixed date keeps the file the same for a seed.
        let prepared = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 5, 19).and_then(|d| d.and_hms(8, 0, 0));
        book.set_properties(
            &rust_xlsxwriter::DocProperties::new()
                .set_title("Danh sách đảng viên")
                .set_author(&self.cast.organiser.full_name)
                .set_creation_datetime(&prepared.map_err(fail)?),
        );
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let sheet = book.add_worksheet();
        sheet.set_name("Danh sách").map_err(fail)?;
        for (c, (_, title, _)) in COLUMNS.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *title, &bold).map_err(fail)?;
        }
        for (r, person) in roster.iter().enumerate() {
            for (c, (key, _, _)) in COLUMNS.iter().enumerate() {
                if let Some(value) = person.get(*key).filter(|v| !v.is_empty()) {
                    sheet.write_string(r as u32 + 1, c as u16, value).map_err(fail)?;
                }
            }
        }
        let bytes = book.save_to_buffer().map_err(fail)?;
        self.save("00-danh-sach-dang-vien.xlsx", &bytes)?;
        self.app.import_roster(&self.cast.organiser, bytes).await?;
        self.advance(900);

        let people = self.app.persons(&self.cast.organiser).await?;
        // Members who may stand and are not special cases: some of them are away.
        let ordinary: Vec<usize> = (0..people.len()).filter(|&i| may_stand(&people[i])).collect();
        let away_with_reason = (members as usize / 50).max(1);
        let away_without = (members as usize / 150).max(1);
        let away = sample(&mut self.rng, ordinary.len(), away_with_reason + away_without);
        let mut absent = BTreeSet::new();
        for (k, &o) in away.iter().enumerate() {
            let code = if k < away_with_reason { "with_accepted_reason" } else { "without_reason" };
            self.app.set_absence(&self.cast.organiser, people[ordinary[o]].id, code).await?;
            absent.insert(people[ordinary[o]].id);
            self.advance(30);
        }
        self.wait_until(0, 7, 30)?;
        let sitting = self.app.add_sitting(&self.cast.organiser, "Phiên thứ nhất (sáng 20/05/2025)").await?;
        // The first member on temporary transfer comes; the other, the exempted and the suspended
        // members do not.
        let mut transferred_seen = false;
        for p in &people {
            let stays_away = absent.contains(&p.id)
                || p.suspended
                || p.exempted
                || (p.temporarily_transferred && std::mem::replace(&mut transferred_seen, true));
            if !stays_away {
                self.app.set_check_in(&self.cast.organiser, sitting, p.id, true).await?;
                self.advance(4);
            }
        }
        let report = self
            .app
            .attendance(&self.cast.organiser, Some(sitting))
            .await?
            .report
            .ok_or_else(|| AppError::Conflict("Danh sách không cho số làm căn cứ.".into()))?;
        let people = self.app.persons(&self.cast.organiser).await?;
        Ok((people, report.present, report.base))
    }

    /// The congress's show-of-hands votes at its opening: the presidium, the secretariat and the
    /// counting board (a head, four members and one technical staff), all carried unanimously. The
    /// persons are drawn from the members present with a generator of their own, so that the rest of
    /// the simulation draws as it did before these votes were recorded.
    async fn opening_votes(&mut self, people: &[Person], present: u32) -> Result<(), AppError> {
        let mut rng = SampleRng::new(self.seed ^ 0x6269_6575_5f71_7579);
        let pool: Vec<i64> =
            people.iter().filter(|p| may_stand(p) && p.absence == "none").map(|p| p.id).collect();
        let chosen: Vec<i64> = sample(&mut rng, pool.len(), 10).into_iter().map(|i| pool[i]).collect();
        if chosen.len() < 10 {
            return Err(plan_error("không đủ người để bầu đoàn chủ tịch, đoàn thư ký và ban kiểm phiếu"));
        }
        let form = |subject: &str, head: Option<i64>, members: &[i64], technical: &str| {
            let mut pairs = vec![
                ("subject".to_owned(), subject.to_owned()),
                ("votes_for".to_owned(), present.to_string()),
                ("votes_against".to_owned(), "0".to_owned()),
                ("technical".to_owned(), technical.to_owned()),
            ];
            pairs.extend(head.map(|h| ("head".to_owned(), h.to_string())));
            pairs.extend(members.iter().map(|m| ("member".to_owned(), m.to_string())));
            crate::votes::VoteRequest::from_form(&pairs)
        };
        self.wait_until(0, 7, 45)?;
        for (subject, head, members, technical) in [
            ("presidium", None, &chosen[0..3], ""),
            ("secretariat", None, &chosen[3..5], ""),
            ("counting_board", Some(chosen[5]), &chosen[6..10], "Trần Văn Kỹ"),
        ] {
            self.app.record_vote(&self.cast.organiser, form(subject, head, members, technical)?).await?;
            self.advance(90);
        }
        Ok(())
    }

    /// The personnel plan the convening committee entered before the congress (recorded before the
    /// first election, after the opening votes): the seats of the
    /// committee, the standing committee, the secretary, the deputies and the inspection committee;
    /// structure targets for the committee (women, under 35, first time, one sector) and the
    /// inspection committee (women); and the persons planned for the secretary and the deputies,
    /// drawn from those who may stand. Drawn with a generator of its own, so that the rest of the
    /// simulation draws as it did before the plan was entered; the outcome is left to the ballots,
    /// so the report has departures to show.
    async fn personnel_plan(&mut self, people: &[Person]) -> Result<(), AppError> {
        use crate::plan::{PlanRequest, Target, TargetKind};
        let mut rng = SampleRng::new(self.seed ^ 0x7068_7561_6e67_616e);
        let pool: Vec<&Person> = people.iter().filter(|p| may_stand(p) && p.absence == "none").collect();
        let chosen: Vec<i64> = sample(&mut rng, pool.len(), 3).into_iter().map(|i| pool[i].id).collect();
        let sector = pool.get(below(&mut rng, pool.len())).map(|p| p.unit.clone()).unwrap_or_default();
        if chosen.len() < 3 || sector.trim().is_empty() {
            return Err(plan_error("không đủ người để lập phương án nhân sự"));
        }
        let target = |kind: TargetKind, minimum: u32| Target { kind, sector: None, minimum };
        let mut committee = vec![
            target(TargetKind::Women, 6 + below(&mut rng, 3) as u32),
            target(TargetKind::Under35, 3 + below(&mut rng, 3) as u32),
            target(TargetKind::FirstTime, 4 + below(&mut rng, 3) as u32),
        ];
        committee.push(Target {
            kind: TargetKind::Sector,
            sector: Some(sector.split_whitespace().collect::<Vec<_>>().join(" ")),
            minimum: 2,
        });
        let plans = [
            (Body::Committee, COMMITTEE_SEATS, committee, Vec::new()),
            (Body::StandingCommittee, STANDING_COMMITTEE_SEATS, Vec::new(), Vec::new()),
            (Body::Secretary, 1, Vec::new(), vec![chosen[0]]),
            (Body::DeputySecretary, DEPUTY_SECRETARY_SEATS, Vec::new(), chosen[1..3].to_vec()),
            (
                Body::InspectionCommittee,
                INSPECTION_COMMITTEE_SEATS,
                vec![target(TargetKind::Women, 3)],
                Vec::new(),
            ),
        ];
        for (body, seats, targets, persons) in plans {
            self.app.set_plan(&self.cast.organiser, PlanRequest { body, seats, targets, persons }).await?;
            self.advance(60);
        }
        Ok(())
    }

    /// Those of `people` present at the congress who may stand, in random order, leaving out `taken`.
    fn pick(&mut self, people: &[Person], taken: &BTreeSet<i64>, n: usize) -> Result<Vec<i64>, AppError> {
        let pool: Vec<i64> = people
            .iter()
            .filter(|p| may_stand(p) && p.absence == "none" && !taken.contains(&p.id))
            .map(|p| p.id)
            .collect();
        if pool.len() < n {
            return Err(plan_error("không đủ người để lập danh sách"));
        }
        Ok(sample(&mut self.rng, pool.len(), n).into_iter().map(|i| pool[i]).collect())
    }

    /// `n` of `ids`, in random order.
    fn some_of(&mut self, ids: &[i64], n: usize) -> Result<Vec<i64>, AppError> {
        if ids.len() < n {
            return Err(plan_error("không đủ người để lập danh sách"));
        }
        Ok(sample(&mut self.rng, ids.len(), n).into_iter().map(|i| ids[i]).collect())
    }

    async fn create(
        &self,
        body: Body,
        seats: u32,
        alternates: u32,
        voted_by: Option<u32>,
    ) -> Result<i64, AppError> {
        let form = ElectionForm {
            body: body.code().into(),
            seats: seats.to_string(),
            alternate_seats: if alternates > 0 { alternates.to_string() } else { String::new() },
            seats_for: voted_by.map(|n| n.to_string()).unwrap_or_default(),
            seats_against: voted_by.map(|_| "0".to_owned()).unwrap_or_default(),
            direct: None,
        };
        let id = self.app.create_election(&self.cast.organiser, form).await?;
        self.advance(120);
        Ok(id)
    }

    async fn propose(&self, election: i64, ids: &[i64]) -> Result<(), AppError> {
        for id in ids {
            self.app.add_candidate(&self.cast.organiser, election, *id, Source::Convening).await?;
            self.advance(20);
        }
        Ok(())
    }

    /// The show of hands on the list (nearly all in favour), then the first round, keyed twice.
    async fn approve_and_open(&mut self, election: i64, present: u32) -> Result<i64, AppError> {
        let against = if present > 20 { below(&mut self.rng, 3) as u32 } else { 0 };
        let abstain = if present > 20 { below(&mut self.rng, 3) as u32 } else { 0 };
        let passed = self
            .app
            .approve_list(&self.cast.presidium, election, present - against - abstain, against)
            .await?;
        if !passed {
            return Err(plan_error("danh sách không được thông qua"));
        }
        self.advance(300);
        let round = self.app.open_first_round(&self.cast.presidium, election, 2).await?;
        self.advance(60);
        Ok(round)
    }

    async fn committee(&mut self, people: &[Person], present: u32) -> Result<ElectionRun, AppError> {
        let election = self.create(Body::Committee, COMMITTEE_SEATS, 0, Some(present)).await?;
        // The convening committee proposes 18; one asks to withdraw and the congress agrees; the floor
        // nominates one member who passes the opinion poll, and one member nominates himself and
        // does not pass it. The list: 18 names for 15 seats.
        let proposed = self.pick(people, &BTreeSet::new(), COMMITTEE_SEATS as usize + 3)?;
        self.propose(election, &proposed).await?;
        let taken: BTreeSet<i64> = proposed.iter().copied().collect();
        let floor = self.pick(people, &taken, 2)?;
        let nominee =
            self.app.add_candidate(&self.cast.organiser, election, floor[0], Source::Nomination).await?;
        self.advance(60);
        let self_nominee =
            self.app.add_candidate(&self.cast.organiser, election, floor[1], Source::SelfNomination).await?;
        self.advance(60);
        let detail = self.app.election(&self.cast.organiser, election).await?;
        let asks = proposed[below(&mut self.rng, proposed.len())];
        let leaving = detail
            .candidates
            .iter()
            .find(|c| c.source == Source::Convening && c.person_id == asks)
            .map(|c| c.id)
            .ok_or_else(|| plan_error("không tìm thấy người xin rút"))?;
        self.app.request_withdrawal(&self.cast.organiser, election, leaving).await?;
        self.advance(120);
        self.app.decide_withdrawal(&self.cast.presidium, election, leaving, true).await?;
        self.advance(120);
        let gate = present * 3 / 10;
        let agree = gate + 1 + below(&mut self.rng, (present - gate) as usize / 2) as u32;
        let disagree = present / 10 + below(&mut self.rng, (gate - present / 10) as usize) as u32;
        self.app
            .record_poll(
                &self.cast.presidium,
                election,
                present,
                vec![(nominee, agree), (self_nominee, disagree)],
            )
            .await?;
        self.advance(600);
        let round = self.approve_and_open(election, present).await?;
        self.run_election(election, round, Scenario::TieAtCutOff).await
    }

    async fn delegates(
        &mut self,
        people: &[Person],
        committee: &[i64],
        present: u32,
    ) -> Result<ElectionRun, AppError> {
        let (seats, alternates) = DELEGATE_SEATS;
        // The number is allocated by the superior committee: the congress does not vote it.
        let election = self.create(Body::Delegates, seats, alternates, None).await?;
        let mut list = self.some_of(committee, 4)?;
        let taken: BTreeSet<i64> = committee.iter().copied().collect();
        list.extend(self.pick(people, &taken, (seats + alternates) as usize + 2 - list.len())?);
        self.propose(election, &list).await?;
        let round = self.approve_and_open(election, present).await?;
        // Nine pass: eight delegates and one alternate; the last alternate seat goes to a round of its own.
        self.run_election(election, round, Scenario::Clear { winners: seats as usize + 1 }).await
    }

    async fn standing_committee(&mut self, committee: &[i64], present: u32) -> Result<ElectionRun, AppError> {
        let election =
            self.create(Body::StandingCommittee, STANDING_COMMITTEE_SEATS, 0, Some(present)).await?;
        let list = self.some_of(committee, STANDING_COMMITTEE_SEATS as usize + 1)?;
        self.propose(election, &list).await?;
        let round = self.approve_and_open(election, present).await?;
        self.run_election(election, round, Scenario::Clear { winners: STANDING_COMMITTEE_SEATS as usize })
            .await
    }

    /// The secretary elected directly by the congress: the convening committee proposes one member
    /// of the new committee; the new committee's introduction poll (all its members present)
    /// introduces another, who passes the poll's gate; the congress elects one of the two on its
    /// own base.
    async fn direct_secretary(&mut self, committee: &[i64], present: u32) -> Result<ElectionRun, AppError> {
        let form = ElectionForm {
            body: Body::Secretary.code().into(),
            seats: "1".into(),
            alternate_seats: String::new(),
            seats_for: present.to_string(),
            seats_against: "0".into(),
            direct: Some("1".into()),
        };
        let election = self.app.create_election(&self.cast.organiser, form).await?;
        self.advance(120);
        let pair = self.some_of(committee, 2)?;
        self.propose(election, &pair[..1]).await?;
        let introduced =
            self.app.add_candidate(&self.cast.organiser, election, pair[1], Source::Nomination).await?;
        self.advance(60);
        let members = u32::try_from(committee.len()).map_err(|_| plan_error("ban chấp hành quá lớn"))?;
        let gate = members * 3 / 10;
        let agree = gate + 1 + below(&mut self.rng, (members - gate) as usize / 2) as u32;
        self.app.record_poll(&self.cast.presidium, election, members, vec![(introduced, agree)]).await?;
        self.advance(600);
        let round = self.approve_and_open(election, present).await?;
        self.run_election(election, round, Scenario::Clear { winners: 1 }).await
    }

    async fn secretary(&mut self, standing: &[i64], present: u32) -> Result<ElectionRun, AppError> {
        let election = self.create(Body::Secretary, 1, 0, Some(present)).await?;
        let list = self.some_of(standing, 1)?;
        self.propose(election, &list).await?;
        let round = self.approve_and_open(election, present).await?;
        self.run_election(election, round, Scenario::Approve).await
    }

    async fn deputy_secretaries(&mut self, standing: &[i64], present: u32) -> Result<ElectionRun, AppError> {
        let election = self.create(Body::DeputySecretary, DEPUTY_SECRETARY_SEATS, 0, Some(present)).await?;
        let list = self.some_of(standing, DEPUTY_SECRETARY_SEATS as usize)?;
        self.propose(election, &list).await?;
        let round = self.approve_and_open(election, present).await?;
        self.run_election(election, round, Scenario::Approve).await
    }

    async fn inspection_committee(
        &mut self,
        people: &[Person],
        committee: &[i64],
        standing: &[i64],
        present: u32,
    ) -> Result<ElectionRun, AppError> {
        let election =
            self.create(Body::InspectionCommittee, INSPECTION_COMMITTEE_SEATS, 0, Some(present)).await?;
        // Two members of the committee outside the standing committee, and four other members.
        let outside_standing: Vec<i64> =
            committee.iter().copied().filter(|p| !standing.contains(p)).collect();
        let mut list = self.some_of(&outside_standing, 2)?;
        let taken: BTreeSet<i64> = committee.iter().copied().collect();
        list.extend(self.pick(people, &taken, INSPECTION_COMMITTEE_SEATS as usize + 1 - list.len())?);
        self.propose(election, &list).await?;
        let round = self.approve_and_open(election, present).await?;
        // Only four pass: the presidium calls a further round for the fifth seat.
        self.run_election(
            election,
            round,
            Scenario::Clear { winners: INSPECTION_COMMITTEE_SEATS as usize - 1 },
        )
        .await
    }

    /// The committee's plenum elects the inspection committee's chair from among its members.
    async fn inspection_chair(&mut self, inspection: &[i64], present: u32) -> Result<ElectionRun, AppError> {
        let election = self.create(Body::InspectionChair, 1, 0, Some(present)).await?;
        let list = self.some_of(inspection, 1)?;
        self.propose(election, &list).await?;
        let round = self.approve_and_open(election, present).await?;
        self.run_election(election, round, Scenario::Approve).await
    }

    async fn inspection_deputy_chair(&mut self, inspection: &[i64]) -> Result<ElectionRun, AppError> {
        let present = inspection.len() as u32;
        let election = self.create(Body::InspectionDeputyChair, 1, 0, Some(present)).await?;
        let list = self.some_of(inspection, 1)?;
        self.propose(election, &list).await?;
        let round = self.approve_and_open(election, present).await?;
        self.run_election(election, round, Scenario::Approve).await
    }

    /// Counts the first round and every round the presidium's decisions call for, publishes each, and
    /// writes the documents of the election.
    async fn run_election(
        &mut self,
        election: i64,
        first: i64,
        scenario: Scenario,
    ) -> Result<ElectionRun, AppError> {
        let number = self.next_file_number;
        self.next_file_number += 1;
        let mut rounds = Vec::new();
        let mut round_id = first;
        let mut scenario = scenario;
        let (mut title, mut body) = (String::new(), Body::Committee);
        let mut decided = false;
        for _ in 0..MAX_ROUNDS {
            let (mut run, round) = self.count_round(number, round_id, scenario).await?;
            title.clone_from(&round.election_title);
            body = round.body;
            let record = round.record.as_ref().ok_or_else(|| plan_error("lần bầu chưa có kết quả"))?;
            let decision = match record.next_step {
                NextStep::Complete => None,
                NextStep::TieBreak => Some(NextDecision::TieBreak),
                NextStep::FurtherRound | NextStep::AlternateRound => {
                    let view = self.app.round(&self.cast.presidium, round_id).await?;
                    let person_ids = view.not_elected.iter().map(|(id, _)| *id).collect();
                    Some(if record.next_step == NextStep::FurtherRound {
                        NextDecision::FurtherRound { seats: record.seats_unfilled, person_ids }
                    } else {
                        NextDecision::AlternateRound { seats: record.alternate_seats_unfilled, person_ids }
                    })
                }
            };
            let Some(decision) = decision else {
                rounds.push(run);
                decided = true;
                break;
            };
            self.advance(300);
            run.decision = Some(format!("đoàn chủ tịch quyết định {}", decision.label()));
            // A tie-break round is won by the most votes; any other round needs the majority.
            let majority = decision != NextDecision::TieBreak;
            let next = self.app.decide_next(&self.cast.presidium, round_id, decision).await?;
            rounds.push(run);
            let Some(next) = next else {
                decided = true;
                break;
            };
            self.advance(300);
            round_id = next;
            scenario = Scenario::OneWinner { majority };
        }
        if !decided {
            return Err(plan_error("cuộc bầu chưa có kết quả sau nhiều lần bầu"));
        }
        let elected: Vec<String> = rounds.iter().flat_map(|r| r.elected.iter().cloned()).collect();
        let alternates: Vec<String> = rounds.iter().flat_map(|r| r.alternates.iter().cloned()).collect();
        let stem = format!("{number:02}-{}", slug(messages::body(body)));
        for format in ["pdf", "xlsx"] {
            let d = self.app.elected_list(&self.cast.head, election, format).await?;
            self.save(&format!("{stem}-danh-sach-trung-cu.{format}"), &d.bytes)?;
        }
        Ok(ElectionRun { election_id: election, title, rounds, elected, alternates })
    }

    /// One round from the printed ballots to the published result and its documents.
    async fn count_round(
        &mut self,
        number: usize,
        round_id: i64,
        scenario: Scenario,
    ) -> Result<(RoundRun, Round), AppError> {
        let round = self.app.round(&self.cast.head, round_id).await?.round;
        let stem = format!("{number:02}-{}-lan-{}", slug(messages::body(round.body)), round.number);
        let issued = u64::from(round.assembly.present);
        // In the first round of the congress one voter keeps the ballot.
        let collected = if self.first_count { issued - 1 } else { issued };

        // The organiser prints as many ballots as there are voters.
        let paper = if round.candidates.len() > 8 { crate::docs::Paper::A4 } else { crate::docs::Paper::A5 };
        let ballots = self.app.ballots_pdf(&self.cast.organiser, round_id, paper, issued as u32).await?;
        self.save(&format!("{stem}-phieu-bau.pdf"), &ballots.bytes)?;
        // The vote.
        self.advance(if issued > 30 { 1_800 } else { 600 });
        let papers = self.papers(&round, scenario, collected)?;
        self.app.set_issued(&self.cast.head, round_id, issued as u32, Some(collected as u32)).await?;
        self.advance(120);

        let stacks = papers.len().div_ceil(STACK_PAPERS);
        let mut differences = 0;
        let mut start = 0;
        for s in 0..stacks {
            let size = (papers.len() - start) / (stacks - s);
            let stack = &papers[start..start + size];
            start += size;
            differences += self.count_stack(round_id, s, stack).await?;
        }
        self.first_count = false;

        self.app.close_round(&self.cast.head, round_id).await?;
        self.advance(180);
        self.app.publish(&self.cast.presidium, round_id).await?;
        self.advance(60);
        let round = self.app.round(&self.cast.head, round_id).await?.round;
        for format in ["pdf", "docx", "xlsx"] {
            let d = self.app.minutes(&self.cast.head, round_id, format).await?;
            let what = if format == "xlsx" { "ket-qua" } else { "bien-ban-kiem-phieu" };
            self.save(&format!("{stem}-{what}.{format}"), &d.bytes)?;
        }
        let journal = self.app.journal_pdf(&self.cast.head, round_id).await?;
        self.save(&format!("{stem}-nhat-ky-nhap-phieu.pdf"), &journal.bytes)?;

        let record = round.record.as_ref().ok_or_else(|| plan_error("lần bầu chưa có kết quả"))?;
        let names = |lines: Vec<&crate::record::RecordLine>| lines.iter().map(|l| l.name.clone()).collect();
        let run = RoundRun {
            round_id,
            title: round.title(),
            purpose: round.purpose,
            issued: record.issued,
            collected: record.collected,
            valid: record.valid,
            invalid: record.invalid,
            stacks,
            differences,
            elected: names(record.winners(false)),
            elected_ids: record.winners(false).iter().map(|l| l.person_id).collect(),
            alternates: names(record.winners(true)),
            tied: record.lines.iter().filter(|l| l.tied).map(|l| l.name.clone()).collect(),
            next_step: record.next_step,
            decision: None,
        };
        Ok((run, round))
    }

    /// Hands one stack to two operators, keys it twice (with the stack's slips) and has the board
    /// settle every difference against the paper. Returns the number of differences.
    async fn count_stack(
        &mut self,
        round_id: i64,
        index: usize,
        papers: &[String],
    ) -> Result<usize, AppError> {
        const PAIRS: [(usize, usize); 6] = [(0, 1), (2, 3), (1, 2), (3, 0), (0, 2), (1, 3)];
        let (a, b) = PAIRS[index % PAIRS.len()];
        let operators = [self.cast.operators[a].clone(), self.cast.operators[b].clone()];
        let request = StackRequest {
            name: format!("Chồng {}", index + 1),
            papers: papers.len() as u32,
            operators: operators.iter().map(|o| o.user_id).collect(),
            key: format!("mo-phong-{round_id}-chong-{}", index + 1),
            board_consent: false,
        };
        let stack_id = self.app.create_stack(&self.cast.head, round_id, request).await?;
        self.advance(60);
        let view = self.app.round(&self.cast.head, round_id).await?;
        let mut entries: Vec<(i64, i64, i64)> = view
            .stacks
            .iter()
            .find(|s| s.id == stack_id)
            .ok_or_else(|| plan_error("không thấy chồng phiếu vừa giao"))?
            .entries
            .iter()
            .map(|e| (e.slot, e.id, e.operator_id))
            .collect();
        entries.sort_unstable();
        // Each entry's operator, by the account the board assigned to it.
        let keyers = entries
            .iter()
            .map(|(_, _, id)| operators.iter().find(|o| o.user_id == *id).cloned())
            .collect::<Option<Vec<Actor>>>()
            .ok_or_else(|| plan_error("lượt nhập giao cho người khác"))?;
        let list = view.round.candidates.len();

        let slips = self.slips(index, papers.len());
        let mut sent = [0usize; 2];
        for (i, code) in papers.iter().enumerate() {
            for (k, (_, entry, _)) in entries.iter().enumerate() {
                let operator = &keyers[k];
                let mut key = || {
                    sent[k] += 1;
                    format!("mo-phong-{round_id}-{stack_id}-{k}-{}", sent[k])
                };
                if slips.skip == Some(k) && i + 1 == papers.len() {
                    continue;
                }
                let reading = match slips.misread {
                    Some((who, when)) if who == k && when == i => misread(&mut self.rng, code, list)?,
                    _ => code.clone(),
                };
                if slips.undo.is_some_and(|(who, when)| who == k && when == i) {
                    let wrong = misread(&mut self.rng, code, list)?;
                    self.app.submit_ballot(operator, *entry, wrong, key()).await?;
                    self.advance(2);
                    self.app.undo_last_ballot(operator, *entry).await?;
                    self.advance(2);
                }
                self.app.submit_ballot(operator, *entry, reading, key()).await?;
            }
            self.advance(3);
        }
        let mut status = StackStatus::Entering;
        for (k, (_, entry, _)) in entries.iter().enumerate() {
            status = self.app.finish_entry(&keyers[k], *entry).await?;
            self.advance(10);
        }
        let mut settled = 0;
        if status == StackStatus::Mismatch {
            let view = self.app.round(&self.cast.head, round_id).await?;
            let stack = view
                .stacks
                .iter()
                .find(|s| s.id == stack_id)
                .ok_or_else(|| plan_error("không thấy chồng phiếu"))?;
            for d in stack.differences.iter().filter(|d| d.resolved.is_none()) {
                // The board takes the paper out of the stack and reads it.
                let paper = usize::try_from(d.seq - 1).ok().and_then(|i| papers.get(i)).cloned();
                self.advance(60);
                status = self.app.resolve(&self.cast.head, stack_id, d.seq, paper).await?;
                settled += 1;
            }
        }
        if status != StackStatus::Accepted {
            return Err(plan_error("chồng phiếu chưa được đối chiếu xong"));
        }
        Ok(settled)
    }

    /// The slips of a stack: in the first round counted, a misread, a take-back and a missed paper;
    /// later, now and then.
    fn slips(&mut self, index: usize, papers: usize) -> Slips {
        let mut slips = Slips::default();
        let rng = &mut self.rng;
        if self.first_count {
            match index {
                0 => {
                    slips.misread = Some((1, below(rng, papers)));
                    slips.undo = Some((0, below(rng, papers)));
                }
                1 => slips.skip = Some(0),
                _ => {}
            }
            return slips;
        }
        match below(rng, 100) {
            0..20 => slips.misread = Some((below(rng, 2), below(rng, papers))),
            20..30 => slips.skip = Some(below(rng, 2)),
            _ => {}
        }
        if below(rng, 100) < 15 {
            slips.undo = Some((below(rng, 2), below(rng, papers)));
        }
        slips
    }

    /// The papers of a round as the board will read them (canonical codes), in the order they come
    /// out of the box: `collected` papers, most valid, a few invalid, the votes following `scenario`.
    fn papers(&mut self, round: &Round, scenario: Scenario, collected: u64) -> Result<Vec<String>, AppError> {
        let rng = &mut self.rng;
        let list = round.candidates.len();
        let seats = round.seats as usize;
        let invalid = if collected >= 100 {
            3 + below(rng, 3) as u64
        } else if collected >= 12 {
            below(rng, 2) as u64
        } else {
            0
        };
        let valid = collected - invalid;
        let mut codes: Vec<String> = match round.layout {
            Layout::Strike => {
                let min = list - seats;
                let votes = strike_votes(rng, scenario, list, seats, valid, round.threshold)?;
                strike_ballots(rng, &votes, valid, min, list - 1)?
                    .into_iter()
                    .map(|struck| Ballot::strike(struck).to_code())
                    .collect()
            }
            Layout::AgreeDisagree => {
                if scenario != Scenario::Approve {
                    return Err(plan_error("danh sách không có số dư chỉ dùng để tán thành"));
                }
                let lo = round.threshold.max(valid * 3 / 4);
                if lo > valid {
                    return Err(plan_error("không đủ phiếu hợp lệ"));
                }
                let votes: Vec<u64> = (0..list).map(|_| lo + rng.below(valid - lo + 1)).collect();
                mark_ballots(rng, &votes, valid).into_iter().map(|m| Ballot::marks(m).to_code()).collect()
            }
        };
        for kind in 0..invalid as usize {
            codes.push(invalid_paper(rng, round.layout, list, seats, kind));
        }
        shuffle(rng, &mut codes);
        Ok(codes)
    }
}

/// Whether a person of the roster may stand and vote: official, and none of the special cases.
fn may_stand(p: &Person) -> bool {
    p.party_status == "official" && !p.suspended && !p.exempted && !p.temporarily_transferred && !p.prosecuted
}

/// The person ids of the elected (officials) of an election, in the order of the rounds.
fn official_members(run: &ElectionRun) -> Vec<i64> {
    run.rounds.iter().flat_map(|r| r.elected_ids.iter().copied()).collect()
}

/// Target votes per name (in ballot order) of a strike-list round of `valid` valid ballots, each
/// keeping at most `seats` names, with `threshold` the majority of the base.
fn strike_votes(
    rng: &mut SampleRng,
    scenario: Scenario,
    list: usize,
    seats: usize,
    valid: u64,
    threshold: u64,
) -> Result<Vec<u64>, AppError> {
    // Votes by rank (most first), and the ranks whose votes may go down without changing the outcome.
    let (by_rank, adjustable): (Vec<u64>, Vec<usize>) = match scenario {
        Scenario::TieAtCutOff => {
            if list < seats + 1 || seats == 0 || threshold + 2 > valid {
                return Err(plan_error("không thể tạo bằng phiếu"));
            }
            let tie = threshold + (valid - threshold) * (15 + rng.below(20)) / 100;
            let mut v: Vec<u64> = (0..seats - 1).map(|_| tie + 1 + rng.below(valid - tie)).collect();
            v.sort_unstable_by_key(|&x| Reverse(x));
            v.extend([tie, tie]);
            let losers = list - seats - 1;
            v.extend((0..losers).map(|_| tie / 2 + rng.below((tie - tie / 2).max(1))));
            (v, (seats + 1..list).collect())
        }
        Scenario::Clear { winners } => {
            if winners > list || threshold > valid || ((valid - threshold + 1) as usize) < winners {
                return Err(plan_error("không đủ phiếu hợp lệ cho số người trúng cử"));
            }
            let range = (valid - threshold + 1) as usize;
            let mut v: Vec<u64> =
                sample(rng, range, winners).into_iter().map(|o| threshold + o as u64).collect();
            v.sort_unstable_by_key(|&x| Reverse(x));
            v.extend((winners..list).map(|_| threshold / 3 + rng.below((threshold - threshold / 3).max(1))));
            (v, (winners..list).collect())
        }
        Scenario::OneWinner { majority } => {
            if seats != 1 || list < 2 {
                return Err(plan_error("lần bầu tiếp dành cho một chỗ"));
            }
            let lo = if majority { threshold.max(valid / 2 + 1) } else { valid / 2 + 1 };
            if lo > valid {
                return Err(plan_error("không đủ phiếu hợp lệ"));
            }
            let winner = lo + rng.below((valid - lo) / 3 + 1);
            let mut v = vec![winner];
            let mut rest = valid - winner;
            for k in 1..list {
                let share = if k + 1 == list { rest } else { rng.below(rest + 1) };
                rest -= share;
                v.push(share);
            }
            (v, Vec::new())
        }
        Scenario::Approve => return Err(plan_error("danh sách có số dư không dùng để tán thành")),
    };
    // Each valid ballot strikes at least `list − seats` names: lower the adjustable votes until the
    // ballots strike that many, with some striking more.
    let mut by_rank = by_rank;
    let min = (list - seats) as u64;
    let max = (list - 1) as u64;
    let strikes = |v: &[u64]| v.iter().map(|&x| valid - x).sum::<u64>();
    let wanted = (min * valid + valid / 8).min(max * valid);
    while strikes(&by_rank) < wanted {
        let open: Vec<usize> = adjustable.iter().copied().filter(|&r| by_rank[r] > 0).collect();
        if open.is_empty() {
            return Err(plan_error("phiếu không gạch đủ tên"));
        }
        by_rank[open[below(rng, open.len())]] -= 1;
    }
    if strikes(&by_rank) > max * valid {
        return Err(plan_error("phiếu gạch quá nhiều tên"));
    }
    // Ranks to places on the ballot.
    let places = sample(rng, list, list);
    let mut votes = vec![0; list];
    for (rank, place) in places.into_iter().enumerate() {
        votes[place] = by_rank[rank];
    }
    Ok(votes)
}

/// `valid` strike-list ballots in which name `i` is kept on exactly `votes[i]` ballots and each ballot
/// strikes between `min` and `max` names: the struck positions (1-based) of each ballot.
fn strike_ballots(
    rng: &mut SampleRng,
    votes: &[u64],
    valid: u64,
    min: usize,
    max: usize,
) -> Result<Vec<Vec<u32>>, AppError> {
    let (list, n) = (votes.len(), valid as usize);
    if votes.iter().any(|&v| v > valid) {
        return Err(plan_error("số phiếu của một người vượt số phiếu hợp lệ"));
    }
    let mut need: Vec<usize> = votes.iter().map(|&v| (valid - v) as usize).collect();
    let total: usize = need.iter().sum();
    if total < min * n || total > max * n {
        return Err(plan_error("số tên bị gạch không khớp"));
    }
    let mut rows = vec![min; n];
    let mut extra = total - min * n;
    while extra > 0 {
        let b = below(rng, n);
        if rows[b] < max {
            rows[b] += 1;
            extra -= 1;
        }
    }
    // Ryser's construction: each ballot, longest first, strikes the names still most to be struck.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&b| Reverse(rows[b]));
    let mut struck = vec![vec![false; list]; n];
    for b in order {
        let jitter: Vec<u64> = (0..list).map(|_| rng.next_u64()).collect();
        let mut names: Vec<usize> = (0..list).collect();
        names.sort_by_key(|&i| (Reverse(need[i]), jitter[i]));
        for &i in names.iter().take(rows[b]) {
            if need[i] == 0 {
                return Err(plan_error("không xếp được các tên bị gạch"));
            }
            need[i] -= 1;
            struck[b][i] = true;
        }
    }
    // Swaps that keep every ballot's and every name's count spread the strikes at random.
    for _ in 0..20 * n * list {
        let (b1, b2, i, j) = (below(rng, n), below(rng, n), below(rng, list), below(rng, list));
        if struck[b1][i] && !struck[b1][j] && !struck[b2][i] && struck[b2][j] {
            struck[b1][i] = false;
            struck[b1][j] = true;
            struck[b2][i] = true;
            struck[b2][j] = false;
        }
    }
    Ok(struck
        .into_iter()
        .map(|row| row.iter().enumerate().filter(|(_, s)| **s).map(|(i, _)| i as u32 + 1).collect())
        .collect())
}

/// `valid` agree/disagree ballots on which name `i` has "agree" on exactly `votes[i]`; now and then
/// a voter leaves a "disagree" row blank, which gives no vote and keeps the ballot valid.
fn mark_ballots(rng: &mut SampleRng, votes: &[u64], valid: u64) -> Vec<Vec<Mark>> {
    let (list, n) = (votes.len(), valid as usize);
    let mut marks = vec![vec![Mark::Disagree; list]; n];
    for (i, &agree) in votes.iter().enumerate() {
        for b in sample(rng, n, agree as usize) {
            marks[b][i] = Mark::Agree;
        }
    }
    if list > 1 {
        for row in &mut marks {
            if below(rng, 25) == 0
                && let Some(j) = row.iter().position(|m| *m == Mark::Disagree)
            {
                // Another row still carries a clear mark: the ballot stays valid.
                row[j] = Mark::None;
            }
        }
    }
    marks
}

/// An invalid paper of the kind `kind` (taken in turn): left untouched or short of strikes (more
/// names kept than seats), every name struck, signed, a name written in; on an agree/disagree list,
/// both boxes everywhere, signed, blank, a name written in.
fn invalid_paper(rng: &mut SampleRng, layout: Layout, list: usize, seats: usize, kind: usize) -> String {
    let some_marks = |rng: &mut SampleRng| -> Vec<Mark> {
        (0..list).map(|_| if below(rng, 2) == 0 { Mark::Agree } else { Mark::Disagree }).collect()
    };
    let strike_enough =
        |rng: &mut SampleRng| sample(rng, list, list - seats).into_iter().map(|i| i as u32 + 1).collect();
    let (content, flags) = match (layout, kind % 5) {
        (Layout::Strike, 0) => (BallotContent::Strike(Vec::new()), BallotFlags::default()),
        (Layout::Strike, 1) => (BallotContent::Strike((1..=list as u32).collect()), BallotFlags::default()),
        (Layout::Strike, 2) => {
            (BallotContent::Strike(strike_enough(rng)), BallotFlags { signed: true, ..Default::default() })
        }
        (Layout::Strike, 3) => {
            let short = (list - seats).saturating_sub(1);
            let struck = sample(rng, list, short).into_iter().map(|i| i as u32 + 1).collect();
            (BallotContent::Strike(struck), BallotFlags::default())
        }
        (Layout::Strike, _) => {
            (BallotContent::Strike(strike_enough(rng)), BallotFlags { write_in: true, ..Default::default() })
        }
        (Layout::AgreeDisagree, 0) => {
            (BallotContent::AgreeDisagree(vec![Mark::Both; list]), BallotFlags::default())
        }
        (Layout::AgreeDisagree, 1) => (
            BallotContent::AgreeDisagree(some_marks(rng)),
            BallotFlags { signed: true, ..Default::default() },
        ),
        (Layout::AgreeDisagree, 2) => {
            (BallotContent::AgreeDisagree(vec![Mark::None; list]), BallotFlags::default())
        }
        (Layout::AgreeDisagree, _) => (
            BallotContent::AgreeDisagree(some_marks(rng)),
            BallotFlags { write_in: true, ..Default::default() },
        ),
    };
    Ballot { content, flags }.to_code()
}

/// What an operator keys by mistake for the paper `code`: the name beside a struck one (or a name
/// struck where none is), or the other box of one row.
fn misread(rng: &mut SampleRng, code: &str, list: usize) -> Result<String, AppError> {
    let mut ballot = Ballot::from_code(code).map_err(|e| AppError::Conflict(e.0))?;
    match &mut ballot.content {
        BallotContent::Strike(struck) if struck.is_empty() => struck.push(1 + below(rng, list) as u32),
        BallotContent::Strike(struck) => {
            let k = below(rng, struck.len());
            let p = struck[k];
            let free = |q: u32| q >= 1 && q as usize <= list && !struck.contains(&q);
            let beside = [p + 1, p.saturating_sub(1)].into_iter().find(|&q| free(q));
            let any = (1..=list as u32).find(|&q| free(q));
            match beside.or(any) {
                Some(q) => struck[k] = q,
                None => {
                    struck.remove(k);
                }
            }
        }
        BallotContent::AgreeDisagree(marks) => {
            let k = below(rng, marks.len());
            marks[k] = if marks[k] == Mark::Agree { Mark::Disagree } else { Mark::Agree };
        }
    }
    Ok(ballot.to_code())
}

#[cfg(test)]
mod tests {
    use super::*;
    use baucu_rules::ballot::{BallotSpec, Validity};
    use baucu_rules::outcome::{RoundResult, decide};
    use baucu_rules::{Base, Election, PersonName, Tally};

    fn election(body: Body, purpose: Purpose, seats: u32, alternates: u32, list: usize) -> Election {
        let names = (0..list).map(|i| PersonName::parse(&format!("Người Thứ {i}")).expect("name")).collect();
        Election::new(body, purpose, seats, alternates, names).expect("election")
    }

    /// The engine's result of the strike-list papers the plan makes for `scenario`.
    fn count(e: &Election, scenario: Scenario, base: u32, valid: u64, seed: u64) -> RoundResult {
        let mut rng = SampleRng::new(seed);
        let base = Base::new(base).expect("base");
        let (list, seats) = (e.candidates().len(), e.seats() as usize);
        let votes = strike_votes(&mut rng, scenario, list, seats, valid, base.threshold()).expect("plan");
        let ballots = strike_ballots(&mut rng, &votes, valid, list - seats, list - 1).expect("ballots");
        let spec = BallotSpec { layout: Layout::Strike, seats: e.seats(), list };
        let mut tally = Tally::new(e);
        for struck in ballots {
            let ballot = Ballot::strike(struck);
            assert_eq!(ballot.read(spec), Ok(Validity::Valid), "every planned ballot is valid");
            tally.add(&ballot, 1).expect("tally");
        }
        for (i, v) in votes.iter().enumerate() {
            assert_eq!(tally.all_votes()[i], *v, "name {i} gets its planned votes");
        }
        decide(e, base, valid, &tally).expect("decide")
    }

    #[test]
    fn the_committee_plan_ties_two_names_at_the_cut_off_for_every_seed() {
        let e = election(Body::Committee, Purpose::Regular, 15, 0, 18);
        for seed in 1..40 {
            let r = count(&e, Scenario::TieAtCutOff, 134, 128, seed);
            let tie = r.tie.clone().expect("a tie");
            assert_eq!((r.elected.len(), tie.seats, tie.candidates.len()), (14, 1, 2), "seed {seed}");
            assert_eq!(r.next_step, NextStep::TieBreak);
        }
    }

    #[test]
    fn the_other_plans_give_the_outcome_they_promise() {
        let delegates = election(Body::Delegates, Purpose::Regular, 8, 2, 12);
        let inspection = election(Body::InspectionCommittee, Purpose::Regular, 5, 0, 6);
        let tie_break = election(Body::Committee, Purpose::TieBreak, 1, 0, 2);
        let alternates = election(Body::Delegates, Purpose::Alternates, 1, 0, 3);
        for seed in 1..40 {
            let r = count(&delegates, Scenario::Clear { winners: 9 }, 134, 130, seed);
            assert_eq!((r.elected.len(), r.alternates.len(), r.next_step), (8, 1, NextStep::AlternateRound));
            let r = count(&inspection, Scenario::Clear { winners: 4 }, 15, 14, seed);
            assert_eq!((r.elected.len(), r.next_step), (4, NextStep::FurtherRound));
            let r = count(&tie_break, Scenario::OneWinner { majority: false }, 134, 131, seed);
            assert_eq!((r.elected.len(), r.next_step), (1, NextStep::Complete));
            let r = count(&alternates, Scenario::OneWinner { majority: true }, 134, 129, seed);
            assert_eq!((r.alternates.len(), r.next_step), (1, NextStep::Complete));
        }
    }

    #[test]
    fn a_misread_differs_from_the_paper_and_stays_on_the_ballot() {
        let mut rng = SampleRng::new(5);
        for code in ["x:", "x:1,2,3", "x:1,2,3,4,5,6", "x:6", "m:a", "m:ad", "m:bn"] {
            for _ in 0..20 {
                let wrong = misread(&mut rng, code, 6).expect("misread");
                assert_ne!(wrong, code);
                let ballot = Ballot::from_code(&wrong).expect("a code");
                if let BallotContent::Strike(struck) = &ballot.content {
                    assert!(struck.iter().all(|p| (1..=6).contains(p)), "{wrong}");
                }
            }
        }
    }

    #[test]
    fn invalid_papers_are_invalid() {
        let mut rng = SampleRng::new(9);
        let strike = BallotSpec { layout: Layout::Strike, seats: 15, list: 18 };
        let agree = BallotSpec { layout: Layout::AgreeDisagree, seats: 2, list: 2 };
        for kind in 0..10 {
            for (spec, layout) in [(strike, Layout::Strike), (agree, Layout::AgreeDisagree)] {
                let code = invalid_paper(&mut rng, layout, spec.list, spec.seats as usize, kind);
                let read = Ballot::from_code(&code).expect("code").read(spec).expect("well formed");
                assert!(matches!(read, Validity::Invalid(_)), "{code} is invalid");
            }
        }
    }

    #[test]
    fn file_names_are_vietnamese_without_diacritics() {
        assert_eq!(slug(messages::body(Body::Delegates)), "dai-bieu-du-dai-hoi-cap-tren");
        assert_eq!(slug("Bầu ủy ban kiểm tra (lần 2)"), "bau-uy-ban-kiem-tra-lan-2");
    }
}
