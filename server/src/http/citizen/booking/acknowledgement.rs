//! The acknowledgement of a booking (with its QR code) and cancelling it.

use super::acknowledgement_response;
use crate::booking::bookings::{Booking, Refused};
use crate::citizen::applications::Stored;
use crate::http::AppState;
use crate::http::citizen::{CitizenSession, OwnApplication, shown_booking};
use crate::http::page::{Head, Now, PageError, PageResult, render, see_other};
use crate::messages::Message;
use crate::observe::series::{self as observe, BookingAction};
use anyhow::Context;
use app::calendar::appointment_label;
use app::pages::booking::{AcknowledgementNotice, CancelView};
use axum::extract::State;
use axum::http::StatusCode;

/// The application and the booking its pages show; without one, back to
/// the application.
async fn booked(state: &AppState, app: Stored) -> PageResult<(Stored, Booking)> {
    match shown_booking(state, &app.id).await? {
        Some(booking) => Ok((app, booking)),
        None => Err(PageError::Redirect(format!("/applications/{}", app.id))),
    }
}

pub(super) async fn acknowledgement(
    State(state): State<AppState>,
    OwnApplication { app, .. }: OwnApplication,
    Now(now): Now,
    head: Head,
) -> PageResult {
    let (app, booking) = booked(&state, app).await?;
    acknowledgement_response(&state, head, &app, &booking, None, StatusCode::OK, now).await
}

pub(super) async fn cancel_page(
    State(state): State<AppState>,
    OwnApplication { app, .. }: OwnApplication,
    Now(now): Now,
    head: Head,
) -> PageResult {
    let (app, booking) = booked(&state, app).await?;
    if !state.bookings().changeable(&booking, now) {
        let notice = Some(AcknowledgementNotice::TooLate);
        let status = StatusCode::CONFLICT;
        return acknowledgement_response(&state, head, &app, &booking, notice, status, now).await;
    }
    let centre = state
        .centres()
        .get(&booking.centre_id)
        .await
        .context("loading the booking's centre")?
        .map(|c| c.name)
        .unwrap_or_default();
    let label = format!(
        "{}, {centre}",
        appointment_label(booking.day, booking.slot, head.locale())
    );
    let view = CancelView {
        application_id: app.id,
        label,
    };
    Ok(render(&state, head, StatusCode::OK, view).await)
}

pub(super) async fn cancel_submit(
    State(state): State<AppState>,
    OwnApplication { account, app }: OwnApplication,
    session: CitizenSession,
    Now(now): Now,
    head: Head,
) -> PageResult {
    let (app, booking) = booked(&state, app).await?;
    let id = app.id.clone();
    let mut tx = state.begin().await?;
    let cancelled = state
        .bookings()
        .cancel(&mut tx, &booking, now)
        .await
        .context("cancelling a booking")?;
    match cancelled {
        Ok(()) => {
            if let Some(reference) = app.reference.clone() {
                let message = Message::BookingCancelled { reference };
                state
                    .message_about(&mut tx, &app, &account, head.locale(), &message, now)
                    .await?;
            }
            tx.commit().await.context("committing a cancellation")?;
            tracing::info!(application = %id, "booking cancelled");
            observe::bookings(BookingAction::Cancelled, booking.kind.code(), 1);
            session
                .appointment_cancelled(&id, booking.day, booking.slot)
                .await?;
            Ok(see_other(&format!("/applications/{id}")))
        }
        Err(Refused::TooLate) => {
            let notice = Some(AcknowledgementNotice::TooLate);
            let status = StatusCode::CONFLICT;
            acknowledgement_response(&state, head, &app, &booking, notice, status, now).await
        }
        Err(_) => Ok(see_other(&format!("/applications/{id}"))),
    }
}
