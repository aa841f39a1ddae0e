//! The blind index of an application's contact phone
//! (`applications.contact_index`): the `contact` answer's number, E.164,
//! under the contacts' blind-index kind ([`columns::CONTACT_INDEX`]), so
//! that it equals the index a USSD session or a text from that number is
//! known by. `Applications` writes it with the answers each time they are
//! saved (none where the answers name no phone); [`fill_in`] computes it
//! once for the rows from before the column, which SQL cannot (the index
//! is keyed).

use crate::crypto::{FieldCipher, columns};
use anyhow::Context as _;
use app::application::Answers;
use sqlx::AnyPool;

/// The upgrade's name in `crypto_upgrades`.
const FILLED_IN: &str = "application-contact-index";
/// Passes over the table before giving up on rows that keep changing.
const MAX_PASSES: u32 = 10;

/// The blind index of the phone `answers` give as the contact, if any.
pub fn of(cipher: &FieldCipher, answers: &Answers) -> Option<String> {
    answers
        .contact
        .as_ref()
        .map(|c| cipher.blind_index(columns::CONTACT_INDEX, c.phone.as_ref()))
}

/// Fills in `contact_index` where it is NULL and the answers name a phone:
/// at start-up, until a pass finds nothing changed meanwhile; then it is
/// recorded in `crypto_upgrades` and later starts skip it. Each write is
/// compare-and-set on the sealed answers read, so a save (which writes
/// its own index) or a key rotation meanwhile is never overwritten with a
/// stale index; such a row is read again by the next pass. Several servers
/// starting at once may each run it. Returns the rows filled in.
pub async fn fill_in(db: &AnyPool, cipher: &FieldCipher, batch: i64) -> anyhow::Result<u64> {
    let done: Option<i64> =
        sqlx::query_scalar("SELECT done_at FROM crypto_upgrades WHERE name = $1")
            .bind(FILLED_IN)
            .fetch_optional(db)
            .await
            .context("reading whether contact indexes were filled in")?;
    if done.is_some() {
        return Ok(0);
    }
    let mut total = 0;
    for _ in 0..MAX_PASSES {
        let (filled, changed) = pass(db, cipher, batch).await?;
        total += filled;
        if changed == 0 {
            sqlx::query(
                "INSERT INTO crypto_upgrades (name, done_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            )
            .bind(FILLED_IN)
            .bind(crate::clock::unix_now())
            .execute(db)
            .await
            .context("recording contact indexes filled in")?;
            if total > 0 {
                tracing::info!(filled = total, "applications' contact indexes filled in");
            }
            return Ok(total);
        }
    }
    anyhow::bail!(
        "applications' answers are still changing under the contact index's fill-in after {MAX_PASSES} passes"
    )
}

/// One pass over the rows without an index, in id order: (filled, changed
/// meanwhile).
async fn pass(db: &AnyPool, cipher: &FieldCipher, batch: i64) -> anyhow::Result<(u64, u64)> {
    let (mut filled, mut changed) = (0, 0);
    let mut after = String::new();
    loop {
        let rows: Vec<(String, Vec<u8>)> = sqlx::query_as(
            "SELECT id, answers FROM applications WHERE contact_index IS NULL AND id > $1 \
             ORDER BY id LIMIT $2",
        )
        .bind(&after)
        .bind(batch)
        .fetch_all(db)
        .await
        .context("reading applications without a contact index")?;
        let Some((last, _)) = rows.last() else {
            return Ok((filled, changed));
        };
        after = last.clone();
        for (id, sealed) in rows {
            let answers: Answers = serde_json::from_slice(
                &cipher
                    .decrypt(&columns::APPLICATION_ANSWERS, &id, &sealed)
                    .context("opening an application's answers")?,
            )
            .context("reading an application's answers")?;
            let Some(index) = of(cipher, &answers) else {
                continue;
            };
            let written = sqlx::query(
                "UPDATE applications SET contact_index = $1 \
                 WHERE id = $2 AND answers = $3 AND contact_index IS NULL",
            )
            .bind(&index)
            .bind(&id)
            .bind(&sealed)
            .execute(db)
            .await
            .context("filling in a contact index")?;
            if written.rows_affected() == 1 {
                filled += 1;
            } else {
                changed += 1;
            }
        }
    }
}
