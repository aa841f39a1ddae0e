//! The day's visits at a centre, and one person's record at the counter.

use super::scan::QrScan;
use super::{StaffBar, staff_bar, titled};
use crate::calendar::{clock_label, day_label};
use crate::components::fields::{Text, error_line, error_text, form_errors};
use crate::components::in_place::InPlace;
use crate::context::use_locale;
use crate::dates::CivilDate;
use crate::forms::Form;
use crate::i18n::*;
use leptos::prelude::*;

crate::coded_enum! {
    /// What a visit is for (`bookings.kind`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum VisitKind {
        Enrolment => "enrolment",
        Collection => "collection",
    }
}

impl VisitKind {
    pub(crate) fn label(self, locale: Locale) -> &'static str {
        match self {
            VisitKind::Enrolment => td_string!(locale, staff.kind_enrolment),
            VisitKind::Collection => td_string!(locale, staff.kind_collection),
        }
    }
}

crate::coded_enum! {
    /// Where a booking stands at the counter (`bookings.status`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum VisitStatus {
        Booked => "booked",
        CheckedIn => "checked_in",
        DocumentsVerified => "documents_verified",
        BiometricsCaptured => "biometrics_captured",
        IdentityConfirmed => "identity_confirmed",
        HandedOver => "handed_over",
        NoShow => "no_show",
        Cancelled => "cancelled",
        Moved => "moved",
    }
}

impl VisitStatus {
    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Self::Booked => td_string!(locale, staff.status_booked),
            Self::CheckedIn => td_string!(locale, staff.status_checked_in),
            Self::DocumentsVerified => td_string!(locale, staff.status_documents_verified),
            Self::BiometricsCaptured => td_string!(locale, staff.status_biometrics_captured),
            Self::IdentityConfirmed => td_string!(locale, staff.status_identity_confirmed),
            Self::HandedOver => td_string!(locale, staff.status_handed_over),
            Self::NoShow => td_string!(locale, staff.status_no_show),
            Self::Cancelled | Self::Moved => td_string!(locale, staff.status_cancelled),
        }
    }

    /// The list's filter this status falls under.
    pub fn group(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::CheckedIn | Self::DocumentsVerified | Self::IdentityConfirmed => "checked_in",
            Self::BiometricsCaptured | Self::HandedOver => "done",
            Self::NoShow => "no_show",
            Self::Cancelled | Self::Moved => "cancelled",
        }
    }
}

/// One appointment in the day's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Visit {
    pub booking_id: String,
    pub reference: String,
    pub kind: VisitKind,
    pub status: VisitStatus,
    /// Minutes after midnight, Nairobi time.
    pub minute: u16,
    pub name: String,
    /// For the search only; never shown in the list.
    pub phone: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DayCounts {
    pub expected: u32,
    pub checked_in: u32,
    pub done: u32,
    pub no_show: u32,
}

#[derive(Clone, Debug)]
pub struct TodayView {
    pub bar: StaffBar,
    pub centre_id: String,
    /// Centres an administrator may choose from (empty for everyone else).
    pub centres: Vec<(String, String)>,
    pub day: CivilDate,
    pub is_today: bool,
    pub visits: Vec<Visit>,
    pub counts: DayCounts,
    /// The filter chosen: "", booked, checked_in, done, no_show or cancelled.
    pub status: String,
    pub query: String,
    /// The check-in form (its reference and problems).
    pub check_in: Form,
}

const FILTERS: [&str; 5] = ["booked", "checked_in", "done", "no_show", "cancelled"];

fn filter_label(locale: Locale, code: &str) -> &'static str {
    match code {
        "booked" => td_string!(locale, staff.filter_booked),
        "checked_in" => td_string!(locale, staff.filter_checked_in),
        "done" => td_string!(locale, staff.filter_done),
        "no_show" => td_string!(locale, staff.filter_no_show),
        "cancelled" => td_string!(locale, staff.filter_cancelled),
        _ => td_string!(locale, staff.filter_all),
    }
}

#[component]
pub fn TodayPage() -> impl IntoView {
    let locale = use_locale();
    let Some(data) = use_context::<TodayView>() else {
        return view! { <p>{td!(locale, not_found.title)}</p> }.into_any();
    };
    let title = td_string!(locale, staff.today_title);
    let day_text = day_label(data.day, locale);
    let counts = data.counts;
    let rows = data
        .visits
        .iter()
        .map(|v| {
            let href = format!("/staff/bookings/{}", v.booking_id);
            view! {
                <tr data-testid="visit" data-status=v.status.code()>
                    // Three columns, so that the list fits a phone (393 px)
                    // and a counter's tablet: the reference under the name,
                    // the status under the kind of visit.
                    <td>{clock_label(v.minute)}</td>
                    <td><a href=href>{v.name.clone()}</a> <br/> <code class="table__code">{v.reference.clone()}</code></td>
                    <td>{v.kind.label(locale)} <br/> <span class=format!("tag tag--{}", v.status.group())>{v.status.label(locale)}</span></td>
                </tr>
            }
        })
        .collect_view();
    let empty = data.visits.is_empty();
    let centre_choice = (!data.centres.is_empty()).then(|| {
        let options = data
            .centres
            .iter()
            .map(|(id, name)| view! { <option value=id.clone() selected=*id == data.centre_id>{name.clone()}</option> })
            .collect_view();
        view! {
            <div class="field field--inline">
                <label class="label" for="centre">{td!(locale, staff.centre_label)}</label>
                <select class="select" id="centre" name="centre">{options}</select>
            </div>
        }
    });
    let filters = FILTERS
        .iter()
        .map(|code| view! { <option value=*code selected=data.status == *code>{filter_label(locale, code)}</option> })
        .collect_view();
    view! {
        {titled(locale, &data.check_in, title)}
        {staff_bar(locale, &data.bar)}
        {form_errors(locale, &data.check_in)}
        <h1>{title} <span class="caption">{day_text.clone()}</span></h1>
        <section class="panel" aria-labelledby="check-in-heading">
            <h2 id="check-in-heading">{td!(locale, staff.check_in_heading)}</h2>
            <form method="post" action="/staff/check-in" novalidate class="inline-fields">
                {Text::new("reference", td_string!(locale, staff.reference_label))
                    .hint(td_string!(locale, staff.reference_hint))
                    .width("input--width-20")
                    .render(locale, &data.check_in)}
                <button class="button" type="submit">{td!(locale, staff.check_in_button)}</button>
            </form>
            <QrScan/>
        </section>
        <form method="get" action="/staff" id="day-filter" class="filters" role="search">
            {centre_choice}
            <div class="field field--inline">
                <label class="label" for="day">{td!(locale, staff.day_label)}</label>
                <input class="input" type="date" id="day" name="day" value=data.day.to_string()/>
            </div>
            <div class="field field--inline">
                <label class="label" for="status">{td!(locale, staff.status_label)}</label>
                <select class="select" id="status" name="status">
                    <option value="" selected=data.status.is_empty()>{filter_label(locale, "")}</option>
                    {filters}
                </select>
            </div>
            <div class="field field--inline">
                <label class="label" for="q">{td!(locale, staff.search_label)}</label>
                <input class="input" type="search" id="q" name="q" value=data.query.clone() autocomplete="off"/>
            </div>
            <button class="button button--secondary" type="submit">{td!(locale, staff.filter_button)}</button>
        </form>
        <p><a href=format!("/staff/export.csv?day={}&centre={}", data.day, data.centre_id) download="">{td!(locale, staff.nav_export)}</a></p>
        <InPlace form="day-filter".to_string() region="day-list".to_string() every=30/>
        <div id="day-list" aria-live="polite">
            <dl class="counts" data-testid="counts">
                <div class="counts__item"><dt>{td!(locale, staff.count_expected)}</dt><dd data-testid="count-expected">{counts.expected}</dd></div>
                <div class="counts__item"><dt>{td!(locale, staff.count_checked_in)}</dt><dd data-testid="count-checked-in">{counts.checked_in}</dd></div>
                <div class="counts__item"><dt>{td!(locale, staff.count_done)}</dt><dd data-testid="count-done">{counts.done}</dd></div>
                <div class="counts__item"><dt>{td!(locale, staff.count_no_show)}</dt><dd data-testid="count-no-show">{counts.no_show}</dd></div>
            </dl>
            {if empty {
                view! { <p data-testid="no-visits">{td!(locale, staff.no_visits)}</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <caption class="visually-hidden">{format!("{title} {day_text}")}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{td!(locale, staff.col_time)}</th>
                                <th scope="col">{td!(locale, staff.col_name_reference)}</th>
                                <th scope="col">{td!(locale, staff.col_kind_status)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            }}
        </div>
    }
    .into_any()
}

#[derive(Clone, Debug)]
pub struct NoteLine {
    pub by: String,
    pub at: String,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct RecordView {
    pub bar: StaffBar,
    pub visit: Visit,
    pub day: CivilDate,
    pub centre_name: String,
    pub date_of_birth: Option<CivilDate>,
    pub is_child: bool,
    pub has_photo: bool,
    /// Pre-registered by USSD with no photo yet: it is taken at the counter.
    pub photo_at_counter: bool,
    pub notes: Vec<NoteLine>,
    pub form: Form,
    /// The steps that may be recorded now (`check-in`, `documents-verified`, ...).
    pub steps: Vec<&'static str>,
    /// The step just recorded, for the confirmation.
    pub recorded: Option<String>,
}

fn step_label(locale: Locale, step: &str) -> &'static str {
    match step {
        "check-in" => td_string!(locale, staff.step_check_in),
        "documents-verified" => td_string!(locale, staff.step_documents_verified),
        "biometrics-captured" => td_string!(locale, staff.step_biometrics_captured),
        "identity-confirmed" => td_string!(locale, staff.step_identity_confirmed),
        "handed-over" => td_string!(locale, staff.step_handed_over),
        _ => td_string!(locale, staff.step_no_show),
    }
}

#[component]
pub fn RecordPage() -> impl IntoView {
    let locale = use_locale();
    let Some(data) = use_context::<RecordView>() else {
        return view! { <p>{td!(locale, not_found.title)}</p> }.into_any();
    };
    let title = data.visit.name.clone();
    let id = data.visit.booking_id.clone();
    let recorded = data.recorded.as_deref().map(|s| step_label(locale, s));
    let steps = data
        .steps
        .iter()
        .map(|step| {
            let action = format!("/staff/bookings/{id}/{step}");
            let label = step_label(locale, step);
            let collector = (*step == "identity-confirmed").then(|| {
                let hint = if data.is_child { td_string!(locale, staff.collector_hint_child) } else { td_string!(locale, staff.collector_hint_adult) };
                Text::new("collector-id", td_string!(locale, staff.collector_label)).hint(hint).width("input--width-20").render(locale, &data.form)
            });
            let class = if *step == "no-show" { "button button--secondary" } else { "button" };
            view! {
                <form method="post" action=action class="step-form" novalidate>
                    {collector}
                    <button class=class type="submit" data-testid=format!("step-{step}")>{label}</button>
                </form>
            }
        })
        .collect_view();
    let notes = data
        .notes
        .iter()
        .map(|n| view! { <li><p>{n.text.clone()}</p><p class="hint">{format!("{} · {}", n.by, n.at)}</p></li> })
        .collect_view();
    let note_error = error_text(locale, &data.form, "note");
    view! {
        {titled(locale, &data.form, &title)}
        {staff_bar(locale, &data.bar)}
        {form_errors(locale, &data.form)}
        {recorded.map(|label| view! { <div class="notice" role="status" data-testid="recorded">{td_string!(locale, staff.recorded)} " " {label}</div> })}
        <p><a href="/staff">{td!(locale, staff.back_to_list)}</a></p>
        <h1>{title}</h1>
        <div class="record">
            {data.has_photo.then(|| view! {
                <img class="record__photo" src=format!("/staff/bookings/{id}/photo.jpg") width="180" alt=td_string!(locale, staff.photo_alt) data-testid="record-photo"/>
            })}
            <dl class="summary-list summary-list--plain">
                <div class="summary-list__row"><dt>{td!(locale, staff.col_reference)}</dt><dd><code data-testid="record-reference">{data.visit.reference.clone()}</code></dd></div>
                <div class="summary-list__row"><dt>{td!(locale, staff.col_kind)}</dt><dd>{data.visit.kind.label(locale)} {data.is_child.then(|| td_string!(locale, staff.child_suffix))}</dd></div>
                <div class="summary-list__row"><dt>{td!(locale, staff.col_status)}</dt><dd data-testid="record-status">{data.visit.status.label(locale)}</dd></div>
                <div class="summary-list__row"><dt>{td!(locale, staff.col_time)}</dt><dd>{format!("{} {}, {}", day_label(data.day, locale), clock_label(data.visit.minute), data.centre_name)}</dd></div>
                {data.date_of_birth.map(|d| view! { <div class="summary-list__row"><dt>{td!(locale, staff.date_of_birth)}</dt><dd>{d.to_string()}</dd></div> })}
                {data.photo_at_counter.then(|| view! { <div class="summary-list__row"><dt>{td!(locale, staff.photo)}</dt><dd data-testid="photo-at-counter">{td!(locale, staff.photo_at_counter)}</dd></div> })}
            </dl>
        </div>
        <section aria-labelledby="steps-heading" class="panel">
            <h2 id="steps-heading">{td!(locale, staff.steps_heading)}</h2>
            {if data.steps.is_empty() {
                view! { <p>{td!(locale, staff.no_steps)}</p> }.into_any()
            } else {
                view! { <div class="steps">{steps}</div> }.into_any()
            }}
        </section>
        <section aria-labelledby="notes-heading">
            <h2 id="notes-heading">{td!(locale, staff.notes_heading)}</h2>
            <ul class="notes">{notes}</ul>
            <form method="post" action=format!("/staff/bookings/{id}/note") novalidate>
                <div class=if note_error.is_some() { "field field--error" } else { "field" }>
                    <label class="label" for="note">{td!(locale, staff.note_label)}</label>
                    <p class="hint" id="note-hint">{td!(locale, staff.note_hint)}</p>
                    {error_line("note-error".to_string(), note_error)}
                    <textarea class="textarea" id="note" name="note" rows="3" maxlength="500"
                        aria-describedby="note-hint note-error" aria-invalid=note_error.is_some().then_some("true")>
                        {data.form.value("note").to_string()}
                    </textarea>
                </div>
                <button class="button button--secondary" type="submit">{td!(locale, staff.note_button)}</button>
            </form>
        </section>
    }
    .into_any()
}
