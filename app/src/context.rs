//! What the shell provides to every page, read by pages and components
//! without importing the shell (which imports every page): the request's
//! locale, whether a citizen is signed in, and the CSP nonce.

use crate::i18n::Locale;
use leptos::prelude::*;

/// The CSP nonce the server chose for this response. The server's security
/// middleware puts it in the request's extensions and in the
/// `Content-Security-Policy` header; the shell gives it to the hydration
/// script, the only inline script on the page.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

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
