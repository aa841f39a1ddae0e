use super::FieldError;
use serde::{Deserialize, Serialize};
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// One name field: a surname, or the given names, as the person writes them.
///
/// Kenyan names need apostrophes (Ng'ang'a), hyphens (Wa-Njeri) and letters
/// outside A to Z (Müller, and names in other scripts), so any Unicode
/// letter is allowed; digits and symbols are not, as no registry name has
/// them. The name is kept as typed, bar spacing and apostrophe style;
/// comparisons with the registry go through `matching_key`.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

/// Counted in characters: a limit in bytes would be stricter for "Müller"
/// than for "Muller".
const MAX_CHARS: usize = 50;

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let name: String = input
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .map(plain_apostrophe)
            .collect();
        let (Some(first), Some(last)) = (name.chars().next(), name.chars().last()) else {
            return Err(FieldError::NameMissing);
        };
        if !name
            .chars()
            .all(|c| c.is_alphabetic() || is_accent(c) || " '-".contains(c))
        {
            return Err(FieldError::NameCharacters);
        }
        // A name may end in a combining accent but not start with one: it
        // would sit on nothing.
        if !first.is_alphabetic() || !(last.is_alphabetic() || is_accent(last)) {
            return Err(FieldError::NameEdges);
        }
        if name.chars().count() > MAX_CHARS {
            return Err(FieldError::NameTooLong);
        }
        Ok(Self(name))
    }

    /// The name reduced to what survives the ways a clerk or a phone may
    /// have written it: lower case, no accents, and apostrophes and hyphens
    /// read as spaces, so "NG'ANG'A", "Ng’ang’a" and "Ng Ang A" all match.
    pub fn matching_key(&self) -> String {
        // Lower-casing first: some capitals (İ) lower-case to a letter plus
        // a combining mark, which NFD then lets us drop.
        let folded: String = self
            .0
            .to_lowercase()
            .nfd()
            .filter(|&c| !is_combining_mark(c))
            .map(|c| if c == '\'' || c == '-' { ' ' } else { c })
            .collect();
        folded.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The words of `matching_key`, sorted: given names are recorded in
    /// different orders on different documents.
    pub fn matching_words(&self) -> Vec<String> {
        let mut words: Vec<String> = self.matching_key().split(' ').map(str::to_string).collect();
        words.sort();
        words
    }
}

string_identifier!(PersonName);

/// Phones and word processors turn ' into ’ (or ‘, or the letter ʼ used in
/// some orthographies); one form keeps one name one string.
fn plain_apostrophe(c: char) -> char {
    match c {
        '\u{2019}' | '\u{2018}' | '\u{02BC}' => '\'',
        _ => c,
    }
}

/// A combining mark, as in a decomposed "ü" (u + U+0308). Variation
/// selectors are marks too, but they only choose how an emoji looks.
fn is_accent(c: char) -> bool {
    is_combining_mark(c) && !matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn name(input: &str) -> PersonName {
        PersonName::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"))
    }

    #[test]
    fn kenyan_names_with_apostrophes_hyphens_and_composed_or_decomposed_accents_are_accepted() {
        for good in [
            "Ng'ang'a",
            "Wa-Njeri",
            "Abdullahi",
            "Chebet Jepkoech",
            "Müller",
            "O",
            "Ōtieno",
            "Mu\u{0308}ller",
            "Jose\u{0301}",
        ] {
            assert_eq!(name(good).as_ref(), good);
        }
    }

    #[test]
    fn runs_of_spaces_become_one_and_the_ends_are_trimmed() {
        assert_eq!(name("  Njoroge  Kamau ").as_ref(), "Njoroge Kamau");
        assert_eq!(name("Njoroge\t\u{00A0}Kamau").as_ref(), "Njoroge Kamau");
    }

    #[test]
    fn curly_apostrophes_are_stored_as_straight_ones() {
        assert_eq!(name("Ng’ang’a").as_ref(), "Ng'ang'a");
        assert_eq!(name("Ngʼangʼa").as_ref(), "Ng'ang'a");
    }

    #[test]
    fn an_empty_field_is_reported_as_missing() {
        assert_eq!(PersonName::parse(""), Err(FieldError::NameMissing));
        assert_eq!(PersonName::parse(" \t "), Err(FieldError::NameMissing));
    }

    fn assert_rejected(error: FieldError, inputs: &[&str]) {
        for input in inputs {
            assert_eq!(PersonName::parse(input), Err(error), "{input:?}");
        }
    }

    #[test]
    fn digits_symbols_control_characters_and_emoji_are_rejected() {
        let emoji = ["Kamau 😀", "Ka\u{200D}mau", "A\u{FE0F}"];
        assert_rejected(FieldError::NameCharacters, &emoji);
        assert_rejected(
            FieldError::NameCharacters,
            &["Kamau2", "<b>Kamau", "Kamau>", "Ka\u{0007}mau", "Kamau."],
        );
    }

    #[test]
    fn a_name_must_start_and_end_with_a_letter() {
        assert_rejected(
            FieldError::NameEdges,
            &["-Wanjiru", "Wanjiru-", "'Njeri", "Njeri’"],
        );
        assert_rejected(FieldError::NameEdges, &["-", "'", "- '", "\u{0301}Ana"]);
    }

    #[test]
    fn fifty_characters_are_allowed_even_when_they_take_more_bytes() {
        assert!(PersonName::parse(&"ü".repeat(50)).is_ok());
        assert_eq!(
            PersonName::parse(&"a".repeat(51)),
            Err(FieldError::NameTooLong)
        );
    }

    #[test]
    fn capitals_and_apostrophe_styles_share_a_matching_key() {
        let key = name("Ng'ang'a").matching_key();
        assert_eq!(key, "ng ang a");
        assert_eq!(name("NG'ANG'A").matching_key(), key);
        assert_eq!(name("ng'ang'a").matching_key(), key);
        assert_eq!(name("Ng’ang’a").matching_key(), key);
        assert_eq!(name("Ng Ang A").matching_key(), key);
    }

    #[test]
    fn accents_composed_or_not_are_ignored_when_matching() {
        assert_eq!(name("Müller").matching_key(), "muller");
        assert_eq!(name("Mu\u{0308}ller").matching_key(), "muller");
        assert_eq!(name("Wa-Njeri").matching_key(), "wa njeri");
    }

    #[test]
    fn given_names_in_either_order_have_the_same_sorted_words() {
        let words = |typed| name(typed).matching_words();
        assert_eq!(words("Wanjiru Mary"), words("Mary Wanjiru"));
        assert_eq!(words("Wanjiru Mary"), ["mary", "wanjiru"]);
        assert_ne!(words("Wanjiru Mary"), words("Mary"));
    }

    #[test]
    fn deserialising_checks_the_name_again() {
        let read = |json| serde_json::from_str::<PersonName>(json);
        assert_eq!(read("\"Ng’ang’a\"").unwrap().as_ref(), "Ng'ang'a");
        assert!(read("\"R2-D2\"").is_err());
    }

    // Latin-1 letters without ß, whose capital is two letters ("SS").
    fn words() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec("[A-Za-zÀ-ÖØ-Þà-öø-ÿ]{1,8}(['-][A-Za-z]{1,5})?", 1..4)
    }

    proptest! {
        #[test]
        fn names_made_of_words_parse_and_round_trip(words in words()) {
            let typed = words.join("  ");
            let parsed = PersonName::parse(&typed).unwrap();
            prop_assert_eq!(parsed.as_ref(), words.join(" "));
            prop_assert_eq!(PersonName::parse(parsed.as_ref()), Ok(parsed.clone()));
        }

        #[test]
        fn parsing_a_parsed_name_changes_nothing(input in "\\PC{0,60}") {
            if let Ok(parsed) = PersonName::parse(&input) {
                prop_assert_eq!(PersonName::parse(parsed.as_ref()), Ok(parsed.clone()));
                prop_assert!(parsed.as_ref().chars().count() <= MAX_CHARS);
                prop_assert!(!parsed.as_ref().contains("  "));
            }
        }

        #[test]
        fn a_name_with_a_digit_in_it_is_rejected(
            (head, digit, tail) in ("[A-Za-z]{1,10}", "[0-9]", "[A-Za-z]{0,10}"),
        ) {
            let typed = format!("{head}{digit}{tail}");
            prop_assert_eq!(PersonName::parse(&typed), Err(FieldError::NameCharacters));
        }

        #[test]
        fn the_matching_key_ignores_case(words in words()) {
            let typed = words.join(" ");
            let upper = PersonName::parse(&typed.to_uppercase()).unwrap();
            let lower = PersonName::parse(&typed.to_lowercase()).unwrap();
            prop_assert_eq!(upper.matching_key(), lower.matching_key());
        }

        #[test]
        fn sorted_words_ignore_the_order_of_the_names(
            (words, shuffled) in words().prop_flat_map(|w| (Just(w.clone()), Just(w).prop_shuffle())),
        ) {
            let original = PersonName::parse(&words.join(" ")).unwrap();
            let reordered = PersonName::parse(&shuffled.join(" ")).unwrap();
            prop_assert_eq!(original.matching_words(), reordered.matching_words());
        }
    }
}
