//! A citizen's browser for the integration tests: its own cookies, signing
//! in with codes read from the `log` message transport's file, and filling
//! in an application.

use crate::helpers::{TestApp, client_builder};
use reqwest::StatusCode;
use std::time::Duration;
use usajili::registry::import::{Table, import};

pub const BIRTHS: &str = "\
birth_cert_no,surname,given_names,sex,date_of_birth,county_code,mother_name,mother_id_no,father_name,father_id_no
1000001,Otieno,Grace Achieng,F,1988-04-12,042,,,,
1000101,Otieno,Baraka Odhiambo,M,2015-06-15,042,Grace Achieng Otieno,20000001,,
1000200,Wafula,Joseph,M,1950-01-01,039,,,,
1000500,Mwangi,Wanjiru Njeri,F,2000-02-29,022,,,,
";
pub const PERSONS: &str = "\
id_no,surname,given_names,sex,date_of_birth,birth_cert_no,status
20000001,Otieno,Grace Achieng,F,1988-04-12,1000001,alive
20000300,Wafula,Joseph,M,1950-01-01,1000200,deceased
";

pub async fn with_registry(app: &TestApp) {
    import(&app.db, Table::Births, std::io::Cursor::new(BIRTHS))
        .await
        .unwrap();
    import(&app.db, Table::Persons, std::io::Cursor::new(PERSONS))
        .await
        .unwrap();
}

/// A citizen's browser: its own cookies, and the app's `Origin` on its
/// requests ([`client_builder`]).
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub client: reqwest::Client,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = client_builder(&app.address)
            .cookie_provider(jar.clone())
            .build()
            .unwrap();
        Browser { app, client, jar }
    }

    /// A post with this browser's cookies but only `headers` for where it
    /// comes from (no `Origin` unless given): a request from another site,
    /// or from a client that says nothing.
    pub async fn post_from(
        &self,
        path: &str,
        pairs: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let bare = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(self.jar.clone())
            .build()
            .unwrap();
        let mut request = bare.post(self.app.url(path)).form(pairs);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }

    /// The value of this browser's cookie `name` for the app.
    pub fn cookie(&self, name: &str) -> Option<String> {
        use reqwest::cookie::CookieStore as _;
        let url = self.app.address.parse().unwrap();
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .unwrap()
            .split("; ")
            .find_map(|pair| pair.strip_prefix(&format!("{name}=")).map(str::to_string))
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.app.url(path)).send().await.unwrap()
    }

    pub async fn post(&self, path: &str, pairs: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.app.url(path))
            .form(pairs)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_text(&self, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, String) {
        let response = self.post(path, pairs).await;
        (response.status(), response.text().await.unwrap())
    }

    /// Asks for a code and reads it from the message log.
    pub async fn request_code(&self, contact: &str) -> String {
        let before = codes_for(self.app, contact).len();
        let response = self.post("/sign-in", &[("contact", contact)]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{contact}");
        assert_eq!(location(&response), "/sign-in/code");
        wait_for_code(self.app, contact, before).await
    }

    /// Asks for the code that confirms deleting the account (sent to
    /// `contact`, the account's own) and reads it from the message log.
    pub async fn deletion_code(&self, contact: &str) -> String {
        let before = codes_for(self.app, contact).len();
        let response = self.post("/account/delete/code", &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{contact}");
        assert_eq!(location(&response), "/account/delete");
        wait_for_code(self.app, contact, before).await
    }

    /// Deletes the signed-in account (whose contact is `contact`), with
    /// the code sent to confirm it.
    pub async fn delete_account(&self, contact: &str) -> reqwest::Response {
        let code = self.deletion_code(contact).await;
        self.post("/account/delete", &[("code", &code)]).await
    }

    pub async fn sign_in(&self, contact: &str) {
        let code = self.request_code(contact).await;
        let response = self.post("/sign-in/code", &[("code", &code)]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/applications");
    }

    /// Starts an application; returns its id.
    pub async fn start(&self) -> String {
        let response = self.post("/applications", &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        location(&response)
            .trim_start_matches("/applications/")
            .to_string()
    }

    pub async fn save(&self, id: &str, task: &str, pairs: &[(&str, &str)]) {
        let (status, body) = self
            .post_text(&format!("/applications/{id}/{task}"), pairs)
            .await;
        assert_eq!(
            status,
            StatusCode::SEE_OTHER,
            "{task}: {}",
            summary_of(&body)
        );
    }

    pub async fn upload_photo(
        &self,
        id: &str,
        bytes: Vec<u8>,
        file_name: &str,
        mime: &str,
    ) -> reqwest::Response {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(file_name.to_string())
            .mime_str(mime)
            .unwrap();
        let form = reqwest::multipart::Form::new().part("photo", part);
        self.client
            .post(self.app.url(&format!("/applications/{id}/photo")))
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    /// Fills every task for the person with this birth certificate.
    pub async fn complete(&self, id: &str, person: &Person) {
        self.save(id, "about-you", &person.about_you()).await;
        self.save(
            id,
            "birth-certificate",
            &[("birth-certificate", person.birth_cert)],
        )
        .await;
        self.save(
            id,
            "documents",
            &[
                ("passport", ""),
                ("kra-pin", ""),
                ("nhif", ""),
                ("nssf", ""),
            ],
        )
        .await;
        self.save(
            id,
            "contact",
            &[("phone", "0712345678"), ("email", ""), ("language", "en")],
        )
        .await;
        self.save(
            id,
            "parents",
            &[
                ("mother-status", "not-known"),
                ("father-status", "deceased"),
            ],
        )
        .await;
        let response = self
            .upload_photo(id, png(400, 500), "me.png", "image/png")
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }

    pub async fn submit(&self, id: &str) -> (StatusCode, String) {
        self.post_text(
            &format!("/applications/{id}/declaration"),
            &[("declaration", "yes")],
        )
        .await
    }

    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        (response.status(), response.text().await.unwrap())
    }
}

pub struct Person {
    pub surname: &'static str,
    pub given: &'static str,
    pub sex: &'static str,
    pub dob: (&'static str, &'static str, &'static str),
    pub birth_cert: &'static str,
}

impl Person {
    pub fn about_you(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("surname", self.surname),
            ("given-names", self.given),
            ("sex", self.sex),
            ("dob-day", self.dob.0),
            ("dob-month", self.dob.1),
            ("dob-year", self.dob.2),
            ("county-of-birth", "022"),
            ("county-of-residence", "047"),
            ("location", "Kibra"),
        ]
    }
}

pub const WANJIRU: Person = Person {
    surname: "Mwangi",
    given: "Wanjiru Njeri",
    sex: "F",
    dob: ("29", "2", "2000"),
    birth_cert: "1000500",
};

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

pub fn codes_for(app: &TestApp, contact: &str) -> Vec<String> {
    let normalised = if contact.contains('@') {
        contact.to_lowercase()
    } else {
        format!("+254{}", contact.trim_start_matches('0'))
    };
    app.messages()
        .lines()
        .filter(|line| line.contains(&normalised) && line.contains("sign_in_code"))
        .filter_map(|line| {
            // In the text: the message's id, before it, is no code.
            line.split(" text=")
                .nth(1)?
                .split(|c: char| !c.is_ascii_digit())
                .find(|run| run.len() == 6)
                .map(str::to_string)
        })
        .collect()
}

pub async fn wait_for_code(app: &TestApp, contact: &str, before: usize) -> String {
    for _ in 0..200 {
        let codes = codes_for(app, contact);
        if codes.len() > before {
            return codes.last().unwrap().clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no code arrived in the message log");
}

/// The error summary's text, for assertion messages.
pub fn summary_of(body: &str) -> String {
    body.split("error-summary__list")
        .nth(1)
        .map(|s| s.chars().take(400).collect())
        .unwrap_or_default()
}

/// The text of the element marked `data-testid="{id}"`, whatever the order
/// of its attributes.
pub fn testid_text(body: &str, id: &str) -> String {
    body.split(&format!("data-testid=\"{id}\""))
        .nth(1)
        .and_then(|rest| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split('<').next())
        .unwrap_or("")
        .to_string()
}

pub fn state_of(body: &str) -> String {
    body.split("data-testid=\"state\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or("")
        .to_string()
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 255) as u8, (y % 255) as u8, 128])
    });
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}
