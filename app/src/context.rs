//! What the shell provides to every page, read by pages and components
//! without importing the shell (which imports every page): the request's
//! locale, whether a citizen is signed in, and the day by the server's clock.

use crate::i18n::Locale;
use leptos::prelude::*;

/// Today in Nairobi by the server's clock (which tests can move), provided
/// by the server to the pages it renders. Without it (in the browser), a
/// page reads the device's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Today(pub crate::dates::CivilDate);

/// Put in the request's extensions by the server when a citizen is signed
/// in: the header then offers "Your applications" and "Sign out".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SignedIn(pub bool);

pub fn use_signed_in() -> bool {
    use_context::<SignedIn>().is_some_and(|s| s.0)
}

/// The locale of the current request, provided as context by the shell. An
/// island in the browser has no such context: it reads the page's
/// `<html lang>`, which the server set from the same locale.
pub fn use_locale() -> Locale {
    use_context::<Locale>().unwrap_or_else(page_locale)
}

#[cfg(feature = "hydrate")]
pub fn page_locale() -> Locale {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|lang| crate::language::parse_code(&lang))
        .unwrap_or_default()
}

#[cfg(not(feature = "hydrate"))]
pub fn page_locale() -> Locale {
    Locale::default()
}
