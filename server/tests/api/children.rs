//! Parents and guardians register children: identity, relationship proven
//! against the registry, the guardian route, age rules, consent and its
//! withdrawal, and who may see a child.

use crate::booking::{centre_path, open_weekday};
use crate::browser::*;
use crate::helpers::{TestApp, spawn_app};
use app::dates::CivilDate;
use reqwest::StatusCode;
use usajili::citizen::children::{Added, AgeRules, Children};
use usajili::registry::import::{Table, import};
use usajili::registry::replica::LocalReplica;

pub(crate) const MOTHER: &str = "20000001";
pub(crate) const FATHER: &str = "20000002";
pub(crate) const OTHER_ADULT: &str = "20000003";
/// The one answer to any detail that does not match the registry.
pub const MISMATCH: &str =
    "These details do not match the registry. Check them against the birth certificate or ID card.";

fn today() -> CivilDate {
    CivilDate::in_nairobi_at(usajili::clock::unix_now())
}

/// A date `years` years and `days` days before today (the 28th if the day
/// does not exist in that year).
fn born(years: i32, days: i64) -> CivilDate {
    let t = today();
    let y = t.year() - years;
    let d = CivilDate::new(y, t.month(), t.day())
        .unwrap_or_else(|| CivilDate::new(y, t.month(), 28).unwrap());
    d.add_days(-days)
}

/// The parents, another adult, and their children, with ages counted from today.
pub(crate) async fn with_families(app: &TestApp) {
    with_registry(app).await;
    let persons = format!(
        "id_no,surname,given_names,sex,date_of_birth,birth_cert_no,status\n\
         {FATHER},Otieno,Peter Odhiambo,M,1985-01-01,,alive\n\
         {OTHER_ADULT},Kamau,James Mwangi,M,1970-05-05,,alive\n"
    );
    let parents = format!(",Grace Achieng Otieno,{MOTHER},Peter Odhiambo Otieno,{FATHER}");
    let births = [
        format!(
            "3000001,Otieno,Mary Akinyi,F,{},042{parents},alive",
            born(7, 10)
        ),
        format!(
            "3000002,Otieno,Brian Ouma,M,{},042{parents},alive",
            born(16, 40)
        ),
        format!(
            "3000003,Otieno,Tom Baraka,M,{},042{parents},alive",
            born(5, 0)
        ),
        format!(
            "3000008,Otieno,Lucy Adhiambo,F,{},042{parents},deceased",
            born(9, 0)
        ),
        format!(
            "3000009,Wekesa,Sharon Nafula,F,{},039,Mary Wekesa,,,,alive",
            born(10, 0)
        ),
        format!(
            "3000010,Chebet,Ivy Jepkoech,F,{},027,Ann Chebet,29999999,,,alive",
            born(12, 0)
        ),
        format!(
            "3000011,Otieno,Kevin Omondi,M,{},042{parents},alive",
            born(13, 0)
        ),
    ];
    let births = format!(
        "{}\n{}\n",
        usajili::registry::import::BIRTHS_HEADER.join(","),
        births.join("\n")
    );
    import(&app.db, Table::Persons, std::io::Cursor::new(persons))
        .await
        .unwrap();
    let report = import(&app.db, Table::Births, std::io::Cursor::new(births))
        .await
        .unwrap();
    assert_eq!(report.rejected, 0, "{:?}", report.rejections);
}

pub(crate) async fn prove(
    browser: &Browser<'_>,
    id: &str,
    surname: &str,
    given: &str,
    dob: (&str, &str, &str),
) -> (StatusCode, String) {
    browser
        .post_text(
            "/identity",
            &[
                ("id-number", id),
                ("surname", surname),
                ("given-names", given),
                ("dob-day", dob.0),
                ("dob-month", dob.1),
                ("dob-year", dob.2),
            ],
        )
        .await
}

pub(crate) async fn signed_in_mother<'a>(app: &'a TestApp, phone: &str) -> Browser<'a> {
    let browser = app.signed_in_citizen(phone).await;
    let (status, body) = prove(
        &browser,
        MOTHER,
        "Otieno",
        "Grace Achieng",
        ("12", "4", "1988"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", summary_of(&body));
    browser
}

async fn signed_in_father<'a>(app: &'a TestApp, phone: &str) -> Browser<'a> {
    let browser = app.signed_in_citizen(phone).await;
    let (status, body) = prove(
        &browser,
        FATHER,
        "Otieno",
        "Peter Odhiambo",
        ("1", "1", "1985"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", summary_of(&body));
    browser
}

pub(crate) async fn add(
    browser: &Browser<'_>,
    birth_cert: &str,
    surname: &str,
    given: &str,
    relationship: &str,
) -> reqwest::Response {
    browser
        .post(
            "/children/new",
            &[
                ("birth-certificate", birth_cert),
                ("surname", surname),
                ("given-names", given),
                ("relationship", relationship),
            ],
        )
        .await
}

/// Adds and consents; returns the child's application id.
pub(crate) async fn add_and_consent(
    browser: &Browser<'_>,
    birth_cert: &str,
    surname: &str,
    given: &str,
) -> String {
    let response = add(browser, birth_cert, surname, given, "parent").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = location(&response);
    assert!(location.ends_with("/consent"), "{location}");
    let id = location
        .trim_start_matches("/children/")
        .trim_end_matches("/consent")
        .to_string();
    let response = browser
        .post(&format!("/children/{id}/consent"), &[("consent", "yes")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    id
}

pub(crate) fn children_of(app: &TestApp) -> (LocalReplica, AgeRules) {
    (LocalReplica::new(app.db.clone()), AgeRules::default())
}

#[tokio::test]
async fn a_parent_confirms_who_they_are_adds_a_child_consents_and_books() {
    let app = spawn_app().await;
    with_families(&app).await;
    let browser = app.signed_in_citizen("0712500001").await;

    // No proven identity yet: adding a child starts with "confirm who you are".
    let response = browser.get("/children/new").await;
    assert_eq!(location(&response), "/identity");
    let (status, page) = browser.page("/identity").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Confirm who you are"));
    let (status, page) = prove(
        &browser,
        MOTHER,
        "Otieno",
        "Grace Auma",
        ("12", "4", "1988"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        summary_of(&page).contains("do not match the registry"),
        "{}",
        summary_of(&page)
    );
    let (status, _) = prove(
        &browser,
        MOTHER,
        "Otieno",
        "Grace Achieng",
        ("12", "4", "1988"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = browser.page("/children/new?confirmed=1").await;
    assert!(page.contains("Your ID has been confirmed."));

    // The child: names checked against the birth record, then consent.
    let (status, page) = {
        let response = add(&browser, "3000001", "Otieno", "Mary Atieno", "parent").await;
        (response.status(), response.text().await.unwrap())
    };
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        summary_of(&page).contains(MISMATCH),
        "{}",
        summary_of(&page)
    );
    let response = add(&browser, "3000001", "Otieno", "Mary Akinyi", "parent").await;
    let id = location(&response)
        .trim_start_matches("/children/")
        .trim_end_matches("/consent")
        .to_string();
    let (_, page) = browser.page(&format!("/children/{id}/consent")).await;
    for section in [
        "What we collect about the child",
        "Who sees it",
        "How long we keep it",
        "Withdrawing consent",
    ] {
        assert!(page.contains(section), "{section}");
    }
    let (status, page) = browser
        .post_text(&format!("/children/{id}/consent"), &[])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(summary_of(&page).contains("Confirm that you give your consent"));
    let response = browser
        .post(&format!("/children/{id}/consent"), &[("consent", "yes")])
        .await;
    assert_eq!(location(&response), format!("/children/{id}"));

    let (_, page) = browser.page(&format!("/children/{id}")).await;
    assert!(page.contains("Mary Akinyi Otieno"));
    assert!(page.contains("Mother"));
    assert!(page.contains("data-testid=\"reference\""));
    assert_eq!(state_of_child(&page), "Verified");
    // The ledger: who, which child, which notice, when, how.
    let ledger: Vec<(String, String, String, String, String)> =
        sqlx::query_as("SELECT action, role, notice_version, method, application_id FROM consents")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(ledger.len(), 1);
    assert_eq!(
        (ledger[0].0.as_str(), ledger[0].1.as_str()),
        ("given", "mother")
    );
    assert_eq!(
        ledger[0].2,
        usajili::citizen::children::CHILD_NOTICE_VERSION
    );
    assert_eq!(ledger[0].4, id);
    // The list shows the child; the same child again goes to its page.
    let (_, list) = browser.page("/applications").await;
    assert!(list.contains("Mary Akinyi Otieno") && list.contains(&format!("/children/{id}")));
    let response = add(&browser, "3000001", "Otieno", "Mary Akinyi", "parent").await;
    assert_eq!(location(&response), format!("/children/{id}"));
    // The adult's task list is not a child's.
    assert_eq!(
        location(&browser.get(&format!("/applications/{id}")).await),
        format!("/children/{id}")
    );
    assert_eq!(
        browser
            .get(&format!("/applications/{id}/about-you"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Booking: the child's appointment, from the child's page.
    let day = open_weekday(1).to_string();
    let response = browser
        .post(
            &centre_path(&id, "gpo"),
            &[("day", &day), ("slot", "09:00"), ("replaces", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = browser.page(&format!("/children/{id}")).await;
    assert!(page.contains("data-testid=\"appointment\""));
    // The child has no phone of its own: the mother who booked is told.
    app.wait_for_message("booking_confirmed").await;
    let confirmation = app
        .messages()
        .lines()
        .filter(|l| l.contains("booking_confirmed"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(confirmation.contains("+254712500001"), "{confirmation}");
    // The download holds the child, and the consent.
    let data: serde_json::Value =
        serde_json::from_str(&browser.page("/account/data.json").await.1).unwrap();
    let child = data["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(child["answers"]["about_you"]["given_names"], "Mary Akinyi");
    assert_eq!(child["consents"][0]["role"], "mother");
    assert_eq!(child["bookings"][0]["centre"], "gpo");
    assert_eq!(data["account"]["proven_identity"]["id_number"], MOTHER);
}

pub(crate) fn state_of_child(page: &str) -> String {
    testid_text(page, "state")
}

#[tokio::test]
async fn an_adults_identity_must_match_a_living_person_and_belongs_to_one_account() {
    let app = spawn_app().await;
    with_families(&app).await;
    let browser = app.signed_in_citizen("0712500010").await;
    let cases = [
        (
            "29999998",
            "Otieno",
            "Grace Achieng",
            ("12", "4", "1988"),
            MISMATCH,
        ),
        (
            MOTHER,
            "Otieno",
            "Grace Achieng",
            ("13", "4", "1988"),
            MISMATCH,
        ),
        ("20000300", "Wafula", "Joseph", ("1", "1", "1950"), MISMATCH),
        (
            "12ab",
            "Otieno",
            "Grace Achieng",
            ("12", "4", "1988"),
            "ID number",
        ),
    ];
    for (id, surname, given, dob, message) in cases {
        let (status, page) = prove(&browser, id, surname, given, dob).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{id}");
        assert!(
            summary_of(&page).contains(message),
            "{id}: {}",
            summary_of(&page)
        );
    }
    // The father proves his ID; the mother's account cannot then use it.
    let _father = signed_in_father(&app, "0712500011").await;
    let mother = signed_in_mother(&app, "0712500012").await;
    let (status, page) = prove(
        &mother,
        FATHER,
        "Otieno",
        "Peter Odhiambo",
        ("1", "1", "1985"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // (It holds one already: told so, and the registry is not asked.)
    assert!(summary_of(&page).contains("This account already holds an ID number"));
    // Nor can a stranger's account.
    let (status, _) = prove(
        &browser,
        FATHER,
        "Otieno",
        "Peter Odhiambo",
        ("1", "1", "1985"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Stored: encrypted, found by its blind index only.
    let raw: Vec<(Vec<u8>, Vec<u8>, String)> =
        sqlx::query_as("SELECT id_number, names, id_number_index FROM account_identities")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(raw.len(), 2);
    for (id_number, names, index) in raw {
        let plain = |b: &[u8], s: &str| b.windows(s.len()).any(|w| w == s.as_bytes());
        assert!(
            !plain(&id_number, MOTHER) && !plain(&id_number, FATHER) && !plain(&names, "Otieno")
        );
        assert!(!index.contains(MOTHER) && !index.contains(FATHER));
    }
}

#[tokio::test]
async fn every_age_boundary_is_counted_in_nairobi_time() {
    let app = spawn_app().await;
    with_families(&app).await;
    // A child born on 29 February 2020, and one born on 26 November 2008.
    let extra = format!(
        "{}\n4000229,Otieno,Leap Akoth,F,2020-02-29,042,Grace Achieng Otieno,{MOTHER},,,alive\n\
         4001126,Otieno,Eighteen Okoth,M,2008-11-26,042,Grace Achieng Otieno,{MOTHER},,,alive\n\
         4002006,Otieno,Six Apiyo,F,2020-11-26,042,Grace Achieng Otieno,{MOTHER},,,alive\n",
        usajili::registry::import::BIRTHS_HEADER.join(",")
    );
    import(&app.db, Table::Births, std::io::Cursor::new(extra))
        .await
        .unwrap();
    let mother = signed_in_mother(&app, "0712500020").await;
    let account: String = sqlx::query_scalar("SELECT account_id FROM account_identities")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let (registry, ages) = children_of(&app);
    let children = Children {
        db: &app.db,
        cipher: &app.cipher,
        registry: &registry,
        ages,
    };
    let id = app::identifiers::NationalIdNumber::parse(MOTHER).unwrap();
    let name = |s: &str| app::identifiers::PersonName::parse(s).unwrap();
    let cert = |s: &str| app::identifiers::BirthCertificateNumber::parse(s).unwrap();
    let date = |y, m, d| CivilDate::new(y, m, d).unwrap();
    let try_on = |bc: &'static str, given: &'static str, on: CivilDate| {
        let (children, account, id) = (&children, account.clone(), id.clone());
        async move {
            children
                .add(
                    &account,
                    &id,
                    &cert(bc),
                    &name("Otieno"),
                    &name(given),
                    false,
                    on,
                    0,
                )
                .await
                .unwrap()
        }
    };
    use app::identifiers::FieldError::{ChildAdult, ChildTooYoung};
    let refused = |added: &Added| match added {
        Added::Refused(_, error) => Some(*error),
        _ => None,
    };
    // 29 February: still 5 on 28 February 2026, 6 on 1 March 2026.
    assert_eq!(
        refused(&try_on("4000229", "Leap Akoth", date(2026, 2, 28)).await),
        Some(ChildTooYoung)
    );
    // 6th birthday: the day before, too young.
    assert_eq!(
        refused(&try_on("4002006", "Six Apiyo", date(2026, 11, 25)).await),
        Some(ChildTooYoung)
    );
    // 18th birthday today: an adult; the day before, still a child.
    assert_eq!(
        refused(&try_on("4001126", "Eighteen Okoth", date(2026, 11, 26)).await),
        Some(ChildAdult)
    );
    let Added::Created { id: eighteen, .. } =
        try_on("4001126", "Eighteen Okoth", date(2026, 11, 25)).await
    else {
        panic!("a day before 18: still a child")
    };
    assert!(matches!(
        try_on("4000229", "Leap Akoth", date(2026, 3, 1)).await,
        Added::Created { .. }
    ));
    // 6th birthday today: a minor's card.
    assert!(matches!(
        try_on("4002006", "Six Apiyo", date(2026, 11, 26)).await,
        Added::Created { .. }
    ));

    // Turning 18 while the application is open moves the child to the adult route.
    assert!(
        !children
            .close_if_adult(&eighteen, date(2008, 11, 26), date(2026, 11, 25), 0)
            .await
            .unwrap()
    );
    assert!(
        children
            .close_if_adult(&eighteen, date(2008, 11, 26), date(2026, 11, 26), 0)
            .await
            .unwrap()
    );
    let (state, attention): (String, Option<String>) =
        sqlx::query_as("SELECT state, attention FROM applications WHERE id = $1")
            .bind(&eighteen)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        (state.as_str(), attention.as_deref()),
        ("cancelled", Some("turned_adult"))
    );
    // The daily pass finds the same on its own: Leap (born 29 February
    // 2020) is still 17 on 28 February 2038 and 18 on 1 March; Six (born
    // November 2020) is still 17 then.
    let closed = |on| usajili::citizen::children::close_adults(&app.db, &app.cipher, ages, on, 0);
    assert_eq!(closed(date(2038, 2, 28)).await.unwrap(), 0);
    assert_eq!(closed(date(2038, 3, 1)).await.unwrap(), 1);

    // Over HTTP with today's date: a 5-year-old is refused with the reason.
    let response = add(&mother, "3000003", "Otieno", "Tom Baraka", "parent").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(
        summary_of(&page).contains("No card is issued before the age of 6"),
        "{}",
        summary_of(&page)
    );
}

#[tokio::test]
async fn birth_records_that_do_not_fit_each_get_a_clear_message() {
    let app = spawn_app().await;
    with_families(&app).await;
    let mother = signed_in_mother(&app, "0712500030").await;
    let cases = [
        ("3000404", "Otieno", "Nobody", "parent", MISMATCH),
        ("3000008", "Otieno", "Lucy Adhiambo", "parent", MISMATCH),
        (
            "3000009",
            "Wekesa",
            "Sharon Nafula",
            "parent",
            "does not record the parents' ID numbers",
        ),
        (
            "3000010",
            "Chebet",
            "Ivy Jepkoech",
            "parent",
            "names other parents",
        ),
        (
            "3000001",
            "Otieno",
            "Mary Akinyi",
            "",
            "Choose whether you are the child's parent or guardian",
        ),
    ];
    for (cert, surname, given, relationship, message) in cases {
        let response = add(&mother, cert, surname, given, relationship).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{cert}"
        );
        let page = response.text().await.unwrap();
        assert!(
            summary_of(&page).contains(message),
            "{cert}: {}",
            summary_of(&page)
        );
    }
    assert_eq!(app.rows_in("applications").await, 0);
}

#[tokio::test]
async fn two_parents_consent_and_the_childs_page_shows_both() {
    let app = spawn_app().await;
    with_families(&app).await;
    let mother = signed_in_mother(&app, "0712500040").await;
    let id = add_and_consent(&mother, "3000002", "Otieno", "Brian Ouma").await;
    let father = signed_in_father(&app, "0712500041").await;

    // The father adds the same child: offered "add my consent", not a duplicate.
    let response = add(&father, "3000002", "Otieno", "Brian Ouma", "parent").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = response.text().await.unwrap();
    assert!(page.contains("already registered") && page.contains(&format!("/children/{id}/join")));
    let response = father.post(&format!("/children/{id}/join"), &[]).await;
    assert_eq!(location(&response), format!("/children/{id}/consent"));
    // Before he consents he has nothing to withdraw: the application goes on.
    let response = father.post(&format!("/children/{id}/withdraw"), &[]).await;
    assert_eq!(location(&response), format!("/children/{id}"));
    let state = app.application_state(&id).await;
    assert_eq!(state, "verified");
    let response = father
        .post(&format!("/children/{id}/consent"), &[("consent", "yes")])
        .await;
    assert_eq!(location(&response), format!("/children/{id}"));

    for (browser, role) in [(&mother, "Mother"), (&father, "Father")] {
        let (status, page) = browser.page(&format!("/children/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        let consents = page
            .split("data-testid=\"consents\"")
            .nth(1)
            .unwrap()
            .split("</ul>")
            .next()
            .unwrap()
            .to_string();
        assert_eq!(consents.matches("<li>").count(), 2, "{consents}");
        assert!(consents.contains("You (") && consents.contains("The other parent or guardian ("));
        assert_eq!(testid_text(&page, "child-role"), role);
    }
    let applications = app.rows_in("applications").await;
    assert_eq!(applications, 1, "no duplicate application");
    let roles: Vec<String> = sqlx::query_scalar("SELECT role FROM consents ORDER BY role")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert_eq!(roles, ["father", "mother"]);
}

#[tokio::test]
async fn a_childs_data_is_not_found_by_anyone_else() {
    let app = spawn_app().await;
    with_families(&app).await;
    let mother = signed_in_mother(&app, "0712500050").await;
    let id = add_and_consent(&mother, "3000011", "Otieno", "Kevin Omondi").await;
    let stranger = app.signed_in_citizen("0712500051").await;
    let (status, _) = prove(
        &stranger,
        OTHER_ADULT,
        "Kamau",
        "James Mwangi",
        ("5", "5", "1970"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    for path in [
        format!("/children/{id}"),
        format!("/children/{id}/consent"),
        format!("/children/{id}/withdraw"),
        format!("/children/{id}/guardianship"),
        format!("/children/{id}/join"),
        format!("/applications/{id}"),
        format!("/applications/{id}/booking/centres"),
    ] {
        let (status, page) = stranger.page(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.contains("Kevin"), "{path}");
    }
    for path in [
        format!("/children/{id}/withdraw"),
        format!("/children/{id}/join"),
        format!("/children/{id}/consent"),
    ] {
        assert_eq!(
            stranger.post(&path, &[("consent", "yes")]).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // A stranger who is not on the birth record cannot take the child over:
    // saying they are his guardian files a claim of their own, for review,
    // which tells them nothing of the mother's application (it once said
    // "already registered by someone else").
    let response = add(&stranger, "3000011", "Otieno", "Kevin Omondi", "guardian").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).ends_with("/guardianship"));
    assert!(!location(&response).contains(&id));
    let (_, list) = stranger.page("/applications").await;
    assert!(!list.contains(&id));
    let data = stranger.page("/account/data.json").await.1;
    assert!(!data.contains(&id) && !data.contains(MOTHER) && !data.contains("Grace"));
}

#[tokio::test]
async fn withdrawing_consent_frees_the_booking_stops_the_application_and_appends_to_the_ledger() {
    let app = spawn_app().await;
    with_families(&app).await;
    let mother = signed_in_mother(&app, "0712500060").await;
    let id = add_and_consent(&mother, "3000001", "Otieno", "Mary Akinyi").await;
    let day = open_weekday(2).to_string();
    let response = mother
        .post(
            &centre_path(&id, "kibra"),
            &[("day", &day), ("slot", "10:00"), ("replaces", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = mother.page(&format!("/children/{id}/withdraw")).await;
    assert!(page.contains("Withdraw your consent?"));

    let response = mother.post(&format!("/children/{id}/withdraw"), &[]).await;

    // The list says so, and that the appointment went with it.
    assert_eq!(
        location(&response),
        "/applications?withdrawn=1&appointment=cancelled"
    );
    let (_, list) = mother
        .page("/applications?withdrawn=1&appointment=cancelled")
        .await;
    assert!(list.contains("Your consent has been withdrawn."));
    assert!(list.contains("appointment is cancelled"));
    let live = app.live_booking_count().await;
    assert_eq!(live, 0, "the place is free");
    let state = app.application_state(&id).await;
    assert_eq!(state, "cancelled");
    let ledger: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM consents WHERE application_id = $1 ORDER BY given_at, action",
    )
    .bind(&id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(ledger, ["given", "withdrawn"], "appended, never edited");
    let edited: Option<i64> =
        sqlx::query_scalar("SELECT withdrawn_at FROM consents WHERE action = 'given'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(edited.is_none());
    // No longer shown, even to the parent; the retention job erases it after the closed period.
    assert_eq!(
        mother.get(&format!("/children/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let retention = usajili::retention::Retention {
        db: &app.db,
        cipher: &app.cipher,
        policy: Default::default(),
    };
    let report = retention
        .run(usajili::clock::unix_now() + 31 * 24 * 3600)
        .await
        .unwrap();
    assert_eq!(report.closed_erased, 1);
    // The child can be registered again.
    let response = add(&mother, "3000001", "Otieno", "Mary Akinyi", "parent").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

pub(crate) fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\nCourt order HCFA E123/2024 for Sharon Nafula Wekesa\n%%EOF\n".to_vec()
}

pub(crate) async fn upload(
    browser: &Browser<'_>,
    id: &str,
    reference: &str,
    bytes: Vec<u8>,
    name: &str,
) -> (StatusCode, String) {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str("application/pdf")
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("document-reference", reference.to_string())
        .part("document", part);
    let response = browser
        .client
        .post(browser.app.url(&format!("/children/{id}/guardianship")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (
        status,
        if status == StatusCode::SEE_OTHER {
            location
        } else {
            response.text().await.unwrap()
        },
    )
}

/// The other adult applies as Sharon's guardian (her birth record names no
/// parent IDs) up to the review queue; returns the application id.
pub(crate) async fn guardian_waiting_for_review<'a>(
    app: &'a TestApp,
    phone: &str,
) -> (Browser<'a>, String) {
    let guardian = app.signed_in_citizen(phone).await;
    let (status, _) = prove(
        &guardian,
        OTHER_ADULT,
        "Kamau",
        "James Mwangi",
        ("5", "5", "1970"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let response = add(&guardian, "3000009", "Wekesa", "Sharon Nafula", "guardian").await;
    let path = location(&response);
    assert!(path.ends_with("/guardianship"), "{path}");
    let id = path
        .trim_start_matches("/children/")
        .trim_end_matches("/guardianship")
        .to_string();
    let (status, next) = upload(&guardian, &id, "HCFA E123/2024", pdf(), "order.pdf").await;
    assert_eq!(
        (status, next.as_str()),
        (
            StatusCode::SEE_OTHER,
            format!("/children/{id}/consent").as_str()
        )
    );
    let response = guardian
        .post(&format!("/children/{id}/consent"), &[("consent", "yes")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    (guardian, id)
}

#[tokio::test]
async fn a_guardian_uploads_a_document_and_waits_for_review_to_approval() {
    let app = spawn_app().await;
    with_families(&app).await;
    let guardian = app.signed_in_citizen("0712500070").await;
    prove(
        &guardian,
        OTHER_ADULT,
        "Kamau",
        "James Mwangi",
        ("5", "5", "1970"),
    )
    .await;
    let response = add(&guardian, "3000009", "Wekesa", "Sharon Nafula", "guardian").await;
    let id = location(&response)
        .trim_start_matches("/children/")
        .trim_end_matches("/guardianship")
        .to_string();
    // Bad uploads, each with its message; nothing stored.
    let cases: [(&str, Vec<u8>, &str, StatusCode, &str); 4] = [
        (
            "HCFA E123/2024",
            b"GIF89a....".to_vec(),
            "x.gif",
            StatusCode::UNPROCESSABLE_ENTITY,
            "must be a PDF, JPEG or PNG",
        ),
        (
            "HCFA E123/2024",
            Vec::new(),
            "",
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose the court order or letter",
        ),
        (
            "",
            pdf(),
            "order.pdf",
            StatusCode::UNPROCESSABLE_ENTITY,
            "Enter the reference",
        ),
        (
            "HCFA E123/2024",
            [b"%PDF-".as_slice(), &vec![b'a'; 5 * 1024 * 1024]].concat(),
            "big.pdf",
            StatusCode::PAYLOAD_TOO_LARGE,
            "5 MB or smaller",
        ),
    ];
    for (reference, bytes, name, expected, message) in cases {
        let (status, page) = upload(&guardian, &id, reference, bytes, name).await;
        assert_eq!(status, expected, "{message}");
        assert!(
            summary_of(&page).contains(message),
            "{message}: {}",
            summary_of(&page)
        );
    }
    let stored: Option<Vec<u8>> = sqlx::query_scalar("SELECT document FROM child_links")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(stored.is_none());
    // Not yet consented: no booking, whatever the state.
    let day = open_weekday(1).to_string();
    let (status, _) = upload(&guardian, &id, "HCFA E123/2024", pdf(), "order.pdf").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    guardian
        .post(&format!("/children/{id}/consent"), &[("consent", "yes")])
        .await;
    let (_, page) = guardian.page(&format!("/children/{id}")).await;
    assert!(page.contains("checking your guardianship document"));
    assert_eq!(state_of_child(&page), "Guardianship review");
    let response = guardian
        .post(
            &centre_path(&id, "gpo"),
            &[("day", &day), ("slot", "09:00"), ("replaces", "")],
        )
        .await;
    let live = app.rows_in("bookings").await;
    assert_eq!(
        live,
        0,
        "nothing booked before approval ({})",
        response.status()
    );

    // The document is encrypted at rest; the review queue has it.
    let raw: Vec<u8> = sqlx::query_scalar("SELECT document FROM child_links")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(
        !raw.windows(12).any(|w| w == b"Court order "),
        "plain text in the table"
    );
    let (registry, ages) = children_of(&app);
    let children = Children {
        db: &app.db,
        cipher: &app.cipher,
        registry: &registry,
        ages,
    };
    let reviewer = anywhere();
    let queue = children.pending_reviews(&reviewer).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].application_id, id);
    let review = app.review_of(&id).await;
    assert_eq!(queue[0].review_id, review);
    let document = children.document(&review).await.unwrap().unwrap();
    assert_eq!(
        (
            document.content_type,
            document.bytes,
            document.reference.as_str()
        ),
        ("application/pdf", pdf(), "HCFA E123/2024")
    );

    let mut conn = app.db.acquire().await.unwrap();
    assert!(
        children
            .decide(
                &mut conn,
                &reviewer,
                &review,
                (true, "Court order checked"),
                usajili::clock::unix_now()
            )
            .await
            .unwrap()
    );

    assert!(
        children
            .pending_reviews(&reviewer)
            .await
            .unwrap()
            .is_empty()
    );
    let (_, page) = guardian.page(&format!("/children/{id}")).await;
    assert!(page.contains("has been approved"));
    assert_eq!(state_of_child(&page), "Verified");
    let response = guardian
        .post(
            &centre_path(&id, "gpo"),
            &[("day", &day), ("slot", "09:00"), ("replaces", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let live = app.live_booking_count().await;
    assert_eq!(live, 1);
}

#[tokio::test]
async fn a_rejected_guardianship_shows_the_reason_and_stops_the_application() {
    let app = spawn_app().await;
    with_families(&app).await;
    let (guardian, id) = guardian_waiting_for_review(&app, "0712500080").await;
    let (registry, ages) = children_of(&app);
    let children = Children {
        db: &app.db,
        cipher: &app.cipher,
        registry: &registry,
        ages,
    };

    let mut conn = app.db.acquire().await.unwrap();
    assert!(
        children
            .decide(
                &mut conn,
                &anywhere(),
                &app.review_of(&id).await,
                (false, "The court order names another guardian."),
                1
            )
            .await
            .unwrap()
    );
    assert!(
        !children
            .decide(
                &mut conn,
                &anywhere(),
                &app.review_of(&id).await,
                (true, ""),
                2
            )
            .await
            .unwrap(),
        "decided once"
    );

    let (status, page) = guardian.page(&format!("/children/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("was not accepted")
            && page.contains("The court order names another guardian.")
    );
    assert_eq!(state_of_child(&page), "Cancelled");
    let day = open_weekday(1).to_string();
    guardian
        .post(
            &centre_path(&id, "gpo"),
            &[("day", &day), ("slot", "09:00"), ("replaces", "")],
        )
        .await;
    let booked = app.rows_in("bookings").await;
    assert_eq!(booked, 0);
}

#[tokio::test]
async fn a_parent_books_two_children_into_the_same_centre_and_day_in_one_request() {
    let app = spawn_app().await;
    with_families(&app).await;
    let mother = signed_in_mother(&app, "0712500090").await;
    let mary = add_and_consent(&mother, "3000001", "Otieno", "Mary Akinyi").await;
    let brian = add_and_consent(&mother, "3000002", "Otieno", "Brian Ouma").await;
    let day = open_weekday(3).to_string();

    // The day page offers the other child as family.
    let (_, page) = mother
        .page(&format!("{}?day={day}", centre_path(&mary, "kibra")))
        .await;
    assert!(
        page.contains(&format!("value=\"{brian}\"")),
        "the sibling is offered"
    );
    let response = mother
        .post(
            &centre_path(&mary, "kibra"),
            &[
                ("day", &day),
                ("slot", "09:00"),
                ("replaces", ""),
                ("also", &brian),
            ],
        )
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let rows: Vec<(String, i64, Option<String>)> =
        sqlx::query_as("SELECT day, slot, family_id FROM bookings WHERE live = 1 ORDER BY slot")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].0.as_str(), rows[0].1), (day.as_str(), 540));
    assert_eq!(
        (rows[1].0.as_str(), rows[1].1),
        (day.as_str(), 555),
        "the next time, same centre and day"
    );
    assert!(rows[0].2.is_some() && rows[0].2 == rows[1].2, "one family");
    // A third adult cannot slip a child they do not see into their own booking.
    let stranger = app.signed_in_citizen("0712500091").await;
    let (status, _) = stranger
        .post_text(
            &centre_path(&mary, "kibra"),
            &[
                ("day", &day),
                ("slot", "10:00"),
                ("replaces", ""),
                ("also", &brian),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A reviewer of every county (an administrator), deciding directly.
fn anywhere() -> usajili::citizen::children::Reviewer {
    usajili::citizen::children::Reviewer {
        id: "supervisor-1".into(),
        county: None,
        contact_index: None,
    }
}
