//! Which language a page is shown in.
//!
//! The choice is a cookie that the server sets when someone follows the
//! language link, so it works without JavaScript and persists across
//! requests. Without the cookie, the browser's `Accept-Language` decides.

use crate::i18n::Locale;

/// The cookie leptos_i18n reads to pick the locale on the server.
pub const COOKIE_NAME: &str = "i18n_pref_locale";

/// Parses a language code from a URL or form (`en`, `sw`).
pub fn parse_code(code: &str) -> Option<Locale> {
    match code.trim().to_ascii_lowercase().as_str() {
        "en" => Some(Locale::en),
        "sw" => Some(Locale::sw),
        _ => None,
    }
}

/// The code used in URLs, cookies and `<html lang>`.
pub fn code(locale: Locale) -> &'static str {
    match locale {
        Locale::en => "en",
        Locale::sw => "sw",
    }
}

/// The other language, which the language switch offers.
pub fn other(locale: Locale) -> Locale {
    match locale {
        Locale::en => Locale::sw,
        Locale::sw => Locale::en,
    }
}

/// Returns `path` when it is a local path on this site, so that the language
/// switch can send people back where they were without becoming an open
/// redirect (`//evil.example`, `https://…` and `/\evil` are refused).
pub fn safe_return_path(path: &str) -> &str {
    let is_local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(|c| c.is_control())
        && path.len() <= 512;
    if is_local { path } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_parse_case_insensitively() {
        assert_eq!(parse_code("SW"), Some(Locale::sw));
        assert_eq!(parse_code(" en "), Some(Locale::en));
        assert_eq!(parse_code("fr"), None);
    }

    #[test]
    fn the_switch_offers_the_other_language() {
        assert_eq!(other(Locale::en), Locale::sw);
        assert_eq!(other(Locale::sw), Locale::en);
        assert_eq!(code(other(Locale::sw)), "en");
    }

    #[test]
    fn return_paths_stay_on_this_site() {
        assert_eq!(safe_return_path("/privacy"), "/privacy");
        assert_eq!(safe_return_path("/?a=b"), "/?a=b");
        assert_eq!(safe_return_path("//evil.example/"), "/");
        assert_eq!(safe_return_path("/\\evil.example"), "/");
        assert_eq!(safe_return_path("https://evil.example"), "/");
        assert_eq!(safe_return_path("/a\r\nSet-Cookie: x"), "/");
        assert_eq!(safe_return_path(""), "/");
    }
}

/// The locale for a request: the language cookie if set, otherwise the first
/// of our languages in `Accept-Language` by preference, otherwise English.
/// The locale for a request, from its headers (the language cookie, then
/// `Accept-Language`). Used by the page shell and the server's handlers.
#[cfg(feature = "ssr")]
pub fn from_headers(headers: &http::HeaderMap) -> Locale {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    negotiate(
        header(http::header::COOKIE),
        header(http::header::ACCEPT_LANGUAGE),
    )
}

pub fn negotiate(cookie_header: Option<&str>, accept_language: Option<&str>) -> Locale {
    let from_cookie = cookie_header.and_then(|header| {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE_NAME)
            .and_then(|(_, value)| parse_code(value))
    });
    from_cookie
        .or_else(|| accept_language.and_then(preferred_from_accept_language))
        .unwrap_or_default()
}

fn preferred_from_accept_language(header: &str) -> Option<Locale> {
    let mut best: Option<(Locale, f32)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let primary = tag.split('-').next().unwrap_or("");
        let Some(locale) = parse_code(primary) else {
            continue;
        };
        let q = parts
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        if q > 0.0 && best.is_none_or(|(_, best_q)| q > best_q) {
            best = Some((locale, q));
        }
    }
    best.map(|(locale, _)| locale)
}

/// Percent-encodes a path and query for use as one query-string value.
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod negotiation_tests {
    use super::*;

    #[test]
    fn the_cookie_wins_over_the_browser_language() {
        assert_eq!(
            negotiate(Some("a=b; i18n_pref_locale=sw"), Some("en")),
            Locale::sw
        );
        assert_eq!(
            negotiate(Some("i18n_pref_locale=en"), Some("sw")),
            Locale::en
        );
    }

    #[test]
    fn the_browser_language_is_used_without_a_cookie() {
        assert_eq!(negotiate(None, Some("sw-KE,sw;q=0.9,en;q=0.8")), Locale::sw);
        assert_eq!(negotiate(None, Some("fr, en;q=0.5, sw;q=0.7")), Locale::sw);
        assert_eq!(
            negotiate(Some("i18n_pref_locale=xx"), Some("en-GB")),
            Locale::en
        );
    }

    #[test]
    fn english_is_the_default() {
        assert_eq!(negotiate(None, None), Locale::en);
        assert_eq!(negotiate(None, Some("fr, de")), Locale::en);
        assert_eq!(negotiate(None, Some("sw;q=0")), Locale::en);
    }

    #[test]
    fn return_paths_are_encoded_as_one_value() {
        assert_eq!(encode_query_value("/privacy"), "/privacy");
        assert_eq!(encode_query_value("/?a=b&c=d"), "/%3Fa%3Db%26c%3Dd");
    }
}
