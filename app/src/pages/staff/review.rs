//! Supervisors' pages: guardianship documents to review, and the audit trail.

use super::{StaffBar, staff_bar, titled};
use crate::components::fields::{Text, error_line, error_text, form_errors};
use crate::context::use_locale;
use crate::dates::CivilDate;
use crate::forms::Form;
use crate::i18n::*;
use leptos::prelude::*;

#[derive(Clone, Debug)]
pub struct PendingReview {
    pub review_id: String,
    pub reference: String,
    pub uploaded: CivilDate,
}

#[derive(Clone, Debug, Default)]
pub struct ReviewsView {
    pub bar: StaffBar,
    pub pending: Vec<PendingReview>,
    /// "approved" or "rejected" just now.
    pub decided: Option<String>,
}

#[component]
pub fn ReviewsPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<ReviewsView>().unwrap_or_default();
    let title = td_string!(locale, staff.reviews_title);
    let decided = data.decided.as_deref().map(|d| {
        if d == "approved" {
            td_string!(locale, staff.review_approved)
        } else {
            td_string!(locale, staff.review_rejected)
        }
    });
    let rows = data
        .pending
        .iter()
        .map(|p| {
            view! {
                <tr data-testid="pending-review">
                    <td><a href=format!("/staff/reviews/{}", p.review_id)>{p.reference.clone()}</a></td>
                    <td>{p.uploaded.to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {titled(locale, &Form::default(), title)}
        {staff_bar(locale, &data.bar)}
        {decided.map(|text| view! { <div class="notice" role="status">{text}</div> })}
        <h1>{title}</h1>
        {if data.pending.is_empty() {
            view! { <p>{td!(locale, staff.no_reviews)}</p> }.into_any()
        } else {
            view! {
                <table class="table">
                    <thead><tr><th scope="col">{td!(locale, staff.col_reference)}</th><th scope="col">{td!(locale, staff.col_uploaded)}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }.into_any()
        }}
    }
}

#[derive(Clone, Debug, Default)]
pub struct ReviewView {
    pub bar: StaffBar,
    pub review_id: String,
    pub reference: String,
    pub child_name: String,
    pub child_date_of_birth: Option<CivilDate>,
    pub document_reference: String,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    pub document_type: String,
    pub form: Form,
}

#[component]
pub fn ReviewPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<ReviewView>().unwrap_or_default();
    let title = td_string!(locale, staff.review_title);
    let id = data.review_id.clone();
    let document = format!("/staff/reviews/{id}/document");
    let decision_error = error_text(locale, &data.form, "decision");
    let chosen = data.form.value("decision").to_string();
    view! {
        {titled(locale, &data.form, title)}
        {staff_bar(locale, &data.bar)}
        {form_errors(locale, &data.form)}
        <p><a href="/staff/reviews">{td!(locale, staff.back_to_reviews)}</a></p>
        <h1>{title}</h1>
        <dl class="summary-list summary-list--plain">
            <div class="summary-list__row"><dt>{td!(locale, staff.col_reference)}</dt><dd><code>{data.reference.clone()}</code></dd></div>
            <div class="summary-list__row"><dt>{td!(locale, staff.child_name)}</dt><dd>{data.child_name.clone()}</dd></div>
            {data.child_date_of_birth.map(|d| view! { <div class="summary-list__row"><dt>{td!(locale, staff.date_of_birth)}</dt><dd>{d.to_string()}</dd></div> })}
            <div class="summary-list__row"><dt>{td!(locale, staff.document_reference)}</dt><dd>{data.document_reference.clone()}</dd></div>
        </dl>
        {if data.document_type.starts_with("image/") {
            view! { <img class="document-preview" src=document.clone() alt=td_string!(locale, staff.document_alt)/> }.into_any()
        } else {
            view! { <p><a href=document.clone() data-testid="document-link">{td!(locale, staff.open_document)}</a></p> }.into_any()
        }}
        <form method="post" action=format!("/staff/reviews/{id}") novalidate>
            <div class=if decision_error.is_some() { "field field--error" } else { "field" }>
                <fieldset class="fieldset" aria-describedby="decision-error">
                    <legend class="legend">{td!(locale, staff.decision_legend)}</legend>
                    {error_line("decision-error".to_string(), decision_error)}
                    <div class="radios">
                        <div class="radio">
                            <input type="radio" id="decision" name="decision" value="approve" checked=chosen == "approve"/>
                            <label for="decision">{td!(locale, staff.approve)}</label>
                        </div>
                        <div class="radio">
                            <input type="radio" id="decision-reject" name="decision" value="reject" checked=chosen == "reject"/>
                            <label for="decision-reject">{td!(locale, staff.reject)}</label>
                        </div>
                    </div>
                </fieldset>
            </div>
            {Text::new("reason", td_string!(locale, staff.reason_label)).hint(td_string!(locale, staff.reason_hint)).render(locale, &data.form)}
            <button class="button" type="submit">{td!(locale, staff.decide_button)}</button>
        </form>
    }
}

#[derive(Clone, Debug)]
pub struct AuditLine {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub record: String,
    pub source: String,
}

#[derive(Clone, Debug, Default)]
pub struct AuditView {
    pub bar: StaffBar,
    pub entries: Vec<AuditLine>,
    /// An administrator's view: every centre.
    pub all_centres: bool,
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<AuditView>().unwrap_or_default();
    let title = td_string!(locale, staff.audit_title);
    let rows = data
        .entries
        .iter()
        .map(|e| {
            view! {
                <tr data-testid="audit-entry">
                    <td>{e.seq}</td>
                    <td>{e.at.clone()}</td>
                    <td>{e.actor.clone()}</td>
                    <td><code>{e.action.clone()}</code></td>
                    <td>{e.record.clone()}</td>
                    <td>{e.source.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {titled(locale, &Form::default(), title)}
        {staff_bar(locale, &data.bar)}
        <h1>{title}</h1>
        <p class="lead">{if data.all_centres { td!(locale, staff.audit_all).into_any() } else { td!(locale, staff.audit_centre).into_any() }}</p>
        <table class="table">
            <thead>
                <tr>
                    <th scope="col">"#"</th>
                    <th scope="col">{td!(locale, staff.audit_when)}</th>
                    <th scope="col">{td!(locale, staff.audit_who)}</th>
                    <th scope="col">{td!(locale, staff.audit_what)}</th>
                    <th scope="col">{td!(locale, staff.audit_record)}</th>
                    <th scope="col">{td!(locale, staff.audit_from)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
