//! "Which card can I apply for?": a date of birth in three fields, and the
//! application it leads to.
//!
//! It is an island: with JavaScript the answer appears as the person types;
//! without, the form is a GET to the landing page and the server answers.
//! Both use the same rules in `crate::dates`.

use crate::application::fields::{DOB_DAY, DOB_MONTH, DOB_YEAR};
use crate::components::error_summary::{ErrorSummary, FieldProblem};
use crate::dates::{self, CivilDate, DateOfBirthProblem, Eligibility};
use crate::i18n::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityInput {
    pub day: String,
    pub month: String,
    pub year: String,
}

impl EligibilityInput {
    fn is_empty(&self) -> bool {
        self.day.trim().is_empty() && self.month.trim().is_empty() && self.year.trim().is_empty()
    }

    /// The field named by its form name (`dob-day`, `dob-month`, `dob-year`).
    fn field(&self, name: &str) -> &str {
        match name {
            DOB_DAY => &self.day,
            DOB_MONTH => &self.month,
            _ => &self.year,
        }
    }

    fn field_mut(&mut self, name: &str) -> &mut String {
        match name {
            DOB_DAY => &mut self.day,
            DOB_MONTH => &mut self.month,
            _ => &mut self.year,
        }
    }

    fn outcome(&self, today: CivilDate) -> Result<Eligibility, DateOfBirthProblem> {
        dates::parse_date_of_birth(&self.day, &self.month, &self.year, today)
            .map(|dob| dates::eligibility(dob, today))
    }
}

fn answer(locale: Locale, outcome: Eligibility) -> &'static str {
    match outcome {
        Eligibility::Adult => td_string!(locale, home.eligibility.adult),
        Eligibility::Minor => td_string!(locale, home.eligibility.minor),
        Eligibility::TooYoung => td_string!(locale, home.eligibility.too_young),
    }
}

/// The same messages as the date-of-birth field errors, named one by one
/// rather than through `FieldError::message`, so that the WASM carries these
/// three strings and not every field error.
fn problem(locale: Locale, problem: DateOfBirthProblem) -> &'static str {
    match problem {
        DateOfBirthProblem::Invalid => td_string!(locale, field_errors.date_of_birth.invalid),
        DateOfBirthProblem::InFuture => td_string!(locale, field_errors.date_of_birth.future),
        DateOfBirthProblem::BeforeEarliestYear => {
            td_string!(locale, field_errors.date_of_birth.too_early)
        }
    }
}

// An island in the product; an ordinary component in the fully hydrated
// build that bench/hydration.sh measures against it.
#[cfg_attr(feature = "islands", island)]
#[cfg_attr(not(feature = "islands"), component)]
pub fn EligibilityChecker(
    locale: Locale,
    today: CivilDate,
    input: EligibilityInput,
) -> impl IntoView {
    // A form submitted without JavaScript arrives with its values; the
    // summary is then shown at once and takes focus.
    let submitted_with_values = !input.is_empty();
    let fields = RwSignal::new(input);
    let submitted = RwSignal::new(submitted_with_values);
    let summary_ref = NodeRef::<leptos::html::Div>::new();
    // Effects run only in the browser, once the island has hydrated: the
    // attribute tells tests (and styles) that the live checks are on.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    let outcome = Memo::new(move |_| fields.with(|f| (!f.is_empty()).then(|| f.outcome(today))));
    // While typing, only complete dates are judged; a half-typed date is not
    // an error until the person asks for an answer.
    let error = move || match outcome.get() {
        Some(Err(p)) if submitted.get() => Some(problem(locale, p)),
        _ => None,
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if matches!(outcome.get_untracked(), Some(Err(_)) | None) {
            request_animation_frame(move || {
                if let Some(el) = summary_ref.get_untracked() {
                    let _ = el.focus();
                }
            });
        }
    };

    let field =
        move |id: &'static str, name: &'static str, label: &'static str, width: &'static str| {
            let initial = fields.with_untracked(|f| f.field(name).to_string());
            let value = move || fields.with(|f| f.field(name).to_string());
            view! {
                <div class="date-input__item">
                    <label class="label" for=id>{label}</label>
                    <input
                        class=format!("input input--width-{width}")
                        class:input--error=move || error().is_some()
                        id=id
                        name=name
                        type="text"
                        inputmode="numeric"
                        autocomplete="off"
                        maxlength=if name == DOB_YEAR { "4" } else { "2" }
                        value=initial
                        prop:value=value
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            fields.update(|f| *f.field_mut(name) = v);
                        }
                    />
                </div>
            }
        };

    view! {
        <section
            class="panel"
            aria-labelledby="eligibility-heading"
            data-hydrated=move || hydrated.get().then_some("true")
        >
            <h2 id="eligibility-heading">{td!(locale, home.eligibility.heading)}</h2>
            <p class="hint">{td!(locale, home.eligibility.hint)}</p>
            {move || {
                error()
                    .map(|message| {
                        view! {
                            <ErrorSummary
                                title=td_string!(locale, errors.summary_title).to_string()
                                problems=vec![FieldProblem { field_id: DOB_DAY.into(), message: message.into() }]
                                autofocus=submitted_with_values
                                node_ref=summary_ref
                            />
                        }
                    })
            }}
            <form method="get" action="/" on:submit=on_submit novalidate>
                <div class="form-group" class:form-group--error=move || error().is_some()>
                    <fieldset class="fieldset" role="group" aria-describedby="dob-hint dob-error">
                        <legend class="fieldset__legend">{td!(locale, home.eligibility.legend)}</legend>
                        <p class="hint" id="dob-hint">{td!(locale, home.eligibility.example)}</p>
                        <p class="error-message" id="dob-error" hidden=move || error().is_none()>
                            {move || error().unwrap_or_default()}
                        </p>
                        <div class="date-input">
                            {field(DOB_DAY, DOB_DAY, td_string!(locale, home.eligibility.day), "2")}
                            {field(DOB_MONTH, DOB_MONTH, td_string!(locale, home.eligibility.month), "2")}
                            {field(DOB_YEAR, DOB_YEAR, td_string!(locale, home.eligibility.year), "4")}
                        </div>
                    </fieldset>
                </div>
                <button class="button" type="submit">{td!(locale, home.eligibility.check)}</button>
            </form>
            // A form answered by the server focuses (and so scrolls to) its
            // answer, as it focuses the error summary when there is a problem.
            // (A fragment in the action would stop browsers honouring autofocus.)
            <p
                class="eligibility-answer"
                aria-live="polite"
                tabindex="-1"
                autofocus=submitted_with_values
                data-testid="eligibility-answer"
            >
                {move || match outcome.get() {
                    Some(Ok(e)) => answer(locale, e),
                    _ => "",
                }}
            </p>
        </section>
    }
}
