//! Capacity and closures: a supervisor edits the centre's appointment rules
//! or closes it for a day or part of one, sees which bookings would move
//! (a preview), and confirms. Everything is a plain form.

use super::{StaffBar, VisitKind, staff_bar, titled};
use crate::calendar::{clock_label, day_label};
use crate::capacity::{CentreRules, ClosureRequest};
use crate::components::fields::{
    Text, date_fields_for, error_line, error_text, form_errors, radios,
};
use crate::context::use_locale;
use crate::dates::CivilDate;
use crate::forms::Form;
use crate::i18n::*;
use leptos::prelude::*;

/// A closure ahead, as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosureLine {
    pub id: String,
    pub day: CivilDate,
    /// `None`: the whole day.
    pub span: Option<(u16, u16)>,
    pub reason: String,
    /// For every centre (entered centrally): not this supervisor's to reopen.
    pub everywhere: bool,
}

/// One booking a change moves (or cannot place).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MoveLine {
    pub reference: String,
    pub enrolment: bool,
    pub from: (CivilDate, u16),
    /// `None`: no free time before the horizon; asked to book again.
    pub to: Option<(CivilDate, u16)>,
}

/// The change waiting for confirmation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pending {
    Rules(CentreRules),
    Closure(ClosureRequest),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapacityPreview {
    pub change: Pending,
    /// The form's fields, sent again with the confirmation.
    pub form: Form,
    pub moves: Vec<MoveLine>,
}

/// What the last confirmed change did (shown once, after the redirect).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CapacityOutcome {
    /// `rules`, `closure` or `reopened`.
    pub what: String,
    pub moves: Vec<MoveLine>,
}

#[derive(Clone, Debug, Default)]
pub struct CapacityView {
    pub bar: StaffBar,
    /// The centre's id, sent with every form (an administrator's choice).
    pub centre_id: String,
    /// For an administrator: every centre, to choose from.
    pub centres: Vec<(String, String)>,
    pub rules: Form,
    pub closure: Form,
    pub closures: Vec<ClosureLine>,
    pub preview: Option<CapacityPreview>,
    pub outcome: Option<CapacityOutcome>,
}

fn span_label(locale: Locale, span: Option<(u16, u16)>) -> String {
    match span {
        None => td_string!(locale, staff.whole_day).to_string(),
        Some((from, to)) => format!("{}–{}", clock_label(from), clock_label(to)),
    }
}

fn when(locale: Locale, (day, slot): (CivilDate, u16)) -> String {
    format!("{}, {}", day_label(day, locale), clock_label(slot))
}

fn moves_table(locale: Locale, moves: &[MoveLine]) -> impl IntoView + use<> {
    let rows = moves
        .iter()
        .map(|line| {
            let kind = if line.enrolment { VisitKind::Enrolment } else { VisitKind::Collection };
            view! {
                <tr data-testid="move" data-reference=line.reference.clone() data-placed=line.to.is_some().to_string()
                    data-to=line.to.map(|(day, _)| day.to_string())>
                    <td><code>{line.reference.clone()}</code></td>
                    <td>{kind.label(locale)}</td>
                    <td>{when(locale, line.from)}</td>
                    <td>{match line.to {
                        Some(to) => when(locale, to),
                        None => td_string!(locale, staff.cannot_place).to_string(),
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="table">
            <thead>
                <tr>
                    <th scope="col">{td!(locale, staff.col_reference)}</th>
                    <th scope="col">{td!(locale, staff.col_visit)}</th>
                    <th scope="col">{td!(locale, staff.col_from)}</th>
                    <th scope="col">{td!(locale, staff.col_to)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

fn counts(moves: &[MoveLine], moved: &'static str, rebook: &'static str) -> impl IntoView + use<> {
    let placed = moves.iter().filter(|m| m.to.is_some()).count();
    view! {
        <ul class="list" data-testid="move-counts" data-moved=placed.to_string() data-rebook=(moves.len() - placed).to_string()>
            <li>{format!("{moved} {placed}")}</li>
            <li>{format!("{rebook} {}", moves.len() - placed)}</li>
        </ul>
    }
}

fn hidden_fields(form: &Form) -> impl IntoView + use<> {
    form.values
        .iter()
        .map(|(name, value)| view! { <input type="hidden" name=name.clone() value=value.clone()/> })
        .collect_view()
}

fn preview_view(
    locale: Locale,
    centre_id: String,
    preview: CapacityPreview,
) -> impl IntoView + use<> {
    let (action, summary) = match &preview.change {
        Pending::Rules(rules) => (
            "/staff/capacity/rules",
            view! {
                <dl class="summary-list">
                    <div class="summary-list__row"><dt class="summary-list__key">{td!(locale, staff.counters_label)}</dt><dd class="summary-list__value">{rules.counters}</dd></div>
                    <div class="summary-list__row"><dt class="summary-list__key">{td!(locale, staff.slot_minutes_label)}</dt><dd class="summary-list__value">{rules.slot_minutes}</dd></div>
                    <div class="summary-list__row"><dt class="summary-list__key">{td!(locale, staff.horizon_label)}</dt><dd class="summary-list__value">{rules.horizon_days}</dd></div>
                    {rules.hours.iter().enumerate().map(|(weekday, hours)| view! {
                        <div class="summary-list__row">
                            <dt class="summary-list__key">{weekday_name(locale, weekday)}</dt>
                            <dd class="summary-list__value">{match hours {
                                Some((opens, closes)) => format!("{}–{}", clock_label(*opens), clock_label(*closes)),
                                None => "—".to_string(),
                            }}</dd>
                        </div>
                    }).collect_view()}
                </dl>
            }
            .into_any(),
        ),
        Pending::Closure(closure) => (
            "/staff/capacity/closures",
            view! {
                <dl class="summary-list">
                    <div class="summary-list__row">
                        <dt class="summary-list__key">{td!(locale, staff.preview_closure)}</dt>
                        <dd class="summary-list__value" data-testid="preview-closure">{format!("{}, {}", day_label(closure.day, locale), span_label(locale, closure.span))}</dd>
                    </div>
                    <div class="summary-list__row"><dt class="summary-list__key">{td!(locale, staff.col_reason)}</dt><dd class="summary-list__value">{closure.reason.clone()}</dd></div>
                </dl>
            }
            .into_any(),
        ),
    };
    let moves = preview.moves.clone();
    // Nobody to tell: a plain confirmation.
    let confirm = if moves.is_empty() {
        td_string!(locale, staff.confirm_plain_button)
    } else {
        td_string!(locale, staff.confirm_button)
    };
    view! {
        <h1>{td!(locale, staff.preview_title)}</h1>
        {summary}
        {if moves.is_empty() {
            view! { <p data-testid="preview-none">{td!(locale, staff.preview_none)}</p> }.into_any()
        } else {
            view! {
                <h2>{td!(locale, staff.preview_moves)}</h2>
                {counts(&moves, td_string!(locale, staff.to_move), td_string!(locale, staff.to_rebook))}
                {moves_table(locale, &moves)}
            }
            .into_any()
        }}
        <form method="post" action=action class="inline-form">
            {hidden_fields(&preview.form)}
            <input type="hidden" name="centre" value=centre_id.clone()/>
            <input type="hidden" name="confirm" value="yes"/>
            <button class="button" type="submit" data-testid="confirm-change">{confirm}</button>
        </form>
        <form method="post" action=action class="inline-form">
            {hidden_fields(&preview.form)}
            <input type="hidden" name="centre" value=centre_id/>
            <input type="hidden" name="confirm" value="back"/>
            <button class="button button--secondary" type="submit">{td!(locale, staff.change_button)}</button>
        </form>
    }
}

fn weekday_name(locale: Locale, weekday: usize) -> &'static str {
    match (locale, weekday) {
        (Locale::en, 0) => "Monday",
        (Locale::en, 1) => "Tuesday",
        (Locale::en, 2) => "Wednesday",
        (Locale::en, 3) => "Thursday",
        (Locale::en, 4) => "Friday",
        (Locale::en, 5) => "Saturday",
        (Locale::en, _) => "Sunday",
        (Locale::sw, 0) => "Jumatatu",
        (Locale::sw, 1) => "Jumanne",
        (Locale::sw, 2) => "Jumatano",
        (Locale::sw, 3) => "Alhamisi",
        (Locale::sw, 4) => "Ijumaa",
        (Locale::sw, 5) => "Jumamosi",
        (Locale::sw, _) => "Jumapili",
    }
}

fn hours_fields(locale: Locale, form: &Form) -> impl IntoView + use<> {
    (0..7)
        .map(|weekday| {
            let (opens, closes) = (format!("opens-{weekday}"), format!("closes-{weekday}"));
            let error = error_text(locale, form, &opens).or_else(|| error_text(locale, form, &closes));
            let error_id = format!("hours-{weekday}-error");
            let time = |name: String, label: &'static str| {
                let invalid = form.error(&name).is_some();
                view! {
                    <div class="date-input__item">
                        <label class="label" for=name.clone()>{label}</label>
                        <input class="input input--width-4" class:input--error=invalid type="text" inputmode="numeric"
                            autocomplete="off" id=name.clone() name=name.clone() value=form.value(&name).to_string()
                            aria-describedby=format!("hours-hint {error_id}") aria-invalid=invalid.then_some("true")/>
                    </div>
                }
            };
            view! {
                <div class="form-group" class:form-group--error=error.is_some()>
                    <fieldset class="fieldset" role="group">
                        <legend class="fieldset__legend">{weekday_name(locale, weekday)}</legend>
                        {error_line(error_id.clone(), error)}
                        <div class="date-input">
                            {time(opens, td_string!(locale, staff.opens_label))}
                            {time(closes, td_string!(locale, staff.closes_label))}
                        </div>
                    </fieldset>
                </div>
            }
        })
        .collect_view()
}

fn closures_list(
    locale: Locale,
    centre_id: String,
    closures: Vec<ClosureLine>,
) -> impl IntoView + use<> {
    if closures.is_empty() {
        return view! { <p>{td!(locale, staff.closures_none)}</p> }.into_any();
    }
    let rows = closures
        .into_iter()
        .map(|closure| {
            let action = format!("/staff/capacity/closures/{}/reopen", closure.id);
            let centre_id = centre_id.clone();
            view! {
                <tr data-testid="closure">
                    <td>{day_label(closure.day, locale)}</td>
                    <td>{span_label(locale, closure.span)}</td>
                    <td>{closure.reason.clone()}</td>
                    <td>{if closure.everywhere {
                        view! { {td!(locale, staff.everywhere)} }.into_any()
                    } else {
                        view! {
                            <form method="post" action=action class="inline-form">
                                <input type="hidden" name="centre" value=centre_id/>
                                <button class="link-button" type="submit">{td!(locale, staff.reopen)}</button>
                            </form>
                        }
                        .into_any()
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="table">
            <thead>
                <tr>
                    <th scope="col">{td!(locale, staff.col_day)}</th>
                    <th scope="col">{td!(locale, staff.col_hours)}</th>
                    <th scope="col">{td!(locale, staff.col_reason)}</th>
                    <th scope="col"><span class="visually-hidden">{td!(locale, staff.reopen)}</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

fn outcome_notice(locale: Locale, outcome: CapacityOutcome) -> impl IntoView + use<> {
    let headline = match outcome.what.as_str() {
        "rules" => td_string!(locale, staff.applied_rules),
        "closure" => td_string!(locale, staff.applied_closure),
        _ => td_string!(locale, staff.applied_reopened),
    };
    let moves = outcome.moves;
    view! {
        <div class="notice" role="status" data-testid="capacity-outcome">
            <p>{headline}</p>
            {(!moves.is_empty()).then(|| view! {
                {counts(&moves, td_string!(locale, staff.moved_count), td_string!(locale, staff.rebook_count))}
                <p>{td!(locale, staff.messages_sent)}</p>
            })}
        </div>
        {(!moves.is_empty()).then(|| moves_table(locale, &moves))}
    }
}

#[component]
pub fn CapacityPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<CapacityView>().unwrap_or_default();
    let title = td_string!(locale, staff.capacity_title);
    if let Some(preview) = data.preview {
        return view! {
            {titled(locale, &Form::default(), td_string!(locale, staff.preview_title))}
            {staff_bar(locale, &data.bar)}
            {preview_view(locale, data.centre_id, preview)}
        }
        .into_any();
    }
    // One error summary for both forms (only one is ever posted).
    let both = Form {
        values: data
            .rules
            .values
            .iter()
            .chain(data.closure.values.iter())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        errors: data
            .rules
            .errors
            .iter()
            .chain(data.closure.errors.iter())
            .cloned()
            .collect(),
    };
    let reason_error = error_text(locale, &data.closure, "reason");
    let centre_id = data.centre_id.clone();
    view! {
        {titled(locale, &both, title)}
        {staff_bar(locale, &data.bar)}
        {form_errors(locale, &both)}
        {data.outcome.map(|outcome| outcome_notice(locale, outcome))}
        <h1>{title}</h1>
        <p class="lead">{td!(locale, staff.capacity_lead)}</p>
        {(!data.centres.is_empty()).then(|| view! {
            <form method="get" action="/staff/capacity" class="filters">
                <div class="form-group">
                    <label class="label" for="centre">{td!(locale, staff.centre_label)}</label>
                    <select class="select" id="centre" name="centre">
                        {data.centres.iter().map(|(id, name)| view! {
                            <option value=id.clone() selected=*id == data.centre_id>{name.clone()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button class="button button--secondary" type="submit">{td!(locale, staff.show_centre)}</button>
            </form>
        })}

        <h2 id="closure-heading">{td!(locale, staff.closure_heading)}</h2>
        <form method="post" action="/staff/capacity/closures" novalidate aria-labelledby="closure-heading">
            <input type="hidden" name="centre" value=centre_id.clone()/>
            {date_fields_for(locale, &data.closure, "closure", td_string!(locale, staff.closure_day_legend), td_string!(locale, staff.closure_day_hint), false)}
            {radios(locale, &data.closure, "span", td_string!(locale, staff.span_legend), None, vec![
                ("whole", td_string!(locale, staff.span_whole)),
                ("part", td_string!(locale, staff.span_part)),
            ])}
            <p class="hint" id="times-hint">{td!(locale, staff.times_hint)}</p>
            <div class="date-input">
                {Text::new("from", td_string!(locale, staff.from_label)).numeric().width("input--width-4").render(locale, &data.closure)}
                {Text::new("to", td_string!(locale, staff.to_label)).numeric().width("input--width-4").render(locale, &data.closure)}
            </div>
            <div class="form-group" class:form-group--error=reason_error.is_some()>
                <label class="label" for="reason">{td!(locale, staff.closure_reason_label)}</label>
                <p class="hint" id="reason-hint">{td!(locale, staff.closure_reason_hint)}</p>
                {error_line("reason-error".to_string(), reason_error)}
                <input class="input" class:input--error=reason_error.is_some() type="text" id="reason" name="reason" maxlength="200"
                    value=data.closure.value("reason").to_string() aria-describedby="reason-hint reason-error"
                    aria-invalid=reason_error.is_some().then_some("true")/>
            </div>
            <button class="button" type="submit">{td!(locale, staff.closure_button)}</button>
        </form>

        <h2>{td!(locale, staff.closures_heading)}</h2>
        {closures_list(locale, centre_id.clone(), data.closures)}

        <h2 id="rules-heading">{td!(locale, staff.rules_heading)}</h2>
        <form method="post" action="/staff/capacity/rules" novalidate aria-labelledby="rules-heading">
            <input type="hidden" name="centre" value=centre_id/>
            {Text::new("counters", td_string!(locale, staff.counters_label))
                .hint(td_string!(locale, staff.counters_hint))
                .numeric()
                .width("input--width-4")
                .render(locale, &data.rules)}
            {Text::new("slot_minutes", td_string!(locale, staff.slot_minutes_label)).numeric().width("input--width-4").render(locale, &data.rules)}
            {Text::new("horizon_days", td_string!(locale, staff.horizon_label)).numeric().width("input--width-4").render(locale, &data.rules)}
            <h3>{td!(locale, staff.hours_heading)}</h3>
            <p class="hint" id="hours-hint">{td!(locale, staff.hours_hint)}</p>
            {hours_fields(locale, &data.rules)}
            <button class="button" type="submit">{td!(locale, staff.rules_button)}</button>
        </form>
    }
    .into_any()
}
