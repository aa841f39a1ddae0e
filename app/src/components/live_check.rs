//! Checks a field in the browser as the citizen types, with the same
//! identifier types the server checks it with again.
//!
//! An island that renders nothing: once hydrated it listens to its field
//! (found by id) and fills in the field's error message, which the server
//! always renders (hidden when empty). When the citizen leaves a field the
//! field is checked; while an error shows, it is checked again on every
//! keystroke, so the message goes away as soon as it is fixed. Phone
//! numbers are not checked here: their rules are too large for the WASM.

use crate::i18n::Locale;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Check {
    Name,
    NationalId,
    BirthCertificate,
    KraPin,
    Passport,
    Nhif,
    Nssf,
    Email,
    Location,
    Code,
    Reference,
}

impl Check {
    /// The field's problem, if it has one.
    pub fn problem(self, value: &str) -> Option<crate::identifiers::FieldError> {
        use crate::identifiers::*;
        match self {
            Check::Name => PersonName::parse(value).err(),
            Check::NationalId => NationalIdNumber::parse(value).err(),
            Check::BirthCertificate => BirthCertificateNumber::parse(value).err(),
            Check::KraPin => KraPin::parse(value).err(),
            Check::Passport => PassportNumber::parse(value).err(),
            Check::Nhif => NhifNumber::parse(value).err(),
            Check::Nssf => NssfNumber::parse(value).err(),
            Check::Email => EmailAddress::parse(value).err(),
            Check::Location => crate::application::Location::parse(value).err(),
            Check::Code => crate::forms::sign_in_code_digits(value).err(),
            Check::Reference => ApplicationReference::parse(value).err(),
        }
    }
}

#[cfg_attr(feature = "islands", island)]
#[cfg_attr(not(feature = "islands"), component)]
pub fn LiveCheck(locale: Locale, check: Check, field: String, optional: bool) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| browser::attach(locale, check, &field, optional));
    #[cfg(not(feature = "hydrate"))]
    let _ = (locale, check, field, optional);
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::Check;
    use crate::i18n::Locale;
    use wasm_bindgen::{JsCast, closure::Closure};
    use web_sys::{HtmlElement, HtmlInputElement};

    fn element(id: &str) -> Option<HtmlElement> {
        web_sys::window()?
            .document()?
            .get_element_by_id(id)?
            .dyn_into()
            .ok()
    }

    /// Shows or clears the field's message; returns whether one shows.
    fn show(locale: Locale, check: Check, field: &str, optional: bool) -> bool {
        let Some(input) = element(field).and_then(|e| e.dyn_into::<HtmlInputElement>().ok()) else {
            return false;
        };
        let value = input.value();
        let problem = if optional && value.trim().is_empty() {
            None
        } else {
            check.problem(&value)
        };
        if let Some(message) = element(&format!("{field}-error")) {
            message.set_text_content(problem.map(|p| p.message(locale)));
            message.set_hidden(problem.is_none());
        }
        if let Some(group) = element(&format!("{field}-group")) {
            let _ = group
                .class_list()
                .toggle_with_force("form-group--error", problem.is_some());
        }
        let _ = input
            .class_list()
            .toggle_with_force("input--error", problem.is_some());
        match problem {
            Some(_) => input.set_attribute("aria-invalid", "true"),
            None => input.remove_attribute("aria-invalid"),
        }
        .ok();
        problem.is_some()
    }

    pub fn attach(locale: Locale, check: Check, field: &str, optional: bool) {
        let Some(input) = element(field) else { return };
        let on_leave = {
            let field = field.to_string();
            Closure::<dyn Fn()>::new(move || {
                show(locale, check, &field, optional);
            })
        };
        let on_type = {
            let field = field.to_string();
            Closure::<dyn Fn()>::new(move || {
                let showing = element(&format!("{field}-error")).is_some_and(|m| !m.hidden());
                if showing {
                    show(locale, check, &field, optional);
                }
            })
        };
        let _ = input.add_event_listener_with_callback("change", on_leave.as_ref().unchecked_ref());
        let _ = input.add_event_listener_with_callback("input", on_type.as_ref().unchecked_ref());
        // The listeners live as long as the page.
        on_leave.forget();
        on_type.forget();
        input.set_attribute("data-live-check", "on").ok();
    }
}
