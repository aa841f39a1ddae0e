//! Plain answers where no page fits: a form sent the wrong way, cards
//! ready asked for without a centre, our own failure. (A console page
//! refused to a role is a page of the console: `http::staff`.) Their wording is in the locale files
//! (`plain.*`), like every other text.

use app::i18n::{Locale, td_string};

/// One plain answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A form posted from another site.
    CrossSite,
    /// A panic: nothing of the cause is shown.
    Internal,
    /// A failure on our side while handling a form.
    InternalNothingLost,
    /// A form that was not `application/x-www-form-urlencoded`.
    NotAWebForm,
    /// A web form whose body could not be decoded.
    UnreadableForm,
    /// A staff upload form that was not multipart.
    NotAnUpload,
    /// A guardianship document that was not sent as a file.
    DocumentNotAnUpload,
    /// A photo that was not sent as a file.
    PhotoNotAnUpload,
    /// Cards ready, asked for by someone without a centre to mark them at.
    CardsBySupervisor,
}

impl Notice {
    /// The text in one language.
    pub fn text(self, locale: Locale) -> &'static str {
        match self {
            Notice::CrossSite => td_string!(locale, plain.cross_site),
            Notice::Internal => td_string!(locale, plain.internal),
            Notice::InternalNothingLost => td_string!(locale, plain.internal_nothing_lost),
            Notice::NotAWebForm => td_string!(locale, plain.not_a_web_form),
            Notice::UnreadableForm => td_string!(locale, plain.unreadable_form),
            Notice::NotAnUpload => td_string!(locale, plain.not_an_upload),
            Notice::DocumentNotAnUpload => td_string!(locale, plain.document_not_an_upload),
            Notice::PhotoNotAnUpload => td_string!(locale, plain.photo_not_an_upload),
            Notice::CardsBySupervisor => td_string!(locale, plain.cards_by_supervisor),
        }
    }

    /// English, then Kiswahili: a plain answer cannot tell which language
    /// its reader chose.
    pub fn bilingual(self) -> String {
        format!("{} / {}", self.text(Locale::en), self.text(Locale::sw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_answer_reads_in_english_then_kiswahili() {
        assert_eq!(
            Notice::CardsBySupervisor.bilingual(),
            "Cards are marked ready by a centre's supervisor. / Kadi huwekwa alama tayari na msimamizi wa kituo."
        );
    }
}
