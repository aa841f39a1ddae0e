//! "Which card can I apply for?": a date of birth in three fields, and the
//! application it leads to.
//!
//! The server renders the form; a small island (`EligibilityCheck`, no
//! props, no reactive view, so its bundle stays small) makes it answer as
//! the person types. Without JavaScript the form is a GET to the landing
//! page and the server answers. Both use the same rules in `crate::dates`.

use crate::application::fields::{DOB_DAY, DOB_MONTH, DOB_YEAR};
use crate::components::error_summary::{ErrorSummary, FieldProblem};
use crate::dates::{self, CivilDate, DateOfBirthProblem, Eligibility};
use crate::i18n::*;
use leptos::prelude::*;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
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

/// The same messages as the date-of-birth field errors.
fn problem(locale: Locale, problem: DateOfBirthProblem) -> &'static str {
    match problem {
        DateOfBirthProblem::Invalid => td_string!(locale, field_errors.date_of_birth.invalid),
        DateOfBirthProblem::InFuture => td_string!(locale, field_errors.date_of_birth.future),
        DateOfBirthProblem::BeforeEarliestYear => {
            td_string!(locale, field_errors.date_of_birth.too_early)
        }
    }
}

/// The checker as the server renders it: the answer or the problem for
/// the values submitted (without JavaScript), and, in `data-*` attributes,
/// today's date and every text the browser may need, so that the island
/// carries the rules and no text, locale or props.
#[component]
pub fn EligibilityChecker(
    locale: Locale,
    today: CivilDate,
    input: EligibilityInput,
) -> impl IntoView {
    // A form submitted without JavaScript arrives with its values; the
    // summary is then shown at once and takes focus.
    let submitted = !input.is_empty();
    let outcome = submitted.then(|| input.outcome(today));
    let error = match outcome {
        Some(Err(p)) => Some(problem(locale, p)),
        _ => None,
    };
    let answer_text = match outcome {
        Some(Ok(e)) => answer(locale, e),
        _ => "",
    };
    let field = |id: &'static str, label: &'static str, width: &'static str| {
        view! {
            <div class="date-input__item">
                <label class="label" for=id>{label}</label>
                <input
                    class=format!("input input--width-{width}")
                    class:input--error=error.is_some()
                    id=id
                    name=id
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    maxlength=if id == DOB_YEAR { "4" } else { "2" }
                    value=input.field(id).to_string()
                />
            </div>
        }
    };
    view! {
        <section
            class="panel"
            id="eligibility"
            aria-labelledby="eligibility-heading"
            data-today=today.to_string()
            data-submitted=submitted.then_some("true")
            data-adult=answer(locale, Eligibility::Adult)
            data-minor=answer(locale, Eligibility::Minor)
            data-too-young=answer(locale, Eligibility::TooYoung)
            data-invalid=problem(locale, DateOfBirthProblem::Invalid)
            data-future=problem(locale, DateOfBirthProblem::InFuture)
            data-too-early=problem(locale, DateOfBirthProblem::BeforeEarliestYear)
        >
            <h2 id="eligibility-heading">{td!(locale, home.eligibility.heading)}</h2>
            <p class="hint">{td!(locale, home.eligibility.hint)}</p>
            // Always there, hidden while there is no problem, so the island
            // only fills it in.
            <ErrorSummary
                title=td_string!(locale, errors.summary_title).to_string()
                problems=vec![FieldProblem { field_id: DOB_DAY.into(), message: error.unwrap_or_default().into() }]
                autofocus=error.is_some()
                hidden=error.is_none()
            />
            <form method="get" action="/" novalidate>
                <div class="form-group" class:form-group--error=error.is_some()>
                    <fieldset class="fieldset" role="group" aria-describedby="dob-hint dob-error">
                        <legend class="fieldset__legend">{td!(locale, home.eligibility.legend)}</legend>
                        <p class="hint" id="dob-hint">{td!(locale, home.eligibility.example)}</p>
                        <p class="error-message" id="dob-error" hidden=error.is_none()>
                            {error.unwrap_or_default()}
                        </p>
                        <div class="date-input">
                            {field(DOB_DAY, td_string!(locale, home.eligibility.day), "2")}
                            {field(DOB_MONTH, td_string!(locale, home.eligibility.month), "2")}
                            {field(DOB_YEAR, td_string!(locale, home.eligibility.year), "4")}
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
                autofocus=!answer_text.is_empty()
                data-testid="eligibility-answer"
            >
                {answer_text}
            </p>
            <EligibilityCheck/>
        </section>
    }
}

/// The island: no props and no view. In the browser it listens to the
/// three fields and the form, answers as the person types, and shows a
/// problem once they ask for an answer, with the same rules as the server.
#[cfg_attr(all(feature = "islands", feature = "eligibility-island"), island)]
#[cfg_attr(
    not(all(feature = "islands", feature = "eligibility-island")),
    component
)]
pub fn EligibilityCheck() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::bundles::rendered(crate::bundles::Island::Eligibility);
    #[cfg(feature = "hydrate")]
    browser::attach();
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::EligibilityInput;
    use crate::application::fields::{DOB_DAY, DOB_MONTH, DOB_YEAR};
    use crate::dates::{CivilDate, DateOfBirthProblem, Eligibility};
    use std::cell::Cell;
    use std::rc::Rc;
    use wasm_bindgen::{JsCast, closure::Closure};
    use web_sys::{Document, HtmlElement, HtmlInputElement};

    fn element<T: JsCast>(document: &Document, id: &str) -> Option<T> {
        document.get_element_by_id(id)?.dyn_into().ok()
    }

    struct Checker {
        document: Document,
        section: HtmlElement,
        today: CivilDate,
        /// The person has asked for an answer: problems show from then on.
        submitted: Cell<bool>,
    }

    impl Checker {
        fn text(&self, name: &str) -> String {
            self.section.get_attribute(name).unwrap_or_default()
        }

        fn value(&self, id: &str) -> String {
            element::<HtmlInputElement>(&self.document, id)
                .map(|i| i.value())
                .unwrap_or_default()
        }

        fn outcome(&self) -> Option<Result<Eligibility, DateOfBirthProblem>> {
            let input = EligibilityInput {
                day: self.value(DOB_DAY),
                month: self.value(DOB_MONTH),
                year: self.value(DOB_YEAR),
            };
            (!input.is_empty()).then(|| input.outcome(self.today))
        }

        /// Shows the answer, and the problem once asked; returns whether
        /// a problem shows.
        fn show(&self) -> bool {
            let outcome = self.outcome();
            let problem = match outcome {
                Some(Err(p)) if self.submitted.get() => Some(self.text(match p {
                    DateOfBirthProblem::Invalid => "data-invalid",
                    DateOfBirthProblem::InFuture => "data-future",
                    DateOfBirthProblem::BeforeEarliestYear => "data-too-early",
                })),
                _ => None,
            };
            let answer = match outcome {
                Some(Ok(Eligibility::Adult)) => self.text("data-adult"),
                Some(Ok(Eligibility::Minor)) => self.text("data-minor"),
                Some(Ok(Eligibility::TooYoung)) => self.text("data-too-young"),
                _ => String::new(),
            };
            let shown = problem.is_some();
            let message = problem.unwrap_or_default();
            if let Some(error) = element::<HtmlElement>(&self.document, "dob-error") {
                error.set_text_content(Some(&message));
                error.set_hidden(!shown);
            }
            if let Some(summary) = self.summary() {
                if let Ok(Some(link)) = summary.query_selector("a") {
                    link.set_text_content(Some(&message));
                }
                summary.set_hidden(!shown);
            }
            if let Ok(Some(group)) = self.section.query_selector(".form-group") {
                let _ = group
                    .class_list()
                    .toggle_with_force("form-group--error", shown);
            }
            for id in [DOB_DAY, DOB_MONTH, DOB_YEAR] {
                if let Some(input) = element::<HtmlElement>(&self.document, id) {
                    let _ = input.class_list().toggle_with_force("input--error", shown);
                }
            }
            if let Ok(Some(p)) = self
                .section
                .query_selector("[data-testid=eligibility-answer]")
            {
                p.set_text_content(Some(&answer));
            }
            shown
        }

        fn summary(&self) -> Option<HtmlElement> {
            self.section
                .query_selector("[data-testid=error-summary]")
                .ok()??
                .dyn_into()
                .ok()
        }
    }

    pub fn attach() {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Some(section) = element::<HtmlElement>(&document, "eligibility") else {
            return;
        };
        let Some(today) = section
            .get_attribute("data-today")
            .and_then(|t| t.parse::<CivilDate>().ok())
        else {
            return;
        };
        let submitted = section.has_attribute("data-submitted");
        let checker = Rc::new(Checker {
            document,
            section: section.clone(),
            today,
            submitted: Cell::new(submitted),
        });
        let on_input = {
            let checker = checker.clone();
            Closure::<dyn Fn()>::new(move || {
                checker.show();
            })
        };
        let _ =
            section.add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref());
        on_input.forget();
        let on_submit = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
            event.prevent_default();
            checker.submitted.set(true);
            if checker.show()
                && let Some(summary) = checker.summary()
            {
                let _ = summary.focus();
            }
        });
        let _ =
            section.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
        on_submit.forget();
        let _ = section.set_attribute("data-hydrated", "true");
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn render(day: &str, month: &str, year: &str) -> String {
        let owner = Owner::new();
        owner.set();
        let today = CivilDate::new(2026, 11, 30).unwrap();
        let input = EligibilityInput {
            day: day.into(),
            month: month.into(),
            year: year.into(),
        };
        view! { <EligibilityChecker locale=Locale::en today input/> }.to_html()
    }

    #[test]
    fn the_server_answers_and_gives_the_island_its_date_and_texts() {
        let html = render("1", "1", "1990");
        assert!(
            html.contains("You can apply for a national ID card yourself."),
            "{html}"
        );
        assert!(html.contains(r#"data-today="2026-11-30""#), "{html}");
        assert!(html.contains(r#"data-submitted="true""#), "{html}");
        // Every text the island may show, so that it carries none.
        for name in [
            "data-adult",
            "data-minor",
            "data-too-young",
            "data-invalid",
            "data-future",
            "data-too-early",
        ] {
            assert!(html.contains(name), "{name}");
        }
        assert!(html.contains("<leptos-island"), "{html}");
    }

    #[test]
    fn a_problem_is_shown_in_the_summary_and_at_the_field() {
        let html = render("30", "2", "2001");
        assert!(html.contains("Enter a real date of birth"), "{html}");
        assert!(
            !html.contains(r#"data-testid="error-summary" hidden"#),
            "{html}"
        );
        let blank = render("", "", "");
        assert!(!blank.contains("data-submitted"), "{blank}");
    }
}
