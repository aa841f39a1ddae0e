//! Sign-in without a password: a phone number or email address, then the
//! six-digit code sent to it. Plain forms that post to the server.

use crate::components::fields::{Text, form_errors};
use crate::components::layout::page_title;
use crate::components::live_check::Check;
use crate::context::use_locale;
use crate::forms::Form;
use crate::i18n::*;
use crate::identifiers::FieldError;
use leptos::prelude::*;

/// What the server gives the sign-in page.
#[derive(Clone, Debug, Default)]
pub struct SignInView {
    pub form: Form,
    /// Shown after signing out.
    pub signed_out: bool,
    /// Shown after the account was deleted.
    pub deleted: bool,
}

/// What the server gives the code page.
#[derive(Clone, Debug, Default)]
pub struct CodeView {
    pub form: Form,
    /// Where the code went, partly hidden (`+254 7•• ••• 678`).
    pub sent_to: String,
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<SignInView>().unwrap_or_default();
    let title = td_string!(locale, sign_in.title);
    let prefix = if data.form.has_errors() {
        td_string!(locale, errors.title_prefix)
    } else {
        ""
    };
    view! {
        {page_title(locale, &format!("{prefix}{title}"))}
        {data.signed_out.then(|| view! { <div class="notice" role="status">{td!(locale, sign_in.signed_out)}</div> })}
        {data.deleted.then(|| view! { <div class="notice" role="status" data-testid="account-deleted">{td!(locale, account.deleted)}</div> })}
        {form_errors(locale, &data.form)}
        <h1>{title}</h1>
        <p class="lead">{td!(locale, sign_in.lead)}</p>
        <form method="post" action="/sign-in" novalidate>
            {Text::new("contact", td_string!(locale, sign_in.contact_label))
                .hint(td_string!(locale, sign_in.contact_hint))
                .autocomplete("username")
                .render(locale, &data.form)}
            <button class="button" type="submit">{td!(locale, sign_in.send_code)}</button>
        </form>
        <p class="hint">{td!(locale, sign_in.no_captcha)}</p>
    }
}

#[component]
pub fn CodePage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<CodeView>().unwrap_or_default();
    let title = td_string!(locale, sign_in.code_title);
    let spent = data.form.error("code") == Some(FieldError::CodeExpired);
    let prefix = if data.form.has_errors() {
        td_string!(locale, errors.title_prefix)
    } else {
        ""
    };
    view! {
        {page_title(locale, &format!("{prefix}{title}"))}
        {form_errors(locale, &data.form)}
        <h1>{title}</h1>
        <p class="lead" data-testid="code-sent-to">{td_string!(locale, sign_in.code_sent_to)} " " <strong>{data.sent_to}</strong></p>
        {if spent {
            // The code can no longer sign in (too many wrong tries, or
            // expired): getting a new one is the only thing left to do.
            view! {
                <p><a class="button" href="/sign-in" data-testid="get-new-code">{td!(locale, sign_in.get_new_code)}</a></p>
            }.into_any()
        } else {
            view! {
                <p>{td!(locale, sign_in.code_expiry)}</p>
                <form method="post" action="/sign-in/code" novalidate>
                    {Text::new("code", td_string!(locale, sign_in.code_label))
                        .hint(td_string!(locale, sign_in.code_hint))
                        .autocomplete("one-time-code")
                        .numeric()
                        .width("input--width-10")
                        .check(Check::Code)
                        .render(locale, &data.form)}
                    <button class="button" type="submit">{td!(locale, sign_in.sign_in)}</button>
                </form>
                <p><a href="/sign-in">{td!(locale, sign_in.new_code)}</a></p>
            }.into_any()
        }}
    }
}
