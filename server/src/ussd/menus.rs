//! What a number may do once its PIN is typed: its applications (those
//! giving it as their contact, whichever account made them, and those of
//! the account signed in with it, its children's among them:
//! `visible_to_number`), booking, changing or cancelling an appointment
//! with the web's own booking transaction (`booking::bookings`) and
//! message, and pre-registering (`register`, whose screens it shows).

use super::screen::Screen;
use super::texts::T;
use super::{Caller, Outcome, State, Ussd};
use crate::booking::bookings::{Booking, Bookings, Kind, Member, Outcome as Booked, Refused};
use crate::booking::centres::{Centre, Centres};
use crate::booking::eligibility::{bookable, card_centre};
use crate::booking::schedule::{Schedule, Taken};
use crate::citizen::applications::{Applications, Stored};
use crate::messages::Message;
use crate::observe::series::{self as observe, BookingAction};
use anyhow::Context as _;
use app::application::ApplicationState;
use app::calendar::{appointment_label, clock_label, day_label};
use app::dates::CivilDate;
use app::i18n::Locale;
use app::identifiers::CountyCode;
use serde::{Deserialize, Serialize};

/// Days offered to choose from.
const DAYS_OFFERED: usize = 7;

/// Where a session stands.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub enum Step {
    Language,
    PinNew,
    PinAgain,
    PinEnter,
    Resume,
    #[default]
    Home,
    Applications {
        page: usize,
    },
    Application {
        app: String,
    },
    BookWhich {
        page: usize,
    },
    Appointment {
        app: String,
    },
    County {
        app: String,
        page: usize,
    },
    Centre {
        app: String,
        county: String,
        page: usize,
    },
    Day {
        app: String,
        centre: String,
    },
    Time {
        app: String,
        centre: String,
        day: String,
        page: usize,
    },
    Confirm {
        app: String,
        centre: String,
        day: String,
        slot: u16,
    },
    CancelConfirm {
        app: String,
    },
    // Pre-registration (`register`): `app` is the USSD draft.
    RegBirthCert {
        app: String,
    },
    RegSurname {
        app: String,
    },
    RegGivenNames {
        app: String,
    },
    RegBirthDate {
        app: String,
    },
    RegCounty {
        app: String,
        page: usize,
    },
    RegLanguage {
        app: String,
    },
    RegSummary {
        app: String,
    },
    RegConsent {
        app: String,
    },
}

impl Step {
    /// Whether the step takes typed text rather than an option.
    pub fn takes_text(&self) -> bool {
        matches!(
            self,
            Step::RegBirthCert { .. }
                | Step::RegSurname { .. }
                | Step::RegGivenNames { .. }
                | Step::RegBirthDate { .. }
        )
    }

    /// The same list's next page, if it has one.
    pub fn next_page(&self, pages: usize) -> Option<Step> {
        let mut next = self.clone();
        let page = match &mut next {
            Step::Applications { page }
            | Step::BookWhich { page }
            | Step::County { page, .. }
            | Step::Centre { page, .. }
            | Step::Time { page, .. }
            | Step::RegCounty { page, .. } => page,
            _ => return None,
        };
        *page += 1;
        (*page < pages).then_some(next)
    }
}

/// What choosing an option does.
#[derive(Clone, Debug)]
pub enum Choice {
    Go(Step),
    Book {
        app: String,
        centre: String,
        day: CivilDate,
        slot: u16,
    },
    Cancel {
        app: String,
    },
    /// Start (or take up) a pre-registration.
    Apply,
    RegCounty {
        app: String,
        county: String,
    },
    RegLanguage {
        app: String,
        language: String,
    },
    /// The summary is right: send the notice, ask for consent.
    RegNotice {
        app: String,
    },
    RegSubmit {
        app: String,
    },
}

/// A screen of options, and what each does.
pub struct Menu {
    pub title: String,
    pub items: Vec<(String, Choice)>,
    pub page: usize,
}

impl Menu {
    pub(crate) fn new(title: impl Into<String>) -> Self {
        Menu {
            title: title.into(),
            items: Vec::new(),
            page: 0,
        }
    }

    pub(crate) fn item(mut self, label: impl Into<String>, choice: Choice) -> Self {
        self.items.push((label.into(), choice));
        self
    }

    pub fn screen(&self) -> Screen {
        Screen::new(self.title.clone())
            .options(self.items.iter().map(|(l, _)| l.clone()).collect())
            .page(self.page)
    }
}

/// An application's state in plain words.
pub fn state_text(state: ApplicationState, l: Locale) -> &'static str {
    use ApplicationState::*;
    match state {
        Draft => T::StateDraft,
        Submitted => T::StateSubmitted,
        PendingVerification => T::StatePendingVerification,
        NeedsAttention => T::StateNeedsAttention,
        Verified => T::StateVerified,
        Booked => T::StateBooked,
        CheckedIn => T::StateCheckedIn,
        BiometricsCaptured => T::StateBiometricsCaptured,
        CardReady => T::StateCardReady,
        Collected => T::StateCollected,
        Cancelled => T::StateCancelled,
        Expired => T::StateExpired,
        GuardianshipReview => T::StateGuardianshipReview,
    }
    .get(l)
}

pub struct Menus<'a> {
    pub ussd: &'a Ussd<'a>,
}

impl Menus<'_> {
    fn applications(&self) -> Applications<'_> {
        Applications {
            db: self.ussd.db,
            cipher: self.ussd.cipher,
        }
    }

    fn bookings(&self) -> Bookings<'_> {
        Bookings {
            db: self.ussd.db,
            cutoff_secs: self.ussd.cutoff_secs,
        }
    }

    fn centres(&self) -> Centres<'_> {
        Centres { db: self.ussd.db }
    }

    /// The account signed in with this number, if there is one.
    pub(crate) async fn account(&self, caller: &Caller) -> anyhow::Result<Option<String>> {
        sqlx::query_scalar("SELECT id FROM accounts WHERE contact_index = $1")
            .bind(&caller.index)
            .fetch_optional(self.ussd.db)
            .await
            .context("finding the number's account")
    }

    /// Every application this number may see (`visible_to_number`).
    async fn visible(&self, caller: &Caller) -> anyhow::Result<Vec<Stored>> {
        self.applications()
            .list_for_number(&caller.index)
            .await
            .context("listing the number's applications")
    }

    /// One application this number may see (`visible_to_number`).
    pub(crate) async fn one(&self, caller: &Caller, id: &str) -> anyhow::Result<Option<Stored>> {
        self.applications()
            .load_for_number(&caller.index, id)
            .await
            .context("loading an application")
    }

    /// Who a change made by this number acts as, for its message: the
    /// account signed in with the number (a child's application has no
    /// contact of its own, and its message goes to that parent), else the
    /// application's own account (its message goes to its contact, this
    /// number).
    async fn acting(&self, caller: &Caller, app: &Stored) -> anyhow::Result<String> {
        Ok(self
            .account(caller)
            .await?
            .unwrap_or_else(|| app.account_id.clone()))
    }

    fn reference(app: &Stored, l: Locale) -> String {
        app.reference
            .clone()
            .unwrap_or_else(|| T::NoReference.get(l).to_string())
    }

    async fn centre(&self, id: &str) -> anyhow::Result<Option<Centre>> {
        self.centres().get(id).await.context("loading a centre")
    }

    /// `{centre}, {when}` of a booking.
    async fn appointment(&self, booking: &Booking, l: Locale) -> anyhow::Result<String> {
        let centre = self
            .centre(&booking.centre_id)
            .await?
            .map(|c| c.name)
            .unwrap_or_default();
        Ok(T::Appointment.fill(
            l,
            &[
                ("centre", &centre),
                ("when", &appointment_label(booking.day, booking.slot, l)),
            ],
        ))
    }

    /// The seats taken and the closures around a centre's booking window.
    async fn schedule_data(
        &self,
        centre: &Centre,
        today: CivilDate,
    ) -> anyhow::Result<(Taken, Vec<crate::booking::centres::Closure>)> {
        let (from, to) = Schedule {
            centre,
            closures: &[],
        }
        .window(today);
        let taken = self
            .bookings()
            .taken(Some(&centre.id), from, to)
            .await
            .context("loading the seats taken")?;
        let closures = self
            .centres()
            .closures(from, to)
            .await
            .context("loading closures")?;
        Ok((taken, closures))
    }

    /// The menu a step shows (what it lists is read afresh at each step).
    pub(crate) async fn menu(&self, caller: &Caller, step: &Step) -> anyhow::Result<Menu> {
        let l = caller.locale;
        if let Some(menu) = self.ussd.register().menu(caller, step).await? {
            return Ok(menu);
        }
        let none = || Menu::new(T::BookNothing.get(l));
        Ok(match step {
            Step::Home
            | Step::Language
            | Step::PinNew
            | Step::PinAgain
            | Step::PinEnter
            | Step::Resume => Menu::new(T::Home.get(l))
                .item(
                    T::OptApplications.get(l),
                    Choice::Go(Step::Applications { page: 0 }),
                )
                .item(T::OptBook.get(l), Choice::Go(Step::BookWhich { page: 0 }))
                .item(T::OptApply.get(l), Choice::Apply)
                .item(T::OptLanguage.get(l), Choice::Go(Step::Language)),
            Step::Applications { page } => {
                let apps = self.visible(caller).await?;
                if apps.is_empty() {
                    return Ok(Menu::new(T::NoApplications.get(l)));
                }
                let mut menu = Menu::new(T::ApplicationsTitle.get(l));
                menu.page = *page;
                for app in apps {
                    let label =
                        format!("{}: {}", Self::reference(&app, l), state_text(app.state, l));
                    menu = menu.item(label, Choice::Go(Step::Application { app: app.id }));
                }
                menu
            }
            Step::Application { app } => {
                let Some(app) = self.one(caller, app).await? else {
                    return Ok(Menu::new(T::NoApplications.get(l)));
                };
                let booking = self
                    .bookings()
                    .live_for(&app.id)
                    .await
                    .context("loading bookings")?;
                let appointment = match booking.first() {
                    Some(b) => self.appointment(b, l).await?,
                    None => T::NoAppointment.get(l).to_string(),
                };
                Menu::new(format!(
                    "{}: {}. {appointment}",
                    Self::reference(&app, l),
                    state_text(app.state, l)
                ))
            }
            Step::BookWhich { page } => {
                let apps: Vec<Stored> = self
                    .visible(caller)
                    .await?
                    .into_iter()
                    .filter(|a| bookable(a).is_some())
                    .collect();
                if apps.is_empty() {
                    return Ok(none());
                }
                let mut menu = Menu::new(T::BookWhich.get(l));
                menu.page = *page;
                for app in apps {
                    let label =
                        format!("{}: {}", Self::reference(&app, l), state_text(app.state, l));
                    let id = app.id.clone();
                    let next = match self.live(&app).await? {
                        Some(_) => Step::Appointment { app: id },
                        None => self.where_to_book(&app).await?,
                    };
                    menu = menu.item(label, Choice::Go(next));
                }
                menu
            }
            Step::Appointment { app } => {
                let Some(stored) = self.one(caller, app).await? else {
                    return Ok(none());
                };
                let Some(booking) = self.live(&stored).await? else {
                    return Ok(none());
                };
                let title = format!(
                    "{} {}",
                    Self::reference(&stored, l),
                    self.appointment(&booking, l).await?
                );
                Menu::new(title)
                    .item(
                        T::OptChange.get(l),
                        Choice::Go(self.where_to_book(&stored).await?),
                    )
                    .item(
                        T::OptCancel.get(l),
                        Choice::Go(Step::CancelConfirm { app: app.clone() }),
                    )
            }
            Step::County { app, page } => {
                let mut counties: Vec<CountyCode> = self
                    .centres()
                    .search(None, "")
                    .await
                    .context("listing centres")?
                    .iter()
                    .filter_map(|c| CountyCode::parse(&c.county_code).ok())
                    .collect();
                counties.sort_by_key(|c| c.name());
                counties.dedup();
                let mut menu = Menu::new(T::ChooseCounty.get(l));
                menu.page = *page;
                for county in counties {
                    let step = Step::Centre {
                        app: app.clone(),
                        county: county.to_string(),
                        page: 0,
                    };
                    menu = menu.item(county.name(), Choice::Go(step));
                }
                menu
            }
            Step::Centre { app, county, page } => {
                let centres = self
                    .centres()
                    .search(Some(county), "")
                    .await
                    .context("listing centres")?;
                if centres.is_empty() {
                    return Ok(Menu::new(T::NoCentres.get(l)));
                }
                let mut menu = Menu::new(T::ChooseCentre.get(l));
                menu.page = *page;
                for centre in centres {
                    let step = Step::Day {
                        app: app.clone(),
                        centre: centre.id.clone(),
                    };
                    menu = menu.item(centre.name, Choice::Go(step));
                }
                menu
            }
            Step::Day { app, centre } => {
                let Some(centre) = self.centre(centre).await? else {
                    return Ok(none());
                };
                let (taken, closures) = self.schedule_data(&centre, caller.today).await?;
                let schedule = Schedule {
                    centre: &centre,
                    closures: &closures,
                };
                let days = schedule.free_days(caller.today, &taken);
                if days.is_empty() {
                    return Ok(Menu::new(T::NoDays.get(l)));
                }
                let mut menu = Menu::new(T::ChooseDay.get(l));
                for day in days.into_iter().take(DAYS_OFFERED) {
                    let step = Step::Time {
                        app: app.clone(),
                        centre: centre.id.clone(),
                        day: day.to_string(),
                        page: 0,
                    };
                    menu = menu.item(day_label(day, l), Choice::Go(step));
                }
                menu
            }
            Step::Time {
                app,
                centre,
                day,
                page,
            } => {
                let (Some(centre), Ok(date)) =
                    (self.centre(centre).await?, day.parse::<CivilDate>())
                else {
                    return Ok(none());
                };
                let (taken, closures) = self.schedule_data(&centre, caller.today).await?;
                let schedule = Schedule {
                    centre: &centre,
                    closures: &closures,
                };
                let slots = schedule.free_slots(date, &taken);
                if slots.is_empty() {
                    return Ok(Menu::new(T::NoTimes.get(l)));
                }
                let mut menu = Menu::new(T::ChooseTime.get(l));
                menu.page = *page;
                for (slot, left) in slots {
                    let label = format!(
                        "{} ({})",
                        clock_label(slot),
                        T::Places.fill(l, &[("count", &left.to_string())])
                    );
                    let step = Step::Confirm {
                        app: app.clone(),
                        centre: centre.id.clone(),
                        day: day.clone(),
                        slot,
                    };
                    menu = menu.item(label, Choice::Go(step));
                }
                menu
            }
            Step::Confirm {
                app,
                centre,
                day,
                slot,
            } => {
                let (Some(stored), Some(place), Ok(date)) = (
                    self.one(caller, app).await?,
                    self.centre(centre).await?,
                    day.parse::<CivilDate>(),
                ) else {
                    return Ok(none());
                };
                let title = T::ConfirmBook.fill(
                    l,
                    &[
                        ("reference", &Self::reference(&stored, l)),
                        ("centre", &place.name),
                        ("when", &appointment_label(date, *slot, l)),
                    ],
                );
                let choice = Choice::Book {
                    app: app.clone(),
                    centre: centre.clone(),
                    day: date,
                    slot: *slot,
                };
                Menu::new(title).item(T::OptConfirm.get(l), choice)
            }
            Step::CancelConfirm { app } => {
                let Some(stored) = self.one(caller, app).await? else {
                    return Ok(none());
                };
                let Some(booking) = self.live(&stored).await? else {
                    return Ok(none());
                };
                let title = T::ConfirmCancel.fill(
                    l,
                    &[
                        ("reference", &Self::reference(&stored, l)),
                        ("when", &appointment_label(booking.day, booking.slot, l)),
                    ],
                );
                Menu::new(title).item(T::OptCancel.get(l), Choice::Cancel { app: app.clone() })
            }
            // Shown by `register` above.
            Step::RegBirthCert { .. }
            | Step::RegSurname { .. }
            | Step::RegGivenNames { .. }
            | Step::RegBirthDate { .. }
            | Step::RegCounty { .. }
            | Step::RegLanguage { .. }
            | Step::RegSummary { .. }
            | Step::RegConsent { .. } => none(),
        })
    }

    /// The application's live booking of the kind it may book now.
    async fn live(&self, app: &Stored) -> anyhow::Result<Option<Booking>> {
        let Some(kind) = bookable(app) else {
            return Ok(None);
        };
        self.bookings()
            .live_of_kind(&app.id, kind)
            .await
            .context("loading the live booking")
    }

    /// Where choosing a place starts: the county, or, for a card that waits
    /// at a named centre, that centre's days.
    async fn where_to_book(&self, app: &Stored) -> anyhow::Result<Step> {
        if bookable(app) == Some(Kind::Collection)
            && let Some(centre) = card_centre(self.ussd.db, &app.id)
                .await
                .context("loading where the card waits")?
        {
            return Ok(Step::Day {
                app: app.id.clone(),
                centre,
            });
        }
        Ok(Step::County {
            app: app.id.clone(),
            page: 0,
        })
    }

    /// Does what the option `chosen` of `menu` does.
    pub(crate) async fn choose(
        &self,
        caller: &mut Caller,
        state: &mut State,
        menu: Menu,
        chosen: usize,
    ) -> anyhow::Result<Outcome> {
        let Some((_, choice)) = menu.items.into_iter().nth(chosen) else {
            return Ok(Outcome::Continue(Some(
                T::NotAnOption.get(caller.locale).into(),
            )));
        };
        match choice {
            Choice::Go(step) => {
                let from = std::mem::replace(&mut state.step, step);
                state.back.push(from);
                Ok(Outcome::Continue(None))
            }
            Choice::Book {
                app,
                centre,
                day,
                slot,
            } => self.book(caller, state, (&app, &centre), (day, slot)).await,
            Choice::Cancel { app } => self.cancel(caller, state, &app).await,
            Choice::Apply => self.ussd.register().start(caller, state).await,
            choice @ (Choice::RegCounty { .. }
            | Choice::RegLanguage { .. }
            | Choice::RegNotice { .. }
            | Choice::RegSubmit { .. }) => self.ussd.register().choose(caller, state, choice).await,
        }
    }

    /// Books (or moves) the application's appointment: the web's booking
    /// transaction, the message queued in it.
    async fn book(
        &self,
        caller: &Caller,
        state: &mut State,
        (app_id, centre_id): (&str, &str),
        (day, slot): (CivilDate, u16),
    ) -> anyhow::Result<Outcome> {
        let l = caller.locale;
        let (Some(app), Some(centre)) = (
            self.one(caller, app_id).await?,
            self.centre(centre_id).await?,
        ) else {
            state.step = Step::Home;
            return Ok(Outcome::Continue(Some(T::BookNothing.get(l).into())));
        };
        let account = self.acting(caller, &app).await?;
        let Some(kind) = bookable(&app) else {
            state.step = Step::Home;
            return Ok(Outcome::Continue(Some(T::BookNothing.get(l).into())));
        };
        let live = self.live(&app).await?;
        let members = [Member {
            application_id: app.id.clone(),
            kind,
            replaces: live.as_ref().map(|b| b.id.clone()),
        }];
        let closures = self
            .centres()
            .closures(day, day)
            .await
            .context("loading closures")?;
        let schedule = Schedule {
            centre: &centre,
            closures: &closures,
        };
        let mut tx = crate::db::begin(self.ussd.db)
            .await
            .context("starting a transaction")?;
        let outcome = self
            .bookings()
            .book(
                &mut tx,
                &schedule,
                caller.today,
                &members,
                (day, slot),
                caller.now,
            )
            .await
            .context("booking")?;
        if let (Booked::Booked(made), Some(reference)) = (&outcome, app.reference.clone()) {
            for booking in made {
                let message = Message::BookingConfirmed {
                    reference: reference.clone(),
                    centre: centre.name.clone(),
                    day: booking.day,
                    slot: booking.slot,
                    changed: live.is_some(),
                };
                self.applications()
                    .message(&mut tx, &app, &account, l, &message, caller.now)
                    .await
                    .context("queueing the booking's message")?;
            }
        }
        tx.commit().await.context("committing a booking")?;
        // Counted after the commit, as the web counts its bookings.
        if let Booked::Booked(made) = &outcome {
            let action = if live.is_some() {
                BookingAction::Changed
            } else {
                BookingAction::Made
            };
            observe::bookings(action, kind.code(), made.len());
        }
        let reference = Self::reference(&app, l);
        match outcome {
            Booked::Booked(_) | Booked::AlreadyBooked(_) => {
                tracing::info!(application = %app.id, changed = live.is_some(), "booked by USSD");
                let booked = self.live(&app).await?;
                let when = booked
                    .map(|b| appointment_label(b.day, b.slot, l))
                    .unwrap_or_else(|| appointment_label(day, slot, l));
                Ok(Outcome::End(T::Booked.fill(
                    l,
                    &[
                        ("reference", &reference),
                        ("centre", &centre.name),
                        ("when", &when),
                    ],
                )))
            }
            Booked::Refused(Refused::Full { .. } | Refused::Busy) => {
                // Taken while they chose: the next free time that day.
                let (taken, closures) = self.schedule_data(&centre, caller.today).await?;
                let next = Schedule {
                    centre: &centre,
                    closures: &closures,
                }
                .free_slots(day, &taken)
                .into_iter()
                .map(|(s, _)| s)
                .find(|&s| s > slot);
                match next {
                    Some(next) => {
                        state.step = Step::Confirm {
                            app: app.id.clone(),
                            centre: centre.id.clone(),
                            day: day.to_string(),
                            slot: next,
                        };
                        Ok(Outcome::Continue(Some(T::SlotTaken.get(l).into())))
                    }
                    None => {
                        state.step = Step::Day {
                            app: app.id.clone(),
                            centre: centre.id.clone(),
                        };
                        Ok(Outcome::Continue(Some(T::SlotGone.get(l).into())))
                    }
                }
            }
            Booked::Refused(Refused::TooLate) => Ok(Outcome::End(T::TooLate.get(l).into())),
            Booked::Refused(_) => {
                state.step = Step::Day {
                    app: app.id.clone(),
                    centre: centre.id.clone(),
                };
                Ok(Outcome::Continue(Some(T::CannotBook.get(l).into())))
            }
        }
    }

    /// Cancels the application's appointment, its message on the same
    /// transaction, as the web does.
    async fn cancel(
        &self,
        caller: &Caller,
        state: &mut State,
        app_id: &str,
    ) -> anyhow::Result<Outcome> {
        let l = caller.locale;
        let Some(app) = self.one(caller, app_id).await? else {
            state.step = Step::Home;
            return Ok(Outcome::Continue(Some(T::BookNothing.get(l).into())));
        };
        let account = self.acting(caller, &app).await?;
        let Some(booking) = self.live(&app).await? else {
            state.step = Step::Home;
            return Ok(Outcome::Continue(Some(T::BookNothing.get(l).into())));
        };
        let mut tx = crate::db::begin(self.ussd.db)
            .await
            .context("starting a transaction")?;
        let cancelled = self
            .bookings()
            .cancel(&mut tx, &booking, caller.now)
            .await
            .context("cancelling a booking")?;
        match cancelled {
            Ok(()) => {
                if let Some(reference) = app.reference.clone() {
                    let message = Message::BookingCancelled { reference };
                    self.applications()
                        .message(&mut tx, &app, &account, l, &message, caller.now)
                        .await
                        .context("queueing the cancellation's message")?;
                }
                tx.commit().await.context("committing a cancellation")?;
                observe::bookings(BookingAction::Cancelled, booking.kind.code(), 1);
                tracing::info!(application = %app.id, "booking cancelled by USSD");
                let code = self.ussd.settings.code.clone();
                Ok(Outcome::End(T::Cancelled.fill(
                    l,
                    &[("reference", &Self::reference(&app, l)), ("code", &code)],
                )))
            }
            Err(Refused::TooLate) => Ok(Outcome::End(T::TooLate.get(l).into())),
            Err(_) => {
                state.step = Step::Home;
                Ok(Outcome::Continue(Some(T::CannotBook.get(l).into())))
            }
        }
    }
}
