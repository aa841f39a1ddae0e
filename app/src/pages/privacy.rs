//! The privacy notice (Data Protection Act 2019, s.29: the duty to notify).

use crate::context::use_locale;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let locale = use_locale();
    view! {
        <Title text=format!("{} – {}", td_string!(locale, privacy.title), td_string!(locale, site.name))/>
        <h1>{td!(locale, privacy.title)}</h1>
        <p class="lead">{td!(locale, privacy.intro)}</p>
        <h2>{td!(locale, privacy.who_heading)}</h2>
        <p>{td!(locale, privacy.who_body)}</p>
        <h2>{td!(locale, privacy.what_heading)}</h2>
        <p>{td!(locale, privacy.what_body)}</p>
        <h2>{td!(locale, privacy.not_heading)}</h2>
        <p>{td!(locale, privacy.not_body)}</p>
        <h2>{td!(locale, privacy.why_heading)}</h2>
        <p>{td!(locale, privacy.why_body)}</p>
        <h2>{td!(locale, privacy.who_sees_heading)}</h2>
        <p>{td!(locale, privacy.who_sees_body)}</p>
        <h2>{td!(locale, privacy.keep_heading)}</h2>
        <p>{td!(locale, privacy.keep_body)}</p>
        <h2>{td!(locale, privacy.rights_heading)}</h2>
        <p>{td!(locale, privacy.rights_body)}</p>
        <h2>{td!(locale, privacy.cookies_heading)}</h2>
        <p>{td!(locale, privacy.cookies_body)}</p>
    }
}
