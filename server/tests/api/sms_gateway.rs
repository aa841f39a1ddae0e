//! A local stand-in for Africa's Talking's messaging API, for the SMS
//! transport's tests: `POST /version1/messaging` as documented (form fields
//! `username`, `to`, `message`, optional `from`; headers `apiKey` and
//! `Accept`), answering `201` with `SMSMessageData.Recipients[]` per number.
//!
//! Each test scripts what the next requests get ([`Behaviour`]: success, an
//! HTTP error status, no answer in time), numbers listed in `refused` get a
//! per-recipient `403 InvalidPhoneNumber`, and everything received is kept
//! with the moment it arrived. [`post_delivery_report`] plays the
//! provider's delivery-report callback against our server.

use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const USERNAME: &str = "usajili-test";
pub const API_KEY: &str = "atsk_test_0123456789abcdef";

/// What the gateway does with one request.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// Accepts every number not in `refused` (status 101, a message id).
    Accept,
    /// Answers with this HTTP status and a plain-text body.
    Status(u16),
    /// Answers (successfully) only after this long.
    Hang(Duration),
    /// Accepts, but first posts a delivery report with this status for
    /// each id to the server at `app_address` (with `token`) and waits for
    /// its answer: the provider's report arriving before the worker has
    /// recorded the send.
    ReportFirst {
        app_address: String,
        token: String,
        status: &'static str,
    },
}

/// One request the gateway received.
#[derive(Clone, Debug)]
pub struct Received {
    pub at: Instant,
    pub to: String,
    pub message: String,
    pub from: Option<String>,
    /// The message ids it answered with, one per accepted number.
    pub message_ids: Vec<String>,
}

#[derive(Default)]
struct Inner {
    script: VecDeque<Behaviour>,
    refused: HashSet<String>,
    received: Vec<Received>,
    next_id: u64,
}

#[derive(Clone)]
pub struct FakeGateway {
    pub base_url: String,
    inner: Arc<Mutex<Inner>>,
}

impl FakeGateway {
    /// Starts the gateway on a free loopback port, in this test's runtime.
    pub async fn start() -> FakeGateway {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/version1/messaging", post(messaging))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake gateway");
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeGateway { base_url, inner }
    }

    /// The next requests get these behaviours, in order; after them, [`Behaviour::Accept`].
    pub fn script(&self, behaviours: impl IntoIterator<Item = Behaviour>) {
        self.inner.lock().unwrap().script.extend(behaviours);
    }

    /// This number gets a per-recipient `403 InvalidPhoneNumber`.
    pub fn refuse(&self, number: &str) {
        self.inner
            .lock()
            .unwrap()
            .refused
            .insert(number.to_string());
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// Waits (up to `within`) until `count` requests have arrived.
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let received = self.received();
            if received.len() >= count || Instant::now() >= deadline {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn messaging(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if headers.get("apiKey").and_then(|v| v.to_str().ok()) != Some(API_KEY) {
        return (
            StatusCode::UNAUTHORIZED,
            "The supplied authentication is invalid",
        )
            .into_response();
    }
    if headers.get("accept").and_then(|v| v.to_str().ok()) != Some("application/json") {
        return (StatusCode::NOT_ACCEPTABLE, "this gateway answers JSON only").into_response();
    }
    let is_form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let Ok(form) = serde_urlencoded::from_str::<HashMap<String, String>>(&body) else {
        return (StatusCode::BAD_REQUEST, "Invalid request body").into_response();
    };
    if !is_form {
        return (StatusCode::BAD_REQUEST, "Invalid content type").into_response();
    }
    if form.get("username").map(String::as_str) != Some(USERNAME) {
        return (
            StatusCode::UNAUTHORIZED,
            "The supplied authentication is invalid",
        )
            .into_response();
    }
    for field in ["to", "message"] {
        if form.get(field).is_none_or(|v| v.trim().is_empty()) {
            return (
                StatusCode::BAD_REQUEST,
                format!("Request is missing required form field '{field}'"),
            )
                .into_response();
        }
    }
    let to = form["to"].clone();

    let (behaviour, recipients, ids) = {
        let mut inner = inner.lock().unwrap();
        let behaviour = inner.script.pop_front().unwrap_or(Behaviour::Accept);
        let mut recipients = Vec::new();
        let mut ids = Vec::new();
        if !matches!(behaviour, Behaviour::Status(_)) {
            for number in to.split(',').map(str::trim) {
                if inner.refused.contains(number) {
                    recipients.push(serde_json::json!({
                        "statusCode": 403, "number": number, "status": "InvalidPhoneNumber",
                        "cost": "0", "messageId": "None",
                    }));
                } else {
                    inner.next_id += 1;
                    let id = format!("ATXid_{:032x}", inner.next_id);
                    recipients.push(serde_json::json!({
                        "statusCode": 101, "number": number, "status": "Success",
                        "cost": "KES 0.8000", "messageId": id,
                    }));
                    ids.push(id);
                }
            }
        }
        inner.received.push(Received {
            at: Instant::now(),
            to: to.clone(),
            message: form["message"].clone(),
            from: form.get("from").cloned(),
            message_ids: ids.clone(),
        });
        (behaviour, recipients, ids)
    };

    match behaviour {
        Behaviour::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (status, "Internal Server Error").into_response();
        }
        Behaviour::Hang(pause) => tokio::time::sleep(pause).await,
        Behaviour::ReportFirst {
            app_address,
            token,
            status,
        } => {
            for id in &ids {
                let response =
                    post_delivery_report(&app_address, &token, id, status, None, &to).await;
                assert_eq!(response.status(), 200, "the early report is accepted");
            }
        }
        Behaviour::Accept => {}
    }
    let total = recipients.len();
    let summary = format!(
        "Sent to {}/{total} Total Cost: KES {:.4}",
        ids.len(),
        0.8 * ids.len() as f64
    );
    (
        StatusCode::CREATED,
        axum::Json(serde_json::json!({ "SMSMessageData": { "Message": summary, "Recipients": recipients } })),
    )
        .into_response()
}

/// Posts a delivery report to our server's callback, as Africa's Talking
/// does (form-encoded, from elsewhere: an `Origin` that is not ours).
pub async fn post_delivery_report(
    app_address: &str,
    token: &str,
    id: &str,
    status: &str,
    failure_reason: Option<&str>,
    phone: &str,
) -> reqwest::Response {
    let mut form = vec![
        ("id", id),
        ("status", status),
        ("phoneNumber", phone),
        ("networkCode", "63902"),
        ("retryCount", "0"),
    ];
    if let Some(reason) = failure_reason {
        form.push(("failureReason", reason));
    }
    reqwest::Client::new()
        .post(format!(
            "{app_address}/messages/delivery/africastalking/{token}"
        ))
        .header("Origin", "https://callbacks.africastalking.example")
        .form(&form)
        .send()
        .await
        .expect("the delivery report request")
}
