//! The demo congress of `baucu serve --demo`: a commune party congress of all members with about 150
//! members, attendance taken, and the committee election defined with its list approved. It is built
//! through the same actions as a user's, so the audit log records it like any other work. Names and
//! attributes come from a fixed seed: every demo is the same.

use crate::congress::CongressForm;
use crate::elections::{ElectionForm, Source};
use crate::roster::PersonFields;
use crate::{Actor, App, AppError};
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

pub const DEMO_MEMBERS: usize = 150;
pub const DEMO_COMMITTEE_SEATS: u32 = 13;

fn pick<'a>(rng: &mut SampleRng, list: &[&'a str]) -> &'a str {
    list[rng.below(list.len() as u64) as usize]
}

/// The demo roster: `DEMO_MEMBERS` people with distinct names.
pub fn demo_roster() -> Vec<PersonFields> {
    let mut rng = SampleRng::new(20_250_520);
    let mut seen = std::collections::BTreeSet::new();
    let mut people = Vec::new();
    while people.len() < DEMO_MEMBERS {
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
        let mark = |on: bool| if on { "x" } else { "" }.to_owned();
        let fields: PersonFields = [
            ("full_name", name),
            ("birth_date", format!("{day:02}/{month:02}/{year}")),
            ("sex", if female { "Nữ" } else { "Nam" }.into()),
            ("ethnicity", ethnicity.into()),
            ("religion", religion.into()),
            ("party_status", if i % 15 == 14 { "Dự bị" } else { "Chính thức" }.into()),
            ("unit", pick(&mut rng, &UNITS).into()),
            ("education", pick(&mut rng, &EDUCATION).into()),
            ("political_theory", pick(&mut rng, &THEORY).into()),
            ("first_time", mark(rng.below(3) == 0)),
            ("temporarily_transferred", mark(i == 20 || i == 41)),
            ("exempted", mark(i == 62)),
            ("suspended", mark(i == 83)),
            ("prosecuted", String::new()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        people.push(fields);
    }
    people
}

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
                name: "Đại hội Đảng bộ xã Thượng Kiệm lần thứ XXVI, nhiệm kỳ 2025–2030".into(),
                organisation: "Đảng bộ xã Thượng Kiệm".into(),
                level: "grassroots".into(),
                assembly_kind: "members_congress".into(),
                term: "2025–2030".into(),
                place: "Hội trường Ủy ban nhân dân xã".into(),
                opens_on: "20/05/2025".into(),
                closes_on: "21/05/2025".into(),
                convening_committee: "Ban Chấp hành Đảng bộ xã khóa XXV".into(),
                regulation: "190-QD/TW".into(),
            },
        )
        .await?;
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
        let official: Vec<i64> = ids
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 15 != 14 && !away.contains(i))
            .map(|(_, id)| *id)
            .collect();
        for id in official.iter().step_by(7).take(15) {
            self.add_candidate(&actor, election, *id, Source::Convening).await?;
        }
        let nominee = self.add_candidate(&actor, election, official[3], Source::Nomination).await?;
        let self_nominee = self.add_candidate(&actor, election, official[10], Source::SelfNomination).await?;
        self.record_poll(&actor, election, present, vec![(nominee, 97), (self_nominee, 21)]).await?;
        self.approve_list(&actor, election, present - 3, 1).await?;
        Ok(true)
    }
}
