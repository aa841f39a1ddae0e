//! Signing in with a one-time code sent to a phone number or email address.
//!
//! - Codes are six random digits, kept only as an HMAC (keyed with a key
//!   derived from the master key, so a copy of the table cannot be brute
//!   forced offline), valid for 5 minutes, dead after 5 wrong tries.
//! - At most 3 codes per contact per 10 minutes, and a per-connection
//!   limit; both are counted in the database so that several servers agree.
//! - Each try of a code is reserved by one conditional update before the
//!   code is compared, so parallel guesses cannot share a try: at most 5
//!   comparisons per code, whatever the traffic. A right code gives its try
//!   back as it is used.
//! - Daily caps per contact ([`SignInLimits`], by default 10 codes and 20
//!   wrong tries in any rolling 24 hours): each request and each try first
//!   writes the contact's row in `sign_in_contacts` and holds it until it
//!   commits, so the counts (from `sign_in_codes`) and the 10-minute limit
//!   are checked one at a time per contact, however many servers race. Past
//!   a cap nothing is sent and no code is compared.
//! - The answer to a request is the same whether or not the contact has an
//!   account: the account is made when a code is first used.

use crate::audit::{Actor, Audit, Event};
use crate::crypto::FieldCipher;
use crate::crypto::columns;
use crate::messages::{Message, Recipient, outbox};
use app::i18n::Locale;
use app::identifiers::{EmailAddress, FieldError, PhoneNumber};
use rand::Rng as _;
use sqlx::{AnyConnection, AnyPool};
use subtle::ConstantTimeEq as _;

pub const CODE_LIFETIME_SECS: i64 = 5 * 60;
pub const MAX_WRONG_TRIES: i64 = 5;
pub const LIMIT_WINDOW_SECS: i64 = 10 * 60;
pub const CODES_PER_CONTACT: i64 = 3;
/// The window of the daily caps: a rolling 24 hours.
pub const DAY_SECS: i64 = 24 * 3600;

/// How much signing in one contact and one connection may ask for, from
/// configuration.
#[derive(clap::Args, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignInLimits {
    /// Sign-in codes that may be asked for from one connection (IP address)
    /// in 10 minutes. Generous, because many phones share a mobile
    /// operator's address.
    #[arg(
        long = "sign-in-per-connection",
        env = "USAJILI_SIGN_IN_PER_CONNECTION",
        default_value_t = 30,
        global = true
    )]
    pub per_connection: i64,
    /// Sign-in codes one phone number or email address may be sent in any
    /// 24 hours.
    #[arg(
        long = "sign-in-codes-per-day",
        env = "USAJILI_SIGN_IN_CODES_PER_DAY",
        default_value_t = 10,
        global = true
    )]
    pub codes_per_day: i64,
    /// Wrong codes that may be tried for one phone number or email address
    /// in any 24 hours, across all its codes.
    #[arg(
        long = "sign-in-wrong-tries-per-day",
        env = "USAJILI_SIGN_IN_WRONG_TRIES_PER_DAY",
        default_value_t = 20,
        global = true
    )]
    pub wrong_tries_per_day: i64,
}

impl Default for SignInLimits {
    fn default() -> Self {
        SignInLimits {
            per_connection: 30,
            codes_per_day: 10,
            wrong_tries_per_day: 20,
        }
    }
}

/// Where a code can be sent.
#[derive(Clone, PartialEq, Eq)]
pub enum ContactAddress {
    Phone(PhoneNumber),
    Email(EmailAddress),
}

impl std::fmt::Debug for ContactAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ContactAddress::Phone(_) => "Phone(<redacted>)",
            ContactAddress::Email(_) => "Email(<redacted>)",
        })
    }
}

impl ContactAddress {
    /// A phone number, or an email address if there is an `@`.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let value = input.trim();
        if value.is_empty() {
            Err(FieldError::ContactMissing)
        } else if value.contains('@') {
            EmailAddress::parse(value).map(ContactAddress::Email)
        } else {
            PhoneNumber::parse(value).map(ContactAddress::Phone)
        }
    }

    /// The blind index an account is found by (`accounts.contact_index`).
    pub fn index(&self, cipher: &FieldCipher) -> String {
        cipher.blind_index(columns::CONTACT_INDEX, &self.normalised())
    }

    /// The form that identifies an account: E.164, or the address in lower case.
    pub fn normalised(&self) -> String {
        match self {
            ContactAddress::Phone(p) => p.to_string(),
            ContactAddress::Email(e) => e.to_string().to_lowercase(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            ContactAddress::Phone(_) => "phone",
            ContactAddress::Email(_) => "email",
        }
    }

    pub fn recipient(&self) -> Recipient {
        match self {
            ContactAddress::Phone(p) => Recipient::Phone(p.to_string()),
            ContactAddress::Email(e) => Recipient::Email(e.to_string()),
        }
    }

    /// Enough to recognise, not enough to read: `+254 7•• ••• 678`,
    /// `g•••@example.com`.
    pub fn masked(&self) -> String {
        match self {
            ContactAddress::Phone(p) => {
                let digits = p.to_string();
                let tail = &digits[digits.len().saturating_sub(3)..];
                let first = digits.chars().nth(4).unwrap_or('•');
                format!("+254 {first}•• ••• {tail}")
            }
            ContactAddress::Email(e) => {
                let text = e.to_string();
                let (local, domain) = text.split_once('@').unwrap_or((&text, ""));
                let first: String = local.chars().take(1).collect();
                format!("{first}•••@{domain}")
            }
        }
    }
}

/// Why a code was not sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    TooManyForContact,
    TooManyFromConnection,
    /// The contact's codes for the day are used up.
    CodesToday,
    /// The contact's wrong tries for the day are used up.
    WrongTriesToday,
}

impl Refusal {
    /// Which limit refused, as the metrics name it
    /// (`observe::series::SIGN_IN_LIMITS`).
    pub fn label(self) -> &'static str {
        match self {
            Refusal::TooManyFromConnection => "per_connection",
            Refusal::TooManyForContact => "per_contact",
            Refusal::CodesToday => "codes_per_day",
            Refusal::WrongTriesToday => "wrong_tries_per_day",
        }
    }
}

impl From<Refusal> for FieldError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::TooManyForContact => FieldError::SignInTooMany,
            Refusal::TooManyFromConnection => FieldError::SignInTooManyHere,
            Refusal::CodesToday => FieldError::SignInCodesToday,
            Refusal::WrongTriesToday => FieldError::SignInTriesToday,
        }
    }
}

/// Why a code was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeProblem {
    Wrong,
    /// Expired, used, tried too many times, or never issued.
    Dead,
    /// The contact's wrong tries for the day are used up: not compared.
    TooManyToday,
}

impl From<CodeProblem> for FieldError {
    fn from(problem: CodeProblem) -> Self {
        match problem {
            CodeProblem::Wrong => FieldError::CodeWrong,
            CodeProblem::Dead => FieldError::CodeExpired,
            CodeProblem::TooManyToday => FieldError::SignInTriesToday,
        }
    }
}

pub struct SignIn<'a> {
    pub db: &'a AnyPool,
    pub cipher: &'a FieldCipher,
    pub limits: SignInLimits,
}

/// A try of a code, reserved: the code as stored (`contact` sealed), with
/// its tries counting this one.
#[derive(sqlx::FromRow)]
struct ReservedTry {
    contact_index: String,
    contact: Vec<u8>,
    code_hash: String,
    failed_attempts: i64,
}

/// A contact's sign-in in the 24 hours (and the 10 minutes) before now.
#[derive(sqlx::FromRow)]
struct ContactDay {
    codes: i64,
    wrong_tries: i64,
    recent_codes: i64,
}

/// Writes the contact's row in `sign_in_contacts`, which the transaction
/// then holds until it ends: requests and tries for one contact take turns
/// from here, in every process.
async fn hold_contact(conn: &mut AnyConnection, index: &str, now: i64) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO sign_in_contacts (contact_index, touched_at) VALUES ($1, $2) \
         ON CONFLICT (contact_index) DO UPDATE SET touched_at = excluded.touched_at",
    )
    .bind(index)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Codes sent to a contact and wrong tries of them in the last 24 hours,
/// and codes in the last 10 minutes. Read while holding the contact.
async fn contact_day(
    conn: &mut AnyConnection,
    index: &str,
    now: i64,
) -> anyhow::Result<ContactDay> {
    Ok(sqlx::query_as::<_, ContactDay>(
        "SELECT COUNT(*) AS codes, \
                CAST(COALESCE(SUM(failed_attempts), 0) AS BIGINT) AS wrong_tries, \
                CAST(COALESCE(SUM(CASE WHEN created_at > $3 THEN 1 ELSE 0 END), 0) AS BIGINT) AS recent_codes \
         FROM sign_in_codes WHERE contact_index = $1 AND created_at > $2",
    )
    .bind(index)
    .bind(now - DAY_SECS)
    .bind(now - LIMIT_WINDOW_SECS)
    .fetch_one(conn)
    .await?)
}

impl SignIn<'_> {
    fn code_hash(&self, challenge: &str, code: &str) -> String {
        self.cipher
            .blind_index("sign-in-code", &format!("{challenge}:{code}"))
    }

    fn contact_index(&self, contact: &ContactAddress) -> String {
        contact.index(self.cipher)
    }

    /// Counts a request against a connection's limit; true if over it.
    async fn over_connection_limit(&self, connection: &str, now: i64) -> anyhow::Result<bool> {
        let bucket = self.cipher.blind_index("rate:sign-in", connection);
        let admitted = crate::rate_limit::admit(
            self.db,
            &bucket,
            self.limits.per_connection,
            LIMIT_WINDOW_SECS,
            now,
        )
        .await?;
        Ok(!admitted)
    }

    /// Issues a code and queues the message that carries it. Returns the
    /// challenge id, which the caller keeps in the session.
    pub async fn request_code(
        &self,
        contact: &ContactAddress,
        connection: &str,
        locale: Locale,
        now: i64,
    ) -> anyhow::Result<Result<String, Refusal>> {
        if self.over_connection_limit(connection, now).await? {
            crate::observe::series::sign_in_code_refused(Refusal::TooManyFromConnection.label());
            return Ok(Err(Refusal::TooManyFromConnection));
        }
        let index = self.contact_index(contact);
        let mut tx = crate::db::begin(self.db).await?;
        hold_contact(&mut tx, &index, now).await?;
        let day = contact_day(&mut tx, &index, now).await?;
        let refusal = if day.wrong_tries >= self.limits.wrong_tries_per_day {
            Some(Refusal::WrongTriesToday)
        } else if day.codes >= self.limits.codes_per_day {
            Some(Refusal::CodesToday)
        } else if day.recent_codes >= CODES_PER_CONTACT {
            Some(Refusal::TooManyForContact)
        } else {
            None
        };
        if let Some(refusal) = refusal {
            tx.rollback().await?;
            tracing::info!(?refusal, "sign-in code refused");
            crate::observe::series::sign_in_code_refused(refusal.label());
            return Ok(Err(refusal));
        }
        let challenge = crate::crypto::random_id();
        let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
        sqlx::query(
            "INSERT INTO sign_in_codes (id, contact_index, contact, code_hash, failed_attempts, expires_at, used_at, created_at) \
             VALUES ($1, $2, $3, $4, 0, $5, NULL, $6)",
        )
        .bind(&challenge)
        .bind(&index)
        .bind(self.cipher.encrypt_str(&columns::SIGN_IN_CODE_CONTACT, &challenge, &format!("{}:{}", contact.kind(), contact.normalised())))
        .bind(self.code_hash(&challenge, &code))
        .bind(now + CODE_LIFETIME_SECS)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        outbox::enqueue(
            &mut tx,
            self.cipher,
            &contact.recipient(),
            locale,
            &Message::SignInCode { code },
            now,
        )
        .await?;
        tx.commit().await?;
        outbox::wake_worker();
        tracing::info!(challenge = %challenge, "sign-in code issued");
        crate::observe::series::sign_in_code_sent(contact.recipient().channel().code());
        Ok(Ok(challenge))
    }

    /// Checks a code against its challenge. On success the code is used up
    /// and the account (made now if new) is returned.
    ///
    /// The try is reserved first, by one conditional update that counts it
    /// as wrong, so that no more than 5 tries of a code are ever compared;
    /// then it is counted against the contact's wrong tries for the day. A
    /// right code gives its try back as the same transaction uses the code.
    ///
    /// `signing_in_from` (the connection's key, `ClientAddr::key`) is given
    /// when the code signs the citizen in: the sign-in is then recorded in
    /// the audit chain in the same transaction. A code that confirms an
    /// action instead (deleting the account) records nothing here.
    pub async fn verify_code(
        &self,
        challenge: &str,
        code: &str,
        now: i64,
        signing_in_from: Option<&str>,
    ) -> anyhow::Result<Result<String, CodeProblem>> {
        let mut tx = crate::db::begin(self.db).await?;
        let reserved = sqlx::query_as::<_, ReservedTry>(
            "UPDATE sign_in_codes SET failed_attempts = failed_attempts + 1 \
             WHERE id = $1 AND failed_attempts < $2 AND used_at IS NULL AND expires_at > $3 \
             RETURNING contact_index, contact, code_hash, failed_attempts",
        )
        .bind(challenge)
        .bind(MAX_WRONG_TRIES)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(ReservedTry {
            contact_index: index,
            contact: sealed_contact,
            code_hash: stored_hash,
            failed_attempts: tries,
        }) = reserved
        else {
            tx.rollback().await?;
            return Ok(Err(CodeProblem::Dead));
        };
        hold_contact(&mut tx, &index, now).await?;
        // Counts this try, reserved above, as one of the day's wrong ones.
        let day = contact_day(&mut tx, &index, now).await?;
        if day.wrong_tries > self.limits.wrong_tries_per_day {
            tx.rollback().await?;
            tracing::info!(challenge = %challenge, "sign-in code not tried: daily limit");
            return Ok(Err(CodeProblem::TooManyToday));
        }
        let candidate = self.code_hash(challenge, code);
        if !bool::from(candidate.as_bytes().ct_eq(stored_hash.as_bytes())) {
            tx.commit().await?;
            tracing::info!(challenge = %challenge, tries, "wrong sign-in code");
            return Ok(Err(if tries >= MAX_WRONG_TRIES {
                CodeProblem::Dead
            } else {
                CodeProblem::Wrong
            }));
        }
        // Used once, and the reserved try given back: a second request with
        // the same code finds it used.
        let claimed = sqlx::query(
            "UPDATE sign_in_codes SET used_at = $1, failed_attempts = failed_attempts - 1 \
             WHERE id = $2 AND used_at IS NULL AND failed_attempts <= $3",
        )
        .bind(now)
        .bind(challenge)
        .bind(MAX_WRONG_TRIES)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(Err(CodeProblem::Dead));
        }
        let contact = self.cipher.decrypt_string(
            &columns::SIGN_IN_CODE_CONTACT,
            challenge,
            &sealed_contact,
        )?;
        let (kind, value) = contact
            .split_once(':')
            .ok_or_else(|| anyhow::anyhow!("a malformed stored contact"))?;
        let account = account_for(&mut tx, self.cipher, (&index, kind, value), now).await?;
        if let Some(client) = signing_in_from {
            let event = Event::new(Actor::Citizen(&account), "citizen.sign_in")
                .on("account", &account)
                .from_citizen_address(self.cipher, client);
            Audit {
                db: self.db,
                cipher: self.cipher,
            }
            .record_in(&mut tx, &event, now)
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(account))
    }
}

/// The account of the contact (its blind index `index`, `kind` `phone` or
/// `email`, the address `value`), made now if new, on `conn`: the code's
/// transaction when signing in, a USSD pre-registration's for a number
/// that never signed in on the web.
pub(crate) async fn account_for(
    conn: &mut AnyConnection,
    cipher: &FieldCipher,
    (index, kind, value): (&str, &str, &str),
    now: i64,
) -> anyhow::Result<String> {
    let existing: Option<String> =
        sqlx::query_scalar("SELECT id FROM accounts WHERE contact_index = $1")
            .bind(index)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(id) = existing {
        sqlx::query("UPDATE accounts SET last_sign_in_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&id)
            .execute(&mut *conn)
            .await?;
        return Ok(id);
    }
    let id = crate::crypto::random_id();
    sqlx::query(
        "INSERT INTO accounts (id, contact_index, contact, contact_kind, created_at, last_sign_in_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (contact_index) DO NOTHING",
    )
    .bind(&id)
    .bind(index)
    .bind(cipher.encrypt_str(&columns::ACCOUNT_CONTACT, &id, value))
    .bind(kind)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    // Another request may have made it first.
    let id: String = sqlx::query_scalar("SELECT id FROM accounts WHERE contact_index = $1")
        .bind(index)
        .fetch_one(&mut *conn)
        .await?;
    tracing::info!(account = %id, "account opened");
    Ok(id)
}

/// Deletes what sign-in leaves behind once it is of no use: expired
/// sessions, codes older than a day, spent rate-limit counts, contacts not
/// heard of for a day.
pub async fn sweep(db: &AnyPool, now: i64) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(db)
        .await?;
    sqlx::query("DELETE FROM sign_in_codes WHERE created_at <= $1")
        .bind(now - DAY_SECS)
        .execute(db)
        .await?;
    sqlx::query("DELETE FROM sign_in_contacts WHERE touched_at <= $1")
        .bind(now - DAY_SECS)
        .execute(db)
        .await?;
    crate::rate_limit::sweep(db, LIMIT_WINDOW_SECS, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_has_its_own_metrics_label() {
        let refusals = [
            Refusal::TooManyFromConnection,
            Refusal::TooManyForContact,
            Refusal::CodesToday,
            Refusal::WrongTriesToday,
        ];
        let labels: Vec<&str> = refusals.iter().map(|r| r.label()).collect();
        assert_eq!(labels, crate::observe::series::SIGN_IN_LIMITS);
    }

    #[test]
    fn a_contact_is_a_phone_or_an_email() {
        assert!(matches!(
            ContactAddress::parse("0712 345 678"),
            Ok(ContactAddress::Phone(_))
        ));
        assert!(matches!(
            ContactAddress::parse("Grace@Example.com"),
            Ok(ContactAddress::Email(_))
        ));
        assert_eq!(ContactAddress::parse("  "), Err(FieldError::ContactMissing));
        assert_eq!(
            ContactAddress::parse("grace@"),
            Err(FieldError::EmailFormat)
        );
    }

    #[test]
    fn contacts_are_normalised_and_masked() {
        let phone = ContactAddress::parse("0712 345 678").unwrap();
        assert_eq!(phone.normalised(), "+254712345678");
        assert_eq!(phone.masked(), "+254 7•• ••• 678");
        let email = ContactAddress::parse("Grace@Example.com").unwrap();
        assert_eq!(email.normalised(), "grace@example.com");
        assert_eq!(email.masked(), "G•••@example.com");
    }
}
