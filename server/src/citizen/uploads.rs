//! One photo upload in flight per account, across processes: an upload
//! claims its account's row in `uploads_in_flight` for as long as its photo
//! is decoded, and a second one meanwhile is told to wait. A claim left
//! behind (a process that died, a request dropped mid-decode) is taken over
//! once it is [`STALE_AFTER_SECS`] old.

use sqlx::AnyPool;

/// After this long a claim no longer holds.
pub const STALE_AFTER_SECS: i64 = 60;

pub struct Uploads<'a> {
    pub db: &'a AnyPool,
}

/// An upload's hold on its account, released with [`Uploads::release`].
#[derive(Debug)]
pub struct Claim {
    account: String,
    token: String,
}

impl Uploads<'_> {
    /// Claims the account's one upload, by one conditional write: `None`
    /// while another upload of the account holds it.
    pub async fn claim(&self, account: &str, now: i64) -> anyhow::Result<Option<Claim>> {
        let token = crate::crypto::random_id();
        let claimed = sqlx::query(
            "INSERT INTO uploads_in_flight (account_id, token, started_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id) DO UPDATE SET token = excluded.token, started_at = excluded.started_at \
             WHERE uploads_in_flight.started_at <= $4",
        )
        .bind(account)
        .bind(&token)
        .bind(now)
        .bind(now - STALE_AFTER_SECS)
        .execute(self.db)
        .await?;
        Ok((claimed.rows_affected() == 1).then(|| Claim {
            account: account.to_string(),
            token,
        }))
    }

    /// Lets the account upload again (only this claim: one taken over
    /// meanwhile stays).
    pub async fn release(&self, claim: Claim) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM uploads_in_flight WHERE account_id = $1 AND token = $2")
            .bind(&claim.account)
            .bind(&claim.token)
            .execute(self.db)
            .await?;
        Ok(())
    }
}
