//! Named starting states for the integration tests, and named readings of
//! their outcomes, so that a test says where it starts and what it expects
//! instead of writing SQL.
//!
//! Builders drive the real pages where a person could (signing in,
//! applying, a member of staff signing in). Where a state is reached only
//! by staff at the counter, by the registry or by time passing on a
//! background job's clock, a builder writes the rows directly; that SQL is
//! kept here, each statement under a builder saying why.
//!
//! Time: pages read the app's clock, which [`TestApp::advance`] moves.
//! Background jobs (retention, reminders, the sweep, no-shows, the outbox)
//! take the time as an argument and read the system clock when the server
//! runs them, so tests of jobs pass them a later time, and the few rows a
//! job reads by age are written here with that age. Moving the app's clock
//! further than a session's idle timeout also ends every session, as does
//! moving it past a session's lifetime (12 hours for citizens, 10 for
//! staff), which is why the dashboard's "waiting three days" is a
//! backdated row and not three days of clock.

use crate::browser::*;
use crate::helpers::{TestApp, spawn_app_with};
use app::dates::CivilDate;
use reqwest::StatusCode;
use usajili::registry::import::{Table, import};
use usajili::staff::Role;
use usajili::staff::accounts::{StaffAccounts, code_at};

/// The password every member of staff made here signs in with.
pub const PASSWORD: &str = "tall giraffe drinks chai";
pub const PETER: Person = Person {
    surname: "Kamau",
    given: "Peter Njoroge",
    sex: "M",
    dob: ("5", "5", "1995"),
    birth_cert: "1000600",
};
pub const AMINA: Person = Person {
    surname: "Hassan",
    given: "Amina",
    sex: "F",
    dob: ("1", "3", "1999"),
    birth_cert: "1000700",
};
/// Peter's and Amina's birth records (Wanjiru's is in [`BIRTHS`]).
const MORE_BIRTHS: &str = "\
birth_cert_no,surname,given_names,sex,date_of_birth,county_code,mother_name,mother_id_no,father_name,father_id_no
1000600,Kamau,Peter Njoroge,M,1995-05-05,022,,,,
1000700,Hassan,Amina,F,1999-03-01,022,,,,
";

/// The system clock's time (what background jobs read).
pub fn now() -> i64 {
    usajili::clock::unix_now()
}

/// Today in Nairobi, by the system clock.
pub fn today() -> CivilDate {
    CivilDate::in_nairobi_at(now())
}

/// A minute of today that is still ahead (so no-show marking leaves it).
pub fn later_today() -> u16 {
    let minute = CivilDate::nairobi_minute_at(now());
    (minute + 60).min(23 * 60 + 45)
}

/// The app for the staff console: cheap argon2 parameters (the defaults
/// are unit-tested) and a registry knowing Wanjiru, Peter and Amina.
pub async fn console() -> TestApp {
    console_with(|_| ()).await
}

/// [`console`], with more settings.
pub async fn console_with(adjust: impl FnOnce(&mut usajili::config::Config)) -> TestApp {
    let app = spawn_app_with(|c| {
        c.staff.argon2_memory_kib = 1024;
        c.staff.argon2_iterations = 1;
        adjust(c);
    })
    .await;
    with_registry(&app).await;
    import(&app.db, Table::Births, std::io::Cursor::new(MORE_BIRTHS))
        .await
        .unwrap();
    app
}

/// Staff accounts, as the command line makes them.
pub fn staff_accounts(app: &TestApp) -> StaffAccounts<'_> {
    StaffAccounts {
        db: &app.db,
        cipher: &app.cipher,
        security: app.config.staff,
        officer_totp_optional: true,
        hashing: &HASHING,
    }
}

/// The command line's own ceiling on hashing (one at a time).
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// The TOTP secret shown on the enrolment page.
pub async fn enrolment_secret(browser: &Browser<'_>) -> String {
    let (status, page) = browser.page("/staff/enrol").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<svg"), "the QR code is on the page");
    page.split("data-secret=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

/// Seats handed out by [`TestApp::booked_directly`], unique per process.
static SEAT: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

// ---- people, through the real pages ---------------------------------------------------

impl TestApp {
    /// A citizen signed in with a code sent to `contact`.
    pub async fn signed_in_citizen(&self, contact: &str) -> Browser<'_> {
        let browser = Browser::new(self);
        browser.sign_in(contact).await;
        browser
    }

    /// A signed-in citizen whose application (Wanjiru's) the registry
    /// matched; the application's contact phone stays the form's default.
    pub async fn verified_citizen(&self, phone: &str) -> (Browser<'_>, String) {
        let browser = self.signed_in_citizen(phone).await;
        let id = browser.start().await;
        browser.complete(&id, &WANJIRU).await;
        let (status, _) = browser.submit(&id).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, page) = browser.page(&format!("/applications/{id}")).await;
        assert_eq!(state_of(&page), "Verified");
        (browser, id)
    }

    /// An adult's application for `person` that the registry matched, made
    /// through the citizen's own pages, with messages going to `phone`.
    pub async fn verified_applicant(&self, phone: &str, person: &Person) -> String {
        let browser = self.signed_in_citizen(phone).await;
        let id = browser.start().await;
        browser.complete(&id, person).await;
        browser
            .save(
                &id,
                "contact",
                &[("phone", phone), ("email", ""), ("language", "en")],
            )
            .await;
        assert_eq!(browser.submit(&id).await.0, StatusCode::SEE_OTHER);
        assert_eq!(self.application_state(&id).await, "verified");
        id
    }

    /// A staff account, made as the command line makes it.
    pub async fn staff_account(&self, email: &str, role: Role, centre: Option<&str>) {
        let mut conn = self.db.acquire().await.unwrap();
        staff_accounts(self)
            .create(&mut conn, email, role, centre, PASSWORD, now())
            .await
            .unwrap();
    }

    /// A member of staff of `role` at `centre`, signed in on the console
    /// (enrolling TOTP first where the role needs it).
    pub async fn signed_in_staff(
        &self,
        email: &str,
        role: Role,
        centre: Option<&str>,
    ) -> Browser<'_> {
        self.staff_account(email, role, centre).await;
        let browser = Browser::new(self);
        let response = browser
            .post(
                "/staff/sign-in",
                &[("email", email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        match location(&response).as_str() {
            "/staff" => {}
            "/staff/enrol" => {
                let secret = enrolment_secret(&browser).await;
                let response = browser
                    .post(
                        "/staff/enrol",
                        &[("code", &code_at(&secret, now()).unwrap())],
                    )
                    .await;
                assert_eq!(location(&response), "/staff");
            }
            other => panic!("unexpected next step {other}"),
        }
        browser
    }
}

// ---- states only staff, the registry or time reach: written directly ---------------------

impl TestApp {
    /// Marks an application verified with `reference`, without the
    /// registry (one birth certificate can have only one active
    /// application; the registry's rules are tested in registry.rs).
    pub async fn verify_directly(&self, id: &str, reference: &str) {
        sqlx::query("UPDATE applications SET state = 'verified', reference = $2 WHERE id = $1")
            .bind(id)
            .bind(reference)
            .execute(&self.db)
            .await
            .unwrap();
    }

    /// Another application on the same account as `beside`, verified
    /// directly.
    pub async fn second_verified_application(&self, beside: &str, reference: &str) -> String {
        let account = self.account_of(beside).await;
        let id = usajili::citizen::applications::Applications {
            db: &self.db,
            cipher: &self.cipher,
        }
        .create(&account, now())
        .await
        .unwrap()
        .unwrap();
        self.verify_directly(&id, reference).await;
        id
    }

    /// Puts an application in `state` as the counter would (e.g.
    /// `biometrics_captured` once enrolled; the counter's steps are tested
    /// in staff.rs).
    pub async fn put_in_state(&self, id: &str, state: &str) {
        sqlx::query("UPDATE applications SET state = $2 WHERE id = $1")
            .bind(id)
            .bind(state)
            .execute(&self.db)
            .await
            .unwrap();
    }

    /// An application enrolled at `centre`: its enrolment booking there
    /// ended with biometrics captured, as the counter leaves it (the steps
    /// themselves are tested in staff.rs).
    pub async fn enrolled_at(&self, id: &str, centre: &str) {
        let booking = self
            .booked_directly(id, centre, "enrolment", today(), 9 * 60)
            .await;
        sqlx::query("UPDATE bookings SET status = 'biometrics_captured', live = 0 WHERE id = $1")
            .bind(&booking)
            .execute(&self.db)
            .await
            .unwrap();
        self.put_in_state(id, "biometrics_captured").await;
    }

    /// An application whose card is ready for collection at `centre`,
    /// since `since` (seconds since the epoch).
    pub async fn card_ready_at(&self, id: &str, centre: &str, since: i64) {
        sqlx::query(
            "UPDATE applications SET state = 'card_ready', card_centre_id = $2, updated_at = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(centre)
        .bind(since)
        .execute(&self.db)
        .await
        .unwrap();
    }

    /// Puts an application in `state`, last changed at `at`, with its
    /// birth certificate free for another application: what retention
    /// (a job, on the time it is given) reads.
    pub async fn closed_since(&self, id: &str, state: &str, at: i64) {
        sqlx::query(
            "UPDATE applications SET state = $1, updated_at = $2, active_birth_cert_index = NULL WHERE id = $3",
        )
        .bind(state)
        .bind(at)
        .bind(id)
        .execute(&self.db)
        .await
        .unwrap();
    }

    /// Removes every application and consent, so the next case can apply
    /// with the same birth certificate.
    pub async fn forget_every_application(&self) {
        for table in ["consents", "applications"] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&self.db)
                .await
                .unwrap();
        }
    }

    /// A live booking made directly, and the application's state to match
    /// (`booked`, or `card_ready` for a collection): today's slots are too
    /// soon to book online, and booking's own rules are tested in
    /// booking.rs. Returns the booking's id.
    pub async fn booked_directly(
        &self,
        application: &str,
        centre: &str,
        kind: &str,
        day: CivilDate,
        minute: u16,
    ) -> String {
        let id = format!("booking-{application}-{kind}");
        sqlx::query(
            "INSERT INTO bookings (id, application_id, kind, centre_id, day, slot, seat, starts_at, live, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $9, $7, 1, 'booked', $8)",
        )
        .bind(&id)
        .bind(application)
        .bind(kind)
        .bind(centre)
        .bind(day.to_string())
        .bind(i64::from(minute))
        .bind(day.nairobi_unix_at(minute))
        .bind(now())
        .bind(SEAT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
        .execute(&self.db)
        .await
        .unwrap();
        let state = if kind == "enrolment" {
            "booked"
        } else {
            "card_ready"
        };
        self.put_in_state(application, state).await;
        id
    }

    /// Gives a booking `status`; `live` stays as it is (e.g. `checked_in`).
    pub async fn set_booking_status(&self, booking: &str, status: &str) {
        sqlx::query("UPDATE bookings SET status = $2 WHERE id = $1")
            .bind(booking)
            .bind(status)
            .execute(&self.db)
            .await
            .unwrap();
    }

    /// Ends a booking with `status` (`cancelled`, `done`): its seat is free.
    pub async fn end_booking(&self, booking: &str, status: &str) {
        sqlx::query("UPDATE bookings SET live = 0, status = $2 WHERE id = $1")
            .bind(booking)
            .bind(status)
            .execute(&self.db)
            .await
            .unwrap();
    }

    /// Ends every booking with `status`.
    pub async fn end_every_booking(&self, status: &str) {
        sqlx::query("UPDATE bookings SET live = 0, status = $1")
            .bind(status)
            .execute(&self.db)
            .await
            .unwrap();
    }

    /// Says a booking was made at `at` (the reminder job reads the age).
    pub async fn booking_made_at(&self, booking: &str, at: i64) {
        sqlx::query("UPDATE bookings SET created_at = $2 WHERE id = $1")
            .bind(booking)
            .bind(at)
            .execute(&self.db)
            .await
            .unwrap();
    }

    /// Gives a centre `counters` counters (a supervisor's page does this;
    /// tested in staff_capacity.rs).
    pub async fn set_counters(&self, centre: &str, counters: i64) {
        sqlx::query("UPDATE centres SET counters = $2 WHERE id = $1")
            .bind(centre)
            .bind(counters)
            .execute(&self.db)
            .await
            .unwrap();
    }

    /// Makes a centre's appointments `minutes` long.
    pub async fn set_slot_minutes(&self, centre: &str, minutes: i64) {
        sqlx::query("UPDATE centres SET slot_minutes = $2 WHERE id = $1")
            .bind(centre)
            .bind(minutes)
            .execute(&self.db)
            .await
            .unwrap();
    }

    /// Lets every centre be booked `days` ahead.
    pub async fn set_horizon_everywhere(&self, days: i64) {
        sqlx::query("UPDATE centres SET horizon_days = $1")
            .bind(days)
            .execute(&self.db)
            .await
            .unwrap();
    }

    /// A child's application waiting for a supervisor's guardianship
    /// review, on the account signed in with `phone` (the guardian's pages
    /// are tested in children.rs).
    pub async fn pending_guardianship(&self, phone: &str) -> String {
        let certificate = format!("4{}", &phone[phone.len() - 6..]);
        self.pending_guardianship_for(phone, &certificate, "047")
            .await
    }

    /// The same, on the account signed in with `contact`, for a child with
    /// birth certificate `certificate` born in `county`. The review's id is
    /// the claim's (as the migration gives documents sent before reviews
    /// had ids of their own).
    pub async fn pending_guardianship_for(
        &self,
        contact: &str,
        certificate: &str,
        county: &str,
    ) -> String {
        self.signed_in_citizen(contact).await;
        let account: String =
            sqlx::query_scalar("SELECT id FROM accounts ORDER BY created_at DESC LIMIT 1")
                .fetch_one(&self.db)
                .await
                .unwrap();
        let id = usajili::crypto::random_id();
        // The claim is for a birth certificate of its own (approving it
        // reserves that certificate), of a child born in `county`.
        let county = app::identifiers::CountyCode::parse(county).unwrap();
        let answers = serde_json::to_vec(&app::application::Answers {
            birth_certificate: Some(
                app::identifiers::BirthCertificateNumber::parse(certificate).unwrap(),
            ),
            about_you: Some(app::application::AboutYou {
                surname: app::identifiers::PersonName::parse("Otieno").unwrap(),
                given_names: app::identifiers::PersonName::parse("Baraka").unwrap(),
                sex: app::application::Sex::Male,
                date_of_birth: "2016-04-04".parse().unwrap(),
                county_of_birth: county,
                county_of_residence: county,
                location: app::application::Location::parse(county.name()).unwrap(),
            }),
            ..Default::default()
        })
        .unwrap();
        sqlx::query(
            "INSERT INTO applications (id, account_id, kind, state, answers, reference, created_at, updated_at) \
             VALUES ($1, $2, 'minor_card', 'guardianship_review', $3, $5, $4, $4)",
        )
        .bind(&id)
        .bind(&account)
        .bind(self.cipher.encrypt(&usajili::crypto::columns::APPLICATION_ANSWERS, &id, &answers))
        .bind(now())
        .bind(format!("HN-{}", &id[..8]))
        .execute(&self.db)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO child_links (application_id, account_id, role, status, consented, document, document_type, document_reference, created_at, updated_at, review_id, review_started_at) \
             VALUES ($1, $2, 'guardian', 'pending_review', 1, $3, 'image/png', $4, $5, $5, $1, $5)",
        )
        .bind(&id)
        .bind(&account)
        .bind(self.cipher.encrypt(&usajili::crypto::columns::CHILD_LINK_DOCUMENT, &usajili::crypto::columns::child_link_row(&id, &account), &png(40, 40)))
        .bind(self.cipher.encrypt_str(&usajili::crypto::columns::CHILD_LINK_DOCUMENT_REFERENCE, &usajili::crypto::columns::child_link_row(&id, &account), "CHILDREN COURT 12/2026"))
        .bind(now())
        .execute(&self.db)
        .await
        .unwrap();
        id
    }

    /// `n` verified applications, each on an account of its own with a
    /// signed-in session cookie, made directly (signing 200 people in over
    /// HTTP tests nothing new): (cookie, application id).
    pub async fn verified_accounts_with_sessions(&self, n: usize) -> Vec<(String, String)> {
        use tower_sessions::SessionStore as _;
        let store = usajili::http::session_store::DbSessionStore::new(self.db.clone());
        let applications = usajili::citizen::applications::Applications {
            db: &self.db,
            cipher: &self.cipher,
        };
        let mut made = Vec::with_capacity(n);
        for i in 0..n {
            let account = format!("race-account-{i}");
            sqlx::query(
                "INSERT INTO accounts (id, contact_index, contact, contact_kind, created_at) VALUES ($1, $1, $2, 'phone', $3)",
            )
            .bind(&account)
            .bind(self.cipher.encrypt_str(&usajili::crypto::columns::ACCOUNT_CONTACT, &account, &format!("phone:+254700{i:06}")))
            // Now, not 0: the retention job deletes old accounts without applications.
            .bind(now())
            .execute(&self.db)
            .await
            .unwrap();
            let id = applications.create(&account, now()).await.unwrap().unwrap();
            self.verify_directly(&id, &format!("HN-RACE-{i:04}")).await;
            let mut record = tower_sessions::session::Record {
                id: tower_sessions::session::Id::default(),
                data: [
                    ("account".to_string(), serde_json::json!(account)),
                    ("started_at".to_string(), serde_json::json!(now())),
                ]
                .into_iter()
                .collect(),
                expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
            };
            store.create(&mut record).await.unwrap();
            made.push((format!("usajili_session={}", record.id), id));
        }
        made
    }
}

impl TestApp {
    /// Gives each of `people`'s applications (from
    /// [`TestApp::verified_accounts_with_sessions`]) a mobile number in its
    /// answers, so that what happens to it is told by SMS.
    pub async fn with_phones(&self, people: &[(String, String)]) {
        let applications = usajili::citizen::applications::Applications {
            db: &self.db,
            cipher: &self.cipher,
        };
        for (i, (_, id)) in people.iter().enumerate() {
            let account = self.account_of(id).await;
            let mut stored = applications.load(&account, id).await.unwrap().unwrap();
            stored.answers.contact = Some(app::application::Contact {
                phone: app::identifiers::PhoneNumber::parse(&format!("+2547{:08}", 10_000_000 + i))
                    .unwrap(),
                email: None,
                language: app::application::MessageLanguage::En,
            });
            let sealed = self.cipher.encrypt(
                &usajili::crypto::columns::APPLICATION_ANSWERS,
                id,
                &serde_json::to_vec(&stored.answers).unwrap(),
            );
            sqlx::query("UPDATE applications SET answers = $2 WHERE id = $1")
                .bind(id)
                .bind(sealed)
                .execute(&self.db)
                .await
                .unwrap();
        }
    }
}

// ---- the outbox, as a stalled provider leaves it ---------------------------------------

impl TestApp {
    /// A message to `phone` queued `age` seconds ago and not due again for
    /// an hour, as a provider that stopped answering leaves one between
    /// retries: the worker claims only due messages, so it stays pending.
    /// Queued and backdated in one transaction, so no worker sees it due.
    pub async fn message_waiting_since(&self, phone: &str, age: i64) {
        let mut tx = usajili::db::begin(&self.db).await.unwrap();
        let to = usajili::messages::Recipient::Phone(phone.to_string());
        let message = usajili::messages::Message::SignInCode {
            code: "000000".into(),
        };
        let id = usajili::messages::outbox::enqueue(
            &mut tx,
            &self.cipher,
            &to,
            app::i18n::Locale::en,
            &message,
            now(),
        )
        .await
        .unwrap();
        // Written directly: only time and a failing provider make a message this old.
        sqlx::query("UPDATE outbox SET created_at = $1, next_attempt_at = $2 WHERE id = $3")
            .bind(now() - age)
            .bind(now() + 3600)
            .bind(&id)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
}

// ---- readings of the outcome ---------------------------------------------------------

impl TestApp {
    /// Waits until no message is pending or being sent (failing the test
    /// after `within`): the running servers' workers have sent everything.
    pub async fn wait_until_outbox_drained(&self, within: std::time::Duration) {
        let deadline = std::time::Instant::now() + within;
        while self
            .rows_in("outbox WHERE state IN ('pending', 'sending')")
            .await
            > 0
        {
            assert!(
                std::time::Instant::now() < deadline,
                "the outbox did not drain"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// How many rows `table` holds (`table` may end in a `WHERE`
    /// condition: `"bookings WHERE live = 1"`).
    pub async fn rows_in(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// An application's state, as stored (`verified`, `card_ready`, …).
    pub async fn application_state(&self, id: &str) -> String {
        sqlx::query_scalar("SELECT state FROM applications WHERE id = $1")
            .bind(id)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// An application's reference.
    pub async fn reference_of(&self, id: &str) -> String {
        sqlx::query_scalar("SELECT reference FROM applications WHERE id = $1")
            .bind(id)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// The account an application belongs to.
    pub async fn account_of(&self, id: &str) -> String {
        sqlx::query_scalar("SELECT account_id FROM applications WHERE id = $1")
            .bind(id)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// An application's live bookings: (centre, day, slot).
    pub async fn live_bookings(&self, application: &str) -> Vec<(String, String, i64)> {
        sqlx::query_as(
            "SELECT centre_id, day, slot FROM bookings WHERE application_id = $1 AND live = 1",
        )
        .bind(application)
        .fetch_all(&self.db)
        .await
        .unwrap()
    }

    /// An application's live booking: (id, kind).
    pub async fn live_booking(&self, application: &str) -> (String, String) {
        sqlx::query_as("SELECT id, kind FROM bookings WHERE application_id = $1 AND live = 1")
            .bind(application)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// How many live bookings there are, everywhere.
    pub async fn live_booking_count(&self) -> i64 {
        self.rows_in("bookings WHERE live = 1").await
    }

    /// A booking's status and whether it is live (1) or not (0).
    pub async fn booking_status(&self, booking: &str) -> (String, i64) {
        sqlx::query_as("SELECT status, live FROM bookings WHERE id = $1")
            .bind(booking)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// How many places of a slot are taken.
    pub async fn seats_taken(&self, centre: &str, day: CivilDate, slot: i64) -> i64 {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM bookings WHERE centre_id = $1 AND day = $2 AND slot = $3 AND live = 1",
        )
        .bind(centre)
        .bind(day.to_string())
        .bind(slot)
        .fetch_one(&self.db)
        .await
        .unwrap()
    }

    /// A centre's counters.
    pub async fn counters_at(&self, centre: &str) -> i64 {
        sqlx::query_scalar("SELECT counters FROM centres WHERE id = $1")
            .bind(centre)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// How many messages of `kind` the outbox holds.
    pub async fn queued_messages(&self, kind: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = $1")
            .bind(kind)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// How many audit entries record `action`.
    pub async fn audited(&self, action: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
            .bind(action)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// A guardianship link's (status, review reason).
    pub async fn child_link(&self, application: &str) -> (String, Option<String>) {
        sqlx::query_as("SELECT status, review_reason FROM child_links WHERE application_id = $1")
            .bind(application)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// The id of the review a guardian's claim is in (a new one for each
    /// document sent).
    pub async fn review_of(&self, application: &str) -> String {
        sqlx::query_scalar(
            "SELECT review_id FROM child_links WHERE application_id = $1 AND role = 'guardian'",
        )
        .bind(application)
        .fetch_one(&self.db)
        .await
        .unwrap()
    }
}
