//! Cards ready: a supervisor pastes references, or uploads a CSV, of cards
//! that have arrived at the centre; each applicant is told to book a time
//! to collect theirs.

use super::{StaffBar, staff_bar, titled};
use crate::components::fields::{error_line, error_text, form_errors};
use crate::context::use_locale;
use crate::forms::Form;
use crate::i18n::*;
use leptos::prelude::*;

crate::coded_enum! {
    /// What happened to one reference in a batch (its code is the page's
    /// `data-outcome`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum CardOutcome {
        /// Marked ready; the applicant is being told.
        Ready => "ready",
        /// Ready (or collected) already: nothing changed.
        AlreadyReady => "already_ready",
        /// Not enrolled at this centre: another centre's, unknown, or not
        /// enrolled yet, one answer for all, so that nothing is revealed.
        NotAtCentre => "not_at_centre",
        /// Looks like a reference but its check character is wrong.
        Mistyped => "mistyped",
    }
}

impl CardOutcome {
    fn label(self, locale: Locale) -> &'static str {
        match self {
            CardOutcome::Ready => td_string!(locale, staff.card_ready),
            CardOutcome::AlreadyReady => td_string!(locale, staff.card_already_ready),
            CardOutcome::NotAtCentre => td_string!(locale, staff.card_not_at_centre),
            CardOutcome::Mistyped => td_string!(locale, staff.card_mistyped),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct CardsReadyView {
    pub bar: StaffBar,
    pub form: Form,
    /// After a batch: each reference and what happened to it.
    pub results: Vec<(String, CardOutcome)>,
}

#[component]
pub fn CardsReadyPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<CardsReadyView>().unwrap_or_default();
    let title = td_string!(locale, staff.cards_title);
    let ready = data
        .results
        .iter()
        .filter(|(_, o)| *o == CardOutcome::Ready)
        .count();
    let error = error_text(locale, &data.form, "references");
    let rows = data
        .results
        .iter()
        .map(|(reference, outcome)| {
            view! {
                <tr data-testid="card-result" data-outcome=outcome.code()>
                    <td><code>{reference.clone()}</code></td>
                    <td>{outcome.label(locale)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {titled(locale, &data.form, title)}
        {staff_bar(locale, &data.bar)}
        {form_errors(locale, &data.form)}
        {(!data.results.is_empty()).then(|| view! {
            <div class="notice" role="status" data-testid="cards-marked">
                {format!("{} {ready}", td_string!(locale, staff.cards_marked))}
            </div>
            <table class="table">
                <thead><tr><th scope="col">{td!(locale, staff.col_reference)}</th><th scope="col">{td!(locale, staff.col_status)}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        })}
        <h1>{title}</h1>
        <p class="lead">{td!(locale, staff.cards_lead)}</p>
        <form method="post" action="/staff/cards-ready" enctype="multipart/form-data" novalidate>
            <div class=if error.is_some() { "field field--error" } else { "field" }>
                <label class="label" for="references">{td!(locale, staff.cards_references_label)}</label>
                <p class="hint" id="references-hint">{td!(locale, staff.cards_references_hint)}</p>
                {error_line("references-error".to_string(), error)}
                <textarea class="textarea" id="references" name="references" rows="8"
                    aria-describedby="references-hint references-error" aria-invalid=error.is_some().then_some("true")>
                    {data.form.value("references").to_string()}
                </textarea>
            </div>
            <div class="field">
                <label class="label" for="file">{td!(locale, staff.cards_file_label)}</label>
                <p class="hint" id="file-hint">{td!(locale, staff.cards_file_hint)}</p>
                <input class="file-upload" type="file" id="file" name="file" accept=".csv,text/csv,text/plain" aria-describedby="file-hint"/>
            </div>
            <button class="button" type="submit">{td!(locale, staff.cards_button)}</button>
        </form>
    }
}
