//! The landing page (GOV.UK's start page): what the service does, what you
//! need, the Start now button to sign-in, what to bring, how data is kept.

use crate::application::fields::{DOB_DAY, DOB_MONTH, DOB_YEAR};
use crate::context::{Today, use_locale};
use crate::dates::CivilDate;
use crate::i18n::*;
use crate::pages::eligibility::{EligibilityChecker, EligibilityInput};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn HomePage() -> impl IntoView {
    let locale = use_locale();
    // The checker's fields live in the URL (`?dob-day=…`), so that it works
    // as a plain GET form without JavaScript.
    let query = use_query_map();
    let input = query.with_untracked(|q| EligibilityInput {
        day: q.get(DOB_DAY).unwrap_or_default(),
        month: q.get(DOB_MONTH).unwrap_or_default(),
        year: q.get(DOB_YEAR).unwrap_or_default(),
    });
    let today = use_context::<Today>().map_or_else(today_in_nairobi, |t| t.0);
    view! {
        <Title text=format!("{} – {}", td_string!(locale, home.title), td_string!(locale, site.name))/>
        <h1>{td!(locale, home.title)}</h1>
        <p class="lead">{td!(locale, home.lead)}</p>

        <section aria-labelledby="can-do">
            <h2 id="can-do">{td!(locale, home.can_do_heading)}</h2>
            <ul class="list">
                <li>{td!(locale, home.can_do_apply)}</li>
                <li>{td!(locale, home.can_do_child)}</li>
                <li>{td!(locale, home.can_do_book)}</li>
                <li>{td!(locale, home.can_do_status)}</li>
            </ul>
        </section>

        // GOV.UK's start page: what you need, then the way in.
        <section aria-labelledby="before-you-start">
            <h2 id="before-you-start">{td!(locale, home.before_heading)}</h2>
            <p>{td!(locale, home.before_lead)}</p>
            <ul class="list">
                <li>{td!(locale, home.need_birth_cert)}</li>
                <li>{td!(locale, home.need_contact)}</li>
                <li>{td!(locale, home.need_photo)}</li>
                <li>{td!(locale, home.need_parents)}</li>
            </ul>
            <a class="button button--start" href="/sign-in" draggable="false" data-testid="start-now">
                {td!(locale, home.start)}
                <svg class="button__start-icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19" viewBox="0 0 33 40" aria-hidden="true" focusable="false">
                    <path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z"/>
                </svg>
            </a>
        </section>

        <EligibilityChecker locale today input/>

        <section aria-labelledby="bring">
            <h2 id="bring">{td!(locale, home.bring_heading)}</h2>
            <ul class="list">
                <li>{td!(locale, home.bring_birth_cert)}</li>
                <li>{td!(locale, home.bring_parent_ids)}</li>
                <li>{td!(locale, home.bring_reference)}</li>
                <li>{td!(locale, home.bring_child)}</li>
            </ul>
        </section>

        <section aria-labelledby="data">
            <h2 id="data">{td!(locale, home.data_heading)}</h2>
            <ul class="list">
                <li>{td!(locale, home.data_minimum)}</li>
                <li>{td!(locale, home.data_encrypted)}</li>
                <li>{td!(locale, home.data_staff)}</li>
                <li>{td!(locale, home.data_rights)}</li>
            </ul>
            <p><a href="/privacy">{td!(locale, home.data_more)}</a></p>
        </section>
    }
}

/// Today by the machine's clock, where the server gave no [`Today`].
#[cfg(feature = "ssr")]
fn today_in_nairobi() -> CivilDate {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    CivilDate::in_nairobi_at(now)
}

#[cfg(not(feature = "ssr"))]
fn today_in_nairobi() -> CivilDate {
    CivilDate::in_nairobi_at((js_sys::Date::now() / 1000.0) as i64)
}
