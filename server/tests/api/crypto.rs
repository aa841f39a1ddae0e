//! Field encryption: data keys wrapped by the master key, on both engines.

use crate::helpers::{spawn_app, spawn_app_with};
use usajili::crypto::columns::{ACCOUNT_CONTACT, IDENTITY_NAMES, SIGN_IN_CODE_CONTACT};
use usajili::crypto::{Column, CryptoError, FieldCipher, MasterKey};

#[tokio::test]
async fn a_value_encrypted_for_one_row_of_one_column_decrypts_only_there() {
    let app = spawn_app().await;
    let master = usajili::config::Config::load_master_key(&app.config).unwrap();
    let cipher = FieldCipher::load(&app.db, &master).await.unwrap();

    let sealed = cipher.encrypt_str(&IDENTITY_NAMES, "row-1", "Ng'ang'a");

    assert!(
        !sealed.windows(8).any(|w| w == b"Ng'ang'a"),
        "no plaintext in the ciphertext"
    );
    assert_eq!(
        cipher
            .decrypt_string(&IDENTITY_NAMES, "row-1", &sealed)
            .unwrap()
            .as_str(),
        "Ng'ang'a"
    );
    assert!(matches!(
        cipher.decrypt_string(&ACCOUNT_CONTACT, "row-1", &sealed),
        Err(CryptoError::Tampered)
    ));
    assert!(matches!(
        cipher.decrypt_string(&IDENTITY_NAMES, "row-2", &sealed),
        Err(CryptoError::Tampered)
    ));
    let mut tampered = sealed.clone();
    *tampered.last_mut().unwrap() ^= 1;
    assert!(matches!(
        cipher.decrypt(&IDENTITY_NAMES, "row-1", &tampered),
        Err(CryptoError::Tampered)
    ));
}

#[tokio::test]
async fn the_same_value_encrypts_differently_but_indexes_the_same() {
    let app = spawn_app().await;
    let master = usajili::config::Config::load_master_key(&app.config).unwrap();
    let cipher = FieldCipher::load(&app.db, &master).await.unwrap();

    assert_ne!(
        cipher.encrypt_str(&SIGN_IN_CODE_CONTACT, "row", "+254712345678"),
        cipher.encrypt_str(&SIGN_IN_CODE_CONTACT, "row", "+254712345678")
    );
    assert_eq!(
        cipher.blind_index("phone", "+254712345678"),
        cipher.blind_index("phone", "+254712345678")
    );
    assert_ne!(
        cipher.blind_index("phone", "+254712345678"),
        cipher.blind_index("id", "+254712345678")
    );
    assert!(
        !cipher
            .blind_index("phone", "+254712345678")
            .contains("712345678")
    );
}

#[tokio::test]
async fn old_values_stay_readable_after_a_rotation() {
    let app = spawn_app().await;
    let master = usajili::config::Config::load_master_key(&app.config).unwrap();
    let cipher = FieldCipher::load(&app.db, &master).await.unwrap();
    let before = cipher.encrypt_str(&SIGN_IN_CODE_CONTACT, "row", "Achieng");

    let new_id = cipher.rotate(&app.db, &master).await.unwrap();
    let after = cipher.encrypt_str(&SIGN_IN_CODE_CONTACT, "row", "Achieng");

    assert_eq!(FieldCipher::key_id_of(&before), Some(new_id - 1));
    assert_eq!(FieldCipher::key_id_of(&after), Some(new_id));
    assert_eq!(
        cipher
            .decrypt_string(&SIGN_IN_CODE_CONTACT, "row", &before)
            .unwrap()
            .as_str(),
        "Achieng"
    );
    let reloaded = FieldCipher::load(&app.db, &master).await.unwrap();
    assert_eq!(
        reloaded
            .decrypt_string(&SIGN_IN_CODE_CONTACT, "row", &after)
            .unwrap()
            .as_str(),
        "Achieng"
    );
    assert_eq!(reloaded.active_key_id(), new_id);
}

#[tokio::test]
async fn the_portal_refuses_to_start_with_the_wrong_master_key_and_says_why() {
    let app = spawn_app().await;
    let mut config = app.config.clone();
    config.master_key = Some(MasterKey::generate().to_base64().to_string().into());

    let error = usajili::startup::Application::build(config)
        .await
        .err()
        .expect("refused");

    assert!(
        format!("{error:#}").contains("the master key does not match this database"),
        "{error:#}"
    );
}

#[tokio::test]
async fn production_refuses_to_start_without_a_master_key() {
    let app = spawn_app().await;
    let mut config = app.config.clone();
    config.environment = usajili::config::Environment::Production;
    config.https = true;
    config.trusted_proxies = usajili::config::TrustedProxies::parse("127.0.0.1/32").unwrap();
    config.master_key = None;
    config.master_key_file = None;

    let error = usajili::startup::Application::build(config)
        .await
        .err()
        .expect("refused");

    assert!(
        format!("{error:#}").contains("production needs a master key"),
        "{error:#}"
    );
}

/// Every encrypted value in the database: (column, id, value).
async fn every_sealed_value(db: &sqlx::AnyPool) -> Vec<(Column, String, Vec<u8>)> {
    let mut values = Vec::new();
    for sealed in usajili::crypto::columns::ENCRYPTED_COLUMNS {
        let Column {
            table, column, key, ..
        } = sealed;
        let rows: Vec<(String, Vec<u8>)> = sqlx::query_as(&format!(
            "SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL"
        ))
        .fetch_all(db)
        .await
        .unwrap();
        values.extend(rows.into_iter().map(|(id, value)| (sealed, id, value)));
    }
    values
}

#[tokio::test]
async fn keys_rotate_while_people_book_and_no_value_is_lost_or_unreadable() {
    use crate::booking::{centre_path, open_weekday};
    use crate::browser::{WANJIRU, with_registry};
    // Servers look for new keys every second; the rotation waits two.
    let app = spawn_app_with(|c| {
        c.key_refresh_secs = 1;
        c.db_max_connections = 8;
    })
    .await;
    with_registry(&app).await;
    // Real ciphertexts in every kind of column: a citizen who signed in and
    // applied (contact, codes, answers, photo, messages), and applicants
    // with sessions ready to book.
    let citizen = app.signed_in_citizen("0712999000").await;
    let own = citizen.start().await;
    citizen.complete(&own, &WANJIRU).await;
    citizen.submit(&own).await;
    let people = app.verified_accounts_with_sessions(400).await;
    // The messages queued so far are sent first: a sent sign-in code's
    // text is wiped by design, which is no value lost to the rotation.
    for _ in 0..400 {
        if app
            .rows_in("outbox WHERE state IN ('pending', 'sending')")
            .await
            == 0
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let before = every_sealed_value(&app.db).await;
    let old_key = app.cipher.active_key_id();
    let master = usajili::config::Config::load_master_key(&app.config).unwrap();
    // The command runs as its own process would: its own cipher.
    let command_cipher = FieldCipher::load(&app.db, &master).await.unwrap();

    let client = crate::helpers::client_builder(&app.address)
        .build()
        .unwrap();
    let settle = std::time::Duration::from_secs(2);
    let started = std::time::Instant::now();
    let rotating = std::sync::atomic::AtomicBool::new(true);
    let load = async {
        let (mut booked, mut pages, mut booked_while_rewriting) = (Vec::new(), Vec::new(), 0);
        let mut waiting = people.chunks(4).enumerate();
        // Page loads (which decrypt) all along; bookings from shortly before
        // the re-encryption starts until it ends.
        while rotating.load(std::sync::atomic::Ordering::Relaxed) {
            pages.push(citizen.page(&format!("/applications/{own}")).await.0);
            if started.elapsed() + std::time::Duration::from_millis(300) < settle {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
            let Some((c, chunk)) = waiting.next() else {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            };
            let sent = chunk.iter().enumerate().map(|(i, (cookie, id))| {
                // Four people per slot, 144 a day: every booking has a place.
                let n = c * 4 + i;
                let slot = app::calendar::clock_label(480 + 15 * (n % 144 / 4) as u16);
                let day = open_weekday(n / 144);
                client
                    .post(app.url(&centre_path(id, "kibra")))
                    .header("cookie", cookie)
                    .form(&[
                        ("day", day.to_string()),
                        ("slot", slot),
                        ("replaces", String::new()),
                    ])
                    .send()
            });
            for response in futures::future::join_all(sent).await {
                booked.push(response.unwrap().status());
                if started.elapsed() > settle && rotating.load(std::sync::atomic::Ordering::Relaxed)
                {
                    booked_while_rewriting += 1;
                }
            }
        }
        (booked, pages, booked_while_rewriting)
    };
    // One row at a time, so that the rewriting takes long enough to book during it.
    let rotation = async {
        let report =
            usajili::crypto::keys::rotate(&app.db, &command_cipher, &master, 1, settle).await;
        rotating.store(false, std::sync::atomic::Ordering::Relaxed);
        report
    };
    let ((booked, pages, booked_while_rewriting), report) = tokio::join!(load, rotation);
    let report = report.unwrap();

    assert!(
        booked.iter().all(|s| *s == reqwest::StatusCode::SEE_OTHER),
        "{booked:?}"
    );
    assert!(
        pages.iter().all(|s| *s == reqwest::StatusCode::OK),
        "{pages:?}"
    );
    assert!(
        booked_while_rewriting > 0,
        "no booking overlapped the re-encryption"
    );
    assert_eq!(report.new_key, old_key + 1);
    assert!(report.rewritten > 0);
    assert_eq!(
        app.cipher.active_key_id(),
        report.new_key,
        "the running server loaded the new key"
    );
    // Nothing lost: every value there before is still there (by id).
    let after = every_sealed_value(&app.db).await;
    for (column, id, _) in &before {
        assert!(
            after.iter().any(|(c, i, _)| c == column && i == id),
            "{} of {id} is gone",
            column.context
        );
    }
    // Nothing unreadable, and everything on the new key (emptied values aside).
    let fresh = FieldCipher::load(&app.db, &master).await.unwrap();
    for (column, id, value) in &after {
        if value.is_empty() {
            continue;
        }
        assert_eq!(
            FieldCipher::key_id_of(value),
            Some(report.new_key),
            "{} of {id}",
            column.context
        );
        assert!(
            fresh.decrypt(column, id, value).is_ok(),
            "{} of {id} does not decrypt",
            column.context
        );
    }
    assert_eq!(app.live_booking_count().await as usize, booked.len());
}

#[tokio::test]
async fn an_authenticator_secret_copied_onto_another_members_row_does_not_decrypt() {
    use usajili::crypto::columns::STAFF_TOTP_SECRET;
    use usajili::staff::Role;
    let app = crate::fixtures::console().await;
    app.signed_in_staff("amina@centre.go.ke", Role::Supervisor, Some("gpo"))
        .await;
    app.signed_in_staff("baraka@centre.go.ke", Role::Supervisor, Some("gpo"))
        .await;
    let secrets: Vec<(String, String, Vec<u8>)> = sqlx::query_as(
        "SELECT id, email, totp_secret FROM staff_accounts WHERE totp_secret IS NOT NULL ORDER BY email",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let [(amina, _, amina_secret), (baraka, _, _)] = &secrets[..] else {
        panic!("two enrolled members: {}", secrets.len())
    };
    assert!(
        app.cipher
            .decrypt(&STAFF_TOTP_SECRET, amina, amina_secret)
            .is_ok()
    );

    // Someone with write access to the database copies Amina's secret
    // onto Baraka's row, to sign in as Baraka with Amina's authenticator.
    sqlx::query("UPDATE staff_accounts SET totp_secret = $1 WHERE id = $2")
        .bind(amina_secret)
        .bind(baraka)
        .execute(&app.db)
        .await
        .unwrap();
    let copied: Vec<u8> =
        sqlx::query_scalar("SELECT totp_secret FROM staff_accounts WHERE id = $1")
            .bind(baraka)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(matches!(
        app.cipher.decrypt(&STAFF_TOTP_SECRET, baraka, &copied),
        Err(CryptoError::Tampered)
    ));
}

#[tokio::test]
async fn values_sealed_before_row_binding_are_bound_to_their_rows_at_start_up() {
    use crate::browser::{WANJIRU, with_registry};
    let app = spawn_app().await;
    with_registry(&app).await;
    let citizen = app.signed_in_citizen("0712999001").await;
    let own = citizen.start().await;
    citizen.complete(&own, &WANJIRU).await;
    citizen.submit(&own).await;
    // The database as the release before row binding left it: every value
    // bound to its column only, and no upgrade recorded.
    let before = every_sealed_value(&app.db).await;
    assert!(before.len() >= 5, "{}", before.len());
    for (column, id, value) in &before {
        if value.is_empty() {
            continue;
        }
        let plain = app.cipher.decrypt(column, id, value).unwrap();
        let Column {
            table,
            column: name,
            key,
            ..
        } = column;
        sqlx::query(&format!("UPDATE {table} SET {name} = $1 WHERE {key} = $2"))
            .bind(app.cipher.encrypt_unbound(column, &plain))
            .bind(id)
            .execute(&app.db)
            .await
            .unwrap();
    }
    sqlx::query("DELETE FROM crypto_upgrades")
        .execute(&app.db)
        .await
        .unwrap();
    let old = every_sealed_value(&app.db).await;
    let (column, id, value) = old.iter().find(|(_, _, v)| !v.is_empty()).unwrap();
    assert!(
        app.cipher.decrypt(column, id, value).is_err(),
        "an unbound value is not read as a bound one"
    );

    let master = usajili::config::Config::load_master_key(&app.config).unwrap();
    let cipher = usajili::crypto::open(&app.db, &master).await.unwrap();

    let after = every_sealed_value(&app.db).await;
    for (column, id, was) in &before {
        // A message the worker sent meanwhile has its text wiped.
        let Some((_, _, now)) = after.iter().find(|(c, i, _)| c == column && i == id) else {
            continue;
        };
        if was.is_empty() {
            continue;
        }
        assert_eq!(
            cipher.decrypt(column, id, now).unwrap(),
            app.cipher.decrypt(column, id, was).unwrap(),
            "{} of {id}",
            column.context
        );
    }
    // Recorded once: the next start reads nothing again.
    assert_eq!(
        usajili::crypto::keys::bind_to_rows(&app.db, &cipher, 100)
            .await
            .unwrap(),
        0
    );
    assert_eq!(app.rows_in("crypto_upgrades").await, 1);
    // And the portal reads what it upgraded.
    let (status, _) = citizen.page(&format!("/applications/{own}")).await;
    assert_eq!(status, reqwest::StatusCode::OK);
}
