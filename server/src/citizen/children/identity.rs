//! An adult proves who they are before registering a child: their ID
//! number, names and date of birth must match a living person in the
//! registry. One account per ID number.

use super::Children;
use crate::crypto::columns;
use crate::registry::LifeStatus;
use crate::registry::verification::same_name;
use app::application::fields;
use app::dates::CivilDate;
use app::identifiers::{FieldError, NationalIdNumber, PersonName};

impl Children<'_> {
    /// The ID number this account proved, if it has.
    pub async fn identity_of(&self, account: &str) -> anyhow::Result<Option<NationalIdNumber>> {
        let sealed: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT id_number FROM account_identities WHERE account_id = $1")
                .bind(account)
                .fetch_optional(self.db)
                .await?;
        match sealed {
            None => Ok(None),
            Some(sealed) => {
                let text =
                    self.cipher
                        .decrypt_string(&columns::IDENTITY_ID_NUMBER, account, &sealed)?;
                Ok(NationalIdNumber::parse(&text).ok())
            }
        }
    }

    /// Checks the adult's ID number, names and date of birth with the
    /// registry and links the ID to the account. An account that has proven
    /// an ID already is told so, and the registry is not asked. A number
    /// not found, any detail that differs and a deceased person are one
    /// answer (`RegistryMismatch`, at the ID number whichever it is), so
    /// that nothing about a record is revealed to someone who cannot give
    /// all its details. Returns the field and the answer.
    pub async fn prove_identity(
        &self,
        account: &str,
        id_number: &NationalIdNumber,
        surname: &PersonName,
        given_names: &PersonName,
        date_of_birth: CivilDate,
        now: i64,
    ) -> anyhow::Result<Result<(), (&'static str, FieldError)>> {
        if let Some(proven) = self.identity_of(account).await? {
            return Ok(if &proven == id_number {
                Ok(())
            } else {
                Err((fields::ID_NUMBER, FieldError::IdentityAlreadyProven))
            });
        }
        let person = match self.registry.person(id_number).await {
            Ok(person) => person,
            Err(error) => {
                tracing::warn!(%error, "registry unavailable for an identity check");
                return Ok(Err((fields::ID_NUMBER, FieldError::RegistryDown)));
            }
        };
        let Some(person) = person.filter(|person| {
            same_name(surname, &person.surname)
                && same_name(given_names, &person.given_names)
                && person.date_of_birth == date_of_birth
                && person.status == LifeStatus::Alive
        }) else {
            return Ok(Err((fields::ID_NUMBER, FieldError::RegistryMismatch)));
        };
        let index = self
            .cipher
            .blind_index(columns::NATIONAL_ID_INDEX, id_number.as_ref());
        let names = format!("{} {}", person.given_names, person.surname);
        let inserted = sqlx::query(
            "INSERT INTO account_identities (account_id, id_number_index, id_number, names, verified_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(account)
        .bind(&index)
        .bind(self.cipher.encrypt_str(&columns::IDENTITY_ID_NUMBER, account, id_number.as_ref()))
        .bind(self.cipher.encrypt_str(&columns::IDENTITY_NAMES, account, &names))
        .bind(now)
        .execute(self.db)
        .await;
        match inserted {
            Ok(_) => {
                tracing::info!(account = %account, "identity confirmed with the registry");
                Ok(Ok(()))
            }
            // Either this ID is another account's, or this account has one already.
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                let holder: Option<String> = sqlx::query_scalar(
                    "SELECT account_id FROM account_identities WHERE id_number_index = $1",
                )
                .bind(&index)
                .fetch_optional(self.db)
                .await?;
                if holder.as_deref() == Some(account) {
                    Ok(Ok(()))
                } else {
                    Ok(Err((fields::ID_NUMBER, FieldError::IdentityTaken)))
                }
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Frees an ID number from the account that proved it, on the caller's
    /// connection (a supervisor's action, in the transaction that records
    /// it), so that the person whose card it is can prove it from their own
    /// account. Returns that account, or `None` if no account holds it.
    pub async fn unbind_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        id_number: &NationalIdNumber,
    ) -> anyhow::Result<Option<String>> {
        let index = self
            .cipher
            .blind_index(columns::NATIONAL_ID_INDEX, id_number.as_ref());
        let holder: Option<String> = sqlx::query_scalar(
            "DELETE FROM account_identities WHERE id_number_index = $1 RETURNING account_id",
        )
        .bind(&index)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(account) = &holder {
            tracing::info!(account = %account, "a proven ID freed by a supervisor");
        }
        Ok(holder)
    }
}
