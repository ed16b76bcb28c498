//! The demo congress of `baucu serve --demo`: a commune party congress of all members with about 150
//! members, attendance taken, and the committee election defined with its list approved. It is built
//! through the same actions as a user's, so the audit log records it like any other work. Names and
//! attributes come from a fixed seed: every demo is the same.

use crate::congress::CongressForm;
use crate::elections::{ElectionForm, Source};
use crate::roster::PersonFields;
use crate::{Actor, App, AppError, Role};
use baucu_rules::sample::SampleRng;

const FAMILY: [&str; 14] =
    ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh"];
const MIDDLE_MALE: [&str; 6] = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công"];
const MIDDLE_FEMALE: [&str; 5] = ["Thị", "Thu", "Ngọc", "Thanh", "Kim"];
const GIVEN_MALE: [&str; 16] = [
    "An", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quân", "Sơn",
    "Thắng", "Tuấn", "Việt",
];
const GIVEN_FEMALE: [&str; 14] = [
    "Anh", "Ánh", "Dung", "Giang", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Oanh", "Thảo", "Yến",
];
const UNITS: [&str; 6] = [
    "Chi bộ Thôn Đông",
    "Chi bộ Thôn Tây",
    "Chi bộ Thôn Nam",
    "Chi bộ Thôn Bắc",
    "Chi bộ Trường học",
    "Chi bộ Trạm y tế",
];
const EDUCATION: [&str; 4] = ["Trung học phổ thông", "Trung cấp", "Cao đẳng", "Đại học"];
const THEORY: [&str; 4] = ["Sơ cấp", "Trung cấp", "Cao cấp", ""];
const HOMETOWNS: [&str; 6] = [
    "Xã Thượng Kiệm, tỉnh Ninh Bình",
    "Xã Kim Sơn, tỉnh Ninh Bình",
    "Xã Yên Mô, tỉnh Ninh Bình",
    "Phường Hoa Lư, tỉnh Ninh Bình",
    "Xã Nghĩa Hưng, tỉnh Ninh Bình",
    "Xã Hải Hậu, tỉnh Ninh Bình",
];
const POSITIONS: [&str; 10] = [
    "Bí thư chi bộ thôn",
    "Trưởng thôn",
    "Chủ tịch Hội Nông dân xã",
    "Chủ tịch Hội Liên hiệp Phụ nữ xã",
    "Công chức Văn phòng – Thống kê",
    "Giáo viên Trường Trung học cơ sở",
    "Trưởng Trạm Y tế xã",
    "Phó Chủ tịch Ủy ban nhân dân xã",
    "Cựu chiến binh",
    "Hưu trí",
];

pub const DEMO_MEMBERS: usize = 150;
pub const DEMO_COMMITTEE_SEATS: u32 = 13;
const DEMO_SEED: u64 = 20_250_520;

/// The password of every demo account (`serve --demo`, `simulate`): for trying the node out only.
pub const DEMO_PASSWORD: &str = "demo-baucu";

/// The demo accounts (`serve --demo` creates them on a fresh data directory; `simulate` too): user
/// name, full name (as the minutes print it; the role is shown beside it), role.
pub const DEMO_ACCOUNTS: [(&str, &str, Role); 7] = [
    ("bantochuc", "Nguyễn Thị Thu", Role::Organiser),
    ("doanchutich", "Trần Văn Hùng", Role::Presidium),
    ("kiemphieu", "Lê Minh Tuấn", Role::BoardHead),
    ("nhapphieu1", "Phạm Thị Lan", Role::Operator),
    ("nhapphieu2", "Đỗ Văn Nam", Role::Operator),
    ("nhapphieu3", "Vũ Thị Hà", Role::Operator),
    ("nhapphieu4", "Bùi Quang Minh", Role::Operator),
];

fn pick<'a>(rng: &mut SampleRng, list: &[&'a str]) -> &'a str {
    list[rng.below(list.len() as u64) as usize]
}

/// The demo roster: `DEMO_MEMBERS` people with distinct names.
pub fn demo_roster() -> Vec<PersonFields> {
    sample_roster(DEMO_SEED, DEMO_MEMBERS)
}

/// A roster of `members` people with distinct names, the same for the same seed: varied sex, birth
/// dates, ethnicity, religion, unit, education and political theory; one in fifteen probationary; two
/// on temporary transfer elsewhere, one exempted and one suspended (at the same places of the list,
/// in proportion, whatever its length). `members` is at most the number of distinct names the lists
/// make (over 2,000).
pub fn sample_roster(seed: u64, members: usize) -> Vec<PersonFields> {
    // The special cases sit where they sit in the demo's 150, in proportion.
    let at = |i: usize| i * members / DEMO_MEMBERS;
    let mut rng = SampleRng::new(seed);
    let mut seen = std::collections::BTreeSet::new();
    let mut people = Vec::new();
    while people.len() < members {
        let female = rng.below(100) < 38;
        let name = if female {
            format!(
                "{} {} {}",
                pick(&mut rng, &FAMILY),
                pick(&mut rng, &MIDDLE_FEMALE),
                pick(&mut rng, &GIVEN_FEMALE)
            )
        } else {
            format!(
                "{} {} {}",
                pick(&mut rng, &FAMILY),
                pick(&mut rng, &MIDDLE_MALE),
                pick(&mut rng, &GIVEN_MALE)
            )
        };
        if !seen.insert(name.clone()) {
            continue;
        }
        let i = people.len();
        let year = 1958 + rng.below(42);
        let (month, day) = (1 + rng.below(12), 1 + rng.below(28));
        let ethnicity = match rng.below(20) {
            0 => "Mường",
            1 => "Tày",
            2 => "Thái",
            _ => "Kinh",
        };
        let religion = match rng.below(25) {
            0 => "Công giáo",
            1 => "Phật giáo",
            _ => "Không",
        };
        // The summary list's fields come from a generator of their own, so that every other field is
        // drawn as it was before they existed.
        let mut extra = SampleRng::new(seed ^ 0x7472_6963_685f_6e67 ^ (i as u64).wrapping_mul(0x9E37_79B9));
        let probationary = i % 15 == 14;
        let joined = if probationary { 2024 } else { (year + 18 + extra.below(20)).min(2023) };
        let (joined_month, joined_day) = (1 + extra.below(12), 1 + extra.below(28));
        let joined_on = format!("{joined_day:02}/{joined_month:02}/{joined}");
        let official_on = if probationary {
            String::new()
        } else {
            format!("{joined_day:02}/{joined_month:02}/{}", joined + 1)
        };
        let mark = |on: bool| if on { "x" } else { "" }.to_owned();
        let fields: PersonFields = [
            ("full_name", name),
            ("birth_date", format!("{day:02}/{month:02}/{year}")),
            ("sex", if female { "Nữ" } else { "Nam" }.into()),
            ("ethnicity", ethnicity.into()),
            ("religion", religion.into()),
            ("party_status", if probationary { "Dự bị" } else { "Chính thức" }.into()),
            ("hometown", pick(&mut extra, &HOMETOWNS).into()),
            ("position", pick(&mut extra, &POSITIONS).into()),
            ("joined_on", joined_on),
            ("official_on", official_on),
            ("unit", pick(&mut rng, &UNITS).into()),
            ("education", pick(&mut rng, &EDUCATION).into()),
            ("political_theory", pick(&mut rng, &THEORY).into()),
            ("first_time", mark(rng.below(3) == 0)),
            ("temporarily_transferred", mark(i == at(20) || i == at(41))),
            ("exempted", mark(i == at(62))),
            ("suspended", mark(i == at(83))),
            ("prosecuted", String::new()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        people.push(fields);
    }
    people
}

/// The demo congress's unit code (`Mã đơn vị`).
pub const DEMO_UNIT_CODE: &str = "01.001.0001";

impl App {
    /// Seeds the demo congress unless a congress is already set up. Returns whether it seeded.
    pub async fn seed_demo(&self) -> Result<bool, AppError> {
        if self.congress().await?.is_some() {
            return Ok(false);
        }
        let actor = Actor::system();
        self.save_congress(
            &actor,
            CongressForm {
                name: "Đại hội Đảng bộ xã Thượng Kiệm lần thứ XXVI".into(),
                organisation: "Đảng bộ xã Thượng Kiệm".into(),
                level: "grassroots".into(),
                assembly_kind: "members_congress".into(),
                term: "2025–2030".into(),
                place: "Hội trường Ủy ban nhân dân xã".into(),
                opens_on: "20/05/2025".into(),
                closes_on: "21/05/2025".into(),
                convening_committee: "Ban Chấp hành Đảng bộ xã khóa XXV".into(),
                regulation: "190-QD/TW".into(),
                direct_secretary: None,
            },
        )
        .await?;
        // The unit code of the demo commune in its superior's tree, and the node's key.
        self.set_unit_code(&actor, DEMO_UNIT_CODE).await?;
        self.ensure_node_key().await?;
        let mut ids = Vec::new();
        for fields in demo_roster() {
            ids.push(self.save_person(&actor, None, fields).await?);
        }
        // Three members away for the whole congress with an accepted reason, one without.
        for &i in &[5usize, 47, 99] {
            self.set_absence(&actor, ids[i], "with_accepted_reason").await?;
        }
        self.set_absence(&actor, ids[120], "without_reason").await?;
        let sitting = self.add_sitting(&actor, "Phiên thứ nhất (sáng 20/05/2025)").await?;
        let away = [5usize, 47, 99, 120, 41, 62, 83];
        for (i, id) in ids.iter().enumerate() {
            if !away.contains(&i) {
                self.set_check_in(&actor, sitting, *id, true).await?;
            }
        }
        let present = self
            .attendance(&actor, Some(sitting))
            .await?
            .report
            .map(|r| r.present)
            .ok_or_else(|| AppError::Conflict("the demo roster gives no base".into()))?;
        // The congress's opening votes by show of hands: presidium, secretariat and counting board
        // (who are not on the committee's list below), each carried by all present.
        let official: Vec<i64> = ids
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 15 != 14 && !away.contains(i))
            .map(|(_, id)| *id)
            .collect();
        let listed: Vec<i64> =
            official.iter().step_by(7).take(15).copied().chain([official[3], official[10]]).collect();
        let free: Vec<i64> = official.iter().copied().filter(|id| !listed.contains(id)).collect();
        for (subject, head, members, technical) in [
            ("presidium", None, &free[0..3], ""),
            ("secretariat", None, &free[3..5], ""),
            ("counting_board", Some(free[5]), &free[6..10], "Trần Văn Kỹ"),
        ] {
            let mut pairs = vec![
                ("subject".to_owned(), subject.to_owned()),
                ("votes_for".to_owned(), present.to_string()),
                ("votes_against".to_owned(), "0".to_owned()),
                ("technical".to_owned(), technical.to_owned()),
            ];
            pairs.extend(head.map(|h| ("head".to_owned(), h.to_string())));
            pairs.extend(members.iter().map(|m| ("member".to_owned(), m.to_string())));
            self.record_vote(&actor, crate::votes::VoteRequest::from_form(&pairs)?).await?;
        }
        let election = self
            .create_election(
                &actor,
                ElectionForm {
                    body: "committee".into(),
                    seats: DEMO_COMMITTEE_SEATS.to_string(),
                    seats_for: (present - 2).to_string(),
                    seats_against: "0".into(),
                    ..ElectionForm::default()
                },
            )
            .await?;
        // The convening committee proposes 15 for 13 seats (surplus 2); the floor nominates one more,
        // who passes the poll, and one who does not.
        for id in official.iter().step_by(7).take(15) {
            self.add_candidate(&actor, election, *id, Source::Convening).await?;
        }
        let nominee = self.add_candidate(&actor, election, official[3], Source::Nomination).await?;
        let self_nominee = self.add_candidate(&actor, election, official[10], Source::SelfNomination).await?;
        self.record_poll(&actor, election, present, vec![(nominee, 97), (self_nominee, 21)]).await?;
        self.approve_list(&actor, election, present - 3, 1).await?;
        // The personnel plan of the committee: its seats, two structure targets and the thirteen
        // planned among the convening committee's fifteen.
        self.set_plan(
            &actor,
            crate::plan::PlanRequest {
                body: baucu_rules::election::Body::Committee,
                seats: DEMO_COMMITTEE_SEATS,
                targets: vec![
                    crate::plan::Target { kind: crate::plan::TargetKind::Women, sector: None, minimum: 3 },
                    crate::plan::Target { kind: crate::plan::TargetKind::Under35, sector: None, minimum: 1 },
                ],
                persons: official.iter().step_by(7).take(DEMO_COMMITTEE_SEATS as usize).copied().collect(),
            },
        )
        .await?;
        Ok(true)
    }
}
