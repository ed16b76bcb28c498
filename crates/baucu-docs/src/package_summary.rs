//! The PDF summary of a result package, for people: the congress, the unit and the version, each
//! assembly's base, each body's elected with their votes and percentage of the base, the delegates
//! (official and alternate), the plan's departures and the head of the node's audit chain. Made from
//! the [`Package`] alone (its own `summary_pdf` is ignored), so the node that seals the package and
//! `baucu simulate --packages` print the same summary for the same content.

use crate::{DocError, minutes::body_title, pdf};
use baucu_exchange::{Elected, Package, Person};
use baucu_rules::Percent;
use baucu_rules::election::Body;
use baucu_rules::messages;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
struct SummaryDoc {
    title: String,
    organisation: String,
    congress: String,
    facts: Vec<Fact>,
    assemblies: Vec<AssemblyRow>,
    bodies: Vec<BodyBlock>,
    departures: Vec<PlanBlock>,
    audit: String,
    producer: String,
}

#[derive(Debug, Serialize)]
struct Fact {
    label: String,
    value: String,
}

#[derive(Debug, Serialize)]
struct AssemblyRow {
    heading: String,
    summoned: u32,
    present: u32,
    excluded: String,
    base: u32,
}

#[derive(Debug, Serialize)]
struct BodyBlock {
    heading: String,
    note: String,
    rows: Vec<ElectedRow>,
}

#[derive(Debug, Serialize)]
struct ElectedRow {
    name: String,
    /// "Chính thức" / "Dự khuyết" for delegates, empty otherwise.
    kind: String,
    votes: u64,
    percent: String,
    base: String,
    round: u32,
}

#[derive(Debug, Serialize)]
struct PlanBlock {
    heading: String,
    items: Vec<String>,
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn body_heading(body: Body) -> String {
    match body {
        Body::Delegates => "Đại biểu dự đại hội cấp trên".into(),
        Body::Committee | Body::StandingCommittee | Body::InspectionCommittee => body_title(body),
        other => capitalised(messages::body(other)),
    }
}

fn date(d: jiff::civil::Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month(), d.year())
}

/// The base of the round of `body` numbered `round`, when the package holds it.
fn round_base(package: &Package, body: Body, round: u32) -> Option<u32> {
    package
        .elections
        .iter()
        .filter(|e| e.body == body)
        .flat_map(|e| e.rounds.iter())
        .find(|r| r.number == round)
        .map(|r| r.base)
}

fn summary(package: &Package) -> SummaryDoc {
    let congress = &package.congress;
    let mut version = format!("{}", package.version);
    if let Some(s) = &package.supersedes {
        version.push_str(&format!(
            " (thay thế phiên bản {}, SHA-256 {}…)",
            s.version,
            s.sha256.get(..16).unwrap_or("")
        ));
    }
    let mut facts = vec![
        Fact { label: "Mã đơn vị".into(), value: package.unit_code.clone() },
        Fact { label: "Phiên bản gói".into(), value: version },
        Fact { label: "Cấp".into(), value: congress.level.label().into() },
        Fact { label: "Hình thức".into(), value: capitalised(messages::assembly_kind(congress.kind)) },
        Fact { label: "Nhiệm kỳ".into(), value: congress.term.clone() },
    ];
    if !congress.place.is_empty() {
        facts.push(Fact { label: "Địa điểm".into(), value: congress.place.clone() });
    }
    let held = match congress.opened_on {
        Some(open) if open != congress.closed_on => format!("{} – {}", date(open), date(congress.closed_on)),
        _ => date(congress.closed_on),
    };
    facts.push(Fact { label: "Ngày họp".into(), value: held });
    facts.push(Fact {
        label: "Bí thư".into(),
        value: if congress.direct_secretary {
            "do đại hội bầu trực tiếp"
        } else {
            "do ban chấp hành bầu"
        }
        .into(),
    });
    if !congress.regulation.is_empty() {
        facts.push(Fact { label: "Quy định áp dụng".into(), value: congress.regulation.clone() });
    }
    facts.push(Fact {
        label: "Xuất lúc (UTC)".into(),
        value: package.exported_at.strftime("%H:%M %d/%m/%Y").to_string(),
    });

    let assemblies = package
        .assemblies
        .iter()
        .map(|a| AssemblyRow {
            heading: a.heading.clone(),
            summoned: a.summoned,
            present: a.present,
            excluded: a
                .exclusions
                .iter()
                .filter(|e| e.count > 0)
                .map(|e| format!("{}: {}", capitalised(messages::exclusion(e.kind)), e.count))
                .collect::<Vec<_>>()
                .join("; "),
            base: a.base,
        })
        .collect();

    let people: BTreeMap<u32, &Person> = package.people.iter().map(|p| (p.id, p)).collect();
    let mut bodies = Vec::new();
    for body in Body::ALL {
        let mut chosen: Vec<&Elected> = package.elected.iter().filter(|e| e.body == body).collect();
        let election = package.elections.iter().find(|e| e.body == body);
        if chosen.is_empty() && election.is_none() {
            continue;
        }
        // Officials first, then alternates; each by votes (most first), then by name.
        chosen.sort_by(|a, b| {
            a.alternate.cmp(&b.alternate).then(b.votes.cmp(&a.votes)).then_with(|| {
                let name = |x: &Elected| people.get(&x.person).map(|p| p.name.as_str()).unwrap_or("");
                name(a).cmp(name(b))
            })
        });
        let note = match election {
            Some(e) => {
                let rounds = e.rounds.len();
                let mut note = format!("{} ghế", e.seats);
                if e.alternate_seats > 0 {
                    note.push_str(&format!(", {} dự khuyết", e.alternate_seats));
                }
                note.push_str(&format!("; {rounds} vòng bầu; trúng cử {} người", chosen.len()));
                note
            }
            None => format!("trúng cử {} người", chosen.len()),
        };
        let rows = chosen
            .iter()
            .map(|e| ElectedRow {
                name: people.get(&e.person).map(|p| p.name.clone()).unwrap_or_default(),
                kind: match (body, e.alternate) {
                    (Body::Delegates, false) => "Chính thức".into(),
                    (_, true) => "Dự khuyết".into(),
                    (_, false) => String::new(),
                },
                votes: e.votes,
                percent: format!("{}%", Percent::from_hundredths(e.percent_of_base).to_vietnamese()),
                base: round_base(package, body, e.round).map(|b| b.to_string()).unwrap_or_default(),
                round: e.round,
            })
            .collect();
        bodies.push(BodyBlock { heading: body_heading(body), note, rows });
    }

    let departures = package
        .plan
        .iter()
        .filter(|p| !p.departures.is_empty())
        .map(|p| PlanBlock { heading: body_heading(p.body), items: p.departures.clone() })
        .collect();
    let audit = if package.audit.hash.is_empty() {
        format!("mục số {} (nhật ký trống)", package.audit.seq)
    } else {
        format!("mục số {}, mã băm {}", package.audit.seq, package.audit.hash)
    };
    SummaryDoc {
        title: format!("Tóm tắt kết quả — {} — phiên bản {}", package.unit_code, package.version),
        organisation: congress.organisation.clone(),
        congress: congress.name.clone(),
        facts,
        assemblies,
        bodies,
        departures,
        audit,
        producer: package.producer.clone(),
    }
}

/// The summary of `package` as a PDF (one or two A4 pages for a congress of usual size). The
/// package's own `summary_pdf` is not read.
pub fn render(package: &Package) -> Result<Vec<u8>, DocError> {
    pdf("package_summary.typ", &summary(package))
}

#[cfg(test)]
mod tests {
    use super::*;
    use baucu_exchange::{
        AssemblyBase, AuditHead, Congress, Election, ExclusionCount, Line, PlanBody, Round, SCHEMA,
        Supersedes,
    };
    use baucu_rules::assembly::{AssemblyKind, Exclusion, Level};
    use baucu_rules::election::Purpose;
    use baucu_rules::outcome::{NextStep, Outcome};

    /// A district-sized congress: a committee of 15 from 18, 10 delegates and 2 alternates from 14,
    /// the standing committee, the secretary, the inspection committee.
    fn package() -> Package {
        let mut people = Vec::new();
        let mut elections = Vec::new();
        let mut elected = Vec::new();
        let mut next = 1u32;
        let base = 180u32;
        for (body, assembly, seats, alternates, list) in [
            (Body::Committee, "congress", 15, 0, 18),
            (Body::Delegates, "congress", 10, 2, 14),
            (Body::StandingCommittee, "plenum", 5, 0, 6),
            (Body::Secretary, "plenum", 1, 0, 1),
            (Body::InspectionCommittee, "plenum", 5, 0, 6),
        ] {
            let b = if assembly == "congress" { base } else { 15 };
            let mut lines = Vec::new();
            for i in 0..list {
                let id = next;
                next += 1;
                people.push(Person {
                    id,
                    name: format!("Nguyễn Thị Phương Thảo {id}"),
                    female: id.is_multiple_of(2),
                    birth_year: Some(1970 + (id % 20) as i32),
                    under_35: false,
                    ethnicity: "Kinh".into(),
                    ethnic_minority: false,
                    religion: "Không".into(),
                    religious: false,
                    education: "Thạc sĩ".into(),
                    theory: "Cao cấp".into(),
                });
                let votes = u64::from(b) - u64::from(i);
                let wins = i < seats + alternates;
                let percent = Percent::of(votes, u64::from(b)).map(Percent::hundredths).unwrap_or(0);
                lines.push(Line {
                    person: id,
                    votes,
                    percent_of_base: percent,
                    outcome: if wins { Outcome::Elected } else { Outcome::NotElected },
                });
                if wins {
                    elected.push(Elected {
                        person: id,
                        body,
                        alternate: i >= seats,
                        round: 1,
                        votes,
                        percent_of_base: percent,
                        first_time: i % 3 == 0,
                    });
                }
            }
            elections.push(Election {
                body,
                assembly: assembly.into(),
                seats,
                alternate_seats: alternates,
                rounds: vec![Round {
                    number: 1,
                    purpose: Purpose::Regular,
                    closed_at: "2025-06-02T09:00:00Z".parse().expect("time"),
                    base: b,
                    threshold: u64::from(b / 2 + 1),
                    issued: u64::from(b),
                    collected: u64::from(b),
                    valid: u64::from(b),
                    invalid: 0,
                    invalid_reasons: vec![],
                    lines,
                    next_step: NextStep::Complete,
                }],
            });
        }
        Package {
            schema: SCHEMA.into(),
            unit_code: "01.002".into(),
            version: 2,
            supersedes: Some(Supersedes { version: 1, sha256: "cd".repeat(32) }),
            exported_at: "2025-06-03T10:00:00Z".parse().expect("time"),
            producer: "baucu test".into(),
            congress: Congress {
                name: "Đại hội đại biểu Đảng bộ huyện Đông Anh lần thứ XXV".into(),
                organisation: "Đảng bộ huyện Đông Anh".into(),
                level: Level::District,
                kind: AssemblyKind::DelegatesCongress,
                term: "2025–2030".into(),
                place: "Hội trường huyện".into(),
                regulation: "190-QD/TW".into(),
                opened_on: Some(jiff::civil::date(2025, 6, 1)),
                closed_on: jiff::civil::date(2025, 6, 2),
                direct_secretary: false,
            },
            assemblies: vec![
                AssemblyBase {
                    key: "congress".into(),
                    heading: "Đại hội".into(),
                    kind: AssemblyKind::DelegatesCongress,
                    summoned: 182,
                    present: 178,
                    exclusions: vec![ExclusionCount {
                        kind: Exclusion::DelegatesAbsentNotReplaced,
                        count: 2,
                    }],
                    base,
                },
                AssemblyBase {
                    key: "plenum".into(),
                    heading: "Hội nghị lần thứ nhất Ban Chấp hành".into(),
                    kind: AssemblyKind::Plenum,
                    summoned: 15,
                    present: 15,
                    exclusions: vec![],
                    base: 15,
                },
            ],
            elections,
            people,
            elected,
            plan: vec![PlanBody {
                body: Body::Committee,
                seats: Some(15),
                targets: vec![],
                departures: vec!["Nữ: phương án 5, kết quả 4".into()],
            }],
            audit: AuditHead { seq: 4711, hash: "ab".repeat(32) },
            summary_pdf: String::new(),
        }
    }

    #[test]
    fn package_summary_is_one_or_two_pages_and_reproducible() {
        let p = package();
        let doc = crate::layout("package_summary.typ", &summary(&p)).expect("lays out");
        assert!((1..=2).contains(&doc.pages().len()), "{} pages", doc.pages().len());
        let first = render(&p).expect("renders");
        assert!(first.starts_with(b"%PDF"));
        assert_eq!(render(&p).expect("renders"), first, "the same package gives the same bytes");
        let s = summary(&p);
        assert_eq!(s.bodies.len(), 5);
        let delegates = &s.bodies[1];
        assert_eq!(delegates.heading, "Đại biểu dự đại hội cấp trên");
        assert_eq!(delegates.rows.iter().filter(|r| r.kind == "Chính thức").count(), 10);
        assert_eq!(delegates.rows.iter().filter(|r| r.kind == "Dự khuyết").count(), 2);
        assert_eq!(s.bodies[0].rows[0].percent, "100,00%");
        assert_eq!(s.bodies[0].rows[0].base, "180");
        assert!(s.facts.iter().any(|f| f.value.starts_with("2 (thay thế phiên bản 1")));
    }

    /// How long one summary takes (`cargo test --release -p baucu-docs --lib package_summary_speed
    /// -- --nocapture` prints it): `baucu simulate --packages` renders tens of thousands.
    #[test]
    fn package_summary_speed() {
        let p = package();
        let n = 20u32;
        let start = std::time::Instant::now();
        for _ in 0..n {
            assert!(render(&p).expect("renders").len() > 1000);
        }
        println!(
            "package summary: {:.1} ms per render",
            start.elapsed().as_secs_f64() * 1000.0 / f64::from(n)
        );
    }
}
