//! Booking pages: the centre finder, a centre's days and times, booking
//! and changing (one form post) in `book`; the acknowledgement and
//! cancelling in `acknowledgement`.
//!
//! Only the citizen's own applications are reachable (anything else is the
//! 404 page), and what may be booked follows from the application's state
//! (`booking::eligibility`).

mod acknowledgement;
mod book;

use super::full_name;
use crate::booking::bookings::{Booking, Kind};
use crate::citizen::applications::Stored;
use crate::http::AppState;
use crate::http::page::{Head, PageResult, qr_svg, render};
use crate::registry::verification::ApplicationKind;
use anyhow::Context;
use app::pages::booking::{AcknowledgementNotice, AcknowledgementView, AppointmentKind};
use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/applications/{id}/booking",
            get(acknowledgement::acknowledgement),
        )
        .route(
            "/applications/{id}/booking/cancel",
            get(acknowledgement::cancel_page).post(acknowledgement::cancel_submit),
        )
        .route("/applications/{id}/booking/centres", get(book::finder))
        .route(
            "/applications/{id}/booking/centres/{centre}",
            get(book::day_page).post(book::book),
        )
}

/// The paths `router` renders itself, kept out of Leptos's own routes.
pub const RENDERED_HERE: [&str; 4] = [
    "/applications/{id}/booking",
    "/applications/{id}/booking/cancel",
    "/applications/{id}/booking/centres",
    "/applications/{id}/booking/centres/{centre}",
];

/// How the pages name an appointment of `kind` for this application.
fn appointment_kind(app: &Stored, kind: Kind) -> AppointmentKind {
    match (kind, app.kind) {
        (Kind::Collection, _) => AppointmentKind::Collection,
        (Kind::Enrolment, ApplicationKind::MinorCard) => AppointmentKind::MinorEnrolment,
        (Kind::Enrolment, ApplicationKind::AdultId) => AppointmentKind::AdultEnrolment,
    }
}

/// The acknowledgement of `booking` (its address, whatever was asked for),
/// with a notice if something stood in the way.
async fn acknowledgement_response(
    state: &AppState,
    mut head: Head,
    app: &Stored,
    booking: &Booking,
    notice: Option<AcknowledgementNotice>,
    status: StatusCode,
    now: i64,
) -> PageResult {
    let centre = state
        .centres()
        .get(&booking.centre_id)
        .await
        .context("loading the booking's centre")?;
    let reference = app.reference.clone().unwrap_or_default();
    let view = AcknowledgementView {
        application_id: app.id.clone(),
        qr_svg: qr_svg(&reference),
        reference,
        name: full_name(app).unwrap_or_default(),
        kind: appointment_kind(app, booking.kind),
        centre_name: centre.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
        centre_address: centre.map(|c| c.address).unwrap_or_default(),
        day: booking.day,
        slot: booking.slot,
        changeable: state.bookings().changeable(booking, now),
        notice,
    };
    head.set_path(&format!("/applications/{}/booking", app.id));
    Ok(render(state, head, status, view).await)
}
