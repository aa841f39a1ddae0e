//! Pre-registration by USSD, for an adult with a birth certificate and no
//! ID: the certificate number, surname, given names, date of birth
//! (DDMMYYYY), county of residence and message language, each checked with
//! the web's own identifier types (`app::identifiers`) and saved at once
//! into a draft application of the number's account (made by USSD,
//! `Channel::Ussd`; the account opened for a number that never signed in
//! on the web), so that the session's state holds only its id. Then a
//! summary, consent (the notice's summary on screen, the full notice sent
//! by SMS), and the web's own submission (`citizen::submission`: the same
//! registry check, tries and message). The photo is taken at the counter.

use super::menus::{Choice, Menu, Step};
use super::texts::T;
use super::{Caller, Outcome, State, Ussd};
use crate::audit::{Actor, Event};
use crate::citizen::applications::{Applications, Refused, Stored};
use crate::citizen::submission::Submission;
use crate::messages::{Message, Recipient, outbox};
use anyhow::Context as _;
use app::application::{
    Answers, ApplicationState, Channel, Contact, MessageLanguage, PreRegistration,
};
use app::i18n::Locale;
use app::identifiers::{BirthCertificateNumber, CountyCode, DateOfBirth, FieldError, PersonName};

pub struct Register<'a> {
    pub ussd: &'a Ussd<'a>,
}

/// What a typed answer is for.
#[derive(Clone, Copy)]
enum Field {
    BirthCertificate,
    Surname,
    GivenNames,
    DateOfBirth,
}

impl Register<'_> {
    fn applications(&self) -> Applications<'_> {
        Applications {
            db: self.ussd.db,
            cipher: self.ussd.cipher,
        }
    }

    /// `Apply for an ID card`: the number's USSD draft taken up again, or
    /// a new one (within the account's limit), the account opened if the
    /// number has none.
    pub(crate) async fn start(
        &self,
        caller: &Caller,
        state: &mut State,
    ) -> anyhow::Result<Outcome> {
        let l = caller.locale;
        let mut tx = crate::db::begin(self.ussd.db)
            .await
            .context("starting a transaction")?;
        let account = crate::citizen::sign_in::account_for(
            &mut tx,
            self.ussd.cipher,
            (&caller.index, "phone", caller.phone.as_ref()),
            caller.now,
        )
        .await
        .context("opening the number's account")?;
        tx.commit().await.context("committing an account")?;
        let applications = self.applications();
        let id = match applications
            .draft_by(&account, Channel::Ussd)
            .await
            .context("finding a USSD draft")?
        {
            Some(draft) => draft.id,
            None => {
                let answers = Answers {
                    contact: Some(Contact {
                        phone: caller.phone.clone(),
                        email: None,
                        language: language_of(l),
                    }),
                    pre_registration: Some(PreRegistration {
                        surname: None,
                        given_names: None,
                        date_of_birth: None,
                        county_of_residence: None,
                    }),
                    ..Answers::default()
                };
                match applications
                    .start(&account, Channel::Ussd, &answers, caller.now)
                    .await
                    .context("starting a USSD application")?
                {
                    Ok(id) => id,
                    Err(_) => {
                        return Ok(Outcome::Continue(Some(T::RegLimit.get(l).into())));
                    }
                }
            }
        };
        let from = std::mem::replace(&mut state.step, Step::RegBirthCert { app: id });
        state.back.push(from);
        Ok(Outcome::Continue(None))
    }

    /// The draft `id`, if it is still a USSD draft of the account signed in
    /// with this number (an application that only gives this number as its
    /// contact is seen and booked, never filled in or sent, by USSD).
    async fn draft(&self, caller: &Caller, id: &str) -> anyhow::Result<Option<Stored>> {
        let menus = self.ussd.menus();
        let Some(account) = menus.account(caller).await? else {
            return Ok(None);
        };
        Ok(menus.one(caller, id).await?.filter(|app| {
            app.account_id == account
                && app.state == ApplicationState::Draft
                && app.channel == Channel::Ussd
        }))
    }

    /// The screens of pre-registration (`None` for any other step).
    pub(crate) async fn menu(&self, caller: &Caller, step: &Step) -> anyhow::Result<Option<Menu>> {
        let l = caller.locale;
        Ok(Some(match step {
            Step::RegBirthCert { .. } => Menu::new(T::RegBirthCert.get(l)),
            Step::RegSurname { .. } => Menu::new(T::RegSurname.get(l)),
            Step::RegGivenNames { .. } => Menu::new(T::RegGivenNames.get(l)),
            Step::RegBirthDate { .. } => Menu::new(T::RegBirthDate.get(l)),
            Step::RegCounty { app, page } => {
                let mut counties: Vec<CountyCode> = CountyCode::all().collect();
                counties.sort_by_key(|c| c.name());
                let mut menu = Menu::new(T::RegCounty.get(l));
                menu.page = *page;
                for county in counties {
                    let choice = Choice::RegCounty {
                        app: app.clone(),
                        county: county.to_string(),
                    };
                    menu = menu.item(county.name(), choice);
                }
                menu
            }
            Step::RegLanguage { app } => Menu::new(T::RegLanguage.get(l))
                .item(
                    T::OptEnglish.get(l),
                    Choice::RegLanguage {
                        app: app.clone(),
                        language: MessageLanguage::En.code().into(),
                    },
                )
                .item(
                    T::OptKiswahili.get(l),
                    Choice::RegLanguage {
                        app: app.clone(),
                        language: MessageLanguage::Sw.code().into(),
                    },
                ),
            Step::RegSummary { app } => {
                let Some(draft) = self.draft(caller, app).await? else {
                    return Ok(Some(Menu::new(T::RegGone.get(l))));
                };
                Menu::new(summary(&draft, l))
                    .item(
                        T::OptContinue.get(l),
                        Choice::RegNotice { app: app.clone() },
                    )
                    .item(
                        T::OptStartAgain.get(l),
                        Choice::Go(Step::RegBirthCert { app: app.clone() }),
                    )
            }
            Step::RegConsent { app } => Menu::new(T::RegConsent.get(l))
                .item(T::OptAgree.get(l), Choice::RegSubmit { app: app.clone() }),
            _ => return Ok(None),
        }))
    }

    /// A typed answer to one of the questions that take text.
    pub(crate) async fn enter(
        &self,
        caller: &Caller,
        state: &mut State,
        input: &str,
    ) -> anyhow::Result<Outcome> {
        let l = caller.locale;
        let (app, field, next) = match &state.step {
            Step::RegBirthCert { app } => (
                app.clone(),
                Field::BirthCertificate,
                Step::RegSurname { app: app.clone() },
            ),
            Step::RegSurname { app } => (
                app.clone(),
                Field::Surname,
                Step::RegGivenNames { app: app.clone() },
            ),
            Step::RegGivenNames { app } => (
                app.clone(),
                Field::GivenNames,
                Step::RegBirthDate { app: app.clone() },
            ),
            Step::RegBirthDate { app } => (
                app.clone(),
                Field::DateOfBirth,
                Step::RegCounty {
                    app: app.clone(),
                    page: 0,
                },
            ),
            _ => return Ok(Outcome::Continue(Some(T::NotAnOption.get(l).into()))),
        };
        let Some(mut draft) = self.draft(caller, &app).await? else {
            state.step = Step::Home;
            state.back.clear();
            return Ok(Outcome::Continue(Some(T::RegGone.get(l).into())));
        };
        if let Err(problem) = read(&mut draft.answers, field, input, caller) {
            return Ok(Outcome::Continue(Some(problem.get(l).into())));
        }
        self.save(&draft, caller.now).await?;
        let from = std::mem::replace(&mut state.step, next);
        state.back.push(from);
        Ok(Outcome::Continue(None))
    }

    async fn save(&self, draft: &Stored, now: i64) -> anyhow::Result<()> {
        // A draft sent meanwhile (from another session) keeps what it sent.
        let _ = self
            .applications()
            .save_answers(draft, now)
            .await
            .context("saving a pre-registration's answer")?;
        Ok(())
    }

    /// An option of pre-registration's screens chosen.
    pub(crate) async fn choose(
        &self,
        caller: &Caller,
        state: &mut State,
        choice: Choice,
    ) -> anyhow::Result<Outcome> {
        let l = caller.locale;
        let (app, next) = match &choice {
            Choice::RegCounty { app, .. } => (app.clone(), Step::RegLanguage { app: app.clone() }),
            Choice::RegLanguage { app, .. } => (app.clone(), Step::RegSummary { app: app.clone() }),
            Choice::RegNotice { app } => (app.clone(), Step::RegConsent { app: app.clone() }),
            Choice::RegSubmit { app } => return self.submit(caller, state, app).await,
            _ => return Ok(Outcome::Continue(Some(T::NotAnOption.get(l).into()))),
        };
        let Some(mut draft) = self.draft(caller, &app).await? else {
            state.step = Step::Home;
            state.back.clear();
            return Ok(Outcome::Continue(Some(T::RegGone.get(l).into())));
        };
        match choice {
            Choice::RegCounty { county, .. } => {
                let county = CountyCode::parse(&county)
                    .map_err(|_| anyhow::anyhow!("a county of the list is no county"))?;
                pre(&mut draft.answers).county_of_residence = Some(county);
                self.save(&draft, caller.now).await?;
            }
            Choice::RegLanguage { language, .. } => {
                let language = MessageLanguage::from_code(&language)
                    .ok_or_else(|| anyhow::anyhow!("a language of the list is no language"))?;
                draft.answers.contact = Some(Contact {
                    phone: caller.phone.clone(),
                    email: None,
                    language,
                });
                self.save(&draft, caller.now).await?;
            }
            _ => {
                if !draft.complete_for(Channel::Ussd) {
                    state.step = Step::RegBirthCert { app };
                    return Ok(Outcome::Continue(Some(T::RegMissing.get(l).into())));
                }
                // The full notice, by SMS, as the screen says.
                let mut tx = crate::db::begin(self.ussd.db)
                    .await
                    .context("starting a transaction")?;
                outbox::enqueue(
                    &mut tx,
                    self.ussd.cipher,
                    &Recipient::Phone(caller.phone.to_string()),
                    l,
                    &Message::PrivacyNotice,
                    caller.now,
                )
                .await
                .context("queueing the privacy notice")?;
                tx.commit().await.context("committing the privacy notice")?;
            }
        }
        let from = std::mem::replace(&mut state.step, next);
        state.back.push(from);
        Ok(Outcome::Continue(None))
    }

    /// Sends the draft through the web's own submission.
    async fn submit(
        &self,
        caller: &Caller,
        state: &mut State,
        app: &str,
    ) -> anyhow::Result<Outcome> {
        let l = caller.locale;
        let Some(draft) = self.draft(caller, app).await? else {
            state.step = Step::Home;
            state.back.clear();
            return Ok(Outcome::Continue(Some(T::RegGone.get(l).into())));
        };
        let submission = Submission {
            applications: self.applications(),
            verifications: &self.ussd.verifications,
            tries: crate::registry::attempts::Tries {
                db: self.ussd.db,
                cipher: self.ussd.cipher,
                limits: self.ussd.tries,
            },
        };
        let event = Event::new(Actor::Citizen(&draft.account_id), "application.submit")
            .on("application", &draft.id)
            .detail("by USSD");
        let submitted = submission
            .send(&draft, Channel::Ussd, (caller.today, caller.now), &event)
            .await?;
        let code = self.ussd.settings.code.as_str();
        let text = match submitted {
            Err(_) => T::RegTriesUsed.get(l).to_string(),
            Ok(Err(Refused::Duplicate)) => T::RegDuplicate.get(l).to_string(),
            Ok(Err(Refused::Incomplete)) => {
                state.step = Step::RegBirthCert { app: app.into() };
                return Ok(Outcome::Continue(Some(T::RegMissing.get(l).into())));
            }
            Ok(Err(Refused::NotEditable | Refused::AccountLimit)) => T::RegGone.get(l).to_string(),
            Ok(Ok(sent)) => {
                let reference = sent.reference.clone().unwrap_or_default();
                let text = match sent.state {
                    ApplicationState::Verified => T::RegVerified,
                    ApplicationState::NeedsAttention => T::RegNeedsAttention,
                    _ => T::RegPending,
                };
                tracing::info!(application = %sent.id, state = sent.state.code(), "pre-registered by USSD");
                text.fill(l, &[("reference", &reference), ("code", code)])
            }
        };
        Ok(Outcome::End(text))
    }
}

/// The pre-registration's own answers (made if missing).
fn pre(answers: &mut Answers) -> &mut PreRegistration {
    answers.pre_registration.get_or_insert(PreRegistration {
        surname: None,
        given_names: None,
        date_of_birth: None,
        county_of_residence: None,
    })
}

/// Reads one typed answer into the answers with the web's types, or the
/// text saying what to type.
fn read(answers: &mut Answers, field: Field, input: &str, caller: &Caller) -> Result<(), T> {
    let name = |input: &str| {
        PersonName::parse(input).map_err(|e| match e {
            FieldError::NameTooLong => T::RegNameLong,
            _ => T::RegNameLetters,
        })
    };
    match field {
        Field::BirthCertificate => {
            answers.birth_certificate =
                Some(BirthCertificateNumber::parse(input).map_err(|_| T::RegBirthCertShape)?);
        }
        Field::Surname => pre(answers).surname = Some(name(input)?),
        Field::GivenNames => pre(answers).given_names = Some(name(input)?),
        Field::DateOfBirth => {
            if input.len() != 8 || !input.bytes().all(|b| b.is_ascii_digit()) {
                return Err(T::RegDateShape);
            }
            let born = DateOfBirth::parse(&input[0..2], &input[2..4], &input[4..8], caller.today)
                .map_err(|e| match e {
                FieldError::DateOfBirthInFuture => T::RegDateFuture,
                FieldError::DateOfBirthTooEarly => T::RegDateEarly,
                _ => T::RegDateNoSuchDay,
            })?;
            pre(answers).date_of_birth = Some(born.date());
        }
    }
    Ok(())
}

fn language_of(locale: Locale) -> MessageLanguage {
    match locale {
        Locale::en => MessageLanguage::En,
        Locale::sw => MessageLanguage::Sw,
    }
}

/// The summary screen's text: what will be sent.
fn summary(draft: &Stored, l: Locale) -> String {
    let answers = &draft.answers;
    let pre = answers.pre_registration.as_ref();
    let (surname, given, born) = answers
        .applicant()
        .map(|(s, g, d)| (s.to_string(), g.to_string(), d))
        .map_or(
            (String::new(), String::new(), String::new()),
            |(s, g, d)| {
                (
                    s,
                    g,
                    format!("{:02}-{:02}-{}", d.day(), d.month(), d.year()),
                )
            },
        );
    let county = pre
        .and_then(|p| p.county_of_residence)
        .map(|c| c.name().to_string())
        .unwrap_or_default();
    let language = match answers.contact.as_ref().map(|c| c.language) {
        Some(MessageLanguage::Sw) => T::OptKiswahili.get(l),
        _ => T::OptEnglish.get(l),
    };
    T::RegSummary.fill(
        l,
        &[
            (
                "certificate",
                answers
                    .birth_certificate
                    .as_ref()
                    .map(AsRef::as_ref)
                    .unwrap_or_default(),
            ),
            ("name", &format!("{given} {surname}")),
            ("born", &born),
            ("county", &county),
            ("language", language),
        ],
    )
}
