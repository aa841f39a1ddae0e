//! A citizen's applications: the list, one application as a task list and
//! its status, and each step (a task, check your answers, the declaration).
//! All are plain server-rendered forms; the server provides each page's
//! data as context.

use crate::application::fields::{self, ParentFields};
use crate::application::{
    AboutYou, Answers, ApplicationState, Attention, Contact, Fix, MessageLanguage, OtherDocuments,
    Parent, Parents, Sex, Task,
};
use crate::components::fields::{Text, county_select, date_fields, form_errors, radios};
use crate::components::layout::page_title;
use crate::components::live_check::Check;
use crate::components::status::{Appointment, state_label};
use crate::components::tries_used::tries_used_notice;
use crate::context::use_locale;
use crate::forms::Form;
use crate::i18n::*;
use crate::identifiers::FieldError;
use crate::pages::camera::CameraCapture;
use leptos::prelude::*;

/// A refusal the page explains at the top.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The account holds the most applications it may.
    AccountLimit,
    /// Another active application exists for this birth certificate.
    Duplicate,
    /// Not every task is done.
    Incomplete,
    /// The tries at matching details with the registry are used up, until
    /// `until` (Unix seconds): nothing was sent.
    TriesUsed { until: i64 },
}

/// The refusal's notice at the top of the page, focused when it appears.
fn problem_notice(locale: Locale, refusal: Refusal) -> AnyView {
    let text = match refusal {
        Refusal::AccountLimit => td_string!(locale, apply.limit),
        Refusal::Duplicate => FieldError::BirthCertificateInUse.message(locale),
        Refusal::Incomplete => td_string!(locale, apply.incomplete),
        Refusal::TriesUsed { until } => return tries_used_notice(locale, until).into_any(),
    };
    view! { <div class="notice notice--problem" role="alert" tabindex="-1" autofocus=true data-testid="refusal">{text}</div> }.into_any()
}

#[derive(Clone, Debug)]
pub struct ApplicationSummary {
    pub id: String,
    pub reference: Option<String>,
    pub state: ApplicationState,
    pub name: Option<String>,
}

/// The list of the citizen's applications.
#[derive(Clone, Debug, Default)]
pub struct ApplicationsView {
    pub applications: Vec<ApplicationSummary>,
    /// A refusal to show above the list (the account's limit, say).
    pub problem: Option<Refusal>,
    /// The children this account registered or consented for.
    pub children: Vec<crate::pages::children::ChildSummary>,
    /// Shown after a consent was withdrawn.
    pub consent_withdrawn: bool,
    /// The withdrawn child's appointment was cancelled with it.
    pub child_appointment_cancelled: bool,
}

/// One application.
#[derive(Clone, Debug)]
pub struct ApplicationView {
    pub id: String,
    pub reference: Option<String>,
    pub state: ApplicationState,
    pub attention: Option<Attention>,
    pub answers: Answers,
    pub has_photo: bool,
    /// A refusal to show at the top (a second application for the same
    /// birth certificate, say).
    pub problem: Option<Refusal>,
    /// The live appointment, if any: its day, time and centre.
    pub appointment: Option<Appointment>,
    /// The appointment just cancelled (its label), told once at the top.
    pub cancelled: Option<String>,
}

/// One step of an application.
// One per request, rendered once: boxing the answers would save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum StepView {
    Task {
        id: String,
        task: Task,
        form: Form,
        has_photo: bool,
    },
    CheckAnswers {
        id: String,
        answers: Answers,
        has_photo: bool,
    },
    Declaration {
        id: String,
        form: Form,
    },
}

fn next_step(locale: Locale, state: ApplicationState) -> &'static str {
    use ApplicationState::*;
    match state {
        Draft => td_string!(locale, status.next_draft),
        Submitted | PendingVerification => td_string!(locale, status.next_pending),
        NeedsAttention => td_string!(locale, status.next_attention),
        Verified => td_string!(locale, status.next_verified),
        Booked => td_string!(locale, status.next_booked),
        CheckedIn => td_string!(locale, status.next_checked_in),
        BiometricsCaptured => td_string!(locale, status.next_biometrics),
        CardReady => td_string!(locale, status.next_card_ready),
        Collected => td_string!(locale, status.next_collected),
        Cancelled => td_string!(locale, status.next_cancelled),
        Expired => td_string!(locale, status.next_expired),
        GuardianshipReview => td_string!(locale, status.next_guardianship_review),
    }
}

/// What needs attention, and what to do. Under 18 says from which day the
/// person applies themselves: their 18th birthday by the date of birth
/// they gave, which is the registry's (said only once every detail matched).
fn attention_text(locale: Locale, attention: Attention, answers: &Answers) -> String {
    match attention {
        Attention::Mismatch => td_string!(locale, status.attention_mismatch).into(),
        Attention::AlreadyHoldsId => td_string!(locale, status.attention_already_holds_id).into(),
        Attention::TooYoung => {
            let from = answers
                .about_you
                .as_ref()
                .map(|a| {
                    crate::calendar::day_label(
                        a.date_of_birth.turns(crate::dates::ADULT_AGE),
                        locale,
                    )
                })
                .unwrap_or_default();
            td_string!(locale, status.attention_too_young).replace("{date}", &from)
        }
        Attention::AlreadyApplied => td_string!(locale, status.attention_already_applied).into(),
        Attention::TurnedAdult => td_string!(locale, children.turned_adult).into(),
    }
}

pub fn task_name(locale: Locale, task: Task) -> &'static str {
    match task {
        Task::AboutYou => td_string!(locale, tasks.about_you),
        Task::BirthCertificate => td_string!(locale, tasks.birth_certificate),
        Task::Documents => td_string!(locale, tasks.documents),
        Task::Contact => td_string!(locale, tasks.contact),
        Task::Parents => td_string!(locale, tasks.parents),
        Task::Photo => td_string!(locale, tasks.photo),
    }
}

#[component]
pub fn ApplicationsPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<ApplicationsView>().unwrap_or_default();
    let title = td_string!(locale, apply.list_title);
    // Someone with children registered and no application of their own
    // (a parent who holds an ID) came for the children: they lead the page.
    let children_first = !data.children.is_empty() && data.applications.is_empty();
    let children = crate::pages::children::your_children(
        locale,
        data.children,
        data.consent_withdrawn,
        data.child_appointment_cancelled,
    )
    .into_any();
    let (first, last) = if children_first {
        (Some(children), None)
    } else {
        (None, Some(children))
    };
    view! {
        {page_title(locale, title)}
        {data.problem.map(|p| problem_notice(locale, p))}
        <h1>{title}</h1>
        {first}
        {if children_first {
            ().into_any()
        } else if data.applications.is_empty() {
            view! { <p>{td!(locale, apply.none_yet)}</p> }.into_any()
        } else {
            view! {
                <ul class="summary-list" data-testid="applications">
                    {data
                        .applications
                        .into_iter()
                        .map(|a| {
                            let label = a.name.clone().unwrap_or_else(|| td_string!(locale, apply.untitled).to_string());
                            view! {
                                <li class="summary-list__row">
                                    <a href=format!("/applications/{}", a.id)>{label}</a>
                                    " "
                                    <span class="tag">{state_label(locale, a.state)}</span>
                                    {a.reference.map(|r| view! { " " <span class="reference">{r}</span> })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        }}
        <form method="post" action="/applications">
            <button class="button" class:button--secondary=children_first type="submit">{td!(locale, apply.start)}</button>
        </form>
        {last}
        {crate::pages::account::your_data(locale)}
    }
}

#[component]
pub fn ApplicationPage() -> impl IntoView {
    let locale = use_locale();
    let Some(data) = use_context::<ApplicationView>() else {
        return ().into_any();
    };
    let done = Task::ALL
        .iter()
        .filter(|t| data.answers.is_done(**t, data.has_photo))
        .count();
    let all_done = done == Task::ALL.len();
    let id = data.id.clone();
    // A closed outcome (ended, or refused for good) offers nothing to send
    // again: no task list, and no "keep it to book a visit".
    let final_attention = data.attention.filter(|a| a.is_final());
    let closed = final_attention.is_some() || !data.state.is_active();
    let title = if data.state == ApplicationState::Draft {
        td_string!(locale, apply.task_list_title)
    } else {
        td_string!(locale, status.title)
    };
    view! {
        {page_title(locale, title)}
        {data.problem.map(|p| problem_notice(locale, p))}
        {data.cancelled.clone().map(|when| view! {
            <div class="notice notice--success" role="status" tabindex="-1" autofocus=true data-testid="cancelled">
                {td_string!(locale, booking.cancelled).replace("{when}", &when)}
            </div>
        })}
        <h1>{title}</h1>
        {data.reference.clone().map(|r| view! {
            <div class="panel panel--reference">
                <p>{td!(locale, status.reference_label)}</p>
                <p class="reference reference--large" data-testid="reference">{r}</p>
                <p class="hint" data-testid="reference-hint">{if closed {
                    td_string!(locale, status.reference_hint_closed)
                } else {
                    td_string!(locale, status.reference_hint)
                }}</p>
            </div>
        })}
        <section class="panel" aria-labelledby="status-heading" data-testid="status">
            <h2 id="status-heading">{td!(locale, status.heading)} ": " <span data-testid="state">{state_label(locale, data.state)}</span></h2>
            {final_attention.is_none().then(|| view! { <p>{next_step(locale, data.state)}</p> })}
            {data.attention.map(|a| {
                let fix = a.fix().map(|Fix::CheckAnswers| view! {
                    <p><a class="button button--secondary" href=format!("/applications/{id}/check-answers")>{td!(locale, status.correct)}</a></p>
                });
                view! { <p class="attention" data-testid="attention">{attention_text(locale, a, &data.answers)}</p> {fix} }
            })}
        </section>
        {match (&data.appointment, data.state) {
            (Some(a), _) => view! {
                <section class="panel" data-testid="appointment">
                    <h2>{td!(locale, booking.your_appointment)}</h2>
                    <p><strong>{crate::calendar::appointment_label(a.day, a.slot, locale)}</strong> <br/> {a.centre.clone()}</p>
                    <p><a class="button" href=format!("/applications/{id}/booking")>{td!(locale, booking.view)}</a></p>
                </section>
            }.into_any(),
            (None, ApplicationState::Verified) => view! {
                <p><a class="button" href=format!("/applications/{id}/booking/centres") data-testid="book-appointment">{td!(locale, booking.book_enrolment)}</a></p>
            }.into_any(),
            (None, ApplicationState::CardReady) => view! {
                <p><a class="button" href=format!("/applications/{id}/booking/centres") data-testid="book-appointment">{td!(locale, booking.book_collection)}</a></p>
            }.into_any(),
            _ => ().into_any(),
        }}
        {(data.state.is_editable() && !closed).then(|| view! {
            <p data-testid="progress">{format!("{} {done} / {}", td_string!(locale, apply.progress), Task::ALL.len())}</p>
            <ol class="task-list">
                {Task::ALL.into_iter().map(|task| {
                    let is_done = data.answers.is_done(task, data.has_photo);
                    view! {
                        <li class="task-list__item">
                            <a href=format!("/applications/{}/{}", data.id, task.slug()) aria-describedby=format!("{}-status", task.slug())>
                                {task_name(locale, task)}
                            </a>
                            <span class="tag" class:tag--done=is_done id=format!("{}-status", task.slug())>
                                {if is_done { td_string!(locale, apply.done) } else { td_string!(locale, apply.not_done) }}
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ol>
            {if all_done {
                view! { <a class="button" href=format!("/applications/{}/check-answers", data.id)>{td!(locale, apply.check_answers)}</a> }.into_any()
            } else {
                view! { <p class="hint">{td!(locale, apply.finish_tasks)}</p> }.into_any()
            }}
        })}
        <p><a href="/applications">{td!(locale, apply.back_to_list)}</a></p>
    }
    .into_any()
}

#[component]
pub fn StepPage() -> impl IntoView {
    let locale = use_locale();
    match use_context::<StepView>() {
        Some(StepView::Task {
            id,
            task,
            form,
            has_photo,
        }) => task_page(locale, id, task, form, has_photo).into_any(),
        Some(StepView::CheckAnswers {
            id,
            answers,
            has_photo,
        }) => check_answers(locale, id, answers, has_photo).into_any(),
        Some(StepView::Declaration { id, form }) => declaration(locale, id, form).into_any(),
        None => ().into_any(),
    }
}

fn task_page(locale: Locale, id: String, task: Task, form: Form, has_photo: bool) -> impl IntoView {
    let title = task_name(locale, task);
    let prefix = if form.has_errors() {
        td_string!(locale, errors.title_prefix)
    } else {
        ""
    };
    let action = format!("/applications/{id}/{}", task.slug());
    let inputs = match task {
        Task::AboutYou => view! {
            {Text::new(fields::SURNAME, td_string!(locale, tasks.surname)).autocomplete("family-name").check(Check::Name).render(locale, &form)}
            {Text::new(fields::GIVEN_NAMES, td_string!(locale, tasks.given_names)).hint(td_string!(locale, tasks.given_names_hint)).autocomplete("given-name").check(Check::Name).render(locale, &form)}
            {radios(locale, &form, fields::SEX, td_string!(locale, tasks.sex), Some(td_string!(locale, tasks.sex_hint)), vec![
                (Sex::Female.code(), td_string!(locale, tasks.female)),
                (Sex::Male.code(), td_string!(locale, tasks.male)),
            ])}
            {date_fields(locale, &form, fields::DOB, td_string!(locale, tasks.date_of_birth), td_string!(locale, tasks.date_of_birth_hint))}
            {county_select(locale, &form, fields::COUNTY_OF_BIRTH, td_string!(locale, tasks.county_of_birth))}
            {county_select(locale, &form, fields::COUNTY_OF_RESIDENCE, td_string!(locale, tasks.county_of_residence))}
            {Text::new(fields::LOCATION, td_string!(locale, tasks.location)).hint(td_string!(locale, tasks.location_hint)).check(Check::Location).render(locale, &form)}
        }.into_any(),
        Task::BirthCertificate => view! {
            {Text::new(fields::BIRTH_CERTIFICATE, td_string!(locale, tasks.birth_certificate_number)).hint(td_string!(locale, tasks.birth_certificate_hint)).numeric().width("input--width-10").check(Check::BirthCertificate).render(locale, &form)}
        }.into_any(),
        Task::Documents => view! {
            <p>{td!(locale, tasks.documents_lead)}</p>
            {Text::new(fields::PASSPORT, td_string!(locale, tasks.passport)).width("input--width-10").check(Check::Passport).optional().render(locale, &form)}
            {Text::new(fields::KRA_PIN, td_string!(locale, tasks.kra_pin)).hint(td_string!(locale, tasks.kra_pin_hint)).width("input--width-10").check(Check::KraPin).optional().render(locale, &form)}
            {Text::new(fields::NHIF, td_string!(locale, tasks.nhif)).width("input--width-20").check(Check::Nhif).optional().render(locale, &form)}
            {Text::new(fields::NSSF, td_string!(locale, tasks.nssf)).width("input--width-20").check(Check::Nssf).optional().render(locale, &form)}
        }.into_any(),
        Task::Contact => view! {
            {Text::new(fields::PHONE, td_string!(locale, tasks.phone)).hint(td_string!(locale, tasks.phone_hint)).input_type("tel").autocomplete("tel").width("input--width-20").render(locale, &form)}
            {Text::new(fields::EMAIL, td_string!(locale, tasks.email)).input_type("email").autocomplete("email").check(Check::Email).optional().render(locale, &form)}
            {radios(locale, &form, fields::LANGUAGE, td_string!(locale, tasks.language), None, vec![
                (MessageLanguage::En.code(), "English"),
                (MessageLanguage::Sw.code(), "Kiswahili"),
            ])}
        }.into_any(),
        Task::Parents => view! {
            <p>{td!(locale, tasks.parents_lead)}</p>
            {parent_fields(locale, &form, fields::MOTHER, td_string!(locale, tasks.mother))}
            {parent_fields(locale, &form, fields::FATHER, td_string!(locale, tasks.father))}
        }.into_any(),
        Task::Photo => view! {
            <p>{td!(locale, tasks.photo_lead)}</p>
            {has_photo.then(|| view! {
                <figure class="photo-preview">
                    <img src=format!("/applications/{id}/photo.jpg") alt=td_string!(locale, tasks.photo_current) width="150"/>
                    <figcaption>{td!(locale, tasks.photo_current)}</figcaption>
                </figure>
            })}
            {photo_input(locale, &form)}
            <CameraCapture/>
        }.into_any(),
    };
    let enctype = (task == Task::Photo).then_some("multipart/form-data");
    view! {
        {page_title(locale, &format!("{prefix}{title}"))}
        <p><a class="back-link" href=format!("/applications/{id}")>{td!(locale, apply.back_to_tasks)}</a></p>
        {form_errors(locale, &form)}
        <h1>{title}</h1>
        <form method="post" action=action enctype=enctype novalidate>
            {inputs}
            <button class="button" type="submit">{td!(locale, apply.save_continue)}</button>
        </form>
    }
}

fn photo_input(locale: Locale, form: &Form) -> impl IntoView + use<> {
    let error = form.error(fields::PHOTO).map(|e| e.message(locale));
    view! {
        <div class="form-group" class:form-group--error=error.is_some() id="photo-group">
            <label class="label" for=fields::PHOTO>{td!(locale, tasks.photo_upload)}</label>
            <p class="hint" id="photo-hint">{td!(locale, tasks.photo_hint)}</p>
            <p class="error-message" id="photo-error" hidden=error.is_none()>{error}</p>
            <input class="file-upload" id=fields::PHOTO name=fields::PHOTO type="file" accept="image/jpeg,image/png" aria-describedby="photo-hint photo-error"/>
        </div>
    }
}

fn parent_fields(
    locale: Locale,
    form: &Form,
    who: ParentFields,
    legend: &'static str,
) -> impl IntoView + use<> {
    let ParentFields { status, name, id } = who;
    view! {
        <fieldset class="fieldset fieldset--section">
            <legend class="fieldset__legend fieldset__legend--m">{legend}</legend>
            {radios(locale, form, status, td_string!(locale, tasks.parent_known_question), None, vec![
                (fields::PARENT_KNOWN, td_string!(locale, tasks.parent_known)),
                (fields::PARENT_DECEASED, td_string!(locale, tasks.parent_deceased)),
                (fields::PARENT_NOT_KNOWN, td_string!(locale, tasks.parent_not_known)),
            ])}
            <p class="hint">{td!(locale, tasks.parent_details_hint)}</p>
            {Text::new(name, td_string!(locale, tasks.parent_name)).check(Check::Name).optional().render(locale, form)}
            {Text::new(id, td_string!(locale, tasks.parent_id)).numeric().width("input--width-10").check(Check::NationalId).optional().render(locale, form)}
        </fieldset>
    }
}

fn parent_text(locale: Locale, parent: &Parent) -> String {
    match parent {
        Parent::Known { name, id_number } => format!("{name} ({id_number})"),
        Parent::Deceased => td_string!(locale, tasks.parent_deceased).into(),
        Parent::NotKnown => td_string!(locale, tasks.parent_not_known).into(),
    }
}

fn check_answers(locale: Locale, id: String, answers: Answers, has_photo: bool) -> impl IntoView {
    let title = td_string!(locale, apply.check_answers);
    let none = td_string!(locale, apply.not_given);
    let mut rows: Vec<(Task, &'static str, &'static str, String)> = Vec::new();
    if let Some(AboutYou {
        surname,
        given_names,
        sex,
        date_of_birth,
        county_of_birth,
        county_of_residence,
        location,
    }) = &answers.about_you
    {
        let sex = match sex {
            Sex::Female => td_string!(locale, tasks.female),
            Sex::Male => td_string!(locale, tasks.male),
        };
        rows.extend([
            (
                Task::AboutYou,
                fields::SURNAME,
                td_string!(locale, tasks.surname),
                surname.to_string(),
            ),
            (
                Task::AboutYou,
                fields::GIVEN_NAMES,
                td_string!(locale, tasks.given_names),
                given_names.to_string(),
            ),
            (
                Task::AboutYou,
                fields::SEX,
                td_string!(locale, tasks.sex),
                sex.to_string(),
            ),
            (
                Task::AboutYou,
                fields::DOB_DAY,
                td_string!(locale, tasks.date_of_birth),
                format!(
                    "{} / {} / {}",
                    date_of_birth.day(),
                    date_of_birth.month(),
                    date_of_birth.year()
                ),
            ),
            (
                Task::AboutYou,
                fields::COUNTY_OF_BIRTH,
                td_string!(locale, tasks.county_of_birth),
                county_of_birth.name().into(),
            ),
            (
                Task::AboutYou,
                fields::COUNTY_OF_RESIDENCE,
                td_string!(locale, tasks.county_of_residence),
                county_of_residence.name().into(),
            ),
            (
                Task::AboutYou,
                fields::LOCATION,
                td_string!(locale, tasks.location),
                location.to_string(),
            ),
        ]);
    }
    if let Some(number) = &answers.birth_certificate {
        rows.push((
            Task::BirthCertificate,
            fields::BIRTH_CERTIFICATE,
            td_string!(locale, tasks.birth_certificate_number),
            number.to_string(),
        ));
    }
    if let Some(OtherDocuments {
        passport,
        kra_pin,
        nhif,
        nssf,
    }) = &answers.documents
    {
        let or_none = |v: Option<String>| v.unwrap_or_else(|| none.to_string());
        rows.extend([
            (
                Task::Documents,
                fields::PASSPORT,
                td_string!(locale, tasks.passport),
                or_none(passport.clone().map(String::from)),
            ),
            (
                Task::Documents,
                fields::KRA_PIN,
                td_string!(locale, tasks.kra_pin),
                or_none(kra_pin.clone().map(String::from)),
            ),
            (
                Task::Documents,
                fields::NHIF,
                td_string!(locale, tasks.nhif),
                or_none(nhif.clone().map(String::from)),
            ),
            (
                Task::Documents,
                fields::NSSF,
                td_string!(locale, tasks.nssf),
                or_none(nssf.clone().map(String::from)),
            ),
        ]);
    }
    if let Some(Contact {
        phone,
        email,
        language,
    }) = &answers.contact
    {
        rows.extend([
            (
                Task::Contact,
                fields::PHONE,
                td_string!(locale, tasks.phone),
                phone.to_string(),
            ),
            (
                Task::Contact,
                fields::EMAIL,
                td_string!(locale, tasks.email),
                email
                    .clone()
                    .map(String::from)
                    .unwrap_or_else(|| none.to_string()),
            ),
            (
                Task::Contact,
                fields::LANGUAGE,
                td_string!(locale, tasks.language),
                match language {
                    MessageLanguage::En => "English".into(),
                    MessageLanguage::Sw => "Kiswahili".into(),
                },
            ),
        ]);
    }
    if let Some(Parents { mother, father }) = &answers.parents {
        rows.extend([
            (
                Task::Parents,
                fields::MOTHER.status,
                td_string!(locale, tasks.mother),
                parent_text(locale, mother),
            ),
            (
                Task::Parents,
                fields::FATHER.status,
                td_string!(locale, tasks.father),
                parent_text(locale, father),
            ),
        ]);
    }
    rows.push((
        Task::Photo,
        fields::PHOTO,
        td_string!(locale, tasks.photo),
        if has_photo {
            td_string!(locale, apply.photo_added).into()
        } else {
            none.into()
        },
    ));
    view! {
        {page_title(locale, title)}
        <p><a class="back-link" href=format!("/applications/{id}")>{td!(locale, apply.back_to_tasks)}</a></p>
        <h1>{title}</h1>
        <dl class="summary-list" data-testid="answers">
            {rows.into_iter().map(|(task, field, label, value)| view! {
                <div class="summary-list__row">
                    <dt class="summary-list__key">{label}</dt>
                    <dd class="summary-list__value">{value}</dd>
                    <dd class="summary-list__actions">
                        <a href=format!("/applications/{id}/{}#{field}", task.slug())>
                            {td!(locale, apply.change)}<span class="visually-hidden">" " {label}</span>
                        </a>
                    </dd>
                </div>
            }).collect_view()}
        </dl>
        <a class="button" href=format!("/applications/{id}/declaration")>{td!(locale, apply.continue_to_declaration)}</a>
    }
}

fn declaration(locale: Locale, id: String, form: Form) -> impl IntoView {
    let title = td_string!(locale, declaration.title);
    let prefix = if form.has_errors() {
        td_string!(locale, errors.title_prefix)
    } else {
        ""
    };
    let error = form.error(fields::DECLARATION).map(|e| e.message(locale));
    view! {
        {page_title(locale, &format!("{prefix}{title}"))}
        <p><a class="back-link" href=format!("/applications/{id}/check-answers")>{td!(locale, apply.check_answers)}</a></p>
        {form_errors(locale, &form)}
        <h1>{title}</h1>
        <section aria-labelledby="notice-heading" class="notice-text">
            <h2 id="notice-heading">{td!(locale, declaration.notice_heading)}</h2>
            <h3>{td!(locale, declaration.what_heading)}</h3>
            <p>{td!(locale, declaration.what)}</p>
            <h3>{td!(locale, declaration.why_heading)}</h3>
            <p>{td!(locale, declaration.why)}</p>
            <h3>{td!(locale, declaration.who_heading)}</h3>
            <p>{td!(locale, declaration.who)}</p>
            <h3>{td!(locale, declaration.how_long_heading)}</h3>
            <p>{td!(locale, declaration.how_long)}</p>
            <h3>{td!(locale, declaration.rights_heading)}</h3>
            <p>{td!(locale, declaration.rights)}</p>
            <p class="hint">{td_string!(locale, declaration.version)} " " {crate::application::NOTICE_VERSION}</p>
        </section>
        <form method="post" action=format!("/applications/{id}/declaration") novalidate>
            <div class="form-group" class:form-group--error=error.is_some() id="declaration-group">
                <p class="error-message" id="declaration-error" hidden=error.is_none()>{error}</p>
                <div class="checkboxes__item">
                    <input class="checkboxes__input" type="checkbox" id=fields::DECLARATION name=fields::DECLARATION value="yes" aria-describedby="declaration-error"/>
                    <label class="label checkboxes__label" for=fields::DECLARATION>{td!(locale, declaration.confirm)}</label>
                </div>
            </div>
            <button class="button" type="submit">{td!(locale, declaration.submit)}</button>
        </form>
    }
}
