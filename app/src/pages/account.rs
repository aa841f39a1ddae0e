//! The citizen's account: deleting it (after saying what that does, and
//! with a fresh code sent to the account's contact). The download of their
//! data is a plain file the server makes.

use crate::components::fields::{Text, form_errors};
use crate::components::layout::page_title;
use crate::components::live_check::Check;
use crate::context::use_locale;
use crate::forms::Form;
use crate::i18n::*;
use leptos::prelude::*;

/// "Delete your account?": first a code is sent to the account's own
/// phone or email (`sent_to`, masked, once it is), then the account is
/// deleted with that code, so a session left open on a shared phone cannot
/// delete it on its own.
#[derive(Clone, Debug, Default)]
pub struct DeleteAccountView {
    pub form: Form,
    pub sent_to: Option<String>,
}

/// The form field the confirmation code is typed in.
pub const CODE: &str = "code";
/// The button that sends the code (where a refusal to send one points).
pub const SEND_CODE: &str = "send-code";

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
    let data = use_context::<DeleteAccountView>().unwrap_or_default();
    let title = td_string!(locale, account.delete_title);
    let prefix = if data.form.has_errors() {
        td_string!(locale, errors.title_prefix)
    } else {
        ""
    };
    let send_error = data.form.error(SEND_CODE).map(|e| e.message(locale));
    view! {
        {page_title(locale, &format!("{prefix}{title}"))}
        {form_errors(locale, &data.form)}
        <h1>{title}</h1>
        <p>{td!(locale, account.delete_lead)}</p>
        <ul class="list list--bullet">
            <li>{td!(locale, account.delete_bookings)}</li>
            <li>{td!(locale, account.delete_answers)}</li>
            <li>{td!(locale, account.delete_enrolled)}</li>
            <li>{td!(locale, account.delete_sign_out)}</li>
        </ul>
        <p><a href="/account/data.json" download="usajili-my-data.json">{td!(locale, account.delete_first)}</a></p>
        {match data.sent_to.clone() {
            None => view! {
                <p>{td!(locale, account.delete_code_why)}</p>
                <p class="error-message" id="send-code-error" hidden=send_error.is_none()>{send_error}</p>
                <form method="post" action="/account/delete/code" class="button-group">
                    <button class="button button--warning" type="submit" id=SEND_CODE data-testid="send-delete-code">{td!(locale, account.delete_send_code)}</button>
                    <a class="button button--secondary" href="/applications">{td!(locale, account.keep)}</a>
                </form>
            }.into_any(),
            Some(sent_to) => view! {
                <p class="lead" data-testid="code-sent-to">{td_string!(locale, sign_in.code_sent_to)} " " <strong>{sent_to}</strong></p>
                <p>{td!(locale, sign_in.code_expiry)}</p>
                <form method="post" action="/account/delete" novalidate>
                    {Text::new(CODE, td_string!(locale, sign_in.code_label))
                        .hint(td_string!(locale, sign_in.code_hint))
                        .autocomplete("one-time-code")
                        .numeric()
                        .width("input--width-10")
                        .check(Check::Code)
                        .render(locale, &data.form)}
                    <div class="button-group">
                        <button class="button button--warning" type="submit" data-testid="confirm-delete">{td!(locale, account.delete_confirm)}</button>
                        <a class="button button--secondary" href="/applications">{td!(locale, account.keep)}</a>
                    </div>
                </form>
                <form method="post" action="/account/delete/code">
                    <button class="button button--secondary" type="submit" id=SEND_CODE>{td!(locale, account.delete_new_code)}</button>
                </form>
            }.into_any(),
        }}
    }
}
