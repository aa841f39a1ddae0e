//! A supervisor's page for what the registry checks decided about a person,
//! once their documents have been seen at the counter: freeing an ID number
//! that another account proved by mistake, and giving back the registry
//! tries of an ID or birth-certificate number (and of the person's account).

use super::{StaffBar, staff_bar, titled};
use crate::application::fields;
use crate::components::fields::{Text, form_errors};
use crate::context::use_locale;
use crate::forms::Form;
use crate::i18n::*;
use leptos::prelude::*;

/// The form's field for the account's phone number or email address.
pub const CONTACT: &str = "contact";
/// What the form asks for (`action`).
pub const UNBIND: &str = "unbind";
pub const RESET: &str = "reset";

/// What was just done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentitiesDone {
    Unbound,
    Reset,
}

#[derive(Clone, Debug, Default)]
pub struct IdentitiesView {
    pub bar: StaffBar,
    pub form: Form,
    pub done: Option<IdentitiesDone>,
}

#[component]
pub fn IdentitiesPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<IdentitiesView>().unwrap_or_default();
    let title = td_string!(locale, staff.identities_title);
    let done = data.done.map(|done| match done {
        IdentitiesDone::Unbound => td_string!(locale, staff.identities_unbound),
        IdentitiesDone::Reset => td_string!(locale, staff.identities_reset),
    });
    view! {
        {titled(locale, &data.form, title)}
        {staff_bar(locale, &data.bar)}
        {done.map(|text| view! { <div class="notice" role="status" data-testid="identities-done">{text}</div> })}
        {form_errors(locale, &data.form)}
        <h1>{title}</h1>
        <p class="lead">{td!(locale, staff.identities_lead)}</p>
        <form method="post" action="/staff/identities" novalidate>
            {Text::new(fields::ID_NUMBER, td_string!(locale, staff.identities_id_number)).numeric().width("input--width-10").render(locale, &data.form)}
            {Text::new(fields::BIRTH_CERTIFICATE, td_string!(locale, staff.identities_birth_certificate)).numeric().width("input--width-10").render(locale, &data.form)}
            {Text::new(CONTACT, td_string!(locale, staff.identities_contact)).hint(td_string!(locale, staff.identities_contact_hint)).render(locale, &data.form)}
            <div>
                <button class="button" type="submit" name="action" value=RESET>{td!(locale, staff.identities_reset_button)}</button>
                <button class="button button--secondary" type="submit" name="action" value=UNBIND>{td!(locale, staff.identities_unbind_button)}</button>
            </div>
        </form>
    }
}
