//! USSD: a session with any phone, as Africa's Talking delivers it
//! (`http::ussd` is the callback). Each step posts everything typed so far
//! joined by `*`; the inputs not yet answered are answered in order, and
//! the state (which screen, which choices; no personal data) is kept in
//! the database by `sessionId` and number, so any server process answers
//! any step.
//!
//! The number the network authenticated is the session's identity, with a
//! PIN as well (a phone is borrowed, a SIM swapped): set twice on the first
//! session and kept as an argon2id hash, asked at every later session, and
//! [`store::MAX_WRONG_PINS`] wrong in a day lock USSD for the number until
//! the next day. Setting the PIN and the lock are audited.
//!
//! `screen` holds the screen rules, `texts` the words, `store` the tables,
//! `menus` what a signed-in number may do, `register` pre-registration.

pub mod menus;
pub mod register;
pub mod screen;
pub mod store;
pub mod texts;

use crate::audit::{Actor, Audit, Event};
use crate::crypto::FieldCipher;
use crate::staff::accounts::StaffSecurity;
use anyhow::Context as _;
use app::dates::CivilDate;
use app::i18n::Locale;
use app::identifiers::PhoneNumber;
use menus::Step;
use screen::{Keys, Screen};
use serde::{Deserialize, Serialize};
use sqlx::AnyPool;
use store::Store;
use subtle::ConstantTimeEq as _;
use texts::T;

/// The most characters of `text` a session may send: past it, the session
/// is ended with a screen saying to dial again.
pub const MAX_TEXT_CHARS: usize = 1000;
/// The most inputs answered in one step.
const MAX_NEW_INPUTS: usize = 20;

/// USSD's settings.
#[derive(clap::Args, Clone, Debug, PartialEq, Eq)]
pub struct UssdSettings {
    /// The USSD code people dial, named in the screens and messages that
    /// ask them to act.
    #[arg(
        long = "ussd-code",
        env = "USAJILI_USSD_CODE",
        default_value = "*384*4321#",
        global = true
    )]
    pub code: String,
}

impl Default for UssdSettings {
    fn default() -> Self {
        UssdSettings {
            code: "*384*4321#".into(),
        }
    }
}

/// One step as the network posts it.
pub struct Request<'a> {
    pub session_id: &'a str,
    pub phone_number: &'a str,
    pub text: &'a str,
}

/// The answer: a screen that waits for input (`CON`), or the last (`END`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub end: bool,
    pub text: String,
}

impl Reply {
    /// The body of the callback's answer.
    pub fn body(&self) -> String {
        format!("{} {}", if self.end { "END" } else { "CON" }, self.text)
    }

    /// The last screen when more was typed than a session can hold.
    pub fn too_long(code: &str) -> Self {
        Self::bilingual(T::TooLong, code)
    }

    /// The last screen when our side failed: no session state is trusted.
    pub fn failed(code: &str) -> Self {
        Self::bilingual(T::Failed, code)
    }

    /// A last screen in English then Kiswahili, when the number's language
    /// is not known.
    fn bilingual(text: T, code: &str) -> Self {
        let both = format!(
            "{} / {}",
            text.fill(Locale::en, &[("code", code)]),
            text.fill(Locale::sw, &[("code", code)])
        );
        Reply {
            end: true,
            text: Screen::new(both)
                .without_navigation()
                .render(&keys(Locale::en)),
        }
    }
}

/// A session's state between steps.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct State {
    pub step: Step,
    /// Where `0 Back` goes, last first.
    pub back: Vec<Step>,
    /// The PIN was typed right (or set) in this session.
    pub authed: bool,
    /// The first of the two entries of a new PIN, as a keyed hash
    /// ([`draft_pin`]): the PIN itself is never kept, and only the second
    /// entry, once it matches, costs an argon2 hash.
    pub draft: Option<String>,
    /// A session left part-way that this one may continue.
    pub resume: Option<Box<(Step, Vec<Step>)>>,
}

/// What a session needs.
pub struct Ussd<'a> {
    pub db: &'a AnyPool,
    pub cipher: &'a FieldCipher,
    /// The PIN's hashing (the staff passwords' argon2id parameters).
    pub hashing: StaffSecurity,
    /// The process's ceiling on password and PIN hashing (`ceilings`): each
    /// argon2id hash takes its memory, so they take turns.
    pub hashing_turns: &'a tokio::sync::Semaphore,
    pub cutoff_secs: i64,
    pub settings: &'a UssdSettings,
    /// The registry's check of a pre-registration, as the web's.
    pub verifications: crate::registry::pending::PendingVerifications,
    /// The limits on tries that do not match the registry, as the web's.
    pub tries: crate::registry::attempts::AttemptLimits,
}

/// The language a number chose, as stored.
fn locale_of(code: &str) -> Locale {
    if code == "sw" { Locale::sw } else { Locale::en }
}

fn code_of(locale: Locale) -> &'static str {
    match locale {
        Locale::en => "en",
        Locale::sw => "sw",
    }
}

pub(crate) fn keys(locale: Locale) -> Keys {
    Keys {
        more: T::More.get(locale).into(),
        back: T::Back.get(locale).into(),
        home: T::HomeKey.get(locale).into(),
    }
}

/// The blind-index kind of a new PIN's first entry, kept in the session's
/// state until the second.
const PIN_DRAFT_INDEX: &str = "ussd-pin-draft";

/// A new PIN's first entry as the session's state keeps it: a keyed hash
/// (HMAC under the blind-index key) of the number's index and the PIN, so
/// that the state in the database gives nothing away without the key.
fn draft_pin(cipher: &FieldCipher, index: &str, pin: &str) -> String {
    cipher.blind_index(PIN_DRAFT_INDEX, &format!("{index}:{pin}"))
}

/// Whether `input` is a PIN's shape: four ASCII digits.
pub fn pin_shaped(input: &str) -> bool {
    input.len() == 4 && input.bytes().all(|b| b.is_ascii_digit())
}

/// The session's number and what is known of it.
pub(crate) struct Caller {
    pub index: String,
    pub phone: PhoneNumber,
    pub locale: Locale,
    pub today: CivilDate,
    pub now: i64,
}

impl Ussd<'_> {
    fn store(&self) -> Store<'_> {
        Store { db: self.db }
    }

    /// Answers one step.
    pub async fn answer(&self, request: &Request<'_>, now: i64) -> anyhow::Result<Reply> {
        let code = self.settings.code.as_str();
        let Ok(phone) = PhoneNumber::parse(request.phone_number) else {
            // Not a number the network would authenticate: nothing to keep.
            return Ok(Reply::failed(code));
        };
        let index = self
            .cipher
            .blind_index(crate::crypto::columns::CONTACT_INDEX, phone.as_ref());
        let number = self
            .store()
            .number(&index)
            .await
            .context("loading the number")?;
        let locale = number
            .as_ref()
            .map_or(Locale::en, |n| locale_of(&n.language));
        let mut caller = Caller {
            index,
            phone,
            locale,
            today: CivilDate::in_nairobi_at(now),
            now,
        };
        if request.text.chars().count() > MAX_TEXT_CHARS {
            return self.finish(request, &caller, T::TooLong, i64::MAX).await;
        }
        let parts: Vec<&str> = if request.text.is_empty() {
            Vec::new()
        } else {
            request.text.split('*').collect()
        };
        let session = self
            .store()
            .session(request.session_id, &caller.index)
            .await
            .context("loading the session")?;
        let (mut state, consumed) = match session {
            Some(row) if row.finished != 0 || row.expires_at < now => {
                return self
                    .finish(request, &caller, T::Expired, row.consumed)
                    .await;
            }
            Some(row) => (
                serde_json::from_str::<State>(&row.state).context("reading a session's state")?,
                usize::try_from(row.consumed).unwrap_or(usize::MAX),
            ),
            // A session we never saw start (or another number's): a fresh
            // first screen, whatever was typed before.
            None => {
                let state = self
                    .first_state(request.session_id, &caller, number.as_ref())
                    .await?;
                let consumed = parts.len();
                return self.show(request, &caller, state, consumed, None).await;
            }
        };
        let new: Vec<&str> = if parts.len() > consumed {
            parts[consumed..].to_vec()
        } else {
            parts.last().copied().into_iter().collect()
        };
        if new.len() > MAX_NEW_INPUTS {
            return self.finish(request, &caller, T::TooLong, i64::MAX).await;
        }
        let mut notice = None;
        for input in &new {
            let outcome = self.step(&mut caller, &mut state, input.trim()).await?;
            match outcome {
                Outcome::Continue(n) => notice = n,
                Outcome::End(text) => {
                    let consumed = i64::try_from(parts.len()).unwrap_or(i64::MAX);
                    self.store()
                        .save(
                            request.session_id,
                            &caller.index,
                            (&serde_json::to_string(&state)?, consumed, true),
                            now,
                        )
                        .await
                        .context("saving a finished session")?;
                    return Ok(Reply {
                        end: true,
                        text: screen::Screen::new(text)
                            .without_navigation()
                            .render(&keys(caller.locale)),
                    });
                }
            }
        }
        self.show(request, &caller, state, parts.len().max(consumed), notice)
            .await
    }

    /// A session's first state: the language for a new number, its PIN
    /// otherwise (or, for a number that chose a language but never set a
    /// PIN, setting it).
    async fn first_state(
        &self,
        session_id: &str,
        caller: &Caller,
        number: Option<&store::Number>,
    ) -> anyhow::Result<State> {
        let step = match number {
            None => Step::Language,
            Some(n) if n.pin_hash.is_none() => Step::PinNew,
            Some(_) => Step::PinEnter,
        };
        let old = self
            .store()
            .unfinished(session_id, &caller.index, caller.now)
            .await
            .context("looking for a session to resume")?;
        let mut resume = None;
        if let Some((old_id, row)) = old
            && let Ok(old) = serde_json::from_str::<State>(&row.state)
            && old.authed
            && !matches!(old.step, Step::Home)
        {
            // Offered here once: the old session is done with.
            self.store()
                .finish(&old_id, &caller.index)
                .await
                .context("taking a session over")?;
            resume = Some(Box::new((old.step, old.back)));
        }
        Ok(State {
            step,
            resume,
            ..State::default()
        })
    }

    /// Saves the state and shows its screen.
    async fn show(
        &self,
        request: &Request<'_>,
        caller: &Caller,
        state: State,
        consumed: usize,
        notice: Option<String>,
    ) -> anyhow::Result<Reply> {
        let mut screen = self.screen(caller, &state).await?;
        if let Some(notice) = notice {
            screen = screen.notice(notice);
        }
        let consumed = i64::try_from(consumed).unwrap_or(i64::MAX);
        self.store()
            .save(
                request.session_id,
                &caller.index,
                (&serde_json::to_string(&state)?, consumed, false),
                caller.now,
            )
            .await
            .context("saving a session")?;
        Ok(Reply {
            end: false,
            text: screen.render(&keys(caller.locale)),
        })
    }

    /// Ends the session with `text` (which may name the USSD code).
    async fn finish(
        &self,
        request: &Request<'_>,
        caller: &Caller,
        text: T,
        consumed: i64,
    ) -> anyhow::Result<Reply> {
        let state = serde_json::to_string(&State::default())?;
        self.store()
            .save(
                request.session_id,
                &caller.index,
                (&state, consumed, true),
                caller.now,
            )
            .await
            .context("ending a session")?;
        let text = text.fill(caller.locale, &[("code", &self.settings.code)]);
        Ok(Reply {
            end: true,
            text: Screen::new(text)
                .without_navigation()
                .render(&keys(caller.locale)),
        })
    }

    /// The screen for a state.
    async fn screen(&self, caller: &Caller, state: &State) -> anyhow::Result<Screen> {
        let l = caller.locale;
        Ok(match &state.step {
            Step::Language => Screen::new(T::ChooseLanguage.get(l))
                .options(vec![
                    T::OptEnglish.get(l).into(),
                    T::OptKiswahili.get(l).into(),
                ])
                .without_navigation(),
            Step::PinNew => Screen::new(T::PinNew.get(l)).without_navigation(),
            Step::PinAgain => Screen::new(T::PinAgain.get(l)).without_navigation(),
            Step::PinEnter => Screen::new(T::PinEnter.get(l)).without_navigation(),
            Step::Resume => Screen::new(T::Resume.get(l)).options(vec![
                T::OptResume.get(l).into(),
                T::OptStartAgain.get(l).into(),
            ]),
            step => self.menus().menu(caller, step).await?.screen(),
        })
    }

    pub(crate) fn menus(&self) -> menus::Menus<'_> {
        menus::Menus { ussd: self }
    }

    pub(crate) fn register(&self) -> register::Register<'_> {
        register::Register { ussd: self }
    }

    /// Answers one input.
    async fn step(
        &self,
        caller: &mut Caller,
        state: &mut State,
        input: &str,
    ) -> anyhow::Result<Outcome> {
        let l = caller.locale;
        let not_an_option = || Outcome::Continue(Some(T::NotAnOption.get(l).to_string()));
        match state.step.clone() {
            Step::Language => {
                let language = match input {
                    "1" => Locale::en,
                    "2" => Locale::sw,
                    _ => return Ok(not_an_option()),
                };
                self.store()
                    .set_language(&caller.index, code_of(language), caller.now)
                    .await
                    .context("recording a number's language")?;
                caller.locale = language;
                state.step = if state.authed {
                    Step::Home
                } else {
                    Step::PinNew
                };
                state.back.clear();
                Ok(Outcome::Continue(None))
            }
            Step::PinNew => {
                if !pin_shaped(input) {
                    return Ok(Outcome::Continue(Some(T::PinShape.get(l).into())));
                }
                state.draft = Some(draft_pin(self.cipher, &caller.index, input));
                state.step = Step::PinAgain;
                Ok(Outcome::Continue(None))
            }
            Step::PinAgain => self.confirm_pin(caller, state, input).await,
            Step::PinEnter => self.check_pin(caller, state, input).await,
            Step::Resume => {
                match input {
                    "1" => {
                        if let Some(old) = state.resume.take() {
                            let (step, back) = *old;
                            state.step = step;
                            state.back = back;
                        } else {
                            state.step = Step::Home;
                        }
                    }
                    "2" | screen::HOME | screen::BACK => {
                        state.resume = None;
                        state.step = Step::Home;
                        state.back.clear();
                    }
                    _ => return Ok(not_an_option()),
                }
                Ok(Outcome::Continue(None))
            }
            step => {
                if !state.authed {
                    state.step = Step::PinEnter;
                    return Ok(Outcome::Continue(None));
                }
                match input {
                    screen::HOME => {
                        state.step = Step::Home;
                        state.back.clear();
                        return Ok(Outcome::Continue(None));
                    }
                    screen::BACK => {
                        state.step = state.back.pop().unwrap_or(Step::Home);
                        return Ok(Outcome::Continue(None));
                    }
                    _ => {}
                }
                if step.takes_text() {
                    return self.register().enter(caller, state, input).await;
                }
                let menu = self.menus().menu(caller, &step).await?;
                if input == screen::MORE {
                    if let Some(next) = step.next_page(menu.screen().pages()) {
                        state.step = next;
                        return Ok(Outcome::Continue(None));
                    }
                    return Ok(Outcome::Continue(Some(T::NoMore.get(l).into())));
                }
                let Some(chosen) = menu.screen().chosen(input) else {
                    return Ok(not_an_option());
                };
                self.menus().choose(caller, state, menu, chosen).await
            }
        }
    }

    /// An argon2id hash of `pin`, off the async threads and in turn with
    /// every other hash of the process.
    async fn hash_pin(&self, pin: &str) -> anyhow::Result<String> {
        let hashing = self.hashing;
        let pin = zeroize::Zeroizing::new(pin.to_string());
        let _turn = self.hashing_turns.acquire().await?;
        tokio::task::spawn_blocking(move || hashing.hash(&pin))
            .await
            .context("hashing a PIN")?
    }

    /// Whether `pin` matches the stored argon2id `hash`, in turn likewise.
    async fn pin_matches(&self, pin: &str, hash: String) -> anyhow::Result<bool> {
        let hashing = self.hashing;
        let pin = zeroize::Zeroizing::new(pin.to_string());
        let _turn = self.hashing_turns.acquire().await?;
        tokio::task::spawn_blocking(move || hashing.matches(&pin, &hash))
            .await
            .context("checking a PIN")
    }

    /// The second entry of a new PIN: the same as the first sets it, with
    /// its audit event, in one transaction.
    async fn confirm_pin(
        &self,
        caller: &Caller,
        state: &mut State,
        input: &str,
    ) -> anyhow::Result<Outcome> {
        let l = caller.locale;
        let draft = state.draft.take();
        let same = pin_shaped(input)
            && draft.is_some_and(|first| {
                let again = draft_pin(self.cipher, &caller.index, input);
                bool::from(first.as_bytes().ct_eq(again.as_bytes()))
            });
        if !same {
            state.step = Step::PinNew;
            return Ok(Outcome::Continue(Some(T::PinMismatch.get(l).into())));
        }
        let hash = self.hash_pin(input).await?;
        let mut tx = crate::db::begin(self.db)
            .await
            .context("starting a transaction")?;
        if !Store::set_pin(&mut tx, &caller.index, &hash, caller.now)
            .await
            .context("setting a PIN")?
        {
            // Another session set the PIN first: that one is asked for.
            state.step = Step::PinEnter;
            return Ok(Outcome::Continue(None));
        }
        self.audit()
            .record_in(
                &mut tx,
                &Event::new(Actor::System("ussd"), "ussd.pin_set").on("ussd_number", &caller.index),
                caller.now,
            )
            .await
            .context("auditing a PIN set")?;
        tx.commit().await.context("committing a PIN")?;
        state.authed = true;
        state.step = if state.resume.is_some() {
            Step::Resume
        } else {
            Step::Home
        };
        Ok(Outcome::Continue(Some(T::PinSaved.get(l).into())))
    }

    /// A PIN typed at the start of a session: each try taken in the
    /// database before it is compared; the third wrong one of a day locks
    /// the number (audited) until the next day.
    async fn check_pin(
        &self,
        caller: &Caller,
        state: &mut State,
        input: &str,
    ) -> anyhow::Result<Outcome> {
        let l = caller.locale;
        if !pin_shaped(input) {
            return Ok(Outcome::Continue(Some(T::PinShape.get(l).into())));
        }
        let today = caller.today.to_string();
        let locked = || Outcome::End(T::Locked.get(l).to_string());
        let Some(number) = self
            .store()
            .number(&caller.index)
            .await
            .context("loading the number")?
        else {
            state.step = Step::Language;
            return Ok(Outcome::Continue(None));
        };
        let Some(hash) = number.pin_hash.clone() else {
            state.step = Step::PinNew;
            return Ok(Outcome::Continue(None));
        };
        let Some(taken) = self
            .store()
            .take_pin_try(&caller.index, &today, caller.now)
            .await
            .context("taking a PIN try")?
        else {
            return Ok(locked());
        };
        if self.pin_matches(input, hash).await? {
            self.store()
                .give_pin_try_back(&caller.index, &today)
                .await
                .context("giving a PIN try back")?;
            state.authed = true;
            state.step = if state.resume.is_some() {
                Step::Resume
            } else {
                Step::Home
            };
            return Ok(Outcome::Continue(None));
        }
        if taken >= store::MAX_WRONG_PINS {
            let mut tx = crate::db::begin(self.db)
                .await
                .context("starting a transaction")?;
            Store::touch(&mut tx, &caller.index, caller.now)
                .await
                .context("marking a lock")?;
            self.audit()
                .record_in(
                    &mut tx,
                    &Event::new(Actor::System("ussd"), "ussd.locked")
                        .on("ussd_number", &caller.index),
                    caller.now,
                )
                .await
                .context("auditing a lock")?;
            tx.commit().await.context("committing a lock")?;
            return Ok(locked());
        }
        let left = (store::MAX_WRONG_PINS - taken).to_string();
        Ok(Outcome::Continue(Some(
            T::PinWrong.fill(l, &[("left", &left)]),
        )))
    }

    pub(crate) fn audit(&self) -> Audit<'_> {
        Audit {
            db: self.db,
            cipher: self.cipher,
        }
    }
}

/// What one input leads to.
pub(crate) enum Outcome {
    /// Another screen, with a notice about the input if there is one.
    Continue(Option<String>),
    /// The last screen.
    End(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_is_four_ascii_digits() {
        assert!(pin_shaped("0482"));
        for not in ["482", "04821", "abcd", "０４８２", "12 4", ""] {
            assert!(!pin_shaped(not), "{not:?}");
        }
    }

    #[test]
    fn a_reply_starts_with_con_or_end() {
        let reply = Reply {
            end: false,
            text: "Usajili".into(),
        };
        assert_eq!(reply.body(), "CON Usajili");
        assert!(Reply::failed("*1#").body().starts_with("END Sorry"));
    }
}
