//! Retention, driven by an injected clock, and the audit log's hash chain.

use crate::booking::{centre_path, open_weekday};
use crate::browser::*;
use crate::helpers::{TestApp, spawn_app};
use reqwest::StatusCode;
use usajili::audit::{Actor, Audit, Event, Problem, Verdict};
use usajili::retention::{Policy, Report, Retention};

const DAY: i64 = 24 * 3600;

/// Wanjiru's application, submitted (verified) by `browser`.
async fn submitted(browser: &Browser<'_>) -> String {
    let id = browser.start().await;
    browser.complete(&id, &WANJIRU).await;
    let (status, body) = browser.submit(&id).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", summary_of(&body));
    id
}

/// Puts an application in `state`, last changed `days` ago; frees the
/// birth certificate for the next one.
async fn age(app: &TestApp, id: &str, state: &str, days: i64, now: i64) {
    app.closed_since(id, state, now - days * DAY).await;
}

struct Row {
    answers: String,
    photo: bool,
    reference: Option<String>,
    erased: bool,
}

async fn row(app: &TestApp, id: &str) -> Option<Row> {
    #[derive(sqlx::FromRow)]
    struct Stored {
        answers: Vec<u8>,
        photo: Option<Vec<u8>>,
        reference: Option<String>,
        erased_at: Option<i64>,
    }
    let row: Option<Stored> = sqlx::query_as(
        "SELECT answers, photo, reference, erased_at FROM applications WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&app.db)
    .await
    .unwrap();
    row.map(
        |Stored {
             answers,
             photo,
             reference,
             erased_at,
         }| Row {
            answers: app
                .cipher
                .decrypt_string(&usajili::crypto::columns::APPLICATION_ANSWERS, id, &answers)
                .unwrap()
                .to_string(),
            photo: photo.is_some(),
            reference,
            erased: erased_at.is_some(),
        },
    )
}

fn holds_personal_data(row: &Row) -> bool {
    row.answers.contains("Mwangi") && row.answers.contains("1000500") && row.photo
}

async fn count(app: &TestApp, sql: &str, id: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn retention_applies_each_rule_on_its_day_and_keeps_the_ledger() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let now = usajili::clock::unix_now();
    let retention = Retention {
        db: &app.db,
        cipher: &app.cipher,
        policy: Policy::default(),
    };
    let first = app.signed_in_citizen("0712400001").await;
    let second = app.signed_in_citizen("0712400002").await;

    let old_draft = first.start().await;
    let young_draft = first.start().await;
    age(&app, &old_draft, "draft", 91, now).await;
    age(&app, &young_draft, "draft", 89, now).await;
    let cancelled_due = submitted(&first).await;
    age(&app, &cancelled_due, "cancelled", 31, now).await;
    let cancelled_young = submitted(&first).await;
    age(&app, &cancelled_young, "cancelled", 29, now).await;
    let expired_due = submitted(&second).await;
    age(&app, &expired_due, "expired", 30, now).await;
    let collected_young = submitted(&second).await;
    age(&app, &collected_young, "collected", 179, now).await;
    let collected_due = submitted(&second).await;
    let day = open_weekday(0).to_string();
    let response = second
        .post(
            &centre_path(&collected_due, "gpo"),
            &[("day", &day), ("slot", "10:30"), ("replaces", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    age(&app, &collected_due, "collected", 181, now).await;
    app.end_every_booking("done").await;

    let report = retention.run(now).await.unwrap();

    assert_eq!(
        (
            report.drafts,
            report.closed_erased,
            report.collected_erased,
            report.accounts
        ),
        (1, 2, 1, 0),
        "{report:?}"
    );
    assert!(
        row(&app, &old_draft).await.is_none(),
        "the old draft is deleted"
    );
    assert!(row(&app, &young_draft).await.is_some());
    for kept in [&cancelled_young, &collected_young] {
        let kept = row(&app, kept).await.unwrap();
        assert!(holds_personal_data(&kept) && !kept.erased);
    }
    for erased in [&cancelled_due, &expired_due, &collected_due] {
        let erased = row(&app, erased).await.unwrap();
        assert!(erased.erased && !erased.photo, "erased");
        assert!(
            !erased.answers.contains("Mwangi") && !erased.answers.contains("1000500"),
            "{}",
            erased.answers
        );
        assert!(
            erased.reference.is_some_and(|r| r.starts_with("HN-")),
            "the reference stays"
        );
    }
    // The collected card keeps its centre and history of visits; every
    // consent stays in the ledger.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM bookings WHERE application_id = $1",
            &collected_due
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM consents WHERE application_id = $1",
            &cancelled_due
        )
        .await,
        1
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM consents WHERE id <> $1", "").await,
        5
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM pending_verifications WHERE id IN (SELECT pending_verification_id FROM applications WHERE id = $1)", &cancelled_due).await,
        0
    );
    // A second run on the same day finds nothing more to do.
    assert_eq!(retention.run(now).await.unwrap(), Report::default());
    // The run is in the audit chain, as counts.
    let audit = Audit {
        db: &app.db,
        cipher: &app.cipher,
    };
    assert!(matches!(
        audit.verify().await.unwrap(),
        Verdict::Intact { .. }
    ));
    assert_eq!(
        app.rows_in("audit_log WHERE action = 'retention.run'")
            .await,
        1,
        "one run that did something"
    );

    // The 179-day collection, the 29-day withdrawal and the 89-day draft
    // fall due exactly a day later, not a minute before.
    assert_eq!(
        retention.run(now + DAY - 60).await.unwrap(),
        Report::default()
    );
    let report = retention.run(now + DAY).await.unwrap();
    assert_eq!(
        report,
        Report {
            drafts: 1,
            closed_erased: 1,
            collected_erased: 1,
            ..Report::default()
        }
    );
    assert!(row(&app, &young_draft).await.is_none());

    // Messages: sent ones go after 30 days.
    for _ in 0..200 {
        if count(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE state NOT IN ('sent', 'failed') AND id <> $1",
            "",
        )
        .await
            == 0
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let sent = count(&app, "SELECT COUNT(*) FROM outbox WHERE state = $1", "sent").await;
    assert!(sent > 0);
    assert_eq!(retention.run(now + 29 * DAY).await.unwrap().messages, 0);
    assert_eq!(
        retention.run(now + 31 * DAY).await.unwrap().messages,
        sent as u64
    );

    // Accounts: after a year idle, the second one (every application
    // erased, consents in the ledger) keeps only its id; an account that
    // never applied is deleted.
    app.signed_in_citizen("0712400003").await;
    let year_later = now + 366 * DAY;
    let report = retention.run(year_later).await.unwrap();
    assert_eq!(report.accounts, 3, "{report:?}");
    let accounts: Vec<(String, String, Vec<u8>)> =
        sqlx::query_as("SELECT id, contact_kind, contact FROM accounts")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(
        accounts.len(),
        2,
        "the account that never applied is deleted"
    );
    for (account, kind, contact) in accounts {
        assert_eq!(kind, "erased");
        assert_eq!(
            app.cipher
                .decrypt_string(
                    &usajili::crypto::columns::ACCOUNT_CONTACT,
                    &account,
                    &contact
                )
                .unwrap()
                .as_str(),
            ""
        );
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM consents WHERE id <> $1", "").await,
        5,
        "the ledger is kept"
    );
}

#[tokio::test]
async fn every_retention_period_is_configurable() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let now = usajili::clock::unix_now();
    let browser = app.signed_in_citizen("0712400010").await;
    let draft = browser.start().await;
    age(&app, &draft, "draft", 8, now).await;
    let cancelled = submitted(&browser).await;
    age(&app, &cancelled, "cancelled", 3, now).await;
    let collected = submitted(&browser).await;
    age(&app, &collected, "collected", 15, now).await;

    let short = Policy {
        draft_days: 7,
        attention_days: 3,
        closed_days: 2,
        collected_days: 14,
        message_days: 1,
        idle_account_days: 1,
    };
    let defaults = Retention {
        db: &app.db,
        cipher: &app.cipher,
        policy: Policy::default(),
    };
    assert_eq!(defaults.run(now).await.unwrap(), Report::default());
    let report = Retention {
        db: &app.db,
        cipher: &app.cipher,
        policy: short,
    }
    .run(now)
    .await
    .unwrap();

    assert_eq!(
        (report.drafts, report.closed_erased, report.collected_erased),
        (1, 1, 1)
    );
    // The configuration reads the same names the README documents.
    let config = usajili::config::Config::from_env();
    assert_eq!(config.retention, Policy::default());
}

#[tokio::test]
async fn the_audit_chain_finds_an_edited_a_deleted_and_a_forged_entry() {
    let app = spawn_app().await;
    let audit = Audit {
        db: &app.db,
        cipher: &app.cipher,
    };
    assert_eq!(
        audit.verify().await.unwrap(),
        Verdict::Intact {
            entries: 0,
            head: None
        }
    );
    // Twenty writers at once: one chain, no gaps.
    let writers: Vec<_> = (0..20)
        .map(|i| {
            let (db, cipher) = (app.db.clone(), app.cipher.clone());
            tokio::spawn(async move {
                let account = format!("account-{i}");
                let event = Event::new(Actor::Citizen(&account), "account.download")
                    .on("account", &account)
                    .detail("applications=1");
                Audit {
                    db: &db,
                    cipher: &cipher,
                }
                .record(&event, 1_800_000_000 + i)
                .await
                .unwrap()
            })
        })
        .collect();
    let mut seqs = Vec::new();
    for writer in writers {
        seqs.push(writer.await.unwrap());
    }
    seqs.sort();
    assert_eq!(seqs, (1..=20).collect::<Vec<i64>>());
    let Verdict::Intact {
        entries: 20,
        head: Some((20, head)),
    } = audit.verify().await.unwrap()
    else {
        panic!("an intact chain of 20")
    };
    assert_eq!(head.len(), 64);

    // Edited: one field of one entry; put back, the chain is whole again.
    let original: String = sqlx::query_scalar("SELECT actor_id FROM audit_log WHERE seq = 7")
        .fetch_one(&app.db)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 7")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(
        audit.verify().await.unwrap(),
        Verdict::Broken {
            seq: 7,
            problem: Problem::Edited
        }
    );
    sqlx::query("UPDATE audit_log SET actor_id = $1 WHERE seq = 7")
        .bind(original)
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(
        audit.verify().await.unwrap(),
        Verdict::Intact {
            entries: 20,
            head: Some((20, head.clone()))
        }
    );

    // Deleted: a row from the middle.
    let saved: (i64, String) = sqlx::query_as("SELECT at, hash FROM audit_log WHERE seq = 12")
        .fetch_one(&app.db)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE audit_backup AS SELECT * FROM audit_log WHERE seq = 12")
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_log WHERE seq = 12")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(
        audit.verify().await.unwrap(),
        Verdict::Broken {
            seq: 13,
            problem: Problem::Missing
        }
    );

    // Forged: the gap filled with a well-formed entry whose hash was made
    // without the chain's key (what someone with only the database could do).
    let other_cipher = {
        let other = spawn_app().await;
        other.cipher.clone()
    };
    let forger = Audit {
        db: &app.db,
        cipher: &other_cipher,
    };
    sqlx::query("DELETE FROM audit_log WHERE seq > 11")
        .execute(&app.db)
        .await
        .unwrap();
    forger
        .record(
            &Event::new(Actor::Citizen("x"), "account.download"),
            saved.0,
        )
        .await
        .unwrap();
    assert_eq!(
        audit.verify().await.unwrap(),
        Verdict::Broken {
            seq: 12,
            problem: Problem::Edited
        }
    );
    // Putting the original back (and cutting what followed) is consistent
    // again; the shorter chain reports a different head, which is how an
    // operator who kept the head notices.
    sqlx::query("DELETE FROM audit_log WHERE seq = 12")
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO audit_log SELECT * FROM audit_backup")
        .execute(&app.db)
        .await
        .unwrap();
    let verdict = audit.verify().await.unwrap();
    assert_eq!(
        verdict,
        Verdict::Intact {
            entries: 12,
            head: Some((12, saved.1))
        }
    );
    assert!(verdict.to_string().contains("12 entries"));
}

#[tokio::test]
async fn an_application_left_needing_attention_expires_frees_its_certificate_and_is_erased() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let now = usajili::clock::unix_now();
    let retention = Retention {
        db: &app.db,
        cipher: &app.cipher,
        policy: Policy::default(),
    };
    let citizen = app.signed_in_citizen("0712400021").await;
    let young = submitted(&citizen).await;
    age(&app, &young, "needs_attention", 29, now).await;
    let due = citizen.start().await;
    age(&app, &due, "needs_attention", 30, now).await;
    sqlx::query("UPDATE applications SET active_birth_cert_index = 'held' WHERE id = $1")
        .bind(&due)
        .execute(&app.db)
        .await
        .unwrap();

    let report = retention.run(now).await.unwrap();

    assert_eq!(report.expired, 1, "{report:?}");
    assert_eq!(app.application_state(&due).await, "expired");
    assert_eq!(app.application_state(&young).await, "needs_attention");
    let held: Option<String> =
        sqlx::query_scalar("SELECT active_birth_cert_index FROM applications WHERE id = $1")
            .bind(&due)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(held, None);
    // Erased once the closed period has passed since it expired.
    assert!(!row(&app, &due).await.unwrap().erased);
    retention.run(now + 30 * DAY).await.unwrap();
    assert!(row(&app, &due).await.unwrap().erased);
}
