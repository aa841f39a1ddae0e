//! Parents and guardians register children (6 to 17): the adult confirms
//! who they are, adds the child from the birth certificate, uploads a
//! guardianship document if they are not a listed parent, gives consent,
//! and can withdraw it. Plain server-rendered forms; the server provides
//! each page's data as context.

use crate::application::{ApplicationState, fields};
use crate::components::fields::{Text, date_fields, form_errors, radios};
use crate::components::layout::page_title;
use crate::components::live_check::Check;
use crate::components::status::{Appointment, state_label};
use crate::components::tries_used::tries_used_notice;
use crate::context::use_locale;
use crate::forms::Form;
use crate::i18n::*;
use leptos::prelude::*;

/// Largest guardianship document accepted, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;

/// "Confirm who you are": the adult's ID checked with the registry.
#[derive(Clone, Debug, Default)]
pub struct IdentityView {
    pub form: Form,
    /// The tries at matching with the registry are used up until then
    /// (Unix seconds).
    pub tries_used: Option<i64>,
}

/// "Register a child".
#[derive(Clone, Debug, Default)]
pub struct AddChildView {
    pub form: Form,
    /// Shown just after the adult's ID was confirmed.
    pub identity_confirmed: bool,
    /// The tries at matching with the registry are used up until then
    /// (Unix seconds).
    pub tries_used: Option<i64>,
}

/// The child is already registered by the other parent: this adult, a
/// listed parent too, may add their consent.
#[derive(Clone, Debug)]
pub struct AlreadyRegisteredView {
    pub id: String,
}

#[derive(Clone, Debug, Default)]
pub struct GuardianshipView {
    pub id: String,
    pub child_name: String,
    pub form: Form,
}

#[derive(Clone, Debug, Default)]
pub struct ChildConsentView {
    pub id: String,
    pub child_name: String,
    pub form: Form,
}

crate::coded_enum! {
    /// The adult's relationship to the child (`child_links.role`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Role {
        Mother => "mother",
        Father => "father",
        Guardian => "guardian",
    }
}

impl Role {
    fn label(self, locale: Locale) -> &'static str {
        match self {
            Role::Mother => td_string!(locale, children.role_mother),
            Role::Father => td_string!(locale, children.role_father),
            Role::Guardian => td_string!(locale, children.role_guardian),
        }
    }
}

/// One line of the consent ledger, as the child's page shows it.
#[derive(Clone, Debug)]
pub struct ConsentLine {
    pub by_you: bool,
    pub role: Role,
    pub withdrawn: bool,
    pub on: crate::dates::CivilDate,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Review {
    Pending,
    Approved,
    Rejected(String),
}

/// A child's application, as one of its adults sees it.
#[derive(Clone, Debug)]
pub struct ChildView {
    pub id: String,
    pub name: String,
    /// From the birth record: `None` on a guardianship claim under review,
    /// which shows nothing the record says.
    pub age: Option<i32>,
    pub reference: Option<String>,
    pub state: ApplicationState,
    pub role: Role,
    /// This adult has consented (and not withdrawn).
    pub consented: bool,
    pub consents: Vec<ConsentLine>,
    pub review: Option<Review>,
    pub turned_adult: bool,
    pub appointment: Option<Appointment>,
}

#[derive(Clone, Debug)]
pub struct WithdrawView {
    pub id: String,
    pub name: String,
}

/// A child on the applications page.
#[derive(Clone, Debug)]
pub struct ChildSummary {
    pub id: String,
    pub name: String,
    pub state: ApplicationState,
    pub reference: Option<String>,
}

fn titled(locale: Locale, form: &Form, title: &'static str) -> impl IntoView + use<> {
    let prefix = if form.has_errors() {
        td_string!(locale, errors.title_prefix)
    } else {
        ""
    };
    page_title(locale, &format!("{prefix}{title}"))
}

/// The "Your children" section of the applications page.
pub fn your_children(
    locale: Locale,
    children: Vec<ChildSummary>,
    withdrawn: bool,
    appointment_cancelled: bool,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="children-heading" data-testid="children">
            <h2 id="children-heading">{td!(locale, children.section_title)}</h2>
            {withdrawn.then(|| view! {
                <div class="notice" role="status" data-testid="consent-withdrawn">
                    {td!(locale, children.withdrawn)}
                    {appointment_cancelled.then(|| view! { " " {td!(locale, children.withdrawn_appointment)} })}
                </div>
            })}
            <p>{td!(locale, children.section_lead)}</p>
            {if children.is_empty() {
                view! { <p>{td!(locale, children.none)}</p> }.into_any()
            } else {
                view! {
                    <ul class="summary-list">
                        {children.into_iter().map(|c| view! {
                            <li class="summary-list__row">
                                <a href=format!("/children/{}", c.id)>{c.name}</a>
                                " "
                                <span class="tag">{state_label(locale, c.state)}</span>
                                {c.reference.map(|r| view! { " " <span class="reference">{r}</span> })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <p><a class="button button--secondary" href="/children/new" data-testid="add-child">{td!(locale, children.add_link)}</a></p>
        </section>
    }
}

#[component]
pub fn IdentityPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<IdentityView>().unwrap_or_default();
    let title = td_string!(locale, children.identity_title);
    view! {
        {titled(locale, &data.form, title)}
        {data.tries_used.map(|until| tries_used_notice(locale, until))}
        {form_errors(locale, &data.form)}
        <h1>{title}</h1>
        <p class="lead">{td!(locale, children.identity_lead)}</p>
        <form method="post" action="/identity" novalidate>
            {Text::new(fields::ID_NUMBER, td_string!(locale, children.id_label))
                .hint(td_string!(locale, children.id_hint))
                .numeric()
                .width("input--width-10")
                .check(Check::NationalId)
                .render(locale, &data.form)}
            {Text::new(fields::SURNAME, td_string!(locale, children.surname_label)).autocomplete("family-name").check(Check::Name).render(locale, &data.form)}
            {Text::new(fields::GIVEN_NAMES, td_string!(locale, children.given_names_label)).autocomplete("given-name").check(Check::Name).render(locale, &data.form)}
            {date_fields(locale, &data.form, fields::DOB, td_string!(locale, children.dob_legend), td_string!(locale, children.dob_hint))}
            <button class="button" type="submit">{td!(locale, children.confirm)}</button>
        </form>
    }
}

#[component]
pub fn AddChildPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<AddChildView>().unwrap_or_default();
    let title = td_string!(locale, children.add_title);
    view! {
        {titled(locale, &data.form, title)}
        {data.identity_confirmed.then(|| view! { <div class="notice" role="status" data-testid="identity-confirmed">{td!(locale, children.identity_confirmed)}</div> })}
        {data.tries_used.map(|until| tries_used_notice(locale, until))}
        {form_errors(locale, &data.form)}
        <h1>{title}</h1>
        <p class="lead">{td!(locale, children.add_lead)}</p>
        <form method="post" action="/children/new" novalidate>
            {Text::new(fields::BIRTH_CERTIFICATE, td_string!(locale, children.birth_certificate_label))
                .hint(td_string!(locale, children.birth_certificate_hint))
                .numeric()
                .width("input--width-10")
                .check(Check::BirthCertificate)
                .render(locale, &data.form)}
            {Text::new(fields::SURNAME, td_string!(locale, children.child_surname_label))
                .hint(td_string!(locale, children.child_names_hint))
                .check(Check::Name)
                .render(locale, &data.form)}
            {Text::new(fields::GIVEN_NAMES, td_string!(locale, children.child_given_names_label))
                .hint(td_string!(locale, children.child_names_hint))
                .check(Check::Name)
                .render(locale, &data.form)}
            {radios(locale, &data.form, fields::RELATIONSHIP, td_string!(locale, children.relationship_legend), None, vec![
                (fields::RELATIONSHIP_PARENT, td_string!(locale, children.relationship_parent)),
                (fields::RELATIONSHIP_GUARDIAN, td_string!(locale, children.relationship_guardian)),
            ])}
            <button class="button" type="submit">{td!(locale, children.next)}</button>
        </form>
    }
}

#[component]
pub fn AlreadyRegisteredPage() -> impl IntoView {
    let locale = use_locale();
    let Some(data) = use_context::<AlreadyRegisteredView>() else {
        return ().into_any();
    };
    let title = td_string!(locale, children.already_title);
    view! {
        {page_title(locale, title)}
        <h1>{title}</h1>
        <p>{td!(locale, children.already_lead)}</p>
        <form method="post" action=format!("/children/{}/join", data.id)>
            <button class="button" type="submit" data-testid="join">{td!(locale, children.join)}</button>
        </form>
    }
    .into_any()
}

#[component]
pub fn GuardianshipPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<GuardianshipView>().unwrap_or_default();
    let title = td_string!(locale, children.guardianship_title);
    let error = data.form.error(fields::DOCUMENT).map(|e| e.message(locale));
    view! {
        {titled(locale, &data.form, title)}
        {form_errors(locale, &data.form)}
        <span class="caption">{data.child_name.clone()}</span>
        <h1>{title}</h1>
        <p>{td!(locale, children.guardianship_lead)}</p>
        <form method="post" action=format!("/children/{}/guardianship", data.id) enctype="multipart/form-data" novalidate>
            {Text::new(fields::DOCUMENT_REFERENCE, td_string!(locale, children.reference_label))
                .hint(td_string!(locale, children.reference_hint))
                .render(locale, &data.form)}
            <div class="form-group" class:form-group--error=error.is_some() id="document-group">
                <label class="label" for=fields::DOCUMENT>{td!(locale, children.document_label)}</label>
                <p class="hint" id="document-hint">{td!(locale, children.document_hint)}</p>
                <p class="error-message" id="document-error" hidden=error.is_none()>{error}</p>
                <input class="file-upload" id=fields::DOCUMENT name=fields::DOCUMENT type="file"
                    accept="application/pdf,image/jpeg,image/png"
                    aria-describedby=if data.form.error(fields::DOCUMENT).is_some() { "document-hint document-error" } else { "document-hint" }/>
            </div>
            <button class="button" type="submit">{td!(locale, children.upload)}</button>
        </form>
    }
}

#[component]
pub fn ChildConsentPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<ChildConsentView>().unwrap_or_default();
    let title = td_string!(locale, children.consent_title);
    let error = data.form.error(fields::CONSENT).map(|e| e.message(locale));
    view! {
        {titled(locale, &data.form, title)}
        {form_errors(locale, &data.form)}
        <span class="caption" data-testid="child-name">{data.child_name.clone()}</span>
        <h1>{title}</h1>
        <p class="lead">{td!(locale, children.consent_lead)}</p>
        <h2>{td!(locale, children.consent_what_heading)}</h2>
        <p>{td!(locale, children.consent_what)}</p>
        <h2>{td!(locale, children.consent_why_heading)}</h2>
        <p>{td!(locale, children.consent_why)}</p>
        <h2>{td!(locale, children.consent_who_heading)}</h2>
        <p>{td!(locale, children.consent_who)}</p>
        <h2>{td!(locale, children.consent_how_long_heading)}</h2>
        <p>{td!(locale, children.consent_how_long)}</p>
        <h2>{td!(locale, children.consent_withdraw_heading)}</h2>
        <p>{td!(locale, children.consent_withdraw)}</p>
        <form method="post" action=format!("/children/{}/consent", data.id) novalidate>
            <div class="form-group" class:form-group--error=error.is_some() id="consent-group">
                <p class="error-message" id="consent-error" hidden=error.is_none()>{error}</p>
                <div class="checkboxes__item">
                    <input class="checkboxes__input" type="checkbox" id=fields::CONSENT name=fields::CONSENT value="yes" aria-describedby="consent-error"/>
                    <label class="label checkboxes__label" for=fields::CONSENT>{td!(locale, children.consent_label)}</label>
                </div>
            </div>
            <button class="button" type="submit" data-testid="give-consent">{td!(locale, children.consent_submit)}</button>
        </form>
    }
}

#[component]
pub fn ChildPage() -> impl IntoView {
    let locale = use_locale();
    let Some(data) = use_context::<ChildView>() else {
        return ().into_any();
    };
    let title = td_string!(locale, children.child_title);
    let id = data.id.clone();
    let date = move |d: crate::dates::CivilDate| crate::calendar::day_label(d, locale);
    view! {
        {page_title(locale, title)}
        {data.turned_adult.then(|| view! { <div class="notice notice--problem" role="alert" data-testid="turned-adult">{td!(locale, children.turned_adult)}</div> })}
        <span class="caption">{title}</span>
        <h1 data-testid="child-name">{data.name.clone()}</h1>
        <dl class="summary-list">
            {data.age.map(|age| view! {
                <div class="summary-list__row"><dt class="summary-list__key">{td!(locale, children.age)}</dt><dd class="summary-list__value" data-testid="child-age">{age}</dd></div>
            })}
            <div class="summary-list__row"><dt class="summary-list__key">{td!(locale, children.your_role)}</dt><dd class="summary-list__value" data-testid="child-role">{data.role.label(locale)}</dd></div>
            {data.reference.clone().map(|r| view! {
                <div class="summary-list__row"><dt class="summary-list__key">{td!(locale, status.reference_label)}</dt><dd class="summary-list__value reference" data-testid="reference">{r}</dd></div>
            })}
            <div class="summary-list__row"><dt class="summary-list__key">{td!(locale, status.heading)}</dt><dd class="summary-list__value" data-testid="state">{state_label(locale, data.state)}</dd></div>
        </dl>
        {match data.review.clone() {
            Some(Review::Pending) => view! { <p class="notice" data-testid="review">{td!(locale, children.review_pending)}</p> }.into_any(),
            Some(Review::Approved) => view! { <p class="notice" data-testid="review">{td!(locale, children.review_approved)}</p> }.into_any(),
            Some(Review::Rejected(reason)) => view! {
                <div class="notice notice--problem" data-testid="review"><p>{td!(locale, children.review_rejected)}</p><p>{reason}</p></div>
            }.into_any(),
            None => ().into_any(),
        }}
        {(!data.consented && data.state.is_active()).then(|| view! {
            <p>{td!(locale, children.consent_needed)} " " <a class="button" href=format!("/children/{id}/consent")>{td!(locale, children.consent_submit)}</a></p>
        })}
        {match (&data.appointment, data.state) {
            (Some(a), _) => view! {
                <section class="panel" data-testid="appointment">
                    <h2>{td!(locale, booking.your_appointment)}</h2>
                    <p><strong>{crate::calendar::appointment_label(a.day, a.slot, locale)}</strong> <br/> {a.centre.clone()}</p>
                    <p><a class="button" href=format!("/applications/{id}/booking")>{td!(locale, booking.view)}</a></p>
                </section>
            }.into_any(),
            (None, ApplicationState::Verified) => view! {
                <p><a class="button" href=format!("/applications/{id}/booking/centres") data-testid="book-appointment">{td!(locale, children.book)}</a></p>
            }.into_any(),
            _ => ().into_any(),
        }}
        <section aria-labelledby="consents-heading">
            <h2 id="consents-heading">{td!(locale, children.consents_heading)}</h2>
            <ul class="list" data-testid="consents">
                {data.consents.into_iter().map(|c| {
                    let who = if c.by_you { td_string!(locale, children.consent_by_you) } else { td_string!(locale, children.consent_by_other) };
                    let what = if c.withdrawn { td_string!(locale, children.consent_withdrawn_on) } else { td_string!(locale, children.consent_given_on) };
                    view! { <li>{format!("{who} ({}) {what} {}", c.role.label(locale), date(c.on))}</li> }
                }).collect_view()}
            </ul>
        </section>
        {(data.consented && data.state.is_active()).then(|| view! {
            <p><a href=format!("/children/{}/withdraw", data.id) data-testid="withdraw-link">{td!(locale, children.withdraw_link)}</a></p>
        })}
        <p><a href="/applications">{td!(locale, apply.list_title)}</a></p>
    }
    .into_any()
}

#[component]
pub fn WithdrawPage() -> impl IntoView {
    let locale = use_locale();
    let Some(data) = use_context::<WithdrawView>() else {
        return ().into_any();
    };
    let title = td_string!(locale, children.withdraw_title);
    view! {
        {page_title(locale, title)}
        <span class="caption">{data.name.clone()}</span>
        <h1>{title}</h1>
        <p>{td!(locale, children.withdraw_lead)}</p>
        <ul class="list list--bullet">
            <li>{td!(locale, children.withdraw_booking)}</li>
            <li>{td!(locale, children.withdraw_stop)}</li>
            <li>{td!(locale, children.withdraw_erase)}</li>
            <li>{td!(locale, children.withdraw_ledger)}</li>
        </ul>
        <form method="post" action=format!("/children/{}/withdraw", data.id) class="button-group">
            <button class="button button--warning" type="submit" data-testid="confirm-withdraw">{td!(locale, children.withdraw_confirm)}</button>
            <a class="button button--secondary" href=format!("/children/{}", data.id)>{td!(locale, children.withdraw_keep)}</a>
        </form>
    }
    .into_any()
}
