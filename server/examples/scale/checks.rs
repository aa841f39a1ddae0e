//! The scale benchmark's checks: every acknowledged booking stored once,
//! the outbox exactly what was expected and each message sent once, and
//! the background jobs done once across processes.

use crate::mix::{Outcome, Stack};
use crate::processes::sends_by_id;
use crate::support::targets;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

/// The outcome of every check, printed as they are made; `finish` fails
/// the run when one failed.
#[derive(Default)]
pub struct Check {
    failed: Vec<String>,
}

impl Check {
    pub fn that(&mut self, ok: bool, what: String) {
        println!("{} {what}", if ok { "ok  " } else { "FAIL" });
        if !ok {
            self.failed.push(what);
        }
    }

    pub fn finish(self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.failed.is_empty(),
            "{} check(s) failed:\n{}",
            self.failed.len(),
            self.failed.join("\n")
        );
        println!("every check passed");
        Ok(())
    }
}

pub async fn outbox_ids(db: &sqlx::AnyPool) -> anyhow::Result<HashSet<String>> {
    let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM outbox")
        .fetch_all(db)
        .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// Waits until no message waits to be sent (at most `within`).
pub async fn drained(db: &sqlx::AnyPool, within: Duration) -> anyhow::Result<bool> {
    let deadline = Instant::now() + within;
    loop {
        let waiting: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')")
                .fetch_one(db)
                .await?;
        if waiting == 0 {
            return Ok(true);
        }
        if Instant::now() > deadline {
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Live bookings by application, for `applications`.
pub async fn bookings_of(
    db: &sqlx::AnyPool,
    applications: &[String],
) -> anyhow::Result<HashMap<String, i64>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT application_id FROM bookings WHERE live = 1")
        .fetch_all(db)
        .await?;
    let wanted: HashSet<&String> = applications.iter().collect();
    let mut by = HashMap::new();
    for (id,) in rows {
        if wanted.contains(&id) {
            *by.entry(id).or_default() += 1;
        }
    }
    Ok(by)
}

/// After a run: every acknowledged booking in the database once, nothing
/// booked that was not acknowledged, the outbox exactly what the run
/// should have queued, each message sent once.
pub async fn verify_phase(
    db: &sqlx::AnyPool,
    stack: &Stack,
    outcome: &Outcome,
    check: &mut Check,
) -> anyhow::Result<()> {
    let n = stack.servers.len();
    check.that(
        outcome.run.other == 0,
        format!(
            "{n} process(es): no request failed ({} did)",
            outcome.run.other
        ),
    );
    let all: Vec<String> = outcome
        .booked
        .iter()
        .chain(&outcome.not_booked)
        .cloned()
        .collect();
    let live = bookings_of(db, &all).await?;
    let lost = outcome
        .booked
        .iter()
        .filter(|a| !live.contains_key(*a))
        .count();
    let doubled = live.values().filter(|n| **n > 1).count();
    let unacknowledged = outcome
        .not_booked
        .iter()
        .filter(|a| live.contains_key(*a))
        .count();
    check.that(
        lost == 0 && doubled == 0 && unacknowledged == 0,
        format!(
            "{n} process(es): {} bookings acknowledged; lost {lost}, doubled {doubled}, kept without an acknowledgement {unacknowledged}",
            outcome.booked.len()
        ),
    );
    let drained = drained(db, Duration::from_secs(60)).await?;
    check.that(drained, format!("{n} process(es): the outbox drained"));
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, kind FROM outbox")
        .fetch_all(db)
        .await?;
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut new_ids = HashSet::new();
    for (id, kind) in rows {
        if !outcome.outbox_before.contains(&id) {
            *by_kind.entry(kind).or_default() += 1;
            new_ids.insert(id);
        }
    }
    let expected: BTreeMap<String, usize> = [
        ("booking_confirmed", outcome.booked.len()),
        ("application_verified", outcome.submitted),
        ("sign_in_code", outcome.codes),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(k, n)| (k.to_string(), n))
    .collect();
    check.that(
        by_kind == expected,
        format!("{n} process(es): outbox rows {by_kind:?}, expected {expected:?}"),
    );
    let sent = sends_by_id(&stack.servers);
    let unsent = new_ids.iter().filter(|id| !sent.contains_key(*id)).count();
    let twice = sent.values().filter(|n| **n > 1).count();
    check.that(
        unsent == 0 && twice == 0,
        format!(
            "{n} process(es): {} messages sent, {unsent} never, {twice} more than once",
            sent.len()
        ),
    );
    Ok(())
}

/// Background jobs across three processes whose clocks stand at 18:30 the
/// evening before a booked day: that day's evening reminders and the
/// no-shows of every booking up to 18:00 fall due at once in all three.
pub async fn jobs(
    db: &sqlx::AnyPool,
    instance: (&str, &str),
    check: &mut Check,
) -> anyhow::Result<()> {
    let day = targets(2)[36].0;
    let eve = day.add_days(-1);
    let at = eve.nairobi_unix_at(18 * 60 + 30);
    let due_since = eve.nairobi_unix_at(usajili::reminders::EVENING_MINUTE);
    let offset = at - usajili::clock::unix_now();
    let reminders_due: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings WHERE day = $1 AND live = 1 AND status = 'booked' \
         AND reminded_eve_at IS NULL AND created_at < $2 AND starts_at > $3",
    )
    .bind(day.to_string())
    .bind(due_since)
    .bind(at)
    .fetch_one(db)
    .await?;
    let no_shows_due: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings WHERE live = 1 AND status = 'booked' AND starts_at <= $1",
    )
    .bind(at - 1800)
    .fetch_one(db)
    .await?;
    let before = outbox_ids(db).await?;
    let offset = offset.to_string();
    let stack = Stack::start(instance, 3, &[("USAJILI_CLOCK_OFFSET_SECS", &offset)]).await;
    let deadline = Instant::now() + Duration::from_secs(90);
    let (mut reminded, mut no_shows);
    loop {
        reminded = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'reminder_day_before'",
        )
        .fetch_one(db)
        .await?;
        no_shows =
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM bookings WHERE status = 'no_show'")
                .fetch_one(db)
                .await?;
        if (reminded >= reminders_due && no_shows >= no_shows_due) || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Each process runs both jobs at start and every minute: give them
    // time to do anything twice, then count again.
    drained(db, Duration::from_secs(60)).await?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let claimed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings WHERE day = $1 AND reminded_eve_at IS NOT NULL",
    )
    .bind(day.to_string())
    .fetch_one(db)
    .await?;
    println!(
        "\n#### Background jobs, three processes, clocks at 18:30 on {eve}\n\n\
         | job | expected | done |\n|---|---:|---:|\n\
         | evening reminders for {day} | {reminders_due} | {reminded} |\n\
         | no-shows (bookings up to 18:00 on {eve}) | {no_shows_due} | {no_shows} |"
    );
    check.that(
        reminders_due > 0 && no_shows_due > 0,
        format!("jobs: something was due ({reminders_due} reminders, {no_shows_due} no-shows)"),
    );
    check.that(
        reminded == reminders_due && claimed == reminders_due,
        format!("jobs: {reminded} reminders queued, {claimed} bookings claimed, {reminders_due} expected"),
    );
    check.that(
        no_shows == no_shows_due,
        format!("jobs: {no_shows} no-shows, {no_shows_due} expected"),
    );
    let after = outbox_ids(db).await?;
    let new: Vec<&String> = after.difference(&before).collect();
    let sent = sends_by_id(&stack.servers);
    let once = new.iter().filter(|id| sent.get(**id) == Some(&1)).count();
    check.that(
        once == new.len() && new.len() as i64 == reminders_due,
        format!(
            "jobs: {} reminder messages, {once} sent exactly once",
            new.len()
        ),
    );
    Ok(())
}
