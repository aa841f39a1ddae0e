//! Staff accounts, for administrators (`/staff/accounts`): every member with
//! role, centre, state and last sign-in, and what may be done to each
//! (disable or enable, reset the authenticator, set a temporary password,
//! change role or centre), each a plain form. And the page where a member
//! with a temporary password chooses their own (`/staff/password`).

use super::{StaffBar, role_label, staff_bar, titled};
use crate::components::fields::{Text, form_errors};
use crate::context::use_locale;
use crate::forms::Form;
use crate::i18n::*;
use leptos::prelude::*;

/// One member, as the list shows them.
#[derive(Clone, Debug, Default)]
pub struct AccountLine {
    pub id: String,
    pub email: String,
    /// `officer`, `supervisor` or `administrator`.
    pub role: String,
    pub centre_id: String,
    pub centre_name: String,
    pub disabled: bool,
    /// No authenticator yet (set up at the next sign-in).
    pub must_enrol: bool,
    pub temporary_password: bool,
    /// The last sign-in as a Nairobi time, empty if never.
    pub last_sign_in: String,
    /// The administrator looking at the list.
    pub is_self: bool,
}

#[derive(Clone, Debug, Default)]
pub struct StaffAccountsView {
    pub bar: StaffBar,
    pub lines: Vec<AccountLine>,
    /// Every centre, (id, name), for moving a member.
    pub centres: Vec<(String, String)>,
    /// What the last action did: `disabled`, `enabled`, `reset`,
    /// `password`, `updated`.
    pub done: Option<String>,
    /// A refused action's problem, at its field (`password-<id>`,
    /// `centre-<id>`).
    pub form: Form,
}

fn done_text(locale: Locale, done: &str) -> &'static str {
    match done {
        "disabled" => td_string!(locale, staff.accounts_done_disabled),
        "enabled" => td_string!(locale, staff.accounts_done_enabled),
        "reset" => td_string!(locale, staff.accounts_done_reset),
        "password" => td_string!(locale, staff.accounts_done_password),
        _ => td_string!(locale, staff.accounts_done_updated),
    }
}

fn state_badges(locale: Locale, line: &AccountLine) -> impl IntoView + use<> {
    let mut states = Vec::new();
    if line.disabled {
        states.push(td_string!(locale, staff.accounts_state_disabled));
    } else {
        states.push(td_string!(locale, staff.accounts_state_active));
    }
    if line.must_enrol {
        states.push(td_string!(locale, staff.accounts_state_must_enrol));
    }
    if line.temporary_password {
        states.push(td_string!(locale, staff.accounts_state_temporary));
    }
    states.join(", ")
}

fn actions(locale: Locale, line: &AccountLine, centres: &[(String, String)]) -> AnyView {
    if line.is_self {
        // No one disables, demotes or resets themselves: the last
        // administrator could lock the console out.
        return view! {
            <p class="hint" id=format!("account-{}", line.id)>{td!(locale, staff.accounts_self)}</p>
        }
        .into_any();
    }
    let id = line.id.clone();
    let post = move |what: &str| format!("/staff/accounts/{id}/{what}");
    let toggle = if line.disabled {
        view! {
            <form method="post" action=post("enable") class="inline-form">
                <button class="button button--secondary" type="submit" data-testid="account-enable">{td!(locale, staff.accounts_enable)}</button>
            </form>
        }
        .into_any()
    } else {
        view! {
            <form method="post" action=post("disable") class="inline-form">
                <button class="button button--warning" type="submit" data-testid="account-disable">{td!(locale, staff.accounts_disable)}</button>
            </form>
        }
        .into_any()
    };
    let password_id = format!("password-{}", line.id);
    let role_id = format!("role-{}", line.id);
    let centre_id = format!("centre-{}", line.id);
    let roles = ["officer", "supervisor", "administrator"]
        .into_iter()
        .map(|role| view! { <option value=role selected=line.role == role>{role_label(locale, role)}</option> })
        .collect_view();
    let centre_choices = centres
        .iter()
        .map(|(id, name)| view! { <option value=id.clone() selected=*id == line.centre_id>{name.clone()}</option> })
        .collect_view();
    view! {
        <details class="account-actions">
            <summary>{td!(locale, staff.accounts_manage)}<span class="visually-hidden">" " {line.email.clone()}</span></summary>
            {toggle}
            <form method="post" action=post("reset-totp") class="inline-form">
                <button class="button button--secondary" type="submit" data-testid="account-reset">{td!(locale, staff.accounts_reset)}</button>
            </form>
            <form method="post" action=post("password") novalidate>
                <div class="field">
                    <label class="label" for=password_id.clone()>{td!(locale, staff.accounts_new_password)}</label>
                    <p class="hint" id=format!("{password_id}-hint")>{td!(locale, staff.accounts_new_password_hint)}</p>
                    <input class="input" type="password" autocomplete="new-password" id=password_id.clone() name="password"
                        aria-describedby=format!("{password_id}-hint")/>
                </div>
                <button class="button button--secondary" type="submit" data-testid="account-password">{td!(locale, staff.accounts_set_password)}</button>
            </form>
            <form method="post" action=post("update") novalidate>
                <div class="field">
                    <label class="label" for=role_id.clone()>{td!(locale, staff.accounts_role)}</label>
                    <select class="select" id=role_id name="role">{roles}</select>
                </div>
                <div class="field">
                    <label class="label" for=centre_id.clone()>{td!(locale, staff.accounts_centre)}</label>
                    <p class="hint" id=format!("{centre_id}-hint")>{td!(locale, staff.accounts_centre_hint)}</p>
                    <select class="select" id=centre_id.clone() name="centre" aria-describedby=format!("{centre_id}-hint")>
                        <option value="" selected=line.centre_id.is_empty()>{td!(locale, staff.accounts_no_centre)}</option>
                        {centre_choices}
                    </select>
                </div>
                <button class="button button--secondary" type="submit" data-testid="account-update">{td!(locale, staff.accounts_update)}</button>
            </form>
        </details>
    }
    .into_any()
}

#[component]
pub fn StaffAccountsPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<StaffAccountsView>().unwrap_or_default();
    let title = td_string!(locale, staff.accounts_title);
    let rows = data
        .lines
        .iter()
        .map(|line| {
            let last = if line.last_sign_in.is_empty() {
                td_string!(locale, staff.accounts_never).to_string()
            } else {
                line.last_sign_in.clone()
            };
            view! {
                <tr data-testid="account-line" data-email=line.email.clone() data-disabled=line.disabled.to_string()>
                    <th scope="row">{line.email.clone()}</th>
                    <td>{role_label(locale, &line.role)}</td>
                    <td>{line.centre_name.clone()}</td>
                    <td data-testid="account-state">{state_badges(locale, line)}</td>
                    <td data-testid="account-last-sign-in">{last}</td>
                    <td>{actions(locale, line, &data.centres)}</td>
                </tr>
            }
        })
        .collect_view();
    let notice = data.done.as_deref().map(|done| {
        view! { <div class="notice" role="status" data-testid="accounts-done">{done_text(locale, done)}</div> }
    });
    view! {
        {titled(locale, &data.form, title)}
        {staff_bar(locale, &data.bar)}
        {notice}
        {form_errors(locale, &data.form)}
        <h1>{title}</h1>
        <p class="lead">{td!(locale, staff.accounts_lead)}</p>
        <table class="table">
            <caption class="visually-hidden">{title}</caption>
            <thead>
                <tr>
                    <th scope="col">{td!(locale, staff.email_label)}</th>
                    <th scope="col">{td!(locale, staff.accounts_role)}</th>
                    <th scope="col">{td!(locale, staff.accounts_centre)}</th>
                    <th scope="col">{td!(locale, staff.col_status)}</th>
                    <th scope="col">{td!(locale, staff.accounts_last_sign_in)}</th>
                    <th scope="col"><span class="visually-hidden">{td!(locale, staff.accounts_manage)}</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[derive(Clone, Debug, Default)]
pub struct StaffPasswordView {
    pub form: Form,
}

#[component]
pub fn StaffPasswordPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<StaffPasswordView>().unwrap_or_default();
    let title = td_string!(locale, staff.change_password_title);
    view! {
        {titled(locale, &data.form, title)}
        {form_errors(locale, &data.form)}
        <h1>{title}</h1>
        <p class="lead">{td!(locale, staff.change_password_lead)}</p>
        <form method="post" action="/staff/password" novalidate>
            {Text::new("password", td_string!(locale, staff.accounts_new_password))
                .hint(td_string!(locale, staff.accounts_new_password_hint))
                .autocomplete("new-password")
                .input_type("password")
                .render(locale, &data.form)}
            {Text::new("confirm", td_string!(locale, staff.change_password_confirm))
                .autocomplete("new-password")
                .input_type("password")
                .render(locale, &data.form)}
            <button class="button" type="submit">{td!(locale, staff.change_password_button)}</button>
        </form>
        <form method="post" action="/staff/sign-out" class="inline-form">
            <button class="link-button" type="submit">{td!(locale, staff.sign_out)}</button>
        </form>
    }
}
