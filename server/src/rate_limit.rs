//! Sliding-window limits on a bucket (a connection's keyed address) that
//! hold across server processes and under races.
//!
//! Counting the bucket's recent events and then adding one is a race: two
//! requests can both count 29 of 30 and both be let in. So each request
//! first writes its bucket's row in `rate_limit_holds` and holds that row
//! until it commits (PostgreSQL locks the row; SQLite takes its one write
//! lock), then counts and adds its event in the same transaction: requests
//! on one bucket are decided one at a time, and never more than `limit` in
//! any `window` are let in.

use sqlx::AnyPool;

/// Admits one request on `bucket` if fewer than `limit` were admitted in
/// the last `window` seconds (and counts it); false when over the limit.
pub async fn admit(
    db: &AnyPool,
    bucket: &str,
    limit: i64,
    window: i64,
    now: i64,
) -> anyhow::Result<bool> {
    let mut tx = crate::db::begin(db).await?;
    // The first statement writes: it holds the bucket until the commit.
    sqlx::query(
        "INSERT INTO rate_limit_holds (bucket, touched_at) VALUES ($1, $2) \
         ON CONFLICT (bucket) DO UPDATE SET touched_at = excluded.touched_at",
    )
    .bind(bucket)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let recent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM rate_limit_events WHERE bucket = $1 AND created_at > $2",
    )
    .bind(bucket)
    .bind(now - window)
    .fetch_one(&mut *tx)
    .await?;
    if recent >= limit {
        tx.rollback().await?;
        return Ok(false);
    }
    sqlx::query("INSERT INTO rate_limit_events (bucket, created_at) VALUES ($1, $2)")
        .bind(bucket)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Deletes events older than `window` and holds untouched for a day.
pub async fn sweep(db: &AnyPool, window: i64, now: i64) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM rate_limit_events WHERE created_at <= $1")
        .bind(now - window)
        .execute(db)
        .await?;
    sqlx::query("DELETE FROM rate_limit_holds WHERE touched_at <= $1")
        .bind(now - 24 * 60 * 60)
        .execute(db)
        .await?;
    Ok(())
}
