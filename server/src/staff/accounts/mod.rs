//! Staff accounts: the store (`StaffAccounts`: making an account, loading a
//! member, the list administrators see), with the password rules and
//! hashing (`security`), the second factor (`totp`), signing in with its
//! lock-out and enrolment (`sign_in`), and what an administrator or the
//! command line does to an account afterwards (`lifecycle`).

mod lifecycle;
mod security;
mod sign_in;
mod totp;

pub use lifecycle::{ActionError, update_detail};
pub use security::{MIN_PASSWORD_CHARS, PasswordProblem, StaffSecurity, check_password};
pub use sign_in::{AfterPassword, SignInProblem};
pub use totp::{code_at, new_secret, otpauth_url};

use super::{Role, StaffMember};
use crate::crypto::FieldCipher;
use sqlx::AnyPool;

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
    disabled_at: Option<i64>,
    password_temporary: i64,
    session_epoch: i64,
    created_at: i64,
    last_sign_in_at: Option<i64>,
}

const MEMBER_COLUMNS: &str = "id, email, role, centre_id, totp_enrolled_at, disabled_at, \
     password_temporary, session_epoch, created_at, last_sign_in_at";

/// One account as the administrators' list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountSummary {
    pub member: StaffMember,
    pub created_at: i64,
    pub last_sign_in_at: Option<i64>,
}

impl From<MemberRow> for AccountSummary {
    fn from(row: MemberRow) -> Self {
        AccountSummary {
            member: StaffMember {
                id: row.id,
                email: row.email,
                role: row.role,
                centre_id: row.centre_id,
                totp_enrolled: row.totp_enrolled_at.is_some(),
                disabled: row.disabled_at.is_some(),
                password_temporary: row.password_temporary != 0,
                session_epoch: row.session_epoch,
            },
            created_at: row.created_at,
            last_sign_in_at: row.last_sign_in_at,
        }
    }
}

/// Whether a role and a centre fit: officers and supervisors have one
/// centre, administrators none (the database checks it too).
fn centre_fits(role: Role, centre: Option<&str>) -> bool {
    matches!(
        (role, centre),
        (Role::Administrator, None) | (Role::Officer | Role::Supervisor, Some(_))
    )
}

impl StaffAccounts<'_> {
    /// Creates an account on the caller's connection `conn` (a transaction
    /// that also records the creation). The password is hashed before the
    /// first write.
    pub async fn create(
        &self,
        conn: &mut sqlx::AnyConnection,
        email: &str,
        role: Role,
        centre: Option<&str>,
        password: &str,
        now: i64,
    ) -> Result<String, CreateError> {
        check_password(password).map_err(CreateError::Password)?;
        let email = normalise_email(email).ok_or(CreateError::Email)?;
        if !centre_fits(role, centre) {
            return Err(CreateError::Centre);
        }
        if let Some(centre) = centre
            && !centre_exists(&mut *conn, centre).await?
        {
            return Err(CreateError::UnknownCentre(centre.to_string()));
        }
        let hash = self.hash(password).await?;
        let id = crate::crypto::random_id();
        let inserted = sqlx::query(
            "INSERT INTO staff_accounts (id, email, role, centre_id, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(&email)
        .bind(role.code())
        .bind(centre)
        .bind(&hash)
        .bind(now)
        .execute(conn)
        .await;
        match inserted {
            Ok(_) => Ok(id),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(CreateError::Exists),
            Err(e) => Err(CreateError::Other(e.into())),
        }
    }

    /// An argon2id hash of `password`, off the async threads and in turn
    /// with every other hash of the process (`ceilings`).
    async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let security = self.security;
        let password = zeroize::Zeroizing::new(password.to_string());
        let permit = self.hashing.acquire().await?;
        let hash = tokio::task::spawn_blocking(move || security.hash(&password)).await??;
        drop(permit);
        Ok(hash)
    }

    /// The member of staff with this id, as the extractor needs them.
    pub async fn member(&self, id: &str) -> anyhow::Result<Option<StaffMember>> {
        let row = sqlx::query_as::<_, MemberRow>(&format!(
            "SELECT {MEMBER_COLUMNS} FROM staff_accounts WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.db)
        .await?;
        Ok(row.map(|row| AccountSummary::from(row).member))
    }

    /// The id of the account with this email address (the command line's
    /// `--email`).
    pub async fn id_by_email(&self, email: &str) -> anyhow::Result<Option<String>> {
        let Some(email) = normalise_email(email) else {
            return Ok(None);
        };
        Ok(
            sqlx::query_scalar("SELECT id FROM staff_accounts WHERE email = $1")
                .bind(email)
                .fetch_optional(self.db)
                .await?,
        )
    }

    /// Every account, by email, for the administrators' list.
    pub async fn list(&self) -> anyhow::Result<Vec<AccountSummary>> {
        let rows = sqlx::query_as::<_, MemberRow>(&format!(
            "SELECT {MEMBER_COLUMNS} FROM staff_accounts ORDER BY email"
        ))
        .fetch_all(self.db)
        .await?;
        Ok(rows.into_iter().map(AccountSummary::from).collect())
    }

    /// Whether `role` must sign in with an authenticator code.
    pub fn totp_required(&self, role: Role) -> bool {
        role != Role::Officer || !self.officer_totp_optional
    }

    /// Whether a signed-in session of `member` may go on: not disabled,
    /// signed in since the last action that ended their sessions, with a
    /// centre unless an administrator, and with the authenticator their
    /// role needs. (A temporary password is the extractor's other check.)
    pub fn session_allowed(&self, member: &StaffMember, session_epoch: i64) -> bool {
        !member.disabled
            && member.session_epoch == session_epoch
            && (member.role == Role::Administrator || member.centre_id.is_some())
            && (member.totp_enrolled || !self.totp_required(member.role))
    }
}

/// Whether `centre` is a centre, read on the caller's connection (inside
/// its transaction, which may hold SQLite's write lock: a second connection
/// from the pool could wait for ever behind requests waiting for that lock).
pub(super) async fn centre_exists(
    conn: &mut sqlx::AnyConnection,
    centre: &str,
) -> anyhow::Result<bool> {
    let known: Option<String> = sqlx::query_scalar("SELECT id FROM centres WHERE id = $1")
        .bind(centre)
        .fetch_optional(conn)
        .await?;
    Ok(known.is_some())
}
