//! What a USSD screen may hold, as pure functions: GSM-7 characters only
//! (one character outside that alphabet switches a whole screen to UCS-2
//! and about 80 characters), at most [`MAX_CHARS`], at most
//! [`PAGE_SIZE`] options before `98 More`, and `0 Back` and `00 Home` on
//! every screen that waits for input. [`Screen::render`] always keeps
//! these rules, whatever it is given: a text too long is shortened, a
//! character outside GSM-7 replaced.

/// The most characters one screen shows.
pub const MAX_CHARS: usize = 182;
/// The most options on one page before `98 More`.
pub const PAGE_SIZE: usize = 5;
/// The key that shows the next page of options.
pub const MORE: &str = "98";
/// The key that goes back one screen.
pub const BACK: &str = "0";
/// The key that goes to the home menu.
pub const HOME: &str = "00";

/// GSM 03.38's basic alphabet (each one septet; the extension table's
/// characters take two and are left out).
const GSM7: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// Whether `c` is in GSM-7's basic alphabet.
pub fn is_gsm7_char(c: char) -> bool {
    GSM7.contains(c)
}

/// Whether every character of `text` is.
pub fn is_gsm7(text: &str) -> bool {
    text.chars().all(is_gsm7_char)
}

/// `text` in GSM-7: typographic quotes and dashes as their plain forms,
/// letters with other accents without them, anything else as `?`.
pub fn to_gsm7(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            c if is_gsm7_char(c) => c,
            '\u{2018}' | '\u{2019}' | '`' | '´' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            '\u{2013}' | '\u{2014}' => '-',
            '\t' => ' ',
            'á' | 'â' | 'ã' => 'a',
            'ê' | 'ë' => 'e',
            'í' | 'î' | 'ï' => 'i',
            'ó' | 'ô' | 'õ' => 'o',
            'ú' | 'û' => 'u',
            'ç' => 'c',
            _ => '?',
        })
        .collect()
}

/// `text` cut to at most `max` characters (an ellipsis of `..` marking a cut).
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let keep = max.saturating_sub(2);
    let mut out: String = text.chars().take(keep).collect();
    if max >= 2 {
        out.push_str("..");
    }
    out
}

/// The navigation keys a screen shows, in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keys {
    pub more: String,
    pub back: String,
    pub home: String,
}

/// One screen before it is fitted to the rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Screen {
    /// A line before the title: what went wrong with the last input.
    pub notice: Option<String>,
    pub title: String,
    /// The options, numbered from 1 across pages.
    pub options: Vec<String>,
    /// Which page of the options (from 0).
    pub page: usize,
    /// Whether `0 Back` and `00 Home` are shown (not on the PIN screens
    /// before the menu, nor on a last screen).
    pub navigation: bool,
}

impl Screen {
    pub fn new(title: impl Into<String>) -> Self {
        Screen {
            title: title.into(),
            navigation: true,
            ..Screen::default()
        }
    }

    pub fn notice(mut self, notice: impl Into<String>) -> Self {
        self.notice = Some(notice.into());
        self
    }

    pub fn options(mut self, options: Vec<String>) -> Self {
        self.options = options;
        self
    }

    pub fn page(mut self, page: usize) -> Self {
        self.page = page;
        self
    }

    pub fn without_navigation(mut self) -> Self {
        self.navigation = false;
        self
    }

    /// How many pages the options take.
    pub fn pages(&self) -> usize {
        self.options.len().div_ceil(PAGE_SIZE).max(1)
    }

    /// The option a key chooses on the page shown: its index in
    /// [`Screen::options`].
    pub fn chosen(&self, key: &str) -> Option<usize> {
        if key.is_empty() || key.len() > 3 || !key.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let number: usize = key.parse().ok()?;
        let first = self.page * PAGE_SIZE + 1;
        let last = (first + PAGE_SIZE - 1).min(self.options.len());
        (first..=last).contains(&number).then(|| number - 1)
    }

    /// The screen's text, within every rule of this module.
    pub fn render(&self, keys: &Keys) -> String {
        let start = self.page * PAGE_SIZE;
        let shown: Vec<(usize, String)> = self
            .options
            .iter()
            .enumerate()
            .skip(start)
            .take(PAGE_SIZE)
            .map(|(i, o)| (i + 1, to_gsm7(o)))
            .collect();
        let more = start + PAGE_SIZE < self.options.len();
        let mut footer = Vec::new();
        if more {
            footer.push(keys.more.clone());
        }
        if self.navigation {
            footer.push(format!("{} {}", keys.back, keys.home));
        }
        let footer = footer.join("\n");
        let title = to_gsm7(&self.title);
        let notice = self.notice.as_deref().map(to_gsm7);
        let compose = |notice: Option<&str>, title: &str, label_max: usize| {
            let mut lines: Vec<String> = Vec::new();
            lines.extend(notice.map(str::to_string));
            if !title.is_empty() {
                lines.push(title.to_string());
            }
            for (n, label) in &shown {
                lines.push(format!("{n} {}", cut(label, label_max)));
            }
            if !footer.is_empty() {
                lines.push(footer.clone());
            }
            lines.join("\n")
        };
        let whole = compose(notice.as_deref(), &title, usize::MAX);
        if whole.chars().count() <= MAX_CHARS {
            return whole;
        }
        // Too long: shorten the options' labels first, to the room left.
        let fixed = compose(notice.as_deref(), &title, 0).chars().count();
        if !shown.is_empty() && fixed < MAX_CHARS {
            let room = (MAX_CHARS - fixed) / shown.len();
            if room >= 6 {
                return compose(notice.as_deref(), &title, room);
            }
        }
        // Still too long: the title is cut, and the notice given up.
        let without_title = compose(None, "", 12).chars().count();
        let title_room = MAX_CHARS.saturating_sub(without_title + 1);
        cut(&compose(None, &cut(&title, title_room), 12), MAX_CHARS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ussd::texts::{ALL, T};
    use app::i18n::Locale;

    /// Placeholders' values, as long as they are made on screen.
    const VALUES: [(&str, &str); 12] = [
        ("centre", "Huduma Centre GPO Nairobi"),
        ("when", "Tue 14 Apr 2026, 09:30"),
        ("reference", "KE-7H2K-9QXM"),
        ("code", "*384*4321#"),
        ("left", "2"),
        ("count", "12"),
        ("text", "KE-7H2K-9QXM: Visit booked"),
        ("certificate", "1234567890"),
        ("name", "Wanjiku Akinyi Kamau"),
        ("born", "05-03-1998"),
        ("county", "Elgeyo-Marakwet"),
        ("language", "Kiswahili"),
    ];

    fn keys() -> Keys {
        Keys {
            more: "98 More".into(),
            back: "0 Back".into(),
            home: "00 Home".into(),
        }
    }

    #[test]
    fn every_ussd_text_in_both_languages_is_gsm7_and_fits_a_screen() {
        let values = VALUES;
        for locale in [Locale::en, Locale::sw] {
            for text in ALL {
                let filled = text.fill(locale, &values);
                assert!(is_gsm7(&filled), "{text:?} in {locale:?}: {filled:?}");
                assert!(
                    filled.chars().count() + 14 <= MAX_CHARS,
                    "{text:?} in {locale:?} leaves no room for its keys: {filled:?}"
                );
            }
        }
    }

    #[test]
    fn the_locale_files_ussd_texts_are_gsm7_and_short() {
        for file in [
            include_str!("../../../app/locales/en.json"),
            include_str!("../../../app/locales/sw.json"),
        ] {
            let all: serde_json::Value = serde_json::from_str(file).unwrap();
            let ussd = all["ussd"].as_object().expect("a ussd section");
            assert_eq!(ussd.len(), ALL.len());
            for (key, value) in ussd {
                // Placeholders (braces are not GSM-7) filled as on screen.
                let text = crate::ussd::texts::fill(value.as_str().unwrap(), &VALUES);
                assert!(is_gsm7(&text), "ussd.{key}: {text:?}");
                assert!(text.chars().count() <= 160, "ussd.{key}: {text:?}");
            }
        }
    }

    #[test]
    fn a_long_list_shows_five_options_then_more_back_and_home() {
        let options: Vec<String> = (1..=12).map(|i| format!("Centre {i}")).collect();
        let screen = Screen::new("Choose a centre:").options(options);
        assert_eq!(
            screen.render(&keys()),
            "Choose a centre:\n1 Centre 1\n2 Centre 2\n3 Centre 3\n4 Centre 4\n5 Centre 5\n98 More\n0 Back 00 Home"
        );
        assert_eq!(screen.pages(), 3);
        let last = screen.clone().page(2);
        assert_eq!(
            last.render(&keys()),
            "Choose a centre:\n11 Centre 11\n12 Centre 12\n0 Back 00 Home"
        );
        assert_eq!(last.chosen("12"), Some(11));
        assert_eq!(last.chosen("3"), None, "an option of another page");
        assert_eq!(last.chosen("13"), None);
        assert_eq!(last.chosen("x"), None);
        assert_eq!(last.chosen(""), None);
    }

    #[test]
    fn a_screen_never_exceeds_182_characters_nor_leaves_gsm7() {
        let long =
            "Huduma Centre \u{2018}Kakamega\u{2019} — with a very long name indeed ".repeat(4);
        let screen = Screen::new(long.clone())
            .notice(long.clone())
            .options(vec![long.clone(); 7]);
        let text = screen.render(&keys());
        assert!(text.chars().count() <= MAX_CHARS, "{text}");
        assert!(is_gsm7(&text), "{text}");
        assert!(text.contains("\n1 "), "{text}");
        assert!(text.ends_with("98 More\n0 Back 00 Home"), "{text}");
        let emoji = Screen::new("Hi \u{1F600}").render(&keys());
        assert_eq!(emoji, "Hi ?\n0 Back 00 Home");
    }

    #[test]
    fn curly_quotes_and_dashes_become_their_plain_forms() {
        assert_eq!(to_gsm7("Murang\u{2019}a \u{2013} Town"), "Murang'a - Town");
        assert!(is_gsm7(&T::Home.fill(Locale::sw, &[])));
    }
}
