//! A bounded fuzz of the `evaluate` contract: arbitrary JSON documents, and valid cases with one part
//! mutated, must give an answer or one of the documented errors — never a panic. It runs in CI with a
//! fixed seed and a fixed number of cases, so it is deterministic and its time is bounded.

use baucu_rules::case::evaluate;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use serde_json::{Map, Value, json};

const DOCUMENTED: [&str; 5] = [
    "invalid_input",
    "exclusion_not_applicable",
    "list_shorter_than_seats",
    "invalid_ballot",
    "returned_exceeds_issued",
];

fn config(cases: u32) -> Config {
    Config { cases, rng_seed: RngSeed::Fixed(0xF022_0190), failure_persistence: None, ..Config::default() }
}

fn check(value: &Value) -> Result<(), TestCaseError> {
    let bytes = serde_json::to_vec(value).expect("serialise");
    if let Err(e) = evaluate(&bytes) {
        prop_assert!(DOCUMENTED.contains(&e.code()), "undocumented code {}", e.code());
        prop_assert!(!e.message().is_empty());
    }
    Ok(())
}

/// Words the contract knows, so that random documents often reach deep into the parser.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(vec![
            "kind", "round", "list", "poll", "order", "assembly", "type", "members_congress", "delegates_congress",
            "plenum", "summoned", "present", "excluded", "suspended", "committee_members_absent", "election", "body",
            "committee", "secretary", "delegates", "purpose", "regular", "tie_break", "alternates", "seats",
            "alternate_seats", "candidates", "ballots_issued", "ballots", "struck", "marks", "agree", "both", "none",
            "count", "not_issued", "signed", "list_size", "convening_list_size", "nominees", "name", "names", "meta",
            "regulation", "190-QD/TW",
        ]).prop_map(str::to_owned),
        1 => "\\PC{0,12}",
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (0u64..20).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
    ]
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        word().prop_map(Value::String)
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::vec((word(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn templates() -> Vec<Value> {
    vec![
        json!({ "kind": "round",
            "assembly": { "type": "members_congress", "summoned": 12, "present": 11, "excluded": { "suspended": 1 } },
            "election": { "body": "committee", "seats": 2, "candidates": ["Nguyễn Văn An", "Lê Thị Bình", "Trần Chi"] },
            "ballots_issued": 11,
            "ballots": [ { "struck": [1], "count": 5 }, { "struck": [3], "count": 4 }, { "struck": [], "signed": true } ] }),
        json!({ "kind": "round",
            "assembly": { "type": "delegates_congress", "summoned": 9, "present": 9, "excluded": {} },
            "election": { "body": "delegates", "seats": 1, "alternate_seats": 1, "candidates": ["An", "Bình", "Chi"] },
            "ballots_issued": 9, "ballots": [ { "struck": [2, 3], "count": 6 }, { "struck": [1, 3], "count": 3 } ] }),
        json!({ "kind": "round",
            "assembly": { "type": "plenum", "summoned": 5, "present": 5 },
            "election": { "body": "deputy_secretary", "seats": 2, "candidates": ["An", "Bình"] },
            "ballots_issued": 5, "ballots": [ { "marks": ["agree", "both"], "count": 4 }, { "marks": ["none", "none"] } ] }),
        json!({ "kind": "list", "election": { "body": "committee", "seats": 15 }, "list_size": 20, "convening_list_size": 17 }),
        json!({ "kind": "poll", "present": 150, "election": { "body": "committee", "seats": 15 }, "convening_list_size": 17,
            "nominees": [ { "name": "X", "agree": 80 }, { "name": "Y", "agree": 50 } ] }),
        json!({ "kind": "order", "names": ["Trần Văn Bình", "Lê Văn Anh"] }),
    ]
}

/// Every path to a value inside `v`.
fn paths(v: &Value, prefix: Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(m) => m.iter().for_each(|(k, c)| {
            let mut p = prefix.clone();
            p.push(PathStep::Key(k.clone()));
            paths(c, p, out);
        }),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, c)| {
            let mut p = prefix.clone();
            p.push(PathStep::Index(i));
            paths(c, p, out);
        }),
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn at<'a>(v: &'a mut Value, path: &[PathStep]) -> &'a mut Value {
    path.iter().fold(v, |v, step| match step {
        PathStep::Key(k) => &mut v[k.as_str()],
        PathStep::Index(i) => &mut v[*i],
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    Remove,
    AddKey(String, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => arbitrary_json().prop_map(Mutation::Replace),
        1 => Just(Mutation::Remove),
        1 => (word(), arbitrary_json()).prop_map(|(k, v)| Mutation::AddKey(k, v)),
    ]
}

proptest! {
    #![proptest_config(config(3000))]

    #[test]
    fn arbitrary_documents_never_panic(doc in arbitrary_json()) {
        check(&doc)?;
        // The same document with each kind stamped on, to reach every case parser.
        for kind in ["round", "list", "poll", "order"] {
            let mut stamped = match &doc { Value::Object(m) => Value::Object(m.clone()), _ => json!({}) };
            stamped["kind"] = json!(kind);
            check(&stamped)?;
        }
    }

    #[test]
    fn mutated_cases_never_panic(which in 0usize..6, pick in any::<prop::sample::Index>(), mutations in proptest::collection::vec(mutation(), 1..4)) {
        let mut doc = templates().swap_remove(which);
        for m in mutations {
            let mut all = Vec::new();
            paths(&doc, Vec::new(), &mut all);
            let path = pick.get(&all).clone();
            match m {
                Mutation::Replace(v) => *at(&mut doc, &path) = v,
                Mutation::Remove => {
                    if let Some((last, parent)) = path.split_last() {
                        match (at(&mut doc, parent), last) {
                            (Value::Object(o), PathStep::Key(k)) => { o.remove(k); }
                            (Value::Array(a), PathStep::Index(i)) => { a.remove(*i); }
                            _ => {}
                        }
                    }
                }
                Mutation::AddKey(k, v) => {
                    if let Value::Object(o) = at(&mut doc, &path) { o.insert(k, v); }
                }
            }
        }
        check(&doc)?;
    }
}

#[test]
fn every_template_is_a_valid_case() {
    for t in templates() {
        let bytes = serde_json::to_vec(&t).expect("serialise");
        assert!(evaluate(&bytes).is_ok(), "{t}");
    }
}
