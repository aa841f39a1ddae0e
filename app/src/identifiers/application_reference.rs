//! An application's reference number, like `HN-7KQ2-M9XD`: what a citizen
//! reads out over the phone or shows at the counter.
//!
//! Eight characters from an alphabet without 0/O and 1/I, the last of them a
//! check character (the Damm algorithm over a quasigroup of order 32), so
//! that any single mistyped character and any swap of two neighbours is
//! caught. (Luhn mod 32 would miss swapping the first and last letters of
//! the alphabet.) The other seven are random (chosen
//! by the server from a CSPRNG: 32^7, about 34 billion), so one reference
//! says nothing about another.

use super::{FieldError, non_blank};
use serde::{Deserialize, Serialize};

pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const PREFIX: &str = "HN";
/// Random characters before the check character.
pub const RANDOM_LEN: usize = 7;

#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ApplicationReference(String);

string_identifier!(ApplicationReference);

fn value_of(c: u8) -> Option<usize> {
    ALPHABET.iter().position(|&a| a == c)
}

/// One step of the Damm algorithm. The quasigroup is `x ∘ y = 2·x + y` in
/// GF(32) (modulo x⁵ + x² + 1): a Latin square, so every single
/// substitution changes the result, and totally anti-symmetric
/// (`(c∘x)∘y = (c∘y)∘x` only if `x = y`), so every adjacent swap does.
fn damm_step(interim: usize, value: usize) -> usize {
    let mut doubled = interim << 1;
    if doubled & 0x20 != 0 {
        doubled ^= 0x25;
    }
    doubled ^ value
}

fn damm(values: &[usize]) -> usize {
    values.iter().fold(0, |interim, &v| damm_step(interim, v))
}

/// The character that brings the payload's Damm interim to zero.
fn check_character(payload: &[usize]) -> u8 {
    ALPHABET[damm_step(damm(payload), 0)]
}

impl ApplicationReference {
    /// Makes a reference from seven random values (each below 32).
    pub fn from_random(values: [u8; RANDOM_LEN]) -> Self {
        let payload: Vec<usize> = values
            .iter()
            .map(|&v| usize::from(v) % ALPHABET.len())
            .collect();
        let mut chars: Vec<u8> = payload.iter().map(|&v| ALPHABET[v]).collect();
        chars.push(check_character(&payload));
        Self::format(&chars)
    }

    fn format(chars: &[u8]) -> Self {
        let text = std::str::from_utf8(chars).unwrap_or_default();
        ApplicationReference(format!("{PREFIX}-{}-{}", &text[..4], &text[4..]))
    }

    /// Accepts what people type: any case, with or without the `HN` and
    /// the hyphens, with spaces.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let input = non_blank(input).ok_or(FieldError::ReferenceMissing)?;
        let mut compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        if compact.len() == RANDOM_LEN + 1 + PREFIX.len() && compact.starts_with(PREFIX) {
            compact.drain(..PREFIX.len());
        }
        let bytes = compact.as_bytes();
        if bytes.len() != RANDOM_LEN + 1 {
            return Err(FieldError::ReferenceFormat);
        }
        let values: Option<Vec<usize>> = bytes.iter().map(|&b| value_of(b)).collect();
        let values = values.ok_or(FieldError::ReferenceFormat)?;
        if damm(&values) != 0 {
            return Err(FieldError::ReferenceCheck);
        }
        Ok(Self::format(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn looks_like_hn_four_four() {
        let r = ApplicationReference::from_random([0, 1, 2, 3, 4, 5, 6]);
        assert!(r.as_ref().starts_with("HN-2345-678"), "{r}");
        assert_eq!(r.as_ref().len(), 12);
    }

    #[test]
    fn swapping_the_alphabets_first_and_last_letters_is_caught() {
        // The case Luhn mod 32 misses.
        let r = ApplicationReference::from_random([0, 0, 0, 0, 0, 0, 31]);
        let mut chars: Vec<u8> = r.as_ref().bytes().filter(|b| *b != b'-').skip(2).collect();
        chars.swap(5, 6);
        assert!(ApplicationReference::parse(std::str::from_utf8(&chars).unwrap()).is_err());
    }

    #[test]
    fn people_can_type_it_loosely() {
        let r = ApplicationReference::from_random([9, 30, 1, 17, 22, 5, 31]);
        let compact = r.as_ref().replace('-', "").to_lowercase();
        assert_eq!(ApplicationReference::parse(&compact), Ok(r.clone()));
        assert_eq!(
            ApplicationReference::parse(&format!(" {} ", &compact[2..])),
            Ok(r)
        );
    }

    #[test]
    fn blank_and_wrong_shapes_have_their_own_messages() {
        assert_eq!(
            ApplicationReference::parse("  "),
            Err(FieldError::ReferenceMissing)
        );
        assert_eq!(
            ApplicationReference::parse("HN-1234-5678"),
            Err(FieldError::ReferenceFormat)
        );
        assert_eq!(
            ApplicationReference::parse("HN-23"),
            Err(FieldError::ReferenceFormat)
        );
    }

    proptest! {
        #[test]
        fn every_single_character_typo_is_caught(values in proptest::array::uniform7(0u8..32), at in 0usize..8, to in 0usize..32) {
            let r = ApplicationReference::from_random(values);
            let mut chars: Vec<u8> = r.as_ref().bytes().filter(|b| *b != b'-').skip(2).collect();
            prop_assume!(chars[at] != ALPHABET[to]);
            chars[at] = ALPHABET[to];
            let typed = String::from_utf8(chars).unwrap();
            prop_assert_eq!(ApplicationReference::parse(&typed), Err(FieldError::ReferenceCheck));
        }

        #[test]
        fn every_swap_of_neighbours_is_caught(values in proptest::array::uniform7(0u8..32), at in 0usize..7) {
            let r = ApplicationReference::from_random(values);
            let mut chars: Vec<u8> = r.as_ref().bytes().filter(|b| *b != b'-').skip(2).collect();
            prop_assume!(chars[at] != chars[at + 1]);
            chars.swap(at, at + 1);
            let typed = String::from_utf8(chars).unwrap();
            prop_assert_eq!(ApplicationReference::parse(&typed), Err(FieldError::ReferenceCheck));
        }
    }
}
