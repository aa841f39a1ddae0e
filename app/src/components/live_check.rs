//! Checks a field in the browser as the citizen types, with the same
//! identifier types the server checks it with again.
//!
//! An island that renders nothing: once hydrated it listens to its field
//! (found by id) and fills in the field's error message, which the server
//! always renders (hidden when empty). When the citizen leaves a field the
//! field is checked; while an error shows, it is checked again on every
//! keystroke, so the message goes away as soon as it is fixed. Phone
//! numbers are not checked here: their rules are too large for the WASM.
//!
//! A message never moves the page under a press in progress: when the
//! field is left because a pointer (a finger, a mouse) is pressed
//! somewhere, the message waits until that press is released and its click
//! has landed. Shown at once, it would push what lies below it down, and
//! the button being tapped would move away from the finger.

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    const ALL: [Check; 11] = [
        Check::Name,
        Check::NationalId,
        Check::BirthCertificate,
        Check::KraPin,
        Check::Passport,
        Check::Nhif,
        Check::Nssf,
        Check::Email,
        Check::Location,
        Check::Code,
        Check::Reference,
    ];

    /// The check's name in the field's `data-check` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Check::Name => "name",
            Check::NationalId => "national-id",
            Check::BirthCertificate => "birth-certificate",
            Check::KraPin => "kra-pin",
            Check::Passport => "passport",
            Check::Nhif => "nhif",
            Check::Nssf => "nssf",
            Check::Email => "email",
            Check::Location => "location",
            Check::Code => "code",
            Check::Reference => "reference",
        }
    }

    pub fn from_code(code: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.code() == code)
    }

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

/// Rendered after each checked field, which names its check in
/// `data-check` (and `data-optional` when it may be left empty). No props:
/// the island finds its fields in the page, and the page's language in
/// `<html lang>`, so the bundle carries no serialisation code. Every copy on
/// a page does the same; the first to hydrate attaches to all the fields.
#[cfg_attr(all(feature = "islands", feature = "live-check-island"), island)]
#[cfg_attr(
    not(all(feature = "islands", feature = "live-check-island")),
    component
)]
pub fn LiveCheck() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::bundles::rendered(crate::bundles::Island::LiveCheck);
    #[cfg(feature = "hydrate")]
    browser::attach_all();
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::Check;
    use crate::i18n::Locale;
    use std::cell::{Cell, RefCell};
    use wasm_bindgen::{JsCast, closure::Closure};
    use web_sys::{HtmlElement, HtmlInputElement};

    thread_local! {
        /// A pointer is pressed somewhere on the page.
        static PRESSED: Cell<bool> = const { Cell::new(false) };
        /// Messages waiting for the press to be released.
        static WAITING: RefCell<Vec<Box<dyn FnOnce()>>> = const { RefCell::new(Vec::new()) };
        /// The page's press listeners are in place.
        static WATCHING: Cell<bool> = const { Cell::new(false) };
    }

    /// Shows the waiting messages.
    fn show_waiting() {
        for show in WAITING.with(|w| w.take()) {
            show();
        }
    }

    /// Listens, once per page, to presses anywhere: a press (mouse down, or
    /// the mouse down a tap makes, which comes before the field is left)
    /// holds messages back, and its release lets them show once the click
    /// it makes has been handled (a task later).
    fn watch_presses() {
        if WATCHING.with(|w| w.replace(true)) {
            return;
        }
        let Some(window) = web_sys::window() else {
            return;
        };
        let pressed = Closure::<dyn Fn()>::new(|| PRESSED.with(|p| p.set(true)));
        let released = Closure::<dyn Fn()>::new(|| {
            PRESSED.with(|p| p.set(false));
            let later = Closure::once_into_js(show_waiting);
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback(later.unchecked_ref());
            }
        });
        let _ = window.add_event_listener_with_callback_and_bool(
            "mousedown",
            pressed.as_ref().unchecked_ref(),
            true,
        );
        for event in ["mouseup", "dragend", "pointercancel"] {
            let _ = window.add_event_listener_with_callback_and_bool(
                event,
                released.as_ref().unchecked_ref(),
                true,
            );
        }
        pressed.forget();
        released.forget();
    }

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

    /// Attaches to every field on the page that names a check and is not
    /// checked yet.
    pub fn attach_all() {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let locale = crate::context::page_locale();
        let Ok(fields) = document.query_selector_all("input[data-check]:not([data-live-check])")
        else {
            return;
        };
        for i in 0..fields.length() {
            let Some(input) = fields
                .item(i)
                .and_then(|n| n.dyn_into::<HtmlElement>().ok())
            else {
                continue;
            };
            let check = input
                .get_attribute("data-check")
                .and_then(|c| Check::from_code(&c));
            if let Some(check) = check {
                let optional = input.has_attribute("data-optional");
                attach(locale, check, &input.id(), optional);
            }
        }
    }

    fn attach(locale: Locale, check: Check, field: &str, optional: bool) {
        let Some(input) = element(field) else { return };
        watch_presses();
        let on_leave = {
            let field = field.to_string();
            Closure::<dyn Fn()>::new(move || {
                if PRESSED.with(Cell::get) {
                    let field = field.clone();
                    WAITING.with(|w| {
                        w.borrow_mut().push(Box::new(move || {
                            show(locale, check, &field, optional);
                        }))
                    });
                } else {
                    show(locale, check, &field, optional);
                }
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

#[cfg(test)]
mod tests {
    use super::Check;

    #[test]
    fn every_check_reads_back_from_its_attribute() {
        for check in Check::ALL {
            assert_eq!(Check::from_code(check.code()), Some(check));
        }
        assert_eq!(Check::from_code("phone"), None);
    }
}
