//! Staff accounts: creation (argon2id with parameters from configuration,
//! a password policy), sign-in with lock-out and a per-connection limit,
//! and the second factor (TOTP, RFC 6238) enrolled on first sign-in.

use super::{Role, StaffMember};
use crate::crypto::FieldCipher;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore as _;
use sqlx::AnyPool;
use subtle::ConstantTimeEq as _;
use totp_rs::TOTP;

use crate::crypto::columns::STAFF_TOTP_SECRET;
/// Sign-in attempts from one connection in ten minutes.
const ATTEMPTS_PER_CONNECTION: i64 = 30;
const WINDOW_SECS: i64 = 600;
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Passwords people choose first; refused however long they are.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// How staff passwords are hashed and how sign-in is guarded, from
/// configuration.
#[derive(clap::Args, Clone, Copy, Debug, PartialEq, Eq)]
pub struct StaffSecurity {
    /// argon2id memory cost in KiB.
    #[arg(long = "argon2-memory-kib", env = "USAJILI_ARGON2_MEMORY_KIB", default_value_t = 19 * 1024, global = true)]
    pub argon2_memory_kib: u32,
    /// argon2id passes over memory.
    #[arg(
        long = "argon2-iterations",
        env = "USAJILI_ARGON2_ITERATIONS",
        default_value_t = 2,
        global = true
    )]
    pub argon2_iterations: u32,
    /// argon2id lanes.
    #[arg(
        long = "argon2-parallelism",
        env = "USAJILI_ARGON2_PARALLELISM",
        default_value_t = 1,
        global = true
    )]
    pub argon2_parallelism: u32,
    /// Wrong passwords or codes in a row before an account is locked.
    #[arg(
        long = "staff-max-failures",
        env = "USAJILI_STAFF_MAX_FAILURES",
        default_value_t = 5,
        global = true
    )]
    pub max_failures: i64,
    /// How long a lock-out lasts, in minutes.
    #[arg(
        long = "staff-lock-minutes",
        env = "USAJILI_STAFF_LOCK_MINUTES",
        default_value_t = 15,
        global = true
    )]
    pub lock_minutes: i64,
    /// A staff session ends after this many minutes without a request.
    #[arg(
        long = "staff-idle-minutes",
        env = "USAJILI_STAFF_IDLE_MINUTES",
        default_value_t = 15,
        global = true
    )]
    pub idle_minutes: i64,
    /// A staff session ends this many hours after sign-in, however active.
    #[arg(
        long = "staff-session-hours",
        env = "USAJILI_STAFF_SESSION_HOURS",
        default_value_t = 10,
        global = true
    )]
    pub session_hours: i64,
}

impl Default for StaffSecurity {
    fn default() -> Self {
        StaffSecurity {
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            max_failures: 5,
            lock_minutes: 15,
            idle_minutes: 15,
            session_hours: 10,
        }
    }
}

impl StaffSecurity {
    fn hasher(&self) -> anyhow::Result<Argon2<'static>> {
        let params = Params::new(
            self.argon2_memory_kib,
            self.argon2_iterations,
            self.argon2_parallelism,
            None,
        )
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// An argon2id PHC string for `password` (CPU work: call off the async threads).
    pub fn hash(&self, password: &str) -> anyhow::Result<String> {
        let salt = SaltString::generate(&mut OsRng);
        Ok(self
            .hasher()?
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| anyhow::anyhow!("hashing: {e}"))?
            .to_string())
    }

    /// Checks `password` against a stored hash; the hash names its own
    /// parameters, so accounts made under older settings still sign in.
    pub fn matches(&self, password: &str, stored: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(stored) else {
            return false;
        };
        self.hasher()
            .is_ok_and(|h| h.verify_password(password.as_bytes(), &parsed).is_ok())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    Common,
}

impl std::fmt::Display for PasswordProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PasswordProblem::TooShort => write!(
                f,
                "the password must have at least {MIN_PASSWORD_CHARS} characters"
            ),
            PasswordProblem::Common => write!(
                f,
                "the password is on the list of common passwords; choose another"
            ),
        }
    }
}

/// At least 12 characters, and not a common password (compared without
/// case, spaces or a trailing run of digits and punctuation).
pub fn check_password(password: &str) -> Result<(), PasswordProblem> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    let folded: String = password
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let stem = folded.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    let common = COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty());
    for candidate in common {
        if folded == candidate || stem == candidate {
            return Err(PasswordProblem::Common);
        }
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("{0}")]
    Password(PasswordProblem),
    #[error("an officer or supervisor needs a centre (--centre); an administrator has none")]
    Centre,
    #[error("no centre has the id {0}")]
    UnknownCentre(String),
    #[error("the email address is not valid")]
    Email,
    #[error("a staff account with this email address exists already")]
    Exists,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

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

pub struct StaffAccounts<'a> {
    pub db: &'a AnyPool,
    pub cipher: &'a FieldCipher,
    pub security: StaffSecurity,
    /// TOTP optional for officers (development and demo only).
    pub officer_totp_optional: bool,
    /// The process's ceiling on password hashing (`ceilings`).
    pub hashing: &'a tokio::sync::Semaphore,
}

fn normalise_email(email: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    app::identifiers::EmailAddress::parse(&email)
        .ok()
        .map(|e| e.to_string())
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: String,
    email: String,
    #[sqlx(try_from = "String")]
    role: Role,
    centre_id: Option<String>,
    totp_enrolled_at: Option<i64>,
}

/// A staff account's second factor (`totp_secret` sealed).
#[derive(sqlx::FromRow)]
struct TotpRow {
    totp_secret: Option<Vec<u8>>,
    totp_enrolled_at: Option<i64>,
    totp_last_step: Option<i64>,
}

impl StaffAccounts<'_> {
    pub async fn create(
        &self,
        email: &str,
        role: Role,
        centre: Option<&str>,
        password: &str,
        now: i64,
    ) -> Result<String, CreateError> {
        check_password(password).map_err(CreateError::Password)?;
        let email = normalise_email(email).ok_or(CreateError::Email)?;
        match (role, centre) {
            (Role::Administrator, None) => {}
            (Role::Officer | Role::Supervisor, Some(centre)) => {
                let known: Option<String> =
                    sqlx::query_scalar("SELECT id FROM centres WHERE id = $1")
                        .bind(centre)
                        .fetch_optional(self.db)
                        .await
                        .map_err(anyhow::Error::from)?;
                if known.is_none() {
                    return Err(CreateError::UnknownCentre(centre.to_string()));
                }
            }
            _ => return Err(CreateError::Centre),
        }
        let security = self.security;
        let password = zeroize::Zeroizing::new(password.to_string());
        let permit = self.hashing.acquire().await.map_err(anyhow::Error::from)?;
        let hash = tokio::task::spawn_blocking(move || security.hash(&password))
            .await
            .map_err(anyhow::Error::from)??;
        drop(permit);
        let id = crate::crypto::random_id();
        let inserted = sqlx::query(
            "INSERT INTO staff_accounts (id, email, role, centre_id, password_hash, failed_attempts, created_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $6)",
        )
        .bind(&id)
        .bind(&email)
        .bind(role.code())
        .bind(centre)
        .bind(&hash)
        .bind(now)
        .execute(self.db)
        .await;
        match inserted {
            Ok(_) => Ok(id),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(CreateError::Exists),
            Err(e) => Err(CreateError::Other(e.into())),
        }
    }

    /// The member of staff with this id, as the extractor needs them.
    pub async fn member(&self, id: &str) -> anyhow::Result<Option<StaffMember>> {
        let row = sqlx::query_as::<_, MemberRow>(
            "SELECT id, email, role, centre_id, totp_enrolled_at FROM staff_accounts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.db)
        .await?;
        Ok(row.map(|row| StaffMember {
            id: row.id,
            email: row.email,
            role: row.role,
            centre_id: row.centre_id,
            totp_enrolled: row.totp_enrolled_at.is_some(),
        }))
    }

    fn totp_required(&self, role: Role) -> bool {
        role != Role::Officer || !self.officer_totp_optional
    }

    /// Too many attempts from this connection?
    async fn connection_limited(&self, address: &str, now: i64) -> anyhow::Result<bool> {
        let bucket = self.cipher.blind_index("staff-sign-in", address);
        let recent: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM rate_limit_events WHERE bucket = $1 AND created_at > $2",
        )
        .bind(&bucket)
        .bind(now - WINDOW_SECS)
        .fetch_one(self.db)
        .await?;
        if recent >= ATTEMPTS_PER_CONNECTION {
            return Ok(true);
        }
        sqlx::query("INSERT INTO rate_limit_events (bucket, created_at) VALUES ($1, $2)")
            .bind(&bucket)
            .bind(now)
            .execute(self.db)
            .await?;
        Ok(false)
    }

    async fn failed(&self, id: &str, now: i64) -> anyhow::Result<SignInProblem> {
        let failures: i64 = sqlx::query_scalar(
            "UPDATE staff_accounts SET failed_attempts = failed_attempts + 1 WHERE id = $1 RETURNING failed_attempts",
        )
        .bind(id)
        .fetch_one(self.db)
        .await?;
        if failures >= self.security.max_failures {
            sqlx::query(
                "UPDATE staff_accounts SET failed_attempts = 0, locked_until = $2 WHERE id = $1",
            )
            .bind(id)
            .bind(now + self.security.lock_minutes * 60)
            .execute(self.db)
            .await?;
            tracing::warn!(staff = %id, "staff account locked after repeated failures");
            return Ok(SignInProblem::Locked);
        }
        Ok(SignInProblem::Wrong)
    }

    async fn locked(&self, id: &str, now: i64) -> anyhow::Result<bool> {
        let until: Option<i64> =
            sqlx::query_scalar("SELECT locked_until FROM staff_accounts WHERE id = $1")
                .bind(id)
                .fetch_one(self.db)
                .await?;
        Ok(until.is_some_and(|until| until > now))
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
        let row: Option<(String, String, String, Option<i64>)> = match normalise_email(email) {
            Some(email) => sqlx::query_as("SELECT id, password_hash, role, totp_enrolled_at FROM staff_accounts WHERE email = $1")
                .bind(email)
                .fetch_optional(self.db)
                .await?,
            None => None,
        };
        // The same work whether or not the account exists.
        let security = self.security;
        let stored = row.as_ref().map(|r| r.1.clone());
        let password = zeroize::Zeroizing::new(password.to_string());
        // In turn with every other hash of the process (`ceilings`).
        let permit = self.hashing.acquire().await?;
        let matches = tokio::task::spawn_blocking(move || {
            let stored = stored.unwrap_or_else(|| dummy_hash(security));
            security.matches(&password, &stored)
        })
        .await?;
        drop(permit);
        let Some((id, _, role, enrolled)) = row else {
            return Ok(Err(SignInProblem::Wrong));
        };
        if self.locked(&id, now).await? {
            return Ok(Err(SignInProblem::Locked));
        }
        if !matches {
            return Ok(Err(self.failed(&id, now).await?));
        }
        let role = Role::from_code(&role).ok_or_else(|| anyhow::anyhow!("unknown role"))?;
        Ok(Ok(if enrolled.is_some() {
            AfterPassword::Code(id)
        } else if self.totp_required(role) {
            AfterPassword::Enrol(id)
        } else {
            self.signed_in(&id, now).await?;
            AfterPassword::SignedIn(id)
        }))
    }

    async fn signed_in(&self, id: &str, now: i64) -> anyhow::Result<()> {
        sqlx::query("UPDATE staff_accounts SET failed_attempts = 0, locked_until = NULL, last_sign_in_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(self.db)
            .await?;
        Ok(())
    }

    /// The TOTP secret being enrolled (made now if none), base32, for the
    /// QR code and for typing in by hand.
    pub async fn enrolment_secret(&self, id: &str) -> anyhow::Result<String> {
        let row: Option<(Option<Vec<u8>>, Option<i64>)> = sqlx::query_as(
            "SELECT totp_secret, totp_enrolled_at FROM staff_accounts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.db)
        .await?;
        let Some((sealed, enrolled)) = row else {
            anyhow::bail!("no such staff account")
        };
        anyhow::ensure!(enrolled.is_none(), "already enrolled");
        let secret = match sealed {
            Some(sealed) => self
                .cipher
                .decrypt(&STAFF_TOTP_SECRET, id, &sealed)?
                .to_vec(),
            None => {
                let mut secret = vec![0u8; 20];
                rand::rng().fill_bytes(&mut secret);
                sqlx::query("UPDATE staff_accounts SET totp_secret = $2 WHERE id = $1 AND totp_secret IS NULL AND totp_enrolled_at IS NULL")
                    .bind(id)
                    .bind(self.cipher.encrypt(&STAFF_TOTP_SECRET, id, &secret))
                    .execute(self.db)
                    .await?;
                // Another tab may have made one first: use what is stored.
                let sealed: Vec<u8> =
                    sqlx::query_scalar("SELECT totp_secret FROM staff_accounts WHERE id = $1")
                        .bind(id)
                        .fetch_one(self.db)
                        .await?;
                self.cipher
                    .decrypt(&STAFF_TOTP_SECRET, id, &sealed)?
                    .to_vec()
            }
        };
        Ok(base32_encode(&secret))
    }

    /// Checks a code against the account's secret (enrolled, or being
    /// enrolled when `enrolling`). A code is good for its 30-second step and
    /// one either side, and only once.
    pub async fn check_code(
        &self,
        id: &str,
        code: &str,
        enrolling: bool,
        now: i64,
    ) -> anyhow::Result<Result<(), SignInProblem>> {
        if self.locked(id, now).await? {
            return Ok(Err(SignInProblem::Locked));
        }
        let row = sqlx::query_as::<_, TotpRow>("SELECT totp_secret, totp_enrolled_at, totp_last_step FROM staff_accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(self.db)
            .await?;
        let Some(TotpRow {
            totp_secret: Some(sealed),
            totp_enrolled_at: enrolled,
            totp_last_step: last_step,
        }) = row
        else {
            return Ok(Err(SignInProblem::Wrong));
        };
        if enrolled.is_some() == enrolling {
            return Ok(Err(SignInProblem::Wrong));
        }
        let secret = self.cipher.decrypt(&STAFF_TOTP_SECRET, id, &sealed)?;
        let Some(step) = matching_step(&secret, code.trim(), now)? else {
            return Ok(Err(self.failed(id, now).await?));
        };
        // Claimed with a conditional update: the same code twice, or two
        // requests at once, get one sign-in.
        let claimed = sqlx::query(
            "UPDATE staff_accounts SET totp_last_step = $2, totp_enrolled_at = COALESCE(totp_enrolled_at, $3) \
             WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(id)
        .bind(step)
        .bind(now)
        .execute(self.db)
        .await?
        .rows_affected();
        if claimed == 0 || last_step.is_some_and(|last| last >= step) {
            return Ok(Err(self.failed(id, now).await?));
        }
        self.signed_in(id, now).await?;
        Ok(Ok(()))
    }
}

/// A hash of a random password, verified when the email is unknown so
/// that both answers take as long.
fn dummy_hash(security: StaffSecurity) -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let mut random = [0u8; 16];
            rand::rng().fill_bytes(&mut random);
            security
                .hash(&crate::crypto::hex(&random))
                .unwrap_or_default()
        })
        .clone()
}

fn totp(secret: &[u8]) -> anyhow::Result<TOTP> {
    TOTP::new(totp_rs::Algorithm::SHA1, 6, 0, 30, secret.to_vec())
        .map_err(|e| anyhow::anyhow!("totp: {e}"))
}

/// The step (`time / 30`) whose code `code` is, looking one step either
/// side of `now` for clock drift.
fn matching_step(secret: &[u8], code: &str, now: i64) -> anyhow::Result<Option<i64>> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp(secret)?;
    for step in [now / 30 - 1, now / 30, now / 30 + 1] {
        let expected = totp.generate((step * 30).max(0) as u64);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            return Ok(Some(step));
        }
    }
    Ok(None)
}

/// The code for a base32 secret at `now` (tests and the demo use it).
pub fn code_at(secret_base32: &str, now: i64) -> anyhow::Result<String> {
    let secret = base32_decode(secret_base32).ok_or_else(|| anyhow::anyhow!("not base32"))?;
    Ok(totp(&secret)?.generate(now.max(0) as u64))
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn otpauth_url(email: &str, secret_base32: &str) -> String {
    let label: String = format!("Usajili:{email}")
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~:@".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!(
        "otpauth://totp/{label}?secret={secret_base32}&issuer=Usajili&algorithm=SHA1&digits=6&period=30"
    )
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            out.push(BASE32[((bits >> (35 - i * 5)) & 31) as usize] as char);
        }
    }
    out
}

fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut bits = 0u64;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes().filter(|c| *c != b'=' && *c != b' ') {
        let value = BASE32.iter().position(|b| *b == c.to_ascii_uppercase())? as u64;
        bits = (bits << 5) | value;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_need_twelve_characters_and_must_not_be_common() {
        assert_eq!(check_password("short pass"), Err(PasswordProblem::TooShort));
        assert_eq!(
            check_password("Password1234!"),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check_password("qwertyuiop123"),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check_password("huduma namba 2026"),
            Err(PasswordProblem::Common)
        );
        assert_eq!(check_password("tall giraffe drinks chai"), Ok(()));
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("MZXW6YTBOI").unwrap(), b"foobar");
        let secret: Vec<u8> = (0..20).collect();
        assert_eq!(base32_decode(&base32_encode(&secret)).unwrap(), secret);
    }

    #[test]
    fn codes_follow_rfc_6238_and_allow_one_step_of_drift() {
        // RFC 6238 appendix B, SHA-1, T = 59: 94287082 (8 digits); 6 digits: 287082.
        let secret = b"12345678901234567890";
        assert_eq!(totp(secret).unwrap().generate(59), "287082");
        assert_eq!(matching_step(secret, "287082", 59).unwrap(), Some(1));
        assert_eq!(matching_step(secret, "287082", 59 + 30).unwrap(), Some(1));
        assert_eq!(matching_step(secret, "287082", 59 + 90).unwrap(), None);
        assert_eq!(matching_step(secret, "28708", 59).unwrap(), None);
    }

    #[test]
    fn hashes_are_argon2id_with_the_configured_parameters() {
        let security = StaffSecurity {
            argon2_memory_kib: 1024,
            argon2_iterations: 1,
            ..StaffSecurity::default()
        };
        let hash = security.hash("tall giraffe drinks chai").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{hash}");
        assert!(security.matches("tall giraffe drinks chai", &hash));
        assert!(!security.matches("tall giraffe drinks tea", &hash));
        assert!(!security.matches("x", "not a hash"));
    }
}
