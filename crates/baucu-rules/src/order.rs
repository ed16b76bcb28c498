//! Ballot order of names (rules.md § 3, default reading of "ABC order").
//!
//! Names are ordered by given name (the last word), then family name (the first word), then the
//! middle words, each word compared with the Vietnamese collation of CLDR (ICU4X, locale `vi`):
//! letters in the order a ă â b c d đ e ê … o ô ơ … u ư …, tones as a secondary difference in the
//! order none, huyền, hỏi, ngã, sắc, nặng. Last comes the order of entry, so the sort is total and
//! two people with the same name keep the order in which they were entered.

use crate::name::PersonName;
use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorBorrowed};
use icu_locale_core::locale;
use std::cmp::Ordering;
use std::sync::LazyLock;

static VIETNAMESE: LazyLock<CollatorBorrowed<'static>> = LazyLock::new(|| {
    // The collation data is compiled into the binary; the Vietnamese tailoring is part of it, so this
    // cannot fail at run time (a test below pins that the tailoring is really there).
    Collator::try_new(locale!("vi").into(), CollatorOptions::default())
        .expect("ICU4X compiled data includes the Vietnamese collation")
});

/// Compares two words with the Vietnamese collation.
pub fn compare_words(a: &str, b: &str) -> Ordering {
    VIETNAMESE.compare(a, b)
}

/// Compares two full names in ballot order (without the entry-order tie-break).
pub fn compare_names(a: &PersonName, b: &PersonName) -> Ordering {
    compare_words(a.given(), b.given()).then_with(|| compare_words(a.family(), b.family())).then_with(|| {
        let mut left = a.middle();
        let mut right = b.middle();
        loop {
            match (left.next(), right.next()) {
                (Some(x), Some(y)) => match compare_words(x, y) {
                    Ordering::Equal => continue,
                    other => return other,
                },
                (None, None) => return Ordering::Equal,
                (None, Some(_)) => return Ordering::Less,
                (Some(_), None) => return Ordering::Greater,
            }
        }
    })
}

/// The ballot order of `names`: a permutation of their indices. Stable, so equal names keep the order
/// of entry.
pub fn ballot_order(names: &[PersonName]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| compare_names(&names[a], &names[b]));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(names: &[&str]) -> Vec<String> {
        let parsed: Vec<PersonName> = names.iter().map(|n| PersonName::parse(n).expect("ok")).collect();
        ballot_order(&parsed).into_iter().map(|i| parsed[i].to_string()).collect()
    }

    /// rules.md § 3: the Vietnamese letters in their order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r
    /// s t u ư v x y, with f j w z in Latin order among them.
    #[test]
    fn vietnamese_alphabet_order() {
        let alphabet = [
            "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
            "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
        ];
        for pair in alphabet.windows(2) {
            assert_eq!(compare_words(pair[0], pair[1]), Ordering::Less, "{} < {}", pair[0], pair[1]);
            let upper = (pair[0].to_uppercase(), pair[1].to_uppercase());
            assert_eq!(compare_words(&upper.0, &upper.1), Ordering::Less, "{upper:?}");
        }
        // Byte order puts Đ after Z; collation does not.
        assert_eq!(compare_words("Đức", "Zung"), Ordering::Less);
        assert_eq!(compare_words("Đức", "Dũng"), Ordering::Greater);
    }

    /// rules.md § 3: tones are a secondary difference, in the order none, huyền, hỏi, ngã, sắc, nặng.
    #[test]
    fn tones_order_is_secondary() {
        for base in ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"] {
            let tones: Vec<String> = ["", "\u{300}", "\u{309}", "\u{303}", "\u{301}", "\u{323}"]
                .iter()
                .map(|t| PersonName::parse(&format!("{base}{t}")).expect("ok").to_string())
                .collect();
            for pair in tones.windows(2) {
                assert_eq!(compare_words(&pair[0], &pair[1]), Ordering::Less, "{pair:?}");
            }
        }
        // A letter difference outweighs any tone: Ánh < Ân although á has a tone and â has none.
        assert_eq!(compare_words("Ánh", "Ân"), Ordering::Less);
        assert_eq!(compare_words("Anh", "Ánh"), Ordering::Less);
    }

    /// rules.md § 3: given name, then family name, then middle words, then order of entry.
    #[test]
    fn given_then_family_then_middle_then_entry() {
        assert_eq!(
            sorted(&["Trần Văn Bình", "Nguyễn Thị Ánh", "Lê Văn Anh", "Phạm Đức Anh", "Đỗ Thị Ân"]),
            ["Lê Văn Anh", "Phạm Đức Anh", "Nguyễn Thị Ánh", "Đỗ Thị Ân", "Trần Văn Bình"]
        );
        assert_eq!(
            sorted(&["Lê Văn Bình", "Lê Bình", "Lê An Bình"]),
            ["Lê Bình", "Lê An Bình", "Lê Văn Bình"]
        );
        assert_eq!(
            sorted(&["Lê Thị Hồng Nhung", "Lê Thị Hoa Nhung"]),
            ["Lê Thị Hoa Nhung", "Lê Thị Hồng Nhung"]
        );
        assert_eq!(sorted(&["Đinh An", "Đặng An", "Bùi An"]), ["Bùi An", "Đặng An", "Đinh An"]);
    }

    /// rules.md § 3: text is compared after NFC; equal names keep the order of entry.
    #[test]
    fn nfc_and_entry_order() {
        let nfd = "Nguye\u{0302}\u{0303}n Va\u{0306}n An";
        let names: Vec<PersonName> =
            [nfd, "Nguyễn Văn An"].iter().map(|n| PersonName::parse(n).expect("ok")).collect();
        assert_eq!(compare_names(&names[0], &names[1]), Ordering::Equal);
        assert_eq!(ballot_order(&names), [0, 1]);
    }
}
