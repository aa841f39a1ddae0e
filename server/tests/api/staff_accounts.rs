//! A staff account's lifecycle through the real server and database: an
//! administrator (or the command line) disables, enables, resets the
//! authenticator, sets a temporary password and moves a member; enrolment
//! that no second session can take over; the lock-out under parallel
//! guesses; the idle job; and the constraint that scopes every officer and
//! supervisor to a centre.

use crate::browser::*;
use crate::fixtures::*;
use crate::helpers::TestApp;
use reqwest::StatusCode;
use usajili::staff::Role;
use usajili::staff::accounts::code_at;

const NEW_PASSWORD: &str = "blue heron over lake naivasha";
const OWN_PASSWORD: &str = "seven acacia trees at dusk";

async fn id_of(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM staff_accounts WHERE email = $1")
        .bind(email)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// The audit chain's actions about one staff account, oldest first, with
/// who did them (`kind:id`).
async fn audited(app: &TestApp, id: &str) -> Vec<(String, String)> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT action, actor_kind, actor_id FROM audit_log \
         WHERE record_kind = 'staff' AND record_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(action, kind, actor)| (action, format!("{kind}:{actor}")))
        .collect()
}

/// The kinds of the emails queued, oldest first.
async fn emails(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT kind FROM outbox WHERE channel = 'email' ORDER BY created_at, id")
        .fetch_all(&app.db)
        .await
        .unwrap()
}

async fn sign_in(browser: &Browser<'_>, email: &str, password: &str) -> reqwest::Response {
    browser
        .post(
            "/staff/sign-in",
            &[("email", email), ("password", password)],
        )
        .await
}

#[tokio::test]
async fn a_disabled_members_open_session_is_refused_on_its_next_request() {
    let app = console().await;
    let admin = app
        .signed_in_staff("admin@kenya.go.ke", Role::Administrator, None)
        .await;
    let officer = app
        .signed_in_staff("off@kenya.go.ke", Role::Officer, Some("gpo"))
        .await;
    let id = id_of(&app, "off@kenya.go.ke").await;
    assert_eq!(officer.get("/staff").await.status(), StatusCode::OK);
    // Only administrators see the list or act on it.
    assert_eq!(
        officer.get("/staff/accounts").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        officer
            .post(&format!("/staff/accounts/{id}/disable"), &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let (status, page) = admin.page("/staff/accounts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-email=\"off@kenya.go.ke\" data-disabled=\"false\""));

    let response = admin
        .post(&format!("/staff/accounts/{id}/disable"), &[])
        .await;
    assert_eq!(location(&response), "/staff/accounts?done=disabled");
    // The officer's open session: refused on its very next request.
    assert_eq!(location(&officer.get("/staff").await), "/staff/sign-in");
    // And its session is over, not only this request.
    assert_eq!(location(&officer.get("/staff").await), "/staff/sign-in");
    // The right password no longer signs in, with the answer of a wrong one.
    assert_eq!(
        sign_in(&Browser::new(&app), "off@kenya.go.ke", PASSWORD)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (_, page) = admin.page("/staff/accounts").await;
    assert!(page.contains("data-email=\"off@kenya.go.ke\" data-disabled=\"true\""));

    let response = admin
        .post(&format!("/staff/accounts/{id}/enable"), &[])
        .await;
    assert_eq!(location(&response), "/staff/accounts?done=enabled");
    let again = Browser::new(&app);
    assert_eq!(
        location(&sign_in(&again, "off@kenya.go.ke", PASSWORD).await),
        "/staff"
    );
    let admin_id = id_of(&app, "admin@kenya.go.ke").await;
    let by_admin = format!("staff:{admin_id}");
    let actions = audited(&app, &id).await;
    assert!(actions.contains(&("staff.disable".into(), by_admin.clone())));
    assert!(actions.contains(&("staff.enable".into(), by_admin)));
}

#[tokio::test]
async fn an_administrator_cannot_disable_demote_or_reset_themselves() {
    let app = console().await;
    let admin = app
        .signed_in_staff("admin@kenya.go.ke", Role::Administrator, None)
        .await;
    let id = id_of(&app, "admin@kenya.go.ke").await;
    let before = audited(&app, &id).await;
    // The list offers nothing on one's own row.
    let (_, page) = admin.page("/staff/accounts").await;
    assert!(!page.contains(&format!("/staff/accounts/{id}/")));
    // A crafted request for each action is refused, changing nothing.
    for (action, form) in [
        ("disable", vec![]),
        ("update", vec![("role", "officer"), ("centre", "gpo")]),
        ("reset-totp", vec![]),
        ("password", vec![("password", "a new passphrase for me")]),
    ] {
        let response = admin
            .post(&format!("/staff/accounts/{id}/{action}"), &form)
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{action}"
        );
        let page = response.text().await.unwrap();
        assert!(page.contains("Another administrator must change your account"));
    }
    assert_eq!(admin.get("/staff/accounts").await.status(), StatusCode::OK);
    assert_eq!(audited(&app, &id).await, before);
}

#[tokio::test]
async fn a_temporary_password_forces_a_change() {
    let app = console().await;
    let admin = app
        .signed_in_staff("admin@kenya.go.ke", Role::Administrator, None)
        .await;
    let officer = app
        .signed_in_staff("off@kenya.go.ke", Role::Officer, Some("gpo"))
        .await;
    let id = id_of(&app, "off@kenya.go.ke").await;

    // The password rules hold for a password an administrator sets.
    let (status, page) = admin
        .post_text(
            &format!("/staff/accounts/{id}/password"),
            &[("password", "Password12345!")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(summary_of(&page).contains("common passwords"));
    let response = admin
        .post(
            &format!("/staff/accounts/{id}/password"),
            &[("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(location(&response), "/staff/accounts?done=password");
    assert!(
        emails(&app)
            .await
            .contains(&"staff_password_set".to_string())
    );
    // A new password ends the member's sessions.
    assert_eq!(location(&officer.get("/staff").await), "/staff/sign-in");
    assert_eq!(
        sign_in(&Browser::new(&app), "off@kenya.go.ke", PASSWORD)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the old password is gone"
    );

    let member = Browser::new(&app);
    assert_eq!(
        location(&sign_in(&member, "off@kenya.go.ke", NEW_PASSWORD).await),
        "/staff"
    );
    // Nothing else is reachable before the password is changed.
    for path in ["/staff", "/staff/dashboard", "/staff/bookings/x"] {
        assert_eq!(
            location(&member.get(path).await),
            "/staff/password",
            "{path}"
        );
    }
    assert_eq!(member.get("/staff/password").await.status(), StatusCode::OK);
    let (status, page) = member
        .post_text(
            "/staff/password",
            &[("password", "short"), ("confirm", "short")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(summary_of(&page).contains("at least 12 characters"));
    let (status, page) = member
        .post_text(
            "/staff/password",
            &[("password", OWN_PASSWORD), ("confirm", "something else")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(summary_of(&page).contains("differ"));
    assert!(!page.contains(OWN_PASSWORD), "never shown back");
    let response = member
        .post(
            "/staff/password",
            &[("password", OWN_PASSWORD), ("confirm", OWN_PASSWORD)],
        )
        .await;
    assert_eq!(location(&response), "/staff");
    assert_eq!(member.get("/staff").await.status(), StatusCode::OK);
    assert_eq!(
        location(&sign_in(&Browser::new(&app), "off@kenya.go.ke", OWN_PASSWORD).await),
        "/staff"
    );
    let actions: Vec<String> = audited(&app, &id).await.into_iter().map(|a| a.0).collect();
    assert!(actions.contains(&"staff.set_password".to_string()));
    assert!(actions.contains(&"staff.password_changed".to_string()));
}

#[tokio::test]
async fn an_enrolment_secret_is_not_visible_from_a_second_session() {
    let app = console().await;
    app.staff_account("sup@kenya.go.ke", Role::Supervisor, Some("gpo"))
        .await;
    let first = Browser::new(&app);
    let second = Browser::new(&app);
    assert_eq!(
        location(&sign_in(&first, "sup@kenya.go.ke", PASSWORD).await),
        "/staff/enrol"
    );
    let secret = enrolment_secret(&first).await;
    assert_eq!(
        location(&sign_in(&second, "sup@kenya.go.ke", PASSWORD).await),
        "/staff/enrol"
    );
    let other = enrolment_secret(&second).await;
    assert_ne!(secret, other, "each session is shown its own secret");
    // The first session's code does not confirm the second's enrolment.
    let code = code_at(&secret, now()).unwrap();
    let (status, _) = second.post_text("/staff/enrol", &[("code", &code)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        location(&first.post("/staff/enrol", &[("code", &code)]).await),
        "/staff"
    );
    // Enrolled now: the second session's candidate confirms nothing.
    let late = code_at(&other, now()).unwrap();
    let (status, _) = second.post_text("/staff/enrol", &[("code", &late)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(emails(&app).await, ["staff_authenticator_enrolled"]);
    let id = id_of(&app, "sup@kenya.go.ke").await;
    let enrolments = audited(&app, &id)
        .await
        .into_iter()
        .filter(|(action, _)| action == "staff.totp_enrolled")
        .count();
    assert_eq!(enrolments, 1);
}

#[tokio::test]
async fn a_reset_authenticator_is_enrolled_again_at_the_next_sign_in() {
    let app = console().await;
    let admin = app
        .signed_in_staff("admin@kenya.go.ke", Role::Administrator, None)
        .await;
    let supervisor = app
        .signed_in_staff("sup@kenya.go.ke", Role::Supervisor, Some("gpo"))
        .await;
    let id = id_of(&app, "sup@kenya.go.ke").await;
    let response = admin
        .post(&format!("/staff/accounts/{id}/reset-totp"), &[])
        .await;
    assert_eq!(location(&response), "/staff/accounts?done=reset");
    assert_eq!(location(&supervisor.get("/staff").await), "/staff/sign-in");
    let again = Browser::new(&app);
    assert_eq!(
        location(&sign_in(&again, "sup@kenya.go.ke", PASSWORD).await),
        "/staff/enrol"
    );
    let secret = enrolment_secret(&again).await;
    let code = code_at(&secret, now() + 30).unwrap();
    assert_eq!(
        location(&again.post("/staff/enrol", &[("code", &code)]).await),
        "/staff"
    );
    let sent = emails(&app).await;
    assert!(
        sent.contains(&"staff_authenticator_reset".to_string()),
        "{sent:?}"
    );
    assert_eq!(
        sent.iter()
            .filter(|k| *k == "staff_authenticator_enrolled")
            .count(),
        3,
        "the administrator's, the supervisor's first and second enrolments: {sent:?}"
    );
}

#[tokio::test]
async fn an_administrator_moves_a_member_and_changes_their_role() {
    let app = console().await;
    let admin = app
        .signed_in_staff("admin@kenya.go.ke", Role::Administrator, None)
        .await;
    let officer = app
        .signed_in_staff("off@kenya.go.ke", Role::Officer, Some("gpo"))
        .await;
    let id = id_of(&app, "off@kenya.go.ke").await;
    let other: String =
        sqlx::query_scalar("SELECT id FROM centres WHERE id <> 'gpo' ORDER BY id LIMIT 1")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let response = admin
        .post(
            &format!("/staff/accounts/{id}/update"),
            &[("role", "officer"), ("centre", &other)],
        )
        .await;
    assert_eq!(location(&response), "/staff/accounts?done=updated");
    let centre: Option<String> =
        sqlx::query_scalar("SELECT centre_id FROM staff_accounts WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(centre.as_deref(), Some(other.as_str()));
    // The officer's next request is at the new centre.
    assert_eq!(officer.get("/staff").await.status(), StatusCode::OK);
    // A supervisor without a centre is refused, and nothing changes.
    let (status, _) = admin
        .post_text(
            &format!("/staff/accounts/{id}/update"),
            &[("role", "administrator"), ("centre", &other)],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'staff.update' AND record_id = $1",
    )
    .bind(&id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(detail, format!("role=officer centre={other}"));
}

#[tokio::test]
async fn fifty_parallel_wrong_codes_lock_the_account_after_exactly_the_limit() {
    let app = console().await;
    let enrolled = app
        .signed_in_staff("sup@kenya.go.ke", Role::Supervisor, Some("gpo"))
        .await;
    enrolled.post("/staff/sign-out", &[]).await;
    let browser = Browser::new(&app);
    assert_eq!(
        location(&sign_in(&browser, "sup@kenya.go.ke", PASSWORD).await),
        "/staff/sign-in/code"
    );
    // Wrong unless it happens to be one of the three codes accepted now
    // (a chance of 3 in a million).
    let wrong = "000000";
    let form = [("code", wrong)];
    let statuses =
        futures::future::join_all((0..50).map(|_| browser.post("/staff/sign-in/code", &form)))
            .await
            .into_iter()
            .map(|r| r.status())
            .collect::<Vec<_>>();
    let limit = app.config.staff.max_failures as usize;
    let wrong_answers = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    let locked_answers = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        (wrong_answers, locked_answers),
        (limit - 1, 50 - (limit - 1)),
        "{statuses:?}"
    );
    let id = id_of(&app, "sup@kenya.go.ke").await;
    let checked = audited(&app, &id)
        .await
        .into_iter()
        .filter(|(action, _)| action == "staff.sign_in_failed")
        .count();
    assert_eq!(checked, limit, "exactly the limit of codes were checked");
    let refused = audited(&app, &id)
        .await
        .into_iter()
        .filter(|(action, _)| action == "staff.sign_in_locked")
        .count();
    assert_eq!(refused, 50 - limit);
    let details: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action LIKE 'staff.sign_in_%ed'")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert!(
        details
            .iter()
            .all(|d| !d.contains(wrong) && !d.contains(PASSWORD)),
        "no code and no password in the audit: {details:?}"
    );
}

#[tokio::test]
async fn the_locked_answer_is_given_for_unknown_emails_too() {
    let app = console().await;
    app.staff_account("off@kenya.go.ke", Role::Officer, Some("gpo"))
        .await;
    let browser = Browser::new(&app);
    let mut answers = Vec::new();
    for email in ["off@kenya.go.ke", "nobody@kenya.go.ke"] {
        let mut last = (StatusCode::OK, String::new());
        for _ in 0..app.config.staff.max_failures {
            last = browser
                .post_text(
                    "/staff/sign-in",
                    &[("email", email), ("password", "not the password")],
                )
                .await;
        }
        assert_eq!(last.0, StatusCode::TOO_MANY_REQUESTS, "{email}");
        answers.push(summary_of(&last.1));
    }
    assert_eq!(answers[0], answers[1], "the same answer, known or not");
}

#[tokio::test]
async fn members_not_seen_for_the_idle_days_are_disabled_by_the_daily_job() {
    let app = console().await;
    app.staff_account("idle@kenya.go.ke", Role::Officer, Some("gpo"))
        .await;
    let seen = app
        .signed_in_staff("seen@kenya.go.ke", Role::Officer, Some("gpo"))
        .await;
    let accounts = staff_accounts(&app);
    let days = app.config.staff.idle_days;
    assert_eq!(days, 90, "the default");
    assert_eq!(
        accounts
            .disable_idle(now() + (days - 1) * 86_400)
            .await
            .unwrap(),
        0
    );
    // The one who signed in later is still within the days.
    sqlx::query("UPDATE staff_accounts SET last_sign_in_at = $1 WHERE email = 'seen@kenya.go.ke'")
        .bind(now() + 5 * 86_400)
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(
        accounts
            .disable_idle(now() + (days + 1) * 86_400)
            .await
            .unwrap(),
        1
    );
    let idle = id_of(&app, "idle@kenya.go.ke").await;
    assert_eq!(
        audited(&app, &idle).await,
        [("staff.disable".to_string(), "system:staff-idle".to_string())]
    );
    assert_eq!(seen.get("/staff").await.status(), StatusCode::OK);
    assert_eq!(
        sign_in(&Browser::new(&app), "idle@kenya.go.ke", PASSWORD)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn the_database_requires_a_centre_for_officers_and_supervisors() {
    let app = console().await;
    let insert = |role: &'static str, centre: Option<&'static str>| {
        let db = app.db.clone();
        async move {
            sqlx::query(
                "INSERT INTO staff_accounts (id, email, role, centre_id, password_hash, created_at) \
                 VALUES ($1, $2, $3, $4, 'x', 0)",
            )
            .bind(format!("{role}-{}", centre.unwrap_or("none")))
            .bind(format!("{role}-{}@kenya.go.ke", centre.unwrap_or("none")))
            .bind(role)
            .bind(centre)
            .execute(&db)
            .await
        }
    };
    assert!(insert("officer", None).await.is_err());
    assert!(insert("supervisor", None).await.is_err());
    assert!(insert("administrator", Some("gpo")).await.is_err());
    assert!(insert("officer", Some("gpo")).await.is_ok());
    assert!(insert("administrator", None).await.is_ok());
    // The notes still refer to the accounts after the table was rebuilt.
    let note = sqlx::query(
        "INSERT INTO booking_notes (id, booking_id, staff_id, note, created_at) \
         VALUES ('n', 'no-booking', 'no-staff', $1, 0)",
    )
    .bind(vec![0u8])
    .execute(&app.db)
    .await;
    assert!(note.is_err(), "foreign keys hold");
}

#[tokio::test]
async fn the_command_line_disables_enables_resets_sets_a_password_and_updates() {
    let app = console().await;
    let officer = app
        .signed_in_staff("off@kenya.go.ke", Role::Officer, Some("gpo"))
        .await;
    let id = id_of(&app, "off@kenya.go.ke").await;
    let email = ["--email", "off@kenya.go.ke"];
    let with = |command: &'static [&'static str]| {
        let mut args: Vec<&str> = command.to_vec();
        args.extend(email);
        args
    };
    app.command_line_ok(&with(&["staff", "disable"]), "").await;
    assert_eq!(location(&officer.get("/staff").await), "/staff/sign-in");
    app.command_line_ok(&with(&["staff", "enable"]), "").await;
    let refused = app.command_line(&with(&["staff", "set-password"]), "letmein\n");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("at least 12 characters"));
    app.command_line_ok(
        &with(&["staff", "set-password"]),
        &format!("{NEW_PASSWORD}\n"),
    )
    .await;
    let member = Browser::new(&app);
    sign_in(&member, "off@kenya.go.ke", NEW_PASSWORD).await;
    assert_eq!(location(&member.get("/staff").await), "/staff/password");
    app.command_line_ok(&with(&["staff", "reset-totp"]), "")
        .await;
    app.command_line_ok(&with(&["staff", "update", "--role", "supervisor"]), "")
        .await;
    let role: String = sqlx::query_scalar("SELECT role FROM staff_accounts WHERE id = $1")
        .bind(&id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(role, "supervisor");
    let unknown = app.command_line(&["staff", "disable", "--email", "nobody@kenya.go.ke"], "");
    assert!(!unknown.status.success());
    let by_cli: Vec<String> = audited(&app, &id)
        .await
        .into_iter()
        .filter(|(_, actor)| actor == "system:cli")
        .map(|(action, _)| action)
        .collect();
    assert_eq!(
        by_cli,
        [
            "staff.disable",
            "staff.enable",
            "staff.set_password",
            "staff.reset_totp",
            "staff.update"
        ]
    );
    let mut sent = emails(&app).await;
    sent.sort();
    assert_eq!(sent, ["staff_authenticator_reset", "staff_password_set"]);

    // An account the command line creates is audited with it.
    app.command_line_ok(
        &[
            "staff",
            "create",
            "--email",
            "new@kenya.go.ke",
            "--role",
            "officer",
            "--centre",
            "gpo",
        ],
        &format!("{NEW_PASSWORD}\n"),
    )
    .await;
    let created = id_of(&app, "new@kenya.go.ke").await;
    assert_eq!(
        audited(&app, &created).await,
        [("staff.create".to_string(), "system:cli".to_string())]
    );
}
