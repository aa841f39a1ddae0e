//! The answer when the tries at matching details with the population
//! registry are used up (the per-account and the per-identifier limits
//! alike, in the same words, so that nobody learns which): when to try
//! again, and that a Huduma Centre can check the documents in person.

use crate::calendar::appointment_label;
use crate::dates::CivilDate;
use crate::i18n::*;
use leptos::prelude::*;

/// `Mon 30 Nov 2026, 16:06`: the time `until` (Unix seconds), rounded up
/// to the minute, in Nairobi time.
pub fn try_again_label(until: i64, locale: Locale) -> String {
    let at = until.div_euclid(60) * 60 + if until % 60 == 0 { 0 } else { 60 };
    appointment_label(
        CivilDate::in_nairobi_at(at),
        CivilDate::nairobi_minute_at(at),
        locale,
    )
}

/// When to try again, as a sentence in the reader's language.
pub fn try_again(locale: Locale, until: i64) -> String {
    td_string!(locale, registry.try_again).replace("{time}", &try_again_label(until, locale))
}

/// The notice at the top of a page, focused when it appears.
pub fn tries_used_notice(locale: Locale, until: i64) -> impl IntoView {
    view! {
        <div class="notice notice--problem" role="alert" tabindex="-1" autofocus=true data-testid="tries-used">
            <p>{td!(locale, registry.tries_used)}</p>
            <p>{try_again(locale, until)}</p>
            <p>{td!(locale, registry.centre)}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_is_rounded_up_to_the_minute_in_nairobi() {
        // 2026-11-30 13:05:01 UTC is 16:05:01 in Nairobi.
        let until = CivilDate::new(2026, 11, 30)
            .unwrap()
            .nairobi_unix_at(16 * 60 + 5)
            + 1;
        assert_eq!(try_again_label(until, Locale::en), "Mon 30 Nov 2026, 16:06");
        assert_eq!(
            try_again_label(until - 1, Locale::en),
            "Mon 30 Nov 2026, 16:05"
        );
    }

    #[test]
    fn the_answer_says_when_in_both_languages() {
        let until = CivilDate::new(2026, 11, 30)
            .unwrap()
            .nairobi_unix_at(16 * 60);
        for locale in [Locale::en, Locale::sw] {
            let text = try_again(locale, until);
            assert!(text.contains("30 Nov 2026, 16:00"), "{text}");
            assert!(!text.contains("{time}"), "{text}");
            assert!(td_string!(locale, registry.centre).contains("Huduma"));
        }
    }
}
