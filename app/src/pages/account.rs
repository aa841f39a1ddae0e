//! The citizen's account: deleting it (after saying what that does). The
//! download of their data is a plain file the server makes.

use crate::components::layout::page_title;
use crate::context::use_locale;
use crate::i18n::*;
use leptos::prelude::*;

/// "Delete your account?"
#[derive(Clone, Copy, Debug, Default)]
pub struct DeleteAccountView;

/// The "Your data" section of the applications page.
pub fn your_data(locale: Locale) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="your-data-heading" data-testid="your-data">
            <h2 id="your-data-heading">{td!(locale, account.your_data)}</h2>
            <p>{td!(locale, account.your_data_lead)}</p>
            <ul class="list">
                <li><a href="/account/data.json" download="usajili-my-data.json" data-testid="download-data">{td!(locale, account.download)}</a></li>
                <li><a href="/account/delete" data-testid="delete-account">{td!(locale, account.delete_link)}</a></li>
            </ul>
        </section>
    }
}

#[component]
pub fn DeleteAccountPage() -> impl IntoView {
    let locale = use_locale();
    let title = td_string!(locale, account.delete_title);
    view! {
        {page_title(locale, title)}
        <h1>{title}</h1>
        <p>{td!(locale, account.delete_lead)}</p>
        <ul class="list list--bullet">
            <li>{td!(locale, account.delete_bookings)}</li>
            <li>{td!(locale, account.delete_answers)}</li>
            <li>{td!(locale, account.delete_enrolled)}</li>
            <li>{td!(locale, account.delete_sign_out)}</li>
        </ul>
        <p><a href="/account/data.json" download="usajili-my-data.json">{td!(locale, account.delete_first)}</a></p>
        <form method="post" action="/account/delete" class="button-group">
            <button class="button button--warning" type="submit" data-testid="confirm-delete">{td!(locale, account.delete_confirm)}</button>
            <a class="button button--secondary" href="/applications">{td!(locale, account.keep)}</a>
        </form>
    }
}
