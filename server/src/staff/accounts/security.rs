//! How staff passwords are kept and chosen: argon2id with parameters from
//! configuration (`StaffSecurity`, which also holds the lock-out and session
//! settings), and the password policy (length, common passwords).

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore as _;

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
    /// A member not seen for this many days (since their last sign-in, or
    /// since the account was made) is disabled by the daily job.
    #[arg(
        long = "staff-idle-days",
        env = "USAJILI_STAFF_IDLE_DAYS",
        default_value_t = 90,
        global = true
    )]
    pub idle_days: i64,
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
            idle_days: 90,
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

/// A hash of a random password, verified when the email is unknown so
/// that both answers take as long.
pub(super) fn dummy_hash(security: StaffSecurity) -> String {
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
