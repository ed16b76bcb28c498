use super::*;
use baucu_rules::Percent;
use baucu_rules::assembly::{AssemblyKind, Level};
use baucu_rules::election::{Body, Purpose};
use baucu_rules::outcome::{NextStep, Outcome};

fn key(n: u8) -> NodeKey {
    NodeKey::from_seed(&[n; 32]).expect("seed key")
}

/// A small congress: one committee round of three names for two seats, base 10.
fn sample() -> Package {
    let person = |id: u32, name: &str, female: bool| Person {
        id,
        name: name.into(),
        female,
        birth_year: Some(1980),
        under_35: false,
        ethnicity: "Kinh".into(),
        ethnic_minority: false,
        religion: "Không".into(),
        religious: false,
        education: "Đại học".into(),
        theory: "Trung cấp".into(),
    };
    let line = |person: u32, votes: u64, outcome: Outcome| Line {
        person,
        votes,
        percent_of_base: Percent::of(votes, 10).map(Percent::hundredths).unwrap_or(0),
        outcome,
    };
    Package {
        schema: SCHEMA.into(),
        unit_code: "01.001.0001".into(),
        version: 1,
        supersedes: None,
        exported_at: "2025-05-21T10:00:00Z".parse().expect("time"),
        producer: "baucu test".into(),
        congress: Congress {
            name: "Đại hội Chi bộ Thôn Đông lần thứ XII".into(),
            organisation: "Chi bộ Thôn Đông".into(),
            level: Level::Cell,
            kind: AssemblyKind::MembersCongress,
            term: "2025–2030".into(),
            place: "Nhà văn hóa thôn".into(),
            regulation: "190-QD/TW".into(),
            opened_on: Some(jiff::civil::date(2025, 5, 20)),
            closed_on: jiff::civil::date(2025, 5, 20),
            direct_secretary: false,
        },
        assemblies: vec![AssemblyBase {
            key: "congress".into(),
            heading: "Đại hội Chi bộ Thôn Đông".into(),
            kind: AssemblyKind::MembersCongress,
            summoned: 11,
            present: 10,
            exclusions: vec![ExclusionCount { kind: baucu_rules::assembly::Exclusion::Suspended, count: 1 }],
            base: 10,
        }],
        elections: vec![Election {
            body: Body::Committee,
            assembly: "congress".into(),
            seats: 2,
            alternate_seats: 0,
            rounds: vec![Round {
                number: 1,
                purpose: Purpose::Regular,
                closed_at: "2025-05-20T09:00:00Z".parse().expect("time"),
                base: 10,
                threshold: 6,
                issued: 10,
                collected: 10,
                valid: 9,
                invalid: 1,
                invalid_reasons: vec![ReasonCount {
                    reason: baucu_rules::ballot::InvalidReason::OverVote,
                    count: 1,
                }],
                lines: vec![
                    line(1, 9, Outcome::Elected),
                    line(2, 7, Outcome::Elected),
                    line(3, 2, Outcome::NotElected),
                ],
                next_step: NextStep::Complete,
            }],
        }],
        people: vec![
            person(1, "Nguyễn Văn An", false),
            person(2, "Trần Thị Bình", true),
            person(3, "Lê Văn Cường", false),
        ],
        elected: vec![
            Elected {
                person: 1,
                body: Body::Committee,
                alternate: false,
                round: 1,
                votes: 9,
                percent_of_base: 9000,
                first_time: false,
            },
            Elected {
                person: 2,
                body: Body::Committee,
                alternate: false,
                round: 1,
                votes: 7,
                percent_of_base: 7000,
                first_time: true,
            },
        ],
        plan: vec![],
        audit: AuditHead { seq: 42, hash: "ab".repeat(32) },
        summary_pdf: encode_pdf(b"%PDF-1.7 test"),
    }
}

#[test]
fn package_seal_and_open_round_trip() {
    let file = seal(&sample(), &key(1));
    let opened = open(&file).expect("opens");
    assert_eq!(opened.package, sample());
    assert_eq!(opened.key, key(1).public());
    assert_eq!(opened.digest.len(), 64);
    assert_eq!(summary_pdf(&opened.package).expect("pdf"), b"%PDF-1.7 test");
}

/// A changed byte anywhere in the file is refused: in the body (digest), in the digest line
/// (digest), in the signature line (signature), in the key line (signature), in the framing.
#[test]
fn package_every_changed_byte_is_refused() {
    let file = seal(&sample(), &key(1));
    for i in 0..file.len() {
        let mut bad = file.clone();
        bad[i] ^= 0x01;
        assert!(open(&bad).is_err(), "byte {i} changed and still accepted");
    }
    let body_end = file.len() - 1;
    let mut bad = file.clone();
    bad[10] ^= 0x20;
    assert_eq!(open(&bad).map(|_| ()), Err(Refusal::Modified));
    let _ = body_end;
}

#[test]
fn package_signature_by_another_key_is_refused() {
    let file = seal(&sample(), &key(1));
    let text = String::from_utf8(file).expect("utf8");
    let forged = text.replace(&key(1).public().to_hex(), &key(2).public().to_hex());
    assert_eq!(open(forged.as_bytes()).map(|_| ()), Err(Refusal::BadSignature));
}

#[test]
fn package_unknown_schema_is_refused_with_its_version() {
    let mut p = sample();
    p.schema = "baucu.result-package/9".into();
    let err = open(&seal(&p, &key(1))).map(|_| ()).expect_err("refused");
    assert_eq!(err, Refusal::UnknownSchema("baucu.result-package/9".into()));
    assert!(err.message().contains("baucu.result-package/9"));
}

#[test]
fn package_bad_body_names_the_field() {
    let mut p = sample();
    p.elections[0].rounds[0].lines[1].percent_of_base = 7100;
    let err = open(&seal(&p, &key(1))).map(|_| ()).expect_err("refused");
    assert_eq!(err.code(), "malformed");
    assert!(err.message().contains("elections[0].rounds[0].lines[1].percent_of_base"), "{err}");

    // An unknown enumerated value, signed: refused at its field.
    let text = serde_json::to_string(&sample()).expect("json").replace("\"committee\"", "\"council\"");
    let mut file = text.into_bytes();
    let trailer = {
        let k = key(1);
        let sig = k.pair.sign(&file);
        format!(
            "{MARKER}key: {}\nsha256: {}\nsignature: {}\n",
            k.public().to_hex(),
            digest_hex(&file),
            hex::encode(sig.as_ref())
        )
    };
    file.extend_from_slice(trailer.as_bytes());
    let err = open(&file).map(|_| ()).expect_err("refused");
    assert!(err.message().contains("elections[0].body"), "{err}");
    assert!(err.message().contains("council"), "{err}");
}

#[test]
fn package_malformed_files_are_refused() {
    assert_eq!(open(b"hello").map(|_| ()).expect_err("refused").code(), "malformed");
    let mut file = seal(&sample(), &key(1));
    file.extend_from_slice(b"extra\n");
    assert_eq!(open(&file).map(|_| ()).expect_err("refused").code(), "malformed");
    let big = vec![b' '; MAX_PACKAGE_BYTES + 1];
    assert_eq!(open(&big).map(|_| ()).expect_err("refused").code(), "too_large");
}

#[test]
fn package_fingerprint_is_parsed_as_people_type_it() {
    let fp = key(1).public().fingerprint();
    assert_eq!(fp.as_str().len(), 39);
    let typed = fp.as_str().replace('-', " ").to_lowercase();
    assert_eq!(Fingerprint::parse(&typed), Some(fp));
    assert_eq!(Fingerprint::parse("12-34"), None);
}
