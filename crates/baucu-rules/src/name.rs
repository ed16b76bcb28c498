//! Full names of people as they stand on a list or a ballot.

use icu_normalizer::ComposingNormalizerBorrowed;
use std::fmt;

/// The longest name accepted, in characters. Real Vietnamese full names are under 60; the limit only
/// keeps absurd input from flowing into documents.
pub const MAX_NAME_CHARS: usize = 200;

/// A person's full name: Unicode NFC, no leading or trailing space, single spaces between words, no
/// control characters, not empty. Two people may share a name; a name is not an identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

/// Why a text is not a usable full name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameError {
    Empty,
    TooLong,
    ControlCharacter,
}

impl PersonName {
    /// Normalises (NFC, whitespace folded) and checks a full name.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let nfc = ComposingNormalizerBorrowed::new_nfc().normalize(raw);
        let mut folded = String::with_capacity(nfc.len());
        for word in nfc.split_whitespace() {
            if !folded.is_empty() {
                folded.push(' ');
            }
            folded.push_str(word);
        }
        if folded.is_empty() {
            return Err(NameError::Empty);
        }
        if folded.chars().any(char::is_control) {
            return Err(NameError::ControlCharacter);
        }
        if folded.chars().count() > MAX_NAME_CHARS {
            return Err(NameError::TooLong);
        }
        Ok(Self(folded))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The words of the name: family name first, given name last.
    pub fn words(&self) -> impl DoubleEndedIterator<Item = &str> {
        self.0.split(' ')
    }

    /// The given name (tên): the last word.
    pub fn given(&self) -> &str {
        self.0.rsplit(' ').next().unwrap_or(&self.0)
    }

    /// The family name (họ): the first word, or empty for a one-word name.
    pub fn family(&self) -> &str {
        match self.0.split_once(' ') {
            Some((family, _)) => family,
            None => "",
        }
    }

    /// The middle words (tên đệm), possibly none.
    pub fn middle(&self) -> impl Iterator<Item = &str> {
        let words = self.0.split(' ').count();
        self.0.split(' ').skip(1).take(words.saturating_sub(2))
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_nfc_and_whitespace_folded() {
        // "Nguyễn" written with combining marks (NFD) equals the precomposed form.
        let decomposed = "  Nguye\u{0302}\u{0303}n   Va\u{0306}n\tAn ";
        let name = PersonName::parse(decomposed).expect("valid name");
        assert_eq!(name.as_str(), "Nguyễn Văn An");
        assert_eq!(name, PersonName::parse("Nguyễn Văn An").expect("valid"));
    }

    #[test]
    fn name_parts() {
        let name = PersonName::parse("Lê Thị Hồng Nhung").expect("valid");
        assert_eq!(name.family(), "Lê");
        assert_eq!(name.given(), "Nhung");
        assert_eq!(name.middle().collect::<Vec<_>>(), ["Thị", "Hồng"]);
        let one = PersonName::parse("Tâm").expect("valid");
        assert_eq!((one.family(), one.given(), one.middle().count()), ("", "Tâm", 0));
    }

    #[test]
    fn bad_names_are_refused() {
        assert_eq!(PersonName::parse("   "), Err(NameError::Empty));
        assert_eq!(PersonName::parse("An\u{7}"), Err(NameError::ControlCharacter));
        assert_eq!(PersonName::parse(&"a".repeat(201)), Err(NameError::TooLong));
    }
}

impl PersonName {
    /// The name folded for search: no diacritics, đ as d, lower case. "nguyen" finds "Nguyễn".
    pub fn search_key(&self) -> String {
        fold_for_search(&self.0)
    }
}

/// Folds any text for diacritics-insensitive search.
pub fn fold_for_search(text: &str) -> String {
    let nfd = icu_normalizer::DecomposingNormalizerBorrowed::new_nfd().normalize(text);
    nfd.chars()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod search_tests {
    #[test]
    fn search_folds_diacritics_and_case() {
        assert_eq!(super::fold_for_search("Nguyễn Thị Ánh ĐÀO"), "nguyen thi anh dao");
        assert_eq!(super::fold_for_search("Đặng Ưng Ơn"), "dang ung on");
    }
}
