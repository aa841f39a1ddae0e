//! Signing in: the password, then a code from the authenticator app or, the
//! first time and after a reset, enrolling one.
//!
//! The lock-out counts consecutive wrong passwords and codes per email
//! typed (its blind index, in `staff_lockouts`), known or not: each try is
//! taken by one conditional upsert before the password or code is checked,
//! so parallel guesses cannot pass the limit, and a right one gives its try
//! back. An unknown email gets the same answers, locked included, after the
//! same argon2 work. Every wrong and every refused try is audited (never
//! the password or the code).
//!
//! An enrolment's candidate secret is not stored: the session that asked
//! for it keeps it (`new_secret`) and hands it back with the code, and only
//! a right code stores it, with the member's email about it and the audit
//! event in the same transaction.

use super::security::dummy_hash;
use super::totp::{base32_decode, matching_step};
use super::{StaffAccounts, normalise_email};
use crate::audit::{Actor, Audit, Event};
use crate::crypto::columns::STAFF_TOTP_SECRET;
use crate::messages::{Message, Recipient, outbox};
use crate::staff::Role;
use app::i18n::Locale;

/// Sign-in attempts from one connection in ten minutes.
const ATTEMPTS_PER_CONNECTION: i64 = 30;
const WINDOW_SECS: i64 = 600;

/// Why a sign-in step failed. Wrong email and wrong password are one
/// answer, so the form does not tell which accounts exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInProblem {
    Wrong,
    Locked,
    TooMany,
}

/// What the password step leads to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AfterPassword {
    /// Enter a code from the authenticator app.
    Code(String),
    /// Set up the authenticator app first (required for this role).
    Enrol(String),
    /// Signed in (an officer without TOTP, in development only).
    SignedIn(String),
}

#[derive(sqlx::FromRow)]
struct PasswordRow {
    id: String,
    password_hash: String,
    #[sqlx(try_from = "String")]
    role: Role,
    centre_id: Option<String>,
    totp_enrolled_at: Option<i64>,
    disabled_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct CodeRow {
    email: String,
    centre_id: Option<String>,
    totp_secret: Option<Vec<u8>>,
    totp_enrolled_at: Option<i64>,
    totp_last_step: Option<i64>,
    disabled_at: Option<i64>,
}

/// Who a try was about, for its audit event (`None`: an unknown email).
type About<'a> = Option<(&'a str, Option<&'a str>)>;

impl StaffAccounts<'_> {
    /// Too many attempts from this connection?
    async fn connection_limited(&self, address: &str, now: i64) -> anyhow::Result<bool> {
        let bucket = self.cipher.blind_index("staff-sign-in", address);
        let admitted =
            crate::rate_limit::admit(self.db, &bucket, ATTEMPTS_PER_CONNECTION, WINDOW_SECS, now)
                .await?;
        Ok(!admitted)
    }

    fn lockout_key(&self, email: &str) -> String {
        let email = normalise_email(email).unwrap_or_else(|| email.trim().to_lowercase());
        self.cipher.blind_index("staff-lockout", &email)
    }

    /// Takes one try for `key`: the number of tries in a row it is, or
    /// `None` while the key is locked. The try that reaches the limit
    /// locks the key at once, before it is checked.
    async fn take_try(&self, key: &str, now: i64) -> anyhow::Result<Option<i64>> {
        let max = self.security.max_failures;
        let until = now + self.security.lock_minutes * 60;
        let tries: Option<i64> = sqlx::query_scalar(
            "INSERT INTO staff_lockouts (email_index, tries, locked_until) VALUES ($1, 1, $4) \
             ON CONFLICT (email_index) DO UPDATE SET \
               tries = CASE WHEN staff_lockouts.tries >= $2 THEN 1 ELSE staff_lockouts.tries + 1 END, \
               locked_until = CASE WHEN (CASE WHEN staff_lockouts.tries >= $2 THEN 1 ELSE staff_lockouts.tries + 1 END) >= $2 \
                 THEN $5 ELSE NULL END \
             WHERE staff_lockouts.tries < $2 OR staff_lockouts.locked_until <= $3 \
             RETURNING tries",
        )
        .bind(key)
        .bind(max)
        .bind(now)
        .bind((max <= 1).then_some(until))
        .bind(until)
        .fetch_optional(self.db)
        .await?;
        Ok(tries)
    }

    /// A right password gives its try back (the code still counts on).
    async fn give_back(&self, key: &str) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE staff_lockouts SET tries = tries - 1, locked_until = NULL \
             WHERE email_index = $1 AND tries > 0",
        )
        .bind(key)
        .execute(self.db)
        .await?;
        Ok(())
    }

    /// A wrong try, already counted: audited, and answered `Locked` when it
    /// was the last one allowed.
    async fn failed(
        &self,
        tries: i64,
        about: About<'_>,
        reason: &str,
        address: &str,
        now: i64,
    ) -> anyhow::Result<SignInProblem> {
        let locked = tries >= self.security.max_failures;
        let detail = if locked {
            format!("{reason}; locked")
        } else {
            reason.to_string()
        };
        self.audit_try(about, "staff.sign_in_failed", detail, address, now)
            .await?;
        if locked {
            tracing::warn!("staff sign-in locked after repeated failures");
            return Ok(SignInProblem::Locked);
        }
        Ok(SignInProblem::Wrong)
    }

    async fn audit_try(
        &self,
        about: About<'_>,
        action: &str,
        detail: String,
        address: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        let event = match about {
            Some((id, centre)) => Event::new(Actor::Staff(id), action)
                .on("staff", id)
                .at_centre(centre),
            None => Event::new(Actor::System("staff-sign-in"), action),
        }
        .from_staff_address(address)
        .detail(detail);
        Audit {
            db: self.db,
            cipher: self.cipher,
        }
        .record(&event, now)
        .await?;
        Ok(())
    }

    /// Checks `password` against a stored hash (or, for an unknown email, a
    /// dummy one: the same work), off the async threads.
    async fn verify(&self, password: &str, stored: Option<String>) -> anyhow::Result<bool> {
        let security = self.security;
        let password = zeroize::Zeroizing::new(password.to_string());
        let permit = self.hashing.acquire().await?;
        let matches = tokio::task::spawn_blocking(move || {
            let stored = stored.unwrap_or_else(|| dummy_hash(security));
            security.matches(&password, &stored)
        })
        .await?;
        drop(permit);
        Ok(matches)
    }

    /// The first step: email and password. Returns the account id and what
    /// comes next.
    pub async fn check_password(
        &self,
        email: &str,
        password: &str,
        address: &str,
        now: i64,
    ) -> anyhow::Result<Result<AfterPassword, SignInProblem>> {
        if self.connection_limited(address, now).await? {
            return Ok(Err(SignInProblem::TooMany));
        }
        let row: Option<PasswordRow> = match normalise_email(email) {
            Some(email) => {
                sqlx::query_as(
                    "SELECT id, password_hash, role, centre_id, totp_enrolled_at, disabled_at \
                 FROM staff_accounts WHERE email = $1",
                )
                .bind(email)
                .fetch_optional(self.db)
                .await?
            }
            None => None,
        };
        let key = self.lockout_key(email);
        let tries = self.take_try(&key, now).await?;
        // The same work whether or not the account exists or is locked.
        let matches = self
            .verify(password, row.as_ref().map(|r| r.password_hash.clone()))
            .await?;
        let about = row
            .as_ref()
            .map(|r| (r.id.as_str(), r.centre_id.as_deref()));
        let Some(tries) = tries else {
            self.audit_try(
                about,
                "staff.sign_in_locked",
                "password".into(),
                address,
                now,
            )
            .await?;
            return Ok(Err(SignInProblem::Locked));
        };
        let reason = match &row {
            Some(row) if matches && row.disabled_at.is_some() => "disabled",
            Some(_) if matches => "",
            _ => "password",
        };
        if !reason.is_empty() {
            return Ok(Err(self.failed(tries, about, reason, address, now).await?));
        }
        self.give_back(&key).await?;
        let Some(row) = row else {
            anyhow::bail!("a password matched no account");
        };
        Ok(Ok(if row.totp_enrolled_at.is_some() {
            AfterPassword::Code(row.id)
        } else if self.totp_required(row.role) {
            AfterPassword::Enrol(row.id)
        } else {
            self.signed_in(&key, &row.id, now).await?;
            AfterPassword::SignedIn(row.id)
        }))
    }

    /// Signed in: the tries start again and the sign-in is kept.
    async fn signed_in(&self, key: &str, id: &str, now: i64) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE staff_lockouts SET tries = 0, locked_until = NULL WHERE email_index = $1",
        )
        .bind(key)
        .execute(self.db)
        .await?;
        sqlx::query("UPDATE staff_accounts SET last_sign_in_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(self.db)
            .await?;
        Ok(())
    }

    /// Checks a code against the account's enrolled secret or, when
    /// `enrolling` (the candidate secret this session was shown, base32),
    /// against that one, which a right code then stores. A code is good for
    /// its 30-second step and one either side, and only once.
    pub async fn check_code(
        &self,
        id: &str,
        code: &str,
        enrolling: Option<&str>,
        address: &str,
        now: i64,
    ) -> anyhow::Result<Result<(), SignInProblem>> {
        let row = sqlx::query_as::<_, CodeRow>(
            "SELECT email, centre_id, totp_secret, totp_enrolled_at, totp_last_step, disabled_at \
             FROM staff_accounts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.db)
        .await?;
        let Some(row) = row else {
            return Ok(Err(SignInProblem::Wrong));
        };
        let key = self.lockout_key(&row.email);
        let about = Some((id, row.centre_id.as_deref()));
        let Some(tries) = self.take_try(&key, now).await? else {
            self.audit_try(about, "staff.sign_in_locked", "code".into(), address, now)
                .await?;
            return Ok(Err(SignInProblem::Locked));
        };
        let secret = match (enrolling, &row.totp_secret, row.totp_enrolled_at) {
            (Some(candidate), _, None) => base32_decode(candidate),
            (None, Some(sealed), Some(_)) => Some(
                self.cipher
                    .decrypt(&STAFF_TOTP_SECRET, id, sealed)?
                    .to_vec(),
            ),
            _ => None,
        };
        let step = match secret {
            Some(secret) if row.disabled_at.is_none() => {
                matching_step(&secret, code.trim(), now)?.map(|step| (secret, step))
            }
            _ => None,
        };
        let Some((secret, step)) = step else {
            return Ok(Err(self.failed(tries, about, "code", address, now).await?));
        };
        // Claimed with a conditional update: the same code twice, or two
        // requests at once, get one sign-in.
        let claimed = match enrolling {
            Some(_) => self.enrol(id, &row, &secret, step, address, now).await?,
            None => {
                sqlx::query(
                    "UPDATE staff_accounts SET totp_last_step = $2 \
                     WHERE id = $1 AND totp_enrolled_at IS NOT NULL \
                     AND (totp_last_step IS NULL OR totp_last_step < $2)",
                )
                .bind(id)
                .bind(step)
                .execute(self.db)
                .await?
                .rows_affected()
                    == 1
                    && row.totp_last_step.is_none_or(|last| last < step)
            }
        };
        if !claimed {
            return Ok(Err(self.failed(tries, about, "code", address, now).await?));
        }
        self.signed_in(&key, id, now).await?;
        Ok(Ok(()))
    }

    /// Stores the secret a right code confirmed, tells the member by email
    /// and records the enrolment, in one transaction; `false` if the
    /// account was enrolled meanwhile.
    async fn enrol(
        &self,
        id: &str,
        row: &CodeRow,
        secret: &[u8],
        step: i64,
        address: &str,
        now: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = crate::db::begin(self.db).await?;
        let stored = sqlx::query(
            "UPDATE staff_accounts SET totp_secret = $2, totp_enrolled_at = $3, totp_last_step = $4 \
             WHERE id = $1 AND totp_enrolled_at IS NULL AND disabled_at IS NULL",
        )
        .bind(id)
        .bind(self.cipher.encrypt(&STAFF_TOTP_SECRET, id, secret))
        .bind(now)
        .bind(step)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if stored != 1 {
            return Ok(false);
        }
        let to = Recipient::Email(row.email.clone());
        let message = Message::StaffAuthenticatorEnrolled;
        outbox::enqueue(&mut tx, self.cipher, &to, Locale::en, &message, now).await?;
        let event = Event::new(Actor::Staff(id), "staff.totp_enrolled")
            .on("staff", id)
            .at_centre(row.centre_id.as_deref())
            .from_staff_address(address);
        Audit {
            db: self.db,
            cipher: self.cipher,
        }
        .record_in(&mut tx, &event, now)
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
