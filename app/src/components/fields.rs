//! Form fields, rendered on the server: label, hint, the field's own error
//! message, and the input with what the citizen typed. Every field gets a
//! `LiveCheck` island when the browser can check it as the citizen types.

use crate::components::error_summary::ErrorSummary;
use crate::components::live_check::{Check, LiveCheck};
use crate::forms::Form;
use crate::i18n::*;
use crate::identifiers::CountyCode;
use leptos::prelude::*;

/// The error summary for a form with problems (nothing otherwise). Rendered
/// with `autofocus`, so the browser moves focus to it on load, with or
/// without JavaScript.
pub fn form_errors(locale: Locale, form: &Form) -> impl IntoView + use<> {
    form.has_errors().then(|| {
        view! {
            <ErrorSummary
                title=td_string!(locale, errors.summary_title).to_string()
                problems=form.problems(locale)
                autofocus=true
            />
        }
    })
}

pub(crate) fn described_by(name: &str, hint: bool) -> String {
    if hint {
        format!("{name}-hint {name}-error")
    } else {
        format!("{name}-error")
    }
}

pub(crate) fn error_text(locale: Locale, form: &Form, name: &str) -> Option<&'static str> {
    form.error(name).map(|e| e.message(locale))
}

/// The field's error message: always in the page (hidden when empty) so
/// that the live check can fill it in.
pub(crate) fn error_line(id: String, message: Option<&'static str>) -> impl IntoView {
    view! { <p class="error-message" id=id hidden=message.is_none()>{message}</p> }
}

/// A one-line text input.
pub struct Text {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: Option<&'static str>,
    pub autocomplete: &'static str,
    pub input_type: &'static str,
    pub inputmode: Option<&'static str>,
    /// A width class (`input--width-10`) or "" for the full width.
    pub width: &'static str,
    pub check: Option<Check>,
    pub optional: bool,
}

impl Text {
    pub fn new(name: &'static str, label: &'static str) -> Self {
        Text {
            name,
            label,
            hint: None,
            autocomplete: "off",
            input_type: "text",
            inputmode: None,
            width: "",
            check: None,
            optional: false,
        }
    }
    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }
    pub fn autocomplete(mut self, value: &'static str) -> Self {
        self.autocomplete = value;
        self
    }
    pub fn input_type(mut self, value: &'static str) -> Self {
        self.input_type = value;
        self
    }
    pub fn numeric(mut self) -> Self {
        self.inputmode = Some("numeric");
        self
    }
    pub fn width(mut self, class: &'static str) -> Self {
        self.width = class;
        self
    }
    pub fn check(mut self, check: Check) -> Self {
        self.check = Some(check);
        self
    }
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    pub fn render(self, locale: Locale, form: &Form) -> impl IntoView + use<> {
        let name = self.name;
        let error = error_text(locale, form, name);
        let value = form.value(name).to_string();
        view! {
            <div class="form-group" class:form-group--error=error.is_some() id=format!("{name}-group")>
                <label class="label" for=name>{self.label}</label>
                {self.hint.map(|h| view! { <p class="hint" id=format!("{name}-hint")>{h}</p> })}
                {error_line(format!("{name}-error"), error)}
                <input
                    class=format!("input {}", self.width)
                    class:input--error=error.is_some()
                    id=name
                    name=name
                    type=self.input_type
                    inputmode=self.inputmode
                    autocomplete=self.autocomplete
                    spellcheck="false"
                    value=value
                    aria-describedby=described_by(name, self.hint.is_some())
                    aria-invalid=error.is_some().then_some("true")
                    data-check=self.check.map(Check::code)
                    data-optional=(self.check.is_some() && self.optional).then_some("true")
                />
                {self.check.map(|_| view! { <LiveCheck/> })}
            </div>
        }
    }
}

/// A date in three fields (day, month, year), as GOV.UK asks for dates:
/// `{name}-day`, `{name}-month`, `{name}-year`, one error for the group.
pub fn date_fields(
    locale: Locale,
    form: &Form,
    name: &'static str,
    legend: &'static str,
    hint: &'static str,
) -> impl IntoView + use<> {
    date_fields_for(locale, form, name, legend, hint, true)
}

/// Three date fields for any day (`birthday`: autocomplete as a date of birth).
pub fn date_fields_for(
    locale: Locale,
    form: &Form,
    name: &'static str,
    legend: &'static str,
    hint: &'static str,
    birthday: bool,
) -> impl IntoView + use<> {
    let error = error_text(locale, form, name);
    let part =
        |suffix: &'static str, label: &'static str, width: &'static str, max: &'static str| {
            let id = format!("{name}-{suffix}");
            view! {
                <div class="date-input__item">
                    <label class="label" for=id.clone()>{label}</label>
                    <input
                        class=format!("input {width}")
                        class:input--error=error.is_some()
                        id=id.clone()
                        name=id.clone()
                        type="text"
                        inputmode="numeric"
                        autocomplete=match (birthday, suffix) {
                            (false, _) => "off",
                            (true, "day") => "bday-day",
                            (true, "month") => "bday-month",
                            (true, _) => "bday-year",
                        }
                        maxlength=max
                        value=form.value(&id).to_string()
                        aria-invalid=error.is_some().then_some("true")
                    />
                </div>
            }
        };
    view! {
        <div class="form-group" class:form-group--error=error.is_some() id=format!("{name}-group")>
            <fieldset class="fieldset" role="group" aria-describedby=described_by(name, true)>
                <legend class="fieldset__legend">{legend}</legend>
                <p class="hint" id=format!("{name}-hint")>{hint}</p>
                {error_line(format!("{name}-error"), error)}
                <div class="date-input">
                    {part("day", td_string!(locale, forms.day), "input--width-2", "2")}
                    {part("month", td_string!(locale, forms.month), "input--width-2", "2")}
                    {part("year", td_string!(locale, forms.year), "input--width-4", "4")}
                </div>
            </fieldset>
        </div>
    }
}

/// A set of radio buttons; `options` are (value, label).
pub fn radios(
    locale: Locale,
    form: &Form,
    name: &'static str,
    legend: &'static str,
    hint: Option<&'static str>,
    options: Vec<(&'static str, &'static str)>,
) -> impl IntoView + use<> {
    let error = error_text(locale, form, name);
    let current = form.value(name).to_string();
    view! {
        <div class="form-group" class:form-group--error=error.is_some() id=format!("{name}-group")>
            <fieldset class="fieldset" aria-describedby=described_by(name, hint.is_some())>
                <legend class="fieldset__legend">{legend}</legend>
                {hint.map(|h| view! { <p class="hint" id=format!("{name}-hint")>{h}</p> })}
                {error_line(format!("{name}-error"), error)}
                <div class="radios">
                    {options
                        .into_iter()
                        .enumerate()
                        .map(|(i, (value, label))| {
                            // The first radio carries the field's id, so the
                            // error summary's link lands on it.
                            let id = if i == 0 { name.to_string() } else { format!("{name}-{value}") };
                            view! {
                                <div class="radios__item">
                                    <input
                                        class="radios__input"
                                        type="radio"
                                        id=id.clone()
                                        name=name
                                        value=value
                                        checked=current == value
                                    />
                                    <label class="label radios__label" for=id>{label}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}

/// A list of the 47 counties.
pub fn county_select(
    locale: Locale,
    form: &Form,
    name: &'static str,
    label: &'static str,
) -> impl IntoView + use<> {
    let error = error_text(locale, form, name);
    let current = CountyCode::parse(form.value(name)).ok();
    view! {
        <div class="form-group" class:form-group--error=error.is_some() id=format!("{name}-group")>
            <label class="label" for=name>{label}</label>
            {error_line(format!("{name}-error"), error)}
            <select
                class="select"
                class:input--error=error.is_some()
                id=name
                name=name
                aria-describedby=described_by(name, false)
                aria-invalid=error.is_some().then_some("true")
            >
                <option value="" selected=current.is_none()>{td_string!(locale, forms.choose_county)}</option>
                {CountyCode::all()
                    .map(|c| view! { <option value=c.to_string() selected=current == Some(c)>{c.name()}</option> })
                    .collect_view()}
            </select>
        </div>
    }
}
