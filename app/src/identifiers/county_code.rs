use super::{FieldError, is_ascii_digits, non_blank};
use crate::i18n::*;
use serde::{Deserialize, Serialize};

/// One of Kenya's 47 counties, by its code in the First Schedule of the
/// Constitution: `001` Mombasa to `047` Nairobi City.
///
/// Kept as the number and written zero-padded, as registry records write
/// it, so that `"7"` from a form and `"007"` from a file are one county.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountyCode(u8);

const COUNTIES: u8 = 47;

// A table, so that `as_ref` can lend a `&str` without storing one per value.
const CODES: [&str; COUNTIES as usize] = [
    "001", "002", "003", "004", "005", "006", "007", "008", "009", "010", "011", "012", "013",
    "014", "015", "016", "017", "018", "019", "020", "021", "022", "023", "024", "025", "026",
    "027", "028", "029", "030", "031", "032", "033", "034", "035", "036", "037", "038", "039",
    "040", "041", "042", "043", "044", "045", "046", "047",
];

// Proper names, the same in English and Kiswahili; the same as the
// `counties` table (a server test compares them).
const NAMES: [&str; COUNTIES as usize] = [
    "Mombasa",
    "Kwale",
    "Kilifi",
    "Tana River",
    "Lamu",
    "Taita-Taveta",
    "Garissa",
    "Wajir",
    "Mandera",
    "Marsabit",
    "Isiolo",
    "Meru",
    "Tharaka-Nithi",
    "Embu",
    "Kitui",
    "Machakos",
    "Makueni",
    "Nyandarua",
    "Nyeri",
    "Kirinyaga",
    "Murang'a",
    "Kiambu",
    "Turkana",
    "West Pokot",
    "Samburu",
    "Trans Nzoia",
    "Uasin Gishu",
    "Elgeyo-Marakwet",
    "Nandi",
    "Baringo",
    "Laikipia",
    "Nakuru",
    "Narok",
    "Kajiado",
    "Kericho",
    "Bomet",
    "Kakamega",
    "Vihiga",
    "Bungoma",
    "Busia",
    "Siaya",
    "Kisumu",
    "Homa Bay",
    "Migori",
    "Kisii",
    "Nyamira",
    "Nairobi",
];

/// A stored place line in the reader's language. The line that only names
/// a county ("Kisumu County", a centre's address until staff enter its
/// street) is said the reader's way ("Kaunti ya Kisumu"); any other line
/// is a street address and is shown as written.
pub fn localised_place(stored: &str, locale: Locale) -> String {
    match stored.strip_suffix(" County") {
        Some(name) if NAMES.contains(&name) => {
            td_string!(locale, places.county).replace("{name}", name)
        }
        _ => stored.to_string(),
    }
}

impl CountyCode {
    /// Reads `"001"`–`"047"`, or the same numbers without padding.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let value = non_blank(input).ok_or(FieldError::CountyMissing)?;
        if !is_ascii_digits(value, 1..=3) {
            return Err(FieldError::CountyUnknown);
        }
        value
            .parse::<u8>()
            .ok()
            .filter(|number| (1..=COUNTIES).contains(number))
            .map(Self)
            .ok_or(FieldError::CountyUnknown)
    }

    /// Every county, in First Schedule order: the order of a county list.
    pub fn all() -> impl Iterator<Item = CountyCode> {
        (1..=COUNTIES).map(Self)
    }

    /// The county's name, as the reference data writes it.
    pub fn name(self) -> &'static str {
        NAMES[usize::from(self.0 - 1)]
    }

    /// The county's number, 1 to 47.
    pub fn number(self) -> u8 {
        self.0
    }
}

impl AsRef<str> for CountyCode {
    fn as_ref(&self) -> &str {
        CODES[usize::from(self.0 - 1)]
    }
}

impl std::fmt::Display for CountyCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_ref())
    }
}

impl TryFrom<String> for CountyCode {
    type Error = FieldError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CountyCode> for String {
    fn from(value: CountyCode) -> String {
        value.as_ref().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_county_line_is_said_the_reader_s_way_and_a_street_as_written() {
        assert_eq!(
            localised_place("Kisumu County", Locale::en),
            "Kisumu County"
        );
        assert_eq!(
            localised_place("Kisumu County", Locale::sw),
            "Kaunti ya Kisumu"
        );
        assert_eq!(
            localised_place("Homa Bay County", Locale::sw),
            "Kaunti ya Homa Bay"
        );
        assert_eq!(
            localised_place("Moi Avenue, Nairobi", Locale::sw),
            "Moi Avenue, Nairobi"
        );
        assert_eq!(
            localised_place("Atlantis County", Locale::sw),
            "Atlantis County"
        );
    }
    use proptest::prelude::*;

    #[test]
    fn padded_and_unpadded_codes_name_the_same_county() {
        assert_eq!(CountyCode::parse("001").unwrap().as_ref(), "001");
        assert_eq!(CountyCode::parse("1").unwrap().as_ref(), "001");
        assert_eq!(CountyCode::parse(" 47 ").unwrap().to_string(), "047");
        assert_eq!(CountyCode::parse("07"), CountyCode::parse("007"));
    }

    #[test]
    fn there_are_exactly_forty_seven_counties_in_order() {
        let all: Vec<_> = CountyCode::all().collect();
        assert_eq!(all.len(), 47);
        assert_eq!(all.first().map(|c| c.number()), Some(1));
        assert_eq!(all.last().map(|c| c.to_string()), Some("047".to_string()));
        assert!(all.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn every_code_in_the_table_is_its_number_zero_padded() {
        for county in CountyCode::all() {
            assert_eq!(county.as_ref(), format!("{:03}", county.number()));
        }
    }

    #[test]
    fn an_empty_choice_is_reported_as_missing() {
        assert_eq!(CountyCode::parse(""), Err(FieldError::CountyMissing));
    }

    #[test]
    fn codes_outside_one_to_forty_seven_are_unknown() {
        for bad in [
            "0", "000", "48", "048", "255", "256", "0001", "-1", "1.0", "Nairobi",
        ] {
            assert_eq!(
                CountyCode::parse(bad),
                Err(FieldError::CountyUnknown),
                "{bad}"
            );
        }
    }

    #[test]
    fn it_serialises_as_the_padded_code_and_deserialises_through_parse() {
        let nairobi = CountyCode::parse("47").unwrap();
        assert_eq!(serde_json::to_string(&nairobi).unwrap(), "\"047\"");
        assert_eq!(
            serde_json::from_str::<CountyCode>("\"47\"").unwrap(),
            nairobi
        );
        assert!(serde_json::from_str::<CountyCode>("\"48\"").is_err());
    }

    proptest! {
        #[test]
        fn every_number_from_one_to_forty_seven_round_trips(number in 1u8..=47) {
            let county = CountyCode::parse(&number.to_string()).unwrap();
            prop_assert_eq!(county.number(), number);
            prop_assert_eq!(CountyCode::parse(county.as_ref()), Ok(county));
        }

        #[test]
        fn every_larger_number_is_unknown(number in 48u32..1000) {
            prop_assert_eq!(CountyCode::parse(&number.to_string()), Err(FieldError::CountyUnknown));
        }

        #[test]
        fn parsing_never_panics(input in "\\PC*") {
            let _ = CountyCode::parse(&input);
        }
    }
}
