//! What a centre supervisor does about a person's registry checks, once
//! they have seen the person's ID card or birth certificate at the counter:
//! free an ID number that another account proved by mistake (so that its
//! owner can prove it from their own account), and give back the registry
//! tries used up for a number and for the person's account. Each runs on
//! the caller's transaction, which also records it in the audit chain.

use crate::citizen::children::Children;
use crate::citizen::sign_in::ContactAddress;
use crate::crypto::{FieldCipher, columns};
use crate::registry::attempts::{Identifier, reset_in};
use app::identifiers::NationalIdNumber;
use sqlx::AnyConnection;

/// The account that signs in with `contact`, if there is one.
pub async fn account_with_contact(
    conn: &mut AnyConnection,
    cipher: &FieldCipher,
    contact: &ContactAddress,
) -> anyhow::Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM accounts WHERE contact_index = $1")
            .bind(cipher.blind_index(columns::CONTACT_INDEX, &contact.normalised()))
            .fetch_optional(conn)
            .await?,
    )
}

/// Frees `id_number` from the account holding it and gives back the tries
/// of the number and of that account, so that the owner can prove it at
/// once. Returns the account it was freed from, or `None` (nothing done).
pub async fn unbind(
    conn: &mut AnyConnection,
    children: &Children<'_>,
    id_number: &NationalIdNumber,
    now: i64,
) -> anyhow::Result<Option<String>> {
    let Some(account) = children.unbind_in(conn, id_number).await? else {
        return Ok(None);
    };
    reset_in(
        conn,
        children.cipher,
        Identifier::NationalId(id_number),
        std::slice::from_ref(&account),
        now,
    )
    .await?;
    Ok(Some(account))
}

/// Gives back the tries of each identifier and of `accounts`. Returns how
/// many failed tries were given back.
pub async fn reset(
    conn: &mut AnyConnection,
    cipher: &FieldCipher,
    identifiers: &[Identifier<'_>],
    accounts: &[String],
    now: i64,
) -> anyhow::Result<u64> {
    let mut given = 0;
    for (n, identifier) in identifiers.iter().enumerate() {
        // The accounts' tries once, with the first identifier.
        let accounts = if n == 0 { accounts } else { &[] };
        given += reset_in(conn, cipher, *identifier, accounts, now).await?;
    }
    Ok(given)
}
