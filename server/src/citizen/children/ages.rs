//! Ages: which ages get a minor's card (`AgeRules`, from configuration),
//! counted from the birth record in Nairobi time, and the closing of a
//! child's application when the child turns adult.

use super::{Children, stop};
use crate::crypto::FieldCipher;
use crate::crypto::columns::APPLICATION_ANSWERS;
use app::application::Answers;
use app::dates::CivilDate;
use sqlx::AnyPool;

/// Which ages get a minor's card, from configuration.
#[derive(clap::Args, Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgeRules {
    /// Youngest age for a minor's card.
    #[arg(long = "minor-min-age", env = "USAJILI_MINOR_MIN_AGE", default_value_t = app::dates::MINOR_CARD_MIN_AGE, global = true)]
    pub minor_min_age: i32,
    /// Age from which a person applies for their own ID.
    #[arg(long = "adult-age", env = "USAJILI_ADULT_AGE", default_value_t = app::dates::ADULT_AGE, global = true)]
    pub adult_age: i32,
}

impl Default for AgeRules {
    fn default() -> Self {
        AgeRules {
            minor_min_age: app::dates::MINOR_CARD_MIN_AGE,
            adult_age: app::dates::ADULT_AGE,
        }
    }
}

impl Children<'_> {
    /// A child who has turned adult while the application is open moves to
    /// the adult route: the application is stopped. Returns whether it was.
    pub async fn close_if_adult(
        &self,
        id: &str,
        date_of_birth: CivilDate,
        today: CivilDate,
        now: i64,
    ) -> anyhow::Result<bool> {
        if date_of_birth.age_on(today) < self.ages.adult_age {
            return Ok(false);
        }
        close_turned_adult(self.db, id, now).await
    }
}

/// The daily pass: closes every open child's application whose child has
/// turned adult (the child's page also checks when it is opened). Returns
/// how many were closed.
pub async fn close_adults(
    db: &AnyPool,
    cipher: &FieldCipher,
    ages: AgeRules,
    today: CivilDate,
    now: i64,
) -> anyhow::Result<u64> {
    let rows: Vec<(String, Vec<u8>)> = sqlx::query_as(&format!(
        "SELECT id, answers FROM applications WHERE kind = 'minor_card' AND state IN ({OPEN})"
    ))
    .fetch_all(db)
    .await?;
    let mut closed = 0;
    for (id, sealed) in &rows {
        let answers: Answers =
            serde_json::from_slice(&cipher.decrypt(&APPLICATION_ANSWERS, id, sealed)?)?;
        let Some(about) = answers.about_you else {
            continue;
        };
        if about.date_of_birth.age_on(today) < ages.adult_age {
            continue;
        }
        if close_turned_adult(db, id, now).await? {
            closed += 1;
        }
    }
    if closed > 0 {
        tracing::info!(closed, "children turned adult: applications closed");
    }
    Ok(closed)
}

/// A child's application still in progress, before the centre has seen the child.
const OPEN: &str = "'draft', 'verified', 'booked', 'guardianship_review'";

/// Closes an open child's application because the child has turned adult:
/// stopped, and marked so the page can say why. False if it was not open.
async fn close_turned_adult(db: &AnyPool, id: &str, now: i64) -> anyhow::Result<bool> {
    let mut tx = crate::db::begin(db).await?;
    let open: Option<String> = sqlx::query_scalar(&format!(
        "SELECT state FROM applications WHERE id = $1 AND state IN ({OPEN})"
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    if open.is_none() {
        return Ok(false);
    }
    stop(&mut tx, id, now).await?;
    sqlx::query("UPDATE applications SET attention = 'turned_adult' WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(application = %id, "child turned adult: application closed");
    Ok(true)
}
