//! The Huduma Centre staff console: sign-in with a password and an
//! authenticator code (`mod.rs`), the day's visits and each person's record
//! (`desk`), guardianship reviews and the audit trail (`review`). Server
//! rendered; every form works without JavaScript.

pub mod accounts;
pub mod capacity;
pub mod cards;
pub mod dashboard;
pub mod desk;
pub mod identities;
pub mod outbox;
pub mod review;
pub mod scan;

use crate::components::fields::{Text, form_errors};
use crate::components::layout::page_title;
use crate::context::use_locale;
use crate::forms::Form;
use crate::i18n::*;
use leptos::prelude::*;

pub use accounts::{
    AccountLine, StaffAccountsPage, StaffAccountsView, StaffPasswordPage, StaffPasswordView,
};
pub use capacity::{
    CapacityOutcome, CapacityPreview, CapacityView, ClosureLine, MoveLine, Pending,
};
pub use cards::{CardOutcome, CardsReadyView};
pub use dashboard::{DashboardView, DayLoad, Uncollected};
pub use desk::{DayCounts, NoteLine, RecordView, TodayView, Visit, VisitKind, VisitStatus};
pub use identities::{IdentitiesDone, IdentitiesView};
pub use outbox::{OutboxLine, OutboxView};
pub use review::{AuditLine, AuditView, PendingReview, ReviewView, ReviewsView};

/// Who is signed in, for the console's navigation bar.
#[derive(Clone, Debug, Default)]
pub struct StaffBar {
    pub email: String,
    /// `officer`, `supervisor` or `administrator`.
    pub role: String,
    pub centre_name: String,
    pub supervisor: bool,
}

pub(crate) fn role_label(locale: Locale, role: &str) -> &'static str {
    match role {
        "supervisor" => td_string!(locale, staff.role_supervisor),
        "administrator" => td_string!(locale, staff.role_administrator),
        _ => td_string!(locale, staff.role_officer),
    }
}

/// The console's own navigation, under the site header.
pub fn staff_bar(locale: Locale, bar: &StaffBar) -> impl IntoView + use<> {
    view! {
        <nav class="staff-bar" aria-label=td_string!(locale, staff.nav_label)>
            <p class="staff-bar__who">
                <span data-testid="staff-email">{bar.email.clone()}</span>
                " · " {role_label(locale, &bar.role)}
                {(!bar.centre_name.is_empty()).then(|| view! { " · " <span data-testid="staff-centre">{bar.centre_name.clone()}</span> })}
            </p>
            <ul class="staff-bar__links">
                <li><a href="/staff">{td!(locale, staff.nav_today)}</a></li>
                <li><a href="/staff/dashboard">{td!(locale, staff.nav_dashboard)}</a></li>
                {bar.supervisor.then(|| view! {
                    <li><a href="/staff/capacity">{td!(locale, staff.nav_capacity)}</a></li>
                    <li><a href="/staff/cards-ready">{td!(locale, staff.nav_cards)}</a></li>
                    <li><a href="/staff/reviews">{td!(locale, staff.nav_reviews)}</a></li>
                    <li><a href="/staff/identities">{td!(locale, staff.nav_identities)}</a></li>
                    <li><a href="/staff/audit">{td!(locale, staff.nav_audit)}</a></li>
                })}
                {(bar.role == "administrator").then(|| view! {
                    <li><a href="/staff/outbox">{td!(locale, staff.nav_outbox)}</a></li>
                    <li><a href="/staff/accounts">{td!(locale, staff.nav_accounts)}</a></li>
                })}
                <li>
                    <form method="post" action="/staff/sign-out" class="inline-form">
                        <button class="link-button" type="submit">{td!(locale, staff.sign_out)}</button>
                    </form>
                </li>
            </ul>
        </nav>
    }
}

/// A console page refused to the member's role (403): the console's bar,
/// what the page needs, and the way back to the day's list.
#[derive(Clone, Debug, Default)]
pub struct StaffRefusedView {
    pub bar: StaffBar,
    /// An administrator's page (else a supervisor's).
    pub administrator: bool,
}

#[component]
pub fn StaffRefusedPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<StaffRefusedView>().unwrap_or_default();
    let title = td_string!(locale, staff.refused_title);
    let why = if data.administrator {
        td_string!(locale, plain.administrator_only)
    } else {
        td_string!(locale, plain.supervisor_only)
    };
    view! {
        {page_title(locale, title)}
        {staff_bar(locale, &data.bar)}
        <h1>{title}</h1>
        <p data-testid="refused">{why}</p>
        <p><a href="/staff">{td!(locale, staff.back_to_list)}</a></p>
    }
}

pub(crate) fn titled(locale: Locale, form: &Form, title: &str) -> impl IntoView + use<> {
    let prefix = if form.has_errors() {
        td_string!(locale, errors.title_prefix)
    } else {
        ""
    };
    page_title(locale, &format!("{prefix}{title}"))
}

#[derive(Clone, Debug, Default)]
pub struct StaffSignInView {
    pub form: Form,
    pub signed_out: bool,
    /// The session ended after 15 minutes without use.
    pub expired: bool,
}

#[component]
pub fn StaffSignInPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<StaffSignInView>().unwrap_or_default();
    let title = td_string!(locale, staff.sign_in_title);
    view! {
        {titled(locale, &data.form, title)}
        {data.signed_out.then(|| view! { <div class="notice" role="status">{td!(locale, staff.signed_out)}</div> })}
        {data.expired.then(|| view! { <div class="notice" role="status">{td!(locale, staff.expired)}</div> })}
        {form_errors(locale, &data.form)}
        <h1>{title}</h1>
        <p class="lead">{td!(locale, staff.sign_in_lead)}</p>
        <form method="post" action="/staff/sign-in" novalidate>
            {Text::new("email", td_string!(locale, staff.email_label)).autocomplete("username").input_type("email").render(locale, &data.form)}
            {Text::new("password", td_string!(locale, staff.password_label))
                .autocomplete("current-password")
                .input_type("password")
                .render(locale, &data.form)}
            <button class="button" type="submit">{td!(locale, staff.continue_button)}</button>
        </form>
    }
}

#[derive(Clone, Debug, Default)]
pub struct StaffCodeView {
    pub form: Form,
}

#[component]
pub fn StaffCodePage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<StaffCodeView>().unwrap_or_default();
    let title = td_string!(locale, staff.code_title);
    view! {
        {titled(locale, &data.form, title)}
        {form_errors(locale, &data.form)}
        <h1>{title}</h1>
        <form method="post" action="/staff/sign-in/code" novalidate>
            {Text::new("code", td_string!(locale, staff.code_label))
                .hint(td_string!(locale, staff.code_hint))
                .autocomplete("one-time-code")
                .numeric()
                .width("input--width-10")
                .render(locale, &data.form)}
            <button class="button" type="submit">{td!(locale, staff.sign_in)}</button>
        </form>
    }
}

#[derive(Clone, Debug, Default)]
pub struct StaffEnrolView {
    pub form: Form,
    /// The secret, base32, for typing into the app by hand.
    pub secret: String,
    /// The `otpauth://` address as an SVG QR code (made on the server).
    pub qr_svg: String,
}

#[component]
pub fn StaffEnrolPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<StaffEnrolView>().unwrap_or_default();
    let title = td_string!(locale, staff.enrol_title);
    // Grouped in fours, as authenticator apps show it.
    let grouped: String = data
        .secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        {titled(locale, &data.form, title)}
        {form_errors(locale, &data.form)}
        <h1>{title}</h1>
        <p class="lead">{td!(locale, staff.enrol_lead)}</p>
        <div class="qr" role="img" aria-label=td_string!(locale, staff.enrol_qr_label) inner_html=data.qr_svg.clone() data-testid="totp-qr"></div>
        <p>{td!(locale, staff.enrol_by_hand)} " " <code data-testid="totp-secret" data-secret=data.secret.clone()>{grouped}</code></p>
        <form method="post" action="/staff/enrol" novalidate>
            {Text::new("code", td_string!(locale, staff.code_label))
                .hint(td_string!(locale, staff.code_hint))
                .autocomplete("one-time-code")
                .numeric()
                .width("input--width-10")
                .render(locale, &data.form)}
            <button class="button" type="submit">{td!(locale, staff.enrol_confirm)}</button>
        </form>
    }
}
