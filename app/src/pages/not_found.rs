//! The 404 page, with a real 404 status.

use crate::context::use_locale;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let locale = use_locale();
    view! {
        <Title text=format!("{} – {}", td_string!(locale, not_found.title), td_string!(locale, site.name))/>
        <h1>{td!(locale, not_found.title)}</h1>
        <p>{td!(locale, not_found.body)}</p>
        <p><a href="/">{td!(locale, not_found.home_link)}</a></p>
    }
}
