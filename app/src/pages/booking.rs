//! Booking a visit to a Huduma Centre: the centre finder, a centre's days
//! and times, the acknowledgement (printable, with a QR code of the
//! reference) and cancelling. Plain links and forms with their state in the
//! URL, so every step works without JavaScript.

use crate::calendar::{appointment_label, clock_label, day_label};
use crate::components::fields::{error_line, error_text, form_errors};
use crate::components::in_place::InPlace;
use crate::components::layout::page_title;
use crate::context::use_locale;
use crate::dates::CivilDate;
use crate::forms::Form;
use crate::i18n::*;
use crate::identifiers::{CountyCode, localised_place};
use leptos::prelude::*;

/// What the appointment is for; "what to bring" differs for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppointmentKind {
    AdultEnrolment,
    MinorEnrolment,
    Collection,
}

fn kind_label(locale: Locale, kind: AppointmentKind) -> &'static str {
    match kind {
        AppointmentKind::AdultEnrolment => td_string!(locale, booking.kind_adult),
        AppointmentKind::MinorEnrolment => td_string!(locale, booking.kind_minor),
        AppointmentKind::Collection => td_string!(locale, booking.kind_collection),
    }
}

fn what_to_bring(locale: Locale, kind: AppointmentKind) -> Vec<&'static str> {
    let mut items = match kind {
        AppointmentKind::AdultEnrolment => {
            vec![
                td_string!(locale, booking.bring_birth_certificate),
                td_string!(locale, booking.bring_parent_id),
            ]
        }
        AppointmentKind::MinorEnrolment => vec![
            td_string!(locale, booking.bring_child_birth_certificate),
            td_string!(locale, booking.bring_own_id),
            td_string!(locale, booking.bring_guardianship),
        ],
        AppointmentKind::Collection => vec![td_string!(locale, booking.bring_collector_id)],
    };
    items.push(td_string!(locale, booking.bring_acknowledgement));
    items
}

/// A centre as the finder lists it.
#[derive(Clone, Debug)]
pub struct CentreCard {
    pub id: String,
    pub name: String,
    pub county: CountyCode,
    pub address: String,
    /// The soonest day with a free place, if any within the horizon.
    pub next_free: Option<CivilDate>,
}

/// The centre finder: `?county=047&name=kibra`.
#[derive(Clone, Debug)]
pub struct FinderView {
    pub application_id: String,
    pub kind: AppointmentKind,
    pub county: Option<CountyCode>,
    pub name: String,
    pub centres: Vec<CentreCard>,
    /// Changing an existing appointment rather than booking a first one.
    pub changing: bool,
}

/// Someone else on the account who can be booked in the same request.
#[derive(Clone, Debug)]
pub struct Companion {
    pub application_id: String,
    pub name: String,
}

/// A centre's free days and, for the chosen day, its free times.
#[derive(Clone, Debug)]
pub struct DayView {
    pub application_id: String,
    pub kind: AppointmentKind,
    pub centre: CentreCard,
    /// Days with a free place, soonest first.
    pub days: Vec<CivilDate>,
    pub day: Option<CivilDate>,
    /// (minute after midnight, places left), free ones only.
    pub slots: Vec<(u16, u16)>,
    /// The booking being changed, if any.
    pub replaces: Option<String>,
    pub companions: Vec<Companion>,
    /// What was sent, and what was wrong with it.
    pub form: Form,
}

/// The acknowledgement of a booking.
#[derive(Clone, Debug)]
pub struct AcknowledgementView {
    pub application_id: String,
    pub reference: String,
    pub name: String,
    pub kind: AppointmentKind,
    pub centre_name: String,
    pub centre_address: String,
    pub day: CivilDate,
    pub slot: u16,
    /// The reference as a QR code, an SVG document made on the server.
    pub qr_svg: String,
    /// Still before the cut-off: may be changed or cancelled online.
    pub changeable: bool,
    /// Shown at the top (the booking had already been changed, say).
    pub notice: Option<AcknowledgementNotice>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcknowledgementNotice {
    AlreadyChanged,
    TooLate,
}

/// "Cancel your appointment?"
#[derive(Clone, Debug)]
pub struct CancelView {
    pub application_id: String,
    pub label: String,
}

fn base(application_id: &str) -> String {
    format!("/applications/{application_id}/booking")
}

#[component]
pub fn FinderPage() -> impl IntoView {
    let locale = use_locale();
    let Some(data) = use_context::<FinderView>() else {
        return ().into_any();
    };
    let title = td_string!(locale, booking.finder_title);
    let lead = if data.changing {
        td_string!(locale, booking.lead_change)
    } else if data.kind == AppointmentKind::Collection {
        td_string!(locale, booking.lead_collection)
    } else {
        td_string!(locale, booking.lead_enrolment)
    };
    let action = format!("{}/centres", base(&data.application_id));
    let centres_base = action.clone();
    view! {
        {page_title(locale, title)}
        <p><a class="back-link" href=format!("/applications/{}", data.application_id)>{td!(locale, booking.back_to_application)}</a></p>
        <h1>{title}</h1>
        <p>{lead}</p>
        <form method="get" action=action class="finder" role="search" id="finder">
            <div class="form-group">
                <label class="label" for="county">{td!(locale, booking.county)}</label>
                <select class="select" id="county" name="county">
                    <option value="" selected=data.county.is_none()>{td!(locale, booking.any_county)}</option>
                    {CountyCode::all()
                        .map(|c| view! { <option value=c.to_string() selected=data.county == Some(c)>{c.name()}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="form-group">
                <label class="label" for="name">{td!(locale, booking.name_filter)}</label>
                <input class="input input--width-20" id="name" name="name" type="text" value=data.name.clone() autocomplete="off"/>
            </div>
            <button class="button button--secondary" type="submit">{td!(locale, booking.search)}</button>
        </form>
        <InPlace form="finder".to_string() region="results".to_string()/>
        <div id="results">
        {if data.centres.is_empty() {
            view! { <p data-testid="no-centres">{td!(locale, booking.no_centres)}</p> }.into_any()
        } else {
            view! {
                <p class="hint">{td!(locale, booking.centres_found)} " " {data.centres.len()}</p>
                <ul class="centre-list" data-testid="centres">
                    {data.centres.into_iter().map(|c| {
                        let href = format!("{centres_base}/{}", c.id);
                        view! {
                            <li class="centre-list__item">
                                <h2 class="centre-list__name"><a href=href aria-label=format!("{} – {}", td_string!(locale, booking.choose_centre), c.name)>{c.name.clone()}</a></h2>
                                <p class="hint">{localised_place(&c.address, locale)}</p>
                                <p>{match c.next_free {
                                    Some(day) => format!("{} {}", td_string!(locale, booking.next_free), day_label(day, locale)),
                                    None => td_string!(locale, booking.no_free).to_string(),
                                }}</p>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        </div>
    }
    .into_any()
}

fn places(locale: Locale, left: u16) -> String {
    if left == 1 {
        td_string!(locale, booking.one_place_left).to_string()
    } else {
        format!("{left} {}", td_string!(locale, booking.places_left))
    }
}

fn slot_group(
    locale: Locale,
    legend: &'static str,
    slots: Vec<(u16, u16)>,
    chosen: &str,
) -> impl IntoView + use<> {
    let chosen = chosen.to_string();
    (!slots.is_empty()).then(|| {
        view! {
            <fieldset class="fieldset slot-group">
                <legend class="fieldset__legend fieldset__legend--s">{legend}</legend>
                <div class="radios radios--slots">
                    {slots.into_iter().map(|(slot, left)| {
                        let value = clock_label(slot);
                        let id = format!("slot-{}", value.replace(':', ""));
                        let checked = chosen == value;
                        view! {
                            <div class="radios__item">
                                <input class="radios__input" type="radio" id=id.clone() name="slot" value=value.clone() checked=checked/>
                                <label class="label radios__label" for=id>
                                    <span class="slot__time">{value}</span>
                                    " "
                                    <span class="hint slot__left">{places(locale, left)}</span>
                                </label>
                            </div>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
        }
    })
}

#[component]
pub fn DayPage() -> impl IntoView {
    let locale = use_locale();
    let Some(data) = use_context::<DayView>() else {
        return ().into_any();
    };
    let title = td_string!(locale, booking.day_title);
    let prefix = if data.form.has_errors() {
        td_string!(locale, errors.title_prefix)
    } else {
        ""
    };
    let centre_url = format!("{}/centres/{}", base(&data.application_id), data.centre.id);
    let finder_url = format!(
        "{}/centres?county={}",
        base(&data.application_id),
        data.centre.county
    );
    let slot_error = error_text(locale, &data.form, "slot");
    let chosen = data.form.value("slot").to_string();
    let (morning, afternoon): (Vec<_>, Vec<_>) =
        data.slots.iter().partition(|(slot, _)| *slot < 12 * 60);
    let times = data.day.map(|day| {
        let no_times = data.slots.is_empty();
        let submit = if data.replaces.is_some() { td_string!(locale, booking.move_to) } else { td_string!(locale, booking.book) };
        view! {
            <h2 id="times-heading">{td!(locale, booking.times_on)} " " {day_label(day, locale)}</h2>
            {if no_times {
                view! { <p data-testid="no-times">{td!(locale, booking.no_times)}</p> }.into_any()
            } else {
                view! {
                    <form method="post" action=centre_url.clone() novalidate>
                        <input type="hidden" name="day" value=day.to_string()/>
                        <input type="hidden" name="replaces" value=data.replaces.clone().unwrap_or_default()/>
                        <div class="form-group" class:form-group--error=slot_error.is_some() id="slot-group">
                            {error_line("slot-error".to_string(), slot_error)}
                            // The error summary links to #slot: the first radio's group.
                            <div id="slot" tabindex="-1" aria-labelledby="times-heading" aria-describedby="slot-error" data-testid="slots">
                                {slot_group(locale, td_string!(locale, booking.morning), morning, &chosen)}
                                {slot_group(locale, td_string!(locale, booking.afternoon), afternoon, &chosen)}
                            </div>
                        </div>
                        {(!data.companions.is_empty()).then(|| view! {
                            <fieldset class="fieldset">
                                <legend class="fieldset__legend fieldset__legend--s">{td!(locale, booking.also_book)}</legend>
                                <p class="hint">{td!(locale, booking.also_hint)}</p>
                                <div class="checkboxes">
                                    {data.companions.iter().map(|c| {
                                        let id = format!("also-{}", c.application_id);
                                        view! {
                                            <div class="checkboxes__item">
                                                <input class="checkboxes__input" type="checkbox" id=id.clone() name="also" value=c.application_id.clone()/>
                                                <label class="label checkboxes__label" for=id>{c.name.clone()}</label>
                                            </div>
                                        }
                                    }).collect_view()}
                                </div>
                            </fieldset>
                        })}
                        <button class="button" type="submit" data-testid="book">{submit}</button>
                    </form>
                }.into_any()
            }}
        }
    });
    view! {
        {page_title(locale, &format!("{prefix}{title} – {}", data.centre.name))}
        <p><a class="back-link" href=finder_url.clone()>{td!(locale, booking.other_centre)}</a></p>
        {form_errors(locale, &data.form)}
        <h1>{title}</h1>
        <p class="lead"><strong>{data.centre.name.clone()}</strong> <br/> {localised_place(&data.centre.address, locale)}</p>
        <p class="hint">{kind_label(locale, data.kind)}</p>
        {if data.days.is_empty() {
            view! { <p data-testid="no-days">{td!(locale, booking.no_days)}</p> }.into_any()
        } else {
            let current = data.day;
            view! {
                <form method="get" action=centre_url.clone() class="day-picker" id="day-picker">
                    <div class="form-group">
                        <label class="label" for="day">{td!(locale, booking.day)}</label>
                        <select class="select" id="day" name="day">
                            {data.days.iter().map(|d| view! {
                                <option value=d.to_string() selected=current == Some(*d)>{day_label(*d, locale)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <button class="button button--secondary" type="submit">{td!(locale, booking.show_times)}</button>
                </form>
                <InPlace form="day-picker".to_string() region="times".to_string()/>
            }.into_any()
        }}
        <div id="times">{times}</div>
    }
    .into_any()
}

#[component]
pub fn AcknowledgementPage() -> impl IntoView {
    let locale = use_locale();
    let Some(data) = use_context::<AcknowledgementView>() else {
        return ().into_any();
    };
    let title = td_string!(locale, booking.ack_title);
    let when = appointment_label(data.day, data.slot, locale);
    let notice = data.notice.map(|n| {
        let text = match n {
            AcknowledgementNotice::AlreadyChanged => td_string!(locale, booking.changed_stale),
            AcknowledgementNotice::TooLate => td_string!(locale, booking.too_late),
        };
        view! { <div class="notice notice--problem" role="alert" tabindex="-1" autofocus=true data-testid="notice">{text}</div> }
    });
    let base = base(&data.application_id);
    view! {
        {page_title(locale, title)}
        <p class="no-print"><a class="back-link" href=format!("/applications/{}", data.application_id)>{td!(locale, booking.back_to_application)}</a></p>
        {notice}
        <div class="acknowledgement" data-testid="acknowledgement">
            <h1>{td!(locale, booking.ack_booked)}</h1>
            <div class="acknowledgement__code">
                <div class="qr" role="img" aria-label=format!("{} {}", td_string!(locale, booking.reference), data.reference) inner_html=data.qr_svg.clone() data-testid="qr"></div>
                <p class="hint">{td!(locale, booking.qr_caption)}</p>
            </div>
            <dl class="summary-list summary-list--plain">
                <div class="summary-list__row"><dt>{td!(locale, booking.reference)}</dt><dd class="reference reference--large" data-testid="reference">{data.reference.clone()}</dd></div>
                <div class="summary-list__row"><dt>{td!(locale, booking.name)}</dt><dd>{data.name.clone()}</dd></div>
                <div class="summary-list__row"><dt>{td!(locale, booking.what)}</dt><dd>{kind_label(locale, data.kind)}</dd></div>
                <div class="summary-list__row"><dt>{td!(locale, booking.when)}</dt><dd data-testid="when">{when}</dd></div>
                <div class="summary-list__row"><dt>{td!(locale, booking.place)}</dt><dd data-testid="centre">{data.centre_name.clone()} <br/> {localised_place(&data.centre_address, locale)}</dd></div>
            </dl>
            <h2>{td!(locale, booking.bring_title)}</h2>
            <ul class="list list--bullet" data-testid="bring">
                {what_to_bring(locale, data.kind).into_iter().map(|item| view! { <li>{item}</li> }).collect_view()}
            </ul>
            <p>{td!(locale, booking.arrive)}</p>
        </div>
        <div class="no-print">
            <p class="hint">{td!(locale, booking.print_hint)}</p>
            {if data.changeable {
                view! {
                    <p><a class="button button--secondary" href=format!("{base}/centres") data-testid="change">{td!(locale, booking.change)}</a></p>
                    <p><a class="link--warning" href=format!("{base}/cancel") data-testid="cancel">{td!(locale, booking.cancel)}</a></p>
                    <p class="hint">{td!(locale, booking.cutoff_note)}</p>
                }.into_any()
            } else {
                view! { <p>{td!(locale, booking.too_late)}</p> }.into_any()
            }}
        </div>
    }
    .into_any()
}

#[component]
pub fn CancelPage() -> impl IntoView {
    let locale = use_locale();
    let Some(data) = use_context::<CancelView>() else {
        return ().into_any();
    };
    let title = td_string!(locale, booking.cancel_title);
    let base = base(&data.application_id);
    view! {
        {page_title(locale, title)}
        <h1>{title}</h1>
        <p class="lead">{data.label.clone()}</p>
        <p>{td!(locale, booking.cancel_lead)}</p>
        <form method="post" action=format!("{base}/cancel") class="button-group">
            <button class="button button--warning" type="submit" data-testid="confirm-cancel">{td!(locale, booking.cancel_confirm)}</button>
            <a class="button button--secondary" href=base.clone()>{td!(locale, booking.keep)}</a>
        </form>
    }
    .into_any()
}
