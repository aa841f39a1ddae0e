//! A server killed with SIGKILL while citizens book and change their
//! appointments, then started again. On SQLite it is the only process; on
//! PostgreSQL it is one of two sharing the database. Afterwards:
//! - every booking whose 303 reached its citizen is in the database, and an
//!   appointment is where the last acknowledged request put it, or where a
//!   request the kill cut off put it;
//! - no application holds two live bookings, and no slot has more people
//!   than counters;
//! - every booking (made or changed) has its one message queued beside it:
//!   no appointment moved without a message, however the request ended;
//! - every message is sent after the restart, at least once, under its
//!   stable id (a message the killed process was sending may go twice);
//! - the audit chain verifies.

use crate::helpers::{TestApp, unserved_app};
use crate::load::{self, CENTRE, SLOTS};
use crate::processes::{ServerProcess, sends_by_id};
use reqwest::StatusCode;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::RwLock;

/// How one request ended, as its citizen saw it.
#[derive(Clone, Debug, PartialEq)]
enum Ended {
    /// 303: booked or changed.
    Acknowledged,
    /// An answer that changed nothing (the slot full, the booking changed
    /// meanwhile).
    Refused(StatusCode),
    /// No answer: the connection broke.
    Cut,
}

#[derive(Clone, Debug)]
struct Request {
    slot: &'static str,
    ended: Ended,
}

const COUNTERS: i64 = 25;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_under_booking_load_loses_doubles_and_silences_nothing() {
    tokio::time::timeout(Duration::from_secs(240), crash_under_load())
        .await
        .expect("the crash test finishes within its bound");
}

async fn crash_under_load() {
    let mut app = unserved_app(|_| ()).await;
    let sqlite = app.config.database_url.starts_with("sqlite:");
    app.set_counters(CENTRE, COUNTERS).await;
    let people = app.verified_accounts_with_sessions(120).await;
    app.with_phones(&people).await;
    let dir = tempfile::tempdir().unwrap();

    let instance = (
        app.config.database_url.as_str(),
        app.config.master_key.as_ref().unwrap().expose(),
    );
    let mut servers = vec![ServerProcess::start(instance, dir.path(), "first", &[]).await];
    if !sqlite {
        servers.push(ServerProcess::start(instance, dir.path(), "second", &[]).await);
    }
    let addresses = Arc::new(RwLock::new(
        servers
            .iter()
            .map(|s| s.address.clone())
            .collect::<Vec<_>>(),
    ));
    let stop = Arc::new(AtomicBool::new(false));
    // Only the servers hold the database while they are killed and started
    // again, as in production: the test reads it again afterwards.
    app.db.close().await;

    // Each citizen books, then keeps changing the appointment.
    let citizens = people.iter().cloned().enumerate().map(|(i, (cookie, id))| {
        let addresses = addresses.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let client = load::client();
            let mut requests = Vec::new();
            let mut turn = i;
            while !stop.load(Ordering::Relaxed) {
                let address = {
                    let addresses = addresses.read().await;
                    addresses[i % addresses.len()].clone()
                };
                // The day page, as a browser loads it before posting.
                let Ok(live) = load::replaces(&client, &address, &cookie, &id).await else {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                };
                let slot = SLOTS[turn % SLOTS.len()];
                turn += 1;
                let ended = match load::book(&client, &address, &cookie, &id, slot, &live).await {
                    Ok(StatusCode::SEE_OTHER) => Ended::Acknowledged,
                    Ok(status) => Ended::Refused(status),
                    Err(_) => {
                        // The server went away: wait for it to come back.
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        Ended::Cut
                    }
                };
                requests.push(Request { slot, ended });
            }
            (id, requests)
        })
    });
    let citizens: Vec<_> = citizens.collect();

    tokio::time::sleep(Duration::from_millis(1500)).await;
    servers[0].kill();
    tokio::time::sleep(Duration::from_millis(300)).await;
    servers[0].restart().await;
    addresses.write().await[0] = servers[0].address.clone();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Relaxed);

    let mut outcomes = HashMap::new();
    for citizen in citizens {
        let (id, requests) = citizen.await.unwrap();
        outcomes.insert(id, requests);
    }
    app.db = usajili::db::connect(&app.config.database_url, 4)
        .await
        .unwrap();
    let all: Vec<&Request> = outcomes.values().flatten().collect();
    let failed = all
        .iter()
        .filter(|r| matches!(r.ended, Ended::Refused(s) if s.is_server_error()))
        .count();
    if failed > 0 {
        let errors: String = servers
            .iter()
            .flat_map(|s| {
                s.log()
                    .lines()
                    .filter(|l| l.contains("ERROR"))
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
            .take(20)
            .collect::<Vec<_>>()
            .join("\n");
        panic!("{failed} answers were server errors:\n{errors}");
    }
    let acknowledged = all
        .iter()
        .filter(|r| r.ended == Ended::Acknowledged)
        .count();
    let cut = all.iter().filter(|r| r.ended == Ended::Cut).count();
    assert!(acknowledged > 100, "the load booked: {acknowledged}");
    assert!(cut > 0, "the kill cut requests off");

    check_bookings(&app, &outcomes).await;
    check_messages(&app, &servers).await;
    let verify = app.command_line(&["audit", "verify"], "");
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    eprintln!(
        "crash test: {} requests, {acknowledged} acknowledged, {cut} cut off by the kill",
        all.len()
    );
}

/// Each application's appointment against what its citizen was told.
async fn check_bookings(app: &TestApp, outcomes: &HashMap<String, Vec<Request>>) {
    for (id, requests) in outcomes {
        let live = app.live_bookings(id).await;
        assert!(live.len() <= 1, "{id} holds {} live bookings", live.len());
        let made = app
            .rows_in(&format!("bookings WHERE application_id = '{id}'"))
            .await;
        let acks = requests
            .iter()
            .filter(|r| r.ended == Ended::Acknowledged)
            .count() as i64;
        let cuts = requests.iter().filter(|r| r.ended == Ended::Cut).count() as i64;
        assert!(
            (acks..=acks + cuts).contains(&made),
            "{id}: {made} booking rows for {acks} acknowledged and {cuts} cut-off requests"
        );
        // Where the last acknowledged request put it, unless a later request
        // was cut off (it may have committed).
        let Some(last) = requests
            .iter()
            .rposition(|r| r.ended == Ended::Acknowledged)
        else {
            continue;
        };
        let mut allowed: Vec<i64> = vec![load::minutes(requests[last].slot)];
        allowed.extend(
            requests[last + 1..]
                .iter()
                .filter(|r| r.ended == Ended::Cut)
                .map(|r| load::minutes(r.slot)),
        );
        let (centre, _, slot) = live.first().expect("an acknowledged booking is kept");
        assert_eq!(centre, CENTRE);
        assert!(
            allowed.contains(slot),
            "{id} is at {slot}, not one of {allowed:?}"
        );
    }
    for slot in SLOTS {
        let taken = app
            .seats_taken(CENTRE, load::day(), load::minutes(slot))
            .await;
        assert!(
            taken <= COUNTERS,
            "{slot}: {taken} people for {COUNTERS} counters"
        );
    }
}

/// One message per booking row, each sent at least once under its id.
async fn check_messages(app: &TestApp, servers: &[ServerProcess]) {
    let bookings = app.rows_in("bookings").await;
    let messages = app
        .rows_in("outbox WHERE kind IN ('booking_confirmed', 'booking_changed')")
        .await;
    assert_eq!(
        messages, bookings,
        "every booking made or changed has its message, and no other"
    );

    // The restarted servers send what is queued (a message the killed one
    // was sending waits out its lease first).
    app.wait_until_outbox_drained(Duration::from_secs(90)).await;
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM outbox")
        .fetch_all(&app.db)
        .await
        .unwrap();
    let sent = sends_by_id(servers);
    let unsent: Vec<&String> = ids
        .iter()
        .filter(|id| !sent.contains_key(id.as_str()))
        .collect();
    assert!(unsent.is_empty(), "never sent: {unsent:?}");
    // Each worker claims and sends one message at a time: only the one the
    // killed process was sending may have gone before it was recorded.
    let twice = sent.values().filter(|n| **n > 1).count();
    assert!(
        twice <= 1,
        "{twice} messages sent more than once (only the one in flight at the kill may be)"
    );
}
