//! The composition of a newly elected body (rules.md § 9): how many women, members under 35, members
//! of an ethnic minority, with a religion, elected for the first time, and the spread of education
//! and political theory. Counted here, from typed facts about each member, so that the documents, the
//! pages and (later) the superior's aggregates count the same way.

use crate::name::fold_for_search;
use std::collections::BTreeMap;

/// A calendar date as the roster states it: year, month (1–12), day (1–31).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Day {
    /// Full years of age on `on` for someone born on `self`.
    pub fn age_on(self, on: Day) -> i32 {
        on.year - self.year - i32::from((on.month, on.day) < (self.month, self.day))
    }
}

/// What the composition needs to know of one member of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFacts {
    pub female: bool,
    pub birth: Option<Day>,
    /// As written on the roster ("Kinh", "Tày", …); empty when not stated.
    pub ethnicity: String,
    /// As written on the roster ("Không", "Phật giáo", …); empty when not stated.
    pub religion: String,
    pub first_time: bool,
    /// Education as written; empty when not stated.
    pub education: String,
    /// Political theory level as its label ("Cao cấp", …); empty when none.
    pub theory: String,
}

impl MemberFacts {
    /// An ethnic minority: any stated ethnicity other than Kinh.
    pub fn ethnic_minority(&self) -> bool {
        !self.ethnicity.trim().is_empty() && fold_for_search(self.ethnicity.trim()) != "kinh"
    }

    /// A religion: any stated religion other than "không" (none).
    pub fn religious(&self) -> bool {
        !matches!(fold_for_search(self.religion.trim()).as_str(), "" | "khong")
    }

    /// Under 35 on the congress's opening day; unknown (no birth date or no opening day) is not under 35.
    pub fn under_35(&self, opening: Option<Day>) -> bool {
        matches!((self.birth, opening), (Some(b), Some(o)) if b.age_on(o) < 35)
    }
}

/// The composition of a body of `total` members.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Composition {
    pub total: u64,
    pub women: u64,
    pub under_35: u64,
    pub ethnic_minority: u64,
    pub religious: u64,
    pub first_time: u64,
    /// Each education as written, with its count (by text; "" for not stated).
    pub education: BTreeMap<String, u64>,
    /// Each political theory level, with its count ("" for none).
    pub theory: BTreeMap<String, u64>,
}

/// Counts the composition of a body from its members' facts; ages are taken on `opening`.
pub fn composition(members: &[MemberFacts], opening: Option<Day>) -> Composition {
    let count = |f: &dyn Fn(&MemberFacts) -> bool| members.iter().filter(|m| f(m)).count() as u64;
    let mut education = BTreeMap::new();
    let mut theory = BTreeMap::new();
    for m in members {
        *education.entry(m.education.trim().to_owned()).or_default() += 1;
        *theory.entry(m.theory.trim().to_owned()).or_default() += 1;
    }
    Composition {
        total: members.len() as u64,
        women: count(&|m| m.female),
        under_35: count(&|m| m.under_35(opening)),
        ethnic_minority: count(&MemberFacts::ethnic_minority),
        religious: count(&MemberFacts::religious),
        first_time: count(&|m| m.first_time),
        education,
        theory,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(female: bool, birth: (i32, u8, u8), ethnicity: &str, religion: &str) -> MemberFacts {
        MemberFacts {
            female,
            birth: Some(Day { year: birth.0, month: birth.1, day: birth.2 }),
            ethnicity: ethnicity.into(),
            religion: religion.into(),
            first_time: false,
            education: "Đại học".into(),
            theory: String::new(),
        }
    }

    /// Age is counted in full years on the opening day: the day before the 35th birthday is under 35.
    #[test]
    fn under_35_on_the_opening_day() {
        let opening = Some(Day { year: 2025, month: 5, day: 20 });
        assert!(member(true, (1990, 5, 21), "", "").under_35(opening));
        assert!(!member(true, (1990, 5, 20), "", "").under_35(opening));
        assert!(!member(true, (1990, 5, 21), "", "").under_35(None));
    }

    /// Kinh (in any case or spelling of its diacritics) is not a minority; "Không" is no religion.
    #[test]
    fn minority_and_religion_as_offices_write_them() {
        let list = [
            member(true, (1980, 1, 1), "Kinh", "Không"),
            member(false, (1980, 1, 1), "KINH", "không"),
            member(false, (1980, 1, 1), "Tày", "Phật giáo"),
            member(false, (1980, 1, 1), "", ""),
        ];
        let c = composition(&list, None);
        assert_eq!((c.total, c.women, c.ethnic_minority, c.religious), (4, 1, 1, 1));
        assert_eq!(c.education.get("Đại học"), Some(&4));
        assert_eq!(c.theory.get(""), Some(&4));
    }
}
