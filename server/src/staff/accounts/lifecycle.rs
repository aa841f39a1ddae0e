//! What is done to an account after it is made, by an administrator (the
//! `/staff/accounts` page) or an operator (`usajili staff …`): disable and
//! enable, reset the authenticator, set a temporary password, move to
//! another centre or change role; the member's own change of a temporary
//! password; and the daily job disabling members not seen for a while.
//!
//! Each action runs on the caller's connection, so the caller's transaction
//! also holds its audit event; an email to the member, where there is one,
//! is queued on the same connection. Disabling, a reset and a new password
//! end every session of the member (`session_epoch`).

use super::{CreateError, StaffAccounts, centre_fits, check_password};
use super::{PasswordProblem, Role};
use crate::audit::{Actor, Audit, Event};
use crate::messages::{Message, Recipient, outbox};
use app::i18n::Locale;
use sqlx::AnyConnection;

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("no staff account has this email address or id")]
    NotFound,
    #[error("{0}")]
    Password(PasswordProblem),
    #[error("an officer or supervisor needs a centre (--centre); an administrator has none")]
    Centre,
    #[error("no centre has the id {0}")]
    UnknownCentre(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ActionError {
    fn from(error: sqlx::Error) -> Self {
        ActionError::Other(error.into())
    }
}

impl From<CreateError> for ActionError {
    fn from(error: CreateError) -> Self {
        match error {
            CreateError::Password(problem) => ActionError::Password(problem),
            CreateError::Centre => ActionError::Centre,
            CreateError::UnknownCentre(centre) => ActionError::UnknownCentre(centre),
            other => ActionError::Other(anyhow::anyhow!("{other}")),
        }
    }
}

/// Whether one update changed a row: none means no such account.
fn found(rows: u64) -> Result<(), ActionError> {
    if rows == 1 {
        Ok(())
    } else {
        Err(ActionError::NotFound)
    }
}

impl StaffAccounts<'_> {
    /// The account's email address, to tell the member of an action.
    async fn email_of(&self, conn: &mut AnyConnection, id: &str) -> Result<String, ActionError> {
        sqlx::query_scalar("SELECT email FROM staff_accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(ActionError::NotFound)
    }

    async fn tell(
        &self,
        conn: &mut AnyConnection,
        id: &str,
        message: Message,
        now: i64,
    ) -> Result<(), ActionError> {
        let to = Recipient::Email(self.email_of(conn, id).await?);
        outbox::enqueue(conn, self.cipher, &to, Locale::en, &message, now).await?;
        Ok(())
    }

    /// Disables the account and ends its sessions at once.
    pub async fn disable(
        &self,
        conn: &mut AnyConnection,
        id: &str,
        now: i64,
    ) -> Result<(), ActionError> {
        let rows = sqlx::query(
            "UPDATE staff_accounts SET disabled_at = COALESCE(disabled_at, $2), \
             session_epoch = session_epoch + 1 WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        found(rows)
    }

    /// Enables the account again; the member signs in afresh.
    pub async fn enable(&self, conn: &mut AnyConnection, id: &str) -> Result<(), ActionError> {
        let rows = sqlx::query("UPDATE staff_accounts SET disabled_at = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        found(rows)
    }

    /// Forgets the authenticator: the member enrols one again at their next
    /// sign-in, and is told by email. Ends their sessions.
    pub async fn reset_totp(
        &self,
        conn: &mut AnyConnection,
        id: &str,
        now: i64,
    ) -> Result<(), ActionError> {
        let rows = sqlx::query(
            "UPDATE staff_accounts SET totp_secret = NULL, totp_enrolled_at = NULL, \
             totp_last_step = NULL, session_epoch = session_epoch + 1 WHERE id = $1",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        found(rows)?;
        self.tell(conn, id, Message::StaffAuthenticatorReset, now)
            .await
    }

    /// Sets a new password, marked temporary: it must be changed at the
    /// next sign-in. The member is told by email; their sessions end.
    pub async fn set_password(
        &self,
        conn: &mut AnyConnection,
        id: &str,
        password: &str,
        now: i64,
    ) -> Result<(), ActionError> {
        check_password(password).map_err(ActionError::Password)?;
        let hash = self.hash(password).await?;
        let rows = sqlx::query(
            "UPDATE staff_accounts SET password_hash = $2, password_temporary = 1, \
             session_epoch = session_epoch + 1 WHERE id = $1",
        )
        .bind(id)
        .bind(&hash)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        found(rows)?;
        self.tell(conn, id, Message::StaffPasswordSet, now).await
    }

    /// The member's own new password in place of a temporary one.
    pub async fn change_own_password(
        &self,
        conn: &mut AnyConnection,
        id: &str,
        password: &str,
    ) -> Result<(), ActionError> {
        check_password(password).map_err(ActionError::Password)?;
        let hash = self.hash(password).await?;
        let rows = sqlx::query(
            "UPDATE staff_accounts SET password_hash = $2, password_temporary = 0 WHERE id = $1",
        )
        .bind(id)
        .bind(&hash)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        found(rows)
    }

    /// Moves the member to another centre and/or gives them another role
    /// (an administrator has no centre; an officer or supervisor needs one,
    /// the one given or the one they had). Returns the role and centre now
    /// held.
    pub async fn update(
        &self,
        conn: &mut AnyConnection,
        id: &str,
        role: Option<Role>,
        centre: Option<&str>,
    ) -> Result<(Role, Option<String>), ActionError> {
        let current: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT role, centre_id FROM staff_accounts WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        let (old_role, old_centre) = current.ok_or(ActionError::NotFound)?;
        let old_role = Role::from_code(&old_role)
            .ok_or_else(|| anyhow::anyhow!("a staff account has an unknown role"))?;
        let role = role.unwrap_or(old_role);
        let centre = match (role, centre) {
            (Role::Administrator, Some(_)) => return Err(ActionError::Centre),
            (Role::Administrator, None) => None,
            (_, Some(centre)) => Some(centre.to_string()),
            (_, None) => old_centre,
        };
        if !centre_fits(role, centre.as_deref()) {
            return Err(ActionError::Centre);
        }
        if let Some(centre) = &centre
            && !super::centre_exists(&mut *conn, centre).await?
        {
            return Err(ActionError::UnknownCentre(centre.clone()));
        }
        let rows = sqlx::query("UPDATE staff_accounts SET role = $2, centre_id = $3 WHERE id = $1")
            .bind(id)
            .bind(role.code())
            .bind(centre.as_deref())
            .execute(&mut *conn)
            .await?
            .rows_affected();
        found(rows)?;
        Ok((role, centre))
    }

    /// Disables every member not seen (signed in, or made if never) for
    /// `idle_days` days, each with its audit event, in one transaction (the
    /// daily job); returns how many.
    pub async fn disable_idle(&self, now: i64) -> anyhow::Result<usize> {
        let days = self.security.idle_days.max(1);
        let mut tx = crate::db::begin(self.db).await?;
        let ids: Vec<String> = sqlx::query_scalar(
            "UPDATE staff_accounts SET disabled_at = $2, session_epoch = session_epoch + 1 \
             WHERE disabled_at IS NULL AND COALESCE(last_sign_in_at, created_at) <= $1 \
             RETURNING id",
        )
        .bind(now - days * 86_400)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        let audit = Audit {
            db: self.db,
            cipher: self.cipher,
        };
        for id in &ids {
            let event = Event::new(Actor::System("staff-idle"), "staff.disable")
                .on("staff", id)
                .detail(format!("not seen for {days} days"));
            audit.record_in(&mut tx, &event, now).await?;
        }
        tx.commit().await?;
        Ok(ids.len())
    }
}

/// The audit detail of an update: the role and centre now held (a centre's
/// id, no personal data).
pub fn update_detail(role: Role, centre: Option<&str>) -> String {
    format!("role={} centre={}", role.code(), centre.unwrap_or("-"))
}
